"""The report's data: months, per-channel figures, posts and their copies, notes, and tables.

Everything here is a frozen dataclass.  `Report` is what the core hands back
(and what `--format json` prints, through each class's `to_json`); `Table`,
`Column`, `Row` and `Cell` are the one table model from which the terminal,
Markdown, CSV and HTML outputs are all drawn (`report.tables` fills them).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal
from zoneinfo import ZoneInfo

from ..errors import BadInput
from ..states import DeliveryState, Route

HISTORY_MONTHS = 6
MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip


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


# What a follower count or an engagement figure can be: a number `crosspost stats`
# read, a reading the network refused, or no reading at all.  The report writes
# the last two in words, never as 0: "not recorded" is not "nobody".
RECORDED, UNAVAILABLE, NOT_RECORDED = "recorded", "unavailable", "not recorded"


@dataclass(frozen=True)
class Count:
    """A follower count as the report knows it."""

    value: int | None = None
    status: str = NOT_RECORDED  # RECORDED, UNAVAILABLE or NOT_RECORDED

    @classmethod
    def of(cls, value: int) -> Count:
        return cls(value, RECORDED)

    def to_json(self) -> int | str:
        return self.value if self.value is not None else self.status


NOT_READ = Count()


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
    x_cost: Decimal | None = None  # estimated X API spend on what was sent (None: not X)
    # Followers at the month's start and end, from `crosspost stats` (report.audience).
    followers_start: Count = NOT_READ
    followers_end: Count = NOT_READ

    @property
    def followers_change(self) -> int | None:
        start, end = self.followers_start.value, self.followers_end.value
        return end - start if start is not None and end is not None else None

    @property
    def posted(self) -> int:
        """Copies that went out on this channel, by crosspost or by hand."""
        return self.sent + self.by_hand

    def to_json(self, *, audience: bool = False) -> dict[str, Any]:
        """Its figures; with `audience` (once stats were recorded), its followers too."""
        followers = {
            "start": self.followers_start.to_json(),
            "end": self.followers_end.to_json(),
            "change": self.followers_change,
        }
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
            "x_cost_usd": None if self.x_cost is None else str(self.x_cost),
        } | ({"followers": followers} if audience else {})


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

    @property
    def x_cost(self) -> Decimal | None:
        """The month's estimated X API spend over every X channel (None: no X channel)."""
        known = [c.x_cost for c in self.channels if c.x_cost is not None]
        return sum(known, Decimal(0)) if known else None

    def channel(self, name: str) -> ChannelFigures | None:
        return next((c for c in self.channels if c.channel == name), None)

    def to_json(self, *, audience: bool = False) -> dict[str, Any]:
        return {
            "month": self.month.label,
            "active": self.active,
            "channels": [c.to_json(audience=audience) for c in self.channels],
            "totals": {name: self.total(name) for name in FIGURES}
            | {
                "clicks": self.clicks,
                "x_cost_usd": None if self.x_cost is None else str(self.x_cost),
            },
        }


@dataclass(frozen=True)
class Copy:
    """One post on one channel, as it stood at the end of the month."""

    channel: str
    network: str
    state: DeliveryState
    route: Route
    url: str | None  # where the copy lives
    link: str | None  # the link it carried (a short link when shortened)
    at: datetime | None  # when it went out
    error: str | None = None
    clicks: int | None = None
    id: int | None = None  # the delivery's
    # Its engagement at the latest reading (metric -> count, None: refused);
    # None: never read.
    engagement: Mapping[str, int | None] | None = None

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
        } | ({} if self.engagement is None else {"engagement": self.engagement_json()})

    def engagement_json(self) -> dict[str, int | str]:
        assert self.engagement is not None
        return {k: UNAVAILABLE if v is None else v for k, v in self.engagement.items()}


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
    audience: str | None = None  # the brand the report is for; None: every channel
    shared: tuple[str, ...] = ()  # of its channels, those that serve every brand (`all`)
    lang: str = "en"  # the language its words, month names and numbers are written in
    # Channels fed by another's auto-share (`relayed_by`), and their source: what
    # they carry is shown as theirs, labelled, so a relayed Page never looks dead.
    relays: Mapping[str, str] = field(default_factory=dict)
    # Whether `crosspost stats` ever recorded a figure for its channels: only then do
    # the followers and engagement show ("not recorded" where a month has none).
    stats: bool = False
    # Channels with no figures to read (by hand, or `stats: false`): a dash, not
    # "not recorded", which would ask for a reading that can never come.
    without_figures: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.figures.active

    @property
    def months(self) -> tuple[MonthFigures, ...]:
        """History and the report month, oldest first (the chart's x axis)."""
        return (*self.history, self.figures)

    @property
    def clicks_requested(self) -> bool:
        """Whether the tables carry a Clicks column (asked for, even if unavailable)."""
        return self.clicks != "not requested"

    @property
    def clicks_available(self) -> bool:
        return self.clicks == "bit.ly"

    def channel_names(self) -> list[str]:
        names: dict[str, None] = {}
        for figures in self.months:
            names.update(dict.fromkeys(c.channel for c in figures.channels))
        return list(names)

    def to_json(self) -> dict[str, Any]:
        # A brand's report says whose it is; the whole report stays as it always was.
        brand = {"audience": self.audience, "shared_channels": list(self.shared)}
        return {
            "month": self.month.label,
            "title": self.month.title,
            "timezone": self.timezone,
            "generated_at": self.generated_at.isoformat(),
            "empty": self.empty,
            "clicks": self.clicks,
            "channels": self.figures.to_json(audience=self.stats),
            "posts": [p.to_json() for p in self.posts],
            "notes": [n.to_json() for n in self.notes],
            "history": [m.to_json(audience=self.stats) for m in self.history],
            "warnings": list(self.warnings),
        } | (brand if self.audience else {})


# -- the one table model --------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of a report table.

    `key` names the column for machine-readable output (the CSV's field
    names); `label` is its heading, and `terminal` its heading in the terminal
    where that differs.  A `grouped` column's cell belongs to a group of rows
    (the post a copy is of): tables for people show it on the group's first
    row only.  A column that is not `shown` is for machine-readable output only.
    """

    key: str
    label: str
    align: Literal["left", "right"] = "left"
    terminal: str | None = None
    grouped: bool = False
    shown: bool = True

    @property
    def terminal_label(self) -> str:
        return self.terminal or self.label


@dataclass(frozen=True)
class Cell:
    """One cell: the text people read, and what machine-readable output writes.

    `link` makes the text a link (a link without text gets each format's own
    label); `note` is a second line of detail (an error under a state);
    `css` is the class the HTML gives the cell.
    """

    text: str
    data: int | str | None = ""
    link: str | None = None
    note: str | None = None
    css: str | None = None

    @classmethod
    def of(cls, value: int | str) -> Cell:
        return cls(text=str(value), data=value)


@dataclass(frozen=True)
class Row:
    cells: tuple[Cell, ...]
    total: bool = False  # the table's total line
    first: bool = True  # the first row of its group (see Column.grouped)


@dataclass(frozen=True)
class Table:
    title: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]

    def cell(self, row: Row, key: str) -> Cell:
        """`row`'s cell in the column called `key`."""
        return row.cells[[c.key for c in self.columns].index(key)]

    def shown(self) -> Table:
        """The table for people: without its machine-readable-only columns."""
        return self.only([i for i, c in enumerate(self.columns) if c.shown])

    def only(self, keep: Sequence[int]) -> Table:
        """The table with only the columns at the indices `keep`, in their order."""
        return Table(
            title=self.title,
            columns=tuple(self.columns[i] for i in keep),
            rows=tuple(
                Row(cells=tuple(r.cells[i] for i in keep), total=r.total, first=r.first)
                for r in self.rows
            ),
        )
