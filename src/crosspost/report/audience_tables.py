"""The report's audience tables and engagement cells (shown once `crosspost stats` has
recorded anything for its channels: `Report.stats`)."""

from __future__ import annotations

from collections.abc import Mapping

from ..networks.base import METRICS
from .labels import format_number
from .model import (
    UNAVAILABLE,
    Cell,
    ChannelFigures,
    Column,
    Count,
    Report,
    Row,
    Table,
)
from .tables import by_month, channel_cell, w

# The CSV's field for each metric of a copy.
ENGAGEMENT_FIELDS = tuple(f"engagement_{name}" for name in METRICS)


def count_cell(count: Count, report: Report, channel: str | None = None) -> Cell:
    """A follower count: the number, or "unavailable" / "not recorded" in words; a dash
    for a `channel` that has no figures to read (`Report.without_figures`)."""
    if channel in report.without_figures and count.value is None:
        return Cell("—", data=None)
    if count.value is not None:
        return Cell(format_number(count.value, report.lang), data=count.value)
    # In words in the CSV too: a French spreadsheet says "indisponible".
    said = w(report, "unavailable" if count.status == UNAVAILABLE else "not_recorded")
    return Cell(said, data=said)


def change_cell(c: ChannelFigures, report: Report) -> Cell:
    """`+25`, `−3` (a true minus sign), `0`; a dash when either end is not known."""
    change = c.followers_change
    if change is None:
        return Cell("—", data=None)
    sign = "+" if change > 0 else ("\u2212" if change < 0 else "")
    return Cell(sign + format_number(abs(change), report.lang), data=change)


def audience_table(report: Report) -> Table:
    """Each channel's followers at the month's start and end, and the change."""
    columns = (
        Column("channel", w(report, "channel")),
        Column("followers_start", w(report, "followers_start"), "right"),
        Column("followers_end", w(report, "followers_end"), "right"),
        Column("followers_change", w(report, "followers_change"), "right"),
    )
    rows = tuple(
        Row(
            (
                channel_cell(c.channel, report, relays=True),
                count_cell(c.followers_start, report, c.channel),
                count_cell(c.followers_end, report, c.channel),
                change_cell(c, report),
            )
        )
        for c in report.figures.channels
    )
    return Table(w(report, "audience"), columns, rows)


def followers_history(report: Report) -> Table:
    """Followers at the end of each month, per channel: the audience curve as figures."""

    def cell(c: ChannelFigures | None) -> Cell:
        return count_cell(c.followers_end, report, c.channel) if c else count_cell(Count(), report)

    return by_month(report, "followers_history", cell)


def engagement_columns(report: Report) -> list[Column]:
    """The posts table's engagement: one column for people, one per metric for the CSV."""
    shown = Column("engagement", w(report, "engagement"), terminal=w(report, "engagement").lower())
    hidden = [Column(f, f, "right", shown=False) for f in ENGAGEMENT_FIELDS]
    return [shown, *hidden]


# What counts as an interaction: what a reader did with the post (LinkedIn's clicks,
# like bit.ly's, are visits, and stay in the CSV).
INTERACTIONS = ("likes", "comments", "shares", "quotes")


def engagement_cells(
    engagement: Mapping[str, int | None] | None, report: Report, *, went_out: bool
) -> list[Cell]:
    """A copy's engagement: `27 / 476` (interactions / impressions) for people, short
    enough for a terminal at 80 columns, and each metric's count for the CSV (or
    "unavailable", or empty where the network gives no such figure)."""
    if not went_out:
        return [Cell("")] + [Cell("", data=None) for _ in METRICS]
    if engagement is None:
        said = w(report, "not_recorded")
        return [Cell(said, data=None)] + [Cell("", data=said) for _ in METRICS]
    refused = w(report, "unavailable")
    given = [engagement[n] for n in INTERACTIONS if n in engagement]
    if not given:
        acted = "—"
    elif None in given:
        acted = refused
    else:
        acted = format_number(sum(v for v in given if v is not None), report.lang)
    summary = acted
    if "impressions" in engagement:
        seen = engagement["impressions"]
        summary += " / " + (refused if seen is None else format_number(seen, report.lang))
    each = [
        Cell("", data=(refused if engagement[n] is None else engagement[n]))
        if n in engagement
        else Cell("", data=None)  # the network gives no such figure
        for n in METRICS
    ]
    return [Cell(summary, data=None), *each]
