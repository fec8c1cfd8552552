"""`crosspost doctor`: every channel checked live against its network (the credentials
work, as the account recorded at `auth`, with the scopes posting needs, not about
to expire), the secrets' age, bit.ly's quota, and the machine (ledger, file modes,
cron, the last run, the clock).  `run` asks the cheap part on every run and the live
part once a day (`routine`).

No typer or rich here: the CLI renders a `Diagnosis`.
"""

from __future__ import annotations

from .findings import Diagnosis, Finding, Status

__all__ = ["Diagnosis", "Finding", "Status"]
