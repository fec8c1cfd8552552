"""What the report reads of the ledger: only the months it shows, however old the ledger.

A report covers a month and the few before it.  It needs the deliveries that
something happened to in those months, every copy of the posts active in the
month itself, and the whole history of those (a state at the end of a month
is the history replayed up to then); nothing else.  The ledger answers which
deliveries those are from an index on its events, then hands over their rows
and histories in chunks, so a ledger of 100,000 deliveries costs the report
what its months hold.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Protocol

from ..ledger import AudiencePoint, Delivery, Event, Note
from ..states import EventKind

E = EventKind
# Events that date a post by when it went out (`posted_at`: `done --at`, the time a
# network gives a found post), which may be well before the event was written.
DATED_AS_POSTED = (E.DONE, E.FOUND)


class ReportLedger(Protocol):
    """What the report reads from the ledger (any store with these methods will do;
    `StorePages` says what each guarantees)."""

    def channel_networks(self) -> Mapping[str, str]: ...

    def first_event_at(
        self, *, until: datetime | None = None, exclude_kinds: Sequence[str] = ()
    ) -> datetime | None: ...

    def delivery_ids_with_events(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        kinds: Sequence[str] | None = None,
        posted_before: datetime | None = None,
    ) -> Sequence[int]: ...

    def deliveries_of(
        self, *, ids: Sequence[int] = (), post_keys: Sequence[str] = ()
    ) -> Sequence[Delivery]: ...

    def events_of(
        self, delivery_ids: Sequence[int], *, kinds: Sequence[str] | None = None
    ) -> Sequence[Event]: ...

    def notes(self, *, until: datetime | None = None) -> Sequence[Note]: ...

    def bitlink_ids(self) -> Mapping[str, str]: ...

    # What `crosspost stats` recorded (report.audience).
    def audience(
        self, *, since: date | None = None, until: date | None = None
    ) -> Sequence[AudiencePoint]: ...

    def engagement(self, delivery_ids: Sequence[int]) -> Mapping[int, Mapping[str, int | None]]: ...


def as_posted(events: Iterable[Event]) -> list[Event]:
    """The events, a `done` that says when the post really went out (`posted_at`, from
    `crosspost done --at`) dated then: never before the delivery's previous event,
    so the replay still sees it handed over before it was done."""
    out: list[Event] = []
    last: dict[int, datetime] = {}
    for e in events:
        posted = e.detail.get("posted_at") if e.kind in DATED_AS_POSTED else None
        if posted and e.delivery_id is not None:
            at = datetime.fromisoformat(str(posted).replace("Z", "+00:00"))
            e = replace(e, at=max(at, last.get(e.delivery_id, at)))
        if e.delivery_id is not None:
            last[e.delivery_id] = e.at
        out.append(e)
    return out


def first_event(ledger: ReportLedger, *, until: datetime) -> datetime | None:
    """When the ledger's history starts, as the report dates its events (`as_posted`).

    A post dated as posted is never dated before its delivery's previous event,
    and every delivery starts with `created`: the first event that is not one of
    those is the first, however the others are dated."""
    return ledger.first_event_at(until=until, exclude_kinds=DATED_AS_POSTED)


def read_window(
    ledger: ReportLedger,
    *,
    since: datetime,
    start: datetime,
    end: datetime,
    activity: Collection[EventKind],
) -> tuple[dict[int, Delivery], list[Event]]:
    """The deliveries the months in [since, end) need, by id, and their events as
    posted before `end`, in write order.

    Those with an `activity` event in [since, end), or recorded as posted after
    `end` but dated before it; then every delivery of a post with activity in
    [start, end), the report's own month, for its table of copies.  (A found
    post the network dates after crosspost recorded it, across a month's
    start, is the one case left out: only a clock running ahead makes one.)
    """
    touched = set(ledger.delivery_ids_with_events(since=since, until=end, kinds=tuple(activity)))
    touched.update(
        ledger.delivery_ids_with_events(since=end, kinds=DATED_AS_POSTED, posted_before=end)
    )
    deliveries = {d.id: d for d in ledger.deliveries_of(ids=sorted(touched))}
    events = _histories(ledger, deliveries, end)
    active = {
        deliveries[e.delivery_id].post_key
        for e in events
        if e.delivery_id is not None and start <= e.at < end and e.kind in activity
    }
    more = {d.id: d for d in ledger.deliveries_of(post_keys=sorted(active))}
    more = {key: d for key, d in more.items() if key not in deliveries}
    if more:
        deliveries |= more
        events = sorted([*events, *_histories(ledger, more, end)], key=lambda e: e.id)
    return deliveries, events


def _histories(
    ledger: ReportLedger, deliveries: Mapping[int, Delivery], end: datetime
) -> list[Event]:
    return [e for e in as_posted(ledger.events_of(sorted(deliveries))) if e.at < end]
