"""A ledger written by crosspost e949b54 (schema version 4) opens and works.

Opening it applies migration 5: "due now" stored as the epoch instead of NULL
(so the due query reads one range of its index), two triggers that keep NULL
out, and the indexes of the listings.  What a user sees and what `run` sends
stay as they were: the expected values below are what the v4 code answered on
this very ledger.

`tests/data/ledger-v4.sql` is that release's ledger dumped as SQL text (see
`tests/data/make_ledger_v4.py`); each test loads it into a fresh file.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from crosspost.ledger import MIGRATIONS, Ledger
from crosspost.ledger.sqlite.deliveries import _DUE_SQL
from crosspost.states import OPEN_STATES

DUMP = Path(__file__).parent / "data" / "ledger-v4.sql"
T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
EPOCH = "1970-01-01T00:00:00.000000Z"
# Undated first (by id), then by due time: as the v4 code answered.
DUE_AT_T0 = ["x-retried", "x-forced", "x-updated", "x-absent", "x-early"]
DUE_LATER = [*DUE_AT_T0, "x-requeued", "x-pending"]


@pytest.fixture
def path(tmp_path: Path) -> Path:
    path = tmp_path / "ledger.sqlite3"
    raw = sqlite3.connect(path)
    try:
        raw.executescript(DUMP.read_text(encoding="utf-8"))
    finally:
        raw.close()
    return path


def raw_rows(path: Path, sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
    raw = sqlite3.connect(path)
    try:
        return raw.execute(sql, params).fetchall()
    finally:
        raw.close()


def schema(path: Path) -> tuple[int, set[tuple[str, str]]]:
    version = raw_rows(path, "PRAGMA user_version")[0][0]
    rows = raw_rows(path, "SELECT name, type FROM sqlite_master")
    return version, {(n, t) for n, t in rows}


def test_opening_applies_migration_5_and_due_now_becomes_the_epoch(path: Path) -> None:
    version, before = schema(path)
    assert version == 4
    undated = raw_rows(path, "SELECT id FROM deliveries WHERE due_at IS NULL ORDER BY id")
    assert len(undated) == 14  # in every state, not only pending
    untouched = "SELECT id, state, updated_at FROM deliveries ORDER BY id"
    rows_before, events_before = raw_rows(path, untouched), raw_rows(path, "SELECT * FROM events")
    with Ledger.open(path) as ledger:
        by_id = {d.id: d for d in ledger.deliveries()}
        assert all(by_id[i].due_at is None for (i,) in undated)  # the model still says None
        assert by_id[1].due_at == T0 + timedelta(days=2)
    version, after = schema(path)
    assert version == 8 == len(MIGRATIONS)
    assert after - before == {
        ("deliveries_send_key_on_insert", "trigger"),  # migration 6
        ("channel_accounts", "table"),  # migration 7
        ("sqlite_autoindex_channel_accounts_1", "index"),
        ("marks", "table"),
        ("sqlite_autoindex_marks_1", "index"),
        ("audience", "table"),  # migration 8
        ("sqlite_autoindex_audience_1", "index"),
        ("engagement", "table"),
        ("sqlite_autoindex_engagement_1", "index"),
        ("deliveries_due_now_on_insert", "trigger"),
        ("deliveries_due_now_on_update", "trigger"),
        ("deliveries_upcoming", "index"),
        ("deliveries_open", "index"),
        ("deliveries_changed", "index"),
        ("events_kind_at", "index"),
    }
    assert raw_rows(path, "SELECT COUNT(*) FROM deliveries WHERE due_at IS NULL") == [(0,)]
    stored = raw_rows(path, "SELECT id FROM deliveries WHERE due_at = ? ORDER BY id", (EPOCH,))
    assert stored == undated
    # No event is written and no row looks changed: only how the file spells "now" is.
    assert raw_rows(path, untouched) == rows_before
    assert raw_rows(path, "SELECT * FROM events") == events_before
    with Ledger.open(path):  # opened again, nothing is left to apply
        pass
    assert schema(path) == (version, after)


def test_what_is_due_and_the_queue_order_are_as_the_v4_code_said(path: Path) -> None:
    with Ledger.open(path) as ledger:
        assert [d.channel for d in ledger.due(now=T0)] == DUE_AT_T0
        assert [d.channel for d in ledger.due(now=T0 + timedelta(days=3))] == DUE_LATER
        assert [d.channel for d in ledger.due(now=T0, limit=2)] == DUE_AT_T0[:2]
        assert ledger.has_work(now=T0)
        assert [d.channel for d in ledger.upcoming(states=tuple(OPEN_STATES))] == [
            "x-early", "x-requeued", "x-pending", "x-sending", "x-failed", "x-unknown",
            "x-recovered", "mastodon", "x-retried", "x-forced", "x-updated", "x-absent",
        ]  # fmt: skip
        # Pacing never counts "due now" as a planned time (it was NULL).
        times = ledger.channel_times("x-retried", since=datetime(1960, 1, 1, tzinfo=UTC), until=T0)
        assert times == []


def test_a_failed_or_unknown_row_without_a_time_is_due_once_back_in_the_queue(
    path: Path,
) -> None:
    """The reason every row is rewritten: a row that was not pending when the ledger
    was upgraded comes back to pending with the due_at it had, and must be due."""
    with Ledger.open(path) as ledger:
        failed = ledger.find(post_key="https://blog.example/2024/hello/", channel="x-failed")
        unknown = ledger.find(post_key="https://blog.example/2024/hello/", channel="x-recovered")
        assert failed is not None and unknown is not None
        ledger.reset_for_retry(failed.id, reason="--retry")
        ledger.mark_absent(unknown.id, checked="timeline read back to the claim")
        due = [d.id for d in ledger.due(now=T0)]
        assert failed.id in due and unknown.id in due
        assert due.index(unknown.id) < due.index(17)  # undated: before the dated one
        claimed = ledger.claim(unknown.id, owner=ledger.owner_id(), lease_seconds=60)
        assert claimed is not None
        assert ledger.mark_sent(unknown.id, remote_id="r", remote_url=None).state == "sent"
        assert unknown.id not in [d.id for d in ledger.due(now=T0)]


def test_a_null_written_by_anyone_becomes_due_now(path: Path) -> None:
    """An older script (or a bench) inserting rows by hand with no due_at, or setting
    it to NULL: the triggers turn it into "due now", so it is never invisible to `run`."""
    with Ledger.open(path) as ledger:
        raw = sqlite3.connect(path)
        try:
            raw.execute(
                "INSERT INTO deliveries (post_key, channel, network, text, created_at,"
                " updated_at) VALUES ('k', 'by-hand-sql', 'twitter', 't', ?, ?)",
                (EPOCH, EPOCH),
            )
            raw.execute("UPDATE deliveries SET due_at = NULL WHERE channel = 'x-pending'")
            raw.commit()
        finally:
            raw.close()
        assert raw_rows(path, "SELECT COUNT(*) FROM deliveries WHERE due_at IS NULL") == [(0,)]
        due = [d.channel for d in ledger.due(now=T0)]
        assert due[:2] == ["x-pending", "x-retried"] and due[-2:] == ["by-hand-sql", "x-early"]
        assert ledger.schedule(1, due_at=None).due_at is None


def test_the_due_query_reads_a_range_of_its_index(path: Path) -> None:
    with Ledger.open(path):
        pass
    rows = raw_rows(path, f"EXPLAIN QUERY PLAN {_DUE_SQL}", {"now": EPOCH, "limit": 5})
    plan = " | ".join(row[3] for row in rows)
    assert "USING INDEX deliveries_due (state=? AND due_at<?)" in plan, plan
    assert "TEMP B-TREE" not in plan, plan
