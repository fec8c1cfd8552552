"""What `crosspost ledger info` says about a ledger: which store keeps it, where,
at which schema version, and how much it holds.  The location never carries a
password (`Store.location` leaves it out)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from .sqlite.migrations import MIGRATIONS
from .store import Store


@dataclass(frozen=True)
class LedgerInfo:
    kind: str  # "sqlite" or "postgresql"
    location: str
    schema_version: int
    latest_version: int  # the newest this crosspost knows
    server_version: str | None
    deliveries: int

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def describe(store: Store) -> LedgerInfo:
    """`store` as `ledger info` shows it."""
    return LedgerInfo(
        kind=store.kind,
        location=store.location,
        schema_version=store.schema_version(),
        latest_version=len(MIGRATIONS),
        server_version=store.server_version(),
        deliveries=store.count_deliveries(),
    )
