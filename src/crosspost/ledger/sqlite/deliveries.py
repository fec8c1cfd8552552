"""The deliveries table: creating a delivery once, rewriting what it will send,
when it is due, and every way of reading the queue.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from ...errors import WrongState
from ...states import RECHECK_AFTER, STORED_ROUTES, TRANSITIONS, DeliveryState, EventKind, Route
from ..models import STATES, Delivery
from .db import (
    DUE_NOW,
    aware_now,
    check_values,
    decode_parts,
    due_to_db,
    from_text,
    to_db,
    to_json,
    to_text,
    utcnow,
    where,
)
from .rows import delivery_from
from .transitions import TransitionsMixin, not_found

S = DeliveryState

# The query behind `due()`.  Module-level so a test can check its plan: it must
# be answered through `deliveries_due` as one range (state = pending, due_at <=
# now) with no sort step, whatever the size.  "Due now" is stored as `DUE_NOW`,
# the earliest time (migration 5), so it falls inside that range and sorts
# first, as NULL did; an `IS NULL OR` here would make SQLite read every pending
# row.  The state is spelled into the SQL, not bound, so the planner sees a constant.
_DUE_SQL = (
    "SELECT * FROM deliveries"
    f" WHERE state = '{S.PENDING.value}' AND due_at <= :now"
    " ORDER BY due_at, id LIMIT :limit"
)


class DeliveriesMixin(TransitionsMixin):
    """One row per (post, channel): made once, read many ways."""

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
        route: str = Route.DIRECT,
        due_at: datetime | None = None,
        payload: Mapping[str, Any] | None = None,
    ) -> Delivery:
        """The delivery of `post_key` to `channel`: created `pending` if absent, else as it is."""
        parts = _check_parts(text, parts)
        stored_route = _check_route(route)
        moment = utcnow()
        with self._write():
            row = self._conn.execute(
                "SELECT * FROM deliveries WHERE post_key = ? AND channel = ?",
                (post_key, channel),
            ).fetchone()
            if row is not None:
                return delivery_from(row)
            stamp = to_text(moment)
            cursor = self._conn.execute(
                "INSERT INTO deliveries (post_key, post_path, post_title, content_hash,"
                " channel, network, state, route, text, parts, link, payload, due_at,"
                " created_at, updated_at, send_key)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    post_key,
                    post_path,
                    post_title,
                    content_hash,
                    channel,
                    network,
                    S.PENDING.value,
                    stored_route.value,
                    text,
                    to_json(list(parts)),
                    link,
                    to_json(dict(payload or {})),
                    due_to_db(due_at),
                    stamp,
                    stamp,
                    secrets.token_hex(16),
                ),
            )
            delivery_id = int(cursor.lastrowid or 0)
            self._event(
                delivery_id=delivery_id,
                channel=channel,
                moment=moment,
                kind=EventKind.CREATED,
                detail={
                    "post_key": post_key,
                    "network": network,
                    "route": stored_route.value,
                    "content_hash": content_hash,
                    "due_at": to_db(due_at),
                },
            )
            return delivery_from(self._row(delivery_id))

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
        transition: str = "update",
    ) -> Delivery:
        """Rewrite what a pending or failed delivery will send (the post was edited).

        With `transition="revise"`, the text of a by-hand task instead.
        """
        parts = _check_parts(text, parts)
        stored_route = _check_route(route)
        moment = utcnow()
        with self._write():
            row = self._row(delivery_id)
            self._check(row, TRANSITIONS[transition])
            if decode_parts(row["sent_parts"]):
                raise WrongState(
                    f"cannot update the content of delivery {delivery_id} ({row['channel']}): "
                    "part of its thread is already published; finish it with "
                    "`crosspost publish` or cancel it first"
                )
            payload_text = row["payload"] if payload is None else to_json(dict(payload))
            new = (text, to_json(list(parts)), link, content_hash, stored_route, payload_text)
            old = tuple(
                row[column]
                for column in ("text", "parts", "link", "content_hash", "route", "payload")
            )
            if new == old:
                return delivery_from(row)
            return self._apply(
                row,
                transition,
                moment=moment,
                detail={
                    "content_hash_before": row["content_hash"],
                    "content_hash": content_hash,
                    "route_before": row["route"],
                    "route": stored_route.value,
                },
                text=text,
                parts=parts,
                link=link,
                content_hash=content_hash,
                route=stored_route,
                payload=payload_text,
            )

    def schedule(
        self, delivery_id: int, *, due_at: datetime | None, reason: str | None = None
    ) -> Delivery:
        """Set when a pending delivery becomes due (None: now).

        With a `reason` (pacing, a rate limit, the user's `queue move`) it is
        the `move` transition, whose event keeps the reason, so the queue can
        say why; without, `schedule`.
        """
        detail: dict[str, Any] = {"due_at": to_db(due_at)}
        if reason:
            detail["reason"] = reason
        return self._transition(
            delivery_id, "move" if reason else "schedule", detail=detail, due_at=due_at
        )

    # -- reading ---------------------------------------------------------------------

    def get(self, delivery_id: int) -> Delivery:
        """The delivery with this id; `NotFound` if there is none."""
        rows = self._query("SELECT * FROM deliveries WHERE id = ?", (delivery_id,))
        if not rows:
            raise not_found(delivery_id)
        return delivery_from(rows[0])

    def find(self, *, post_key: str, channel: str) -> Delivery | None:
        """The delivery of `post_key` to `channel`, if one exists."""
        rows = self._query(
            "SELECT * FROM deliveries WHERE post_key = ? AND channel = ?", (post_key, channel)
        )
        return delivery_from(rows[0]) if rows else None

    def deliveries(
        self,
        *,
        post_key: str | None = None,
        channel: str | None = None,
        states: Sequence[str] | None = None,
    ) -> list[Delivery]:
        """Deliveries matching every filter given, by id."""
        clause = where(
            {"post_key": post_key, "channel": channel},
            {"state": None if states is None else check_states(states)},
        )
        if clause is None:
            return []
        rows = self._query(f"SELECT * FROM deliveries{clause[0]} ORDER BY id", clause[1])
        return [delivery_from(row) for row in rows]

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
                " AND state = :pending AND due_at >= :since AND due_at < :until"
                # Due now is not a time a post is planned for (it was NULL once).
                " AND due_at > :due_now"
            )
        params = {"c": channel, "since": to_text(since), "until": to_text(until)}
        if pending:
            params |= {"pending": S.PENDING.value, "due_now": DUE_NOW}
        rows = self._query(sql, params)
        return sorted(from_text(row["at"]) for row in rows)

    def due(self, *, now: datetime | None = None, limit: int = 100) -> list[Delivery]:
        """Pending deliveries whose time has come: undated ones first, then by due_at."""
        moment = aware_now(now)
        rows = self._query(_DUE_SQL, {"now": to_text(moment), "limit": int(limit)})
        return [delivery_from(row) for row in rows]

    def _unknown_to_read(self, now: datetime) -> bool:
        """An unknown delivery no reconcile has touched for RECHECK_AFTER: `run` reads
        the network for it, although nothing is due."""
        since = to_text(now - RECHECK_AFTER)
        return bool(
            self._query(
                "SELECT 1 FROM deliveries WHERE state = ? AND updated_at <= ? LIMIT 1",
                (S.UNKNOWN.value, since),
            )
        )

    def _any_sending(self) -> bool:
        return bool(
            self._query("SELECT 1 FROM deliveries WHERE state = ? LIMIT 1", (S.SENDING.value,))
        )


def _check_parts(text: str, parts: Sequence[str]) -> tuple[str, ...]:
    if isinstance(parts, str):
        raise TypeError("parts is a sequence of strings, not one string")
    parts = tuple(parts) or (text,)
    if parts[0] != text:
        raise ValueError("text must be the first of parts")
    return parts


def _check_route(route: str) -> Route:
    if route not in STORED_ROUTES:
        raise ValueError(f"route must be one of {', '.join(STORED_ROUTES)}, not {route!r}")
    return Route(route)


def check_states(states: Sequence[str]) -> tuple[str, ...]:
    return tuple(S(s).value for s in check_values(states, STATES, "delivery states"))
