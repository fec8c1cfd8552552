"""What only a shared PostgreSQL ledger has: its faults, moving a SQLite ledger into it,
`ledger info`, and connections that drop mid-claim.  On a real server (conftest.pg_server);
the store's operations themselves are tested on both stores by test_ledger*.py."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest

from crosspost.errors import LedgerUnavailable, LedgerUnreachable
from crosspost.ledger import (
    MIGRATIONS,
    EntryMark,
    Ledger,
    Pace,
    default_ledger_path,
    open_store,
    owner_id,
)
from crosspost.ledger.postgres import migrations as pg_migrations
from crosspost.ledger.postgres.connection import translate
from crosspost.ledger.postgres.store import session_name
from helpers import run
from pgserver import PASSWORD

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def new_delivery(ledger: Any, channel: str = "x-main", post: str = "https://blog.example/a") -> Any:
    return ledger.ensure_delivery(
        post_key=post,
        post_path="content/a.md",
        post_title="A",
        content_hash="sha256:a",
        channel=channel,
        network="twitter",
        text="Hello",
        parts=["Hello"],
        link="https://blog.example/a",
    )


def cli(*args: str) -> Any:
    """The command in-process; its `output` holds stdout and stderr together."""
    return run(*args)


# -- one history, two spellings --------------------------------------------------------


def test_both_stores_have_the_same_numbered_migrations() -> None:
    # Adding migration 8 is one entry in each list; forgetting one fails here.
    assert len(pg_migrations.MIGRATIONS) == len(MIGRATIONS)


def test_translate_rewrites_sqlite_spellings_outside_literals_only() -> None:
    sql = "SELECT * FROM deliveries INDEXED BY deliveries_open WHERE +state IN (?, ?) AND x = ':no'"
    assert translate(sql) == "SELECT * FROM deliveries  WHERE state IN (%s, %s) AND x = ':no'"
    assert translate("SELECT 1 WHERE due_at <= :now AND a LIKE 'x%'") == (
        "SELECT 1 WHERE due_at <= %(now)s AND a LIKE 'x%'"
    )
    assert translate(
        "INSERT OR REPLACE INTO short_link_claims (long_url, owner, until, claimed_at)"
        " VALUES (?, ?, ?, ?)"
    ).endswith(
        "ON CONFLICT (long_url) DO UPDATE SET owner = EXCLUDED.owner,"
        " until = EXCLUDED.until, claimed_at = EXCLUDED.claimed_at"
    )


# -- faults, each one line ---------------------------------------------------------------


def test_an_unreachable_server_is_one_line_exit_1(pg_server: Any) -> None:
    # A port nobody listens on: the server is down, the next cron run tries again.
    url = f"postgresql://crosspost:{PASSWORD}@127.0.0.1:1/ledger"
    result = cli("--ledger", url, "status")
    assert result.exit_code == 1, result.output
    assert "does not answer" in result.output and "Traceback" not in result.output
    assert PASSWORD not in result.output and "crosspost:***@127.0.0.1:1" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_cron_run_on_an_unreachable_server_is_one_line_exit_1(
    tmp_path: Path, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from test_quick_run import crosspost, said

    monkeypatch.setenv("CROSSPOST_LEDGER", f"postgresql://cron:{PASSWORD}@127.0.0.1:1/ledger")
    result = crosspost("run", home=isolated_home, cwd=tmp_path)
    assert result.returncode == 1 and result.stdout == ""
    lines = said(result).splitlines()
    assert len(lines) == 1 and "does not answer" in lines[0] and "Traceback" not in lines[0]
    assert PASSWORD not in said(result) and "cron:***@127.0.0.1:1" in lines[0]


def test_a_wrong_password_is_one_line_exit_2_and_never_printed(pg_server: Any) -> None:
    pg_server.admin("CREATE ROLE fault_pw LOGIN PASSWORD 'the-right-password-1'")
    url = pg_server.tcp_url("postgres", user="fault_pw", password="a-wrong-password-99")
    result = cli("--ledger", url, "ledger", "info")
    assert result.exit_code == 2, result.output
    assert "refused the password" in result.output
    assert "a-wrong-password-99" not in result.output and "Traceback" not in result.output


def test_no_right_to_create_the_tables_is_one_line_exit_2(pg_server: Any) -> None:
    database = pg_server.create_database()
    # PostgreSQL 15 and later: only the database owner may create in `public`.
    pg_server.admin("CREATE ROLE fault_rights LOGIN PASSWORD 'rights-password-22'")
    pg_server.admin("REVOKE CREATE ON SCHEMA public FROM PUBLIC", database=database)
    url = pg_server.tcp_url(database, user="fault_rights", password="rights-password-22")
    result = cli("--ledger", url, "ledger", "info")
    assert result.exit_code == 2, result.output
    assert "permission denied" in result.output and "GRANT CREATE ON SCHEMA public" in result.output
    assert "rights-password-22" not in result.output and "Traceback" not in result.output


def test_a_missing_database_names_the_fix(pg_server: Any) -> None:
    result = cli("--ledger", pg_server.url("no_such_database"), "ledger", "info")
    assert result.exit_code == 2, result.output
    assert "does not exist" in result.output and "createdb" in result.output


def test_a_server_older_than_supported_is_refused_naming_both_versions() -> None:
    with pytest.raises(LedgerUnavailable, match="runs PostgreSQL 12; crosspost needs 13"):
        pg_migrations.check_server_version("postgresql://db.example/x", 120005)
    pg_migrations.check_server_version("postgresql://db.example/x", 130000)


def test_the_running_server_is_new_enough_and_info_says_which(pg_url: str) -> None:
    result = cli("--ledger", pg_url, "ledger", "info")
    assert result.exit_code == 0, result.output
    assert "store: postgresql (server 1" in result.output
    assert f"schema version: {len(MIGRATIONS)}" in result.output


def test_info_never_shows_the_password_of_the_url(pg_server: Any) -> None:
    database = pg_server.create_database()
    pg_server.admin(f'ALTER DATABASE "{database}" OWNER TO postgres')
    url = pg_server.tcp_url(database, user="postgres", password=PASSWORD)
    result = cli("--ledger", url, "ledger", "info", "--json")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output and "postgres:***@127.0.0.1" in result.output
    shown = cli("--ledger", url, "ledger", "info")
    assert f"location: postgresql://postgres:***@127.0.0.1:{pg_server.port}/" in shown.output
    assert PASSWORD not in shown.output


def test_channels_yaml_names_the_ledger_with_a_password_reference(
    pg_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = pg_server.create_database()
    url = f"postgresql://postgres:${{LEDGER_PW}}@127.0.0.1:{pg_server.port}/{database}"
    config = tmp_path / "channels.yaml"
    config.write_text(f"ledger: {url}\nchannels:\n  x:\n    network: manual\n")
    monkeypatch.setenv("LEDGER_PW", PASSWORD)
    result = cli("-c", str(config), "ledger", "info")
    assert result.exit_code == 0, result.output
    assert "store: postgresql" in result.output and PASSWORD not in result.output
    # A password written into the file itself is refused, as any literal secret is.
    config.write_text(
        f"ledger: postgresql://postgres:{PASSWORD}@127.0.0.1/x\nchannels:\n"
        "  x:\n    network: manual\n"
    )
    for command in ("check", "status"):
        result = cli("-c", str(config), command)
        assert result.exit_code == 2, result.output
        assert "channels.yaml:1: ledger: the password in the URL" in result.output
        assert PASSWORD not in result.output


# -- cron's fast path ----------------------------------------------------------------


def test_cron_with_nothing_due_is_answered_without_psycopg(
    tmp_path: Path, isolated_home: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from test_quick_run import HEAVY, crosspost, imported, said

    monkeypatch.setenv("CROSSPOST_LEDGER", pg_url)
    # A new database: libpq cannot tell (no tables yet), the store (psycopg) migrates it.
    first = crosspost("run", home=isolated_home, cwd=tmp_path)
    assert first.returncode == 0 and first.stdout == "", said(first)
    assert "psycopg" in imported(first) and not imported(first) & set(HEAVY)
    with open_store(isolated_home) as ledger:
        first_mark = ledger.mark("run")
    # From then on, libpq alone answers: psycopg costs more than the rest of the answer.
    again = crosspost("run", home=isolated_home, cwd=tmp_path)
    assert again.returncode == 0 and again.stdout == "" and said(again) == ""
    assert not imported(again) & {*HEAVY, "psycopg"}
    with open_store(isolated_home) as ledger:  # and it wrote the doctor's "last run"
        mark = ledger.mark("run")
    assert first_mark is not None and mark is not None and mark > first_mark


# -- connections that drop -----------------------------------------------------------


def _drop(pg_server: Any, owner: str) -> None:
    """The server ends every connection of `owner`'s, as a network cut would."""
    pg_server.admin(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        f" WHERE application_name = '{session_name(owner)}'"
    )


def test_a_connection_dropped_before_the_claim_leaves_it_pending(
    pg_server: Any, pg_url: str
) -> None:
    with open_store(Path(), pg_url) as ledger:
        d = new_delivery(ledger)
    with open_store(Path(), pg_url) as worker:
        _drop(pg_server, owner_id())
        with pytest.raises(LedgerUnreachable, match="lost the connection"):
            worker.claim(d.id, owner=owner_id(), lease_seconds=60)
    with open_store(Path(), pg_url) as other:
        assert other.get(d.id).state == "pending"  # nothing claimed, nothing sent
        assert other.claim(d.id, owner="b:1:x", lease_seconds=60) is not None


def test_a_connection_dropped_after_the_request_left_ends_unknown(
    pg_server: Any, pg_url: str
) -> None:
    worker = open_store(Path(), pg_url)
    d = new_delivery(worker)
    claimed = worker.claim(d.id, owner=owner_id(), lease_seconds=3600)
    assert claimed is not None
    # ... the request is out; the ledger's connection drops before the answer is saved.
    _drop(pg_server, owner_id())
    with pytest.raises(LedgerUnreachable) as caught:
        worker.mark_sent(d.id, remote_id="123", remote_url=None)
    assert caught.value.exit_code == 1
    worker.close()
    with open_store(Path(), pg_url) as other:
        assert other.get(d.id).state == "sending"  # never back to pending
        # Its claimer has no connection left (this process reconnected since, as
        # `other`, so it is judged by its lease here): a stranger's claim is retired
        # at once, ours when the lease ends; either way `unknown`, for reconcile.
        [recovered] = other.recover_stale(now=datetime.now(UTC) + timedelta(hours=2))
        assert (recovered.id, recovered.state) == (d.id, "unknown")


# -- pacing across workers ------------------------------------------------------------


def test_a_paced_claim_sees_another_workers_claim_on_the_channel(pg_url: str) -> None:
    pace = Pace(min_interval=timedelta(minutes=90))
    with open_store(Path(), pg_url) as one, open_store(Path(), pg_url) as two:
        a = new_delivery(one, post="https://blog.example/a")
        b = new_delivery(one, post="https://blog.example/b")
        other = new_delivery(one, channel="fb", post="https://blog.example/a")
        assert one.claim(a.id, owner="host-a:1:x", lease_seconds=60, pace=pace) is not None
        # The second worker: the channel has a post in flight, so it waits its turn...
        assert two.claim(b.id, owner="host-b:1:x", lease_seconds=60, pace=pace) is None
        assert two.claim(other.id, owner="host-b:1:x", lease_seconds=60, pace=pace)
        one.mark_sent(a.id, remote_id="1", remote_url=None)
        # ... and after it went out, for min_interval.
        assert two.claim(b.id, owner="host-b:1:x", lease_seconds=60, pace=pace) is None
        later = datetime.now(UTC) + timedelta(minutes=91)
        assert two.claim(b.id, owner="host-b:1:x", lease_seconds=60, pace=pace, now=later)


# -- moving a SQLite ledger over ----------------------------------------------------------


def _every_kind_of_row(ledger: Ledger) -> None:
    sent = new_delivery(ledger, channel="x-main")
    ledger.claim(sent.id, owner=owner_id(), lease_seconds=60)
    ledger.mark_sent(sent.id, remote_id="1", remote_url="https://x.example/1")
    failed = new_delivery(ledger, channel="fb")
    ledger.claim(failed.id, owner=owner_id(), lease_seconds=60)
    ledger.mark_failed(failed.id, kind="transient", error="HTTP 503")
    queued = new_delivery(ledger, channel="li", post="https://blog.example/b")
    ledger.schedule(queued.id, due_at=T0 + timedelta(days=30), reason="pacing")
    ledger.mark_manual(new_delivery(ledger, channel="xing").id)
    ledger.save_short_link("https://blog.example/a", short_url="https://bit.ly/a", bitlink_id="a")
    ledger.claim_short_link("https://blog.example/b", owner=owner_id(), lease_seconds=60)
    ledger.set_paused("fb", paused=True, reason="token expired")
    ledger.record_account("x-main", network="twitter", account="@ebs", account_id="42")
    ledger.set_mark("run", T0)
    ledger.record_pull(
        "blog",
        url="https://blog.example/feed.xml",
        status="ok",
        etag='"e1"',
        entries=[EntryMark("e1", "https://blog.example/a", "A", "published")],
    )
    ledger.add_note(text="Posted the event photos by hand", channel="xing", at=T0)
    ledger.record_figures("x-main", followers=3200, posts={sent.id: {"likes": 4}}, at=T0)


def _rows(conn: Any, table: str) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()]


def test_migrate_copies_every_table_and_leaves_the_file_untouched(
    isolated_home: Path, pg_url: str
) -> None:
    path = default_ledger_path(isolated_home)
    with Ledger.open(path) as ledger:
        _every_kind_of_row(ledger)
        before = ledger.deliveries()
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    result = cli("ledger", "migrate", "--to", pg_url)
    assert result.exit_code == 0, result.output
    assert "every count matches" in result.output
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
    source = sqlite3.connect(path)
    with psycopg.connect(pg_url) as target:
        for table in pg_migrations.TABLES:
            rows = _rows(source, table)
            assert rows, f"the test ledger has no {table} row"
            assert _rows(target, table) == rows, table
    with open_store(Path(), pg_url) as moved:
        assert moved.deliveries() == before
        assert moved.paused_channels() == {"fb": "token expired"}
        added = new_delivery(moved, channel="new")  # ids go on after the copied ones
        assert added.id == max(d.id for d in before) + 1
    again = cli("ledger", "migrate", "--to", pg_url)
    assert again.exit_code == 2 and "already holds" in again.output


def test_migrate_without_a_target_says_how(isolated_home: Path) -> None:
    result = cli("ledger", "migrate")
    assert result.exit_code == 2 and "--to postgresql://" in result.output


def test_an_older_sqlite_ledger_is_moved_as_it_is_and_stays_at_its_version(
    isolated_home: Path, pg_url: str
) -> None:
    # A ledger written by crosspost at schema 3 (tests/data/ledger-v3.sql), never opened
    # since: migrate brings a copy up to date, and the file itself stays at 3.
    path = default_ledger_path(isolated_home)
    path.parent.mkdir(parents=True)
    raw = sqlite3.connect(path)
    raw.executescript((Path(__file__).parent / "data" / "ledger-v3.sql").read_text())
    raw.close()
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    result = cli("ledger", "migrate", "--to", pg_url)
    assert result.exit_code == 0, result.output
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == 3
    with open_store(Path(), pg_url) as moved:
        assert moved.schema_version() == len(MIGRATIONS)
        assert len(moved.deliveries()) == 15
        keys = [d.key for d in moved.deliveries()]
        assert len(set(keys)) == 15  # each got its send key, in the copy
