"""The queue: schedule, pacing, time zones, retries, and `run` from cron."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine

from crosspost.errors import BadInput
from crosspost.queue import parse_when
from helpers import X_CREDS, run, write_config, write_post

# Every test here once on each store: the queue's end-to-end behaviour is the ledger's.
pytestmark = pytest.mark.usefixtures("both_stores")

PARIS = "Europe/Paris"
ENV = {"X_KEY": "k", "X_SECRET": "s", "X_TOKEN": "t", "X_TOKEN_SECRET": "ts", "FB_TOKEN": "f"}


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in ENV.items():
        monkeypatch.setenv(k, v)


def config(tmp: Path, x_extra: str = "", fb_extra: str = "") -> Path:
    path = write_config(
        tmp,
        "  x:\n    network: twitter\n"
        + x_extra
        + X_CREDS
        + "  fb:\n    network: facebook\n    page_id: '111'\n"
        + fb_extra
        + "    credentials:\n      page_token: ${FB_TOKEN}\n",
    )
    path.write_text(f"defaults:\n  timezone: {PARIS}\n  timeout: 2\n" + path.read_text())
    return path


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def queue_rows(cfg: Path) -> list[dict[str, Any]]:
    return json.loads(run("-c", cfg, "queue", "--json").stdout)


def run_json(cfg: Path, sb: Any) -> tuple[int, list[dict[str, Any]], str]:
    result = run("-c", cfg, "run", "--sandbox", sb.url, "--json")
    return result.exit_code, json.loads(result.stdout or "[]"), result.stderr


# -- reading times -------------------------------------------------------------------


def test_parse_when_forms() -> None:
    now = utc(2026, 11, 26, 10, 0)
    assert parse_when("2026-12-01 09:00", timezone=PARIS, now=now) == utc(2026, 12, 1, 8, 0)
    assert parse_when("2026-12-01T09:00+00:00", timezone=PARIS, now=now) == utc(2026, 12, 1, 9)
    assert parse_when("now", timezone=PARIS, now=now) == now
    assert parse_when("next-slot", timezone=PARIS, now=now) == "next-slot"
    assert parse_when("12:30", timezone=PARIS, now=now) == utc(2026, 11, 26, 11, 30)
    assert parse_when("09:00", timezone=PARIS, now=now) == utc(2026, 11, 27, 8, 0)  # tomorrow
    with pytest.raises(BadInput, match="cannot read the time 'tomorrow-ish'"):
        parse_when("tomorrow-ish", timezone=PARIS, now=now)


def test_spring_gap_is_an_error_naming_the_next_valid_time() -> None:
    with pytest.raises(
        BadInput,
        match=r"2026-03-29 02:30 does not exist.*next valid time is "
        r"2026-03-29 03:00",
    ):
        parse_when("2026-03-29 02:30", timezone=PARIS, now=utc(2026, 3, 1))


def test_autumn_doubled_hour_is_taken_once_the_first_time() -> None:
    when = parse_when("2026-10-25 02:30", timezone=PARIS, now=utc(2026, 10, 1))
    assert when == utc(2026, 10, 25, 0, 30)  # 02:30 CEST, not 02:30 CET an hour later


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (utc(2026, 3, 28, 6), [utc(2026, 3, 28, 8), utc(2026, 3, 29, 7), utc(2026, 3, 30, 7)]),
        (utc(2026, 10, 24, 6), [utc(2026, 10, 24, 7), utc(2026, 10, 25, 8), utc(2026, 10, 26, 8)]),
    ],
)
def test_slots_stay_at_wall_clock_time_across_dst(
    tmp_path: Path, today: datetime, expected: list[datetime]
) -> None:
    cfg = config(tmp_path, x_extra="    slots: ['09:00']\n")
    with time_machine.travel(today, tick=False):
        for n in range(3):
            post = write_post(tmp_path, name=f"p{n}.md", url=f"https://b.example/{n}")
            assert run("-c", cfg, "schedule", "-C", "x", post).exit_code == 0
    due = [datetime.fromisoformat(r["due_at"]) for r in queue_rows(cfg)]
    assert due == expected


# -- schedule and the queue commands ------------------------------------------------------


def test_schedule_list_move_cancel(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    post = write_post(tmp_path)
    with time_machine.travel(utc(2026, 11, 26, 10), tick=False):
        result = run("-c", cfg, "schedule", post, "--at", "2026-12-01 09:00", "--json")
        assert result.exit_code == 0, result.stderr
        rows = json.loads(result.stdout)
        assert {r["channel"]: r["due_at"] for r in rows} == {
            "x": "2026-12-01T08:00:00+00:00",
            "fb": "2026-12-01T08:00:00+00:00",
        }
        assert rows[0]["due_local"] == "2026-12-01 09:00 CET"
        listed = json.loads(run("-c", cfg, "queue", "--json").stdout)
        assert [(r["channel"], r["state"], r["due_local"]) for r in listed] == [
            ("x", "pending", "2026-12-01 09:00 CET"),
            ("fb", "pending", "2026-12-01 09:00 CET"),
        ]
        x_id, fb_id = (r["id"] for r in listed)
        assert run("-c", cfg, "queue", "move", str(x_id), "--at", "2026-12-02 18:30").exit_code == 0
        assert run("-c", cfg, "queue", "cancel", str(fb_id)).exit_code == 0
    listed = {r["id"]: r for r in json.loads(run("-c", cfg, "queue", "--json").stdout)}
    assert listed[x_id]["due_local"] == "2026-12-02 18:30 CET"
    assert listed[x_id]["reason"] == "moved by hand"
    assert fb_id not in listed
    assert run("queue", "cancel", "999").exit_code == 2
    assert run("queue", "cancel", str(fb_id)).exit_code == 2  # already cancelled
    result = run("-c", cfg, "schedule", post, "-C", "nope")
    assert result.exit_code == 2 and "no channel named 'nope'" in result.stderr


def test_past_time_needs_confirmation_or_now(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    post = write_post(tmp_path)
    with time_machine.travel(utc(2026, 11, 26, 10), tick=False):
        result = run("-c", cfg, "schedule", post, "--at", "2026-11-20 09:00")
        assert result.exit_code == 2
        assert "in the past" in result.stderr and "--now" in result.stderr
        assert queue_rows(cfg) == []
        result = run("-c", cfg, "schedule", post, "--at", "2026-11-20 09:00", "--now", "--json")
        assert result.exit_code == 0
        assert {r["due_at"] for r in json.loads(result.stdout)} == {"2026-11-26T10:00:00+00:00"}


def test_publish_at_is_the_default_time(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    post = write_post(tmp_path, publish_at="2026-12-24 18:00")
    with time_machine.travel(utc(2026, 11, 26, 10), tick=False):
        rows = json.loads(run("-c", cfg, "schedule", post, "--json").stdout)
    assert {r["due_at"] for r in rows} == {"2026-12-24T17:00:00+00:00"}


def test_next_slot_fills_free_slots_and_respects_max_per_day(tmp_path: Path) -> None:
    cfg = config(tmp_path, x_extra="    slots: ['09:00', '12:30', '18:00']\n    max_per_day: 2\n")
    with time_machine.travel(utc(2026, 11, 26, 10), tick=False):  # 11:00 in Paris
        for n in range(4):
            post = write_post(tmp_path, name=f"p{n}.md", url=f"https://b.example/{n}")
            result = run("-c", cfg, "schedule", "-C", "x", "--at", "next-slot", post)
            assert result.exit_code == 0, result.stderr
    due = [r["due_local"] for r in queue_rows(cfg)]
    assert due == [
        "2026-11-26 12:30 CET",
        "2026-11-26 18:00 CET",
        "2026-11-27 09:00 CET",
        "2026-11-27 12:30 CET",
    ]


# -- crosspost run: pacing ------------------------------------------------------------------


def test_min_interval_moves_the_second_post_and_says_why(tmp_path: Path, sandbox: Any) -> None:
    cfg = config(tmp_path, x_extra="    min_interval: 90m\n")
    with time_machine.travel(utc(2026, 11, 26, 10), tick=False):
        for n in range(2):
            post = write_post(tmp_path, name=f"p{n}.md", url=f"https://b.example/{n}")
            run("-c", cfg, "schedule", "-C", "x", "--at", "now", post)
        code, items, _ = run_json(cfg, sandbox)
    assert code == 0
    sent, moved = sorted(items, key=lambda i: i["action"], reverse=True)
    assert (sent["action"], moved["action"]) == ("sent", "moved")
    assert "less than 1h30 away" in moved["note"]
    assert moved["due_at"] == "2026-11-26T11:30:00+00:00"
    assert len(sandbox.posts("twitter")) == 1
    (queued,) = queue_rows(cfg)
    assert "away" in queued["reason"]
    with time_machine.travel(utc(2026, 11, 26, 11, 31), tick=False):
        code, items, _ = run_json(cfg, sandbox)
    assert [i["action"] for i in items] == ["sent"]
    assert len(sandbox.posts("twitter")) == 2


@pytest.mark.parametrize(
    ("extra", "now", "moved_to"),
    [
        ("    quiet_hours: ['22:00-07:00']\n", utc(2026, 11, 26, 22), "2026-11-27T06:00:00+00:00"),
        ("    days: mon-fri\n", utc(2026, 11, 28, 10), "2026-11-29T23:00:00+00:00"),  # Sat → Mon
    ],
)
def test_quiet_hours_and_days(
    tmp_path: Path, sandbox: Any, extra: str, now: datetime, moved_to: str
) -> None:
    cfg = config(tmp_path, x_extra=extra)
    with time_machine.travel(now, tick=False):
        run("-c", cfg, "schedule", "-C", "x", "--at", "now", write_post(tmp_path))
        code, items, _ = run_json(cfg, sandbox)
    assert code == 0
    (item,) = items
    assert item["action"] == "moved" and item["due_at"] == moved_to
    assert sandbox.posts("twitter") == []


# -- crosspost run: failures -------------------------------------------------------------------


def image_post(tmp: Path) -> Path:
    (tmp / "card.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    return write_post(tmp, image="card.png", image_alt="A chart")


def test_transient_failures_back_off_then_give_up(tmp_path: Path, sandbox: Any) -> None:
    # The image upload fails (503): it creates no post, so it is safe to retry.  (A 5xx
    # on the post itself proves nothing and makes the delivery unknown instead.)
    cfg = config(tmp_path, x_extra="    retries: 2\n")
    start = utc(2026, 11, 26, 10)
    with time_machine.travel(start, tick=False):
        run("-c", cfg, "schedule", "-C", "x", "--at", "now", image_post(tmp_path))
        sandbox.fault("twitter", status=503, count=2)
        code, items, _ = run_json(cfg, sandbox)
    (item,) = items
    assert code == 0 and item["action"] == "requeued" and item["attempts"] == 1
    first_retry = datetime.fromisoformat(item["due_at"])
    assert start + timedelta(seconds=30) <= first_retry <= start + timedelta(seconds=90)
    with time_machine.travel(first_retry - timedelta(seconds=1), tick=False):
        assert run_json(cfg, sandbox)[1] == []  # not due yet
    with time_machine.travel(first_retry, tick=False):
        code, items, _ = run_json(cfg, sandbox)
    assert code == 1 and items[0]["action"] == "failed" and items[0]["attempts"] == 2
    assert items[0]["error_kind"] == "transient"
    assert sandbox.posts("twitter") == []


def test_rate_limit_reschedules_at_the_reset_time(tmp_path: Path, sandbox: Any) -> None:
    cfg = config(tmp_path)
    now = utc(2026, 11, 26, 10)
    with time_machine.travel(now, tick=False):
        for n in range(2):
            post = write_post(tmp_path, name=f"p{n}.md", url=f"https://b.example/{n}")
            run("-c", cfg, "schedule", "-C", "x", "--at", "now", post)
        sandbox.fault("twitter", status=429, reset_in=600)
        code, items, _ = run_json(cfg, sandbox)
    assert code == 0
    by_action = {i["action"]: i for i in items}
    assert set(by_action) == {"requeued", "moved"}
    reset = now + timedelta(seconds=600)
    assert {datetime.fromisoformat(i["due_at"]) for i in items} == {reset}
    assert "rate limited" in by_action["moved"]["note"]
    with time_machine.travel(reset, tick=False):
        code, items, _ = run_json(cfg, sandbox)
    assert code == 0 and [i["action"] for i in items] == ["sent", "sent"]


def test_auth_failure_pauses_the_channel_until_resumed(tmp_path: Path, sandbox: Any) -> None:
    cfg = config(tmp_path)
    run("-c", cfg, "schedule", "--at", "now", write_post(tmp_path))
    sandbox.fault("facebook", status=401)
    code, items, stderr = run_json(cfg, sandbox)
    assert code == 1
    assert {i["channel"]: i["action"] for i in items} == {"x": "sent", "fb": "requeued"}
    assert "channel fb is PAUSED" in stderr and "crosspost channel resume fb" in stderr
    code, items, stderr = run_json(cfg, sandbox)  # every run says it, and sends nothing there
    assert code == 1 and items == [] and "PAUSED" in stderr
    assert run("-c", cfg, "channel", "resume", "fb").exit_code == 0
    code, items, _ = run_json(cfg, sandbox)
    assert code == 0 and [(i["channel"], i["action"]) for i in items] == [("fb", "sent")]
    assert len(sandbox.posts("facebook")) == 1


def test_relay_source_sent_in_the_same_run(tmp_path: Path, sandbox: Any) -> None:
    cfg = config(tmp_path, fb_extra="    relayed_by: x\n")
    run("-c", cfg, "schedule", "--at", "now", write_post(tmp_path))
    code, items, _ = run_json(cfg, sandbox)
    assert code == 0
    assert {i["channel"]: i["action"] for i in items} == {"x": "sent", "fb": "relayed"}
    assert sandbox.posts("facebook") == []


def test_nothing_due_returns_at_once_without_reading_the_config(tmp_path: Path) -> None:
    result = run("-c", tmp_path / "missing.yaml", "run")
    assert result.exit_code == 0


def test_every_action_leaves_an_event(tmp_path: Path, sandbox: Any, isolated_home: Path) -> None:
    from crosspost.ledger import open_store

    cfg = config(tmp_path)
    run("-c", cfg, "schedule", "--at", "now", write_post(tmp_path))
    sandbox.fault("twitter", status=400)  # refused: failed
    run_json(cfg, sandbox)
    rows = {r["channel"]: r["id"] for r in queue_rows(cfg)}
    run("queue", "cancel", str(rows["x"]))
    run("queue", "retry", str(rows["x"]))
    with open_store(isolated_home) as ledger:
        kinds = [e.kind for e in ledger.events(delivery_id=rows["x"])]
    assert kinds[:2] == ["created", "scheduled"]
    for kind in ("sending", "failed", "cancelled", "retried", "moved"):
        assert kind in kinds


# -- crosspost run as cron starts it: real processes ------------------------------------------


def cli(cfg: Path, home: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "CROSSPOST_HOME": str(home)}
    return subprocess.Popen(
        [sys.executable, "-m", "crosspost", "-c", str(cfg), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_overlapping_runs_send_each_delivery_once(
    tmp_path: Path, sandbox: Any, isolated_home: Path
) -> None:
    cfg = config(tmp_path)
    for n in range(6):
        post = write_post(tmp_path, name=f"p{n}.md", url=f"https://b.example/{n}")
        assert run("-c", cfg, "schedule", "--at", "now", post).exit_code == 0
    sandbox.latency("twitter", 0.2)
    sandbox.latency("facebook", 0.2)
    procs = [cli(cfg, isolated_home, "run", "--sandbox", sandbox.url) for _ in range(3)]
    for proc in procs:
        proc.wait(timeout=120)
        assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""
    tweets = [p["text"] for p in sandbox.posts("twitter")]
    fb = [p["text"] for p in sandbox.posts("facebook")]
    assert len(tweets) == 6 and len(set(tweets)) == 6
    assert len(fb) == 6 and len(set(fb)) == 6
    assert {r["state"] for r in json.loads(run("status", "--json").stdout)} == {"sent"}


def test_a_killed_run_loses_nothing_and_sends_nothing_twice(
    tmp_path: Path, sandbox: Any, isolated_home: Path
) -> None:
    cfg = config(tmp_path)
    run("-c", cfg, "schedule", "--at", "now", write_post(tmp_path))
    sandbox.fault("facebook", delay=30)
    proc = cli(cfg, isolated_home, "run", "--sandbox", sandbox.url)
    deadline = time.monotonic() + 30

    def x_recorded() -> bool:
        rows = json.loads(run("status", "--json").stdout)
        return any(r["channel"] == "x" and r["state"] == "sent" for r in rows)

    # Kill it once X's answer is recorded and Facebook's request has arrived.
    while not (sandbox.posts("facebook") and x_recorded()):
        assert time.monotonic() < deadline, "the run never got that far"
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    second = cli(cfg, isolated_home, "run", "--sandbox", sandbox.url)
    _, err = second.communicate(timeout=60)
    assert "interrupted while sending" in err
    # The second run reads the Page's feed for the delivery in doubt: it is there.
    assert "found on the network" in err
    states = {r["channel"]: r["state"] for r in json.loads(run("status", "--json").stdout)}
    assert states == {"x": "sent", "fb": "sent"}
    assert len(sandbox.posts("twitter")) == 1 and len(sandbox.posts("facebook")) == 1


def test_queue_lists_the_head_soonest_first(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    with time_machine.travel(utc(2026, 11, 26, 10), tick=False):
        for n, day in enumerate((5, 2, 9)):
            post = write_post(tmp_path, name=f"p{n}.md", url=f"https://b.example/{n}")
            run("-c", cfg, "schedule", "-C", "x", "--at", f"2026-12-0{day} 09:00", post)
    listed = json.loads(run("-c", cfg, "queue", "--json", "--limit", "2").stdout)
    assert [r["due_local"] for r in listed] == ["2026-12-02 09:00 CET", "2026-12-05 09:00 CET"]
    result = run("-c", cfg, "queue", "--limit", "2")
    assert "showing the first 2" in result.stderr


@pytest.mark.parametrize(("on_error", "held"), [("long", False), ("fail", True)])
def test_a_missing_bitly_token_follows_on_error(
    tmp_path: Path, sandbox: Any, on_error: str, held: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = config(tmp_path)
    cfg.write_text(
        f"shortener:\n  token: ${{NO_BITLY}}\n  on_error: {on_error}\n" + cfg.read_text()
    )
    monkeypatch.delenv("NO_BITLY", raising=False)
    run("-c", cfg, "schedule", "-C", "x", "--at", "now", write_post(tmp_path))
    # A real run (no --sandbox stand-ins for unset secrets), X pointed at the sandbox.
    cfg.write_text(
        cfg.read_text().replace(
            "network: twitter\n", f"network: twitter\n    api_url: {sandbox.url}\n"
        )
    )
    result = run("-c", cfg, "run", "--json")
    assert "NO_BITLY" in result.stderr
    (status,) = json.loads(run("status", "--json").stdout)
    if held:
        assert status["state"] == "pending" and sandbox.posts("twitter") == []
        assert "stay queued" in result.stderr
    else:
        assert status["state"] == "sent"
        assert "https://blog.example.com/a-title" in sandbox.posts("twitter")[0]["text"]


def test_channels_lists_each_channels_pacing(tmp_path: Path) -> None:
    cfg = config(
        tmp_path,
        x_extra="    slots: ['09:00', '18:00']\n    max_per_day: 2\n"
        "    min_interval: 90m\n    quiet_hours: ['22:00-07:00']\n    days: mon-fri\n",
    )
    rows = {r["channel"]: r for r in json.loads(run("-c", cfg, "channels", "--json").stdout)}
    assert rows["x"]["pacing"] == (
        "slots 09:00, 18:00; ≤2/day; ≥1h30 apart; quiet 22:00-07:00; days mon,tue,wed,thu,fri"
    )
    assert rows["fb"]["pacing"] == "any time"
