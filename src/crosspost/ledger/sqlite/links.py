"""The short-link cache: one bit.ly link per long URL, shared by every run."""

from __future__ import annotations

from .db import SQLiteBase, to_text, utcnow


class LinksMixin(SQLiteBase):
    """Short links, the first saved for a URL winning."""

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
                (long_url, short_url, bitlink_id, to_text(utcnow())),
            )
            row = self._conn.execute(
                "SELECT short_url, bitlink_id FROM short_links WHERE long_url = ?", (long_url,)
            ).fetchone()
            return (row["short_url"], row["bitlink_id"])

    def bitlink_ids(self) -> dict[str, str]:
        """Every cached short link and its bit.ly id (`https://bit.ly/x` -> `bit.ly/x`)."""
        rows = self._query(
            "SELECT short_url, bitlink_id FROM short_links WHERE bitlink_id IS NOT NULL"
        )
        return {row["short_url"]: row["bitlink_id"] for row in rows}
