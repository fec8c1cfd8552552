"""The report's tables and captions, as every format shows them.

Each table is built once here, as a `Table` of `Column`s and `Row`s of `Cell`s;
the terminal, Markdown, HTML and CSV outputs all draw from the same tables, so
a column (say Clicks) is added, named and computed in one place.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from ..states import DeliveryState, Route
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
LEGEND = (
    "Posted = sent by crosspost + posted by hand. Relayed: carried by another channel. "
    "Reposts: posted directly because the relay chain was broken. Failed, Unknown and "
    "Waiting (for someone to post by hand) are as at the end of the month. Retries: attempts "
    "after the first."
)
_LABELS = dict((name, heading) for heading, name in COLUMNS)


def clicks_text(value: int | None, report: Report) -> str:
    """A click count as shown: a number, or a dash where there is nothing to count."""
    if value is None:
        return "unavailable" if report.clicks.startswith("unavailable") else "—"
    return str(value)


def clicks_caption(report: Report) -> str:
    if report.clicks == "bit.ly":
        return "clicks from bit.ly: all clicks so far on the links sent in each month"
    if report.clicks.startswith("unavailable"):
        return f"clicks {report.clicks}"
    return ""


def empty_message(report: Report) -> str:
    return f"No activity in {report.month.title}: nothing was posted, failed or noted."


def title(report: Report) -> str:
    brand = f" · {report.audience}" if report.audience else ""
    return f"Social presence: {report.month.title}{brand}"


def channel_cell(name: str, report: Report) -> Cell:
    """A channel's name, marked when it serves every brand (in a brand's report)."""
    if name in report.shared:
        return Cell(f"{name} (all brands)", data=name)
    return Cell.of(name)


def meta(report: Report) -> str:
    """The line under the title: time zone, when generated, where the clicks come from."""
    parts = [report.timezone, f"generated {local_time(report.generated_at, report)}"]
    if clicks_caption(report):
        parts.append(clicks_caption(report))
    return " · ".join(parts)


def local_time(moment: datetime | None, report: Report) -> str:
    if moment is None:
        return ""
    return f"{moment.astimezone(ZoneInfo(report.timezone)):%Y-%m-%d %H:%M}"


def copy_state(state: DeliveryState, route: Route) -> str:
    if route is Route.REPOST and state is DeliveryState.SENT:
        return f"{state} (repost)"
    return str(state)


def _clicks_column() -> Column:
    return Column("clicks", "Clicks", "right", terminal="clicks")


def channel_table(figures: MonthFigures, report: Report, *, clicks: bool | None = None) -> Table:
    """One month's figures per channel, and their total (Clicks when `clicks`, by
    default when the report asked for them)."""
    with_clicks = report.clicks_requested if clicks is None else clicks
    columns = [Column("channel", "Channel"), Column("network", "Network")]
    columns += [Column(name, heading, "right") for heading, name in COLUMNS]
    rows = [_channel_row(c, report, with_clicks) for c in figures.channels]
    total = [Cell("Total"), Cell("")] + [Cell.of(figures.total(name)) for _, name in COLUMNS]
    if with_clicks:
        columns.append(Column("clicks", "Clicks", "right"))
        total.append(Cell(clicks_text(figures.clicks, report), data=figures.clicks))
    rows.append(Row(tuple(total), total=True))
    return Table("Channels", tuple(columns), tuple(rows))


def _channel_row(c: ChannelFigures, report: Report, with_clicks: bool) -> Row:
    cells = [channel_cell(c.channel, report), Cell.of(c.network)]
    cells += [Cell.of(getattr(c, name)) for _, name in COLUMNS]
    if with_clicks:
        cells.append(Cell(clicks_text(c.clicks, report), data=c.clicks))
    return Row(tuple(cells))


def posts_table(report: Report) -> Table:
    """Each post with activity in the month, one row per copy, as it stood at month end."""
    with_clicks = report.clicks_requested
    columns = [
        Column("post", "Post", terminal="post", grouped=True),
        Column("channel", "Channel", terminal="channel"),
        Column("network", "Network", shown=False),
        Column("state", "State", terminal="state"),
        Column("at", "Sent", terminal="sent"),
        Column("copy", "Copy", terminal="copy"),
    ]
    if with_clicks:
        columns.append(_clicks_column())
    rows = []
    for post in report.posts:
        for i, cp in enumerate(post.copies):
            went_out = cp.state is DeliveryState.SENT
            cells = [
                Cell(post.title, link=post.url),
                channel_cell(cp.channel, report),
                Cell.of(cp.network),
                Cell(copy_state(cp.state, cp.route), note=cp.error, css=str(cp.state)),
                Cell.of(local_time(cp.at, report)),
                Cell("", link=cp.url),
            ]
            if with_clicks:
                shown = clicks_text(cp.clicks, report) if went_out else ""
                cells.append(Cell(shown, data=cp.clicks))
            rows.append(Row(tuple(cells), first=i == 0))
    return Table("Posts", tuple(columns), tuple(rows))


def notes_table(report: Report) -> Table:
    columns = (
        Column("at", "When", terminal="when"),
        Column("channel", "Channel", terminal="channel"),
        Column("text", "Note", terminal="note"),
    )
    rows = tuple(
        Row((Cell.of(local_time(n.at, report)), Cell.of(n.channel or ""), Cell.of(n.text)))
        for n in report.notes
    )
    return Table("Notes", columns, rows)


def history_table(report: Report) -> Table:
    """The report month and the months before it, totals only."""
    columns = [Column("month", "Month")]
    columns += [Column(name, _LABELS[name], "right") for name in HISTORY_FIGURES]
    if report.clicks_requested:
        columns.append(Column("clicks", "Clicks", "right"))
    rows = []
    for m in report.months:
        cells = [Cell.of(m.month.label)] + [Cell.of(m.total(n)) for n in HISTORY_FIGURES]
        if report.clicks_requested:
            cells.append(Cell(clicks_text(m.clicks, report), data=m.clicks))
        rows.append(Row(tuple(cells)))
    return Table("History", tuple(columns), tuple(rows))


def history_by_channel(report: Report) -> Table:
    """Copies posted per channel, month by month."""
    columns = [Column("channel", "Channel")]
    columns += [Column(m.month.label, m.month.label, "right") for m in report.months]
    rows = []
    for name in report.channel_names():
        cells = [channel_cell(name, report)]
        for m in report.months:
            c = m.channel(name)
            cells.append(Cell.of(c.posted if c else 0))
        rows.append(Row(tuple(cells)))
    return Table("Posted per channel", tuple(columns), tuple(rows))
