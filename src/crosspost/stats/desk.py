"""The figures side of a `Workspace`: `crosspost stats`.  A mixin (Workspace supplies
`home`, `config` and `store`), kept apart so the facade stays small."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from ..part import WorkspacePart

if TYPE_CHECKING:
    from .read import Reading


class StatsDesk(WorkspacePart):
    """Reading the networks' figures, as Workspace offers it."""

    def stats(
        self,
        *,
        channels: Iterable[str] = (),
        sandbox_url: str | None = None,
        now: datetime | None = None,
    ) -> list[Reading]:
        """Read each channel's followers and its last 30 days' engagement, and record
        them; one `Reading` per channel, in channels.yaml order."""
        from ..sending.deliver import build_adapter
        from ..sending.pipeline import Pipeline
        from .read import read_all

        pipeline = Pipeline(self.config, self.home, sandbox_url=sandbox_url)
        with self.store() as ledger:
            return read_all(
                self.config,
                ledger,
                adapter_for=lambda c: build_adapter(
                    c, pipeline.credentials(c), sandbox_url, home=self.home
                ),
                channels=channels,
                now=now,
            )
