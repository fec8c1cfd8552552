"""The short-link cache: one bit.ly link per long URL, shared by every run, and the
claims that keep overlapping runs from asking bit.ly for the same URL at once.

A claim is a row of `short_link_claims`, written in its own short committed
transaction before the bit.ly request leaves (never a write transaction held
across HTTP); saving the link deletes it in the same transaction as the insert.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ..liveness import claimer_is_gone
from ..models import LinkClaim
from .db import SQLiteBase, aware_now, from_text, to_text, utcnow


class LinksMixin(SQLiteBase):
    """Short links, the first saved for a URL winning, and the claims on long URLs."""

    def get_short_link(self, long_url: str) -> tuple[str, str | None] | None:
        """The cached (short_url, bitlink_id) for `long_url`, if any."""
        rows = self._query(
            "SELECT short_url, bitlink_id FROM short_links WHERE long_url = ?", (long_url,)
        )
        return (rows[0]["short_url"], rows[0]["bitlink_id"]) if rows else None

    def save_short_link(
        self, long_url: str, *, short_url: str, bitlink_id: str | None
    ) -> tuple[str, str | None]:
        """Cache a short link; the first one saved wins, and is returned.  Ends any
        claim on `long_url`: whoever holds it would only be told the same link."""
        with self._write():
            self._conn.execute(
                "INSERT OR IGNORE INTO short_links (long_url, short_url, bitlink_id, created_at)"
                " VALUES (?, ?, ?, ?)",
                (long_url, short_url, bitlink_id, to_text(utcnow())),
            )
            self._conn.execute("DELETE FROM short_link_claims WHERE long_url = ?", (long_url,))
            row = self._conn.execute(
                "SELECT short_url, bitlink_id FROM short_links WHERE long_url = ?", (long_url,)
            ).fetchone()
            return (row["short_url"], row["bitlink_id"])

    def claim_short_link(
        self, long_url: str, *, owner: str, lease_seconds: float, now: datetime | None = None
    ) -> LinkClaim:
        """The cached link, or the claim on `long_url` for `owner`, or who holds it.

        One `BEGIN IMMEDIATE` transaction reads the cache and the claim and
        writes the claim, so a link saved or a claim taken by another process a
        moment ago is seen: two processes cannot both get it.
        """
        if not lease_seconds > 0:
            raise ValueError(f"lease_seconds must be positive, not {lease_seconds!r}")
        moment = aware_now(now)
        with self._write():
            link = self._conn.execute(
                "SELECT short_url, bitlink_id FROM short_links WHERE long_url = ?", (long_url,)
            ).fetchone()
            if link is not None:
                return LinkClaim(cached=(link["short_url"], link["bitlink_id"]))
            held = self._conn.execute(
                "SELECT owner, until FROM short_link_claims WHERE long_url = ?", (long_url,)
            ).fetchone()
            if held is not None and not _may_take_over(held["owner"], held["until"], owner, moment):
                return LinkClaim(holder=held["owner"], until=from_text(held["until"]))
            until = moment + timedelta(seconds=lease_seconds)
            self._conn.execute(
                "INSERT OR REPLACE INTO short_link_claims (long_url, owner, until, claimed_at)"
                " VALUES (?, ?, ?, ?)",
                (long_url, owner, to_text(until), to_text(moment)),
            )
            return LinkClaim(claimed=True, holder=owner, until=until)

    def release_short_link(self, long_url: str, *, owner: str) -> None:
        """Drop `owner`'s claim on `long_url`; one another process took over stays."""
        with self._write():
            self._conn.execute(
                "DELETE FROM short_link_claims WHERE long_url = ? AND owner = ?",
                (long_url, owner),
            )

    def bitlink_ids(self) -> dict[str, str]:
        """Every cached short link and its bit.ly id (`https://bit.ly/x` -> `bit.ly/x`)."""
        rows = self._query(
            "SELECT short_url, bitlink_id FROM short_links WHERE bitlink_id IS NOT NULL"
        )
        return {row["short_url"]: row["bitlink_id"] for row in rows}


def _may_take_over(holder: str, until: str, owner: str, moment: datetime) -> bool:
    """Whether `owner` may take the claim `holder` has on a URL until `until`.

    Its own claim, yes: the threads of one process share an owner and take
    turns through `links._flight`, so a claim of ours that is still there was
    left by a failure whose release failed too.
    """
    return holder == owner or until <= to_text(moment) or claimer_is_gone(holder)
