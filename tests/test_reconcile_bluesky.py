"""Finding a Bluesky post again by its record key (`find`), and publishing from the CLI
in two processes on one stored session.

Real HTTP against the sandbox PDS through the atproto SDK, as in
test_networks_bluesky.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from crosspost.errors import Transient
from crosspost.networks import bluesky_record as rec
from crosspost.networks.base import Answer, Finding, Outgoing
from crosspost.networks.bluesky import BlueskyNetwork, BlueskySettings
from helpers import write_config, write_post

PASSWORD = "abcd-efgh-ijkl-mnop"
HANDLE = "school.bsky.social"
KEY = "0123456789abcdef0123456789abcdef"
CREATED = datetime(2026, 12, 1, 9, 30, 15, 123456, tzinfo=UTC)
SINCE = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def adapter(sandbox: Any, state: Path) -> BlueskyNetwork:
    return BlueskyNetwork(
        channel="bsky",
        settings=BlueskySettings(handle=HANDLE),
        credentials={"app_password": PASSWORD},
        api_url=sandbox.url,
        timeout=0.5,
        state_dir=state,
    )


def outgoing(*parts: str, **fields: Any) -> Outgoing:
    values: dict[str, Any] = {"key": KEY, "created_at": CREATED, **fields}
    return Outgoing(channel="bsky", parts=parts or ("Hello",), **values)


def find(sandbox: Any, state: Path, *parts: str, **fields: Any) -> Finding:
    return adapter(sandbox, state).find(outgoing=outgoing(*parts, **fields), since=SINCE)


def reads(sandbox: Any) -> list[dict[str, Any]]:
    return [r for r in sandbox.requests("bluesky") if r["path"].endswith("getRecord")]


def test_a_sent_thread_is_found_part_by_part(sandbox: Any, tmp_path: Path) -> None:
    receipt = adapter(sandbox, tmp_path).send(outgoing=outgoing("one", "two"))

    finding = find(sandbox, tmp_path, "one", "two")

    assert finding.answer is Answer.FOUND
    assert finding.part_ids == receipt.part_ids
    assert finding.url == receipt.url
    assert [r["query"]["rkey"] for r in reads(sandbox)] == [
        rec.record_key(KEY, CREATED, 0),
        rec.record_key(KEY, CREATED, 1),
    ]
    assert all(r["query"]["collection"] == "app.bsky.feed.post" for r in reads(sandbox))


def test_absent_when_nothing_is_at_the_key(sandbox: Any, tmp_path: Path) -> None:
    adapter(sandbox, tmp_path).send(outgoing=outgoing("another post", key="f" * 32))

    finding = find(sandbox, tmp_path, "Hello")

    assert (finding.answer, finding.part_ids, finding.url) == (Answer.ABSENT, (), None)
    assert rec.record_key(KEY, CREATED, 0) in finding.checked


def test_absent_after_the_parts_found_when_a_thread_stopped(sandbox: Any, tmp_path: Path) -> None:
    first = adapter(sandbox, tmp_path).send(outgoing=outgoing("one"))

    finding = find(sandbox, tmp_path, "one", "two", "three")

    assert finding.answer is Answer.ABSENT
    assert finding.part_ids == first.part_ids  # the thread resumes after them
    assert finding.url == first.url


def test_resuming_looks_only_after_the_recorded_parts(sandbox: Any, tmp_path: Path) -> None:
    receipt = adapter(sandbox, tmp_path).send(outgoing=outgoing("one", "two"))

    finding = find(sandbox, tmp_path, "one", "two", sent_parts=receipt.part_ids[:1])

    assert finding.answer is Answer.FOUND and finding.part_ids == receipt.part_ids[1:]
    assert [r["query"]["rkey"] for r in reads(sandbox)] == [rec.record_key(KEY, CREATED, 1)]
    assert finding.url == receipt.url


def test_another_text_at_our_key_is_unsure(sandbox: Any, tmp_path: Path) -> None:
    adapter(sandbox, tmp_path).send(outgoing=outgoing("Hello"))

    finding = find(sandbox, tmp_path, "Hello, edited")

    assert finding.answer is Answer.UNSURE and "another text" in finding.checked


def test_a_failed_read_raises(sandbox: Any, tmp_path: Path) -> None:
    adapter(sandbox, tmp_path).send(outgoing=outgoing("Hello"))
    sandbox.fault("bluesky", status=503, reads=True)
    with pytest.raises(Transient, match="server error"):
        find(sandbox, tmp_path, "Hello")


def test_the_sandbox_answers_a_missing_record_as_a_pds_does(sandbox: Any) -> None:
    answer = requests.get(
        f"{sandbox.url}/xrpc/com.atproto.repo.getRecord",
        params={"repo": "did:plc:x", "collection": "app.bsky.feed.post", "rkey": "3n3nrgketplmu"},
        timeout=5,
    )
    assert answer.status_code == 400
    assert answer.json()["error"] == "RecordNotFound"


# The CLI, in two processes ---------------------------------------------------------------

PUBLISH = """
import sys
from crosspost.cli.commands import app
app(sys.argv[1:])
"""


def publish_in_a_process(config: Path, sandbox: Any, post: Path, home: Path) -> dict[str, Any]:
    env = {**os.environ, "CROSSPOST_HOME": str(home), "BSKY_APP_PASSWORD": PASSWORD}
    done = subprocess.run(
        [sys.executable, "-c", PUBLISH, "-c", str(config), "publish", "--sandbox", sandbox.url,
         "--json", str(post)],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert PASSWORD not in done.stdout + done.stderr
    (row,) = json.loads(done.stdout)
    return dict(row)


def test_two_cli_runs_log_in_once(sandbox: Any, tmp_path: Path, isolated_home: Path) -> None:
    config = write_config(
        tmp_path,
        "  bsky:\n    network: bluesky\n    handle: school.bsky.social\n"
        "    credentials:\n      app_password: ${BSKY_APP_PASSWORD}\n",
    )
    first = publish_in_a_process(
        config,
        sandbox,
        write_post(
            tmp_path,
            "a.md",
            title="Premier billet",
            url="https://blog.example.com/premier",
            lang="fr",
        ),
        isolated_home,
    )
    second = publish_in_a_process(
        config,
        sandbox,
        write_post(
            tmp_path,
            "b.md",
            title="Second billet",
            url="https://blog.example.com/second",
            lang="fr",
        ),
        isolated_home,
    )

    assert first["state"] == second["state"] == "sent"
    assert first["url"] != second["url"]
    assert first["url"].startswith(f"https://bsky.app/profile/{HANDLE}/post/")
    logins = [r for r in sandbox.requests("bluesky") if r["path"].endswith("createSession")]
    assert len(logins) == 1
    assert len(sandbox.posts("bluesky")) == 2
    sessions = list(isolated_home.rglob("session"))
    assert len(sessions) == 1 and sessions[0].stat().st_mode & 0o077 == 0
    assert [p["langs"] for p in sandbox.posts("bluesky")] == [["fr"], ["fr"]]
    assert all(p["link"].startswith("https://blog.example.com/") for p in sandbox.posts("bluesky"))
