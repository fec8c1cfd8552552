"""`PostgresStore`: the ledger in a PostgreSQL database that several computers share.

It is made of the same per-table mixins as `SQLiteStore` (their SQL runs through
`connection.PGConnection`), and differs where sharing a server changes how a
guarantee is kept:

* **Writers.**  SQLite lets one writer in at a time (`BEGIN IMMEDIATE`), and
  the mixins' read-then-write steps rely on it.  Here every write transaction
  takes one transaction-level advisory lock first, which keeps that promise as
  it is; the lock is held for a few statements, never across a request.
* **Claims** are the exception, since workers claim all day: a claim locks only
  its row (`SELECT ... FOR UPDATE SKIP LOCKED`: a row another worker is
  claiming is skipped at once, not waited for) and, when the claim carries the
  channel's pace, the channel (a transaction advisory lock keyed on its
  name), so two workers cannot both post on one channel inside its
  `min_interval` or past its `max_per_day`.  Every other write reads the row
  it changes `FOR UPDATE`, so it waits for a claim in flight and sees it.
* **Stale claims.**  A claimer on another host cannot be looked up in /proc.
  Each connection carries its process's identity as its `application_name`;
  a `sending` row whose claimer has no session left on the server (the
  process died, its connections closed) is abandoned, as is one whose lease
  ran out (a machine that vanished without closing its connections).  A
  wrong "gone" is safe: the row becomes `unknown`, never `pending`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, cast

import psycopg

from ...states import RECHECK_AFTER
from ..liveness import owner_id
from ..sqlite.db import to_text
from ..sqlite.store import SQLOperations
from ..sqlite.transitions import not_found
from ..store import Store
from .connection import PGConnection, connect, error_in_use, without_password
from .migrations import LOCK_SPACE, check_server, migrate, schema_version
from .quick import HAS_WORK_SQL

# The advisory locks of `_write` and of a channel's claims (see the module's doc).
WRITE_LOCK = 2
CHANNEL_SPACE = LOCK_SPACE + 1


def session_name(owner: str) -> str:
    """The `application_name` of `owner`'s connections: a digest, since the server
    keeps 63 bytes of it and an owner id is longer."""
    return "crosspost " + hashlib.sha256(owner.encode()).hexdigest()[:32]


class PostgresStore(SQLOperations):
    """The delivery ledger, one PostgreSQL database.  Open with `PostgresStore.open(url)`."""

    url: str
    kind = "postgresql"

    @classmethod
    def open(cls, url: str) -> PostgresStore:
        """Connect to the database at `url`, check the server and apply pending migrations."""
        connection = connect(url, application_name=session_name(owner_id()))
        # The mixins read and write through the part of sqlite3.Connection that
        # PGConnection provides (`connection.py`); the cast says so to mypy.  The
        # path is SQLiteBase's, for SQLite's messages: this store's say `location`.
        store = cls(cast(Any, connection), Path(connection.location))
        store.url = url
        try:
            check_server(connection)
            migrate(connection)
        except BaseException:
            connection.close()
            raise
        return store

    @property
    def location(self) -> str:
        """The database URL, its password replaced by `***`."""
        return without_password(self.url)

    @property
    def _pg(self) -> PGConnection:
        return cast(PGConnection, self._conn)

    @staticmethod
    def owner_id() -> str:
        """This process, as the `owner` to pass to `claim` and `claim_short_link`."""
        return owner_id()

    def schema_version(self) -> int:
        """How many of `MIGRATIONS` the database has had."""
        return schema_version(self._pg)

    def server_version(self) -> str | None:
        """The server's PostgreSQL version, as `15.4`."""
        version = self._pg.raw.info.server_version
        return f"{version // 10000}.{version % 10000}"

    def has_work(self, *, now: datetime) -> bool:
        """Whether `crosspost run` has anything to do, in one round trip (cron asks
        every minute): due work, a paused channel, a claim to recover, an unknown to read."""
        row = self._pg.execute(
            HAS_WORK_SQL, {"now": to_text(now), "since": to_text(now - RECHECK_AFTER)}
        ).fetchone()
        return bool(row and row[0])

    # -- how this store locks -----------------------------------------------------------

    @contextmanager
    def _transaction(self, *, serialised: bool) -> Iterator[Any]:
        try:
            with self._pg.raw.transaction():
                if serialised:
                    self._pg.execute("SELECT pg_advisory_xact_lock(?, ?)", (LOCK_SPACE, WRITE_LOCK))
                yield self._conn
        except psycopg.Error as exc:  # the commit (or rollback) itself failed
            raise error_in_use(self.location, exc) from exc

    def _write(self) -> Any:
        """One write transaction, one writer at a time, as SQLite's `BEGIN IMMEDIATE`."""
        return self._transaction(serialised=True)

    def _claiming(self) -> Any:
        return self._transaction(serialised=False)

    def _row(self, delivery_id: int) -> Any:
        row = self._pg.execute(
            "SELECT * FROM deliveries WHERE id = ? FOR UPDATE", (delivery_id,)
        ).fetchone()
        if row is None:
            raise not_found(delivery_id)
        return row

    def _claimable_row(self, delivery_id: int) -> Any:
        row = self._pg.execute(
            "SELECT * FROM deliveries WHERE id = ? FOR UPDATE SKIP LOCKED", (delivery_id,)
        ).fetchone()
        if row is None:
            if self._pg.execute("SELECT 1 FROM deliveries WHERE id = ?", (delivery_id,)).fetchone():
                return None  # another worker is writing it: it is theirs this time
            raise not_found(delivery_id)
        return row

    def _lock_channel(self, channel: str) -> None:
        self._pg.execute("SELECT pg_advisory_xact_lock(?, hashtext(?))", (CHANNEL_SPACE, channel))

    def _why_abandoned(self, row: Any, stamp: str) -> str | None:
        why = super()._why_abandoned(row, stamp)
        if why is not None or row["claimed_by"] is None:
            return why
        alive = self._pg.execute(
            "SELECT 1 FROM pg_stat_activity WHERE application_name = ? LIMIT 1",
            (session_name(row["claimed_by"]),),
        ).fetchone()
        return None if alive else "claiming process is gone (no connection to the ledger)"


def _satisfies_store(store: PostgresStore) -> Store:
    """Never called: mypy checks here that `PostgresStore` fills the `Store` protocol."""
    return store
