"""Bounded reads for listings and the report (`StorePages`): keyset pages, counts, and
the rows of given ids read in chunks.

Every query here names (or steers to) the index that answers it as a range, so
a page costs the same in a ledger of 100 deliveries as in one of 100,000: the
queue's pages through `deliveries_upcoming` / `deliveries_open`, the by-hand
list through `deliveries_changed`, the report's window through
`events_kind_at` (all from migration 5), listings by id through the rowid.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from ..models import Delivery, Event
from .db import SQLiteBase, from_text, to_text
from .deliveries import check_states
from .migrations import OPEN_STATES_SQL, QUEUE_ORDER
from .rows import delivery_from, event_from

# Ids per `IN (...)` query: far below SQLite's limit on bound values, and a
# chunk's rows are few enough to hold.
CHUNK = 500
_OPEN_STATES = frozenset(s.strip(" '") for s in OPEN_STATES_SQL.split(","))
_Conditions = tuple[list[str], list[Any]]


class PagesMixin(SQLiteBase):
    """Counts, keyset pages and chunked reads of the deliveries and events tables."""

    def count_deliveries(
        self,
        *,
        post_key: str | None = None,
        channels: Sequence[str] | None = None,
        states: Sequence[str] | None = None,
    ) -> int:
        """How many deliveries match every filter given."""
        found = _filters(post_key, channels, states)
        if found is None:
            return 0
        rows = self._query(f"SELECT COUNT(*) FROM deliveries{_where(found[0])}", found[1])
        return int(rows[0][0])

    def deliveries_page(
        self,
        *,
        limit: int,
        after_id: int = 0,
        post_key: str | None = None,
        channels: Sequence[str] | None = None,
        states: Sequence[str] | None = None,
    ) -> list[Delivery]:
        """The first `limit` matching deliveries with an id above `after_id`, by id."""
        # `+` keeps SQLite from answering a channel or state filter through its
        # index and then sorting every match by id: the page is read in rowid
        # order instead, from `after_id`, and stops at `limit`.
        found = _filters(post_key, channels, states, plain=True)
        if found is None:
            return []
        clauses, params = found
        rows = self._query(
            f"SELECT * FROM deliveries{_where([*clauses, 'id > ?'])} ORDER BY id LIMIT ?",
            [*params, int(after_id), _checked(limit)],
        )
        return [delivery_from(row) for row in rows]

    def newest_after_id(
        self,
        count: int,
        *,
        post_key: str | None = None,
        channels: Sequence[str] | None = None,
        states: Sequence[str] | None = None,
    ) -> int:
        """The `after_id` from which `deliveries_page` lists the newest `count` matches."""
        if count < 0:
            raise ValueError(f"count must be 0 or more, not {count}")
        found = _filters(post_key, channels, states, plain=True)
        if found is None:
            return 0
        rows = self._query(
            f"SELECT id FROM deliveries{_where(found[0])} ORDER BY id DESC LIMIT 1 OFFSET ?",
            [*found[1], int(count)],
        )
        return int(rows[0][0]) if rows else 0

    def upcoming(self, *, states: Sequence[str] | None = None, limit: int = 100) -> list[Delivery]:
        """Deliveries in `states` (all when None), soonest due first, at most `limit`:
        the head of the queue, without reading a year of it."""
        return self.upcoming_page(states=states, limit=limit)

    def upcoming_page(
        self,
        *,
        limit: int,
        after: Delivery | None = None,
        states: Sequence[str] | None = None,
        channels: Sequence[str] | None = None,
    ) -> list[Delivery]:
        """The queue's order (due, else created, then id): the first `limit` after `after`."""
        clauses: list[str] = []
        params: list[Any] = []
        index = "deliveries_upcoming"
        if states is not None:
            wanted = check_states(states)
            if not wanted:
                return []
            if set(wanted) == _OPEN_STATES:
                # Spelled as the partial index's WHERE, so that SQLite may use it.
                index = "deliveries_open"
                clauses.append(f"state IN ({OPEN_STATES_SQL})")
            else:
                clauses.append(f"state IN ({_marks(wanted)})")
                params.extend(wanted)
        if channels is not None:
            if not channels:
                return []
            clauses.append(f"channel IN ({_marks(channels)})")
            params.extend(channels)
        if after is not None:
            # A range on the index, then the rows of the same time past `after`.
            key = to_text(after.due_at or after.created_at)
            clauses.append(f"{QUEUE_ORDER} >= ? AND ({QUEUE_ORDER} > ? OR id > ?)")
            params.extend((key, key, after.id))
        rows = self._query(
            f"SELECT * FROM deliveries INDEXED BY {index}{_where(clauses)}"
            f" ORDER BY {QUEUE_ORDER}, id LIMIT ?",
            [*params, _checked(limit)],
        )
        return [delivery_from(row) for row in rows]

    def changed_page(
        self,
        *,
        states: Sequence[str],
        limit: int,
        after: Delivery | None = None,
        channels: Sequence[str] | None = None,
    ) -> list[Delivery]:
        """Deliveries in `states`, longest unchanged first: the first `limit` after `after`."""
        found = _filters(None, channels, states)
        if found is None:
            return []
        clauses, params = found
        if after is not None:
            key = to_text(after.updated_at)
            clauses = [*clauses, "updated_at >= ? AND (updated_at > ? OR id > ?)"]
            params = [*params, key, key, after.id]
        rows = self._query(
            f"SELECT * FROM deliveries INDEXED BY deliveries_changed{_where(clauses)}"
            " ORDER BY updated_at, id LIMIT ?",
            [*params, _checked(limit)],
        )
        return [delivery_from(row) for row in rows]

    def deliveries_of(
        self, *, ids: Sequence[int] = (), post_keys: Sequence[str] = ()
    ) -> list[Delivery]:
        """The deliveries with these ids and those of these posts, by id."""
        found: dict[int, Delivery] = {}
        for column, values in (("id", list(ids)), ("post_key", list(post_keys))):
            for chunk in _chunks(values):
                rows = self._query(
                    f"SELECT * FROM deliveries WHERE {column} IN ({_marks(chunk)})", chunk
                )
                found.update((row["id"], delivery_from(row)) for row in rows)
        return [found[key] for key in sorted(found)]

    def events_of(
        self, delivery_ids: Sequence[int], *, kinds: Sequence[str] | None = None
    ) -> list[Event]:
        """The events of these deliveries (of `kinds`, when given), in write order."""
        kind_clause, kind_params = "", []
        if kinds is not None:
            if not kinds:
                return []
            # `+kind`: through `events_delivery` (these deliveries' few events), not
            # `events_kind_at` (every event of those kinds in the ledger).
            kind_clause = f" AND +kind IN ({_marks(kinds)})"
            kind_params = [str(k) for k in kinds]
        events: list[Event] = []
        for chunk in _chunks(list(delivery_ids)):
            rows = self._query(
                f"SELECT * FROM events WHERE delivery_id IN ({_marks(chunk)}){kind_clause}",
                [*chunk, *kind_params],
            )
            events.extend(event_from(row) for row in rows)
        return sorted(events, key=lambda e: e.id)

    def delivery_ids_with_events(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        kinds: Sequence[str] | None = None,
        posted_before: datetime | None = None,
    ) -> list[int]:
        """The deliveries with an event of `kinds` written in [since, until), ascending."""
        clauses = ["delivery_id IS NOT NULL"]
        params: list[Any] = []
        if kinds is not None:
            if not kinds:
                return []
            clauses.append(f"kind IN ({_marks(kinds)})")
            params.extend(str(k) for k in kinds)
        for clause, moment in (("at >= ?", since), ("at < ?", until)):
            if moment is not None:
                clauses.append(clause)
                params.append(to_text(moment))
        if posted_before is not None:
            # Written by `to_text`, so text order is time order here too.
            clauses.append("json_extract(detail, '$.posted_at') < ?")
            params.append(to_text(posted_before))
        rows = self._query(
            f"SELECT DISTINCT delivery_id FROM events{_where(clauses)} ORDER BY delivery_id",
            params,
        )
        return [int(row[0]) for row in rows]

    def first_event_at(
        self, *, until: datetime | None = None, exclude_kinds: Sequence[str] = ()
    ) -> datetime | None:
        """When the first delivery event before `until` (not of `exclude_kinds`) was written."""
        clauses = ["delivery_id IS NOT NULL"]
        params: list[Any] = []
        if until is not None:
            clauses.append("at < ?")
            params.append(to_text(until))
        if exclude_kinds:
            clauses.append(f"kind NOT IN ({_marks(exclude_kinds)})")
            params.extend(str(k) for k in exclude_kinds)
        # ORDER BY ... LIMIT 1 walks `events_at` from its start and stops at the first
        # match, where MIN() with these filters would read the whole range.
        rows = self._query(f"SELECT at FROM events{_where(clauses)} ORDER BY at LIMIT 1", params)
        return from_text(rows[0][0]) if rows else None

    def channel_networks(self) -> dict[str, str]:
        """Every channel with deliveries, and the network of its latest one."""
        rows = self._query(
            "SELECT channel, network FROM deliveries"
            " WHERE id IN (SELECT MAX(id) FROM deliveries GROUP BY channel)"
        )
        return {row["channel"]: row["network"] for row in rows}


def _filters(
    post_key: str | None,
    channels: Sequence[str] | None,
    states: Sequence[str] | None,
    *,
    plain: bool = False,
) -> _Conditions | None:
    """The WHERE terms for the filters given; None when one is empty (nothing matches).

    `plain` writes `+channel` and `+state`, which SQLite will not answer
    through an index (see `deliveries_page`)."""
    clauses: list[str] = []
    params: list[Any] = []
    if post_key is not None:
        clauses.append("post_key = ?")
        params.append(post_key)
    prefix = "+" if plain else ""
    checked = None if states is None else list(check_states(states))
    for column, values in (("channel", channels), ("state", checked)):
        if values is None:
            continue
        if not values:
            return None
        clauses.append(f"{prefix}{column} IN ({_marks(values)})")
        params.extend(values)
    return clauses, params


def _where(clauses: Sequence[str]) -> str:
    return f" WHERE {' AND '.join(clauses)}" if clauses else ""


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("?" * len(values))


def _checked(limit: int) -> int:
    if limit < 1:
        raise ValueError(f"a page holds 1 row or more, not {limit}")
    return int(limit)


def _chunks(values: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]
