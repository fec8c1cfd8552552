"""The X adapter against the sandbox, over real HTTP through tweepy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from crosspost.errors import AuthFailed, RateLimited, Rejected, Transient, Uncertain
from crosspost.networks.base import Outgoing, Receipt
from crosspost.networks.twitter import TwitterNetwork

KEYS = {
    "consumer_key": "ck-SECRET-consumer-key",
    "consumer_secret": "cs-SECRET-consumer-secret",
    "access_token": "at-SECRET-access-token",
    "access_token_secret": "ats-SECRET-token-secret",
}
TIMEOUT = 0.5
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def adapter(sandbox: Any, timeout: float = TIMEOUT) -> TwitterNetwork:
    return TwitterNetwork(
        channel="x-main", settings=None, credentials=KEYS, api_url=sandbox.url, timeout=timeout
    )


def send(sandbox: Any, *parts: str, **fields: Any) -> tuple[Receipt, list[tuple[int, str]]]:
    calls: list[tuple[int, str]] = []
    outgoing = Outgoing(channel="x-main", parts=parts, **fields)
    receipt = adapter(sandbox).send(
        outgoing=outgoing, on_part=lambda i, pid: calls.append((i, pid))
    )
    return receipt, calls


def assert_no_secret(exc: BaseException) -> None:
    text = f"{exc} {exc!r} {exc.args!r}"
    for secret in KEYS.values():
        assert secret not in text


def test_single_post_request_and_receipt(sandbox: Any) -> None:
    receipt, calls = send(sandbox, "Hello from crosspost https://blog.example.com/a")
    (post,) = sandbox.posts("twitter")
    assert post["text"] == "Hello from crosspost https://blog.example.com/a"
    assert post["reply_to"] is None and post["media"] == []
    assert receipt == Receipt(
        remote_id=post["id"],
        url=f"https://x.com/i/web/status/{post['id']}",
        part_ids=(post["id"],),
    )
    assert calls == [(0, post["id"])]
    (request,) = sandbox.requests("twitter")
    assert (request["method"], request["path"]) == ("POST", "/2/tweets")
    assert request["body"] == {"text": "Hello from crosspost https://blog.example.com/a"}
    assert request["headers"]["authorization"].startswith("OAuth ")
    assert 'oauth_signature_method="HMAC-SHA1"' in request["headers"]["authorization"]
    assert request["headers"]["content-type"] == "application/json"


def test_thread_parts_reply_to_each_other(sandbox: Any) -> None:
    receipt, calls = send(sandbox, "1/3 first", "2/3 second", "3/3 third")
    posts = sandbox.posts("twitter")
    assert [p["text"] for p in posts] == ["1/3 first", "2/3 second", "3/3 third"]
    ids = [p["id"] for p in posts]
    assert [p["reply_to"] for p in posts] == [None, ids[0], ids[1]]
    assert calls == [(0, ids[0]), (1, ids[1]), (2, ids[2])]
    assert receipt.remote_id == ids[0] and receipt.part_ids == tuple(ids)
    bodies = [r["body"] for r in sandbox.requests("twitter")]
    assert bodies[1] == {"text": "2/3 second", "reply": {"in_reply_to_tweet_id": ids[0]}}


def test_thread_resumes_after_the_parts_already_sent(sandbox: Any) -> None:
    first, _ = send(sandbox, "1/3 first")
    parts = ("1/3 first", "2/3 second", "3/3 third")
    receipt, calls = send(sandbox, *parts, sent_parts=first.part_ids)
    posts = sandbox.posts("twitter")
    assert [p["text"] for p in posts] == list(parts)  # part 1 not posted twice
    ids = [p["id"] for p in posts]
    assert [p["reply_to"] for p in posts[1:]] == [ids[0], ids[1]]
    assert calls == [(1, ids[1]), (2, ids[2])]
    assert receipt.remote_id == ids[0] and receipt.part_ids == tuple(ids)


def test_fully_sent_thread_posts_nothing(sandbox: Any) -> None:
    receipt, calls = send(sandbox, "a", "b", sent_parts=("111", "222"))
    assert sandbox.requests("twitter") == [] and calls == []
    assert receipt.part_ids == ("111", "222") and receipt.remote_id == "111"


def test_image_is_uploaded_and_attached_to_the_first_part(sandbox: Any, tmp_path: Path) -> None:
    image = tmp_path / "card.png"
    image.write_bytes(PNG)
    send(sandbox, "with image", "second part", image_path=image, image_alt="A chart")
    requests = sandbox.requests("twitter")
    upload = requests[0]
    assert (upload["method"], upload["path"]) == ("POST", "/2/media/upload")
    assert upload["headers"]["content-type"].startswith("multipart/form-data")
    assert upload["headers"]["authorization"].startswith("OAuth ")
    assert upload["body"]["media_category"] == "tweet_image"
    assert upload["body"]["media"] == {
        "filename": "card.png",
        "content_type": "image/png",
        "size": len(PNG),
    }
    metadata = requests[1]
    assert metadata["path"] == "/2/media/metadata"
    media_id = metadata["body"]["id"]
    assert metadata["body"]["metadata"] == {"alt_text": {"text": "A chart"}}
    first, second = sandbox.posts("twitter")
    assert [m["id"] for m in first["media"]] == [media_id]
    assert first["media"][0]["size"] == len(PNG)
    assert second["media"] == []


def test_image_is_not_uploaded_again_when_resuming(sandbox: Any, tmp_path: Path) -> None:
    image = tmp_path / "card.png"
    image.write_bytes(PNG)
    first, _ = send(sandbox, "1/2", image_path=image)
    send(sandbox, "1/2", "2/2", image_path=image, sent_parts=first.part_ids)
    paths = [r["path"] for r in sandbox.requests("twitter")]
    assert paths == ["/2/media/upload", "/2/tweets", "/2/tweets"]


def test_alt_text_is_attached(sandbox: Any, tmp_path: Path) -> None:
    image = tmp_path / "card.png"
    image.write_bytes(PNG)
    receipt, _ = send(sandbox, "with image", image_path=image, image_alt="A chart")
    (post,) = sandbox.posts("twitter")
    assert post["media"][0]["alt_text"] == "A chart"
    assert receipt.warnings == ()


def test_401_is_auth_failed_naming_the_credentials(sandbox: Any) -> None:
    sandbox.fault("twitter", status=401)
    with pytest.raises(AuthFailed) as caught:
        send(sandbox, "Hello")
    message = str(caught.value)
    assert "'x-main'" in message and "access_token_secret" in message
    assert "developer portal" in message
    assert caught.value.channel == "x-main"
    assert_no_secret(caught.value)


def test_429_is_rate_limited_until_the_announced_reset(sandbox: Any) -> None:
    sandbox.fault("twitter", status=429, reset_in=600)
    with pytest.raises(RateLimited) as caught:
        send(sandbox, "Hello")
    reset_at = caught.value.reset_at
    assert reset_at is not None and reset_at.utcoffset() == timedelta(0)
    assert timedelta(seconds=590) < reset_at - datetime.now(UTC) <= timedelta(seconds=601)
    assert "24-hour" in str(caught.value)  # the daily cap is the exhausted one
    assert sandbox.posts("twitter") == []
    assert_no_secret(caught.value)


@pytest.mark.parametrize("status", [500, 503])
def test_a_server_error_on_a_post_proves_nothing(sandbox: Any, status: int) -> None:
    sandbox.fault("twitter", status=status)
    with pytest.raises(Uncertain, match=rf"{status}.*may have been published") as caught:
        send(sandbox, "Hello")
    assert_no_secret(caught.value)


@pytest.mark.parametrize("status", [500, 503])
def test_a_server_error_on_an_image_upload_is_transient(
    sandbox: Any, tmp_path: Path, status: int
) -> None:
    image = tmp_path / "card.png"
    image.write_bytes(PNG)
    sandbox.fault("twitter", status=status)  # the upload comes first, and creates no post
    with pytest.raises(Transient, match=str(status)) as caught:
        send(sandbox, "Hello", image_path=image, image_alt="A chart")
    assert_no_secret(caught.value)
    send(sandbox, "Hello", image_path=image, image_alt="A chart")  # the retry goes through
    assert len(sandbox.posts("twitter")) == 1


def test_read_timeout_is_uncertain(sandbox: Any) -> None:
    sandbox.fault("twitter", delay=TIMEOUT + 0.5)
    with pytest.raises(Uncertain, match="may have been published") as caught:
        send(sandbox, "Hello")
    assert_no_secret(caught.value)
    assert len(sandbox.posts("twitter")) == 1  # the post exists: hence "uncertain"


def test_timeout_during_image_upload_is_transient(sandbox: Any, tmp_path: Path) -> None:
    image = tmp_path / "card.png"
    image.write_bytes(PNG)
    sandbox.fault("twitter", delay=TIMEOUT + 0.5)  # consumed by the upload
    with pytest.raises(Transient, match="no post was created"):
        send(sandbox, "Hello", image_path=image)
    assert sandbox.posts("twitter") == []


def test_failure_midway_through_a_thread_reports_the_parts_sent(sandbox: Any) -> None:
    send(sandbox, "already said")
    with pytest.raises(Rejected, match="duplicate content"):
        send(sandbox, "1/3 fresh", "already said", "3/3 never")
    posts = sandbox.posts("twitter")
    assert [p["text"] for p in posts] == ["already said", "1/3 fresh"]
    # on_part ran for the part that went out, so the ledger can resume after it.
    calls: list[tuple[int, str]] = []
    with pytest.raises(Rejected):
        adapter(sandbox).send(
            outgoing=Outgoing(channel="x-main", parts=("1/2 other", "already said")),
            on_part=lambda i, pid: calls.append((i, pid)),
        )
    assert calls == [(0, sandbox.posts("twitter")[-1]["id"])]


def test_duplicate_content_is_rejected_with_x_message(sandbox: Any) -> None:
    send(sandbox, "Same words twice")
    with pytest.raises(Rejected, match="duplicate content") as caught:
        send(sandbox, "Same words twice")
    assert_no_secret(caught.value)
    assert "crosspost done" in str(caught.value)  # the likely explanation, and the fix
    assert len(sandbox.posts("twitter")) == 1


def test_spent_credits_block_the_channel(sandbox: Any) -> None:
    from crosspost.errors import ChannelBlocked

    sandbox.fault("twitter", status=402)
    with pytest.raises(ChannelBlocked, match=r"credits .* are spent.*Top up") as caught:
        send(sandbox, "Hello")
    assert_no_secret(caught.value)
    assert sandbox.posts("twitter") == []


def test_the_monthly_usage_cap_is_not_a_rate_limit(sandbox: Any) -> None:
    from crosspost.errors import ChannelBlocked

    sandbox.fault("twitter", status=429, problem="usage-capped")
    with pytest.raises(ChannelBlocked, match="monthly usage cap") as caught:
        send(sandbox, "Hello")
    assert "will not clear in 15 minutes" in str(caught.value)
    assert sandbox.posts("twitter") == []
