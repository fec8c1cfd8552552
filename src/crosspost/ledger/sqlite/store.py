"""`SQLiteStore`: the ledger in one SQLite file, composed of one mixin per table.

Each mixin holds the operations on its part of the file (deliveries, claims,
links, channels, feeds, notes, the bounded reads of listings); this class adds
opening, which applies the pending migrations, and the questions that span tables.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from ..liveness import owner_id
from ..store import Store
from .channels import ChannelsMixin
from .claims import ClaimsMixin
from .db import connect
from .deliveries import DeliveriesMixin
from .feeds import FeedsMixin
from .figures import FiguresMixin
from .links import LinksMixin
from .migrations import migrate, user_version
from .notes import NotesMixin
from .pages import PagesMixin
from .reconcile import ReconcileMixin


class SQLOperations(
    DeliveriesMixin,
    ClaimsMixin,
    ReconcileMixin,
    LinksMixin,
    ChannelsMixin,
    FeedsMixin,
    NotesMixin,
    FiguresMixin,
    PagesMixin,
):
    """Every operation of the ledger, one mixin per table, in SQL that SQLite reads and
    that `..postgres.connection` rewrites for PostgreSQL: both stores are made of it."""


class SQLiteStore(SQLOperations):
    """The delivery ledger, one SQLite file.  Open with `SQLiteStore.open(path)`."""

    @classmethod
    def open(cls, path: Path) -> SQLiteStore:
        """Open (creating if needed) the ledger at `path` and apply pending migrations."""
        path = Path(path)
        connection = connect(path)
        store = cls(connection, path)
        try:
            migrate(connection, path, store._write)
        except BaseException:
            connection.close()
            raise
        return store

    @staticmethod
    def owner_id() -> str:
        """This process, as the `owner` to pass to `claim` and `claim_short_link`."""
        return owner_id()

    kind = "sqlite"

    def schema_version(self) -> int:
        """How many of `MIGRATIONS` the file has had."""
        return user_version(self._conn)

    def server_version(self) -> str | None:
        """A file has no server."""
        return None

    def has_work(self, *, now: datetime) -> bool:
        """Whether `crosspost run` has anything to do: something due, a paused
        channel to name, a `sending` row (maybe a dead run's) to recover, or an
        `unknown` one to reconcile again."""
        return bool(
            self.due(now=now, limit=1)
            or self.paused_channels()
            or self._any_sending()
            or self._unknown_to_read(now)
        )


def _satisfies_store(store: SQLiteStore) -> Store:
    """Never called: mypy checks here that `SQLiteStore` fills the `Store` protocol."""
    return store
