"""The delivery ledger: the one place crosspost records what was sent where.

A double post or a lost post is public, so the ledger is built for three
accidents: the process dying at any line, two processes sharing it, and a
request that timed out after the network had already received it.  Each
change is one transaction writing the row and its event together; a delivery
is claimed (committed `sending`) before its request leaves, and two
processes cannot both claim it; an abandoned claim becomes `unknown`, never
`pending`, so only the user can send it again.  `store.py` states these
guarantees operation by operation.

The package is one interface and its implementations:

* `store.Store`, the protocol the rest of crosspost codes against (its
  short-link part, `store.ShortLinks`, on its own for `links.LinkShortener`);
* `models`, the frozen values that cross it;
* `liveness`, whether a claimer process still runs;
* `sqlite/`, `SQLiteStore`, the ledger in one SQLite file (`Ledger` is its
  historical name);
* `postgres/`, `PostgresStore`, the ledger in a PostgreSQL database that
  several computers share (loaded only when one is named);
* `location`, which of them this process uses.

`open_store(home)` opens the ledger of a crosspost home, or the database
`location` names.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import LedgerUnavailable
from .liveness import claimer_is_gone, owner_id
from .location import LEDGER_ENV, chosen_ledger, ledger_setting, use_ledger
from .models import (
    CLAIMABLE_STATES,
    EVENT_KINDS,
    FEED_ENTRY_ACTIONS,
    FEED_PULL_STATUSES,
    INTERRUPTED_ERROR,
    ROUTES,
    STATES,
    AudiencePoint,
    ChannelAccount,
    Delivery,
    EntryMark,
    Event,
    FeedState,
    LinkClaim,
    Note,
    Pace,
    SeenEntry,
)
from .postgres.urls import is_postgres_url, without_password
from .sqlite import SQLiteStore
from .sqlite.db import BUSY_TIMEOUT_SECONDS, LEDGER_FILENAME, default_ledger_path
from .sqlite.migrations import MIGRATIONS
from .store import ShortLinks, Store

# The name every caller has used since the first release.
Ledger = SQLiteStore


def open_store(home: Path, location: str | None = None) -> Store:
    """The ledger, opened and migrated: `location` (a `postgresql://` URL or a file),
    else the one this process chose (`location.chosen_ledger`), else the SQLite file
    of the crosspost home `home` (`default_ledger_path`)."""
    location = location or chosen_ledger()
    if location is None:
        return SQLiteStore.open(default_ledger_path(home))
    if is_postgres_url(location):
        try:
            from .postgres.store import PostgresStore
        except ImportError as exc:
            raise LedgerUnavailable(
                f"the ledger {without_password(location)} is a PostgreSQL database, and "
                f"psycopg is not installed ({exc}): pip install 'crosspost[postgresql]'"
            ) from exc
        return PostgresStore.open(location)
    if "://" in location:
        raise LedgerUnavailable(
            f"the ledger {without_password(location)} is neither a postgresql:// URL nor a "
            "file path: check --ledger, CROSSPOST_LEDGER or `ledger:` in channels.yaml"
        )
    return SQLiteStore.open(Path(location).expanduser())


def store_kind(location: str | None) -> str:
    """ "postgresql" or "sqlite": the kind of store `location` (as `open_store` reads it) is."""
    return "postgresql" if is_postgres_url(location or chosen_ledger()) else "sqlite"


__all__ = [
    "BUSY_TIMEOUT_SECONDS",
    "CLAIMABLE_STATES",
    "EVENT_KINDS",
    "FEED_ENTRY_ACTIONS",
    "FEED_PULL_STATUSES",
    "INTERRUPTED_ERROR",
    "LEDGER_ENV",
    "LEDGER_FILENAME",
    "MIGRATIONS",
    "ROUTES",
    "STATES",
    "AudiencePoint",
    "ChannelAccount",
    "Delivery",
    "EntryMark",
    "Event",
    "FeedState",
    "Ledger",
    "LinkClaim",
    "Note",
    "Pace",
    "SQLiteStore",
    "SeenEntry",
    "ShortLinks",
    "Store",
    "chosen_ledger",
    "claimer_is_gone",
    "default_ledger_path",
    "is_postgres_url",
    "ledger_setting",
    "open_store",
    "owner_id",
    "store_kind",
    "use_ledger",
    "without_password",
]
