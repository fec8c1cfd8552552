"""The ledger's side of the state machine: enums out, the table's rules in, typed errors."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crosspost.errors import (
    BadInput,
    ExitStatus,
    LedgerError,
    LedgerUnavailable,
    NotFound,
    WrongState,
)
from crosspost.ledger import (
    MIGRATIONS,
    Delivery,
    Ledger,
    SQLiteStore,
    Store,
    open_store,
    owner_id,
)
from crosspost.states import TRANSITIONS, DeliveryState, EventKind, Route, state_after


@pytest.fixture
def ledger(ledger_location: str) -> Iterator[Ledger]:
    """The ledger, once on SQLite and once on PostgreSQL (conftest.ledger_location)."""
    with open_store(Path(), ledger_location) as opened:
        yield opened  # type: ignore[misc]


def new(ledger: Store, channel: str = "x-main") -> Delivery:
    return ledger.ensure_delivery(
        post_key="https://blog.example/p/",
        post_path=None,
        post_title="P",
        content_hash="h",
        channel=channel,
        network="twitter",
        text="hello",
        parts=("hello",),
        link=None,
    )


def test_open_store_opens_the_ledger_of_a_home(tmp_path: Path) -> None:
    with open_store(tmp_path) as store:
        new(store)
        assert store.location == str(tmp_path / "ledger.sqlite3")
    assert Ledger is SQLiteStore
    with Ledger.open(tmp_path / "ledger.sqlite3") as again:
        assert [d.channel for d in again.deliveries()] == ["x-main"]


def test_states_routes_and_kinds_come_back_as_enums(ledger: Ledger) -> None:
    d = new(ledger)
    assert d.state is DeliveryState.PENDING and d.route is Route.DIRECT
    relayed = ledger.mark_relayed(d.id, via="fb-page")
    assert relayed.state is DeliveryState.RELAYED and relayed.route is Route.RELAYED
    assert [e.kind for e in ledger.events()] == [EventKind.CREATED, EventKind.RELAYED]
    assert all(isinstance(e.kind, EventKind) for e in ledger.events())
    # StrEnums are their strings: callers that compare with text keep working.
    assert relayed.state == "relayed" and f"{relayed.state}" == "relayed"


def test_each_event_replays_to_the_state_it_wrote(ledger: Ledger) -> None:
    """The report's replay (`state_after`) and the ledger agree, requeue included."""
    d = new(ledger)
    ledger.claim(d.id, owner=owner_id(), lease_seconds=60)
    ledger.mark_failed(d.id, kind="transient", error="HTTP 503", requeue=True)
    ledger.claim(d.id, owner=owner_id(), lease_seconds=60)
    ledger.mark_failed(d.id, kind="rejected", error="dup")
    ledger.reset_for_retry(d.id, reason="user")
    ledger.claim(d.id, owner=owner_id(), lease_seconds=60)
    ledger.mark_unknown(d.id, error="timeout")
    ledger.mark_done(d.id)
    ledger.reset_for_retry(d.id, reason="--force", force=True)
    state: DeliveryState | None = None
    replayed = []
    for event in ledger.events(delivery_id=d.id):
        if "from" in event.detail:
            assert event.detail["from"] == state
        state = state_after(event.kind, event.detail, state)
        replayed.append(state)
    assert replayed == [
        "pending",
        "sending",
        "pending",  # requeued: back in the queue, not failed
        "sending",
        "failed",
        "pending",
        "sending",
        "unknown",
        "sent",
        "pending",
    ]
    assert ledger.get(d.id).state == state


def test_a_refused_transition_is_wrong_state_with_what_is_allowed(ledger: Ledger) -> None:
    d = new(ledger)
    with pytest.raises(WrongState) as caught:
        ledger.mark_done(d.id)
    assert str(caught.value) == (
        f"cannot mark as done delivery {d.id} (x-main, https://blog.example/p/): it is pending,"
        " and only a delivery that is failed, unknown or manual can be"
    )
    assert isinstance(caught.value, LedgerError) and isinstance(caught.value, BadInput)
    assert caught.value.exit_code is ExitStatus.BAD_INPUT
    cancelled = ledger.cancel(d.id)
    with pytest.raises(WrongState, match=r"cannot cancel .* it is cancelled"):
        ledger.cancel(cancelled.id)
    with pytest.raises(NotFound):
        ledger.cancel(999)


@pytest.mark.parametrize("name", sorted(TRANSITIONS))
def test_every_transition_writes_its_own_event(name: str) -> None:
    """The table is the one source: each transition's event is a known kind."""
    transition = TRANSITIONS[name]
    assert transition.name == name and isinstance(transition.event, EventKind)
    assert transition.sources and all(isinstance(s, DeliveryState) for s in transition.sources)


def test_force_resends_a_manual_delivery(ledger: Ledger) -> None:
    """`publish --force` on a by-hand delivery used to fail: "it is manual"."""
    d = ledger.mark_manual(new(ledger, channel="mastodon").id)
    with pytest.raises(WrongState, match="it is manual"):
        ledger.reset_for_retry(d.id, reason="oops")
    forced = ledger.reset_for_retry(d.id, reason="--force", force=True)
    assert forced.state is DeliveryState.PENDING and forced.route is Route.DIRECT
    last = ledger.events(delivery_id=d.id)[-1]
    assert last.kind is EventKind.FORCED
    assert (last.detail["from"], last.detail["reason"]) == ("manual", "--force")
    assert ledger.mark_manual(d.id).state is DeliveryState.MANUAL  # handed over again


def test_force_from_a_state_nothing_moves_names_what_force_allows(ledger: Ledger) -> None:
    d = new(ledger)
    with pytest.raises(WrongState, match=r"cannot force a resend of .* it is pending"):
        ledger.reset_for_retry(d.id, reason="--force", force=True)
    cancelled = ledger.cancel(d.id)
    retried = ledger.reset_for_retry(cancelled.id, reason="--force", force=True)
    assert ledger.events(delivery_id=retried.id)[-1].kind is EventKind.RETRIED


def test_a_ledger_that_cannot_be_opened_is_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    Ledger.open(path).close()
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    raw.close()
    with pytest.raises(LedgerUnavailable, match="upgrade crosspost") as newer:
        Ledger.open(path)
    assert newer.value.exit_code is ExitStatus.BAD_INPUT
    junk = tmp_path / "junk" / "ledger.sqlite3"
    junk.parent.mkdir()
    junk.write_bytes(b"not a database at all, only some words" * 40)
    with pytest.raises(LedgerUnavailable, match="move it away"):
        Ledger.open(junk)
    blocked = tmp_path / "file"
    blocked.write_text("a file where the home directory should be")
    with pytest.raises(LedgerUnavailable, match="--home or CROSSPOST_HOME"):
        open_store(blocked / "home")


def test_a_failure_while_in_use_is_a_ledger_error_not_bad_input(ledger: Ledger) -> None:
    ledger.close()
    with pytest.raises(LedgerError) as caught:
        ledger.deliveries()
    assert not isinstance(caught.value, BadInput)
    assert caught.value.exit_code is ExitStatus.FAILED


def thread(ledger: Store) -> Delivery:
    return ledger.ensure_delivery(
        post_key="https://blog.example/t/",
        post_path=None,
        post_title="T",
        content_hash="h",
        channel="x-main",
        network="twitter",
        text="1/3",
        parts=("1/3", "2/3", "3/3"),
        link=None,
    )


def unknown_after(ledger: Ledger, delivery: Delivery, *parts: str) -> Delivery:
    claimed = ledger.claim(delivery.id, owner="test", lease_seconds=60)
    assert claimed is not None
    for index, remote_id in enumerate(parts):
        ledger.record_part(delivery.id, index=index, remote_id=remote_id)
    return ledger.mark_unknown(delivery.id, error="timed out")


def test_found_records_the_parts_it_found_and_replays_as_sent(ledger: Ledger) -> None:
    d = unknown_after(ledger, thread(ledger), "t1")
    with pytest.raises(ValueError, match="found 2 of 3 parts"):
        ledger.mark_found(d.id, part_ids=("t2",), remote_url=None, posted_at=None, checked="x")
    assert ledger.get(d.id).state is DeliveryState.UNKNOWN  # the refused write left nothing
    assert ledger.get(d.id).sent_parts == ("t1",)
    posted = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    found = ledger.mark_found(
        d.id, part_ids=("t2", "t3"), remote_url="https://x/t1", posted_at=posted, checked="read 3"
    )
    assert (found.state, found.sent_parts, found.remote_id) == (
        DeliveryState.SENT,
        ("t1", "t2", "t3"),
        "t1",
    )
    assert found.sent_at == posted and found.error is None
    history = ledger.events(delivery_id=d.id)
    assert [e.kind for e in history[-3:]] == [EventKind.PART, EventKind.PART, EventKind.FOUND]
    assert history[-1].detail["from"] == "unknown" and history[-1].detail["checked"] == "read 3"
    state = None
    for e in history:
        state = state_after(e.kind, e.detail, state)
    assert state is DeliveryState.SENT


def test_absent_goes_back_to_pending_after_the_parts_found(ledger: Ledger) -> None:
    d = unknown_after(ledger, thread(ledger), "t1")
    absent = ledger.mark_absent(d.id, part_ids=("t2",), checked="read 10 posts")
    assert (absent.state, absent.sent_parts, absent.error) == (
        DeliveryState.PENDING,
        ("t1", "t2"),
        None,
    )
    assert ledger.due(now=datetime.now(UTC))[0].id == d.id  # the next run sends it
    again = ledger.claim(d.id, owner="test", lease_seconds=60)
    assert again is not None and again.sent_parts == ("t1", "t2")  # resumes with part 3
    with pytest.raises(WrongState, match="absent"):
        ledger.mark_absent(d.id, checked="again")  # only from unknown


def test_checked_keeps_it_unknown_and_says_why(ledger: Ledger) -> None:
    d = unknown_after(ledger, new(ledger))
    checked = ledger.mark_checked(d.id, checked="read 500 posts", why="more posts than it reads")
    assert checked.state is DeliveryState.UNKNOWN and checked.error_kind == "unknown"
    assert checked.error == "still unknown after reading the network: more posts than it reads"
    assert ledger.claim(d.id, owner="test", lease_seconds=60) is None  # never claimable
    kinds = [e.kind for e in ledger.events(delivery_id=d.id)]
    assert kinds[-1] is EventKind.CHECKED


def test_parts_recorded_meanwhile_refuse_a_decision_read_before_them(ledger: Ledger) -> None:
    d = unknown_after(ledger, thread(ledger), "t1")
    ledger.mark_checked(d.id, part_ids=("t2",), checked="first reader", why="cut short")
    with pytest.raises(WrongState, match="2 parts are recorded, not 1"):
        ledger.mark_absent(d.id, part_ids=("t2",), checked="second reader", after=1)
    assert ledger.get(d.id).sent_parts == ("t1", "t2")  # nothing written twice


def test_a_network_without_a_listing_is_recorded_as_checked(ledger: Ledger) -> None:
    """An adapter with no `find` (a plugin network): nothing to read, said once an hour."""
    from crosspost.sending.reconcile import reconcile_one

    d = unknown_after(ledger, new(ledger))
    result = reconcile_one(ledger, object(), d)  # type: ignore[arg-type]
    assert result.delivery.state is DeliveryState.UNKNOWN
    assert "no listing" in result.checked and "check the account yourself" in result.note
    last = ledger.events(delivery_id=d.id)[-1]
    assert last.kind is EventKind.CHECKED  # updated_at moves: has_work waits an hour
    assert ledger.get(d.id).updated_at == last.at
