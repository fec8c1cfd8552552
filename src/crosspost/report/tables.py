"""The report's tables and captions, as every format shows them.

Each table is built once here, as a `Table` of `Column`s and `Row`s of `Cell`s;
the terminal, Markdown, HTML and CSV outputs all draw from the same tables, so
a column (say Clicks) is added, named and computed in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from ..pricing import money
from ..states import DeliveryState, Route
from .labels import format_number, month_title, state_word, word
from .model import Cell, ChannelFigures, Column, MonthFigures, Report, Row, Table

# (heading, ChannelFigures attribute), in the order every format shows them.
COLUMNS = (
    ("Posted", "posted"),
    ("Sent", "sent"),
    ("By hand", "by_hand"),
    ("Relayed", "relayed"),
    ("Reposts", "reposts"),
    ("Failed", "failed"),
    ("Unknown", "unknown"),
    ("Waiting", "waiting"),
    ("Retries", "retries"),
    ("Notes", "notes"),
)
# The figures the history table follows month by month.
HISTORY_FIGURES = (
    "posted", "by_hand", "relayed", "reposts", "failed", "unknown", "retries", "notes",
)  # fmt: skip


def clicks_text(value: int | None, report: Report) -> str:
    """A click count as shown: a number, or a dash where there is nothing to count."""
    if value is None:
        return w(report, "unavailable") if report.clicks.startswith("unavailable") else "—"
    return format_number(value, report.lang)


def clicks_caption(report: Report) -> str:
    if report.clicks == "bit.ly":
        return w(report, "clicks_from")
    if report.clicks.startswith("unavailable"):
        return w(report, "clicks_unavailable", why=report.clicks.removeprefix("unavailable: "))
    return ""


def w(report: Report, key: str, **fields: object) -> str:
    """The report's word for `key`, in its language."""
    return word(report.lang, key, **fields)


def month_name(report: Report) -> str:
    return month_title(report.month.year, report.month.month, report.lang)


def number(value: int, report: Report) -> Cell:
    """A figure's cell: written as the report's language writes numbers."""
    return Cell(format_number(value, report.lang), data=value)


def legend(report: Report) -> str:
    """What the channel table's figures mean."""
    return w(report, "legend")


def empty_message(report: Report) -> str:
    return w(report, "empty", month=month_name(report))


def title(report: Report) -> str:
    brand = f" · {report.audience}" if report.audience else ""
    return w(report, "title", month=month_name(report)) + brand


def channel_cell(name: str, report: Report, *, relays: bool = False) -> Cell:
    """A channel's name, marked when it serves every brand (in a brand's report), and
    with `relays` (the channels table) when another channel's auto-share feeds it."""
    label = channel_label(name, report, relays=relays)
    return Cell(label, data=name) if label != name else Cell.of(name)


def channel_label(name: str, report: Report, *, relays: bool = True) -> str:
    """`x (all brands)`, `li (relayed by x)`, or the name alone."""
    if name in report.shared:
        return w(report, "all_brands", name=name)
    if relays and name in report.relays:
        return w(report, "relayed_by", name=name, source=report.relays[name])
    return name


def meta(report: Report) -> str:
    """The line under the title: time zone, when generated, where the clicks come from."""
    parts = [report.timezone, w(report, "generated", when=local_time(report.generated_at, report))]
    if clicks_caption(report):
        parts.append(clicks_caption(report))
    return " · ".join(parts)


def local_time(moment: datetime | None, report: Report) -> str:
    if moment is None:
        return ""
    return f"{moment.astimezone(ZoneInfo(report.timezone)):%Y-%m-%d %H:%M}"


def copy_state(state: DeliveryState, route: Route, lang: str = "en") -> str:
    if route is Route.REPOST and state is DeliveryState.SENT:
        return word(lang, "repost", state=state_word(state, lang))
    return state_word(state, lang)


def _clicks_column(report: Report) -> Column:
    return Column("clicks", w(report, "clicks"), "right", terminal=w(report, "clicks").lower())


def channel_table(
    figures: MonthFigures, report: Report, *, clicks: bool | None = None, x_cost: bool = True
) -> Table:
    """One month's figures per channel, and their total (Clicks when `clicks`, by
    default when the report asked for them; the X API spend when there is an X
    channel, unless not `x_cost`)."""
    with_clicks = report.clicks_requested if clicks is None else clicks
    columns = [Column("channel", w(report, "channel")), Column("network", w(report, "network"))]
    columns += [Column(name, w(report, name), "right") for _, name in COLUMNS]
    with_cost = x_cost and figures.x_cost is not None  # an X channel: its API bills posts
    rows = [_channel_row(c, report, with_clicks, with_cost) for c in figures.channels]
    total = [Cell(w(report, "total")), Cell("")]
    total += [number(figures.total(name), report) for _, name in COLUMNS]
    if with_clicks:
        columns.append(Column("clicks", w(report, "clicks"), "right"))
        total.append(Cell(clicks_text(figures.clicks, report), data=figures.clicks))
    if with_cost:
        columns.append(Column("x_cost", w(report, "x_cost"), "right"))
        total.append(_cost_cell(figures.x_cost, report))
    rows.append(Row(tuple(total), total=True))
    return Table(w(report, "channels"), tuple(columns), tuple(rows))


def _channel_row(c: ChannelFigures, report: Report, with_clicks: bool, with_cost: bool) -> Row:
    cells = [channel_cell(c.channel, report, relays=True), Cell.of(c.network)]
    cells += [number(getattr(c, name), report) for _, name in COLUMNS]
    if with_clicks:
        cells.append(Cell(clicks_text(c.clicks, report), data=c.clicks))
    if with_cost:
        cells.append(_cost_cell(c.x_cost, report))
    return Row(tuple(cells))


def _cost_cell(amount: Decimal | None, report: Report) -> Cell:
    """The estimated X API spend: `0.42` (USD; `0,42` in French), a dash for a channel
    X does not bill."""
    if amount is None:
        return Cell("—")
    shown = money(amount).removeprefix("$")
    return Cell(shown.replace(".", ",") if report.lang == "fr" else shown, data=str(amount))


def x_cost_line(figures: MonthFigures) -> str:
    """`Estimated X API spend: $0.42 (ebs-x $0.21, ginger-x $0.21)`; empty without X."""
    if figures.x_cost is None:
        return ""
    each = ", ".join(
        f"{c.channel} {money(c.x_cost)}" for c in figures.channels if c.x_cost is not None
    )
    return f"Estimated X API spend: {money(figures.x_cost)} ({each})"


def posts_table(report: Report) -> Table:
    """Each post with activity in the month, one row per copy, as it stood at month end."""
    with_clicks = report.clicks_requested
    columns = [
        Column(key, w(report, key), terminal=w(report, key).lower(), grouped=key == "post")
        for key in ("post", "channel", "network", "state", "at", "copy")
    ]
    columns[2] = Column("network", w(report, "network"), shown=False)
    if with_clicks:
        columns.append(_clicks_column(report))
    # audience_tables builds on this module's cells, hence imported here.
    from .audience_tables import engagement_cells, engagement_columns

    if report.stats:
        columns += engagement_columns(report)
    rows = []
    for post in report.posts:
        for i, cp in enumerate(post.copies):
            went_out = cp.state is DeliveryState.SENT
            cells = [
                Cell(post.title, link=post.url),
                channel_cell(cp.channel, report),
                Cell.of(cp.network),
                Cell(copy_state(cp.state, cp.route, report.lang), note=cp.error, css=str(cp.state)),
                Cell.of(local_time(cp.at, report)),
                Cell("", link=cp.url),
            ]
            if with_clicks:
                shown = clicks_text(cp.clicks, report) if went_out else ""
                cells.append(Cell(shown, data=cp.clicks))
            if report.stats:
                cells += engagement_cells(cp.engagement, report, went_out=went_out)
            rows.append(Row(tuple(cells), first=i == 0))
    return Table(w(report, "posts"), tuple(columns), tuple(rows))


def notes_table(report: Report) -> Table:
    columns = tuple(
        Column(key, w(report, label), terminal=w(report, label).lower())
        for key, label in (("at", "when"), ("channel", "channel"), ("text", "note"))
    )
    rows = tuple(
        Row((Cell.of(local_time(n.at, report)), Cell.of(n.channel or ""), Cell.of(n.text)))
        for n in report.notes
    )
    return Table(w(report, "notes_title"), columns, rows)


def history_table(report: Report) -> Table:
    """The report month and the months before it, totals only."""
    columns = [Column("month", w(report, "month"))]
    columns += [Column(name, w(report, name), "right") for name in HISTORY_FIGURES]
    if report.clicks_requested:
        columns.append(Column("clicks", w(report, "clicks"), "right"))
    rows = []
    for m in report.months:
        cells = [Cell.of(m.month.label)] + [number(m.total(n), report) for n in HISTORY_FIGURES]
        if report.clicks_requested:
            cells.append(Cell(clicks_text(m.clicks, report), data=m.clicks))
        rows.append(Row(tuple(cells)))
    return Table(w(report, "history"), tuple(columns), tuple(rows))


def history_by_channel(report: Report) -> Table:
    """Copies posted per channel, month by month."""
    return by_month(report, "by_channel", lambda c: number(c.posted if c else 0, report))


def by_month(
    report: Report, title_key: str, cell: Callable[[ChannelFigures | None], Cell]
) -> Table:
    """One row per channel, one column per month, each cell `cell` of the channel's
    figures that month (None: the channel did not exist yet)."""
    columns = [Column("channel", w(report, "channel"))]
    columns += [Column(m.month.label, m.month.label, "right") for m in report.months]
    rows = [
        Row((channel_cell(name, report), *(cell(m.channel(name)) for m in report.months)))
        for name in report.channel_names()
    ]
    return Table(w(report, title_key), tuple(columns), tuple(rows))
