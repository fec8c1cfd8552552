"""publish for real, over the sandbox: exactly once, in parallel, through the chain."""

from __future__ import annotations

import itertools
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

# Once on each store: publishing exactly once is the ledger's promise.
pytestmark = pytest.mark.usefixtures("both_stores")

SECRETS = {
    "X_KEY": "ck-SECRET-1111",
    "X_SECRET": "cs-SECRET-2222",
    "X_TOKEN": "at-SECRET-3333",
    "X_TOKEN_SECRET": "ats-SECRET-4444",
    "FB_TOKEN": "EAAB-SECRET-5555",
    "LI_TOKEN": "AQV-SECRET-6666",
    "BITLY_TOKEN": "bitly-SECRET-7777",
}

CHANNELS = (
    "  x:\n    network: twitter\n    overflow: thread\n"
    + X_CREDS
    + "  fb:\n    network: facebook\n    page_id: '111'\n"
    "    credentials:\n      page_token: ${FB_TOKEN}\n"
    "  li:\n    network: linkedin\n    author: urn:li:organization:42\n    relayed_by: x\n"
    "    credentials:\n      access_token: ${LI_TOKEN}\n"
    "  xing:\n    network: manual\n    site: Xing\n    instructions: paste it\n"
)

SHORTENER = (
    "shortener:\n  service: bitly\n  token: ${BITLY_TOKEN}\n"
    "defaults:\n  timeout: 2\n  utm: {source: '{channel}', medium: social, campaign: '{slug}'}\n"
)


@pytest.fixture(autouse=True)
def secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in SECRETS.items():
        monkeypatch.setenv(k, v)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = write_config(tmp_path, CHANNELS)
    path.write_text(SHORTENER + path.read_text())
    return path


def publish(config: Path, sb: Any, *args: str | Path) -> tuple[int, list[dict[str, Any]], str]:
    result = run("-c", config, "publish", "--sandbox", sb.url, "--json", *args)
    rows = json.loads(result.stdout) if result.stdout.strip() else []
    return result.exit_code, rows, result.stderr


def by_channel(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["channel"]: r for r in rows}


def test_publish_everywhere_then_nothing_twice(tmp_path: Path, config: Path, sandbox: Any) -> None:
    post = write_post(
        tmp_path,
        title="Lab (new) opens",
        summary="Cobots [12] & *more*",
        tags=["robotics", "student life"],
    )
    code, rows, _ = publish(config, sandbox, post)
    assert code == 0
    got = by_channel(rows)
    assert got["x"]["state"] == "sent" and got["x"]["url"].startswith("https://x.com/")
    assert got["fb"]["state"] == "sent" and got["fb"]["url"].startswith(
        "https://www.facebook.com/111_"
    )
    assert got["li"]["state"] == "relayed" and got["li"]["url"] is None  # X feeds LinkedIn
    assert got["xing"]["state"] == "manual" and "crosspost done" in got["xing"]["note"]
    (tweet,) = sandbox.posts("twitter")
    (fb_post,) = sandbox.posts("facebook")
    assert sandbox.posts("linkedin") == []
    # Each channel that sends got its own tagged short link, shortened once; the
    # relayed one (li) none. The by-hand text carries its own tracked link too.
    shortened = [r["body"]["long_url"] for r in sandbox.requests("bitly")]
    assert len(shortened) == 3
    assert {u.split("utm_source=")[1].split("&")[0] for u in shortened} == {"x", "fb", "xing"}
    assert "https://bit.ly/" in got["xing"]["text"]
    assert "https://bit.ly/" in tweet["text"]
    assert fb_post["link"].startswith("https://bit.ly/")

    code, rows, _ = publish(config, sandbox, post)
    assert code == 0
    assert all(not r["sent_now"] for r in rows)
    assert "already sent" in by_channel(rows)["x"]["note"]
    assert len(sandbox.posts("twitter")) == 1 and len(sandbox.posts("facebook")) == 1
    assert len(sandbox.requests("bitly")) == 3


def test_force_republishes_and_reuses_short_links(
    tmp_path: Path, config: Path, sandbox: Any
) -> None:
    post = write_post(tmp_path)
    publish(config, sandbox, post, "-C", "fb")
    assert len(sandbox.requests("bitly")) == 1
    # She deleted the post on the Page (the sandbox forgets everything): Graph would
    # refuse the same status message again while the first one stands (code 506).
    sandbox.reset()
    code, rows, _ = publish(config, sandbox, post, "-C", "fb", "--force")
    assert code == 0 and rows[0]["sent_now"]
    assert len(sandbox.posts("facebook")) == 1
    assert sandbox.requests("bitly") == []  # the cache answered the second time


def test_a_server_error_on_a_post_is_unknown_and_never_resent_on_its_own(
    tmp_path: Path, config: Path, sandbox: Any
) -> None:
    """A Graph 500 may still have created the post (seven copies of one photo were seen)."""
    post = write_post(tmp_path)
    sandbox.fault("facebook", status=500)
    code, rows, _ = publish(config, sandbox, post, "-C", "x", "-C", "fb")
    assert code == 1
    got = by_channel(rows)
    assert got["x"]["state"] == "sent"
    assert got["fb"]["state"] == "unknown" and "may have been published" in got["fb"]["error"]
    code, rows, _ = publish(config, sandbox, post, "-C", "x", "-C", "fb")
    assert code == 1  # still unknown: nothing is sent again without her say-so
    assert not any(r["sent_now"] for r in rows)
    code, rows, _ = publish(config, sandbox, post, "-C", "fb", "--retry-unknown")
    assert code == 0 and by_channel(rows)["fb"]["sent_now"]
    assert len(sandbox.posts("twitter")) == 1 and len(sandbox.posts("facebook")) == 1


def test_rate_limit_shows_reset_time(tmp_path: Path, config: Path, sandbox: Any) -> None:
    sandbox.fault("twitter", status=429, reset_in=900)
    code, rows, _ = publish(config, sandbox, write_post(tmp_path), "-C", "x")
    assert code == 1
    (row,) = rows
    assert row["state"] == "failed" and row["error_kind"] == "rate_limited"
    assert row["retry_at"] is not None
    result = run(
        "-c",
        config,
        "publish",
        "--sandbox",
        sandbox.url,
        "-C",
        "x",
        write_post(tmp_path, name="other.md", url="https://b.example/o"),
    )
    assert result.exit_code == 0  # the fault was used up


def test_auth_failure_names_channel_and_credential(
    tmp_path: Path, config: Path, sandbox: Any
) -> None:
    sandbox.fault("linkedin", status=401)
    code, rows, _ = publish(config, sandbox, write_post(tmp_path), "-C", "li")
    assert code == 1
    (row,) = rows
    assert row["error_kind"] == "auth"
    assert "li" in row["error"] and "access_token" in row["error"]


def test_timeout_after_request_left_is_unknown_then_found_on_the_page(
    tmp_path: Path, config: Path, sandbox: Any
) -> None:
    post = write_post(tmp_path)
    sandbox.fault("facebook", delay=5)  # longer than the 2 s timeout
    code, rows, _ = publish(config, sandbox, post, "-C", "fb")
    assert code == 1
    assert rows[0]["state"] == "unknown"
    assert len(sandbox.posts("facebook")) == 1  # it did reach the network
    # Publishing again reads the Page's feed first: the post is there, so it is sent.
    code, rows, stderr = publish(config, sandbox, post, "-C", "fb")
    assert code == 0 and rows[0]["state"] == "sent" and not rows[0]["sent_now"]
    assert "found on the network" in stderr
    page, _, number = sandbox.posts("facebook")[0]["id"].partition("_")
    assert rows[0]["url"] == f"https://www.facebook.com/{page}/posts/{number}"
    assert len(sandbox.posts("facebook")) == 1


def test_a_blind_retry_of_a_post_that_went_out_finds_it_through_the_duplicate_answer(
    tmp_path: Path, config: Path, sandbox: Any
) -> None:
    post = write_post(tmp_path)
    sandbox.fault("facebook", delay=5)
    code, rows, _ = publish(config, sandbox, post, "-C", "fb")
    assert rows[0]["state"] == "unknown"
    # She queues it again without asking the network; Graph answers 506 (duplicate).
    assert run("queue", "retry", str(rows[0]["id"])).exit_code == 0
    code, rows, stderr = publish(config, sandbox, post, "-C", "fb", "--now")
    assert code == 0 and rows[0]["state"] == "sent", stderr
    assert "already had this post" in stderr
    assert len(sandbox.posts("facebook")) == 1


def test_relay_source_failure_posts_directly(tmp_path: Path, config: Path, sandbox: Any) -> None:
    sandbox.fault("twitter", status=400)  # refused: X certainly did not post it
    code, rows, _ = publish(config, sandbox, write_post(tmp_path), "-C", "x", "-C", "li")
    assert code == 1
    got = by_channel(rows)
    assert got["x"]["state"] == "failed"
    assert got["li"]["state"] == "sent" and got["li"]["route"] == "repost"
    assert len(sandbox.posts("linkedin")) == 1


def test_relay_source_not_selected_posts_directly(
    tmp_path: Path, config: Path, sandbox: Any
) -> None:
    code, rows, _ = publish(config, sandbox, write_post(tmp_path), "-C", "li")
    assert code == 0
    assert rows[0]["route"] == "repost" and rows[0]["state"] == "sent"


def test_relay_marked_broken_posts_directly(tmp_path: Path, sandbox: Any) -> None:
    path = write_config(
        tmp_path, CHANNELS.replace("    relayed_by: x\n", "    relayed_by: x\n    relay: broken\n")
    )
    code, rows, _ = publish(path, sandbox, write_post(tmp_path))
    assert code == 0
    assert by_channel(rows)["li"]["route"] == "repost"
    assert len(sandbox.posts("linkedin")) == 1 and len(sandbox.posts("twitter")) == 1


def test_preflight_stops_everything(
    tmp_path: Path, config: Path, sandbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FB_TOKEN")
    result = run("-c", config, "publish", write_post(tmp_path))  # a real run: no sandbox fill-in
    assert result.exit_code == 2
    assert "channel fb: page_token reads ${FB_TOKEN}, which is not set" in result.stderr
    assert "nothing was sent" in result.stderr
    assert sandbox.posts("twitter") == []


def test_linkedin_text_survives_little_format(tmp_path: Path, config: Path, sandbox: Any) -> None:
    body_template = tmp_path / "templates" / "li.j2"
    body_template.parent.mkdir()
    body_template.write_text("{{ post.summary }} {{ url }} #Robotics")
    path = write_config(
        tmp_path,
        CHANNELS.replace(
            "    author: urn:li:organization:42\n",
            "    author: urn:li:organization:42\n    template: li.j2\n    shorten: false\n",
        ),
    )
    summary = "Lab (new) [v2] opens: *12* cobots_arms ~ 3 <rooms> {sic} @home #1 \\o/"
    post = write_post(tmp_path, summary=summary, url="https://blog.example.com/a_b(c)")
    code, _, _ = publish(path, sandbox, post, "-C", "li")
    assert code == 0
    (published,) = sandbox.posts("linkedin")
    # LinkedIn shows exactly what was meant: nothing cut at the first "(".
    assert published["published"] == f"{summary} https://blog.example.com/a_b(c) #Robotics"
    assert published["text"] != published["published"]  # the commentary went out escaped


def test_threads_and_images(tmp_path: Path, config: Path, sandbox: Any) -> None:
    image = tmp_path / "pic.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    post = write_post(tmp_path, summary="word " * 120, image="pic.png", image_alt="A picture")
    code, _, _ = publish(config, sandbox, post, "-C", "x", "-C", "fb")
    assert code == 0
    tweets = sandbox.posts("twitter")
    assert len(tweets) >= 3
    assert tweets[0]["media"] and tweets[0]["reply_to"] is None
    for previous, current in itertools.pairwise(tweets):
        assert current["reply_to"] == previous["id"]
    assert "https://bit.ly/" in tweets[0]["text"]
    assert sandbox.posts("facebook")[0].get("media")


def test_no_secret_in_output_or_ledger(
    tmp_path: Path, config: Path, sandbox: Any, isolated_home: Path
) -> None:
    sandbox.fault("facebook", status=401)
    sandbox.fault("twitter", delay=5)
    post = write_post(tmp_path)
    texts = []
    for args in (["--json"], []):
        result = run("-c", config, "publish", "--sandbox", sandbox.url, *args, post)
        texts += [result.stdout, result.stderr]
    texts.append(run("status", "--json").stdout)
    dump = ledger_dump(isolated_home)
    for secret in SECRETS.values():
        for text in [*texts, dump]:
            assert secret not in text


def test_status_and_done(tmp_path: Path, config: Path, sandbox: Any) -> None:
    post = write_post(tmp_path)
    _, rows, _ = publish(config, sandbox, post, "-C", "xing")
    manual_id = rows[0]["id"]
    status = json.loads(run("status", "--json", post).stdout)
    assert [(d["channel"], d["state"]) for d in status] == [("xing", "manual")]
    result = run("done", str(manual_id), "--url", "https://xing.example/p/1")
    assert result.exit_code == 0
    (d,) = json.loads(run("status", "--json").stdout)
    assert (d["state"], d["url"]) == ("sent", "https://xing.example/p/1")
    assert run("done", "999").exit_code == 2


def test_edited_post_is_reported_not_resent(tmp_path: Path, config: Path, sandbox: Any) -> None:
    post = write_post(tmp_path, summary="first")
    publish(config, sandbox, post, "-C", "fb")
    post = write_post(tmp_path, summary="second")
    code, rows, _ = publish(config, sandbox, post, "-C", "fb")
    assert code == 0 and "edited since" in rows[0]["note"]
    assert len(sandbox.posts("facebook")) == 1


KILL_SCRIPT = """
import sys
from crosspost.cli.commands import app
app(sys.argv[1:])
"""


def test_kill_9_between_request_and_record(
    tmp_path: Path, config: Path, sandbox: Any, isolated_home: Path
) -> None:
    """A publish killed while waiting for the answer: next run says unknown, sends nothing."""
    post = write_post(tmp_path)
    sandbox.fault("facebook", delay=30)
    env = {**os.environ, "CROSSPOST_HOME": str(isolated_home)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            KILL_SCRIPT,
            "-c",
            str(config),
            "publish",
            "--sandbox",
            sandbox.url,
            "-C",
            "fb",
            str(post),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 20
    while not sandbox.posts("facebook") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sandbox.posts("facebook"), "the request never reached the sandbox"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    code, rows, stderr = publish(config, sandbox, post, "-C", "fb")
    # The claim is recovered as unknown, then the Page's feed shows the post: sent, once.
    assert code == 0, stderr
    assert rows[0]["state"] == "sent" and not rows[0]["sent_now"]
    assert "interrupted while sending" in stderr and "found on the network" in stderr
    assert len(sandbox.posts("facebook")) == 1


def test_dry_run_after_a_publish_shows_the_cached_short_link(
    tmp_path: Path, config: Path, sandbox: Any
) -> None:
    post = write_post(tmp_path)
    publish(config, sandbox, post, "-C", "fb")
    result = run("-c", config, "publish", "--dry-run", "--json", "-C", "fb", post)
    (row,) = json.loads(result.stdout)
    assert row["link"].startswith("https://bit.ly/")
    assert not any("will be shortened" in w for w in row["warnings"])


def test_force_hands_a_by_hand_delivery_over_again(
    tmp_path: Path, config: Path, sandbox: Any
) -> None:
    """`--force` on a by-hand task used to stop with "cannot force a resend ... manual"."""
    post = write_post(tmp_path)
    code, rows, _ = publish(config, sandbox, post, "-C", "xing")
    assert (code, rows[0]["state"]) == (0, "manual")
    code, rows, stderr = publish(config, sandbox, post, "-C", "xing", "--force")
    assert code == 0, stderr
    (row,) = rows
    assert (row["state"], row["sent_now"]) == ("manual", True)
    assert "https://bit.ly/" in row["text"]
    status = json.loads(run("status", "--json").stdout)
    assert [(d["channel"], d["state"]) for d in status] == [("xing", "manual")]


def test_parallel_channels_needing_one_link_ask_bitly_once(tmp_path: Path, sandbox: Any) -> None:
    cfg = write_config(tmp_path, CHANNELS.split("  xing:")[0])
    cfg.write_text(
        "shortener:\n  service: bitly\n  token: ${BITLY_TOKEN}\ndefaults:\n  timeout: 2\n"
        + cfg.read_text()
    )  # no UTM: x and fb send the very same long link
    sandbox.latency("bitly", 0.3)  # both channels' threads ask while the first waits
    code, rows, _ = publish(cfg, sandbox, write_post(tmp_path), "-C", "x", "-C", "fb")
    assert code == 0
    assert len(sandbox.requests("bitly")) == 1
    (short,) = {r["text"].split()[-1] for r in rows}
    assert short.startswith("https://bit.ly/")


def test_the_shortener_s_domain_and_group_reach_bitly(tmp_path: Path, sandbox: Any) -> None:
    cfg = write_config(tmp_path, CHANNELS.split("  fb:")[0])
    cfg.write_text(
        "shortener:\n  service: bitly\n  token: ${BITLY_TOKEN}\n  domain: go.ebs.fr\n"
        "  group_guid: Bx1\ndefaults:\n  timeout: 2\n" + cfg.read_text()
    )
    code, rows, _ = publish(cfg, sandbox, write_post(tmp_path), "-C", "x")
    assert code == 0
    (request,) = sandbox.requests("bitly")
    assert (request["body"]["domain"], request["body"]["group_guid"]) == ("go.ebs.fr", "Bx1")
    assert "https://go.ebs.fr/" in rows[0]["text"]


def ledger_dump(home: Path) -> str:
    """Every row of the ledger as text, whichever store keeps it."""
    url = os.environ.get("CROSSPOST_LEDGER")
    if not url:
        return "\n".join(sqlite3.connect(home / "ledger.sqlite3").iterdump())
    import psycopg

    from crosspost.ledger.postgres.migrations import TABLES

    with psycopg.connect(url) as conn:
        return "\n".join(
            repr(row) for table in TABLES for row in conn.execute(f"SELECT * FROM {table}")
        )
