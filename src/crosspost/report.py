"""The monthly report on the social presence, computed from the ledger.

Figures come from the ledger's events, which are never rewritten, so the
report for a past month says the same thing whenever it is produced: a post
that failed in November and went out in December counts as failed in
November and sent in December.  A delivery's state at the end of a month is
its events replayed up to that moment.

Months are calendar months in the configured time zone (`defaults.timezone`):
November in Europe/Paris starts at 2026-10-31T23:00Z.

Clicks (`add_clicks`) are bit.ly's count so far for each short link sent in
the month: every channel sends its own UTM-tagged link, so its clicks tell
which network brought readers.  They are credited to the month the link went
out, one request per link.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from .errors import BadInput, ClicksUnavailable
from .ledger import Delivery, Event, Ledger

HISTORY_MONTHS = 6
MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
# What a delivery is after each event kind; kinds not listed leave it as it was.
STATE_AFTER = {
    "created": "pending",
    "sending": "sending",
    "sent": "sent",
    "failed": "failed",
    "unknown": "unknown",
    "recovered": "unknown",
    "manual": "manual",
    "done": "sent",
    "skipped": "skipped",
    "relayed": "relayed",
    "cancelled": "cancelled",
    "retried": "pending",
    "forced": "pending",
}
# Events that mean something happened to a post this month (not mere bookkeeping).
_ACTIVITY = frozenset(STATE_AFTER) - {"created"}


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month, e.g. Month(2026, 11)."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str, *, today: datetime) -> Month:
        """`2026-11`, `this` or `last` (relative to `today`)."""
        value = text.strip().lower()
        current = cls(today.year, today.month)
        if value in ("this", "current"):
            return current
        if value in ("last", "previous"):
            return current.previous()
        found = re.fullmatch(r"(\d{4})-(\d{1,2})", value)
        if not found or not 1 <= int(found.group(2)) <= 12:
            raise BadInput(f"--month {text}: write a month like 2026-11 (or `last`, `this`)")
        return cls(int(found.group(1)), int(found.group(2)))

    def previous(self) -> Month:
        return Month(self.year - 1, 12) if self.month == 1 else Month(self.year, self.month - 1)

    def next(self) -> Month:
        return Month(self.year + 1, 1) if self.month == 12 else Month(self.year, self.month + 1)

    def start(self, tz: ZoneInfo) -> datetime:
        """Midnight on the 1st, local time (zoneinfo gives each instant its own offset)."""
        return datetime(self.year, self.month, 1, tzinfo=tz)

    def end(self, tz: ZoneInfo) -> datetime:
        return self.next().start(tz)

    @property
    def label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def title(self) -> str:
        return f"{MONTH_NAMES[self.month - 1]} {self.year}"

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True)
class ChannelFigures:
    """One channel's month."""

    channel: str
    network: str
    sent: int = 0  # published through the network's API (or confirmed after an unknown)
    by_hand: int = 0  # posted by a person and recorded with `crosspost done`
    relayed: int = 0  # carried to the channel by its relay (`relayed_by`)
    reposts: int = 0  # of sent + by_hand: posted directly because the relay chain was broken
    failed: int = 0  # failed, and still failed at the end of the month
    unknown: int = 0  # may or may not have been published, at the end of the month
    waiting: int = 0  # handed to a person, not yet done at the end of the month
    retries: int = 0  # attempts after the first
    notes: int = 0
    clicks: int | None = None  # None: not requested, unavailable, or links not shortened
    links: tuple[str, ...] = ()  # the links sent this month (short ones carry clicks)

    @property
    def posted(self) -> int:
        """Copies that went out on this channel, by crosspost or by hand."""
        return self.sent + self.by_hand

    def to_json(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "network": self.network,
            "posted": self.posted,
            "sent": self.sent,
            "by_hand": self.by_hand,
            "relayed": self.relayed,
            "reposts": self.reposts,
            "failed": self.failed,
            "unknown": self.unknown,
            "waiting": self.waiting,
            "retries": self.retries,
            "notes": self.notes,
            "clicks": self.clicks,
        }


FIGURES = (
    "posted", "sent", "by_hand", "relayed", "reposts", "failed", "unknown", "waiting",
    "retries", "notes",
)  # fmt: skip


@dataclass(frozen=True)
class MonthFigures:
    """Every channel's figures for one month."""

    month: Month
    channels: tuple[ChannelFigures, ...]
    active: bool  # anything at all happened (events or notes)

    def total(self, name: str) -> int:
        return sum(getattr(c, name) for c in self.channels)

    @property
    def clicks(self) -> int | None:
        known = [c.clicks for c in self.channels if c.clicks is not None]
        return sum(known) if known else None

    def channel(self, name: str) -> ChannelFigures | None:
        return next((c for c in self.channels if c.channel == name), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "month": self.month.label,
            "active": self.active,
            "channels": [c.to_json() for c in self.channels],
            "totals": {name: self.total(name) for name in FIGURES} | {"clicks": self.clicks},
        }


@dataclass(frozen=True)
class Copy:
    """One post on one channel, as it stood at the end of the month."""

    channel: str
    network: str
    state: str
    route: str
    url: str | None  # where the copy lives
    link: str | None  # the link it carried (a short link when shortened)
    at: datetime | None  # when it went out
    error: str | None = None
    clicks: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "network": self.network,
            "state": self.state,
            "route": self.route,
            "url": self.url,
            "link": self.link,
            "at": self.at.isoformat() if self.at else None,
            "error": self.error,
            "clicks": self.clicks,
        }


@dataclass(frozen=True)
class PostLine:
    """A post that had activity in the month, and its copies."""

    key: str  # the canonical URL (or the file path of a post without one)
    title: str
    url: str | None
    copies: tuple[Copy, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "url": self.url,
            "copies": [c.to_json() for c in self.copies],
        }


@dataclass(frozen=True)
class NoteLine:
    at: datetime
    channel: str | None
    text: str

    def to_json(self) -> dict[str, Any]:
        return {"at": self.at.isoformat(), "channel": self.channel, "text": self.text}


@dataclass(frozen=True)
class Report:
    month: Month
    timezone: str
    generated_at: datetime
    figures: MonthFigures
    posts: tuple[PostLine, ...]
    notes: tuple[NoteLine, ...]
    history: tuple[MonthFigures, ...]  # the months before, oldest first
    clicks: str = "not requested"  # "bit.ly", or "unavailable: why"
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def empty(self) -> bool:
        return not self.figures.active

    @property
    def months(self) -> tuple[MonthFigures, ...]:
        """History and the report month, oldest first (the chart's x axis)."""
        return (*self.history, self.figures)

    @property
    def clicks_available(self) -> bool:
        return self.clicks == "bit.ly"

    def channel_names(self) -> list[str]:
        names: dict[str, None] = {}
        for figures in self.months:
            names.update(dict.fromkeys(c.channel for c in figures.channels))
        return list(names)

    def to_json(self) -> dict[str, Any]:
        return {
            "month": self.month.label,
            "title": self.month.title,
            "timezone": self.timezone,
            "generated_at": self.generated_at.isoformat(),
            "empty": self.empty,
            "clicks": self.clicks,
            "channels": self.figures.to_json(),
            "posts": [p.to_json() for p in self.posts],
            "notes": [n.to_json() for n in self.notes],
            "history": [m.to_json() for m in self.history],
            "warnings": list(self.warnings),
        }


# -- computing ---------------------------------------------------------------------------


def build_report(
    ledger: Ledger,
    *,
    month: Month,
    timezone: str = "UTC",
    channels: Mapping[str, str] | None = None,
    history: int = HISTORY_MONTHS,
    now: datetime | None = None,
) -> Report:
    """The report for `month` from the ledger's deliveries, events and notes.

    `channels` (name -> network, in display order) are shown even when idle;
    channels found only in the ledger follow, by name.  `history` months before
    `month` are included, back to the first month the ledger has anything for.
    """
    tz = ZoneInfo(timezone)
    moment = now or datetime.now(UTC)
    end = month.end(tz)
    deliveries = {d.id: d for d in ledger.deliveries()}
    events = [e for e in ledger.events(until=end) if e.delivery_id in deliveries]
    notes = ledger.notes(until=end)
    months = [month]
    first = _first_month(events, notes, tz)
    while len(months) <= history and first is not None and months[0] > first:
        months.insert(0, months[0].previous())
    order = _channel_order(channels or {}, deliveries.values(), notes)
    networks = {d.channel: d.network for d in deliveries.values()} | dict(channels or {})
    computed = [_month_figures(m, tz, deliveries, events, notes, order, networks) for m in months]
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
    )


def _first_month(events: Sequence[Event], notes: Sequence[Any], tz: ZoneInfo) -> Month | None:
    times = [e.at for e in events] + [n.at for n in notes]
    if not times:
        return None
    earliest = min(times).astimezone(tz)
    return Month(earliest.year, earliest.month)


def _channel_order(
    configured: Mapping[str, str], deliveries: Iterable[Delivery], notes: Iterable[Any]
) -> list[str]:
    seen = {d.channel for d in deliveries} | {n.channel for n in notes if n.channel}
    return [*configured, *sorted(seen - set(configured))]


def _states_at(events: Sequence[Event], moment: datetime) -> dict[int, str]:
    """Each delivery's state just before `moment`, replaying its events."""
    return {i: state for i, (state, _) in _replay(events, moment).items()}


def _replay(events: Sequence[Event], moment: datetime) -> dict[int, tuple[str, str | None]]:
    """Each delivery's (state, error) just before `moment`.

    The error comes from the events too: the row holds only the latest one,
    and a failure settled since must still read as it was at the time.
    """
    out: dict[int, tuple[str, str | None]] = {}
    for e in events:
        if e.at >= moment:
            continue  # replayed in write order (id), which is the order that counts
        if e.delivery_id is not None and e.kind in STATE_AFTER:
            state = STATE_AFTER[e.kind]
            error = e.detail.get("error") if state in ("failed", "unknown") else None
            if e.kind == "recovered":
                error = f"interrupted while sending ({e.detail.get('why', 'unknown cause')})"
            out[e.delivery_id] = (state, str(error) if error else None)
    return out


def _month_figures(
    month: Month,
    tz: ZoneInfo,
    deliveries: Mapping[int, Delivery],
    events: Sequence[Event],
    notes: Sequence[Any],
    order: Sequence[str],
    networks: Mapping[str, str],
) -> MonthFigures:
    start, end = month.start(tz), month.end(tz)
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    links: dict[str, list[str]] = defaultdict(list)
    touched: set[int] = set()
    for e in events:
        if not start <= e.at < end or e.delivery_id is None:
            continue
        d = deliveries[e.delivery_id]
        c = counts[d.channel]
        if e.kind in _ACTIVITY:
            touched.add(d.id)
        if e.kind == "sent" or e.kind == "done":
            # `done` after an unknown confirms crosspost's own post; otherwise a person posted.
            confirmed = e.kind == "sent" or e.detail.get("from") == "unknown"
            c["sent" if confirmed else "by_hand"] += 1
            if d.route == "repost":
                c["reposts"] += 1
            if d.link and d.link not in links[d.channel]:
                links[d.channel].append(d.link)
        elif e.kind == "relayed":
            c["relayed"] += 1
        elif e.kind == "sending" and int(e.detail.get("attempt", 1) or 1) > 1:
            c["retries"] += 1
    at_end = _states_at(events, end)
    for delivery_id in touched:
        state = at_end.get(delivery_id)
        if state in ("failed", "unknown"):
            counts[deliveries[delivery_id].channel][state] += 1
        elif state == "manual":
            counts[deliveries[delivery_id].channel]["waiting"] += 1
    month_notes = [n for n in notes if start <= n.at < end]
    for n in month_notes:
        if n.channel:
            counts[n.channel]["notes"] += 1
    figures = tuple(
        ChannelFigures(
            channel=name,
            network=networks.get(name, "?"),
            links=tuple(links.get(name, ())),
            **dict(counts.get(name, {})),
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
    at_end = _replay(events, end)
    first_activity: dict[str, datetime] = {}
    sent_at: dict[int, datetime] = {}
    touched: set[int] = set()
    for e in events:
        if e.delivery_id is None or e.at >= end:
            continue
        if e.kind in ("sent", "done"):
            sent_at[e.delivery_id] = e.at
        if e.at >= start and e.kind in _ACTIVITY:
            touched.add(e.delivery_id)
            key = deliveries[e.delivery_id].post_key
            first_activity.setdefault(key, e.at)
    by_post: dict[str, list[Delivery]] = defaultdict(list)
    for d in deliveries.values():
        if d.post_key in first_activity:
            by_post[d.post_key].append(d)
    rank = {name: i for i, name in enumerate(order)}
    lines = []
    for key in sorted(by_post, key=lambda k: first_activity[k]):
        group = sorted(by_post[key], key=lambda d: rank.get(d.channel, len(rank)))
        copies = []
        for d in group:
            state, error = at_end.get(d.id, ("pending", None))
            went_out = state == "sent"
            copies.append(
                Copy(
                    channel=d.channel,
                    network=d.network,
                    state=state,
                    route=d.route,
                    url=d.remote_url if went_out else None,
                    link=d.link,
                    at=sent_at[d.id].astimezone(tz) if went_out and d.id in sent_at else None,
                    error=error,
                )
            )
        title = next((d.post_title for d in group if d.post_title), None) or key
        url = key if re.match(r"^https?://", key) else None
        lines.append(PostLine(key=key, title=title, url=url, copies=tuple(copies)))
    return tuple(lines)


# -- clicks ------------------------------------------------------------------------------------

BITLY_API = "https://api-ssl.bitly.com"


def add_clicks(
    report: Report,
    *,
    ledger: Ledger,
    token: str,
    api_url: str | None = None,
    timeout: float = 5.0,
) -> Report:
    """The report with each channel's clicks from bit.ly; never raises for a bit.ly fault.

    A channel-month whose links were not shortened has no clicks to count
    (None).  When bit.ly fails, the clicks stay unavailable and the report
    says why.  The token goes in a header only; no message ever holds it.
    """
    bitlinks = ledger.bitlink_ids()
    wanted = sorted(
        {
            bitlinks[link]
            for m in report.months
            for c in m.channels
            for link in c.links
            if link in bitlinks
        }
        | {
            bitlinks[cp.link]
            for p in report.posts
            for cp in p.copies
            if cp.link in bitlinks and cp.state == "sent"
        }
    )
    totals: dict[str, int] = {}
    problem: str | None = None
    if wanted:
        import requests

        session = requests.Session()
        session.headers.update({"Authorization": f"Bearer {token}"})
        base = (api_url or BITLY_API).rstrip("/")
        try:
            for bitlink in wanted:
                total = _clicks_of(session, base, bitlink, timeout)
                if total is not None:
                    totals[bitlink] = total
        except ClicksUnavailable as exc:
            problem = str(exc)
        finally:
            session.close()
    warnings = list(report.warnings)
    if problem is not None:
        return clicks_unavailable(report, problem)
    missing = [b for b in wanted if b not in totals]
    if missing:
        warnings.append(
            f"bit.ly does not know {len(missing)} link(s) (e.g. {missing[0]}): "
            "their clicks are left out"
        )
    shared = _shared_links(report, bitlinks)
    if shared:
        warnings.append(
            f"{shared[0][0]} was sent by {', '.join(shared[0][1])}: without UTM tags the "
            "channels share a link, and its clicks are counted for each of them"
        )

    def count(links: Iterable[str]) -> int | None:
        ids = [bitlinks[link] for link in links if link in bitlinks]
        if not ids or any(b not in totals for b in ids):
            return None
        return sum(totals[b] for b in ids)

    def with_clicks(figures: MonthFigures) -> MonthFigures:
        channels = tuple(
            replace(c, clicks=count(c.links) if c.links else (0 if c.posted == 0 else None))
            for c in figures.channels
        )
        return replace(figures, channels=channels)

    posts = tuple(
        replace(
            p,
            copies=tuple(
                replace(cp, clicks=count([cp.link]) if cp.link and cp.state == "sent" else None)
                for cp in p.copies
            ),
        )
        for p in report.posts
    )
    return replace(
        report,
        figures=with_clicks(report.figures),
        history=tuple(with_clicks(m) for m in report.history),
        posts=posts,
        clicks="bit.ly",
        warnings=tuple(warnings),
    )


def clicks_unavailable(report: Report, why: str) -> Report:
    """The report with its clicks marked unavailable, saying why."""
    return replace(
        report,
        clicks=f"unavailable: {why}",
        warnings=(*report.warnings, f"clicks unavailable: {why}"),
    )


def _clicks_of(session: Any, base: str, bitlink: str, timeout: float) -> int | None:
    """All clicks so far on one bitlink; None when bit.ly does not know it."""
    import requests

    url = f"{base}/v4/bitlinks/{bitlink}/clicks/summary"
    try:
        response = session.get(url, params={"unit": "day", "units": "-1"}, timeout=timeout)
    except requests.Timeout:
        raise ClicksUnavailable(f"bit.ly did not answer within {timeout:g} s") from None
    except requests.RequestException:
        raise ClicksUnavailable("cannot reach bit.ly") from None
    if response.status_code == 404:
        return None
    if response.status_code != 200:
        raise ClicksUnavailable(_bitly_refusal(response))
    try:
        return int(response.json()["total_clicks"])
    except (ValueError, KeyError, TypeError):
        raise ClicksUnavailable("bit.ly answered something unreadable") from None


def _bitly_refusal(response: Any) -> str:
    try:
        message = str(response.json().get("message") or "")[:80]
    except ValueError:
        message = ""
    why = {403: "the token was refused", 429: "rate limit reached, try later"}.get(
        response.status_code, message or "error"
    )
    return f"bit.ly answered HTTP {response.status_code} ({why})"


def _shared_links(report: Report, bitlinks: Mapping[str, str]) -> list[tuple[str, list[str]]]:
    users: dict[str, set[str]] = defaultdict(set)
    for m in report.months:
        for c in m.channels:
            for link in c.links:
                if link in bitlinks:
                    users[link].add(c.channel)
    return [(link, sorted(chs)) for link, chs in users.items() if len(chs) > 1]


def clicks_token(config: Any, *, sandbox_url: str | None = None) -> str:
    """The shortener's token for reading clicks; CredentialError (BadInput) when unset."""
    from .sending.credentials import resolve_credential

    if config.shortener is None:
        raise BadInput(
            f"{config.path} has no `shortener:` section, so no link was shortened and there "
            "are no clicks to count"
        )
    return resolve_credential(
        config.shortener.token, channel="shortener", field="token", sandbox=sandbox_url is not None
    )
