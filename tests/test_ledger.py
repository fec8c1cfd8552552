"""The delivery ledger, on real SQLite files, with real concurrent processes."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from crosspost.errors import LedgerError, NotFound
from crosspost.ledger import (
    INTERRUPTED_ERROR,
    MIGRATIONS,
    STATES,
    Delivery,
    Ledger,
    default_ledger_path,
    is_postgres_url,
    open_store,
    owner_id,
)
from crosspost.ledger.sqlite.deliveries import _DUE_SQL

T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
POST = "https://blog.example/2024/hello/"
HAS_PROC = Path("/proc/self/stat").exists()


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "home" / "ledger.sqlite3"


@pytest.fixture
def ledger(ledger_location: str) -> Iterator[Ledger]:
    """The ledger, once on SQLite and once on PostgreSQL (conftest.ledger_location)."""
    with open_store(Path(), ledger_location) as opened:
        yield opened  # type: ignore[misc]


@pytest.fixture
def sqlite_ledger(path: Path) -> Iterator[Ledger]:
    """For what only a SQLite file has (pragmas, query plans)."""
    with Ledger.open(path) as opened:
        yield opened


def new_delivery(
    ledger: Ledger,
    *,
    post_key: str = POST,
    channel: str = "x-main",
    parts: tuple[str, ...] = ("Hello, world",),
    due_at: datetime | None = None,
) -> Delivery:
    return ledger.ensure_delivery(
        post_key=post_key,
        post_path="content/hello.md",
        post_title="Hello",
        content_hash="sha256:aaa",
        channel=channel,
        network="twitter",
        text=parts[0],
        parts=parts,
        link="https://blog.example/2024/hello/?utm_source=x",
        due_at=due_at,
    )


def in_state(ledger: Ledger, state: str, *, channel: str = "x-main") -> Delivery:
    """A delivery driven to `state` through the public API only."""
    d = new_delivery(ledger, channel=channel, parts=("one", "two", "three"))
    if state == "pending":
        return d
    if state in ("manual", "skipped", "relayed", "cancelled"):
        act: dict[str, Callable[[], Delivery]] = {
            "manual": lambda: ledger.mark_manual(d.id),
            "skipped": lambda: ledger.mark_skipped(d.id, reason="not this one"),
            "relayed": lambda: ledger.mark_relayed(d.id, via="fb-page"),
            "cancelled": lambda: ledger.cancel(d.id),
        }
        return act[state]()
    assert ledger.claim(d.id, owner=owner_id(), lease_seconds=600) is not None
    if state == "sending":
        return ledger.get(d.id)
    if state == "sent":
        return ledger.mark_sent(d.id, remote_id="r1", remote_url="https://x.example/r1")
    if state == "failed":
        return ledger.mark_failed(d.id, kind="transient", error="HTTP 503")
    assert state == "unknown"
    return ledger.mark_unknown(d.id, error="read timed out")


def kinds(ledger: Ledger, delivery_id: int) -> list[str]:
    return [e.kind for e in ledger.events(delivery_id=delivery_id)]


# -- opening -------------------------------------------------------------------


def test_default_ledger_path(tmp_path: Path) -> None:
    assert default_ledger_path(tmp_path) == tmp_path / "ledger.sqlite3"


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_open_creates_private_dirs_and_file_whatever_the_umask(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "ledger.sqlite3"
    old = os.umask(0)
    try:
        with Ledger.open(path) as ledger:
            new_delivery(ledger)
            wal = path.with_name(path.name + "-wal")
            assert wal.exists()
            assert stat.S_IMODE(wal.stat().st_mode) == 0o600
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "a").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "a" / "b").stat().st_mode) == 0o700


def test_open_configures_the_connection(sqlite_ledger: Ledger, path: Path) -> None:
    conn = sqlite_ledger._conn
    assert conn.isolation_level is None
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 30_000
    # WAL is a property of the file: another connection sees it too.
    with sqlite3.connect(path) as other:
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_migrations_are_applied_once(path: Path) -> None:
    with Ledger.open(path) as ledger:
        first = new_delivery(ledger)
    with Ledger.open(path) as ledger:  # a second open must not re-run (or fail on) migration 1
        assert ledger.get(first.id) == first
    raw = sqlite3.connect(path)
    try:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        raw.close()
    assert {"deliveries", "events", "short_links", "channel_state"} <= tables


def test_a_ledger_from_a_newer_crosspost_is_refused(path: Path) -> None:
    Ledger.open(path).close()
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    raw.close()
    with pytest.raises(LedgerError, match="upgrade crosspost"):
        Ledger.open(path)


def test_a_file_that_is_not_a_ledger_is_refused(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(b"this is not a database, just some text that is long enough" * 20)
    with pytest.raises(LedgerError, match="not a crosspost ledger"):
        Ledger.open(path)


def test_the_ledger_refuses_cross_thread_use(ledger: Ledger) -> None:
    caught: list[BaseException] = []

    def use() -> None:
        try:
            ledger.deliveries()
        except BaseException as exc:
            caught.append(exc)

    thread = threading.Thread(target=use)
    thread.start()
    thread.join()
    assert len(caught) == 1 and isinstance(caught[0], LedgerError)


# -- creating and reading ---------------------------------------------------------


def test_ensure_delivery_creates_once_and_never_resets(ledger: Ledger) -> None:
    d = new_delivery(ledger, parts=("first", "second"))
    assert (d.state, d.attempts, d.route) == ("pending", 0, "direct")
    assert d.text == "first" and d.parts == ("first", "second")
    assert d.created_at.tzinfo is not None and d.created_at.utcoffset() == timedelta(0)
    assert ledger.claim(d.id, owner=owner_id(), lease_seconds=60) is not None

    again = new_delivery(ledger, parts=("other text",))
    assert again.id == d.id
    assert again.state == "sending" and again.parts == ("first", "second")
    assert kinds(ledger, d.id) == ["created", "sending"]
    assert ledger.find(post_key=POST, channel="x-main") == again
    assert ledger.find(post_key=POST, channel="nowhere") is None


def test_ensure_delivery_checks_its_input(ledger: Ledger) -> None:
    single = ledger.ensure_delivery(
        post_key="p",
        post_path=None,
        post_title=None,
        content_hash=None,
        channel="c",
        network="manual",
        text="only",
        parts=(),
        link=None,
    )
    assert single.parts == ("only",)
    with pytest.raises(ValueError, match="first of parts"):
        ledger.ensure_delivery(
            post_key="q",
            post_path=None,
            post_title=None,
            content_hash=None,
            channel="c",
            network="manual",
            text="a",
            parts=("b",),
            link=None,
        )
    with pytest.raises(ValueError, match="route"):
        ledger.ensure_delivery(
            post_key="q",
            post_path=None,
            post_title=None,
            content_hash=None,
            channel="c",
            network="manual",
            text="a",
            parts=("a",),
            link=None,
            route="sideways",
        )
    assert ledger.find(post_key="q", channel="c") is None


def test_get_and_friends_raise_not_found(ledger: Ledger) -> None:
    with pytest.raises(NotFound):
        ledger.get(999)
    with pytest.raises(NotFound):
        ledger.claim(999, owner=owner_id(), lease_seconds=60)
    with pytest.raises(NotFound):
        ledger.mark_sent(999, remote_id="r", remote_url=None)


def test_deliveries_filters(ledger: Ledger) -> None:
    a = new_delivery(ledger, channel="x-main")
    b = new_delivery(ledger, channel="fb-page")
    c = new_delivery(ledger, post_key="https://blog.example/other/", channel="x-main")
    ledger.cancel(b.id)
    assert [d.id for d in ledger.deliveries()] == [a.id, b.id, c.id]
    assert [d.id for d in ledger.deliveries(post_key=POST)] == [a.id, b.id]
    assert [d.id for d in ledger.deliveries(channel="x-main")] == [a.id, c.id]
    assert [d.id for d in ledger.deliveries(states=["cancelled"])] == [b.id]
    assert [d.id for d in ledger.deliveries(post_key=POST, states=["pending"])] == [a.id]
    assert ledger.deliveries(states=[]) == []
    with pytest.raises(ValueError):
        ledger.deliveries(states=["bogus"])


def test_naive_datetimes_are_refused(ledger: Ledger) -> None:
    d = new_delivery(ledger)
    with pytest.raises(ValueError, match="timezone-aware"):
        ledger.due(now=datetime(2024, 5, 1, 9, 0))
    with pytest.raises(ValueError, match="timezone-aware"):
        ledger.claim(d.id, owner="o", lease_seconds=60, now=datetime(2024, 5, 1))


def test_times_round_trip_as_aware_utc(ledger: Ledger) -> None:
    paris = datetime(2024, 5, 1, 11, 0, tzinfo=ZoneInfo("Europe/Paris"))
    d = new_delivery(ledger, due_at=paris)
    assert d.due_at == T0 and d.due_at.tzinfo == UTC


# -- the state machine -------------------------------------------------------------

# operation -> (states it is allowed from, state it leads to, event it writes)
OPERATIONS: dict[str, tuple[tuple[str, ...], str | None, str]] = {
    "record_part": (("sending", "unknown"), None, "part"),
    "mark_sent": (("sending", "unknown"), "sent", "sent"),
    "mark_failed": (("sending",), "failed", "failed"),
    "mark_unknown": (("sending",), "unknown", "unknown"),
    "mark_manual": (("pending", "failed"), "manual", "manual"),
    "mark_done": (("manual", "unknown", "failed"), "sent", "done"),
    "mark_skipped": (("pending", "failed", "unknown", "manual"), "skipped", "skipped"),
    "mark_relayed": (("pending", "failed", "unknown", "manual"), "relayed", "relayed"),
    "cancel": (("pending", "failed", "unknown", "manual"), "cancelled", "cancelled"),
    "reset_for_retry": (("failed", "unknown", "skipped", "cancelled"), "pending", "retried"),
    "update_content": (("pending", "failed"), None, "updated"),
    "schedule": (("pending",), "pending", "scheduled"),
}


def run(ledger: Ledger, operation: str, delivery_id: int) -> Delivery:
    calls: dict[str, Callable[[], Delivery]] = {
        "record_part": lambda: ledger.record_part(delivery_id, index=0, remote_id="p0"),
        "mark_sent": lambda: ledger.mark_sent(delivery_id, remote_id="r9", remote_url=None),
        "mark_failed": lambda: ledger.mark_failed(delivery_id, kind="rejected", error="dup"),
        "mark_unknown": lambda: ledger.mark_unknown(delivery_id, error="timed out"),
        "mark_manual": lambda: ledger.mark_manual(delivery_id),
        "mark_done": lambda: ledger.mark_done(delivery_id, url="https://x.example/by-hand"),
        "mark_skipped": lambda: ledger.mark_skipped(delivery_id, reason="too old"),
        "mark_relayed": lambda: ledger.mark_relayed(delivery_id, via="fb-page"),
        "cancel": lambda: ledger.cancel(delivery_id),
        "reset_for_retry": lambda: ledger.reset_for_retry(delivery_id, reason="user asked"),
        "update_content": lambda: ledger.update_content(
            delivery_id,
            text="new",
            parts=("new", "text"),
            link=None,
            content_hash="sha256:bbb",
            route="repost",
        ),
        "schedule": lambda: ledger.schedule(delivery_id, due_at=T0),
    }
    return calls[operation]()


@pytest.mark.parametrize("state", [s for s in STATES])
@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_every_transition_is_allowed_or_refused_whole(
    ledger: Ledger, operation: str, state: str
) -> None:
    allowed, target, event = OPERATIONS[operation]
    before = in_state(ledger, state)
    events_before = kinds(ledger, before.id)
    if state in allowed:
        after = run(ledger, operation, before.id)
        assert after == ledger.get(before.id)
        assert after.state == (target or state)
        assert after.lease_until is None or after.state == "sending"
        assert kinds(ledger, before.id) == [*events_before, event]
        assert ledger.events(delivery_id=before.id)[-1].channel == "x-main"
    else:
        with pytest.raises(LedgerError, match=f"it is {state}"):
            run(ledger, operation, before.id)
        assert ledger.get(before.id) == before
        assert kinds(ledger, before.id) == events_before


@pytest.mark.parametrize("state", STATES)
def test_claim_takes_only_pending_or_failed(ledger: Ledger, state: str) -> None:
    before = in_state(ledger, state)
    events_before = kinds(ledger, before.id)
    claimed = ledger.claim(before.id, owner="me", lease_seconds=60, now=T0)
    if state in ("pending", "failed"):
        assert claimed is not None
        assert claimed.state == "sending"
        assert claimed.claimed_by == "me"
        assert claimed.lease_until == T0 + timedelta(seconds=60)
        assert claimed.attempts == before.attempts + 1
        assert claimed.error is None
        last = ledger.events(delivery_id=before.id)[-1]
        assert (last.kind, last.detail["attempt"]) == ("sending", claimed.attempts)
    else:
        assert claimed is None
        assert ledger.get(before.id) == before
        assert kinds(ledger, before.id) == events_before


def test_claim_refuses_to_be_asked_for_unclaimable_states(ledger: Ledger) -> None:
    d = in_state(ledger, "unknown")
    for states in (("unknown",), ("sending",), ("pending", "sent")):
        with pytest.raises(ValueError, match="cannot claim"):
            ledger.claim(d.id, owner="me", lease_seconds=60, states=states)
    with pytest.raises(ValueError, match="lease_seconds"):
        ledger.claim(d.id, owner="me", lease_seconds=0)
    pending = new_delivery(ledger, channel="fb-page")
    assert ledger.claim(pending.id, owner="me", lease_seconds=60, states=("failed",)) is None


def test_a_thread_goes_out_part_by_part(ledger: Ledger) -> None:
    d = new_delivery(ledger, parts=("1/3", "2/3", "3/3"))
    claimed = ledger.claim(d.id, owner=owner_id(), lease_seconds=600)
    assert claimed is not None and claimed.claimed_by == owner_id()
    assert ledger.record_part(d.id, index=0, remote_id="t1").sent_parts == ("t1",)
    assert ledger.record_part(d.id, index=1, remote_id="t2").sent_parts == ("t1", "t2")
    # A repeat of the same part is harmless; a gap or a different id is not.
    assert ledger.record_part(d.id, index=1, remote_id="t2").sent_parts == ("t1", "t2")
    with pytest.raises(LedgerError, match="next is part 2"):
        ledger.record_part(d.id, index=3, remote_id="t4")
    with pytest.raises(LedgerError, match="next is part 2"):
        ledger.record_part(d.id, index=1, remote_id="other")
    sent = ledger.mark_sent(
        d.id, remote_id="t1", remote_url="https://x.example/t1", part_ids=("t1", "t2", "t3")
    )
    assert (sent.state, sent.remote_id, sent.sent_parts) == ("sent", "t1", ("t1", "t2", "t3"))
    assert sent.sent_at is not None and sent.lease_until is None and sent.attempts == 1
    assert kinds(ledger, d.id) == ["created", "sending", "part", "part", "sent"]
    parts = [e.detail for e in ledger.events(delivery_id=d.id) if e.kind == "part"]
    assert parts == [{"index": 0, "remote_id": "t1"}, {"index": 1, "remote_id": "t2"}]


def test_record_part_stops_at_the_last_part(ledger: Ledger) -> None:
    d = new_delivery(ledger, parts=("only",))
    ledger.claim(d.id, owner="me", lease_seconds=60)
    ledger.record_part(d.id, index=0, remote_id="a")
    with pytest.raises(LedgerError, match="1 of 1 parts"):
        ledger.record_part(d.id, index=1, remote_id="b")


def test_an_interrupted_thread_resumes_after_its_published_parts(ledger: Ledger) -> None:
    d = new_delivery(ledger, parts=("1/2", "2/2"))
    ledger.claim(d.id, owner="me", lease_seconds=60)
    ledger.record_part(d.id, index=0, remote_id="t1")
    ledger.mark_failed(d.id, kind="transient", error="HTTP 503", retry_at=T0)
    failed = ledger.get(d.id)
    assert (failed.error_kind, failed.retry_at, failed.sent_parts) == ("transient", T0, ("t1",))
    with pytest.raises(LedgerError, match="already published"):
        ledger.update_content(
            d.id, text="x", parts=("x",), link=None, content_hash="h", route="direct"
        )
    again = ledger.claim(d.id, owner="me", lease_seconds=60)
    assert again is not None and again.attempts == 2 and again.sent_parts == ("t1",)
    assert ledger.events(delivery_id=d.id)[-1].detail["resume_after_parts"] == 1
    assert ledger.record_part(d.id, index=1, remote_id="t2").sent_parts == ("t1", "t2")


def test_an_uncertain_outcome_is_never_recorded_as_failed(ledger: Ledger) -> None:
    d = in_state(ledger, "sending")
    with pytest.raises(ValueError, match="mark_unknown"):
        ledger.mark_failed(d.id, kind="unknown", error="timed out")
    assert ledger.get(d.id).state == "sending"


def test_unknown_goes_back_to_pending_only_on_request(ledger: Ledger) -> None:
    d = in_state(ledger, "unknown")
    ledger.record_part(d.id, index=0, remote_id="t1")  # a late part from the old attempt
    assert ledger.claim(d.id, owner="me", lease_seconds=60) is None
    retried = ledger.reset_for_retry(d.id, reason="--retry-unknown")
    assert (retried.state, retried.error, retried.sent_parts) == ("pending", None, ("t1",))
    last = ledger.events(delivery_id=d.id)[-1]
    assert last.kind == "retried"
    assert last.detail == {
        "from": "unknown",
        "reason": "--retry-unknown",
        "error": "read timed out",
    }
    assert ledger.claim(d.id, owner="me", lease_seconds=60) is not None


def test_a_late_answer_settles_an_unknown(ledger: Ledger) -> None:
    d = in_state(ledger, "unknown")
    sent = ledger.mark_sent(d.id, remote_id="r1", remote_url="https://x.example/r1")
    assert (sent.state, sent.error, sent.error_kind) == ("sent", None, None)


def test_a_sent_delivery_is_resent_only_with_force(ledger: Ledger) -> None:
    d = in_state(ledger, "sending")
    ledger.record_part(d.id, index=0, remote_id="t1")
    ledger.mark_sent(d.id, remote_id="t1", remote_url="https://x.example/t1")
    with pytest.raises(LedgerError, match="it is sent"):
        ledger.reset_for_retry(d.id, reason="oops")
    forced = ledger.reset_for_retry(d.id, reason="--force", force=True)
    assert forced.state == "pending"
    assert (forced.sent_parts, forced.remote_id, forced.remote_url, forced.sent_at) == (
        (),
        None,
        None,
        None,
    )
    last = ledger.events(delivery_id=d.id)[-1]
    assert last.kind == "forced"
    assert last.detail["remote_id"] == "t1" and last.detail["sent_parts"] == ["t1"]
    assert kinds(ledger, d.id) == ["created", "sending", "part", "sent", "forced"]


def test_the_send_key_holds_through_every_attempt_and_changes_only_with_force(
    ledger: Ledger,
) -> None:
    d = in_state(ledger, "sending")
    other = new_delivery(ledger, channel="fb-page")
    assert len(d.key) == 32 and d.key != other.key
    failed = ledger.mark_failed(d.id, kind="transient", error="503", retry_at=None, requeue=False)
    retried = ledger.reset_for_retry(failed.id, reason="retry")
    unknown = ledger.mark_unknown(ledger.claim(d.id, owner="me", lease_seconds=60).id, error="?")
    # A retry, a claim, an unknown answer: the network must see the same key each time.
    assert d.key == failed.key == retried.key == unknown.key == ledger.get(d.id).key
    ledger.mark_found(
        d.id, part_ids=("t1", "t2", "t3"), remote_url=None, posted_at=None, checked="3 posts"
    )
    forced = ledger.reset_for_retry(d.id, reason="--force", force=True)
    # Republished on purpose: a network keeping the old key must not take it for a retry.
    assert forced.key != d.key and len(forced.key) == 32


def test_a_channels_signed_in_account_and_the_machines_marks_are_kept(ledger: Ledger) -> None:
    assert ledger.channel_accounts() == {} and ledger.mark("run") is None
    ledger.record_account("x-main", network="twitter", account="@school", account_id="42")
    again = ledger.record_account("x-main", network="twitter", account="@group", by="Ana")
    assert ledger.channel_accounts() == {"x-main": again}  # a new sign-in replaces the old
    assert (again.account, again.account_id, again.recorded_by) == ("@group", None, "Ana")
    at = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
    ledger.set_mark("run", at)
    ledger.set_mark("run", at + timedelta(minutes=1))
    assert ledger.mark("run") == at + timedelta(minutes=1)


def test_relayed_is_forced_back_to_a_direct_post(ledger: Ledger) -> None:
    d = in_state(ledger, "relayed")
    assert d.route == "relayed"
    assert ledger.events(delivery_id=d.id)[-1].detail == {"from": "pending", "via": "fb-page"}
    forced = ledger.reset_for_retry(d.id, reason="relay broke", force=True)
    assert (forced.state, forced.route) == ("pending", "direct")


def test_a_manual_delivery_is_done_by_hand(ledger: Ledger) -> None:
    d = in_state(ledger, "manual")
    done = ledger.mark_done(d.id, url="https://mastodon.example/@me/1")
    assert (done.state, done.remote_url) == ("sent", "https://mastodon.example/@me/1")
    assert done.sent_at is not None
    assert kinds(ledger, d.id) == ["created", "manual", "done"]


def test_update_content_rewrites_only_what_changed(ledger: Ledger) -> None:
    d = new_delivery(ledger)
    same = ledger.update_content(
        d.id,
        text=d.text,
        parts=d.parts,
        link=d.link,
        content_hash=d.content_hash,
        route=d.route,
    )
    assert same == d and kinds(ledger, d.id) == ["created"]
    changed = ledger.update_content(
        d.id, text="v2", parts=("v2",), link=None, content_hash="sha256:v2", route="repost"
    )
    assert (changed.text, changed.parts, changed.link) == ("v2", ("v2",), None)
    assert (changed.content_hash, changed.route, changed.state) == (
        "sha256:v2",
        "repost",
        "pending",
    )
    assert ledger.events(delivery_id=d.id)[-1].detail["content_hash_before"] == "sha256:aaa"


def test_events_filter_by_time(ledger: Ledger) -> None:
    d = new_delivery(ledger)
    ledger.claim(d.id, owner="me", lease_seconds=60, now=T0)
    ledger.recover_stale(now=T0 + timedelta(hours=1))
    at = [e.at for e in ledger.events(delivery_id=d.id)]
    assert at[1:] == [T0, T0 + timedelta(hours=1)]
    window = ledger.events(since=T0, until=T0 + timedelta(hours=1))
    assert [e.kind for e in window] == ["sending"]
    assert [e.kind for e in ledger.events(since=T0 + timedelta(hours=1), until=at[0])] == [
        "recovered"
    ]


# -- stale claims --------------------------------------------------------------------


def test_an_expired_lease_becomes_unknown(ledger: Ledger) -> None:
    d = new_delivery(ledger)
    ledger.claim(d.id, owner=owner_id(), lease_seconds=60, now=T0)  # a live claimer
    assert ledger.recover_stale(now=T0 + timedelta(seconds=59)) == []
    [recovered] = ledger.recover_stale(now=T0 + timedelta(seconds=60))
    assert recovered.id == d.id
    assert (recovered.state, recovered.error_kind) == ("unknown", "unknown")
    assert recovered.error == INTERRUPTED_ERROR
    assert recovered.lease_until is None
    event = ledger.events(delivery_id=d.id)[-1]
    assert (event.kind, event.detail["why"]) == ("recovered", "lease expired")
    assert ledger.recover_stale(now=T0 + timedelta(hours=1)) == []


def test_a_claim_held_elsewhere_waits_for_its_lease(ledger: Ledger, ledger_location: str) -> None:
    d = new_delivery(ledger)
    elsewhere = "another-host.invalid:1:rnd-x"
    with connected_as(ledger_location, elsewhere):
        ledger.claim(d.id, owner=elsewhere, lease_seconds=60, now=T0)
        assert ledger.recover_stale(now=T0 + timedelta(seconds=30)) == []
        assert [r.id for r in ledger.recover_stale(now=T0 + timedelta(seconds=61))] == [d.id]


def test_each_part_recorded_renews_the_claims_lease(ledger: Ledger, ledger_location: str) -> None:
    d = new_delivery(ledger, parts=("one", "two", "three"))
    elsewhere = "another-host.invalid:1:rnd-x"
    with connected_as(ledger_location, elsewhere):
        claimed = ledger.claim(d.id, owner=elsewhere, lease_seconds=60)
        assert claimed is not None and claimed.lease_until is not None
        ledger.record_part(d.id, index=0, remote_id="p1")  # no renewal asked: unchanged
        assert ledger.get(d.id).lease_until == claimed.lease_until
        renewed = ledger.record_part(d.id, index=1, remote_id="p2", renew_seconds=3600)
        assert renewed.lease_until is not None
        assert renewed.lease_until - claimed.lease_until > timedelta(minutes=55)
        # Past the first lease, the claimer is still at work: its row is left alone...
        assert ledger.recover_stale(now=claimed.lease_until + timedelta(minutes=1)) == []
        # ... until the renewed lease runs out without another part.
        late = renewed.lease_until + timedelta(seconds=1)
        assert [r.id for r in ledger.recover_stale(now=late)] == [d.id]


@contextmanager
def connected_as(location: str, owner: str) -> Iterator[None]:
    """On PostgreSQL, a connection of `owner`'s, as a live worker on another host
    keeps while it sends (on SQLite nothing: another host is never checked)."""
    if not is_postgres_url(location):
        yield
        return
    import psycopg

    from crosspost.ledger.postgres.store import session_name

    with psycopg.connect(location, application_name=session_name(owner)):
        yield


def test_on_postgresql_a_claimer_elsewhere_without_a_connection_is_gone(pg_url: str) -> None:
    with open_store(Path(), pg_url) as ledger:
        d = new_delivery(ledger)
        elsewhere = "another-host.invalid:1:rnd-x"
        with connected_as(pg_url, elsewhere):
            ledger.claim(d.id, owner=elsewhere, lease_seconds=3600)
            assert ledger.recover_stale() == []
        # Its machine's process ended: the server closed its session, well before the lease.
        recovered = until_recovered(ledger)
        assert [r.id for r in recovered] == [d.id]
        assert ledger.events(delivery_id=d.id)[-1].detail["why"] == (
            "claiming process is gone (no connection to the ledger)"
        )


def until_recovered(ledger: Ledger, seconds: float = 10) -> list[Delivery]:
    """`recover_stale` until it recovers something: a server notices a closed
    connection a moment after its process died."""
    deadline = time.monotonic() + seconds
    while not (recovered := ledger.recover_stale()) and time.monotonic() < deadline:
        time.sleep(0.02)
    return recovered


@pytest.mark.skipif(not HAS_PROC, reason="needs /proc to tell a reused pid")
def test_a_reused_pid_is_not_mistaken_for_the_claimer(ledger: Ledger) -> None:
    host, pid, token = owner_id().split(":")
    boot, _, start = token.partition("@")
    assert pid == str(os.getpid())
    assert Ledger.owner_id() == owner_id()
    live = new_delivery(ledger, channel="live")
    reused = new_delivery(ledger, channel="reused")
    rebooted = new_delivery(ledger, channel="rebooted")
    ledger.claim(live.id, owner=owner_id(), lease_seconds=3600)
    ledger.claim(reused.id, owner=f"{host}:{pid}:{boot}@{int(start) + 1}", lease_seconds=3600)
    other_boot = "00000000-0000-0000-0000-000000000000"
    ledger.claim(rebooted.id, owner=f"{host}:{pid}:{other_boot}@{start}", lease_seconds=3600)
    recovered = ledger.recover_stale()
    assert sorted(r.id for r in recovered) == [reused.id, rebooted.id]
    assert ledger.get(live.id).state == "sending"


HOLDER = r"""
import sys, time
from pathlib import Path
from crosspost.ledger import open_store, owner_id
# The store stays open while it "sends", as a sender's does.
with open_store(Path(), sys.argv[1]) as ledger:
    assert ledger.claim(int(sys.argv[2]), owner=owner_id(), lease_seconds=3600) is not None
    print("claimed", flush=True)
    time.sleep(120)
"""


def start_holder(path: Path | str, delivery_id: int) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path), str(delivery_id)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "claimed"
    return proc


def wait_for_zombie(pid: int) -> None:
    for _ in range(2000):
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        if state == "Z":
            return
        time.sleep(0.005)
    raise AssertionError(f"process {pid} did not die")


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
def test_a_killed_claimer_is_recovered_at_once_and_a_live_one_is_not(
    ledger: Ledger, ledger_location: str
) -> None:
    a = new_delivery(ledger, channel="a")
    b = new_delivery(ledger, channel="b")
    holder_a = start_holder(ledger_location, a.id)
    holder_b = start_holder(ledger_location, b.id)
    try:
        assert f":{holder_a.pid}:" in str(ledger.get(a.id).claimed_by)
        assert ledger.recover_stale() == []  # both alive, leases an hour long

        holder_a.kill()
        holder_a.wait()
        [recovered] = until_recovered(ledger)
        assert recovered.id == a.id
        assert (recovered.state, recovered.error) == ("unknown", INTERRUPTED_ERROR)
        event = ledger.events(delivery_id=a.id)[-1]
        assert (event.kind, event.detail["why"]) == ("recovered", "claiming process is gone")
        untouched = ledger.get(b.id)
        assert untouched.state == "sending" and f":{holder_b.pid}:" in str(untouched.claimed_by)

        if HAS_PROC:  # killed but not yet reaped by its parent: a zombie is dead too
            os.kill(holder_b.pid, signal.SIGKILL)
            wait_for_zombie(holder_b.pid)
            assert [r.id for r in until_recovered(ledger)] == [b.id]
    finally:
        for proc in (holder_a, holder_b):
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            assert proc.stdout is not None
            proc.stdout.close()


# -- concurrency ----------------------------------------------------------------------

RACER = r"""
import json, sys, time
from pathlib import Path
from crosspost.ledger import open_store, owner_id
ready, go = Path(sys.argv[2]), Path(sys.argv[3])
ids = json.loads(sys.argv[4])
with open_store(Path(), sys.argv[1]) as ledger:
    ready.touch()
    while not go.exists():
        time.sleep(0.001)
    won = [i for i in ids if ledger.claim(i, owner=owner_id(), lease_seconds=600) is not None]
print(json.dumps(won))
"""

OPENER = r"""
import sys, time
from pathlib import Path
from crosspost.ledger import open_store
ready, go = Path(sys.argv[2]), Path(sys.argv[3])
ready.touch()
while not go.exists():
    time.sleep(0.001)
with open_store(Path(), sys.argv[1]) as ledger:
    ledger.deliveries()
print("ok")
"""


def race(
    script: str, path: Path | str, tmp_path: Path, *args: str, processes: int = 4
) -> list[str]:
    """Run `processes` copies of `script`, released together; their stdout."""
    go = tmp_path / "go"
    ready = [tmp_path / f"ready-{n}" for n in range(processes)]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(path), str(flag), str(go), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for flag in ready
    ]
    try:
        deadline = time.monotonic() + 60
        while not all(flag.exists() for flag in ready):
            assert time.monotonic() < deadline, "racers did not start"
            assert all(p.poll() is None for p in procs), [p.communicate() for p in procs]
            time.sleep(0.005)
        go.touch()
        outputs = []
        for proc in procs:
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
            outputs.append(out)
        return outputs
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def test_processes_racing_for_the_same_rows_win_each_exactly_once(
    ledger: Ledger, ledger_location: str, tmp_path: Path
) -> None:
    ids = [new_delivery(ledger, channel=f"c{n}").id for n in range(40)]
    outputs = race(RACER, ledger_location, tmp_path, json.dumps(ids))
    won = [json.loads(out) for out in outputs]
    assert sorted(i for wins in won for i in wins) == ids  # every row once, none twice
    for delivery_id in ids:
        d = ledger.get(delivery_id)
        assert (d.state, d.attempts) == ("sending", 1)
        assert kinds(ledger, delivery_id) == ["created", "sending"]


def test_processes_opening_a_new_ledger_at_once_all_succeed(
    ledger_location: str, tmp_path: Path
) -> None:
    # On PostgreSQL the migrations run under an advisory lock: applied once, by one of them.
    assert race(OPENER, ledger_location, tmp_path) == ["ok\n"] * 4
    with open_store(Path(), ledger_location) as ledger:
        assert ledger.schema_version() == len(MIGRATIONS)
        assert ledger.deliveries() == []


# -- due -------------------------------------------------------------------------------


def test_due_returns_pending_rows_whose_time_has_come(ledger: Ledger) -> None:
    undated = new_delivery(ledger, channel="undated")
    late = new_delivery(ledger, channel="late", due_at=T0 - timedelta(hours=2))
    recent = new_delivery(ledger, channel="recent", due_at=T0 - timedelta(hours=1))
    exact = new_delivery(ledger, channel="exact", due_at=T0)
    future = new_delivery(ledger, channel="future", due_at=T0 + timedelta(hours=1))
    in_state(ledger, "failed", channel="failed")
    in_state(ledger, "sent", channel="sent")
    claimed = new_delivery(ledger, channel="claimed", due_at=T0 - timedelta(days=1))
    ledger.claim(claimed.id, owner="me", lease_seconds=60)

    expected = [undated.id, late.id, recent.id, exact.id]
    assert [d.id for d in ledger.due(now=T0)] == expected
    assert [d.id for d in ledger.due(now=T0, limit=2)] == expected[:2]
    assert [d.id for d in ledger.due(now=T0 + timedelta(hours=1))] == [*expected, future.id]


def test_due_is_answered_through_its_index_on_a_large_table(
    sqlite_ledger: Ledger, path: Path
) -> None:
    ledger = sqlite_ledger
    stamp = "2024-01-01T00:00:00.000000Z"
    raw = sqlite3.connect(path, isolation_level=None)
    try:
        raw.execute("BEGIN")
        raw.executemany(
            "INSERT INTO deliveries (post_key, channel, network, state, text, parts,"
            " due_at, created_at, updated_at) VALUES (?, 'c', 'twitter', ?, 't', '[\"t\"]',"
            " ?, ?, ?)",
            (
                (
                    f"post-{n}",
                    "pending" if n % 1000 == 0 else "sent",
                    f"2024-04-{n % 28 + 1:02d}T00:00:00.000000Z",
                    stamp,
                    stamp,
                )
                for n in range(100_000)
            ),
        )
        raw.execute("COMMIT")
        for analyzed in (False, True):
            if analyzed:
                raw.execute("ANALYZE")
            plan = " | ".join(
                row[3]
                for row in raw.execute(f"EXPLAIN QUERY PLAN {_DUE_SQL}", {"now": stamp, "limit": 5})
            )
            assert "USING INDEX deliveries_due" in plan, plan
            # One range of it (due now is stored as the epoch), not every pending row.
            assert "(state=? AND due_at<?)" in plan, plan
            assert "TEMP B-TREE" not in plan, plan  # read in order, no sort of the table
    finally:
        raw.close()
    due = ledger.due(now=T0, limit=1000)
    assert len(due) == 100
    assert [d.due_at for d in due] == sorted(d.due_at for d in due if d.due_at)


# -- short links and channels ----------------------------------------------------------


def test_the_first_short_link_saved_wins(ledger: Ledger, ledger_location: str) -> None:
    long_url = "https://blog.example/2024/hello/?utm_source=x"
    assert ledger.get_short_link(long_url) is None
    assert ledger.save_short_link(
        long_url, short_url="https://bit.ly/a", bitlink_id="bit.ly/a"
    ) == (
        "https://bit.ly/a",
        "bit.ly/a",
    )
    with open_store(Path(), ledger_location) as other:  # a second process, the same URL
        kept = other.save_short_link(long_url, short_url="https://bit.ly/b", bitlink_id=None)
        assert kept == ("https://bit.ly/a", "bit.ly/a")
    assert ledger.get_short_link(long_url) == ("https://bit.ly/a", "bit.ly/a")


def test_channels_are_paused_and_resumed_with_events(ledger: Ledger) -> None:
    assert ledger.paused_channels() == {}
    ledger.set_paused("x-main", paused=True, reason="auth refused: run `crosspost auth x-main`")
    ledger.set_paused("x-main", paused=True, reason="auth refused: run `crosspost auth x-main`")
    ledger.set_paused("fb-page", paused=True)
    assert ledger.paused_channels() == {
        "fb-page": "",
        "x-main": "auth refused: run `crosspost auth x-main`",
    }
    ledger.set_paused("x-main", paused=False)
    assert ledger.paused_channels() == {"fb-page": ""}
    events = [(e.channel, e.kind, e.delivery_id) for e in ledger.events()]
    assert events == [
        ("x-main", "paused", None),
        ("fb-page", "paused", None),
        ("x-main", "resumed", None),
    ]
