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
  historical name).

`open_store(home)` opens the ledger of a crosspost home.
"""

from __future__ import annotations

from pathlib import Path

from .liveness import claimer_is_gone, owner_id
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
    SeenEntry,
)
from .sqlite import SQLiteStore
from .sqlite.db import BUSY_TIMEOUT_SECONDS, LEDGER_FILENAME, default_ledger_path
from .sqlite.migrations import MIGRATIONS
from .store import ShortLinks, Store

# The name every caller has used since the first release.
Ledger = SQLiteStore


def open_store(home: Path) -> Store:
    """The ledger of the crosspost home `home`, opened and migrated (`default_ledger_path`)."""
    return SQLiteStore.open(default_ledger_path(home))


__all__ = [
    "BUSY_TIMEOUT_SECONDS",
    "CLAIMABLE_STATES",
    "EVENT_KINDS",
    "FEED_ENTRY_ACTIONS",
    "FEED_PULL_STATUSES",
    "INTERRUPTED_ERROR",
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
    "SQLiteStore",
    "SeenEntry",
    "ShortLinks",
    "Store",
    "claimer_is_gone",
    "default_ledger_path",
    "open_store",
    "owner_id",
]
