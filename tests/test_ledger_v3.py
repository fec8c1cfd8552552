"""A ledger written by crosspost 0794f72 (schema version 3) opens and works.

Opening it applies migration 4 (the short-link claims table) and migration 5
(due now stored as the epoch, the listings' indexes; see `test_ledger_v4.py`)
and changes nothing else.

`tests/data/ledger-v3.sql` is that release's ledger dumped as SQL text (see
`tests/data/make_ledger_v3.py`); each test loads it into a fresh file.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crosspost.ledger import MIGRATIONS, Ledger
from crosspost.ledger.models import LinkClaim
from crosspost.states import DeliveryState, EventKind, Route

DUMP = Path(__file__).parent / "data" / "ledger-v3.sql"
T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
HELLO = "https://blog.example/2024/hello/"


@pytest.fixture
def path(tmp_path: Path) -> Path:
    path = tmp_path / "ledger.sqlite3"
    raw = sqlite3.connect(path)
    try:
        raw.executescript(DUMP.read_text(encoding="utf-8"))
    finally:
        raw.close()
    return path


def schema(path: Path) -> tuple[int, list[tuple[str, str]]]:
    raw = sqlite3.connect(path)
    try:
        version = raw.execute("PRAGMA user_version").fetchone()[0]
        rows = raw.execute("SELECT name, sql FROM sqlite_master ORDER BY name").fetchall()
    finally:
        raw.close()
    return version, rows


def test_opening_adds_the_short_link_claims_and_changes_nothing_else(path: Path) -> None:
    version, before = schema(path)
    assert version == 3
    with Ledger.open(path) as ledger:
        assert len(ledger.deliveries()) == 15
    version, after = schema(path)
    assert version == 8 == len(MIGRATIONS)
    # Migration 6 adds a column to deliveries: the rest is untouched.
    changed = {name for name, sql in before if (name, sql) not in set(after)}
    assert changed == {"deliveries"}
    added = {name for name, _ in set(after) - set(before)} - changed
    assert added == {
        "short_link_claims",
        "sqlite_autoindex_short_link_claims_1",
        # migration 5
        "deliveries_due_now_on_insert",
        "deliveries_due_now_on_update",
        "deliveries_upcoming",
        "deliveries_open",
        "deliveries_changed",
        "events_kind_at",
        # migration 6
        "deliveries_send_key_on_insert",
        # migration 7
        "channel_accounts",
        "sqlite_autoindex_channel_accounts_1",
        "marks",
        "sqlite_autoindex_marks_1",
        # migration 8
        "audience",
        "sqlite_autoindex_audience_1",
        "engagement",
        "sqlite_autoindex_engagement_1",
    }
    with Ledger.open(path):  # opened again, nothing is left to apply
        pass
    assert schema(path) == (version, after)


def test_every_upgraded_delivery_gets_a_send_key_of_its_own(path: Path) -> None:
    with Ledger.open(path) as ledger:
        keys = [d.key for d in ledger.deliveries()]
        assert len(keys) == 15 == len(set(keys))
        assert all(len(k) == 32 and int(k, 16) >= 0 for k in keys)
        again = [d.key for d in ledger.deliveries()]
    assert again == keys  # made once, by the migration, not on each read


def test_the_upgraded_ledger_claims_links_and_keeps_the_cached_ones(path: Path) -> None:
    cached = f"{HELLO}?utm_source=x-thread"
    new = f"{HELLO}?utm_source=fb"
    with Ledger.open(path) as ledger, Ledger.open(path) as other:
        me = ledger.owner_id()
        assert ledger.claim_short_link(cached, owner=me, lease_seconds=60) == LinkClaim(
            cached=("https://bit.ly/a", "bit.ly/a")
        )
        assert ledger.claim_short_link(new, owner=me, lease_seconds=60).claimed
        held = other.claim_short_link(new, owner="elsewhere.invalid:1:rnd-x", lease_seconds=60)
        assert (held.claimed, held.holder) == (False, me)
        ledger.save_short_link(new, short_url="https://bit.ly/n", bitlink_id="bit.ly/n")
        again = other.claim_short_link(new, owner="elsewhere.invalid:1:rnd-x", lease_seconds=60)
        assert again == LinkClaim(cached=("https://bit.ly/n", "bit.ly/n"))


def test_every_delivery_reads_back(path: Path) -> None:
    with Ledger.open(path) as ledger:
        by_channel = {d.channel: d for d in ledger.deliveries(post_key=HELLO)}
        assert {c: (d.state, d.route) for c, d in by_channel.items()} == {
            "x-pending": ("pending", "direct"),
            "x-sending": ("sending", "direct"),
            "x-thread": ("sent", "direct"),
            "x-failed": ("failed", "direct"),
            "x-requeued": ("pending", "direct"),
            "x-unknown": ("unknown", "direct"),
            "x-recovered": ("unknown", "direct"),
            "mastodon": ("manual", "direct"),
            "x-skipped": ("skipped", "direct"),
            "x-relayed": ("relayed", "relayed"),
            "x-cancelled": ("cancelled", "direct"),
            "x-retried": ("pending", "direct"),
            "x-forced": ("pending", "direct"),
            "x-updated": ("pending", "repost"),
        }
        assert all(isinstance(d.state, DeliveryState) for d in by_channel.values())
        assert all(isinstance(d.route, Route) for d in by_channel.values())
        pending = by_channel["x-pending"]
        assert pending.due_at == T0 + timedelta(days=2)
        assert pending.payload == {"title": "Hello", "image_alt": "a café"}
        assert pending.post_path == "content/hello.md" and pending.network == "twitter"
        assert by_channel["x-sending"].claimed_by == "build-host.invalid:4242:rnd-0794f72"
        assert by_channel["x-sending"].lease_until is not None
        thread = by_channel["x-thread"]
        assert thread.parts == ("1/3", "2/3", "3/3")
        assert thread.sent_parts == ("t1", "t2", "t3")
        assert (thread.remote_id, thread.remote_url) == ("t1", "https://x.example/t1")
        assert thread.sent_at is not None and thread.attempts == 1
        failed = by_channel["x-failed"]
        assert (failed.error_kind, failed.error) == ("rejected", "duplicate status")
        requeued = by_channel["x-requeued"]
        assert (requeued.error_kind, requeued.due_at) == ("transient", T0 + timedelta(hours=1))
        assert by_channel["x-unknown"].sent_parts == ("u1",)
        # Kept as the version that wrote it worded it.
        assert by_channel["x-recovered"].error == (
            "interrupted while sending: the post may or may not exist; check the network and "
            "run `crosspost publish --retry-unknown` or `crosspost done`"
        )
        assert by_channel["x-skipped"].error == "too old"
        forced = by_channel["x-forced"]
        assert (forced.remote_id, forced.sent_parts, forced.sent_at) == (None, (), None)
        assert by_channel["x-updated"].text == "v2" and by_channel["x-updated"].link is None
        [done] = ledger.deliveries(post_key="https://blog.example/2024/done-by-hand/")
        assert (done.state, done.remote_url) == ("sent", "https://mastodon.example/@me/1")


def test_events_read_back(path: Path) -> None:
    with Ledger.open(path) as ledger:
        events = ledger.events()
        assert len(events) == 46
        assert all(isinstance(e.kind, EventKind) for e in events)
        thread = ledger.find(post_key=HELLO, channel="x-thread")
        assert thread is not None
        assert [e.kind for e in ledger.events(delivery_id=thread.id)] == [
            "created",
            "sending",
            "part",
            "part",
            "sent",
        ]
        requeued = ledger.find(post_key=HELLO, channel="x-requeued")
        assert requeued is not None
        last = ledger.events(delivery_id=requeued.id)[-1]
        assert (last.kind, last.detail["requeued"], last.detail["from"]) == (
            "failed",
            True,
            "sending",
        )
        recovered = [e for e in events if e.kind == "recovered"]
        assert [(e.at, e.detail["why"]) for e in recovered] == [
            (T0 + timedelta(hours=1), "lease expired")
        ]
        assert ledger.events(since=T0, until=T0 + timedelta(hours=1))[0].kind == "sending"
        channel_events = [(e.channel, e.kind) for e in events if e.delivery_id is None]
        assert channel_events == [
            ("x-paused", "paused"),
            ("fb-page", "paused"),
            ("fb-page", "resumed"),
        ]


def test_links_channels_feeds_and_notes_read_back(path: Path) -> None:
    with Ledger.open(path) as ledger:
        assert ledger.get_short_link(f"{HELLO}?utm_source=x-thread") == (
            "https://bit.ly/a",
            "bit.ly/a",
        )
        assert ledger.get_short_link("https://blog.example/other/") == (
            "https://s.example/b",
            None,
        )
        assert ledger.bitlink_ids() == {"https://bit.ly/a": "bit.ly/a"}
        assert ledger.paused_channels() == {
            "x-paused": "auth refused: run `crosspost auth x-paused`"
        }
        feeds = ledger.feed_states()
        assert sorted(feeds) == ["blog", "news"]
        blog = feeds["blog"]
        assert (blog.status, blog.error, blog.etag) == ("error", "HTTP 500", '"abc"')
        assert (blog.last_pull, blog.last_ok) == (T0 + timedelta(hours=1), T0)
        assert feeds["news"].status == "not-modified"
        entries = ledger.seen_entries(feed="blog")
        assert [(e.entry_key, e.action, e.post_key) for e in entries] == [
            ("urn:1", "published", HELLO),
            ("urn:2", "review", None),
            ("urn:3", "skipped", None),
        ]
        assert [e.entry_key for e in ledger.seen_entries(post_key=HELLO)] == ["urn:1"]
        notes = ledger.notes()
        assert [(n.at, n.channel, n.text) for n in notes] == [
            (T0, "newsletter", "Shared in the alumni newsletter"),
            (T0 + timedelta(days=1), None, "Talked about it on the radio"),
        ]


def test_a_failed_delivery_from_the_old_ledger_is_retried_and_sent(path: Path) -> None:
    with Ledger.open(path) as ledger:
        failed = ledger.find(post_key=HELLO, channel="x-failed")
        assert failed is not None
        retried = ledger.reset_for_retry(failed.id, reason="queue retry")
        assert retried.state == "pending"
        claimed = ledger.claim(failed.id, owner=ledger.owner_id(), lease_seconds=60)
        assert claimed is not None and claimed.attempts == 2
        sent = ledger.mark_sent(failed.id, remote_id="r2", remote_url="https://x.example/r2")
        assert (sent.state, sent.error, sent.remote_id) == ("sent", None, "r2")
        assert [e.kind for e in ledger.events(delivery_id=failed.id)][-3:] == [
            "retried",
            "sending",
            "sent",
        ]
        # The thread half-sent before the upgrade resumes after its published part.
        unknown = ledger.find(post_key=HELLO, channel="x-unknown")
        assert unknown is not None
        ledger.reset_for_retry(unknown.id, reason="--retry-unknown")
        again = ledger.claim(unknown.id, owner="me", lease_seconds=60)
        assert again is not None and again.sent_parts == ("u1",)
        assert ledger.record_part(unknown.id, index=1, remote_id="u2").sent_parts == ("u1", "u2")
    assert schema(path)[0] == len(MIGRATIONS)
