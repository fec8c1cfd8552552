"""The hand-over side of a `Workspace`: the secrets, the doctor and the handbook.

What lets the job survive the person doing it: where each secret lives and who
holds it, whether every channel's credentials still work and post as the right
account, and the document a successor reads.  A mixin of `Workspace` (which
supplies `home`, `config` and `store`), kept apart so the facade stays small.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from .part import WorkspacePart

if TYPE_CHECKING:
    from .doctor.doctor import Doctor
    from .handbook import Handbook
    from .secrets.manage import SecretStore


class Handover(WorkspacePart):
    """Secrets, the doctor and the handbook, as Workspace offers them."""

    def secrets(self) -> SecretStore:
        """What `crosspost secrets` manages: the identity, HOME/env and the team file."""
        from .secrets.manage import SecretStore

        return SecretStore(self.home, lambda: self.config)

    def doctor(self) -> Doctor:
        """Live health checks of every channel and of the machine (`crosspost doctor`)."""
        from .doctor.doctor import Doctor

        return Doctor(self)  # type: ignore[arg-type]

    def handbook(self, *, lang: str | None = None, now: datetime | None = None) -> Handbook:
        """The hand-over document (`crosspost handbook`)."""
        from .handbook import gather_handbook

        return gather_handbook(self, lang=lang, now=now)  # type: ignore[arg-type]
