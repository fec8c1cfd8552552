"""Reconcile end to end: the network's own listing settles what an answer left unknown.

Every case goes through the CLI, over real HTTP to the sandbox, with the real
SQLite ledger.  "Time passing" (a listing is trusted to show a post only a
minute after it was sent) is the claim's event moved back in the ledger file.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from helpers import X_FB_LI, run, write_config, write_post

SECRETS = {
    "X_KEY": "ck-SECRET-1111",
    "X_SECRET": "cs-SECRET-2222",
    "X_TOKEN": "at-SECRET-3333",
    "X_TOKEN_SECRET": "ats-SECRET-4444",
    "FB_TOKEN": "EAAB-SECRET-5555",
    "LI_TOKEN": "AQV-SECRET-6666",
}
CHANNELS = X_FB_LI


# A summary three X posts long: the channel's `overflow: thread` makes a thread of it.
LONG_SUMMARY = " ".join(
    f"Sentence number {i} of a long article about our engineering work." for i in range(12)
)


@pytest.fixture(autouse=True)
def secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in SECRETS.items():
        monkeypatch.setenv(k, v)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = write_config(tmp_path, CHANNELS)
    path.write_text("defaults:\n  timeout: 2\n" + path.read_text())
    return path


def cli(config: Path, sb: Any, *args: str | Path) -> tuple[int, Any, str]:
    result = run("-c", config, *args, "--sandbox", sb.url, "--json")
    return result.exit_code, json.loads(result.stdout or "null"), result.stderr


def ledger(home: Path) -> sqlite3.Connection:
    return sqlite3.connect(home / "ledger.sqlite3")


def age_claims(home: Path, delivery_id: int, *, minutes: int = 5) -> None:
    """The attempt in doubt was made `minutes` ago: its listing is now to be trusted."""
    with ledger(home) as db:
        for event_id, at in db.execute(
            "SELECT id, at FROM events WHERE delivery_id = ? AND kind = 'sending'",
            (delivery_id,),
        ).fetchall():
            moved = datetime.fromisoformat(at.replace("Z", "+00:00")) - timedelta(minutes=minutes)
            db.execute(
                "UPDATE events SET at = ? WHERE id = ?",
                (moved.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"), event_id),
            )


def events(home: Path, delivery_id: int) -> list[tuple[str, dict[str, Any]]]:
    with ledger(home) as db:
        rows = db.execute(
            "SELECT kind, detail FROM events WHERE delivery_id = ? ORDER BY id", (delivery_id,)
        ).fetchall()
    return [(kind, json.loads(detail or "{}")) for kind, detail in rows]


def test_facebook_500_after_creating_is_unknown_then_found(
    tmp_path: Path, config: Path, sandbox: Any, isolated_home: Path
) -> None:
    post = write_post(tmp_path, body="Our new article.")
    sandbox.fault("facebook", status=500, created=True)
    code, rows, _ = cli(config, sandbox, "publish", post, "-C", "fb")
    assert code == 1
    (row,) = rows
    assert row["state"] == "unknown"
    assert len(sandbox.posts("facebook")) == 1  # it went out despite the 500
    # The cron run has nothing due: it does not touch the delivery in doubt.
    assert cli(config, sandbox, "run")[:2] == (0, [])
    assert len(sandbox.posts("facebook")) == 1

    code, found, _ = cli(config, sandbox, "reconcile")
    assert code == 0
    (result,) = found
    assert (result["id"], result["answer"], result["state"]) == (row["id"], "found", "sent")
    (fb_post,) = sandbox.posts("facebook")
    page, _, number = fb_post["id"].partition("_")  # the post's permalink, as Graph gives it
    assert result["url"] == f"https://www.facebook.com/{page}/posts/{number}"
    assert "found" in [kind for kind, _ in events(isolated_home, row["id"])]
    # Publishing again now says it is out; nothing more reaches the Page.
    code, rows, _ = cli(config, sandbox, "publish", post, "-C", "fb")
    assert code == 0 and rows[0]["state"] == "sent" and not rows[0]["sent_now"]
    assert len(sandbox.posts("facebook")) == 1


def test_absent_from_the_listing_goes_back_to_the_queue_and_is_sent_once(
    tmp_path: Path, config: Path, sandbox: Any, isolated_home: Path
) -> None:
    post = write_post(tmp_path, body="Only on LinkedIn.")
    sandbox.fault("linkedin", status=500)  # answered before anything was created
    code, rows, _ = cli(config, sandbox, "publish", post, "-C", "li")
    assert code == 1 and rows[0]["state"] == "unknown"
    delivery_id = rows[0]["id"]

    # Sent under a minute ago: the listing may lag, so absence proves nothing yet.
    code, fresh, _ = cli(config, sandbox, "reconcile", str(delivery_id))
    assert code == 1 and fresh[0]["state"] == "unknown" and fresh[0]["answer"] == "unsure"
    assert "listings can lag" in fresh[0]["note"]

    age_claims(isolated_home, delivery_id)
    code, absent, _ = cli(config, sandbox, "reconcile", str(delivery_id))
    assert code == 0
    assert (absent[0]["answer"], absent[0]["state"]) == ("absent", "pending")
    assert sandbox.posts("linkedin") == []

    code, sent, _ = cli(config, sandbox, "run")
    assert code == 0
    assert [(r["id"], r["action"]) for r in sent] == [(delivery_id, "sent")]
    assert len(sandbox.posts("linkedin")) == 1
    assert cli(config, sandbox, "run")[1] == []  # nothing left: no second copy
    assert len(sandbox.posts("linkedin")) == 1


def test_publish_reconciles_first_and_sends_what_is_certainly_absent(
    tmp_path: Path, config: Path, sandbox: Any, isolated_home: Path
) -> None:
    post = write_post(tmp_path, body="To X.")
    sandbox.fault("twitter", status=500)  # answered before anything was created
    code, rows, _ = cli(config, sandbox, "publish", post, "-C", "x")
    assert code == 1 and rows[0]["state"] == "unknown"
    age_claims(isolated_home, rows[0]["id"])
    code, rows, err = cli(config, sandbox, "publish", post, "-C", "x")
    assert code == 0 and rows[0]["state"] == "sent" and rows[0]["sent_now"], err
    assert "certainly not on the network" in err
    assert len(sandbox.posts("twitter")) == 1


def test_a_thread_killed_mid_part_resumes_after_reconcile_without_doubling(
    tmp_path: Path, config: Path, sandbox: Any, isolated_home: Path
) -> None:
    post = write_post(tmp_path, summary=LONG_SUMMARY)
    sandbox.latency("twitter", 0.5)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "crosspost",
            "-c",
            str(config),
            "publish",
            "--sandbox",
            sandbox.url,
            "-C",
            "x",
            str(post),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while len(sandbox.posts("twitter")) < 1 and time.monotonic() < deadline:
            time.sleep(0.02)
        # Part 2 is created, then its answer hangs: the process dies waiting for it.
        sandbox.fault("twitter", delay=60)
        while len(sandbox.posts("twitter")) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(sandbox.posts("twitter")) == 2
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    sandbox.latency("twitter", 0)
    with ledger(isolated_home) as db:
        ((delivery_id, parts, sent_parts),) = db.execute(
            "SELECT id, parts, sent_parts FROM deliveries"
        ).fetchall()
    total = len(json.loads(parts))
    assert total >= 3 and len(json.loads(sent_parts)) == 1
    age_claims(isolated_home, delivery_id)

    code, found, _ = cli(config, sandbox, "reconcile")
    assert code == 0
    assert (found[0]["answer"], found[0]["state"], found[0]["parts_out"]) == (
        "absent",
        "pending",
        2,
    )
    code, rows, _ = cli(config, sandbox, "publish", post, "-C", "x")
    assert code == 0 and rows[0]["state"] == "sent"
    tweets = sandbox.posts("twitter")
    assert len(tweets) == total  # every part once
    assert len({t["text"] for t in tweets}) == total
    for before, after in itertools.pairwise(tweets):
        assert after["reply_to"] == before["id"]  # part 3 answers part 2, found on X


def test_x_duplicate_answer_records_the_existing_post(
    tmp_path: Path, config: Path, sandbox: Any, isolated_home: Path
) -> None:
    post = write_post(tmp_path, body="Said once.")
    sandbox.fault("twitter", status=500, created=True)
    code, rows, _ = cli(config, sandbox, "publish", post, "-C", "x")
    assert rows[0]["state"] == "unknown"
    delivery_id = rows[0]["id"]
    # She sends it again by hand, without asking the network: X says "duplicate".
    assert run("queue", "retry", str(delivery_id)).exit_code == 0
    code, sent, err = cli(config, sandbox, "run")
    assert code == 0, err
    assert sent[0]["state"] == "sent" and "already had this post" in err
    (tweet,) = sandbox.posts("twitter")
    assert tweet["id"] in sent[0]["url"]
    kinds = [kind for kind, _ in events(isolated_home, delivery_id)]
    assert kinds[-1] == "found"


def test_done_part_records_one_part_and_retry_sends_the_rest(
    tmp_path: Path, config: Path, sandbox: Any, isolated_home: Path
) -> None:
    post = write_post(tmp_path, summary=LONG_SUMMARY)
    sandbox.fault("twitter", delay=5)  # part 1 is created, its answer comes too late
    code, rows, _ = cli(config, sandbox, "publish", post, "-C", "x")
    assert rows[0]["state"] == "unknown"
    delivery_id = rows[0]["id"]
    (first,) = sandbox.posts("twitter")
    bad = run("done", str(delivery_id), "--part", "2", "--url", "https://x.com/a/status/1")
    assert bad.exit_code == 2 and "part 1 first" in bad.stderr
    worse = run("done", str(delivery_id), "--part", "1", "--url", "https://x.com/a")
    assert worse.exit_code == 2 and "cannot read a post id" in worse.stderr
    ok = run(
        "done", str(delivery_id), "--part", "1", "--url", f"https://x.com/a/status/{first['id']}"
    )
    assert ok.exit_code == 0, ok.stderr
    assert "queue retry" in ok.stderr
    assert run("queue", "retry", str(delivery_id)).exit_code == 0
    code, sent, err = cli(config, sandbox, "run")
    assert code == 0 and sent[0]["state"] == "sent", err
    with ledger(isolated_home) as db:
        ((parts,),) = db.execute("SELECT parts FROM deliveries").fetchall()
    tweets = sandbox.posts("twitter")
    assert len(tweets) == len(json.loads(parts)) >= 3  # part 1 once, then the rest
    assert tweets[0]["id"] == first["id"]
    assert len({t["text"] for t in tweets}) == len(tweets)
    assert tweets[1]["reply_to"] == first["id"]


def test_reconcile_with_nothing_unknown_says_so(config: Path, sandbox: Any) -> None:
    result = run("-c", config, "reconcile", "--sandbox", sandbox.url)
    assert result.exit_code == 0
    assert "nothing to ask" in result.stderr


def test_two_reconciles_of_one_delivery_settle_it_once(
    tmp_path: Path, config: Path, sandbox: Any, isolated_home: Path
) -> None:
    """Two runs reading the network for the same delivery: the second sees it settled."""
    from crosspost.ledger import open_store
    from crosspost.networks.twitter import TwitterNetwork
    from crosspost.sending.reconcile import reconcile_one

    sandbox.fault("twitter", status=500, created=True)
    code, rows, _ = cli(config, sandbox, "publish", write_post(tmp_path), "-C", "x")
    assert code == 1 and rows[0]["state"] == "unknown"
    keys = {  # the account the CLI posted as
        "consumer_key": SECRETS["X_KEY"],
        "consumer_secret": SECRETS["X_SECRET"],
        "access_token": SECRETS["X_TOKEN"],
        "access_token_secret": SECRETS["X_TOKEN_SECRET"],
    }
    adapter = TwitterNetwork(channel="x", credentials=keys, api_url=sandbox.url, timeout=2)
    with open_store(isolated_home) as store:
        stale = store.get(rows[0]["id"])
        first = reconcile_one(store, adapter, stale)
        second = reconcile_one(store, adapter, stale)  # as read before the first settled it
    assert first.delivery.state == "sent" and first.note.startswith("found on the network")
    assert second.delivery.state == "sent" and "settled meanwhile" in second.note
    kinds = [kind for kind, _ in events(isolated_home, rows[0]["id"])]
    assert kinds.count("found") == 1
