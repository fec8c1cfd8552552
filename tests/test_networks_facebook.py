"""The Facebook Page adapter against the sandbox, over real HTTP through its `requests` client."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from crosspost.errors import AuthFailed, RateLimited, Rejected, Uncertain
from crosspost.networks.base import Outgoing, Receipt
from crosspost.networks.facebook import FacebookNetwork, FacebookSettings

TOKEN = "EAAB-SECRET-page-token"
PAGE = "104123456789012"
TIMEOUT = 0.5
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def adapter(sandbox: Any, **settings: Any) -> FacebookNetwork:
    return FacebookNetwork(
        channel="fb-page",
        settings=FacebookSettings(page_id=PAGE, **settings),
        credentials={"page_token": TOKEN},
        api_url=sandbox.url,
        timeout=TIMEOUT,
    )


def send(sandbox: Any, text: str = "New article", **fields: Any) -> Receipt:
    outgoing = Outgoing(channel="fb-page", parts=(text,), **fields)
    return adapter(sandbox).send(outgoing=outgoing)


def assert_no_secret(exc: BaseException) -> None:
    assert TOKEN not in f"{exc} {exc!r} {exc.args!r}"


def test_feed_post_with_link(sandbox: Any) -> None:
    receipt = send(sandbox, "New article: read it", link="https://blog.example.com/a?utm_source=fb")
    (post,) = sandbox.posts("facebook")
    assert (post["text"], post["link"]) == (
        "New article: read it",
        "https://blog.example.com/a?utm_source=fb",
    )
    assert post["id"].startswith(PAGE + "_")
    assert receipt == Receipt(
        remote_id=post["id"], url=f"https://www.facebook.com/{post['id']}", part_ids=(post["id"],)
    )
    (request,) = sandbox.requests("facebook")
    assert (request["method"], request["path"]) == ("POST", f"/v26.0/{PAGE}/feed")
    assert request["headers"]["content-type"] == "application/x-www-form-urlencoded"
    body = request["body"]
    assert body["message"] == "New article: read it"
    assert body["link"] == "https://blog.example.com/a?utm_source=fb"
    assert body["access_token"] == "<redacted>"  # the token travelled, in the body


def test_graph_version_setting_is_used(sandbox: Any) -> None:
    outgoing = Outgoing(channel="fb-page", parts=("Hi",))
    adapter(sandbox, graph_version="v21.0").send(outgoing=outgoing)
    assert sandbox.requests("facebook")[0]["path"] == f"/v21.0/{PAGE}/feed"


def test_photo_post_when_there_is_an_image(sandbox: Any, tmp_path: Path) -> None:
    image = tmp_path / "card.png"
    image.write_bytes(PNG)
    text = "New article https://blog.example.com/a"
    receipt = send(
        sandbox, text, link="https://blog.example.com/a", image_path=image, image_alt="A chart"
    )
    (request,) = sandbox.requests("facebook")
    assert request["path"] == f"/v26.0/{PAGE}/photos"
    assert request["headers"]["content-type"].startswith("multipart/form-data")
    # `caption`, not the deprecated `message`, and the alt text in alt_text_custom.
    assert request["body"]["caption"] == text and "message" not in request["body"]
    assert request["body"]["alt_text_custom"] == "A chart"
    assert request["body"]["source"] == {
        "filename": "card.png",
        "content_type": "image/png",
        "size": len(PNG),
    }
    assert "link" not in request["body"]
    (post,) = sandbox.posts("facebook")
    assert post["text"] == text and post["media"][0]["size"] == len(PNG)
    assert post["media"][0]["alt_text"] == "A chart"
    # The receipt names the post, not the photo.
    assert receipt.remote_id == post["id"] != post["photo_id"]


def test_expired_token_is_auth_failed(sandbox: Any) -> None:
    sandbox.fault("facebook", status=401)
    with pytest.raises(AuthFailed) as caught:
        send(sandbox)
    message = str(caught.value)
    assert "'fb-page'" in message and "page_token" in message and "Graph code 190" in message
    assert "Session has expired" in message
    assert_no_secret(caught.value)


@pytest.mark.parametrize("code", [4, 17, 32, 613])
def test_throttling_codes_are_rate_limited_with_the_regain_time(sandbox: Any, code: int) -> None:
    sandbox.fault("facebook", status=429, code=code, reset_in=300)
    with pytest.raises(RateLimited) as caught:
        send(sandbox)
    reset_at = caught.value.reset_at
    assert reset_at is not None and reset_at.utcoffset() == timedelta(0)
    # estimated_time_to_regain_access = 5 minutes, not the one-hour fallback
    assert timedelta(minutes=4) < reset_at - datetime.now(UTC) <= timedelta(minutes=5)
    assert f"Graph code {code}" in str(caught.value)
    assert_no_secret(caught.value)


@pytest.mark.parametrize("status", [500, 503])
def test_a_server_error_on_a_post_proves_nothing(sandbox: Any, status: int) -> None:
    # Graph users have had a photo published seven times by retrying a 500.
    sandbox.fault("facebook", status=status)
    with pytest.raises(Uncertain, match=rf"HTTP {status}.*may have been published") as caught:
        send(sandbox)
    assert_no_secret(caught.value)
    assert sandbox.posts("facebook") == []


def test_read_timeout_is_uncertain(sandbox: Any) -> None:
    sandbox.fault("facebook", delay=TIMEOUT + 0.5)
    with pytest.raises(Uncertain, match=r"did not answer within 0\.5 s") as caught:
        send(sandbox)
    assert_no_secret(caught.value)
    assert len(sandbox.posts("facebook")) == 1


def test_invalid_link_is_rejected_with_graph_message(sandbox: Any) -> None:
    network = FacebookNetwork(
        channel="fb-page",
        settings={"page_id": PAGE},
        credentials={"page_token": TOKEN},
        api_url=sandbox.url,
        timeout=TIMEOUT,
    )
    outgoing = Outgoing(channel="fb-page", parts=("Hi",), link="not a url")

    with pytest.raises(Rejected, match="link must be a valid URL") as caught:
        network.send(outgoing=outgoing)
    assert_no_secret(caught.value)
