"""Moving a SQLite ledger into PostgreSQL (`crosspost ledger migrate --to URL`).

Every table is copied, row for row and column for column (ids, send keys and
times unchanged, so events still point at their deliveries and a network's
idempotency keys still match), in one transaction on the server: either the
whole ledger arrives, its counts checked table by table before the commit, or
nothing does.  The SQLite file is only read: a snapshot of it (SQLite's backup
API, through a read-only connection) is brought up to the current schema in a
temporary file, so an older ledger can be moved too, and the original is left
as it was, to go back to.
"""

from __future__ import annotations

import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ...errors import BadInput, LedgerError, LedgerUnavailable
from ..sqlite.store import SQLiteStore
from .migrations import TABLES
from .store import PostgresStore


@dataclass(frozen=True)
class CopyResult:
    """What `copy_ledger` moved: rows per table (the same on both sides), and where."""

    source: str
    target: str
    counts: dict[str, int]
    schema_version: int


def copy_ledger(source: Path, url: str) -> CopyResult:
    """Copy the SQLite ledger at `source` into the empty PostgreSQL ledger at `url`.

    BadInput when `source` is missing or the database already holds deliveries
    (nothing is merged: two ledgers' ids would collide); LedgerError, with
    nothing written, when a count differs after the copy.
    """
    if not source.is_file():
        raise BadInput(f"no SQLite ledger at {source} to move: check --home (or CROSSPOST_HOME)")
    with tempfile.TemporaryDirectory(prefix="crosspost-migrate-") as scratch:
        snapshot = Path(scratch) / "ledger.sqlite3"
        _snapshot(source, snapshot)
        with SQLiteStore.open(snapshot) as sqlite, PostgresStore.open(url) as target:
            counts = _copy(sqlite._conn, target)
            return CopyResult(str(source), target.location, counts, target.schema_version())


def _snapshot(source: Path, into: Path) -> None:
    """A consistent copy of `source` at `into`, through a read-only connection."""
    try:
        reader = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise LedgerUnavailable(f"cannot read the ledger {source}: {exc}") from exc
    try:
        writer = sqlite3.connect(into)
        try:
            reader.backup(writer)
        finally:
            writer.close()
    except sqlite3.Error as exc:
        raise LedgerUnavailable(f"cannot read the ledger {source}: {exc}") from exc
    finally:
        reader.close()


def _copy(source: sqlite3.Connection, target: PostgresStore) -> dict[str, int]:
    pg = target._pg
    counts: dict[str, int] = {}
    with target._write():
        held = pg.execute("SELECT COUNT(*) FROM deliveries").fetchone()
        if held is not None and held[0]:
            raise BadInput(
                f"the ledger {target.location} already holds {held[0]} deliveries: "
                "`crosspost ledger migrate` moves a ledger into an empty database only"
            )
        for table in TABLES:
            pg.execute(f"DELETE FROM {table}")  # a half-used database (marks, say)
            columns = [row[1] for row in source.execute(f"PRAGMA table_info({table})")]
            names = ", ".join(columns)
            rows = source.execute(f"SELECT {names} FROM {table} ORDER BY 1")
            with pg.raw.cursor().copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            if "id" in columns:  # the next id PostgreSQL gives follows the copied ones
                pg.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                    f" (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
                )
            expected = source.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            found = pg.execute(f"SELECT COUNT(*) FROM {table}").fetchone()
            copied = int(found[0]) if found is not None else -1
            if copied != expected:
                raise LedgerError(
                    f"copying {table}: {expected} rows in the SQLite ledger, {copied} in "
                    f"{target.location}; nothing was written, the SQLite ledger is unchanged"
                )
            counts[table] = copied
    return counts
