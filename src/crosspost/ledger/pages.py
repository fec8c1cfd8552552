"""`StorePages`: the ledger read a bounded piece at a time, part of the `Store` protocol.

`crosspost status`, `queue`, `tasks` and their `--json` read deliveries in
pages; the monthly report reads only the events of the months it shows and
the deliveries they touch.  A ledger of 100,000 deliveries then costs a
listing what its first page costs (see the README, Performance).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from .models import Delivery, Event


class StorePages(Protocol):
    """Reading the ledger a bounded piece at a time, for listings and the report.

    However large the ledger, each call reads at most `limit` rows (or the ids
    and posts it is given), through an index, never the whole table: memory
    stays flat and time follows what is shown.  Pages are keyset pages: the
    next one starts after the last row of the one before (`after_id`,
    `after`), so a row that keeps its place is listed exactly once whatever
    is written between two pages; one that moves in the order meanwhile (a
    `queue move`, a new attempt) may show twice or not at all.  Listings show
    the ledger; nothing that sends reads them.  `limit` below 1 is a ValueError.
    """

    def count_deliveries(
        self,
        *,
        post_key: str | None = None,
        channels: Sequence[str] | None = None,
        states: Sequence[str] | None = None,
    ) -> int:
        """How many deliveries match every filter given (`channels`, `states`: any of)."""
        ...

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
        ...

    def newest_after_id(
        self,
        count: int,
        *,
        post_key: str | None = None,
        channels: Sequence[str] | None = None,
        states: Sequence[str] | None = None,
    ) -> int:
        """The `after_id` from which `deliveries_page` lists the newest `count` matching
        deliveries (0 when fewer match): the tail of the ledger, read forwards."""
        ...

    def upcoming_page(
        self,
        *,
        limit: int,
        after: Delivery | None = None,
        states: Sequence[str] | None = None,
        channels: Sequence[str] | None = None,
    ) -> list[Delivery]:
        """The queue's order: by due time (created time when due now), then id; the
        first `limit` after `after` (the last delivery of the page before)."""
        ...

    def changed_page(
        self,
        *,
        states: Sequence[str],
        limit: int,
        after: Delivery | None = None,
        channels: Sequence[str] | None = None,
    ) -> list[Delivery]:
        """Deliveries in `states`, longest unchanged first (updated_at, then id): the
        first `limit` after `after`."""
        ...

    def deliveries_of(
        self, *, ids: Sequence[int] = (), post_keys: Sequence[str] = ()
    ) -> list[Delivery]:
        """The deliveries with these ids and those of these posts, by id; any number
        of them, read in bounded chunks.  Unknown ids are left out."""
        ...

    def events_of(
        self, delivery_ids: Sequence[int], *, kinds: Sequence[str] | None = None
    ) -> list[Event]:
        """The events of these deliveries (of `kinds`, when given), in write order;
        any number of ids, read in bounded chunks."""
        ...

    def delivery_ids_with_events(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        kinds: Sequence[str] | None = None,
        posted_before: datetime | None = None,
    ) -> list[int]:
        """The deliveries with an event of `kinds` written in [since, until), ascending;
        with `posted_before`, only events whose `posted_at` (a `done --at`, a found
        post's network time) is before it.  Answered from an index on the events."""
        ...

    def first_event_at(
        self, *, until: datetime | None = None, exclude_kinds: Sequence[str] = ()
    ) -> datetime | None:
        """When the ledger's first delivery event before `until` (not of `exclude_kinds`)
        was written; None when there is none."""
        ...

    def channel_networks(self) -> dict[str, str]:
        """Every channel the ledger has deliveries for, and the network of its latest one."""
        ...
