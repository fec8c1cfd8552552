"""What she means and what cron must hear (issue 9, items 4 and 5): publishing a queued
post asks first, an expiring token is said by `run`, a channel that cannot send makes
`run` exit 1, a refused token pauses the channel from `publish` too, and the terminal
reads the same secrets file as cron."""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from helpers import X_CREDS, run, write_config, write_post

ENV = {"X_KEY": "k", "X_SECRET": "s", "X_TOKEN": "t", "X_TOKEN_SECRET": "ts", "LI_TOKEN": "li"}


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in ENV.items():
        monkeypatch.setenv(k, v)


def config(tmp: Path, *, li_expires: date | None = None, api_url: str | None = None) -> Path:
    api = f"    api_url: {api_url}\n" if api_url else ""
    expires = f"    token_expires: {li_expires.isoformat()}\n" if li_expires else ""
    path = write_config(
        tmp,
        "  x:\n    network: twitter\n"
        + api
        + X_CREDS
        + "  li:\n    network: linkedin\n    author: urn:li:organization:42\n"
        + api
        + expires
        + "    credentials:\n      access_token: ${LI_TOKEN}\n",
    )
    path.write_text("defaults:\n  timeout: 2\n  timezone: Europe/Paris\n" + path.read_text())
    return path


def status() -> list[dict[str, Any]]:
    return json.loads(run("status", "--json").stdout)


# -- item 4: publish of a scheduled post ------------------------------------------------


def test_publish_of_a_queued_post_asks_and_without_a_terminal_exits_2(
    tmp_path: Path, sandbox: Any
) -> None:
    cfg = config(tmp_path)
    post = write_post(tmp_path)
    later = (datetime.now(UTC) + timedelta(days=12)).strftime("%Y-%m-%d 09:00")
    assert run("-c", cfg, "schedule", "-C", "x", "--at", later, post).exit_code == 0
    (queued,) = status()
    result = run("-c", cfg, "publish", "--sandbox", sandbox.url, "-C", "x", post)
    assert result.exit_code == 2
    assert f"queued on x for {later}" in result.stderr and "--now" in result.stderr
    assert sandbox.posts("twitter") == []
    assert status() == [queued]  # untouched: still queued, same time

    sent = run("-c", cfg, "publish", "--sandbox", sandbox.url, "-C", "x", "--now", post)
    assert sent.exit_code == 0, sent.stderr
    (row,) = status()  # the queued row itself went out: no second copy
    assert (row["id"], row["state"]) == (queued["id"], "sent")
    assert len(sandbox.posts("twitter")) == 1
    assert run("-c", cfg, "run", "--sandbox", sandbox.url, "--json").stdout.strip() == "[]"
    assert len(sandbox.posts("twitter")) == 1


# -- item 5: what cron must hear ---------------------------------------------------------


def test_run_warns_of_a_token_expiring_within_7_days(tmp_path: Path, sandbox: Any) -> None:
    soon = datetime.now(UTC).date() + timedelta(days=3)
    cfg = config(tmp_path, li_expires=soon)
    assert run("-c", cfg, "schedule", "-C", "x", "--at", "now", write_post(tmp_path)).exit_code == 0
    result = run("-c", cfg, "run", "--sandbox", sandbox.url)
    assert result.exit_code == 0, result.stderr
    assert "LinkedIn token of channel 'li'" in result.stderr and "in 3 days" in result.stderr


def test_run_holds_an_expired_tokens_channel_and_exits_1(tmp_path: Path, sandbox: Any) -> None:
    cfg = config(tmp_path, li_expires=datetime.now(UTC).date() - timedelta(days=1))
    assert run("-c", cfg, "schedule", "--at", "now", write_post(tmp_path)).exit_code == 0
    result = run("-c", cfg, "run", "--sandbox", sandbox.url)
    assert result.exit_code == 1
    assert "channel li: its due deliveries stay queued" in result.stderr
    assert "expired" in result.stderr
    states = {r["channel"]: r["state"] for r in status()}
    assert states == {"x": "sent", "li": "pending"}
    assert sandbox.posts("linkedin") == []


def test_run_exits_1_when_a_secret_is_unset(
    tmp_path: Path, sandbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = config(tmp_path, api_url=sandbox.url)  # a real run: no stand-in secrets
    assert run("-c", cfg, "schedule", "--at", "now", write_post(tmp_path)).exit_code == 0
    monkeypatch.delenv("LI_TOKEN")
    result = run("-c", cfg, "run")
    assert result.exit_code == 1
    assert "channel li: its due deliveries stay queued" in result.stderr
    assert "LI_TOKEN" in result.stderr
    assert {r["channel"]: r["state"] for r in status()} == {"x": "sent", "li": "pending"}


def test_a_401_during_publish_pauses_the_channel(tmp_path: Path, sandbox: Any) -> None:
    cfg = config(tmp_path)
    post = write_post(tmp_path)
    sandbox.fault("linkedin", status=401)
    result = run("-c", cfg, "publish", "--sandbox", sandbox.url, "-C", "li", post)
    assert result.exit_code == 1
    assert "channel li is now PAUSED" in result.stderr
    assert "crosspost channel resume li" in result.stderr
    # Publishing again stops before any request while the channel is paused.
    again = run("-c", cfg, "publish", "--sandbox", sandbox.url, "-C", "li", post)
    assert again.exit_code == 2
    assert "channel li is paused" in again.stderr
    assert len(sandbox.requests("linkedin")) == 1
    assert run("-c", cfg, "channel", "resume", "li").exit_code == 0
    resumed = run("-c", cfg, "publish", "--sandbox", sandbox.url, "-C", "li", post)
    assert resumed.exit_code == 0, resumed.stderr
    assert [r["state"] for r in status()] == ["sent"]


def test_the_terminal_reads_the_home_env_file_and_warns_when_others_can_read_it(
    tmp_path: Path, sandbox: Any, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = config(tmp_path, api_url=sandbox.url)
    for name in ENV:
        monkeypatch.delenv(name)
    post = write_post(tmp_path)
    missing = run("-c", cfg, "publish", "-C", "x", post)
    assert missing.exit_code == 2 and "X_KEY" in missing.stderr
    isolated_home.mkdir(parents=True, exist_ok=True)
    env = isolated_home / "env"
    env.write_text(
        "# secrets for cron and the terminal\n"
        "X_KEY=k-SECRET-env\nexport X_SECRET='s-SECRET-env'\nX_TOKEN=\"t-SECRET-env\"\n"
        "X_TOKEN_SECRET=ts-SECRET-env\nnot a line\n",
        encoding="utf-8",
    )
    env.chmod(0o644)
    try:
        result = run("-c", cfg, "publish", "-C", "x", post)
        assert result.exit_code == 0, result.stderr
        assert "others may read it (mode 644)" in result.stderr and "chmod 600" in result.stderr
        assert f"{env}:6: not a NAME=value line" in result.stderr
        assert "SECRET-env" not in result.stderr + result.stdout  # no value is ever shown
        assert len(sandbox.posts("twitter")) == 1
    finally:
        for name in ENV:  # load_env_file set them in this very process
            os.environ.pop(name, None)


def test_check_and_channels_show_expiry_and_pause(tmp_path: Path, sandbox: Any) -> None:
    cfg = config(tmp_path, li_expires=datetime.now(UTC).date() + timedelta(days=2))
    post = write_post(tmp_path, image="missing.png", image_alt="a lab")
    checked = run("-c", cfg, "check", post)
    assert checked.exit_code == 2
    assert "missing.png" in checked.stderr and "not found" in checked.stderr
    post = write_post(tmp_path)
    checked = run("-c", cfg, "check", post)
    assert checked.exit_code == 0, checked.stderr
    assert "LinkedIn token of channel 'li'" in checked.stderr and "in 2 days" in checked.stderr
    assert "1 warning above" in checked.stderr
    assert run("-c", cfg, "channel", "pause", "x").exit_code == 0
    rows = {r["channel"]: r for r in json.loads(run("-c", cfg, "channels", "--json").stdout)}
    assert rows["x"]["attention"] == "paused: paused by hand."
    assert "in 2 days" in rows["li"]["attention"]
    listed = run("-c", cfg, "channels")
    assert "channel x: paused: paused by hand." in listed.stderr


@pytest.mark.parametrize(
    ("fault", "said"),
    [
        ({"status": 402}, "Top up the X API credits"),
        ({"status": 429, "problem": "usage-capped"}, "monthly usage cap"),
    ],
)
def test_x_billing_answers_pause_the_channel(
    tmp_path: Path, sandbox: Any, fault: dict[str, Any], said: str
) -> None:
    cfg = config(tmp_path)
    for n in range(2):
        post = write_post(tmp_path, name=f"p{n}.md", url=f"https://blog.example.com/{n}")
        assert run("-c", cfg, "schedule", "-C", "x", "--at", "now", post).exit_code == 0
    sandbox.fault("twitter", **fault)
    result = run("-c", cfg, "run", "--sandbox", sandbox.url)
    assert result.exit_code == 1
    assert "channel x is PAUSED" in result.stderr and said in result.stderr
    # Both stay queued; the second was not even tried, and the next run tries nothing.
    assert [r["state"] for r in status()] == ["pending", "pending"]
    assert len(sandbox.requests("twitter")) == 1
    again = run("-c", cfg, "run", "--sandbox", sandbox.url)
    assert again.exit_code == 1 and "channel x is PAUSED" in again.stderr
    assert len(sandbox.requests("twitter")) == 1
    assert run("-c", cfg, "channel", "resume", "x").exit_code == 0
    assert run("-c", cfg, "run", "--sandbox", sandbox.url).exit_code == 0
    assert len(sandbox.posts("twitter")) == 2


def test_check_and_run_warn_60_days_before_an_api_version_ends(
    tmp_path: Path, sandbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time_machine

    monkeypatch.setenv("FB_TOKEN", "fb-token-value")
    cfg = write_config(
        tmp_path,
        "  fb:\n    network: facebook\n    page_id: '111'\n    graph_version: v21.0\n"
        "    credentials:\n      page_token: ${FB_TOKEN}\n"
        "  li:\n    network: linkedin\n    author: urn:li:organization:42\n"
        "    linkedin_version: '202601'\n    credentials:\n      access_token: ${LI_TOKEN}\n",
    )
    with time_machine.travel("2026-12-01T10:00:00+00:00", tick=False):
        checked = run("-c", cfg, "check")
        assert checked.exit_code == 0, checked.stderr
        assert "Graph API version v21.0 of channel 'fb' ends on 2027-01-21" in checked.stderr
        assert "LinkedIn API version 202601 of channel 'li' ends on 2027-01-15" in checked.stderr
        assert (
            run("-c", cfg, "schedule", "-C", "fb", "--at", "now", write_post(tmp_path)).exit_code
            == 0
        )
        result = run("-c", cfg, "run", "--sandbox", sandbox.url)
    assert "v21.0" in result.stderr and "graph_version" in result.stderr
    with time_machine.travel("2026-10-01T10:00:00+00:00", tick=False):  # 112 days before
        assert "v21.0" not in run("-c", cfg, "check").stderr
