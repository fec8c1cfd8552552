"""Three computers, one ledger: `crosspost run --loop` workers as separate processes,
each with its own host identity, sharing one PostgreSQL ledger over the sandbox.

What a user would notice if it broke: a post twice on a network, a post never sent,
a channel posting faster than its pacing allows because two machines each thought it
was their turn, or a post lost (or doubled) when one machine dies mid-send.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from crosspost.ledger import open_store
from helpers import X_CREDS, run, write_config, write_post

HOSTS = ("host-a", "host-b", "host-c")
BULK_POSTS = 100  # on x and fb: 200 deliveries
PACED_POSTS = 6  # on li-paced (min_interval) and fb-capped (max_per_day: 3)
ENV = {"X_KEY": "k", "X_SECRET": "s", "X_TOKEN": "t", "X_TOKEN_SECRET": "ts"}
ENV |= {"FB_TOKEN": "f", "LI_TOKEN": "l"}

CHANNELS = (
    "  x:\n    network: twitter\n    audience: [bulk]\n"
    + X_CREDS
    + "  fb:\n    network: facebook\n    page_id: '111'\n    audience: [bulk]\n"
    "    credentials:\n      page_token: ${FB_TOKEN}\n"
    "  li-paced:\n    network: linkedin\n    author: urn:li:organization:42\n"
    "    audience: [paced]\n    min_interval: 90m\n"
    "    credentials:\n      access_token: ${LI_TOKEN}\n"
    "  fb-capped:\n    network: facebook\n    page_id: '222'\n    audience: [paced]\n"
    "    max_per_day: 3\n    credentials:\n      page_token: ${FB_TOKEN}\n"
)


@pytest.fixture
def shared(pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str]:
    """channels.yaml and the PostgreSQL ledger every worker (and this test) uses."""
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("CROSSPOST_LEDGER", pg_url)
    config = write_config(tmp_path, CHANNELS)
    config.write_text("defaults:\n  timezone: UTC\n  timeout: 5\n" + config.read_text())
    return config, pg_url


def queue_posts(
    tmp_path: Path, config: Path, audience: str, count: int, batch: str = "first"
) -> None:
    folder = tmp_path / f"{audience}-{batch}"
    folder.mkdir()
    posts = [
        write_post(
            folder,
            name=f"{audience}-{n}.md",
            title=f"{audience} post number {n} ({batch})",
            url=f"https://blog.example/{audience}/{batch}/{n}",
            audience=[audience],
        )
        for n in range(count)
    ]
    result = run("-c", config, "schedule", "--at", "now", *posts)
    assert result.exit_code == 0, result.stderr


@pytest.fixture
def workers(
    shared: tuple[Path, str], sandbox: Any, tmp_path: Path
) -> Iterator[dict[str, subprocess.Popen[str]]]:
    """A function starting the three workers, each `crosspost run --loop` with its host."""
    config, _ = shared
    procs: dict[str, subprocess.Popen[str]] = {}
    for host in HOSTS:
        env = {**os.environ, "CROSSPOST_HOST": host}
        procs[host] = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "crosspost",
                "-c",
                str(config),
                "run",
                "--loop",
                "--every",
                "1",
                "--sandbox",
                sandbox.url,
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(tmp_path / f"{host}.log", "w"),  # noqa: SIM115 (closed with the process)
            text=True,
        )
    try:
        yield procs
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
        for proc in procs.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def statuses() -> list[dict[str, Any]]:
    return json.loads(run("status", "--json", "--all").stdout)


def wait_for(condition: Callable[[], bool], what: str, seconds: float, logs: Path) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            said = "\n".join(f"--- {h}\n{(logs / f'{h}.log').read_text()[-2000:]}" for h in HOSTS)
            raise AssertionError(f"{what}: not within {seconds} s\n{said}")
        time.sleep(0.25)


def sent_on(rows: list[dict[str, Any]], channel: str) -> int:
    return sum(r["channel"] == channel and r["state"] == "sent" for r in rows)


def test_three_workers_send_each_delivery_once_keep_pacing_and_survive_a_death(
    shared: tuple[Path, str],
    sandbox: Any,
    workers: dict[str, subprocess.Popen[str]],
    tmp_path: Path,
) -> None:
    config, url = shared
    sandbox.latency("twitter", 0.01)
    sandbox.latency("facebook", 0.01)
    queue_posts(tmp_path, config, "bulk", BULK_POSTS)

    # 1. 200 deliveries, three machines: every one out, none twice.
    def bulk_done() -> bool:
        rows = statuses()
        return sent_on(rows, "x") + sent_on(rows, "fb") == 2 * BULK_POSTS

    wait_for(bulk_done, "the 200 deliveries sent", 180, tmp_path)
    tweets = Counter(p["text"] for p in sandbox.posts("twitter"))
    page = Counter(p["text"] for p in sandbox.posts("facebook"))
    assert len(tweets) == BULK_POSTS and set(tweets.values()) == {1}
    assert len(page) == BULK_POSTS and set(page.values()) == {1}
    with open_store(Path(), url) as ledger:
        claimers = {
            str(e.detail["owner"]).split(":")[0] for e in ledger.events() if e.kind == "sending"
        }
    assert claimers == set(HOSTS)  # all three did their share

    # 2. Paced channels, and a machine that dies while LinkedIn holds its request.
    sandbox.fault("linkedin", delay=60)  # the post is created, the answer is late
    # Queued through a channels.yaml without the pacing (as before someone added it),
    # so all are due at once: `schedule` would have spread them out itself.
    unpaced = tmp_path / "unpaced" / "channels.yaml"
    unpaced.parent.mkdir()
    text = config.read_text().replace("    min_interval: 90m\n", "")
    unpaced.write_text(text.replace("    max_per_day: 3\n", ""))
    queue_posts(tmp_path, unpaced, "paced", PACED_POSTS)
    victim: dict[str, Any] = {}

    def linkedin_in_flight() -> bool:
        rows = [r for r in statuses() if r["channel"] == "li-paced" and r["state"] == "sending"]
        if rows and sandbox.posts("linkedin"):
            victim.update(rows[0])
            return True
        return False

    wait_for(linkedin_in_flight, "a LinkedIn request in flight", 60, tmp_path)
    # While its machine waits for LinkedIn, more posts come due on the paced channels.
    # The other machines loop three times meanwhile: seeing no post *sent* on li-paced
    # yet, each would take its turn, unless the claim itself keeps the pace.
    queue_posts(tmp_path, unpaced, "paced", 2, batch="late")
    time.sleep(3)
    with open_store(Path(), url) as ledger:
        claimed_by = ledger.get(victim["id"]).claimed_by
    host = str(claimed_by).split(":")[0]
    workers[host].kill()  # mid-send: its claim is committed, its answer never comes
    workers[host].wait()

    def settled() -> bool:
        rows = {r["id"]: r for r in statuses()}
        capped = [r for r in rows.values() if r["channel"] == "fb-capped"]
        return (
            rows[victim["id"]]["state"] == "sent"
            and sum(r["state"] == "sent" for r in capped) == 3
            and all(r["state"] in ("sent", "pending") for r in capped)
        )

    wait_for(settled, "the dead worker's claim reconciled, the capped channel full", 90, tmp_path)
    time.sleep(3)  # three more loops of the survivors: nothing else may go out
    with open_store(Path(), url) as ledger:
        history = [e for e in ledger.events(delivery_id=victim["id"])]
        paced = ledger.deliveries(channel="li-paced")
        capped = ledger.deliveries(channel="fb-capped")
    kinds = [e.kind for e in history]
    assert "recovered" in kinds and kinds[-1] == "found", kinds  # unknown, then read back
    recovered = next(e for e in history if e.kind == "recovered")
    assert str(recovered.detail["claimed_by"]).startswith(f"{host}:")
    assert len(sandbox.posts("linkedin")) == 1  # the dead machine's post, not a second
    # min_interval 90m: one post, the others moved past it; max_per_day 3: three.
    assert [d.state for d in paced].count("sent") == 1
    assert all(d.due_at is not None for d in paced if d.state == "pending")
    assert [d.state for d in capped].count("sent") == 3
    capped_texts = [p for p in sandbox.posts("facebook") if "paced post" in p["text"]]
    assert len(capped_texts) == 3
