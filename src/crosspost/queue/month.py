"""`crosspost calendar`: what was sent and what is queued, day by day, as plain data.

Each delivery sits on its day in its own channel's time zone: a sent one at
`sent_at`, a relayed one when its relay carried it, a queued one at `due_at`,
a by-hand task (a channel without an API, or a delivery handed over for
posting by hand) at its due time, and one that failed or whose outcome is
unknown at the time it was due: a post that did not go out is the one she
must see on its day.  The
ledger is read through its bounded reads: the deliveries with a sending event
around the range (then only those), and the queue in order up to the range's
end, never the whole table.  Each channel carries its audience's marker, so
the two brands stay apart on one page.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo

from ..errors import BadInput
from ..ledger import Delivery
from ..listing import keyset_pages
from ..states import DeliveryState, EventKind
from ..views import EVERY_AUDIENCE, Lens

if TYPE_CHECKING:
    from .desk import QueueDesk

S = DeliveryState
Kind = Literal["sent", "relayed", "queued", "by_hand", "failed", "unknown"]
# Events after which a delivery may be out: it is read, then kept if it is sent
# (or carried by its relay).
_OUT_EVENTS = (EventKind.SENT, EventKind.DONE, EventKind.FOUND, EventKind.RELAYED)
_OUT_STATES = (S.SENT, S.RELAYED)
# Read in the queue's order: waiting to go, and not gone as meant.
_LISTED = (S.PENDING, S.SENDING, S.MANUAL, S.FAILED, S.UNKNOWN)
# Offsets differ by 26 hours at most: a margin this wide reads every local day.
_MARGIN = timedelta(days=2)
MONTH_FORMAT = "YYYY-MM, like 2026-12"


@dataclass(frozen=True)
class CalendarEntry:
    """One delivery on its day: its local time, whether it is out, who posts it."""

    delivery: Delivery
    day: date
    clock: str  # `09:00`, in the channel's zone
    zone: str
    kind: Kind
    marker: str  # the channel's audience letter (`*`: every audience)

    def to_json(self) -> dict[str, Any]:
        d = self.delivery
        return {
            "id": d.id,
            "date": self.day.isoformat(),
            "time": self.clock,
            "timezone": self.zone,
            "channel": d.channel,
            "network": d.network,
            "title": d.post_title or d.post_key,
            "state": str(d.state),
            "kind": self.kind,
            "audience_marker": self.marker,
            "url": d.remote_url,
        }


@dataclass(frozen=True)
class CalendarDay:
    day: date
    entries: tuple[CalendarEntry, ...]


@dataclass(frozen=True)
class Calendar:
    """The days from `first` to `last`, and what the audience markers mean."""

    first: date
    last: date
    audience: str | None
    days: tuple[CalendarDay, ...]
    markers: tuple[tuple[str, str], ...]  # (marker, audience), in the legend's order

    def to_json(self) -> dict[str, Any]:
        return {
            "from": self.first.isoformat(),
            "to": self.last.isoformat(),
            "audience": self.audience,
            "markers": dict(self.markers),
            "days": [
                {"date": d.day.isoformat(), "entries": [e.to_json() for e in d.entries]}
                for d in self.days
            ],
        }


def parse_month(text: str | None, *, today: date) -> tuple[date, date]:
    """The first and last day of `--month` (`2026-12`; None: this month)."""
    if text is None:
        year, month = today.year, today.month
    else:
        try:
            year, month = (int(part) for part in text.split("-"))
            date(year, month, 1)
        except ValueError:
            raise BadInput(f"--month {text!r}: write the month as {MONTH_FORMAT}") from None
    first = date(year, month, 1)
    following = date(year + month // 12, month % 12 + 1, 1)
    return first, following - timedelta(days=1)


def week_around(day: date) -> tuple[date, date]:
    """Monday to Sunday of the week holding `day`."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def audience_markers(lens: Lens) -> dict[str, str]:
    """Each audience's marker: its initial in capitals, else the next free letter."""
    known = sorted({a for own in lens.audiences.values() for a in own} - {EVERY_AUDIENCE})
    markers: dict[str, str] = {}
    for name in known:
        candidates = [c.upper() for c in name if c.isalpha()] + list("ABCDEFGHJKLMNPQRSTUVWXYZ")
        markers[name] = next(c for c in candidates if c not in markers.values())
    return markers


def calendar_of(ws: QueueDesk, *, first: date, last: date, audience: str | None = None) -> Calendar:
    """What `ws`'s ledger says happened, or will, from `first` to `last` (each delivery's
    day in its channel's zone), of `audience`'s channels when given."""
    lens = Lens.of(ws.config)
    channels = lens.channels_of(audience)  # NotFound naming the audiences there are
    zone = ZoneInfo(lens.default_zone)
    since = datetime.combine(first, time(), zone) - _MARGIN
    until = datetime.combine(last + timedelta(days=1), time(), zone) + _MARGIN
    found: dict[int, Delivery] = {}
    with ws.store() as ledger:
        ids = ledger.delivery_ids_with_events(since=since, until=until, kinds=_OUT_EVENTS)
        found |= {
            d.id: d
            for d in ledger.deliveries_of(ids=ids)
            if d.state in _OUT_STATES and (channels is None or d.channel in channels)
        }
        pages = keyset_pages(
            lambda after, size: ledger.upcoming_page(
                states=_LISTED, limit=size, after=after, channels=channels
            ),
            key=lambda d: d,
        )
        for page in pages:
            found |= {
                d.id: d for d in page if (at := _moment(d)) is not None and since <= at < until
            }
            if (page[-1].due_at or page[-1].created_at) >= until:
                break
    return build_calendar(found.values(), lens, first=first, last=last, audience=audience)


def build_calendar(
    deliveries: Iterable[Delivery],
    lens: Lens,
    *,
    first: date,
    last: date,
    audience: str | None = None,
) -> Calendar:
    """`deliveries` laid out on the days from `first` to `last`, in their channels' zones."""
    markers = audience_markers(lens)
    by_day: dict[date, list[CalendarEntry]] = {
        first + timedelta(days=n): [] for n in range((last - first).days + 1)
    }
    for d in deliveries:
        moment = _moment(d)
        if moment is None:
            continue
        zone = lens.zone(d.channel)
        local = moment.astimezone(ZoneInfo(zone))
        if local.date() not in by_day:
            continue
        kind = _kind(d, lens)
        by_day[local.date()].append(
            CalendarEntry(d, local.date(), f"{local:%H:%M}", zone, kind, _marker(lens, d, markers))
        )
    days = tuple(
        CalendarDay(day, tuple(sorted(entries, key=lambda e: (e.clock, e.delivery.channel))))
        for day, entries in by_day.items()
    )
    legend = [(m, a) for a, m in markers.items()] + [("*", "every audience")]
    return Calendar(first, last, audience, days, tuple(legend))


def _moment(d: Delivery) -> datetime | None:
    """When the delivery sits on the calendar: out, carried by its relay (its last
    change), or due."""
    if d.state is S.SENT:
        return d.sent_at
    if d.state is S.RELAYED:
        return d.updated_at
    if d.state in (S.FAILED, S.UNKNOWN):
        # Sent at once by `publish` it had no due time: its attempt's is the day.
        return d.due_at or d.updated_at
    return d.due_at


def _kind(d: Delivery, lens: Lens) -> Kind:
    if d.state is S.SENT:
        return "sent"
    if d.state is S.RELAYED:
        return "relayed"
    if d.state is S.FAILED:
        return "failed"
    if d.state is S.UNKNOWN:
        return "unknown"
    return "by_hand" if d.channel in lens.by_hand or d.state is S.MANUAL else "queued"


def _marker(lens: Lens, d: Delivery, markers: dict[str, str]) -> str:
    own = lens.audiences.get(d.channel, ())
    if len(own) == 1 and own[0] in markers:
        return markers[own[0]]
    return "*"  # every audience, several, or a channel no longer configured


def now_local(lens: Lens, now: datetime | None = None) -> date:
    """Today in `defaults.timezone`."""
    return (now or datetime.now(UTC)).astimezone(ZoneInfo(lens.default_zone)).date()
