"""The PostgreSQL connection: opening it, what its errors mean to a user, and the
small adapter that lets the ledger's SQL run on it.

The ledger's operations are written once, in the SQL both databases read, by
the mixins of `..sqlite` (one per table).  `PGConnection` gives them the part
of `sqlite3.Connection` they use (`execute` returning a cursor with
`fetchone`, `fetchall` and `lastrowid`, rows read by name or position), and
`translate` rewrites the few SQLite spellings they hold into PostgreSQL's:
`?` and `:name` parameters, `INSERT OR IGNORE` / `OR REPLACE`, the `INDEXED
BY` and unary-`+` planner hints, `json_extract`.  It is a fixed list, checked
by the same store tests on both databases; a new spelling fails them loudly
(PostgreSQL refuses what it does not read) rather than doing something else.

Times stay the fixed-width UTC text of `..sqlite.db.to_text` in PostgreSQL too:
text order is time order in both, the same comparisons hold, and a ledger
copied from SQLite compares equal value for value.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

import psycopg
from psycopg import errors as pg_errors

from ...errors import LedgerError, LedgerUnavailable, LedgerUnreachable
from .urls import without_password

# Seconds to wait for the server to answer a connection: a cron run must not hang.
CONNECT_TIMEOUT = 10

# The tables whose rows have an `id` the store reads back after an insert.
_ID_TABLES = frozenset({"deliveries", "events", "notes", "feed_entries"})
# `INSERT OR REPLACE` needs the conflicting key spelled out in PostgreSQL.
_REPLACE_KEYS = {"short_link_claims": "long_url"}

_LITERAL = re.compile(r"'(?:[^']|'')*'")
_JSON_EXTRACT = re.compile(r"json_extract\((\w+), '\$\.(\w+)'\)")
_INSERT_OR = re.compile(r"INSERT OR (IGNORE|REPLACE) INTO (\w+) \(([^)]*)\)")
_INSERT_INTO = re.compile(r"^\s*INSERT (?:OR \w+ )?INTO (\w+)")


@lru_cache(maxsize=512)
def translate(sql: str) -> str:
    """The ledger's SQL (SQLite's spelling) as PostgreSQL reads it."""
    sql = _JSON_EXTRACT.sub(r"(\1::jsonb ->> '\2')", sql)
    suffix = ""
    table = _INSERT_INTO.match(sql)
    match = _INSERT_OR.search(sql)
    if match is not None:
        how, name, columns = match.groups()
        sql = sql.replace(match.group(0), f"INSERT INTO {name} ({columns})")
        if how == "IGNORE":
            suffix = " ON CONFLICT DO NOTHING"
        else:
            names = [c.strip() for c in columns.split(",")]
            key = _REPLACE_KEYS[name]
            updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in names if c != key)
            suffix = f" ON CONFLICT ({key}) DO UPDATE SET {updates}"
    if table is not None and table.group(1) in _ID_TABLES and "RETURNING" not in sql:
        suffix += " RETURNING id"
    pieces: list[str] = []
    last = 0
    for literal in _LITERAL.finditer(sql):
        pieces.append(_translate_code(sql[last : literal.start()]))
        pieces.append(literal.group(0))
        last = literal.end()
    pieces.append(_translate_code(sql[last:]))
    return "".join(pieces) + suffix


def _translate_code(code: str) -> str:
    """SQL outside string literals: parameters, and the hints only SQLite's planner reads."""
    code = code.replace("%", "%%")
    code = re.sub(r"INDEXED BY \w+", "", code)
    code = re.sub(r"(?<=[\s(])\+(?=[A-Za-z_])", "", code)
    code = re.sub(r"(?<![:\w]):([A-Za-z_]\w*)", r"%(\1)s", code)
    return code.replace("?", "%s")


class Row(tuple[Any, ...]):
    """One row, read by column name or by position, as `sqlite3.Row` is."""

    _index: dict[str, int]

    def __new__(cls, values: Sequence[Any], index: dict[str, int]) -> Row:
        row = super().__new__(cls, values)
        row._index = index
        return row

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return super().__getitem__(self._index[key])
        return super().__getitem__(key)

    def names(self) -> list[str]:
        return list(self._index)


def _row_factory(cursor: psycopg.Cursor[Any]) -> Any:
    names = [column.name for column in cursor.description or ()]
    index = {name: number for number, name in enumerate(names)}

    def make(values: Sequence[Any]) -> Row:
        return Row(values, index)

    return make


class PGCursor:
    """What an `execute` returns: its rows, and the id an insert wrote."""

    def __init__(self, rows: list[Row], lastrowid: int | None) -> None:
        self._rows = rows
        self.lastrowid = lastrowid

    def fetchone(self) -> Row | None:
        return self._rows[0] if self._rows else None

    def fetchall(self) -> list[Row]:
        return self._rows


class PGConnection:
    """One psycopg connection, in autocommit outside the store's write transactions."""

    def __init__(self, raw: psycopg.Connection[Any], location: str) -> None:
        self.raw = raw
        self.location = location
        self._thread = threading.get_ident()

    def _check_thread(self) -> None:
        if threading.get_ident() != self._thread:
            # As SQLite's connection does: a store belongs to its thread, so that two
            # threads never interleave statements inside one transaction.
            raise LedgerError(
                f"ledger {self.location}: a store belongs to the thread that opened it; "
                "open another one in this thread"
            )

    @property
    def in_transaction(self) -> bool:
        return self.raw.info.transaction_status != psycopg.pq.TransactionStatus.IDLE

    def execute(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> PGCursor:
        """Run one statement of the ledger's SQL; a database error is `LedgerError`."""
        self._check_thread()
        if not isinstance(params, Mapping):
            params = tuple(params)
        try:
            cursor = self.raw.execute(translate(sql), params)
            rows = cursor.fetchall() if cursor.description is not None else []
        except psycopg.Error as exc:
            raise error_in_use(self.location, exc) from exc
        lastrowid = None
        if rows and "id" in rows[0].names() and sql.lstrip().upper().startswith("INSERT"):
            lastrowid = int(rows[0]["id"])
        return PGCursor(rows, lastrowid)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """One statement for each of `rows`, as `sqlite3.Connection.executemany`."""
        self._check_thread()
        try:
            with self.raw.cursor() as cursor:
                cursor.executemany(translate(sql), [tuple(row) for row in rows])
        except psycopg.Error as exc:
            raise error_in_use(self.location, exc) from exc

    def close(self) -> None:
        self.raw.close()


def connect(url: str, *, application_name: str) -> PGConnection:
    """A connection to the ledger database at `url`, or the one-line reason there is none.

    `application_name` tells the server (and `pg_stat_activity`) which crosspost
    process this is: how another host sees that a claimer's connection is gone.
    """
    shown = without_password(url)
    try:
        raw = psycopg.connect(
            url,
            autocommit=True,
            connect_timeout=CONNECT_TIMEOUT,
            application_name=application_name,
            row_factory=_row_factory,
        )
    except psycopg.OperationalError as exc:
        raise error_opening(shown, exc) from exc
    except psycopg.Error as exc:  # a malformed URL, an unknown option
        raise LedgerUnavailable(f"cannot open the ledger {shown}: {_first_line(exc)}") from exc
    return PGConnection(raw, shown)


def error_opening(shown: str, exc: psycopg.Error) -> LedgerError:
    """Why the server at `shown` refused us, as one line: exit 2 for what the user
    must fix (password, database, rights), exit 1 for a server that did not answer."""
    text = _first_line(exc)
    lowered = text.lower()
    if "password authentication failed" in lowered or "no password supplied" in lowered:
        return LedgerUnavailable(
            f"the ledger {shown} refused the password: check the URL's user and the "
            "password it reads (`ledger:` in channels.yaml, --ledger or CROSSPOST_LEDGER)"
        )
    if "does not exist" in lowered:
        return LedgerUnavailable(
            f"cannot open the ledger {shown}: {text}; create it (createdb) or fix the URL"
        )
    if "permission denied" in lowered or "not permitted" in lowered:
        return LedgerUnavailable(f"cannot open the ledger {shown}: {text}")
    return LedgerUnreachable(
        f"the ledger server {shown} does not answer ({text}): check that PostgreSQL runs "
        "and the URL's host and port; the next run tries again"
    )


def error_in_use(shown: str, exc: psycopg.Error) -> LedgerError:
    """A failure while the ledger is open, as one line."""
    text = _first_line(exc)
    if isinstance(exc, pg_errors.InsufficientPrivilege):
        return LedgerUnavailable(
            f"the ledger {shown}: {text}; the URL's user needs the right to create and "
            "change the ledger's tables (GRANT CREATE ON SCHEMA public, or own the database)"
        )
    if isinstance(exc, psycopg.OperationalError):
        return LedgerUnreachable(
            f"lost the connection to the ledger {shown} ({text}); nothing was sent on a "
            "guess: a request already out is `unknown` until reconciled"
        )
    return LedgerError(f"ledger {shown}: {text}")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0].strip()
