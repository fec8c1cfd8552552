"""Finding a delivery on Mastodon again (`find`): the account's statuses, read back from
their HTML `content`, paged by max_id; real HTTP against the sandbox through Mastodon.py."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from crosspost.errors import AuthFailed, Transient
from crosspost.networks import mastodon_find
from crosspost.networks.base import Answer, Finding, Outgoing
from crosspost.networks.mastodon import MastodonNetwork
from crosspost.networks.mastodon_find import status_text
from helpers import run, write_post

TOKEN = "mstdn-SECRET-token-5f3a9"
TIMEOUT = 0.5
# Everything Mastodon's formatter changes: a long link (shown cut to 30), `&` and `<`
# escaped, a remote mention shown as @user, a hashtag, paragraphs and a line break.
TEXT = (
    "New: our arm lifts 5 kg & more <fast> #Robotics\n"
    "cc @ada@fosstodon.org\n\n"
    "https://blog.example.com/2026/12/arm-lifts-five-kilos?utm_source=toots&utm_medium=social"
)


def adapter(sandbox: Any, token: str = TOKEN) -> MastodonNetwork:
    return MastodonNetwork(
        channel="toots",
        settings=None,
        credentials={"access_token": token},
        api_url=sandbox.url,
        timeout=TIMEOUT,
    )


def outgoing(*parts: str, sent: tuple[str, ...] = ()) -> Outgoing:
    parts = parts or (TEXT,)
    # One delivery per text: the same key would make the sandbox answer the first status.
    key = hashlib.md5("\n".join(parts).encode()).hexdigest()
    return Outgoing(channel="toots", parts=parts, sent_parts=sent, key=key)


def find(sandbox: Any, *parts: str, sent: tuple[str, ...] = (), since: Any = None) -> Finding:
    since = since or datetime.now(UTC) - timedelta(minutes=10)
    return adapter(sandbox).find(outgoing=outgoing(*parts, sent=sent), since=since)


def post_many(sandbox: Any, count: int, token: str = TOKEN) -> None:
    """`count` statuses with distinct texts, straight through the REST API (set-up only)."""
    with requests.Session() as session:
        for number in range(count):
            answer = session.post(
                f"{sandbox.url}/api/v1/statuses",
                headers={"Authorization": f"Bearer {token}"},
                data={"status": f"Filler status {number}"},
                timeout=5,
            )
            assert answer.status_code == 200, answer.text


def creates(sandbox: Any) -> list[dict[str, Any]]:
    return [r for r in sandbox.requests("mastodon") if r["path"] == "/api/v1/statuses"]


def reads(sandbox: Any) -> list[dict[str, Any]]:
    return [
        r for r in sandbox.requests("mastodon") if "/statuses" in r["path"] and r["method"] == "GET"
    ]


def test_html_content_is_turned_back_into_the_text_sent(sandbox: Any) -> None:
    adapter(sandbox).send(outgoing=outgoing())
    (post,) = sandbox.posts("mastodon")
    content = post["content"]
    # The premise: none of the text survives as sent.
    assert TEXT not in content and "&amp;" in content and "<br />" in content
    assert '<span class="ellipsis">' in content and ">@<span>ada</span></a>" in content
    status = {"content": content, "mentions": post["mentions"]}
    assert status_text(status) == TEXT


@pytest.mark.parametrize(
    ("content", "text"),
    [
        ("<p>one</p><p>two<br>three</p>", "one\n\ntwo\nthree"),
        ("<p>a &lt;b&gt; &amp;&#39;c&#39;</p>", "a <b> &'c'"),
        (
            '<p><a href="https://ex.com/a?b=1&amp;c=2" rel="nofollow"><span class="invisible">'
            'https://</span><span class="">ex.com/a?b=1&amp;c=2</span><span class="invisible">'
            "</span></a></p>",
            "https://ex.com/a?b=1&c=2",
        ),
        # Another server's display text, cut without invisible parts: the href tells.
        (
            '<p>see <a href="https://ex.com/long/path">ex.com/long/…</a></p>',
            "see https://ex.com/long/path",
        ),
        (
            '<p><a href="https://x.y/tags/rob" class="mention hashtag">#<span>Rob</span></a></p>',
            "#Rob",
        ),
        # A mention the status does not list keeps what it shows.
        (
            '<p><span class="h-card"><a href="https://a.b/@z" class="u-url mention">'
            "@<span>z</span></a></span></p>",
            "@z",
        ),
        (
            '<p class="quote-inline">RE: <a href="https://a.b/@c/1">https://a.b/@c/1</a></p><p>mine</p>',
            "mine",
        ),
    ],
)
def test_status_text_undoes_the_formatter(content: str, text: str) -> None:
    assert status_text({"content": content, "mentions": []}) == text


def test_a_sent_status_is_found(sandbox: Any) -> None:
    receipt = adapter(sandbox).send(outgoing=outgoing())
    finding = find(sandbox)
    assert finding.answer is Answer.FOUND
    assert finding.part_ids == (receipt.remote_id,)
    assert finding.url == receipt.url
    assert finding.posted_at is not None and finding.posted_at.utcoffset() == timedelta(0)
    host = sandbox.url.split("://")[1]
    assert finding.checked.startswith(f"read 1 status of @crosspost@{host} since ")
    verify, listing = [r for r in sandbox.requests("mastodon") if r["method"] == "GET"][-2:]
    assert verify["path"] == "/api/v1/accounts/verify_credentials"
    account_id = verify_id(sandbox)
    assert listing["path"] == f"/api/v1/accounts/{account_id}/statuses"
    assert listing["query"] == {"limit": "40", "exclude_reblogs": "1"}
    assert listing["headers"]["authorization"] == "Bearer <redacted>"


def verify_id(sandbox: Any) -> str:
    answer = requests.get(
        f"{sandbox.url}/api/v1/accounts/verify_credentials",
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=5,
    )
    return str(answer.json()["id"])


def test_absent_when_the_listing_ended(sandbox: Any) -> None:
    adapter(sandbox).send(outgoing=outgoing("Another status entirely"))
    finding = find(sandbox)
    assert (finding.answer, finding.part_ids, finding.url) == (Answer.ABSENT, (), None)


def test_absent_when_the_listing_reached_the_window_start(sandbox: Any) -> None:
    """Older statuses than `since` end the look: the window is covered."""
    adapter(sandbox).send(outgoing=outgoing())
    finding = find(sandbox, since=datetime.now(UTC) + timedelta(minutes=1))
    assert finding.answer is Answer.ABSENT
    assert finding.checked.startswith("read 0 statuses")


def test_another_accounts_identical_status_is_not_ours(sandbox: Any) -> None:
    adapter(sandbox, token="another-account-token").send(outgoing=outgoing())
    assert find(sandbox).answer is Answer.ABSENT


def test_found_on_a_later_page(sandbox: Any) -> None:
    receipt = adapter(sandbox).send(outgoing=outgoing())
    post_many(sandbox, 85)  # newer than ours: ours is on the third page of 40
    finding = find(sandbox)
    assert (finding.answer, finding.part_ids) == (Answer.FOUND, (receipt.remote_id,))
    pages = reads(sandbox)
    assert len(pages) == 3
    assert "max_id" not in pages[0]["query"]
    assert int(pages[1]["query"]["max_id"]) > int(pages[2]["query"]["max_id"])
    assert all(p["query"]["limit"] == "40" for p in pages)


def test_a_full_last_page_then_an_empty_one_is_the_end(sandbox: Any) -> None:
    post_many(sandbox, 40)
    finding = find(sandbox, "never posted")
    assert finding.answer is Answer.ABSENT
    assert len(reads(sandbox)) == 2  # the full page links onward; the next is empty


def test_unsure_after_five_full_pages(sandbox: Any) -> None:
    adapter(sandbox).send(outgoing=outgoing())
    post_many(sandbox, mastodon_find.MAX_PAGES * mastodon_find.PAGE_SIZE)
    finding = find(sandbox)
    assert (finding.answer, finding.part_ids) == (Answer.UNSURE, ())
    assert "stopping after 5 pages of 40" in finding.checked
    assert len(reads(sandbox)) == 5


def test_a_thread_is_found_part_by_part(sandbox: Any) -> None:
    parts = ("first 1/3", "second 2/3", "third 3/3")
    receipt = adapter(sandbox).send(outgoing=outgoing(*parts))
    finding = find(sandbox, *parts)
    assert (finding.answer, finding.part_ids) == (Answer.FOUND, receipt.part_ids)


def test_a_half_sent_thread_gives_its_leading_parts(sandbox: Any) -> None:
    parts = ("first 1/3", "second 2/3", "third 3/3")
    sent = adapter(sandbox).send(outgoing=outgoing(*parts[:2]))
    finding = find(sandbox, *parts)
    assert (finding.answer, finding.part_ids) == (Answer.ABSENT, sent.part_ids)
    resumed = find(sandbox, *parts, sent=sent.part_ids[:1])
    assert (resumed.answer, resumed.part_ids, resumed.url) == (
        Answer.ABSENT,
        sent.part_ids[1:],
        None,
    )


def test_a_reply_to_something_else_is_not_the_next_part(sandbox: Any) -> None:
    parts = ("first 1/2", "second 2/2")
    first = adapter(sandbox).send(outgoing=outgoing(parts[0]))
    adapter(sandbox).send(outgoing=outgoing("unrelated"))
    # "second 2/2" exists, but as a reply to "unrelated", not to the first part.
    unrelated = sandbox.posts("mastodon")[-1]["id"]
    requests.post(
        f"{sandbox.url}/api/v1/statuses",
        headers={"Authorization": f"Bearer {TOKEN}"},
        data={"status": parts[1], "in_reply_to_id": unrelated},
        timeout=5,
    )
    finding = find(sandbox, *parts)
    assert (finding.answer, finding.part_ids) == (Answer.ABSENT, first.part_ids)


def test_nothing_is_read_when_every_part_is_recorded(sandbox: Any) -> None:
    finding = find(sandbox, "a", sent=("113500000000000001",))
    assert finding.answer is Answer.FOUND and sandbox.requests("mastodon") == []


def test_a_refused_read_raises(sandbox: Any) -> None:
    sandbox.fault("mastodon", status=401, reads=True, echo=True)
    with pytest.raises(AuthFailed) as caught:
        find(sandbox)
    assert TOKEN not in str(caught.value)


def test_a_failed_read_is_transient(sandbox: Any) -> None:
    sandbox.fault("mastodon", status=500, reads=True, count=2)
    with pytest.raises(Transient, match="a read of the account's statuses"):
        find(sandbox)


# The CLI, end to end: publish and reconcile over the sandbox, with the real ledger.

MASTODON_CHANNEL = (
    "defaults:\n  timeout: 2\n"
    "channels:\n"
    "  toots:\n    network: mastodon\n    api_url: https://mastodon.example\n"
    "    visibility: unlisted\n"
    "    credentials:\n      access_token: ${MASTODON_TOKEN}\n"
)


def cli(config: Path, sandbox: Any, *args: str | Path) -> tuple[int, Any, str]:
    result = run("-c", config, *args, "--sandbox", sandbox.url, "--json")
    return result.exit_code, json.loads(result.stdout or "null"), result.stderr


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MASTODON_TOKEN", TOKEN)
    path = tmp_path / "channels.yaml"
    path.write_text(MASTODON_CHANNEL, encoding="utf-8")
    return path


def test_publish_to_mastodon_through_the_cli(tmp_path: Path, config: Path, sandbox: Any) -> None:
    post = write_post(tmp_path, title="Our arm lifts 5 kg", summary="Cobots & more", lang="en")
    code, rows, stderr = cli(config, sandbox, "publish", post)
    assert code == 0, stderr
    (row,) = rows
    (status,) = sandbox.posts("mastodon")
    assert (row["channel"], row["state"], row["url"]) == ("toots", "sent", status["url"])
    assert status["text"].startswith(
        "Our arm lifts 5 kg\n\nCobots & more\n\nhttps://blog.example.com/"
    )
    assert (status["visibility"], status["language"]) == ("unlisted", "en")
    (create,) = creates(sandbox)
    key = create["headers"]["idempotency-key"]
    assert len(key) == 32 and int(key, 16) >= 0
    assert TOKEN not in json.dumps(sandbox.requests("mastodon"))
    # Published once: a second run sends nothing.
    code, rows, _ = cli(config, sandbox, "publish", post)
    assert code == 0 and not rows[0]["sent_now"] and len(sandbox.posts("mastodon")) == 1


def test_reconcile_finds_a_status_whose_answer_was_lost(
    tmp_path: Path, config: Path, sandbox: Any
) -> None:
    post = write_post(tmp_path, body="Made despite the error.")
    sandbox.fault("mastodon", status=500, created=True)
    code, rows, _ = cli(config, sandbox, "publish", post)
    assert code == 1 and rows[0]["state"] == "unknown"
    (status,) = sandbox.posts("mastodon")  # the premise: it went out

    code, found, stderr = cli(config, sandbox, "reconcile")
    assert code == 0, stderr
    (result,) = found
    assert (result["id"], result["answer"], result["state"]) == (rows[0]["id"], "found", "sent")
    assert result["url"] == status["url"]
    code, again, _ = cli(config, sandbox, "publish", post)
    assert code == 0 and again[0]["state"] == "sent" and not again[0]["sent_now"]
    assert len(sandbox.posts("mastodon")) == 1
