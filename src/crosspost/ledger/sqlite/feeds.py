"""Feed intake: what each feed answered last (for conditional GET) and every entry offered."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from ..models import FEED_ENTRY_ACTIONS, FEED_PULL_STATUSES, EntryMark, FeedState, SeenEntry
from .db import SQLiteBase, aware_now, check_values, to_text, where
from .rows import feed_state_from, seen_entry_from


class FeedsMixin(SQLiteBase):
    """Feed states and seen entries, written together by `record_pull`."""

    def feed_states(self) -> dict[str, FeedState]:
        """The last pull of every feed ever pulled, by feed name."""
        rows = self._query("SELECT * FROM feed_state ORDER BY feed")
        return {row["feed"]: feed_state_from(row) for row in rows}

    def seen_entries(
        self,
        *,
        feed: str | None = None,
        post_key: str | None = None,
        actions: Sequence[str] | None = None,
    ) -> list[SeenEntry]:
        """Remembered feed entries matching every filter given, oldest first."""
        clause = where(
            {"feed": feed, "post_key": post_key},
            {
                "action": None
                if actions is None
                else check_values(actions, FEED_ENTRY_ACTIONS, "feed entry actions")
            },
        )
        if clause is None:
            return []
        rows = self._query(f"SELECT * FROM feed_entries{clause[0]} ORDER BY id", clause[1])
        return [seen_entry_from(row) for row in rows]

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
        check_values([e.action for e in entries], FEED_ENTRY_ACTIONS, "feed entry actions")
        moment = aware_now(now)
        stamp = to_text(moment)
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
            return feed_state_from(state)
