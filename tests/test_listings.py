"""Listings read the ledger in pages: at 100,000 deliveries each query returns one
page at most and is answered through an index, `--limit` / `--all` choose how many,
and `--json` is one valid array however many pages it streams.

The ledger is wrapped, not patched: `SQLiteStore` is built on a connection that
counts the rows each query hands back (`Counting`), through its own constructor.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from crosspost import Workspace
from crosspost.ledger import Ledger, default_ledger_path
from crosspost.ledger.sqlite.db import connect
from crosspost.listing import DEFAULT_LIMIT, PAGE_SIZE, status_listing
from crosspost.report import Month, build_report
from crosspost.states import OPEN_STATES
from helpers import run, write_config

SIZE = 100_000
MANUAL = 700  # by-hand tasks among them: more than a page
SENT = 300  # sent in November 2026, with their events
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
STAMP = "%Y-%m-%dT%H:%M:%S.%fZ"


class Counting:
    """A sqlite3 connection that records each query, its parameters and how many rows
    it returned: what a page read costs, whatever the machine's speed."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection
        self.queries: list[tuple[str, Any, int]] = []

    def execute(self, sql: str, params: Any = ()) -> _Cursor:
        return _Cursor(self, sql, params, self._connection.execute(sql, params))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)

    def reads(self) -> list[tuple[str, Any, int]]:
        """The queries that read rows (not BEGIN, COMMIT, PRAGMA)."""
        return [q for q in self.queries if q[0].lstrip().upper().startswith("SELECT")]


class _Cursor:
    def __init__(self, owner: Counting, sql: str, params: Any, cursor: sqlite3.Cursor) -> None:
        self._owner, self._sql, self._params, self._cursor = owner, sql, params, cursor

    def fetchall(self) -> list[Any]:
        rows = self._cursor.fetchall()
        self._owner.queries.append((self._sql, self._params, len(rows)))
        return rows

    def fetchone(self) -> Any:
        row = self._cursor.fetchone()
        self._owner.queries.append((self._sql, self._params, int(row is not None)))
        return row

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cursor, name)


def _fill(path: Path) -> None:
    """SIZE deliveries by SQL (the API would take minutes): queued over the next year,
    MANUAL by-hand tasks, SENT sent in November, each with the events the ledger
    writes for it."""
    with Ledger.open(path):
        pass
    deliveries, events = [], []
    for n in range(1, SIZE + 1):
        channel = "xing" if n <= MANUAL else ("x" if n % 2 else "fb")
        sent = MANUAL < n <= MANUAL + SENT
        created = datetime(2026, 11, 2, tzinfo=UTC) + timedelta(minutes=n % 20_000)
        due = created if sent else NOW + timedelta(minutes=(n * 5) % 525_600)
        state = "manual" if n <= MANUAL else "sent" if sent else "pending"
        updated = created + timedelta(seconds=n % 3600)
        times = (due.strftime(STAMP), created.strftime(STAMP), updated.strftime(STAMP))
        deliveries.append((n, f"https://blog.example.com/{n}", channel, state, *times))
        events.append((n, channel, created.strftime(STAMP), "created", '{"due_at": null}'))
        if sent:
            at = (created + timedelta(seconds=1)).strftime(STAMP)
            events.append((n, channel, at, "sending", '{"from": "pending", "attempt": 1}'))
            events.append((n, channel, updated.strftime(STAMP), "sent", '{"from": "sending"}'))
    raw = sqlite3.connect(path, isolation_level=None)
    try:
        raw.execute("BEGIN")
        raw.executemany(
            "INSERT INTO deliveries (id, post_key, channel, network, state, text, parts, due_at,"
            " created_at, updated_at) VALUES (?, ?, ?, 'twitter', ?, 't', '[\"t\"]', ?, ?, ?)",
            deliveries,
        )
        raw.executemany(
            "INSERT INTO events (delivery_id, channel, at, kind, detail) VALUES (?, ?, ?, ?, ?)",
            events,
        )
        raw.execute("COMMIT")
    finally:
        raw.close()


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("big")
    _fill(default_ledger_path(home))
    (home / "channels.yaml").write_text(
        "channels:\n  x:\n    network: manual\n    audience: [gigner]\n"
        "  fb:\n    network: manual\n    audience: [gigner]\n"
        "  xing:\n    network: manual\n    audience: [ebs]\n",
        encoding="utf-8",
    )
    return home


@contextmanager
def counted(home: Path) -> Iterator[tuple[Ledger, Counting]]:
    path = default_ledger_path(home)
    connection = Counting(connect(path))
    store = Ledger(connection, path)  # type: ignore[arg-type]
    try:
        yield store, connection
    finally:
        store.close()


class CountedWorkspace(Workspace):
    """A Workspace whose ledger is the counted one (the facade's own `store` seam)."""

    def __init__(self, home: Path, store: Ledger) -> None:
        super().__init__(home, config_path=home / "channels.yaml")
        self._counted = store

    @contextmanager
    def store(self) -> Iterator[Ledger]:  # type: ignore[override]
        yield self._counted


def assert_bounded(connection: Counting, most: int = PAGE_SIZE) -> None:
    """Every query returned at most `most` rows, and none read a table whole."""
    reads = connection.reads()
    assert reads
    assert max(rows for _, _, rows in reads) <= most, [(s[:60], r) for s, _, r in reads]


def plans(path: Path, connection: Counting) -> list[str]:
    raw = sqlite3.connect(path)
    try:
        return [
            " | ".join(row[3] for row in raw.execute(f"EXPLAIN QUERY PLAN {sql}", params))
            for sql, params, _ in connection.reads()
        ]
    finally:
        raw.close()


# -- at 100,000 deliveries --------------------------------------------------------------


def test_status_reads_a_count_and_one_page_at_100k(big: Path) -> None:
    with counted(big) as (store, connection):
        found = status_listing(store, limit=DEFAULT_LIMIT)
        ids = [d.id for d in found]
    assert found.total == SIZE and found.truncated
    assert ids == list(range(SIZE - DEFAULT_LIMIT + 1, SIZE + 1))  # the newest, oldest first
    assert_bounded(connection, most=DEFAULT_LIMIT)
    assert len(connection.reads()) == 3  # the count, where the newest start, one page


def test_status_all_streams_every_row_a_page_at_a_time(big: Path) -> None:
    with counted(big) as (store, connection):
        found = status_listing(store, limit=None)
        count, last = 0, 0
        for page in found.pages():
            assert len(page) <= PAGE_SIZE
            assert page[0].id > last  # keyset: no row twice, none skipped
            count, last = count + len(page), page[-1].id
    assert count == SIZE == found.total
    assert_bounded(connection)
    assert len(connection.reads()) == 1 + SIZE // PAGE_SIZE + 1  # the count, the pages, the end


def test_the_queue_reads_one_page_at_100k(big: Path) -> None:
    with counted(big) as (store, connection):
        ws = CountedWorkspace(big, store)
        with ws.queue(limit=DEFAULT_LIMIT) as head:
            entries = list(head)
        with ws.queue(audience="ebs", limit=10) as ebs:
            by_hand = [e.delivery.channel for e in ebs]
    assert head.total == SIZE - SENT and len(entries) == DEFAULT_LIMIT
    keys = [(e.delivery.due_at or e.delivery.created_at, e.delivery.id) for e in entries]
    assert keys == sorted(keys)
    assert {e.delivery.state for e in entries} <= set(OPEN_STATES)
    assert by_hand == ["xing"] * 10 and ebs.total == MANUAL
    assert_bounded(connection, most=DEFAULT_LIMIT)


def test_the_whole_queue_in_pages_is_the_queue_order_once(big: Path) -> None:
    with counted(big) as (store, connection):
        ws = CountedWorkspace(big, store)
        with ws.queue(include_done=True, limit=None) as everything:
            keys = [(e.delivery.due_at or e.delivery.created_at, e.delivery.id) for e in everything]
    assert len(keys) == SIZE == len({k[1] for k in keys})
    assert keys == sorted(keys)
    assert_bounded(connection, most=PAGE_SIZE * 3)  # a page, and its events (created: 1 each)


def test_tasks_read_one_page_at_100k(big: Path) -> None:
    with counted(big) as (store, connection):
        ws = CountedWorkspace(big, store)
        with ws.tasks(limit=5) as first:
            tasks = list(first)
        with ws.tasks(limit=None) as every:
            waiting = [t.delivery for t in every]
    assert first.total == MANUAL and len(tasks) == 5
    assert len(waiting) == MANUAL == len({d.id for d in waiting})
    assert [(d.updated_at, d.id) for d in waiting] == sorted((d.updated_at, d.id) for d in waiting)
    assert_bounded(connection)


def test_the_report_reads_only_its_months_at_100k(big: Path) -> None:
    with counted(big) as (store, connection):
        report = build_report(store, month=Month(2026, 11), timezone="Europe/Paris")
    assert report.figures.total("sent") == SENT and len(report.posts) == SENT
    assert report.history == ()  # nothing before November
    # The sent ones' ids, rows, histories (3 events) and posts' copies (their rows
    # again), the channels; none of the 99,700 others.
    rows = sum(n for _, _, n in connection.reads())
    assert rows <= SENT * 6 + 10, rows
    assert_bounded(connection, most=PAGE_SIZE * 3)


@pytest.mark.parametrize("analyzed", [False, True])
def test_every_listing_query_reads_a_range_of_an_index(
    big: Path, tmp_path: Path, analyzed: bool
) -> None:
    """Whatever SQLite knows of the data (a ledger is never ANALYZEd by crosspost, but
    could be): pages through the indexes they were made for, never a sort of all."""
    home = tmp_path / "home"
    home.mkdir()
    path = default_ledger_path(home)
    raw = sqlite3.connect(default_ledger_path(big))
    try:
        raw.execute("VACUUM INTO ?", (str(path),))
    finally:
        raw.close()
    if analyzed:
        with sqlite3.connect(path) as db:
            db.execute("ANALYZE")
    with counted(home) as (store, connection):
        last = store.deliveries_page(limit=3, after_id=50_000, channels=["x"])[-1]
        store.newest_after_id(100)
        store.upcoming_page(limit=3, after=last)
        store.upcoming_page(limit=3, after=last, states=tuple(OPEN_STATES), channels=["x"])
        store.changed_page(states=["manual"], limit=3, after=store.get(5))
        store.events_of([1, 2, 3], kinds=["moved", "created"])
        store.delivery_ids_with_events(since=NOW - timedelta(days=30), until=NOW, kinds=["sent"])
        store.first_event_at(until=NOW, exclude_kinds=["done", "found"])
    seen = plans(path, connection)
    for plan in seen:
        assert "TEMP B-TREE FOR ORDER BY" not in plan, plan  # every match sorted: never
    expected = [
        "SEARCH deliveries USING INTEGER PRIMARY KEY (rowid>?)",
        "SEARCH deliveries USING INDEX deliveries_upcoming (<expr>>?)",
        "SEARCH deliveries USING INDEX deliveries_open (<expr>>?)",
        "SEARCH deliveries USING INDEX deliveries_changed (state=? AND updated_at>?)",
        "SEARCH events USING INDEX events_delivery (delivery_id=?)",
        "SEARCH events USING COVERING INDEX events_kind_at (kind=? AND at>? AND at<?)",
        "SEARCH events USING INDEX events_at (at<?)",
    ]
    for wanted in expected:
        assert any(wanted in plan for plan in seen), (wanted, seen)


# -- what a user types ----------------------------------------------------------------------


def small_ledger(home: Path, count: int, *, manual: int = 0) -> None:
    """`count` deliveries through the ledger's own API, the first `manual` by hand."""
    with Ledger.open(default_ledger_path(home)) as ledger:
        for n in range(1, count + 1):
            d = ledger.ensure_delivery(
                post_key=f"https://blog.example.com/{n}",
                post_path=None,
                post_title=f"Post {n}",
                content_hash=None,
                channel="xing" if n <= manual else "x",
                network="manual" if n <= manual else "twitter",
                text="t",
                parts=["t"],
                link=None,
                due_at=NOW + timedelta(days=count - n),  # the last one is the soonest
            )
            if n <= manual:
                ledger.mark_manual(d.id)


@pytest.fixture
def seven(tmp_path: Path, isolated_home: Path) -> Path:
    small_ledger(isolated_home, 7, manual=2)
    return write_config(tmp_path, "  x:\n    network: manual\n  xing:\n    network: manual\n")


def test_status_limit_shows_the_newest_and_says_how_many_more(seven: Path) -> None:
    result = run("-c", seven, "status", "--limit", "3")
    assert result.exit_code == 0, result.stderr
    assert [r for r in (ln.split("│")[1].strip() for ln in table_rows(result.stdout))] == [
        "5",
        "6",
        "7",
    ]
    assert "showing the newest 3 of 7 deliveries; --limit N for more, --all for every one" in (
        result.stderr
    )
    every = run("-c", seven, "status", "--all")
    assert len(table_rows(every.stdout)) == 7 and "showing" not in every.stderr
    assert table_rows(run("-c", seven, "status").stdout) == table_rows(every.stdout)


def table_rows(stdout: str) -> list[str]:
    return [ln for ln in stdout.splitlines() if ln.startswith("│") and ln.split("│")[1].strip()]


def test_json_listings_take_the_limit_and_stay_valid(seven: Path) -> None:
    result = run("-c", seven, "status", "--json", "--limit", "2")
    assert [d["id"] for d in json.loads(result.stdout)] == [6, 7]
    assert "showing the newest 2 of 7" in result.stderr
    assert [d["id"] for d in json.loads(run("-c", seven, "status", "--json", "--all").stdout)] == [
        1,
        2,
        3,
        4,
        5,
        6,
        7,
    ]
    queued = run("-c", seven, "queue", "--json", "-l", "2")
    assert [d["id"] for d in json.loads(queued.stdout)] == [7, 6]  # the soonest
    assert "showing the first 2 of 7 deliveries" in queued.stderr
    tasks = run("-c", seven, "tasks", "--json", "--limit", "1")
    assert [t["id"] for t in json.loads(tasks.stdout)] == [1]
    assert "showing the first 1 of 2 tasks" in tasks.stderr
    none = run("-c", seven, "status", "--json", "--audience", "nobody-has-it")
    assert none.exit_code == 2


@pytest.mark.parametrize("command", ["status", "queue", "tasks"])
@pytest.mark.parametrize("limit", ["0", "-3"])
def test_a_limit_below_one_is_refused(seven: Path, command: str, limit: str) -> None:
    result = run("-c", seven, command, "--limit", limit)
    assert result.exit_code == 2
    assert f"--limit {limit}: show 1 or more (--all shows every one)" in result.stderr
    assert result.stdout == ""


def test_tasks_limit_shows_the_longest_waiting(seven: Path) -> None:
    result = run("-c", seven, "tasks", "--limit", "1")
    assert result.exit_code == 0, result.stderr
    assert "1 · xing" in result.stdout and "2 · xing" not in result.stdout
    assert (
        "showing the first 1 of 2 tasks" in result.stderr and "2 to post by hand" in result.stderr
    )


def test_a_listing_longer_than_a_table_prints_one_line_a_row(
    tmp_path: Path, isolated_home: Path
) -> None:
    """Past TABLE_ROWS rows (here --all of 1,200, three pages) no Rich table is laid out:
    a header and one plain line per row, names and links whole."""
    path = default_ledger_path(isolated_home)
    with Ledger.open(path):
        pass
    long_key = "https://blog.example.com/" + "a-very-long-path/" * 6
    raw = sqlite3.connect(path)
    try:
        raw.executemany(
            "INSERT INTO deliveries (post_key, channel, network, text, created_at, updated_at)"
            " VALUES (?, ?, 'twitter', 't', ?, ?)",
            [
                (f"{long_key}{n}", f"channel-{n % 7}", NOW.strftime(STAMP), NOW.strftime(STAMP))
                for n in range(1, 1201)
            ],
        )
        raw.commit()
    finally:
        raw.close()
    result = run("status", "--all", env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["id", "channel", "state", "when", "post"]
    assert [int(line.split()[0]) for line in lines[1:]] == list(range(1, 1201))
    assert all(line.split()[2:4] == ["pending", "next"] for line in lines[1:])
    assert not any(c in result.stdout for c in "│┃━─")
    as_json = json.loads(run("status", "--all", "--json").stdout)
    assert [d["id"] for d in as_json] == list(range(1, 1201))
    assert json.loads(run("queue", "--all", "--json").stdout)[0]["post_key"] == f"{long_key}1"
    queue = run("queue", "--all", env={"COLUMNS": "80"}).stdout.splitlines()
    assert len(queue) == 1201
    assert queue[0].split() == ["id", "when", "channel", "post", "state", "why"]


def test_the_week_reads_its_days_and_counts_the_rest(big: Path) -> None:
    """`queue --week` lays out the coming days and what waits for a person; the rest of
    a year's queue is counted, not read."""
    with counted(big) as (store, connection):
        week = CountedWorkspace(big, store).week(now=NOW)
    # 7 days of a queue spread over a year (every 5 minutes' worth of n): about 2%.
    shown = sum(len(day.entries) for day in week.days)
    assert len(week.waiting) == MANUAL
    assert shown + week.later + MANUAL == SIZE - SENT
    assert 0 < shown < 3_000 and week.later > 90_000
    # What waits, the queue up to two days past the week (and a page beyond): not a year.
    assert sum(n for _, _, n in connection.reads()) < 5_000
    assert_bounded(connection)


def test_help_names_the_default_limit_the_listings_use() -> None:
    from crosspost.cli.ledger_cmds import SHOWN_BY_DEFAULT

    assert SHOWN_BY_DEFAULT == DEFAULT_LIMIT  # spelled twice so that --help loads no ledger
    assert "--limit" in run("status", "--help").stdout
