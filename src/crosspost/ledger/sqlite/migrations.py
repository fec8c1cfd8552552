"""The ledger's schema history: numbered migrations, and applying them on open.

`MIGRATIONS[n - 1]` takes the file from `PRAGMA user_version` n - 1 to n.
This history is what every existing ledger was built by: never edit a
migration that has shipped (not even the CHECK on `state`, which the enums
in `crosspost.states` have since taken over); append a new one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from ...errors import LedgerUnavailable

# The queue's order (`upcoming_page`): when a delivery is due, else when it was
# made.  Indexed by migration 5, which spells it out (a shipped migration never
# changes); a query must spell it as the index does for SQLite to use it, and
# names the index (INDEXED BY), so a difference is an error, never a slow scan.
QUEUE_ORDER = "COALESCE(NULLIF(due_at, '1970-01-01T00:00:00.000000Z'), created_at)"
# The open states of `states.OPEN_STATES` as migration 5's partial index spells
# them (a query naming the same list, in this order, may use that index).
OPEN_STATES_SQL = "'pending', 'sending', 'failed', 'unknown', 'manual'"

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
    # 4: a claim on a long URL while one process asks bit.ly for it, so that
    # overlapping runs needing the same link send bit.ly one request, not one
    # each.  A row lives from the claim to the saved link (or the failure);
    # `until` is its lease, after which another process may take it over.
    (
        """
        CREATE TABLE short_link_claims (
            long_url    TEXT PRIMARY KEY,
            owner       TEXT NOT NULL,
            until       TEXT NOT NULL,
            claimed_at  TEXT NOT NULL
        )
        """,
    ),
    # 5: listings and the due query read a bounded range of an index, however
    # large the ledger.  "Due now" becomes a time, the epoch, instead of NULL
    # (`db.DUE_NOW`): `state = 'pending' AND due_at <= :now` is then one range of
    # `deliveries_due`, where `due_at IS NULL OR ...` made SQLite read every
    # pending row.  Every row is rewritten, not only the pending ones: a failed
    # or unknown row goes back to pending (retry, absent) with the due_at it
    # had, and must then be due.  The triggers keep a NULL from ever coming
    # back, whoever writes it: a pending row the due query cannot see would be
    # a post never sent.  The indexes serve the queue's order (all deliveries,
    # and the open ones only), the by-hand list (oldest change first) and the
    # report's window of events.
    (
        "UPDATE deliveries SET due_at = '1970-01-01T00:00:00.000000Z' WHERE due_at IS NULL",
        """
        CREATE TRIGGER deliveries_due_now_on_insert AFTER INSERT ON deliveries
        WHEN NEW.due_at IS NULL
        BEGIN
            UPDATE deliveries SET due_at = '1970-01-01T00:00:00.000000Z' WHERE id = NEW.id;
        END
        """,
        """
        CREATE TRIGGER deliveries_due_now_on_update AFTER UPDATE OF due_at ON deliveries
        WHEN NEW.due_at IS NULL
        BEGIN
            UPDATE deliveries SET due_at = '1970-01-01T00:00:00.000000Z' WHERE id = NEW.id;
        END
        """,
        "CREATE INDEX deliveries_upcoming ON deliveries"
        " (COALESCE(NULLIF(due_at, '1970-01-01T00:00:00.000000Z'), created_at))",
        "CREATE INDEX deliveries_open ON deliveries"
        " (COALESCE(NULLIF(due_at, '1970-01-01T00:00:00.000000Z'), created_at))"
        " WHERE state IN ('pending', 'sending', 'failed', 'unknown', 'manual')",
        "CREATE INDEX deliveries_changed ON deliveries (state, updated_at)",
        "CREATE INDEX events_kind_at ON events (kind, at, delivery_id)",
    ),
    # 6: each delivery's send key, the one `Outgoing.key` a network gets as its
    # idempotency key or record key (Mastodon's Idempotency-Key, Bluesky's rkey):
    # random, made once with the row, the same on every attempt, and replaced
    # only by `--force` (a republish on purpose must not collide with the post it
    # repeats).  Stored rather than derived so that it survives a copy of the
    # ledger to another store unchanged.
    (
        "ALTER TABLE deliveries ADD COLUMN send_key TEXT",
        "UPDATE deliveries SET send_key = lower(hex(randomblob(16))) WHERE send_key IS NULL",
        """
        CREATE TRIGGER deliveries_send_key_on_insert AFTER INSERT ON deliveries
        WHEN NEW.send_key IS NULL
        BEGIN
            UPDATE deliveries SET send_key = lower(hex(randomblob(16))) WHERE id = NEW.id;
        END
        """,
    ),
    # 7: the account each channel's credentials post as, recorded when they were
    # signed in (`crosspost auth`) and compared by `crosspost doctor` with what
    # the network says today: a token of the wrong account is the costliest
    # mistake.  And the moments the machine's own checks read ("the last run").
    (
        """
        CREATE TABLE channel_accounts (
            channel      TEXT PRIMARY KEY,
            network      TEXT NOT NULL,
            account      TEXT NOT NULL,
            account_id   TEXT,
            recorded_at  TEXT NOT NULL,
            recorded_by  TEXT
        )
        """,
        """
        CREATE TABLE marks (
            name  TEXT PRIMARY KEY,
            at    TEXT NOT NULL
        )
        """,
    ),
    # 8: what `crosspost stats` reads: a channel's follower count per day (the
    # report's audience curve), and each sent post's engagement at its latest
    # reading.  A NULL count is a figure the network refused ("unavailable"),
    # which the report must tell apart from a day nobody read ("not recorded").
    (
        """
        CREATE TABLE audience (
            channel    TEXT NOT NULL,
            day        TEXT NOT NULL,
            followers  INTEGER,
            read_at    TEXT NOT NULL,
            PRIMARY KEY (channel, day)
        )
        """,
        """
        CREATE TABLE engagement (
            delivery_id  INTEGER NOT NULL REFERENCES deliveries (id),
            metric       TEXT NOT NULL,
            value        INTEGER,
            read_at      TEXT NOT NULL,
            PRIMARY KEY (delivery_id, metric)
        )
        """,
    ),
)


def user_version(connection: sqlite3.Connection) -> int:
    return int(connection.execute("PRAGMA user_version").fetchone()[0])


def migrate(
    connection: sqlite3.Connection,
    path: Path,
    write: Callable[[], AbstractContextManager[Any]],
) -> None:
    """Apply the migrations `connection` has not had yet, each in its own transaction.

    `write` is the store's write transaction (`SQLiteBase._write`).  A ledger
    from a newer crosspost, or a file that is no database, is `LedgerUnavailable`.
    """
    try:
        version = user_version(connection)
    except sqlite3.DatabaseError as exc:
        raise LedgerUnavailable(f"cannot read the ledger {path}: {exc}") from exc
    _check_not_newer(path, version)
    for number, statements in enumerate(MIGRATIONS, start=1):
        if number <= version:
            continue
        with write():
            # Another process may have migrated while we waited for the lock.
            current = user_version(connection)
            _check_not_newer(path, current)
            if current >= number:
                continue
            for statement in statements:
                connection.execute(statement)
            connection.execute(f"PRAGMA user_version = {number}")


def _check_not_newer(path: Path, version: int) -> None:
    if version > len(MIGRATIONS):
        raise LedgerUnavailable(
            f"the ledger {path} was written by a newer crosspost (schema version "
            f"{version}, this one knows up to {len(MIGRATIONS)}): upgrade crosspost"
        )
