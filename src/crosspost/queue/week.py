"""`crosspost queue --week`: the coming days at a glance, as plain data.

Each day (in `defaults.timezone`) holds what goes out that day, each delivery
at its time in its own channel's zone; by-hand deliveries are marked.  What
waits for a person (a by-hand post not yet `done`, an attempt whose outcome is
unknown, a failure, a delivery overdue) is listed apart, first: it is due now.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from ..ledger import Delivery
from ..listing import keyset_pages
from ..states import OPEN_STATES, DeliveryState
from ..views import Lens, delivery_json

if TYPE_CHECKING:
    from .desk import QueueDesk

# Waiting for a person whatever their due time.
_WAITING = frozenset({DeliveryState.MANUAL, DeliveryState.UNKNOWN, DeliveryState.FAILED})


@dataclass(frozen=True)
class WeekEntry:
    """One delivery in the week: when (in its channel's zone) and whether a person posts it."""

    delivery: Delivery
    local: str | None  # `2026-12-24 09:00 CET`; None: at the next run
    clock: str | None  # `09:00 CET`
    by_hand: bool

    def to_json(self) -> dict[str, Any]:
        return {
            **delivery_json(self.delivery),
            "local": self.local,
            "by_hand": self.by_hand,
        }


@dataclass(frozen=True)
class WeekDay:
    day: date
    entries: tuple[WeekEntry, ...]

    def to_json(self) -> dict[str, Any]:
        return {"date": self.day.isoformat(), "deliveries": [e.to_json() for e in self.entries]}


@dataclass(frozen=True)
class Week:
    """The coming days, what waits for a person now, and how many come after."""

    timezone: str
    audience: str | None
    waiting: tuple[WeekEntry, ...]
    days: tuple[WeekDay, ...]
    later: int  # open deliveries due after the last day

    def to_json(self) -> dict[str, Any]:
        return {
            "timezone": self.timezone,
            "audience": self.audience,
            "from": self.days[0].day.isoformat() if self.days else None,
            "to": self.days[-1].day.isoformat() if self.days else None,
            "waiting": [e.to_json() for e in self.waiting],
            "days": [d.to_json() for d in self.days],
            "later": self.later,
        }


def week_of(
    ws: QueueDesk, *, audience: str | None = None, now: datetime | None = None, days: int = 7
) -> Week:
    """The coming `days` days of `ws`'s queue (of `audience`'s channels when given);
    `Workspace.week` is the way in.

    Reads what waits for a person and the queue up to the end of those days,
    a page at a time, not a year of it: the deliveries due after are only
    counted (`later`)."""
    lens = Lens.of(ws.config)
    moment = now or datetime.now(UTC)
    channels = lens.channels_of(audience)
    # Past the last day in any channel's zone (offsets differ by 26 hours at most).
    last = moment.astimezone(ZoneInfo(lens.default_zone)).date() + timedelta(days=days)
    horizon = datetime.combine(last, time(), ZoneInfo(lens.default_zone)) + timedelta(days=2)
    chosen: dict[int, Delivery] = {}
    with ws.store() as ledger:
        total = ledger.count_deliveries(states=tuple(OPEN_STATES), channels=channels)
        waiting = keyset_pages(
            lambda after, size: ledger.changed_page(
                states=tuple(_WAITING), limit=size, after=after, channels=channels
            ),
            key=lambda d: d,
        )
        chosen |= {d.id: d for page in waiting for d in page}
        queued = keyset_pages(
            lambda after, size: ledger.upcoming_page(
                states=tuple(OPEN_STATES), limit=size, after=after, channels=channels
            ),
            key=lambda d: d,
        )
        for page in queued:
            chosen |= {d.id: d for d in page if (d.due_at or d.created_at) < horizon}
            if (page[-1].due_at or page[-1].created_at) >= horizon:
                break
    week = build_week(chosen.values(), lens, now=moment, days=days, audience=audience)
    # What was not read is due after the horizon: later, whatever its channel's zone.
    return replace(week, later=week.later + max(0, total - len(chosen)))


def build_week(
    deliveries: Iterable[Delivery],
    lens: Lens,
    *,
    now: datetime,
    days: int = 7,
    audience: str | None = None,
) -> Week:
    """The open `deliveries` laid out over `days` days from today (`lens.default_zone`)."""
    today = now.astimezone(ZoneInfo(lens.default_zone)).date()
    last = today + timedelta(days=days - 1)
    by_day: dict[date, list[WeekEntry]] = {today + timedelta(days=n): [] for n in range(days)}
    waiting: list[WeekEntry] = []
    later = 0
    for d in sorted(deliveries, key=_soonest):
        entry = _entry(d, lens)
        if d.state in _WAITING or d.due_at is None:
            waiting.append(entry)
            continue
        day = d.due_at.astimezone(ZoneInfo(lens.zone(d.channel))).date()
        if day < today:
            waiting.append(entry)  # overdue: the next run sends it
        elif day > last:
            later += 1
        else:
            by_day[day].append(entry)
    return Week(
        timezone=lens.default_zone,
        audience=audience,
        waiting=tuple(waiting),
        days=tuple(WeekDay(day, tuple(entries)) for day, entries in by_day.items()),
        later=later,
    )


def _entry(d: Delivery, lens: Lens) -> WeekEntry:
    moment = lens.moment(d)
    local = lens.local(moment, d.channel)
    return WeekEntry(
        delivery=d,
        local=local,
        clock=local.split(" ", 1)[1] if local else None,
        by_hand=d.channel in lens.by_hand or d.state == DeliveryState.MANUAL,
    )


def _soonest(d: Delivery) -> tuple[datetime, int]:
    return (d.due_at or d.updated_at, d.id)
