"""Edits follow the file (issue 9, item 1): a queued or by-hand delivery whose post file
changed is sent (or shown) as the file now reads; an edit that fails a check keeps it
queued, says why, and makes `run` exit 1."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from helpers import X_CREDS, run, write_config, write_post

ENV = {"X_KEY": "k", "X_SECRET": "s", "X_TOKEN": "t", "X_TOKEN_SECRET": "ts"}


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in ENV.items():
        monkeypatch.setenv(k, v)


def config(tmp: Path) -> Path:
    path = write_config(
        tmp,
        "  x:\n    network: twitter\n    overflow: fail\n"
        + X_CREDS
        + "  xing:\n    network: manual\n    site: Xing\n",
    )
    path.write_text("defaults:\n  timezone: Europe/Paris\n  timeout: 2\n" + path.read_text())
    return path


def status() -> list[dict[str, Any]]:
    return json.loads(run("status", "--json").stdout)


def test_a_typo_fixed_after_schedule_goes_out_fixed(
    tmp_path: Path, sandbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = config(tmp_path)
    write_post(tmp_path, summary="Our new labb opens on Monday.")
    # Scheduled with a relative path, sent from cron's other working directory.
    assert run("-c", cfg, "schedule", "-C", "x", "--at", "now", "post.md").exit_code == 0
    write_post(tmp_path, summary="Our new lab opens on Monday.")
    (row,) = status()
    assert row["edited"] is True
    listed = run("-c", cfg, "queue", env={"COLUMNS": "100"})
    assert "(edited)" in listed.stdout
    elsewhere = tmp_path / "cron-cwd"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = run("-c", cfg, "run", "--sandbox", sandbox.url, "--json")
    assert result.exit_code == 0, result.stderr
    (tweet,) = sandbox.posts("twitter")
    assert "Our new lab opens" in tweet["text"] and "labb" not in tweet["text"]
    (row,) = status()
    assert row["state"] == "sent" and row["edited"] is False


def test_an_edit_that_fails_a_check_stays_queued_and_run_exits_1(
    tmp_path: Path, sandbox: Any
) -> None:
    cfg = config(tmp_path)
    post = write_post(tmp_path, summary="Short and sweet.")
    assert run("-c", cfg, "schedule", "-C", "x", "--at", "now", post).exit_code == 0
    write_post(tmp_path, summary="Far too long for X. " * 20)  # overflow: fail
    result = run("-c", cfg, "run", "--sandbox", sandbox.url, "--json")
    assert result.exit_code == 1
    (item,) = json.loads(result.stdout)
    assert item["action"] == "held" and "it stays queued" in item["note"]
    assert "over the limit" in item["note"]
    assert sandbox.posts("twitter") == []
    (row,) = status()
    assert row["state"] == "pending" and "Short and sweet." in row["text"]  # as recorded
    # Fixed again, it goes out at the next run.
    write_post(tmp_path, summary="Short and sweeter.")
    again = run("-c", cfg, "run", "--sandbox", sandbox.url, "--json")
    assert again.exit_code == 0, again.stderr
    (tweet,) = sandbox.posts("twitter")
    assert "Short and sweeter." in tweet["text"]


def test_a_by_hand_task_shows_the_edited_text(tmp_path: Path, sandbox: Any) -> None:
    cfg = config(tmp_path)
    post = write_post(tmp_path, summary="First words.")
    assert run("-c", cfg, "publish", "--sandbox", sandbox.url, "-C", "xing", post).exit_code == 0
    write_post(tmp_path, summary="Better words.")
    (task,) = json.loads(run("-c", cfg, "tasks", "--json").stdout)
    assert "Better words." in task["text"] and "First words." not in task["text"]
    assert task["problem"] is None
    (row,) = status()
    assert row["state"] == "manual" and "Better words." in row["text"]
