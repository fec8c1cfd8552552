"""One bit.ly request per long URL, across processes: the ledger's claims on long URLs.

Real SQLite files, real OS processes and the sandbox's bit.ly over loopback.
A child process opens the ledger, says `ready <owner>`, waits for `go` on its
stdin (so that two children ask at the same moment) and prints what
`LinkShortener.shorten` answered.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from crosspost.config import Shortener
from crosspost.errors import ShortenerFailed
from crosspost.ledger import Ledger, LinkClaim
from crosspost.links import LinkShortener
from helpers import X_CREDS, write_config, write_post

URL = "https://blog.example.com/2024/hello/?utm_source=x"
ELSEWHERE = "elsewhere.invalid:4242:rnd-0"  # a process on another host: only its lease ends it

CHILD = """
import sys
from crosspost.config import Shortener
from crosspost.errors import ShortenerFailed
from crosspost.ledger import Ledger
from crosspost.links import LinkShortener

path, api_url, long_url, timeout = sys.argv[1:]
with Ledger.open(path) as ledger:
    settings = Shortener(token="${BITLY_TOKEN}", timeout=float(timeout))
    shortener = LinkShortener(settings, token="bitly-test", ledger=ledger, api_url=api_url)
    print("ready", ledger.owner_id(), flush=True)
    sys.stdin.readline()
    try:
        print("ok", shortener.shorten(long_url), flush=True)
    except ShortenerFailed as exc:
        print("failed", exc, flush=True)
"""


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "ledger.sqlite3"


class Child:
    """A `python -c CHILD` process, ready to shorten `long_url` when told to go."""

    def __init__(self, path: Path, sandbox: Any, long_url: str = URL, timeout: float = 2) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(path), sandbox.url, long_url, str(timeout)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None and self.proc.stdin is not None
        ready = self.proc.stdout.readline().split()
        assert ready[:1] == ["ready"], self.proc.communicate(timeout=30)[1]
        self.owner = ready[1]

    def go(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()

    def answer(self) -> str:
        out, err = self.proc.communicate(timeout=60)
        assert self.proc.returncode == 0, err
        return out.strip()


def shortener(ledger: Ledger, sandbox: Any, *, timeout: float = 2) -> LinkShortener:
    settings = Shortener(token="${BITLY_TOKEN}", timeout=timeout)
    return LinkShortener(settings, token="bitly-test", ledger=ledger, api_url=sandbox.url)


def claims(path: Path) -> list[tuple[str, str]]:
    """Every claim in the ledger file, as (long_url, owner)."""
    raw = sqlite3.connect(path)
    try:
        return raw.execute("SELECT long_url, owner FROM short_link_claims").fetchall()
    finally:
        raw.close()


def shortened(sandbox: Any) -> list[str]:
    """The long URLs bit.ly was asked to shorten, in order."""
    return [r["body"]["long_url"] for r in sandbox.requests("bitly")]


def wait_for(condition: Any, what: str) -> None:
    deadline = time.monotonic() + 20
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.02)


def test_two_processes_needing_one_link_ask_bitly_once(path: Path, sandbox: Any) -> None:
    Ledger.open(path).close()  # migrated before the children race to open it
    sandbox.latency("bitly", 0.5)  # the second asks while the first waits for bit.ly
    children = [Child(path, sandbox), Child(path, sandbox)]
    for child in children:
        child.go()
    answers = [child.answer() for child in children]
    assert shortened(sandbox) == [URL]
    assert answers[0] == answers[1]
    assert answers[0].startswith("ok https://bit.ly/")
    with Ledger.open(path) as ledger:
        cached = ledger.get_short_link(URL)
    assert cached is not None and answers[0] == f"ok {cached[0]}"
    assert claims(path) == []


def test_a_claim_of_a_process_that_no_longer_runs_is_taken_over(path: Path, sandbox: Any) -> None:
    gone = subprocess.run(
        [sys.executable, "-c", "from crosspost.ledger import owner_id; print(owner_id())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    with Ledger.open(path) as ledger:
        assert ledger.claim_short_link(URL, owner=gone, lease_seconds=3600).claimed
        # Its lease has an hour to run: only seeing that its owner died frees it.
        link = shortener(ledger, sandbox).shorten(URL)
    assert link.startswith("https://bit.ly/")
    assert shortened(sandbox) == [URL]
    assert claims(path) == []


def test_a_process_killed_while_bitly_answers_leaves_a_claim_the_next_takes_over(
    path: Path, sandbox: Any
) -> None:
    sandbox.latency("bitly", 30)
    # Its claim's lease (2 x 20 + 5 s) outlasts our wait (2 x 2 + 5 s): only
    # seeing that it died frees the claim in time.
    child = Child(path, sandbox, timeout=20)
    child.go()
    wait_for(lambda: sandbox.requests("bitly"), "the child's request never reached bit.ly")
    child.proc.kill()
    child.proc.communicate(timeout=30)
    assert claims(path) == [(URL, child.owner)]
    sandbox.latency("bitly", 0)
    with Ledger.open(path) as ledger:
        link = shortener(ledger, sandbox).shorten(URL)
        assert ledger.get_short_link(URL) == (link, link.removeprefix("https://"))
    assert shortened(sandbox) == [URL, URL]
    assert claims(path) == []


def test_a_failed_shorten_releases_its_claim_so_the_next_process_asks(
    path: Path, sandbox: Any
) -> None:
    sandbox.fault("bitly", status=500)
    with Ledger.open(path) as ledger:
        with pytest.raises(ShortenerFailed, match="HTTP 500"):
            shortener(ledger, sandbox).shorten(URL)
        assert claims(path) == []
        # This process lives on: had it kept its claim, the child would wait for it.
        child = Child(path, sandbox)
        child.go()
        answer = child.answer()
    assert answer.startswith("ok https://bit.ly/")
    assert shortened(sandbox) == [URL, URL]
    assert claims(path) == []


def test_a_claim_whose_lease_ran_out_is_taken_over(path: Path, sandbox: Any) -> None:
    with Ledger.open(path) as ledger:
        held = ledger.claim_short_link(URL, owner=ELSEWHERE, lease_seconds=0.3)
        assert held.claimed and held.holder == ELSEWHERE
        link = shortener(ledger, sandbox).shorten(URL)
    assert link.startswith("https://bit.ly/")
    assert shortened(sandbox) == [URL]
    assert claims(path) == []


def test_waiting_on_a_claim_that_never_ends_fails_clearly_and_leaves_it(
    path: Path, sandbox: Any
) -> None:
    with Ledger.open(path) as ledger:
        ledger.claim_short_link(URL, owner=ELSEWHERE, lease_seconds=3600)
        link_shortener = shortener(ledger, sandbox, timeout=0.1)
        with pytest.raises(ShortenerFailed) as caught:
            link_shortener.shorten(URL)
    message = str(caught.value)
    assert message.startswith(
        f"waited 5.2 s for another crosspost process ({ELSEWHERE}) to shorten {URL}"
    )
    assert "its claim lapses at" in message
    assert shortened(sandbox) == []
    assert claims(path) == [(URL, ELSEWHERE)]  # a waiter never drops another's claim


def test_only_the_holder_releases_a_claim_and_a_saved_link_ends_it(path: Path) -> None:
    with Ledger.open(path) as ledger:
        me = ledger.owner_id()
        assert ledger.claim_short_link(URL, owner=ELSEWHERE, lease_seconds=60).claimed
        held = ledger.claim_short_link(URL, owner=me, lease_seconds=60)
        assert (held.claimed, held.holder) == (False, ELSEWHERE)
        assert held.until is not None
        ledger.release_short_link(URL, owner=me)
        assert claims(path) == [(URL, ELSEWHERE)]
        ledger.save_short_link(URL, short_url="https://bit.ly/a", bitlink_id="bit.ly/a")
        assert claims(path) == []
        again = ledger.claim_short_link(URL, owner=me, lease_seconds=60)
        assert again == LinkClaim(cached=("https://bit.ly/a", "bit.ly/a"))
        assert claims(path) == []  # a cached link needs no claim
        with pytest.raises(ValueError, match="lease_seconds must be positive"):
            ledger.claim_short_link("https://other.example/", owner=me, lease_seconds=0)


# -- end to end: two `crosspost publish` runs at once -------------------------------------

CHANNELS = (
    "  x:\n    network: twitter\n" + X_CREDS + "  fb:\n    network: facebook\n    page_id: '111'\n"
    "    credentials:\n      page_token: ${FB_TOKEN}\n"
)
SECRETS = {
    "X_KEY": "ck-test",
    "X_SECRET": "cs-test",
    "X_TOKEN": "at-test",
    "X_TOKEN_SECRET": "ats-test",
    "FB_TOKEN": "fb-test",
    "BITLY_TOKEN": "bitly-test",
}


def test_two_publish_runs_at_once_ask_bitly_once_for_their_shared_link(
    tmp_path: Path, sandbox: Any, isolated_home: Path
) -> None:
    cfg = write_config(tmp_path, CHANNELS)
    cfg.write_text(
        "shortener:\n  service: bitly\n  token: ${BITLY_TOKEN}\ndefaults:\n  timeout: 5\n"
        + cfg.read_text()
    )  # no UTM: both channels send the very same long link
    post = write_post(tmp_path)
    # The runs start together and bit.ly takes 1 s, so the second needs the link while
    # the first waits for it (the unit tests above, with their go signal, make sure of
    # the overlap; here it is what two runs started at once naturally do).
    sandbox.latency("bitly", 1)
    env = {**os.environ, **SECRETS, "CROSSPOST_HOME": str(isolated_home)}
    publish = [sys.executable, "-m", "crosspost", "-c", str(cfg), "publish", "--json"]
    runs = [
        subprocess.Popen(
            [*publish, "--sandbox", sandbox.url, "-C", channel, str(post)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for channel in ("x", "fb")
    ]
    rows = []
    for run in runs:
        out, err = run.communicate(timeout=60)
        assert run.returncode == 0, err
        rows += json.loads(out)
    assert [r["state"] for r in rows] == ["sent", "sent"]
    assert shortened(sandbox) == ["https://blog.example.com/a-title"]
    (short,) = {r["text"].split()[-1] for r in rows}
    assert short.startswith("https://bit.ly/")
    assert sandbox.posts("twitter")[0]["text"].endswith(short)
    assert sandbox.posts("facebook")[0]["link"] == short
