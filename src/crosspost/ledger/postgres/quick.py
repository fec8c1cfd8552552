"""cron's every-minute question on a PostgreSQL ledger, asked through libpq itself.

`crosspost run` with nothing due must cost a PostgreSQL user about what it costs
a SQLite one (`cli/quick.py`).  Importing psycopg alone takes longer than that
whole answer on SQLite, so this asks libpq directly (ctypes; the libpq that
psycopg's binary wheel ships, else the system's): one connection, one query
for the schema version and `has_work`, and, when there is nothing to do, the
"last run" mark.  Whenever it cannot tell (no libpq, a refused connection, an
older schema, any error at all) it says so and the full command line, with
psycopg, answers and explains.  It never writes anything but the mark.
"""

from __future__ import annotations

import ctypes
import re
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..sqlite.db import to_text

# Whether `crosspost run` has anything to do, in one statement; `PostgresStore.has_work`
# runs it with parameters, this module with the two times spelled in.
HAS_WORK_SQL = (
    "SELECT EXISTS (SELECT 1 FROM deliveries WHERE state = 'pending' AND due_at <= :now)"
    " OR EXISTS (SELECT 1 FROM channel_state WHERE paused = 1)"
    " OR EXISTS (SELECT 1 FROM deliveries WHERE state = 'sending')"
    " OR EXISTS (SELECT 1 FROM deliveries WHERE state = 'unknown' AND updated_at <= :since)"
)
_STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
_CONNECTION_OK = 0
_COMMAND_OK, _TUPLES_OK = 1, 2


def nothing_due(url: str, *, now: datetime, since: datetime, latest: int) -> bool | None:
    """True when the ledger at `url` has nothing for `run` to do (the run mark is then
    written), False when it has, None when this cannot tell: the full path decides."""
    lib = _libpq()
    if lib is None:
        return None
    stamps = {":now": to_text(now), ":since": to_text(since)}
    if not all(_STAMP.match(value) for value in stamps.values()):
        return None
    query = f"SELECT (SELECT version FROM crosspost_schema), ({HAS_WORK_SQL})"
    for name, value in stamps.items():
        query = query.replace(name, f"'{value}'")
    separator = "&" if "?" in url else "?"
    conn = lib.PQconnectdb(
        f"{url}{separator}connect_timeout=10&application_name=crosspost-cron".encode()
    )
    try:
        if not conn or lib.PQstatus(conn) != _CONNECTION_OK:
            return None
        row = _one_row(lib, conn, query)
        if row is None or row[0] != str(latest).encode():
            return None  # not a ledger yet, or one to migrate: the full path does it
        if row[1] != b"f":
            return False
        mark = (
            "INSERT INTO marks (name, at) VALUES ('run', "
            f"'{stamps[':now']}') ON CONFLICT (name) DO UPDATE SET at = EXCLUDED.at"
        )
        return True if _command(lib, conn, mark) else None
    finally:
        if conn:
            lib.PQfinish(conn)


def _one_row(lib: Any, conn: int, query: str) -> tuple[bytes, bytes] | None:
    result = lib.PQexec(conn, query.encode())
    try:
        if lib.PQresultStatus(result) != _TUPLES_OK or lib.PQntuples(result) != 1:
            return None
        return (lib.PQgetvalue(result, 0, 0) or b"", lib.PQgetvalue(result, 0, 1) or b"")
    finally:
        lib.PQclear(result)


def _command(lib: Any, conn: int, statement: str) -> bool:
    result = lib.PQexec(conn, statement.encode())
    try:
        return bool(lib.PQresultStatus(result) == _COMMAND_OK)
    finally:
        lib.PQclear(result)


@lru_cache(maxsize=1)
def _libpq() -> Any:
    """libpq, its functions typed, or None where none is installed."""
    for candidate in _candidates():
        try:
            lib = ctypes.CDLL(str(candidate))
        except OSError:
            continue
        pointer, text, number = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int
        for name, restype, argtypes in (
            ("PQconnectdb", pointer, [text]),
            ("PQstatus", number, [pointer]),
            ("PQexec", pointer, [pointer, text]),
            ("PQresultStatus", number, [pointer]),
            ("PQntuples", number, [pointer]),
            ("PQgetvalue", text, [pointer, number, number]),
            ("PQclear", None, [pointer]),
            ("PQfinish", None, [pointer]),
        ):
            function = getattr(lib, name)
            function.restype, function.argtypes = restype, argtypes
        return lib
    return None


def _candidates() -> list[Path | str]:
    """The libpq psycopg's binary wheel ships (found without importing it), then the
    system's."""
    from importlib.util import find_spec

    found: list[Path | str] = []
    spec = find_spec("psycopg_binary")
    if spec is not None and spec.origin:
        libs = Path(spec.origin).parent.parent / "psycopg_binary.libs"
        found += sorted(libs.glob("libpq*.so*"))
    return [*found, "libpq.so.5", "libpq.dylib"]
