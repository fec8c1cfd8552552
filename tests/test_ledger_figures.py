"""The ledger's figures (migration 8): follower counts per day, each post's engagement;
on both stores (conftest.ledger_location)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from crosspost.ledger import Delivery, Ledger, open_store, owner_id

T0 = datetime(2026, 11, 3, 6, 0, tzinfo=UTC)


@pytest.fixture
def ledger(ledger_location: str) -> Iterator[Ledger]:
    with open_store(Path(), ledger_location) as opened:
        yield opened  # type: ignore[misc]


def sent(ledger: Ledger, name: str, *, channel: str = "x-main") -> Delivery:
    d = ledger.ensure_delivery(
        post_key=f"https://blog.example/{name}/",
        post_path=None,
        post_title=name,
        content_hash="sha256:aaa",
        channel=channel,
        network="twitter",
        text=name,
        parts=(name,),
        link=None,
    )
    assert ledger.claim(d.id, owner=owner_id(), lease_seconds=600) is not None
    return ledger.mark_sent(d.id, remote_id=f"r-{name}", remote_url=None)


def test_a_reading_records_the_days_followers_and_each_posts_metrics(ledger: Ledger) -> None:
    one, two = sent(ledger, "one"), sent(ledger, "two")
    ledger.record_figures(
        "x-main",
        followers=3200,
        posts={one.id: {"likes": 4, "impressions": None}, two.id: {"likes": 0}},
        at=T0,
    )
    [point] = ledger.audience()
    assert (point.channel, point.day, point.followers, point.read_at) == (
        "x-main",
        date(2026, 11, 3),
        3200,
        T0,
    )
    assert ledger.engagement([one.id, two.id, 999]) == {
        one.id: {"impressions": None, "likes": 4},
        two.id: {"likes": 0},
    }


def test_a_refused_figure_never_erases_a_known_one(ledger: Ledger) -> None:
    one = sent(ledger, "one")
    ledger.record_figures("x-main", followers=3200, posts={one.id: {"impressions": 90}}, at=T0)
    later = T0 + timedelta(hours=3)
    ledger.record_figures("x-main", followers=None, posts={one.id: {"impressions": None}}, at=later)
    [point] = ledger.audience()
    assert point.followers == 3200 and point.read_at == later
    assert ledger.engagement([one.id]) == {one.id: {"impressions": 90}}
    # A new count the same day replaces the old one; the next day is a point of its own.
    ledger.record_figures("x-main", followers=3210, posts={one.id: {"impressions": 95}}, at=later)
    ledger.record_figures("x-main", followers=None, posts={}, at=T0 + timedelta(days=1))
    days = [(p.day.day, p.followers) for p in ledger.audience()]
    assert days == [(3, 3210), (4, None)]
    assert ledger.engagement([one.id]) == {one.id: {"impressions": 95}}


def test_audience_is_read_between_days_by_channel(ledger: Ledger) -> None:
    for day, channel, count in [(1, "x-main", 10), (2, "fb", 5), (3, "x-main", 12), (9, "fb", 7)]:
        at = datetime(2026, 11, day, 6, tzinfo=UTC)
        ledger.record_figures(channel, followers=count, posts={}, at=at)
    got = ledger.audience(since=date(2026, 11, 2), until=date(2026, 11, 9))
    assert [(p.channel, p.day.day, p.followers) for p in got] == [("fb", 2, 5), ("x-main", 3, 12)]


def test_sent_since_lists_only_sent_posts_with_a_remote_id(ledger: Ledger) -> None:
    one = sent(ledger, "one")
    pending = ledger.ensure_delivery(
        post_key="https://blog.example/later/",
        post_path=None,
        post_title="later",
        content_hash="sha256:bbb",
        channel="x-main",
        network="twitter",
        text="later",
        parts=("later",),
        link=None,
    )
    assert one.sent_at is not None
    got = ledger.sent_since(since=one.sent_at - timedelta(seconds=1))
    assert [d.id for d in got] == [one.id] and pending.id not in [d.id for d in got]
    assert ledger.sent_since(since=one.sent_at + timedelta(seconds=1)) == []
