"""The delivery ledger: the one place crosspost records what was sent where.

A double post or a lost post is public, so every write here is built for three
accidents: the process dying at any line, two processes sharing the file, and
a request that timed out after the network had already received it.

* Each change is one short `BEGIN IMMEDIATE` transaction that writes the row
  and its event together: a crash leaves either both or neither.
* A delivery is *claimed* (state `sending`, committed) before its request
  leaves.  Two processes cannot both claim it: the second one waits for the
  write lock and then sees `sending`.
* A claim whose process died, or whose lease ran out, becomes `unknown`, never
  `pending`: the post may exist, so only the user can send it again
  (`reset_for_retry`).  Nothing in this module ever turns an uncertain
  delivery back into a sendable one on its own.

Times are UTC.  The Python API takes and returns timezone-aware `datetime`s;
the file stores them as fixed-width ISO-8601 strings ending in `Z`
(`2024-05-01T09:30:00.000000Z`), so string order is time order and indexes on
them work.

A `Ledger` holds one SQLite connection and belongs to the thread that opened
it; another thread opens its own.  No secret ever reaches this module: callers
hand it texts, ids, URLs and error messages they have already cleaned.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any

from .errors import LedgerError, NotFound

LEDGER_FILENAME = "ledger.sqlite3"
BUSY_TIMEOUT_SECONDS = 30.0

STATES = (
    "pending",
    "sending",
    "sent",
    "failed",
    "unknown",
    "manual",
    "skipped",
    "relayed",
    "cancelled",
)
# `repost`: posted directly because the relay chain broke.
ROUTES = ("direct", "repost", "relayed")
# What `claim` may take a delivery from.  `unknown` is deliberately absent: a
# post that may exist goes back to `pending` only through `reset_for_retry`.
CLAIMABLE_STATES = frozenset({"pending", "failed"})
EVENT_KINDS = frozenset(
    {
        "created",
        "updated",
        "scheduled",
        "sending",
        "part",
        "sent",
        "failed",
        "unknown",
        "retried",
        "cancelled",
        "manual",
        "done",
        "skipped",
        "relayed",
        "moved",
        "forced",
        "recovered",
        "paused",
        "resumed",
    }
)

INTERRUPTED_ERROR = (
    "interrupted while sending: the post may or may not exist; check the network and run "
    "`crosspost publish --retry-unknown` or `crosspost done`"
)

_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"

# Numbered migrations: MIGRATIONS[n - 1] takes the file from user_version n - 1
# to n.  Never edit one that has shipped; append a new one.  Each is a tuple of
# single statements, run inside one `BEGIN IMMEDIATE` transaction together
# with the user_version bump (`executescript` would commit halfway).
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """
        CREATE TABLE deliveries (
            id            INTEGER PRIMARY KEY,
            post_key      TEXT NOT NULL,
            post_path     TEXT,
            post_title    TEXT,
            content_hash  TEXT,
            channel       TEXT NOT NULL,
            network       TEXT NOT NULL,
            state         TEXT NOT NULL DEFAULT 'pending' CHECK (state IN (
                              'pending', 'sending', 'sent', 'failed', 'unknown',
                              'manual', 'skipped', 'relayed', 'cancelled')),
            route         TEXT NOT NULL DEFAULT 'direct'
                              CHECK (route IN ('direct', 'repost', 'relayed')),
            text          TEXT NOT NULL,
            parts         TEXT NOT NULL DEFAULT '[]',
            link          TEXT,
            payload       TEXT NOT NULL DEFAULT '{}',
            due_at        TEXT,
            attempts      INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
            lease_until   TEXT,
            claimed_by    TEXT,
            sent_parts    TEXT NOT NULL DEFAULT '[]',
            remote_id     TEXT,
            remote_url    TEXT,
            error         TEXT,
            error_kind    TEXT,
            retry_at      TEXT,
            created_at    TEXT NOT NULL,
            updated_at    TEXT NOT NULL,
            sent_at       TEXT,
            UNIQUE (post_key, channel)
        )
        """,
        # due() and recover_stale() search by state; due() reads in due_at order.
        "CREATE INDEX deliveries_due ON deliveries (state, due_at)",
        "CREATE INDEX deliveries_channel ON deliveries (channel)",
        """
        CREATE TABLE events (
            id           INTEGER PRIMARY KEY,
            delivery_id  INTEGER REFERENCES deliveries (id),
            channel      TEXT,
            at           TEXT NOT NULL,
            kind         TEXT NOT NULL,
            detail       TEXT NOT NULL DEFAULT '{}'
        )
        """,
        "CREATE INDEX events_at ON events (at)",
        "CREATE INDEX events_delivery ON events (delivery_id)",
        """
        CREATE TABLE short_links (
            long_url    TEXT PRIMARY KEY,
            short_url   TEXT NOT NULL,
            bitlink_id  TEXT,
            created_at  TEXT NOT NULL
        )
        """,
        """
        CREATE TABLE channel_state (
            channel     TEXT PRIMARY KEY,
            paused      INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
            reason      TEXT,
            updated_at  TEXT NOT NULL
        )
        """,
    ),
    # 2: feed intake (what each blog feed last answered, and every entry
    # already offered) and the community manager's notes for the report.
    # `action` has no CHECK: SQLite cannot alter one, and FEED_ENTRY_ACTIONS
    # guards the values in Python.
    (
        """
        CREATE TABLE feed_state (
            feed         TEXT PRIMARY KEY,
            url          TEXT NOT NULL,
            etag         TEXT,
            modified     TEXT,
            status       TEXT NOT NULL,
            error        TEXT,
            last_pull    TEXT NOT NULL,
            last_ok      TEXT,
            updated_at   TEXT NOT NULL
        )
        """,
        """
        CREATE TABLE feed_entries (
            id           INTEGER PRIMARY KEY,
            feed         TEXT NOT NULL,
            entry_key    TEXT NOT NULL,
            post_key     TEXT,
            title        TEXT,
            action       TEXT NOT NULL,
            first_seen   TEXT NOT NULL,
            updated_at   TEXT NOT NULL,
            UNIQUE (feed, entry_key)
        )
        """,
        # An article is one post whichever feed (or post file) offers it.
        "CREATE INDEX feed_entries_post ON feed_entries (post_key)",
        """
        CREATE TABLE notes (
            id           INTEGER PRIMARY KEY,
            at           TEXT NOT NULL,
            channel      TEXT,
            text         TEXT NOT NULL,
            created_at   TEXT NOT NULL
        )
        """,
        "CREATE INDEX notes_at ON notes (at)",
    ),
    # 3: the queue's pacing looks up one channel's posts around a time: when
    # the sent ones went out and when the queued ones are due.
    (
        "CREATE INDEX deliveries_channel_due ON deliveries (channel, state, due_at)",
        "CREATE INDEX deliveries_channel_sent ON deliveries (channel, sent_at)",
    ),
)

# The query behind `due()`.  Module-level so a test can check its plan: it must
# be answered through `deliveries_due` with no sort step, whatever the size.
_DUE_SQL = (
    "SELECT * FROM deliveries"
    " WHERE state = 'pending' AND (due_at IS NULL OR due_at <= :now)"
    " ORDER BY due_at, id LIMIT :limit"
)

_COLUMNS = frozenset(
    {
        "post_key",
        "post_path",
        "post_title",
        "content_hash",
        "channel",
        "network",
        "state",
        "route",
        "text",
        "parts",
        "link",
        "payload",
        "due_at",
        "attempts",
        "lease_until",
        "claimed_by",
        "sent_parts",
        "remote_id",
        "remote_url",
        "error",
        "error_kind",
        "retry_at",
        "sent_at",
    }
)


@dataclass(frozen=True, slots=True)
class Delivery:
    """One post on one channel, and how far it has got."""

    id: int
    post_key: str
    post_path: str | None
    post_title: str | None
    content_hash: str | None
    channel: str
    network: str
    state: str
    route: str
    text: str
    parts: tuple[str, ...]
    link: str | None
    # What else the adapter needs to rebuild the post without its file (a
    # queued feed entry has none): title, description, image, image_alt.
    payload: Mapping[str, Any]
    due_at: datetime | None
    attempts: int
    lease_until: datetime | None
    claimed_by: str | None
    sent_parts: tuple[str, ...]
    remote_id: str | None
    remote_url: str | None
    error: str | None
    error_kind: str | None
    retry_at: datetime | None
    created_at: datetime
    updated_at: datetime
    sent_at: datetime | None


@dataclass(frozen=True, slots=True)
class Event:
    """One line of a delivery's (or a channel's) history."""

    id: int
    delivery_id: int | None
    channel: str | None
    at: datetime
    kind: str
    detail: Mapping[str, Any]


# What became of a feed entry: `populated` (seen, deliberately not posted),
# `review` (listed for a human), `published`, `scheduled`, `known` (its URL was
# already in the ledger, from a post file or another feed), `skipped` (unusable,
# e.g. no link).  Only `published`, `scheduled` and `known` count as taken.
FEED_ENTRY_ACTIONS = ("populated", "review", "published", "scheduled", "known", "skipped")
FEED_PULL_STATUSES = ("ok", "not-modified", "error")


@dataclass(frozen=True, slots=True)
class FeedState:
    """What a feed answered last time, for conditional GET and `feed list`."""

    feed: str
    url: str
    etag: str | None
    modified: str | None  # the Last-Modified header, verbatim
    status: str  # one of FEED_PULL_STATUSES
    error: str | None
    last_pull: datetime
    last_ok: datetime | None


@dataclass(frozen=True, slots=True)
class EntryMark:
    """One feed entry to remember, as `record_pull` takes it."""

    entry_key: str
    post_key: str | None
    title: str | None
    action: str


@dataclass(frozen=True, slots=True)
class SeenEntry:
    """A feed entry the ledger remembers."""

    feed: str
    entry_key: str
    post_key: str | None
    title: str | None
    action: str
    first_seen: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Note:
    """Something the community manager did outside crosspost, for the report."""

    id: int
    at: datetime
    channel: str | None
    text: str
    created_at: datetime


def default_ledger_path(home: Path) -> Path:
    """Where the ledger lives inside the crosspost home directory."""
    return home / LEDGER_FILENAME


class Ledger:
    """The delivery ledger, one SQLite file.  Open with `Ledger.open(path)`."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self._conn = connection
        self.path = path

    # -- opening ---------------------------------------------------------------

    @classmethod
    def open(cls, path: Path) -> Ledger:
        """Open (creating if needed) the ledger at `path` and apply pending migrations."""
        path = Path(path)
        _create_private_file(path)
        try:
            connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
        except sqlite3.Error as exc:
            raise LedgerError(
                f"cannot open the ledger {path}: {exc}; check that the file and its "
                "directory are readable and writable"
            ) from exc
        connection.row_factory = sqlite3.Row
        ledger = cls(connection, path)
        try:
            ledger._configure()
            ledger._migrate()
        except BaseException:
            connection.close()
            raise
        return ledger

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @staticmethod
    def owner_id() -> str:
        """This process, as the `owner` to pass to `claim` (see the module function)."""
        return owner_id()

    def _configure(self) -> None:
        try:
            self._conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
            # FULL, not WAL's usual NORMAL: a committed claim lost to a power cut
            # would let the next run send the same post again.
            self._conn.execute("PRAGMA synchronous = FULL")
            self._conn.execute("PRAGMA foreign_keys = ON")
            mode = self._enable_wal()
        except sqlite3.OperationalError as exc:
            raise LedgerError(self._explain(exc)) from exc
        except sqlite3.DatabaseError as exc:
            raise LedgerError(
                f"cannot open the ledger {self.path}: {exc}; if the file is not a crosspost "
                "ledger, move it away and run the command again"
            ) from exc
        if str(mode).lower() != "wal":
            raise LedgerError(
                f"the ledger {self.path} cannot use write-ahead logging (journal mode "
                f"{mode!r}); keep the crosspost home on a local disk (--home or CROSSPOST_HOME)"
            )

    def _enable_wal(self) -> str:
        # Switching a new file to WAL needs an exclusive lock, and SQLite answers
        # "locked" at once, without its busy handler, while another process
        # opens the same new file: wait here as the busy timeout would.
        deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
        while True:
            try:
                return str(self._conn.execute("PRAGMA journal_mode = WAL").fetchone()[0])
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
            time.sleep(0.01)

    def _user_version(self) -> int:
        return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    def _check_not_newer(self, version: int) -> None:
        if version > len(MIGRATIONS):
            raise LedgerError(
                f"the ledger {self.path} was written by a newer crosspost (schema version "
                f"{version}, this one knows up to {len(MIGRATIONS)}): upgrade crosspost"
            )

    def _migrate(self) -> None:
        try:
            version = self._user_version()
        except sqlite3.DatabaseError as exc:
            raise LedgerError(f"cannot read the ledger {self.path}: {exc}") from exc
        self._check_not_newer(version)
        for number, statements in enumerate(MIGRATIONS, start=1):
            if number <= version:
                continue
            with self._write():
                # Another process may have migrated while we waited for the lock.
                current = self._user_version()
                self._check_not_newer(current)
                if current >= number:
                    continue
                for statement in statements:
                    self._conn.execute(statement)
                self._conn.execute(f"PRAGMA user_version = {number}")

    # -- transactions ------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One `BEGIN IMMEDIATE` transaction: the write lock is taken before any read."""
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise LedgerError(self._explain(exc)) from exc
        try:
            yield self._conn
            self._conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback()
            raise LedgerError(self._explain(exc)) from exc
        except BaseException:
            self._rollback()
            raise

    def _rollback(self) -> None:
        # If even ROLLBACK fails the connection is unusable, and SQLite undoes
        # the open transaction when it closes.
        if self._conn.in_transaction:
            with suppress(sqlite3.Error):
                self._conn.execute("ROLLBACK")

    def _explain(self, exc: sqlite3.Error) -> str:
        message = f"ledger {self.path}: {exc}"
        if "locked" in str(exc) or "busy" in str(exc):
            message += (
                f" (another crosspost process held it for over {BUSY_TIMEOUT_SECONDS:.0f} s;"
                " wait for it to finish and run the command again)"
            )
        return message

    def _query(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[sqlite3.Row]:
        try:
            return self._conn.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise LedgerError(self._explain(exc)) from exc

    def _row(self, delivery_id: int) -> sqlite3.Row:
        row = self._conn.execute("SELECT * FROM deliveries WHERE id = ?", (delivery_id,)).fetchone()
        if row is None:
            raise NotFound(
                f"no delivery with id {delivery_id}; `crosspost status` lists the known ones"
            )
        return row

    def _row_in(self, delivery_id: int, allowed: Sequence[str], action: str) -> sqlite3.Row:
        row = self._row(delivery_id)
        if row["state"] not in allowed:
            raise LedgerError(
                f"cannot {action} delivery {delivery_id} ({row['channel']}, {row['post_key']}): "
                f"it is {row['state']}, and only a delivery that is {_or_list(allowed)} can be"
            )
        return row

    def _set(self, delivery_id: int, moment: datetime, **changes: Any) -> None:
        unknown = set(changes) - _COLUMNS
        if unknown:
            raise AssertionError(f"not ledger columns: {sorted(unknown)}")
        names = [*changes, "updated_at"]
        values = [_to_db(value) for value in changes.values()]
        values.append(_to_text(moment))
        assignments = ", ".join(f"{name} = ?" for name in names)
        self._conn.execute(
            f"UPDATE deliveries SET {assignments} WHERE id = ?", (*values, delivery_id)
        )

    def _event(
        self,
        *,
        delivery_id: int | None,
        channel: str | None,
        moment: datetime,
        kind: str,
        detail: Mapping[str, Any] | None = None,
    ) -> None:
        if kind not in EVENT_KINDS:
            raise AssertionError(f"unknown event kind {kind!r}")
        self._conn.execute(
            "INSERT INTO events (delivery_id, channel, at, kind, detail) VALUES (?, ?, ?, ?, ?)",
            (delivery_id, channel, _to_text(moment), kind, _json(detail or {})),
        )

    def _change(
        self,
        delivery_id: int,
        *,
        action: str,
        allowed: Sequence[str],
        kind: str,
        detail: Mapping[str, Any] | None = None,
        moment: datetime | None = None,
        **changes: Any,
    ) -> Delivery:
        """Move one delivery between states and write its event, in one transaction."""
        moment = moment or _utcnow()
        with self._write():
            row = self._row_in(delivery_id, allowed, action)
            self._set(delivery_id, moment, lease_until=None, **changes)
            self._event(
                delivery_id=delivery_id,
                channel=row["channel"],
                moment=moment,
                kind=kind,
                detail={"from": row["state"], **(detail or {})},
            )
            return _delivery(self._row(delivery_id))

    # -- creating and reading ----------------------------------------------------------

    def ensure_delivery(
        self,
        *,
        post_key: str,
        post_path: str | None,
        post_title: str | None,
        content_hash: str | None,
        channel: str,
        network: str,
        text: str,
        parts: Sequence[str],
        link: str | None,
        route: str = "direct",
        due_at: datetime | None = None,
        payload: Mapping[str, Any] | None = None,
    ) -> Delivery:
        """The delivery of `post_key` to `channel`: created `pending` if absent, else as it is."""
        parts = _check_parts(text, parts)
        _check_route(route)
        moment = _utcnow()
        with self._write():
            row = self._conn.execute(
                "SELECT * FROM deliveries WHERE post_key = ? AND channel = ?",
                (post_key, channel),
            ).fetchone()
            if row is not None:
                return _delivery(row)
            stamp = _to_text(moment)
            cursor = self._conn.execute(
                "INSERT INTO deliveries (post_key, post_path, post_title, content_hash,"
                " channel, network, state, route, text, parts, link, payload, due_at,"
                " created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    post_key,
                    post_path,
                    post_title,
                    content_hash,
                    channel,
                    network,
                    route,
                    text,
                    _json(list(parts)),
                    link,
                    _json(dict(payload or {})),
                    _to_db(due_at),
                    stamp,
                    stamp,
                ),
            )
            delivery_id = int(cursor.lastrowid or 0)
            self._event(
                delivery_id=delivery_id,
                channel=channel,
                moment=moment,
                kind="created",
                detail={
                    "post_key": post_key,
                    "network": network,
                    "route": route,
                    "content_hash": content_hash,
                    "due_at": _to_db(due_at),
                },
            )
            return _delivery(self._row(delivery_id))

    def update_content(
        self,
        delivery_id: int,
        *,
        text: str,
        parts: Sequence[str],
        link: str | None,
        content_hash: str | None,
        route: str,
        payload: Mapping[str, Any] | None = None,
    ) -> Delivery:
        """Rewrite what a pending or failed delivery will send (the post was edited)."""
        parts = _check_parts(text, parts)
        _check_route(route)
        moment = _utcnow()
        with self._write():
            row = self._row_in(delivery_id, ("pending", "failed"), "update the content of")
            if _decode_parts(row["sent_parts"]):
                raise LedgerError(
                    f"cannot update the content of delivery {delivery_id} ({row['channel']}): "
                    "part of its thread is already published; finish it with "
                    "`crosspost publish` or cancel it first"
                )
            payload_text = row["payload"] if payload is None else _json(dict(payload))
            new = (text, _json(list(parts)), link, content_hash, route, payload_text)
            old = (
                row["text"],
                row["parts"],
                row["link"],
                row["content_hash"],
                row["route"],
                row["payload"],
            )
            if new == old:
                return _delivery(row)
            self._set(
                delivery_id,
                moment,
                text=text,
                parts=parts,
                link=link,
                content_hash=content_hash,
                route=route,
                payload=payload_text,
            )
            self._event(
                delivery_id=delivery_id,
                channel=row["channel"],
                moment=moment,
                kind="updated",
                detail={
                    "content_hash_before": row["content_hash"],
                    "content_hash": content_hash,
                    "route_before": row["route"],
                    "route": route,
                },
            )
            return _delivery(self._row(delivery_id))

    def schedule(
        self, delivery_id: int, *, due_at: datetime | None, reason: str | None = None
    ) -> Delivery:
        """Set when a pending delivery becomes due (None: now).

        With a `reason` (pacing, a rate limit, the user's `queue move`) the event
        is `moved` and keeps the reason, so the queue can say why.
        """
        detail: dict[str, Any] = {"due_at": _to_db(due_at)}
        if reason:
            detail["reason"] = reason
        return self._change(
            delivery_id,
            action="schedule",
            allowed=("pending",),
            kind="moved" if reason else "scheduled",
            detail=detail,
            due_at=due_at,
        )

    def get(self, delivery_id: int) -> Delivery:
        """The delivery with this id; `NotFound` if there is none."""
        rows = self._query("SELECT * FROM deliveries WHERE id = ?", (delivery_id,))
        if not rows:
            raise NotFound(
                f"no delivery with id {delivery_id}; `crosspost status` lists the known ones"
            )
        return _delivery(rows[0])

    def find(self, *, post_key: str, channel: str) -> Delivery | None:
        """The delivery of `post_key` to `channel`, if one exists."""
        rows = self._query(
            "SELECT * FROM deliveries WHERE post_key = ? AND channel = ?", (post_key, channel)
        )
        return _delivery(rows[0]) if rows else None

    def deliveries(
        self,
        *,
        post_key: str | None = None,
        channel: str | None = None,
        states: Sequence[str] | None = None,
    ) -> list[Delivery]:
        """Deliveries matching every filter given, by id."""
        where = _where(
            {"post_key": post_key, "channel": channel},
            {"state": None if states is None else _check_values(states, STATES, "delivery states")},
        )
        if where is None:
            return []
        rows = self._query(f"SELECT * FROM deliveries{where[0]} ORDER BY id", where[1])
        return [_delivery(row) for row in rows]

    def upcoming(self, *, states: Sequence[str] | None = None, limit: int = 100) -> list[Delivery]:
        """Deliveries in `states` (all when None), soonest due first, at most `limit`:
        the head of the queue, without reading a year of it."""
        where = _where({}, {"state": None if states is None else _check_states(states)})
        if where is None:
            return []
        rows = self._query(
            f"SELECT * FROM deliveries{where[0]} ORDER BY COALESCE(due_at, created_at), id LIMIT ?",
            [*where[1], limit],
        )
        return [_delivery(row) for row in rows]

    def has_work(self, *, now: datetime) -> bool:
        """Whether `crosspost run` has anything to do: something due, a paused
        channel to name, or a `sending` row (maybe a dead run's) to recover."""
        return bool(
            self.due(now=now, limit=1)
            or self.paused_channels()
            or self._query("SELECT 1 FROM deliveries WHERE state = 'sending' LIMIT 1")
        )

    def channel_times(
        self, channel: str, *, since: datetime, until: datetime, pending: bool = True
    ) -> list[datetime]:
        """When `channel` posted (sent) or, with `pending`, will post, in [since, until).

        What pacing needs (gaps, daily caps, taken slots), answered through the
        channel indexes however large the ledger.
        """
        sql = (
            "SELECT sent_at AS at FROM deliveries"
            " WHERE channel = :c AND sent_at >= :since AND sent_at < :until"
        )
        if pending:
            sql += (
                " UNION ALL SELECT due_at AS at FROM deliveries WHERE channel = :c"
                " AND state = 'pending' AND due_at >= :since AND due_at < :until"
            )
        rows = self._query(sql, {"c": channel, "since": _to_text(since), "until": _to_text(until)})
        return sorted(_from_text(row["at"]) for row in rows)

    def due(self, *, now: datetime | None = None, limit: int = 100) -> list[Delivery]:
        """Pending deliveries whose time has come: undated ones first, then by due_at."""
        moment = _now(now)
        rows = self._query(_DUE_SQL, {"now": _to_text(moment), "limit": int(limit)})
        return [_delivery(row) for row in rows]

    def events(
        self,
        *,
        delivery_id: int | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[Event]:
        """Events in the order they were written; `since` inclusive, `until` exclusive."""
        clauses: list[str] = []
        params: list[Any] = []
        if delivery_id is not None:
            clauses.append("delivery_id = ?")
            params.append(delivery_id)
        if since is not None:
            clauses.append("at >= ?")
            params.append(_to_text(since))
        if until is not None:
            clauses.append("at < ?")
            params.append(_to_text(until))
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self._query(f"SELECT * FROM events{where} ORDER BY id", params)
        return [
            Event(
                id=row["id"],
                delivery_id=row["delivery_id"],
                channel=row["channel"],
                at=_from_text(row["at"]),
                kind=row["kind"],
                detail=json.loads(row["detail"]),
            )
            for row in rows
        ]

    # -- sending -----------------------------------------------------------------

    def claim(
        self,
        delivery_id: int,
        *,
        owner: str,
        lease_seconds: float,
        now: datetime | None = None,
        states: Sequence[str] = ("pending", "failed"),
    ) -> Delivery | None:
        """Take a delivery for sending, committed before the request leaves.

        Returns the row, now `sending`, or None when its state is not in
        `states` (another process holds it, or it is done).  A `sending` row is
        never taken over, however old its lease: `recover_stale` makes it
        `unknown` instead.
        """
        states = _check_states(states)
        not_claimable = set(states) - CLAIMABLE_STATES
        if not_claimable:
            raise ValueError(
                f"cannot claim from {sorted(not_claimable)}: only from "
                f"{sorted(CLAIMABLE_STATES)} (use reset_for_retry for the others)"
            )
        if not lease_seconds > 0:
            raise ValueError(f"lease_seconds must be positive, not {lease_seconds!r}")
        moment = _now(now)
        with self._write():
            row = self._row(delivery_id)
            if row["state"] not in states:
                return None
            attempt = int(row["attempts"]) + 1
            lease_until = moment + timedelta(seconds=lease_seconds)
            self._set(
                delivery_id,
                moment,
                state="sending",
                lease_until=lease_until,
                claimed_by=owner,
                attempts=attempt,
                error=None,
                error_kind=None,
                retry_at=None,
            )
            self._event(
                delivery_id=delivery_id,
                channel=row["channel"],
                moment=moment,
                kind="sending",
                detail={
                    "from": row["state"],
                    "attempt": attempt,
                    "owner": owner,
                    "lease_until": _to_text(lease_until),
                    "resume_after_parts": len(_decode_parts(row["sent_parts"])),
                },
            )
            return _delivery(self._row(delivery_id))

    def record_part(self, delivery_id: int, *, index: int, remote_id: str) -> Delivery:
        """Record that thread part `index` (0-based) is published, before the next one leaves.

        Recording the same part with the same id again is a no-op, so a caller
        that repeats itself after a crash does no harm.
        """
        moment = _utcnow()
        with self._write():
            # `unknown` too: a claimer whose lease ran out may still be going,
            # and its progress is exactly what a later resume needs.
            row = self._row_in(delivery_id, ("sending", "unknown"), "record a thread part of")
            sent = _decode_parts(row["sent_parts"])
            total = len(_decode_parts(row["parts"]))
            if index < len(sent) and sent[index] == remote_id:
                return _delivery(row)
            if index != len(sent) or index >= total:
                raise LedgerError(
                    f"delivery {delivery_id} ({row['channel']}): thread part {index} cannot be "
                    f"recorded; {len(sent)} of {total} parts are recorded, so the next is "
                    f"part {len(sent)}"
                )
            self._set(delivery_id, moment, sent_parts=(*sent, remote_id))
            self._event(
                delivery_id=delivery_id,
                channel=row["channel"],
                moment=moment,
                kind="part",
                detail={"index": index, "remote_id": remote_id},
            )
            return _delivery(self._row(delivery_id))

    def mark_sent(
        self,
        delivery_id: int,
        *,
        remote_id: str,
        remote_url: str | None,
        part_ids: Sequence[str] = (),
    ) -> Delivery:
        """The network took the post: record where it lives.

        Also accepted from `unknown`: a late answer settles the doubt.
        """
        moment = _utcnow()
        changes: dict[str, Any] = {}
        if part_ids:
            changes["sent_parts"] = tuple(part_ids)
        return self._change(
            delivery_id,
            action="mark as sent",
            allowed=("sending", "unknown"),
            kind="sent",
            detail={"remote_id": remote_id, "remote_url": remote_url, "parts": len(part_ids)},
            moment=moment,
            state="sent",
            remote_id=remote_id,
            remote_url=remote_url,
            sent_at=moment,
            error=None,
            error_kind=None,
            retry_at=None,
            **changes,
        )

    def mark_failed(
        self,
        delivery_id: int,
        *,
        kind: str,
        error: str,
        retry_at: datetime | None = None,
        requeue: bool = False,
    ) -> Delivery:
        """The network refused the post, and it certainly does not exist.

        With `requeue`, the delivery goes straight back to `pending`, due at
        `retry_at` (None: at once), in the same transaction as its `failed`
        event: a retry is never lost between two writes.
        """
        if kind == "unknown":
            # A failed row may be claimed again; an uncertain one must not be.
            raise ValueError("an uncertain outcome is recorded with mark_unknown, not mark_failed")
        changes: dict[str, Any] = {"error": error, "error_kind": kind, "retry_at": retry_at}
        if requeue:
            changes.update(state="pending", due_at=retry_at)
        else:
            changes["state"] = "failed"
        return self._change(
            delivery_id,
            action="mark as failed",
            allowed=("sending",),
            kind="failed",
            detail={
                "kind": kind,
                "error": error,
                "retry_at": _to_db(retry_at),
                "requeued": requeue,
            },
            **changes,
        )

    def mark_unknown(self, delivery_id: int, *, error: str) -> Delivery:
        """The request may have reached the network but no answer came back."""
        return self._change(
            delivery_id,
            action="mark as unknown",
            allowed=("sending",),
            kind="unknown",
            detail={"error": error},
            state="unknown",
            error=error,
            error_kind="unknown",
        )

    def mark_manual(self, delivery_id: int) -> Delivery:
        """Hand the delivery to a human (a by-hand network, or an API that cannot take it)."""
        return self._change(
            delivery_id,
            action="hand over for manual posting",
            allowed=("pending", "failed"),
            kind="manual",
            state="manual",
        )

    def mark_done(self, delivery_id: int, *, url: str | None = None) -> Delivery:
        """A human says the post is out (sent by hand, or found after an uncertain attempt)."""
        moment = _utcnow()
        changes: dict[str, Any] = {"remote_url": url} if url is not None else {}
        return self._change(
            delivery_id,
            action="mark as done",
            allowed=("manual", "unknown", "failed"),
            kind="done",
            detail={"url": url},
            moment=moment,
            state="sent",
            sent_at=moment,
            error=None,
            error_kind=None,
            retry_at=None,
            **changes,
        )

    def mark_skipped(self, delivery_id: int, *, reason: str) -> Delivery:
        """This delivery will not happen, for `reason` (kept in `error`)."""
        return self._change(
            delivery_id,
            action="skip",
            allowed=("pending", "failed", "unknown", "manual"),
            kind="skipped",
            detail={"reason": reason},
            state="skipped",
            error=reason,
            error_kind=None,
            retry_at=None,
        )

    def mark_relayed(self, delivery_id: int, *, via: str) -> Delivery:
        """The post reaches this channel through another one (`via`), not by its own request."""
        return self._change(
            delivery_id,
            action="mark as relayed",
            allowed=("pending", "failed", "unknown", "manual"),
            kind="relayed",
            detail={"via": via},
            state="relayed",
            route="relayed",
            error=None,
            error_kind=None,
            retry_at=None,
        )

    def cancel(self, delivery_id: int) -> Delivery:
        """Drop a delivery that has not gone out."""
        return self._change(
            delivery_id,
            action="cancel",
            allowed=("pending", "failed", "unknown", "manual"),
            kind="cancelled",
            state="cancelled",
            retry_at=None,
        )

    def reset_for_retry(self, delivery_id: int, *, reason: str, force: bool = False) -> Delivery:
        """Make a delivery `pending` again, on the user's say-so; history stays in events.

        From failed, unknown, skipped or cancelled: event `retried`, and thread
        parts already published are kept so the retry resumes after them.
        From sent or relayed only with `force=True` (`--force`): event `forced`,
        and the previous remote ids are cleared so the whole post goes again.
        """
        retryable = ("failed", "unknown", "skipped", "cancelled")
        forceable = ("sent", "relayed")
        moment = _utcnow()
        with self._write():
            row = self._row_in(
                delivery_id,
                retryable + forceable if force else retryable,
                "retry" if not force else "force a resend of",
            )
            common: dict[str, Any] = {
                "state": "pending",
                "lease_until": None,
                "error": None,
                "error_kind": None,
                "retry_at": None,
            }
            detail: dict[str, Any] = {
                "from": row["state"],
                "reason": reason,
                "error": row["error"],
            }
            if row["state"] in forceable:
                kind = "forced"
                detail.update(
                    remote_id=row["remote_id"],
                    remote_url=row["remote_url"],
                    sent_parts=list(_decode_parts(row["sent_parts"])),
                    sent_at=row["sent_at"],
                )
                common.update(sent_parts=(), remote_id=None, remote_url=None, sent_at=None)
                if row["route"] == "relayed":
                    common["route"] = "direct"
            else:
                kind = "retried"
            self._set(delivery_id, moment, **common)
            self._event(
                delivery_id=delivery_id,
                channel=row["channel"],
                moment=moment,
                kind=kind,
                detail=detail,
            )
            return _delivery(self._row(delivery_id))

    def recover_stale(self, *, now: datetime | None = None) -> list[Delivery]:
        """Turn every abandoned `sending` delivery into `unknown`, and return them.

        Abandoned: its lease has expired, or its claimer was a process on this
        host that no longer exists.  A live claimer's row is left alone.
        """
        moment = _now(now)
        stamp = _to_text(moment)
        recovered: list[Delivery] = []
        with self._write():
            rows = self._conn.execute(
                "SELECT * FROM deliveries WHERE state = 'sending' ORDER BY id"
            ).fetchall()
            for row in rows:
                if row["lease_until"] is None or row["lease_until"] <= stamp:
                    why = "lease expired"
                elif row["claimed_by"] is None or claimer_is_gone(row["claimed_by"]):
                    why = "claiming process is gone"
                else:
                    continue
                self._set(
                    row["id"],
                    moment,
                    state="unknown",
                    lease_until=None,
                    error=INTERRUPTED_ERROR,
                    error_kind="unknown",
                )
                self._event(
                    delivery_id=row["id"],
                    channel=row["channel"],
                    moment=moment,
                    kind="recovered",
                    detail={
                        "why": why,
                        "claimed_by": row["claimed_by"],
                        "lease_until": row["lease_until"],
                        "parts_published": len(_decode_parts(row["sent_parts"])),
                    },
                )
                recovered.append(_delivery(self._row(row["id"])))
        return recovered

    # -- short links and channels -----------------------------------------------------

    def get_short_link(self, long_url: str) -> tuple[str, str | None] | None:
        """The cached (short_url, bitlink_id) for `long_url`, if any."""
        rows = self._query(
            "SELECT short_url, bitlink_id FROM short_links WHERE long_url = ?", (long_url,)
        )
        return (rows[0]["short_url"], rows[0]["bitlink_id"]) if rows else None

    def save_short_link(
        self, long_url: str, *, short_url: str, bitlink_id: str | None
    ) -> tuple[str, str | None]:
        """Cache a short link; the first one saved wins, and is returned."""
        with self._write():
            self._conn.execute(
                "INSERT OR IGNORE INTO short_links (long_url, short_url, bitlink_id, created_at)"
                " VALUES (?, ?, ?, ?)",
                (long_url, short_url, bitlink_id, _to_text(_utcnow())),
            )
            row = self._conn.execute(
                "SELECT short_url, bitlink_id FROM short_links WHERE long_url = ?", (long_url,)
            ).fetchone()
            return (row["short_url"], row["bitlink_id"])

    def set_paused(self, channel: str, *, paused: bool, reason: str | None = None) -> None:
        """Pause (e.g. after an auth failure) or resume a channel; events record each change."""
        moment = _utcnow()
        with self._write():
            row = self._conn.execute(
                "SELECT paused, reason FROM channel_state WHERE channel = ?", (channel,)
            ).fetchone()
            before = (bool(row["paused"]), row["reason"]) if row is not None else (False, None)
            if before == (paused, reason):
                return
            self._conn.execute(
                "INSERT INTO channel_state (channel, paused, reason, updated_at)"
                " VALUES (?, ?, ?, ?)"
                " ON CONFLICT (channel) DO UPDATE SET"
                " paused = excluded.paused, reason = excluded.reason,"
                " updated_at = excluded.updated_at",
                (channel, int(paused), reason, _to_text(moment)),
            )
            self._event(
                delivery_id=None,
                channel=channel,
                moment=moment,
                kind="paused" if paused else "resumed",
                detail={"reason": reason},
            )

    def paused_channels(self) -> dict[str, str]:
        """Paused channels and why ("" when no reason was given)."""
        rows = self._query(
            "SELECT channel, reason FROM channel_state WHERE paused = 1 ORDER BY channel"
        )
        return {row["channel"]: row["reason"] or "" for row in rows}

    def bitlink_ids(self) -> dict[str, str]:
        """Every cached short link and its bit.ly id (`https://bit.ly/x` -> `bit.ly/x`)."""
        rows = self._query(
            "SELECT short_url, bitlink_id FROM short_links WHERE bitlink_id IS NOT NULL"
        )
        return {row["short_url"]: row["bitlink_id"] for row in rows}

    # -- feeds and notes --------------------------------------------------------------

    def feed_states(self) -> dict[str, FeedState]:
        """The last pull of every feed ever pulled, by feed name."""
        rows = self._query("SELECT * FROM feed_state ORDER BY feed")
        return {row["feed"]: _feed_state(row) for row in rows}

    def seen_entries(
        self,
        *,
        feed: str | None = None,
        post_key: str | None = None,
        actions: Sequence[str] | None = None,
    ) -> list[SeenEntry]:
        """Remembered feed entries matching every filter given, oldest first."""
        where = _where(
            {"feed": feed, "post_key": post_key},
            {
                "action": None
                if actions is None
                else _check_values(actions, FEED_ENTRY_ACTIONS, "feed entry actions")
            },
        )
        if where is None:
            return []
        rows = self._query(f"SELECT * FROM feed_entries{where[0]} ORDER BY id", where[1])
        return [_seen_entry(row) for row in rows]

    def record_pull(
        self,
        feed: str,
        *,
        url: str,
        status: str,
        etag: str | None = None,
        modified: str | None = None,
        error: str | None = None,
        entries: Sequence[EntryMark] = (),
        now: datetime | None = None,
    ) -> FeedState:
        """Record one pull of `feed`: its answer and the entries it offered, together.

        One transaction, so the validators (ETag, Last-Modified) of an answer
        are never stored without its entries: a later conditional GET must not
        hide entries that were never recorded.  A failed or 304 pull keeps the
        previous validators unless new ones are given.  An entry already
        remembered keeps its first_seen and takes the new action and title.
        """
        if status not in FEED_PULL_STATUSES:
            raise ValueError(f"status must be one of {', '.join(FEED_PULL_STATUSES)}")
        _check_values([e.action for e in entries], FEED_ENTRY_ACTIONS, "feed entry actions")
        moment = _now(now)
        stamp = _to_text(moment)
        with self._write():
            row = self._conn.execute("SELECT * FROM feed_state WHERE feed = ?", (feed,)).fetchone()
            same_url = row is not None and row["url"] == url
            if status == "ok":
                keep_etag, keep_modified = etag, modified
            elif same_url:
                keep_etag = etag or row["etag"]
                keep_modified = modified or row["modified"]
            else:  # validators belong to the URL that issued them
                keep_etag, keep_modified = etag, modified
            last_ok = stamp if status != "error" else (row["last_ok"] if row else None)
            self._conn.execute(
                "INSERT INTO feed_state (feed, url, etag, modified, status, error, last_pull,"
                " last_ok, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (feed) DO UPDATE SET url = excluded.url, etag = excluded.etag,"
                " modified = excluded.modified, status = excluded.status,"
                " error = excluded.error, last_pull = excluded.last_pull,"
                " last_ok = excluded.last_ok, updated_at = excluded.updated_at",
                (feed, url, keep_etag, keep_modified, status, error, stamp, last_ok, stamp),
            )
            for entry in entries:
                self._conn.execute(
                    "INSERT INTO feed_entries (feed, entry_key, post_key, title, action,"
                    " first_seen, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (feed, entry_key) DO UPDATE SET"
                    " post_key = COALESCE(excluded.post_key, post_key),"
                    " title = COALESCE(excluded.title, title),"
                    " action = excluded.action, updated_at = excluded.updated_at",
                    (
                        feed,
                        entry.entry_key,
                        entry.post_key,
                        entry.title,
                        entry.action,
                        stamp,
                        stamp,
                    ),
                )
            state = self._conn.execute(
                "SELECT * FROM feed_state WHERE feed = ?", (feed,)
            ).fetchone()
            return _feed_state(state)

    def add_note(
        self, *, text: str, channel: str | None = None, at: datetime | None = None
    ) -> Note:
        """Record a manual action (`at` defaults to now)."""
        if not text.strip():
            raise ValueError("a note needs some text")
        moment = _utcnow()
        when = _now(at)
        with self._write():
            cursor = self._conn.execute(
                "INSERT INTO notes (at, channel, text, created_at) VALUES (?, ?, ?, ?)",
                (_to_text(when), channel, text.strip(), _to_text(moment)),
            )
            row = self._conn.execute(
                "SELECT * FROM notes WHERE id = ?", (int(cursor.lastrowid or 0),)
            ).fetchone()
            return _note(row)

    def notes(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        channel: str | None = None,
    ) -> list[Note]:
        """Notes in time order; `since` inclusive, `until` exclusive."""
        clause, params = _where({"channel": channel}, {}) or ("", [])
        bounds = [("at >= ?", since), ("at < ?", until)]
        for condition, moment in bounds:
            if moment is not None:
                clause += (" AND " if clause else " WHERE ") + condition
                params.append(_to_text(moment))
        rows = self._query(f"SELECT * FROM notes{clause} ORDER BY at, id", params)
        return [_note(row) for row in rows]


def _feed_state(row: sqlite3.Row) -> FeedState:
    return FeedState(
        feed=row["feed"],
        url=row["url"],
        etag=row["etag"],
        modified=row["modified"],
        status=row["status"],
        error=row["error"],
        last_pull=_from_text(row["last_pull"]),
        last_ok=_maybe_time(row["last_ok"]),
    )


def _seen_entry(row: sqlite3.Row) -> SeenEntry:
    return SeenEntry(
        feed=row["feed"],
        entry_key=row["entry_key"],
        post_key=row["post_key"],
        title=row["title"],
        action=row["action"],
        first_seen=_from_text(row["first_seen"]),
        updated_at=_from_text(row["updated_at"]),
    )


def _note(row: sqlite3.Row) -> Note:
    return Note(
        id=row["id"],
        at=_from_text(row["at"]),
        channel=row["channel"],
        text=row["text"],
        created_at=_from_text(row["created_at"]),
    )


# -- who holds a claim --------------------------------------------------------------

_OWNER_CACHE: dict[int, str] = {}


def owner_id() -> str:
    """This process, as `host:pid:token`, so a later run can tell whether it still lives.

    On Linux the token is the boot id and the process start time, which
    `claimer_is_gone` checks against /proc to survive pid reuse; elsewhere it
    is random and only the lease can retire a claim.
    """
    pid = os.getpid()
    owner = _OWNER_CACHE.get(pid)
    if owner is None:  # computed per pid: a forked child is another claimer
        start = _process_start(pid)
        token = f"{_boot_id() or '-'}@{start}" if start is not None else f"rnd-{uuid.uuid4().hex}"
        owner = f"{_hostname()}:{pid}:{token}"
        _OWNER_CACHE.clear()
        _OWNER_CACHE[pid] = owner
    return owner


def claimer_is_gone(owner: str) -> bool:
    """True only when `owner` was a process on this host that certainly no longer runs.

    Anything we cannot check (another host, a foreign format, Windows) is
    assumed alive: its lease decides.  A wrong "gone" is safe, since the row
    becomes `unknown` and is never sent again without the user.
    """
    host, _, rest = owner.partition(":")
    pid_text, _, token = rest.partition(":")
    if host != _hostname() or not pid_text.isdigit() or int(pid_text) <= 0:
        return False
    if os.name != "posix":
        return False  # os.kill(pid, 0) would terminate the process on Windows
    pid = int(pid_text)
    if "@" in token and not token.startswith("rnd-"):
        boot, _, start = token.partition("@")
        current_boot = _boot_id()
        if boot != "-" and current_boot is not None and boot != current_boot:
            return True  # claimed before the last reboot
    else:
        start = None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass  # exists, owned by another user
    except OSError:
        return False
    stat = _proc_stat(pid)
    if stat is None:
        # The pid answered a moment ago; a missing /proc entry means it just
        # exited, unless this system has no /proc at all.
        return start is not None and Path("/proc/self/stat").exists()
    state, start_now = stat
    if state in ("Z", "X", "x"):
        return True  # killed, waiting to be reaped
    return start is not None and start_now != start


def _hostname() -> str:
    return socket.gethostname().replace(":", "_") or "localhost"


def _boot_id() -> str | None:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip() or None
    except OSError:
        return None


def _proc_stat(pid: int) -> tuple[str, str] | None:
    """(state, start time in clock ticks since boot) from /proc/<pid>/stat."""
    try:
        data = Path(f"/proc/{pid}/stat").read_bytes().decode("ascii", "replace")
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: split after the last ")".
    fields = data[data.rfind(")") + 1 :].split()
    if len(fields) < 20:
        return None
    return fields[0], fields[19]


def _process_start(pid: int) -> str | None:
    stat = _proc_stat(pid)
    return stat[1] if stat is not None else None


# -- files, times and values ---------------------------------------------------------


def _create_private_file(path: Path) -> None:
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
        raise LedgerError(
            f"cannot create the ledger {path}: {exc.strerror or exc}; choose a writable "
            "home with --home or CROSSPOST_HOME"
        ) from exc
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _now(now: datetime | None) -> datetime:
    if now is None:
        return _utcnow()
    _check_aware(now)
    return now.astimezone(UTC)


def _check_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"the ledger takes timezone-aware datetimes, not {moment!r}")


def _to_text(moment: datetime) -> str:
    _check_aware(moment)
    return moment.astimezone(UTC).strftime(_TIME_FORMAT)


def _from_text(text: str) -> datetime:
    return datetime.strptime(text, _TIME_FORMAT).replace(tzinfo=UTC)


def _to_db(value: Any) -> Any:
    if isinstance(value, datetime):
        return _to_text(value)
    if isinstance(value, tuple | list):
        return _json(list(value))
    return value


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _decode_parts(text: str | None) -> tuple[str, ...]:
    return tuple(json.loads(text)) if text else ()


def _maybe_time(text: str | None) -> datetime | None:
    return _from_text(text) if text is not None else None


def _delivery(row: sqlite3.Row) -> Delivery:
    return Delivery(
        id=row["id"],
        post_key=row["post_key"],
        post_path=row["post_path"],
        post_title=row["post_title"],
        content_hash=row["content_hash"],
        channel=row["channel"],
        network=row["network"],
        state=row["state"],
        route=row["route"],
        text=row["text"],
        parts=_decode_parts(row["parts"]),
        link=row["link"],
        payload=json.loads(row["payload"] or "{}"),
        due_at=_maybe_time(row["due_at"]),
        attempts=row["attempts"],
        lease_until=_maybe_time(row["lease_until"]),
        claimed_by=row["claimed_by"],
        sent_parts=_decode_parts(row["sent_parts"]),
        remote_id=row["remote_id"],
        remote_url=row["remote_url"],
        error=row["error"],
        error_kind=row["error_kind"],
        retry_at=_maybe_time(row["retry_at"]),
        created_at=_from_text(row["created_at"]),
        updated_at=_from_text(row["updated_at"]),
        sent_at=_maybe_time(row["sent_at"]),
    )


def _check_parts(text: str, parts: Sequence[str]) -> tuple[str, ...]:
    if isinstance(parts, str):
        raise TypeError("parts is a sequence of strings, not one string")
    parts = tuple(parts) or (text,)
    if parts[0] != text:
        raise ValueError("text must be the first of parts")
    return parts


def _check_route(route: str) -> None:
    if route not in ROUTES:
        raise ValueError(f"route must be one of {', '.join(ROUTES)}, not {route!r}")


def _check_states(states: Sequence[str]) -> tuple[str, ...]:
    return _check_values(states, STATES, "delivery states")


def _check_values(values: Sequence[str], known: Sequence[str], what: str) -> tuple[str, ...]:
    if isinstance(values, str):
        values = (values,)
    unknown = set(values) - set(known)
    if unknown:
        raise ValueError(f"unknown {what}: {', '.join(sorted(unknown))}")
    return tuple(values)


def _where(
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


def _or_list(items: Sequence[str]) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}"
