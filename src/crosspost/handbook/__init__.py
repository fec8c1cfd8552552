"""The hand-over document (`crosspost handbook`): every channel with its network,
account, audience, language, pacing and relay; the chain; the cron line; where
each secret lives and who holds the team file (never a value); the networks
posted by hand; last month's figures; the commands of a normal week.  In
English or French.

`gather_handbook` reads channels.yaml, the ledger and the secret store into a
`Handbook` (`model`, `secret_places`); `render_handbook` words it in its
language (`labels`) as Markdown or HTML (`render`, `templates/`).
"""

from __future__ import annotations

from ..languages import LANGUAGES
from .model import Handbook, gather_handbook
from .render import FORMATS, render_handbook

__all__ = ["FORMATS", "LANGUAGES", "Handbook", "gather_handbook", "render_handbook"]
