"""Exit statuses: one meaning each, whatever the command (0 ok, 1 something did not
go out, 2 the user's to fix, 130 interrupted)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from helpers import X_CREDS, run, write_config, write_post

ENV = {"X_KEY": "k", "X_SECRET": "s", "X_TOKEN": "t", "X_TOKEN_SECRET": "ts", "FB_TOKEN": "f"}


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in ENV.items():
        monkeypatch.setenv(k, v)


def config(tmp: Path) -> Path:
    path = write_config(
        tmp,
        "  x:\n    network: twitter\n"
        + X_CREDS
        + "  fb:\n    network: facebook\n    page_id: '111'\n"
        + "    credentials:\n      page_token: ${FB_TOKEN}\n",
    )
    path.write_text("defaults:\n  timeout: 2\n" + path.read_text())
    return path


def sent_delivery(tmp: Path, sandbox: Any) -> tuple[Path, dict[str, Any]]:
    cfg = config(tmp)
    result = run("-c", cfg, "publish", "--sandbox", sandbox.url, "-C", "x", write_post(tmp))
    assert result.exit_code == 0, result.stderr
    (row,) = json.loads(run("status", "--json").stdout)
    assert row["state"] == "sent"
    return cfg, row


def test_done_on_a_sent_delivery_is_the_users_mistake(tmp_path: Path, sandbox: Any) -> None:
    _, row = sent_delivery(tmp_path, sandbox)
    result = run("done", str(row["id"]), "--url", "https://x.com/elsewhere")
    assert result.exit_code == 2
    assert f"cannot mark as done delivery {row['id']}" in result.stderr
    assert "it is sent" in result.stderr
    assert "Traceback" not in result.stderr
    # Nothing changed: the recorded URL is still the network's.
    (after,) = json.loads(run("status", "--json").stdout)
    assert after["url"] == row["url"] and after["state"] == "sent"


def test_queue_retry_of_a_sent_delivery_and_an_unknown_id_exit_2(
    tmp_path: Path, sandbox: Any
) -> None:
    _, row = sent_delivery(tmp_path, sandbox)
    retried = run("queue", "retry", str(row["id"]))
    assert retried.exit_code == 2
    assert "it is sent" in retried.stderr
    for args in (("done", "999"), ("queue", "cancel", "999"), ("queue", "retry", "999")):
        result = run(*args)
        assert result.exit_code == 2, args
        assert "no delivery with id 999" in result.stderr


def test_a_ledger_that_is_not_a_ledger_exits_2_with_what_to_do(isolated_home: Path) -> None:
    isolated_home.mkdir(parents=True)
    (isolated_home / "ledger.sqlite3").write_bytes(b"this is not a database" * 100)
    result = run("status")
    assert result.exit_code == 2
    assert "ledger" in result.stderr and "move it away" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_ledger_from_a_newer_crosspost_exits_2(isolated_home: Path) -> None:
    isolated_home.mkdir(parents=True)
    path = isolated_home / "ledger.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 999")
    result = run("status")
    assert result.exit_code == 2
    assert "newer crosspost" in result.stderr and "upgrade crosspost" in result.stderr


def test_ctrl_c_during_a_run_exits_130_and_loses_nothing(
    tmp_path: Path, sandbox: Any, isolated_home: Path
) -> None:
    cfg = config(tmp_path)
    assert (
        run("-c", cfg, "schedule", "-C", "fb", "--at", "now", write_post(tmp_path)).exit_code == 0
    )
    sandbox.fault("facebook", delay=30)
    proc = subprocess.Popen(
        [sys.executable, "-m", "crosspost", "-c", str(cfg), "run", "--sandbox", sandbox.url],
        env={**os.environ, "CROSSPOST_HOME": str(isolated_home)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while not sandbox.posts("facebook"):
        assert time.monotonic() < deadline, "the request never reached the sandbox"
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "1 request already sent: waiting up to" in err and "Ctrl-C again" in err
    assert "Traceback" not in err
    # The request had left: the delivery is unknown, never pending (which would resend it).
    (row,) = json.loads(run("status", "--json").stdout)
    assert row["state"] == "unknown"
    again = run("-c", cfg, "run", "--sandbox", sandbox.url, "--json")
    assert json.loads(again.stdout) == []
    (row,) = json.loads(run("status", "--json").stdout)
    assert row["state"] == "unknown"
    assert len(sandbox.posts("facebook")) == 1


def test_a_mistyped_month_is_refused_before_any_ledger_is_created(
    tmp_path: Path, isolated_home: Path
) -> None:
    cfg = config(tmp_path)
    result = run("-c", cfg, "report", "--month", "2026-13")
    assert result.exit_code == 2
    assert "2026-13" in result.stderr and "Traceback" not in result.stderr
    assert not (isolated_home / "ledger.sqlite3").exists()


def _start(cfg: Path, home: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "crosspost", "-c", str(cfg), *args],
        env={**os.environ, "CROSSPOST_HOME": str(home), "COLUMNS": "100"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(predicate: Any, what: str) -> None:
    deadline = time.monotonic() + 30
    while not predicate():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def _recorded_state(home: Path, channel: str) -> str | None:
    """The state the running crosspost recorded for `channel`'s delivery, read with
    sqlite3 alone: opening the ledger through crosspost could act on the run's claims."""
    path = home / "ledger.sqlite3"
    if not path.exists():
        return None
    with contextlib.closing(sqlite3.connect(path)) as db:
        row = db.execute("SELECT state FROM deliveries WHERE channel = ?", (channel,)).fetchone()
    return row[0] if row else None


def test_ctrl_c_during_publish_says_what_it_waits_for_then_shows_the_table(
    tmp_path: Path, sandbox: Any, isolated_home: Path
) -> None:
    cfg = config(tmp_path)
    post = write_post(tmp_path)
    sandbox.fault("facebook", delay=30)
    proc = _start(cfg, isolated_home, "publish", "--sandbox", sandbox.url, str(post))
    # X's post existing in the sandbox is not enough: its answer may still be on the way,
    # and then two requests are in flight.  Wait until the run has recorded it.
    _wait_for(
        lambda: sandbox.posts("facebook") and _recorded_state(isolated_home, "x") == "sent",
        "no request, or X's answer never recorded",
    )
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "1 request already sent: waiting up to" in err and "its answer" in err
    # The result table is printed all the same: X went out, Facebook's answer never came.
    assert "x" in out and "sent" in out and "unknown" in out
    states = {r["channel"]: r["state"] for r in json.loads(run("status", "--json").stdout)}
    assert states == {"x": "sent", "fb": "unknown"}
    assert len(sandbox.posts("facebook")) == 1


def test_a_second_ctrl_c_stops_at_once_and_the_next_run_says_unknown(
    tmp_path: Path, sandbox: Any, isolated_home: Path
) -> None:
    cfg = config(tmp_path)
    cfg.write_text(cfg.read_text().replace("timeout: 2", "timeout: 60"))
    post = write_post(tmp_path)
    sandbox.fault("facebook", delay=90)
    proc = _start(cfg, isolated_home, "publish", "--sandbox", sandbox.url, "-C", "fb", str(post))
    _wait_for(lambda: sandbox.posts("facebook"), "the request never reached the sandbox")
    proc.send_signal(signal.SIGINT)
    time.sleep(0.5)  # let the first one be taken before the second
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)  # far less than the 60 s it would wait
    assert proc.returncode == 130, err
    assert "stopped without waiting" in err and "Traceback" not in err
    again = run("-c", cfg, "publish", "--sandbox", sandbox.url, "-C", "fb", "--json", post)
    # The next publish says what happened, then finds the post on the Page: sent, once.
    assert again.exit_code == 0, again.stderr
    assert "interrupted while sending" in again.stderr
    assert "found on the network" in again.stderr
    (row,) = json.loads(again.stdout)
    assert row["state"] == "sent" and not row["sent_now"]
    assert len(sandbox.posts("facebook")) == 1
