"""The HTML report's bar charts, as geometry: the template draws them as inline SVG.

Grouped bars, one group per month and one bar per channel, on a round axis.
Only numbers and colours are computed here; every piece of text (captions,
channel names) reaches the SVG through the template's autoescape.
"""

from __future__ import annotations

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
class Chart:
    caption: str
    grid: tuple[GridLine, ...]
    groups: tuple[MonthGroup, ...]
    legend: tuple[tuple[Look, str], ...]  # (look, channel)
    looks: tuple[Look, ...] = ()  # the patterned ones, defined once in the SVG
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
