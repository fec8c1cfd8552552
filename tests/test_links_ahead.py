"""Short links made ahead: by the dry run, by `schedule`, and in one wave at the start of
`publish` and `run`, so each post then costs one round trip.  Over the sandbox's bit.ly."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from helpers import X_CREDS, run, write_config, write_post

SECRETS = {
    "X_KEY": "ck-1111",
    "X_SECRET": "cs-2222",
    "X_TOKEN": "at-3333",
    "X_TOKEN_SECRET": "ats-4444",
    "FB_TOKEN": "EAAB-5555",
    "LI_TOKEN": "AQV-6666",
    "BITLY_TOKEN": "bitly-7777",
}
CHANNELS = (
    "  x:\n    network: twitter\n" + X_CREDS + "  fb:\n    network: facebook\n    page_id: '111'\n"
    "    credentials:\n      page_token: ${FB_TOKEN}\n"
    "  li:\n    network: linkedin\n    author: urn:li:organization:42\n"
    "    credentials:\n      access_token: ${LI_TOKEN}\n"
)
HEAD = (
    "shortener:\n  service: bitly\n  token: ${BITLY_TOKEN}\n"
    "defaults:\n  timeout: 2\n  utm: {source: '{channel}', medium: social}\n"
)


@pytest.fixture(autouse=True)
def secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in SECRETS.items():
        monkeypatch.setenv(k, v)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = write_config(tmp_path, CHANNELS)
    path.write_text(HEAD + path.read_text())
    return path


def shortened(sandbox: Any) -> list[str]:
    return [r["body"]["long_url"] for r in sandbox.requests("bitly")]


def at(entry: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(entry["at"])


def test_the_dry_run_makes_the_links_and_publish_then_asks_bitly_nothing(
    tmp_path: Path, config: Path, sandbox: Any
) -> None:
    post = write_post(tmp_path)
    result = run("-c", config, "publish", "--dry-run", "--sandbox", sandbox.url, "--json", post)
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert len(shortened(sandbox)) == 3  # one per channel: each has its own UTM tags
    for row in rows:
        assert row["link"].startswith("https://bit.ly/"), row
        assert row["link"] in row["text"]  # the final text, and its final length
        assert not any("shortened" in w for w in row["warnings"])
    previewed = {r["channel"]: r["text"] for r in rows}
    sent = run("-c", config, "publish", "--sandbox", sandbox.url, "--json", post)
    assert sent.exit_code == 0, sent.stderr
    assert len(shortened(sandbox)) == 3  # not one more request
    assert {r["channel"]: r["text"] for r in json.loads(sent.stdout)} == previewed
    (tweet,) = sandbox.posts("twitter")
    assert tweet["text"] == previewed["x"]


def test_no_shorten_keeps_the_dry_run_offline(tmp_path: Path, config: Path, sandbox: Any) -> None:
    post = write_post(tmp_path)
    result = run(
        "-c", config, "publish", "--dry-run", "--no-shorten", "--sandbox", sandbox.url, post
    )
    assert result.exit_code == 0, result.stderr
    assert sandbox.requests("bitly") == []
    assert "not shortened (--no-shorten)" in result.stdout + result.stderr
    refused = run("-c", config, "publish", "--no-shorten", "--sandbox", sandbox.url, post)
    assert refused.exit_code == 2 and "--no-shorten is for --dry-run" in refused.stderr
    assert sandbox.posts("twitter") == []


def test_schedule_makes_the_links_and_run_sends_without_bitly(
    tmp_path: Path, config: Path, sandbox: Any
) -> None:
    for n in range(2):
        post = write_post(tmp_path, name=f"p{n}.md", url=f"https://blog.example.com/p{n}")
        scheduled = run(
            "-c", config, "schedule", "--at", "now", "--sandbox", sandbox.url, "--json", post
        )
        assert scheduled.exit_code == 0, scheduled.stderr
    assert len(shortened(sandbox)) == 6  # 2 posts x 3 channels, made when queued
    sent = run("-c", config, "run", "--sandbox", sandbox.url, "--json")
    assert sent.exit_code == 0, sent.stderr
    assert [r["action"] for r in json.loads(sent.stdout)] == ["sent"] * 6
    assert len(shortened(sandbox)) == 6
    assert all("https://bit.ly/" in p["text"] for p in sandbox.posts("twitter"))


def test_a_run_shortens_every_due_link_before_the_first_post_leaves(
    tmp_path: Path, config: Path, sandbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three posts due on X, queued while the bit.ly token was unset: the run makes the
    three links in one wave, then posts one after another with no bit.ly in between."""
    monkeypatch.delenv("BITLY_TOKEN")
    for n in range(3):
        post = write_post(tmp_path, name=f"p{n}.md", url=f"https://blog.example.com/p{n}")
        queued = run("-c", config, "schedule", "-C", "x", "--at", "now", "--json", post)
        assert queued.exit_code == 0, queued.stderr
        assert "link not shortened yet" in json.loads(queued.stdout)[0]["note"]
    monkeypatch.setenv("BITLY_TOKEN", SECRETS["BITLY_TOKEN"])
    sent = run("-c", config, "run", "--sandbox", sandbox.url, "--json")
    assert sent.exit_code == 0, sent.stderr
    asked = sandbox.requests("bitly")
    posted = [r for r in sandbox.requests("twitter") if r["path"] == "/2/tweets"]
    assert len(asked) == 3 and len(posted) == 3
    # Stamped as each request arrived: every link was asked for before the first post.
    assert max(at(r) for r in asked) < min(at(r) for r in posted)


def test_bitly_down_ahead_is_asked_once_then_the_long_link_goes_out(
    tmp_path: Path, config: Path, sandbox: Any
) -> None:
    sandbox.fault("bitly", status=500, count=3)
    result = run("-c", config, "publish", "--sandbox", sandbox.url, write_post(tmp_path))
    assert result.exit_code == 0, result.stderr
    assert len(shortened(sandbox)) == 3  # the senders did not ask again
    assert "sent the long link instead" in result.stderr
    assert all("https://blog.example.com/" in p["text"] for p in sandbox.posts("twitter"))
