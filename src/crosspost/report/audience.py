"""The audience side of a report: followers per channel and each copy's engagement,
from what `crosspost stats` recorded (ledger migration 8).

A step after `build_report`, as clicks are: the figures of the months come from
the ledger's events, these from its readings.  A channel's followers "at the
start" of a month are its last known count before the 1st (a reading of the
last week of the month before), else its first known count in the month; "at
the end" its last known count in the month.  A month with readings that all
came back refused is "unavailable"; a month with none is "not recorded".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, timedelta

from ..ledger import AudiencePoint
from .model import (
    NOT_READ,
    UNAVAILABLE,
    ChannelFigures,
    Count,
    Month,
    MonthFigures,
    PostLine,
    Report,
)
from .window import ReportLedger

# How far before the 1st a reading still tells the month's starting count.
START_REACH = timedelta(days=7)


def add_audience(report: Report, ledger: ReportLedger) -> Report:
    """`report` with followers on every month's channels and engagement on its copies;
    as it was when no figure was ever recorded for its channels."""
    names = set(report.channel_names())
    first = report.months[0].month
    points = [
        p for p in ledger.audience(since=_first_day(first) - START_REACH) if p.channel in names
    ]
    ids = [cp.id for post in report.posts for cp in post.copies if cp.id is not None]
    engagement = ledger.engagement(ids) if ids else {}
    if not points and not engagement:
        return report
    by_channel: dict[str, list[AudiencePoint]] = {}
    for p in points:
        by_channel.setdefault(p.channel, []).append(p)
    months = tuple(_with_followers(m, by_channel) for m in report.months)
    return replace(
        report,
        figures=months[-1],
        history=months[:-1],
        posts=tuple(_with_engagement(post, engagement) for post in report.posts),
        stats=True,
    )


def _first_day(month: Month) -> date:
    return date(month.year, month.month, 1)


def _with_followers(
    figures: MonthFigures, by_channel: Mapping[str, Sequence[AudiencePoint]]
) -> MonthFigures:
    start = _first_day(figures.month)
    end = _first_day(figures.month.next())
    channels = []
    for c in figures.channels:
        points = by_channel.get(c.channel, ())
        inside = [p for p in points if start <= p.day < end]
        before = [p for p in points if start - START_REACH <= p.day < start]
        channels.append(_followers(c, before, inside))
    return replace(figures, channels=tuple(channels))


def _followers(
    c: ChannelFigures, before: Sequence[AudiencePoint], inside: Sequence[AudiencePoint]
) -> ChannelFigures:
    known_before = [p for p in before if p.followers is not None]
    known = [p for p in inside if p.followers is not None]
    if not inside and not known_before:
        return c
    if not known:
        refused = Count(None, UNAVAILABLE) if inside else NOT_READ
        last = known_before[-1].followers if known_before else None
        opening = Count.of(last) if last is not None else refused
        return replace(c, followers_start=opening, followers_end=refused)
    first = known_before[-1] if known_before else known[0]
    assert first.followers is not None and known[-1].followers is not None
    return replace(
        c, followers_start=Count.of(first.followers), followers_end=Count.of(known[-1].followers)
    )


def _with_engagement(
    post: PostLine, engagement: Mapping[int, Mapping[str, int | None]]
) -> PostLine:
    copies = tuple(
        replace(cp, engagement=dict(engagement[cp.id]))
        if cp.id is not None and cp.id in engagement
        else cp
        for cp in post.copies
    )
    return replace(post, copies=copies)
