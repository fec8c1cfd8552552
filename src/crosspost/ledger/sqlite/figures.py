"""What `crosspost stats` reads: follower counts per day and each post's engagement."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime

from ...states import DeliveryState
from ..models import AudiencePoint, Delivery
from .db import SQLiteBase, from_text, to_text, utcnow
from .rows import delivery_from


class FiguresMixin(SQLiteBase):
    """Recording one reading of a channel, and reading the figures back."""

    def record_figures(
        self,
        channel: str,
        *,
        followers: int | None,
        posts: Mapping[int, Mapping[str, int | None]],
        at: datetime | None = None,
    ) -> None:
        """Record one reading of `channel`, in one write: the follower count for the day
        of `at` (now), and each delivery's metrics by delivery id.  A later reading
        replaces an earlier one, except that a refused figure (None) never erases a
        count already known: a tier that hides impressions today does not undo
        yesterday's."""
        moment = at or utcnow()
        with self._write():
            self._conn.execute(
                "INSERT INTO audience (channel, day, followers, read_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (channel, day) DO UPDATE SET"
                " followers = coalesce(excluded.followers, audience.followers),"
                " read_at = excluded.read_at",
                (channel, moment.date().isoformat(), followers, to_text(moment)),
            )
            self._conn.executemany(
                "INSERT INTO engagement (delivery_id, metric, value, read_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (delivery_id, metric) DO UPDATE SET"
                " value = coalesce(excluded.value, engagement.value),"
                " read_at = excluded.read_at",
                [
                    (delivery_id, metric, value, to_text(moment))
                    for delivery_id, metrics in posts.items()
                    for metric, value in metrics.items()
                ],
            )

    def audience(
        self, *, since: date | None = None, until: date | None = None
    ) -> list[AudiencePoint]:
        """Every recorded day, by channel then day; `since` inclusive, `until` exclusive."""
        clauses, params = [], []
        if since is not None:
            clauses.append("day >= ?")
            params.append(since.isoformat())
        if until is not None:
            clauses.append("day < ?")
            params.append(until.isoformat())
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self._query(f"SELECT * FROM audience{where} ORDER BY channel, day", params)
        return [
            AudiencePoint(
                channel=row["channel"],
                day=date.fromisoformat(row["day"]),
                followers=row["followers"],
                read_at=from_text(row["read_at"]),
            )
            for row in rows
        ]

    def engagement(self, delivery_ids: Sequence[int]) -> dict[int, dict[str, int | None]]:
        """The latest metrics of each of `delivery_ids` that has any (None: refused at
        every reading so far)."""
        out: dict[int, dict[str, int | None]] = {}
        ids = list(dict.fromkeys(delivery_ids))
        # SQLite allows 999 parameters in old builds: read in chunks.
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._query(
                "SELECT delivery_id, metric, value FROM engagement"
                f" WHERE delivery_id IN ({marks}) ORDER BY delivery_id, metric",
                chunk,
            )
            for row in rows:
                out.setdefault(row["delivery_id"], {})[row["metric"]] = row["value"]
        return out

    def sent_since(self, *, since: datetime) -> list[Delivery]:
        """Deliveries sent through a network (not by hand) at or after `since`, each with
        its remote id, oldest first: the posts whose engagement `stats` reads."""
        rows = self._query(
            "SELECT * FROM deliveries WHERE state = ? AND sent_at >= ?"
            " AND remote_id IS NOT NULL ORDER BY sent_at, id",
            (DeliveryState.SENT.value, to_text(since)),
        )
        return [delivery_from(row) for row in rows]
