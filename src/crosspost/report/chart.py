"""The HTML report's bar charts, as geometry: the template draws them as inline SVG.

Grouped bars, one group per month and one bar per channel, on a round axis.
Only numbers and colours are computed here; every piece of text (captions,
channel names) reaches the SVG through the template's autoescape.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from .model import ChannelFigures, Report

# Okabe-Ito: told apart by colour-blind readers, and printable.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
# Past eight channels the colours come round again, each time under a pattern of
# white marks, so no two channels ever look alike (nine channels of two brands
# is an ordinary set-up): plain, then stripes, dots, crosses, and so on.
PATTERNS = (None, "stripes", "dots", "cross", "rings")


@dataclass(frozen=True)
class Look:
    """How one channel's bars look: a colour, and a pattern over it (None: plain)."""

    colour: str
    pattern: str | None
    ident: str  # the SVG pattern's id, unique in the page

    @property
    def fill(self) -> str:
        return f"url(#{self.ident})" if self.pattern else self.colour


def look_of(index: int, chart: str) -> Look:
    """The `index`-th channel's look in the chart named `chart` (an id-safe word)."""
    colour = PALETTE[index % len(PALETTE)]
    pattern = PATTERNS[(index // len(PALETTE)) % len(PATTERNS)]
    if index >= len(PALETTE) * len(PATTERNS):  # past 40 channels: a thicker mark
        pattern = f"{pattern or 'stripes'}-bold"
    return Look(colour, pattern, f"{chart}-look-{index}")


WIDTH, HEIGHT = 760, 260
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 30, 28


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    fill: str  # a colour, or url(#pattern)
    channel: str
    month: str
    value: int


@dataclass(frozen=True)
class GridLine:
    y: float
    value: float


@dataclass(frozen=True)
class MonthGroup:
    """One month's bars, and its label centred under them at `x`."""

    x: float
    label: str
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    month: str
    value: int


@dataclass(frozen=True)
class Series:
    """One channel's line: its known points (a month without a count is left out)."""

    channel: str
    colour: str
    dash: str  # the SVG stroke-dasharray, "" for a solid line
    points: tuple[Point, ...]

    @property
    def path(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


@dataclass(frozen=True)
class Chart:
    caption: str
    grid: tuple[GridLine, ...]
    groups: tuple[MonthGroup, ...]
    legend: tuple[tuple[Look, str], ...]  # (look, channel)
    looks: tuple[Look, ...] = ()  # the patterned ones, defined once in the SVG
    lines: tuple[Series, ...] = ()  # a line chart's (its groups then hold no bars)
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = RIGHT


def bar_chart(
    report: Report,
    *,
    value: Callable[[ChannelFigures], int | None],
    caption: str,
    ident: str = "chart",
    label: Callable[[str], str] = str,
) -> Chart:
    """Each channel's `value` in each month of the report, as bars (`ident`: a word
    naming this chart's patterns apart from another chart's in the same page)."""
    months = report.months
    names = report.channel_names()
    looks = [look_of(i, ident) for i in range(len(names))]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    values = {
        (m.month.label, n): (value(c) if (c := m.channel(n)) is not None else 0) or 0
        for m in months
        for n in names
    }
    scale_max = _nice_ceiling(max(values.values(), default=0))
    group_w = plot_w / max(1, len(months))
    bar_w = max(2.0, min(28.0, (group_w * 0.8) / max(1, len(names))))
    grid = tuple(
        GridLine(y=TOP + plot_h - plot_h * i / 4, value=scale_max * i / 4) for i in range(5)
    )
    groups = []
    for g, m in enumerate(months):
        x0 = LEFT + g * group_w + (group_w - bar_w * len(names)) / 2
        bars = []
        for b, name in enumerate(names):
            v = values[(m.month.label, name)]
            h = plot_h * v / scale_max if scale_max else 0
            bars.append(
                Bar(
                    x=x0 + b * bar_w,
                    y=TOP + plot_h - h,
                    width=bar_w - 1,
                    height=h,
                    fill=looks[b].fill,
                    channel=name,
                    month=m.month.label,
                    value=v,
                )
            )
        label_x = LEFT + g * group_w + group_w / 2
        groups.append(MonthGroup(x=label_x, label=m.month.label, bars=tuple(bars)))
    legend = tuple(zip(looks, (label(n) for n in names), strict=True))
    patterned = tuple(look for look in looks if look.pattern)
    return Chart(caption=caption, grid=grid, groups=tuple(groups), legend=legend, looks=patterned)


def _nice_ceiling(value: int) -> float:
    """A round axis maximum at or above `value` (4 grid steps of 1, 2, 2.5 or 5 × 10^n)."""
    if value <= 0:
        return 4
    step = value / 4
    magnitude = 10 ** len(str(int(step))) / 10 if step >= 1 else 1
    for factor in (1, 2, 2.5, 5, 10):
        if magnitude * factor >= step:
            return magnitude * factor * 4
    return value


# A line's pattern, for past eight channels: the bars' patterns as dashes.
_DASHES = {None: "", "stripes": "7 3", "dots": "2 3", "cross": "9 3 2 3", "rings": "1 2"}


def line_chart(
    report: Report,
    *,
    value: Callable[[ChannelFigures], int | None],
    caption: str,
    ident: str = "lines",
    label: Callable[[str], str] = str,
) -> Chart:
    """Each channel's `value` month by month as a line (followers: counts that move by a
    few percent, so the axis spans the values, not zero to the top)."""
    months = report.months
    names = report.channel_names()
    looks = [look_of(i, ident) for i in range(len(names))]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    known = {
        (m.month.label, n): v
        for m in months
        for n in names
        if (c := m.channel(n)) is not None and (v := value(c)) is not None
    }
    low, high = _nice_range(min(known.values(), default=0), max(known.values(), default=0))
    step_x = plot_w / max(1, len(months))

    def y_of(v: float) -> float:
        return TOP + plot_h - plot_h * (v - low) / (high - low)

    grid = tuple(
        GridLine(y=y_of(low + (high - low) * i / 4), value=low + (high - low) * i / 4)
        for i in range(5)
    )
    groups = tuple(
        MonthGroup(x=LEFT + g * step_x + step_x / 2, label=m.month.label, bars=())
        for g, m in enumerate(months)
    )
    lines = []
    for look, name in zip(looks, names, strict=True):
        points = tuple(
            Point(x=groups[g].x, y=y_of(v), month=m.month.label, value=v)
            for g, m in enumerate(months)
            if (v := known.get((m.month.label, name))) is not None
        )
        if points:
            dash = _DASHES.get(look.pattern.removesuffix("-bold") if look.pattern else None, "")
            lines.append(Series(channel=name, colour=look.colour, dash=dash, points=points))
    # Only the channels drawn: a by-hand channel has no followers to plot.
    drawn = {s.channel for s in lines}
    legend = tuple((look, label(n)) for look, n in zip(looks, names, strict=True) if n in drawn)
    return Chart(caption=caption, grid=grid, groups=groups, legend=legend, lines=tuple(lines))


def _nice_range(low: int, high: int) -> tuple[float, float]:
    """Round axis bounds around [low, high], never below 0: four steps of 1, 2, 2.5 or 5
    × 10^n (a flat line gets a span of its own, so it sits mid-chart, not on an edge)."""
    span = high - low or max(4, high // 20)
    if high == low:
        low, high = max(0, low - span // 2), high + span // 2
    raw = span / 4
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    # Up to 20 × magnitude: then 3 steps exceed the span, so 4 from below `low` cover it.
    for factor in (1, 2, 2.5, 5, 10, 20):
        step = magnitude * factor
        bottom = max(0, math.floor(low / step) * step)
        if bottom + 4 * step >= high:
            return bottom, bottom + 4 * step
    return 0, high * 1.25
