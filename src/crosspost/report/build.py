"""The month's figures, computed from the ledger's deliveries, events and notes.

Figures come from the ledger's events, which are never rewritten, so the
report for a past month says the same thing whenever it is produced: a post
that failed in November and went out in December counts as failed in
November and sent in December.  A delivery's state at the end of a month is
its events replayed up to that moment, through `states.state_after`: the
same transition table the ledger writes with, read backwards.

Months are calendar months in the configured time zone (`defaults.timezone`):
November in Europe/Paris starts at 2026-10-31T23:00Z.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from ..ledger import Delivery, Event, Note
from ..pricing import X_PRICES, PriceTable, delivery_cost, is_priced
from ..states import TRANSITIONS, DeliveryState, EventKind, Route, state_after
from .brands import Brand
from .model import (
    HISTORY_MONTHS,
    ChannelFigures,
    Copy,
    Month,
    MonthFigures,
    NoteLine,
    PostLine,
    Report,
)
from .window import ReportLedger, first_event, read_window

S = DeliveryState
E = EventKind
# Events that move a delivery to a state of its own; the others (a content
# update, a thread part, a new due time) leave its state and error as they were.
_STATE_EVENTS = frozenset({E.CREATED} | {t.event for t in TRANSITIONS.values() if t.target})
# Events that mean something happened to a post this month (not mere bookkeeping).
_ACTIVITY = _STATE_EVENTS - {E.CREATED}
# A delivery still in one of these at the end of a month is counted under the figure.
_FIGURE_AT_END = {S.FAILED: "failed", S.UNKNOWN: "unknown", S.MANUAL: "waiting"}


def build_report(
    ledger: ReportLedger,
    *,
    month: Month,
    timezone: str = "UTC",
    channels: Mapping[str, str] | None = None,
    history: int = HISTORY_MONTHS,
    now: datetime | None = None,
    prices: PriceTable = X_PRICES,
    brand: Brand | None = None,
) -> Report:
    """The report for `month` from the ledger's deliveries, events and notes.

    `channels` (name -> network, in display order) are shown even when idle;
    channels found only in the ledger follow, by name.  `history` months before
    `month` are included, back to the first month the ledger has anything for.
    The X API spend is estimated at `prices` from what crosspost sent.
    With `brand`, every figure, post and note is of that brand's copies alone
    (`Brand.deliveries`), with the notes of its channels and those naming none.
    """
    tz = ZoneInfo(timezone)
    moment = now or datetime.now(UTC)
    end = month.end(tz)
    notes = ledger.notes(until=end)
    months = [month]
    first = _first_month(first_event(ledger, until=end), notes, tz)
    while len(months) <= history and first is not None and months[0] > first:
        months.insert(0, months[0].previous())
    # Only what these months need: the deliveries active in them, and their histories.
    deliveries, events = read_window(
        ledger, since=months[0].start(tz), start=month.start(tz), end=end, activity=_ACTIVITY
    )
    in_ledger = ledger.channel_networks()
    order = _channel_order(channels or {}, in_ledger, notes)
    if brand is not None:
        # Filtered here, before anything is counted: no other brand's copy, event or
        # note reaches a figure, a table or a chart.
        deliveries = brand.deliveries(deliveries)
        events = [e for e in events if e.delivery_id is None or e.delivery_id in deliveries]
        notes = [n for n in notes if n.channel is None or n.channel in brand.channels]
        order = [name for name in order if name in brand.channels]
    networks = dict(in_ledger) | dict(channels or {})
    computed = [
        _month_figures(m, tz, deliveries, events, notes, order, networks, prices) for m in months
    ]
    start = month.start(tz)
    month_notes = tuple(
        NoteLine(at=n.at.astimezone(tz), channel=n.channel, text=n.text)
        for n in notes
        if n.at >= start
    )
    return Report(
        month=month,
        timezone=timezone,
        generated_at=moment,
        figures=computed[-1],
        posts=_posts(start, end, tz, deliveries, events, order),
        notes=month_notes,
        history=tuple(computed[:-1]),
        audience=brand.name if brand is not None else None,
        shared=brand.shared if brand is not None else (),
    )


def _kind(event: Event) -> EventKind | None:
    """The event's kind; None for a kind this version does not know (left out)."""
    try:
        return EventKind(event.kind)
    except ValueError:
        return None


def _first_month(first: datetime | None, notes: Sequence[Note], tz: ZoneInfo) -> Month | None:
    times = [n.at for n in notes] + ([first] if first is not None else [])
    if not times:
        return None
    earliest = min(times).astimezone(tz)
    return Month(earliest.year, earliest.month)


def _channel_order(
    configured: Mapping[str, str], in_ledger: Iterable[str], notes: Iterable[Note]
) -> list[str]:
    seen = set(in_ledger) | {n.channel for n in notes if n.channel}
    return [*configured, *sorted(seen - set(configured))]


def replay(
    events: Sequence[Event], moment: datetime
) -> dict[int, tuple[DeliveryState, str | None]]:
    """Each delivery's (state, error) just before `moment`.

    The error comes from the events too: the row holds only the latest one,
    and a failure settled since must still read as it was at the time.  A
    failed attempt that was requeued (`requeued` in its detail) is pending
    again, as the ledger row is.
    """
    out: dict[int, tuple[DeliveryState, str | None]] = {}
    for e in events:
        if e.at >= moment:
            continue  # replayed in write order (id), which is the order that counts
        kind = _kind(e)
        if e.delivery_id is None or kind not in _STATE_EVENTS:
            continue
        before = out.get(e.delivery_id, (None, None))[0]
        state = state_after(kind, e.detail, before) or S.PENDING
        error = e.detail.get("error") if state in (S.FAILED, S.UNKNOWN) else None
        if kind is E.RECOVERED:
            error = f"interrupted while sending ({e.detail.get('why', 'unknown cause')})"
        out[e.delivery_id] = (state, str(error) if error else None)
    return out


def _month_figures(
    month: Month,
    tz: ZoneInfo,
    deliveries: Mapping[int, Delivery],
    events: Sequence[Event],
    notes: Sequence[Note],
    order: Sequence[str],
    networks: Mapping[str, str],
    prices: PriceTable = X_PRICES,
) -> MonthFigures:
    start, end = month.start(tz), month.end(tz)
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    spent: dict[str, Decimal] = {}
    links: dict[str, list[str]] = defaultdict(list)
    touched: set[int] = set()
    for e in events:
        kind = _kind(e)
        if not start <= e.at < end or e.delivery_id is None or kind is None:
            continue
        d = deliveries[e.delivery_id]
        c = counts[d.channel]
        if kind in _ACTIVITY:
            touched.add(d.id)
        if kind in (E.SENT, E.DONE, E.FOUND):
            # `done` after an unknown confirms crosspost's own post (as `found`, read on
            # the network, does); otherwise a person posted.
            confirmed = kind is not E.DONE or e.detail.get("from") == S.UNKNOWN
            c["sent" if confirmed else "by_hand"] += 1
            cost = delivery_cost(d.network, d.parts, d.payload, prices=prices)
            if confirmed and cost is not None:  # a person's paste goes through no API
                spent[d.channel] = spent.get(d.channel, Decimal(0)) + cost.total
            if d.route == Route.REPOST:
                c["reposts"] += 1
            if d.link and d.link not in links[d.channel]:
                links[d.channel].append(d.link)
        elif kind is E.RELAYED:
            c["relayed"] += 1
        elif kind is E.SENDING and int(e.detail.get("attempt", 1) or 1) > 1:
            c["retries"] += 1
    at_end = replay(events, end)
    for delivery_id in touched:
        state = at_end.get(delivery_id, (None, None))[0]
        if state in _FIGURE_AT_END:
            counts[deliveries[delivery_id].channel][_FIGURE_AT_END[state]] += 1
    month_notes = [n for n in notes if start <= n.at < end]
    for n in month_notes:
        if n.channel:
            counts[n.channel]["notes"] += 1
    # The counters by field name (sent, failed...): each is an int field of ChannelFigures.
    counted: dict[str, dict[str, Any]] = {name: dict(c) for name, c in counts.items()}
    figures = tuple(
        ChannelFigures(
            channel=name,
            network=networks.get(name, "?"),
            links=tuple(links.get(name, ())),
            x_cost=spent.get(name, Decimal(0)) if is_priced(networks.get(name, "")) else None,
            **counted.get(name, {}),
        )
        for name in order
    )
    return MonthFigures(month=month, channels=figures, active=bool(touched or month_notes))


def _posts(
    start: datetime,
    end: datetime,
    tz: ZoneInfo,
    deliveries: Mapping[int, Delivery],
    events: Sequence[Event],
    order: Sequence[str],
) -> tuple[PostLine, ...]:
    at_end = replay(events, end)
    first_activity: dict[str, datetime] = {}
    sent_at: dict[int, datetime] = {}
    for e in events:
        kind = _kind(e)
        if e.delivery_id is None or e.at >= end or kind is None:
            continue
        if kind in (E.SENT, E.DONE, E.FOUND):
            sent_at[e.delivery_id] = e.at
        if e.at >= start and kind in _ACTIVITY:
            first_activity.setdefault(deliveries[e.delivery_id].post_key, e.at)
    by_post: dict[str, list[Delivery]] = defaultdict(list)
    for d in deliveries.values():
        if d.post_key in first_activity:
            by_post[d.post_key].append(d)
    rank = {name: i for i, name in enumerate(order)}
    lines = []
    for key in sorted(by_post, key=lambda k: first_activity[k]):
        group = sorted(by_post[key], key=lambda d: rank.get(d.channel, len(rank)))
        copies = tuple(_copy(d, at_end.get(d.id, (S.PENDING, None)), sent_at, tz) for d in group)
        title = next((d.post_title for d in group if d.post_title), None) or key
        url = key if re.match(r"^https?://", key) else None
        lines.append(PostLine(key=key, title=title, url=url, copies=copies))
    return tuple(lines)


def _copy(
    d: Delivery,
    state_error: tuple[DeliveryState, str | None],
    sent_at: Mapping[int, datetime],
    tz: ZoneInfo,
) -> Copy:
    state, error = state_error
    went_out = state is S.SENT
    return Copy(
        channel=d.channel,
        network=d.network,
        state=state,
        route=Route(d.route),
        url=d.remote_url if went_out else None,
        link=d.link,
        at=sent_at[d.id].astimezone(tz) if went_out and d.id in sent_at else None,
        error=error,
        id=d.id,
    )
