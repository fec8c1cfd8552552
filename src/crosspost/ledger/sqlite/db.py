"""The SQLite file itself: creating it privately, the connection and its pragmas,
the one write transaction, what an SQLite error means to a user, and how
times and lists are stored.

Times are UTC.  The Python side takes and returns timezone-aware `datetime`s;
the file stores them as fixed-width ISO-8601 strings ending in `Z`
(`2024-05-01T09:30:00.000000Z`), so string order is time order and indexes on
them work.

`SQLiteBase` holds one connection and belongs to the thread that opened it;
another thread opens its own.  The mixins of `SQLiteStore` build on it.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from ...errors import LedgerError, LedgerUnavailable

LEDGER_FILENAME = "ledger.sqlite3"
BUSY_TIMEOUT_SECONDS = 30.0

_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def default_ledger_path(home: Path) -> Path:
    """Where the ledger lives inside the crosspost home directory."""
    return home / LEDGER_FILENAME


# -- opening -------------------------------------------------------------------------


def connect(path: Path) -> sqlite3.Connection:
    """A configured connection to the ledger file at `path`, created (0600) if missing.

    `LedgerUnavailable` when the file cannot be created, opened or put in WAL
    mode; `LedgerError` when another process holds it too long.
    """
    create_private_file(path)
    try:
        connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
    except sqlite3.Error as exc:
        raise LedgerUnavailable(
            f"cannot open the ledger {path}: {exc}; check that the file and its "
            "directory are readable and writable"
        ) from exc
    connection.row_factory = sqlite3.Row
    try:
        _configure(connection, path)
    except BaseException:
        connection.close()
        raise
    return connection


def _configure(connection: sqlite3.Connection, path: Path) -> None:
    try:
        connection.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
        # FULL, not WAL's usual NORMAL: a committed claim lost to a power cut
        # would let the next run send the same post again.
        connection.execute("PRAGMA synchronous = FULL")
        connection.execute("PRAGMA foreign_keys = ON")
        mode = _enable_wal(connection)
    except sqlite3.OperationalError as exc:
        if _is_busy(exc):
            raise LedgerError(explain(path, exc)) from exc
        raise LedgerUnavailable(explain(path, exc)) from exc
    except sqlite3.DatabaseError as exc:
        raise LedgerUnavailable(
            f"cannot open the ledger {path}: {exc}; if the file is not a crosspost "
            "ledger, move it away and run the command again"
        ) from exc
    if str(mode).lower() != "wal":
        raise LedgerUnavailable(
            f"the ledger {path} cannot use write-ahead logging (journal mode "
            f"{mode!r}); keep the crosspost home on a local disk (--home or CROSSPOST_HOME)"
        )


def _enable_wal(connection: sqlite3.Connection) -> str:
    # Switching a new file to WAL needs an exclusive lock, and SQLite answers
    # "locked" at once, without its busy handler, while another process
    # opens the same new file: wait here as the busy timeout would.
    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
    while True:
        try:
            return str(connection.execute("PRAGMA journal_mode = WAL").fetchone()[0])
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
        time.sleep(0.01)


def create_private_file(path: Path) -> None:
    """Create missing parent dirs (0700) and the file (0600) before SQLite opens it."""
    missing: list[Path] = []
    parent = path.parent
    while not parent.exists():
        missing.append(parent)
        parent = parent.parent
    try:
        for directory in reversed(missing):
            try:
                directory.mkdir(mode=0o700)
            except FileExistsError:
                continue  # another process made it first
            os.chmod(directory, 0o700)  # the umask may have narrowed it
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    except OSError as exc:
        raise LedgerUnavailable(
            f"cannot create the ledger {path}: {exc.strerror or exc}; choose a writable "
            "home with --home or CROSSPOST_HOME"
        ) from exc
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


def _is_busy(exc: sqlite3.Error) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


def explain(path: Path, exc: sqlite3.Error) -> str:
    """An SQLite error as a user reads it: which file, and what to do when it is busy."""
    message = f"ledger {path}: {exc}"
    if _is_busy(exc):
        message += (
            f" (another crosspost process held it for over {BUSY_TIMEOUT_SECONDS:.0f} s;"
            " wait for it to finish and run the command again)"
        )
    return message


# -- the connection, shared by every part of the store ------------------------------------


class SQLiteBase:
    """One open connection to the ledger file, and the one way to write through it."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self._conn = connection
        self.path = path

    @property
    def location(self) -> str:
        """The file, for messages."""
        return str(self.path)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One `BEGIN IMMEDIATE` transaction: the write lock is taken before any read,
        so what a write reads cannot change under it."""
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise LedgerError(explain(self.path, exc)) from exc
        try:
            yield self._conn
            self._conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback()
            raise LedgerError(explain(self.path, exc)) from exc
        except BaseException:
            self._rollback()
            raise

    def _rollback(self) -> None:
        # If even ROLLBACK fails the connection is unusable, and SQLite undoes
        # the open transaction when it closes.
        if self._conn.in_transaction:
            with suppress(sqlite3.Error):
                self._conn.execute("ROLLBACK")

    def _query(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[sqlite3.Row]:
        """Rows of a read outside any write transaction."""
        try:
            return self._conn.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise LedgerError(explain(self.path, exc)) from exc


# -- values ---------------------------------------------------------------------------


def utcnow() -> datetime:
    return datetime.now(UTC)


def aware_now(now: datetime | None) -> datetime:
    """`now` in UTC (refused when naive), or the current time."""
    if now is None:
        return utcnow()
    _check_aware(now)
    return now.astimezone(UTC)


def _check_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"the ledger takes timezone-aware datetimes, not {moment!r}")


def to_text(moment: datetime) -> str:
    _check_aware(moment)
    return moment.astimezone(UTC).strftime(_TIME_FORMAT)


def from_text(text: str) -> datetime:
    # fromisoformat reads the file's one format (and its `Z`) as strptime does, a
    # hundred times faster: a listing of 100,000 rows reads 300,000 times.  Any
    # other text goes to strptime, which refuses it as it always did.
    if len(text) != len(DUE_NOW) or not text.endswith("Z"):
        return datetime.strptime(text, _TIME_FORMAT).replace(tzinfo=UTC)
    return datetime.fromisoformat(text)


def maybe_time(text: str | None) -> datetime | None:
    return from_text(text) if text is not None else None


# "Due now" (the model's `due_at` None) as the file stores it since migration 5: a
# time before any real one, not NULL, so that `due_at <= now` is one range of the
# `deliveries_due` index and `ORDER BY due_at` still puts undated rows first.
# The epoch is a time every database can store (a PostgreSQL store may keep it too).
DUE_NOW = "1970-01-01T00:00:00.000000Z"


def due_to_db(due_at: datetime | None) -> str:
    """`due_at` as the column stores it: None (due now, at the next run) is `DUE_NOW`."""
    return DUE_NOW if due_at is None else to_text(due_at)


def due_from_db(text: str | None) -> datetime | None:
    """The column's value as the model reads it: `DUE_NOW` (or a NULL) is None."""
    return None if text is None or text == DUE_NOW else from_text(text)


def to_db(value: Any) -> Any:
    """A Python value as its column stores it (times as text, sequences as JSON)."""
    if isinstance(value, datetime):
        return to_text(value)
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, tuple | list):
        return to_json(list(value))
    return value


def to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def decode_parts(text: str | None) -> tuple[str, ...]:
    return tuple(json.loads(text)) if text and text != "[]" else ()


def check_values(values: Sequence[str], known: Sequence[str], what: str) -> tuple[str, ...]:
    """`values` as a tuple, or ValueError naming those not in `known`."""
    if isinstance(values, str):
        values = (values,)
    unknown = set(values) - set(known)
    if unknown:
        raise ValueError(f"unknown {what}: {', '.join(sorted(unknown))}")
    return tuple(values)


def where(
    equal: Mapping[str, Any], within: Mapping[str, Sequence[str] | None]
) -> tuple[str, list[Any]] | None:
    """A WHERE clause for the filters that are not None, and its parameters.

    None when an `IN` filter is empty: nothing can match, no query is needed.
    """
    clauses: list[str] = []
    params: list[Any] = []
    for column, value in equal.items():
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    for column, values in within.items():
        if values is None:
            continue
        if not values:
            return None
        clauses.append(f"{column} IN ({', '.join('?' * len(values))})")
        params.extend(values)
    return (f" WHERE {' AND '.join(clauses)}" if clauses else ""), params
