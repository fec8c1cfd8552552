"""The LinkedIn adapter against the sandbox, over real HTTP through requests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from crosspost.errors import AuthFailed, RateLimited, Rejected, Transient, Uncertain
from crosspost.networks.base import Outgoing, Receipt
from crosspost.networks.linkedin import LinkedInNetwork, LinkedInSettings

TOKEN = "AQV-SECRET-linkedin-token"
AUTHOR = "urn:li:organization:2414183"
TIMEOUT = 0.5
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def adapter(sandbox: Any, **settings: Any) -> LinkedInNetwork:
    return LinkedInNetwork(
        channel="li-page",
        settings=LinkedInSettings(author=AUTHOR, **settings),
        credentials={"access_token": TOKEN},
        api_url=sandbox.url,
        timeout=TIMEOUT,
    )


def send(sandbox: Any, text: str = "New article", **fields: Any) -> Receipt:
    return adapter(sandbox).send(outgoing=Outgoing(channel="li-page", parts=(text,), **fields))


def assert_no_secret(exc: BaseException) -> None:
    assert TOKEN not in f"{exc} {exc!r} {exc.args!r}"


def test_text_post_request_and_receipt(sandbox: Any) -> None:
    receipt = send(sandbox, "Hello LinkedIn")
    (post,) = sandbox.posts("linkedin")
    assert post["id"].startswith("urn:li:share:")
    assert receipt == Receipt(
        remote_id=post["id"],
        url=f"https://www.linkedin.com/feed/update/{post['id']}",
        part_ids=(post["id"],),
    )
    (request,) = sandbox.requests("linkedin")
    assert (request["method"], request["path"]) == ("POST", "/rest/posts")
    headers = request["headers"]
    assert headers["authorization"] == "Bearer <redacted>"
    assert headers["linkedin-version"] == "202607"  # the newest confirmed version
    assert headers["x-restli-protocol-version"] == "2.0.0"
    assert headers["content-type"] == "application/json"
    assert request["body"] == {
        "author": AUTHOR,
        "commentary": "Hello LinkedIn",
        "visibility": "PUBLIC",
        "distribution": {
            "feedDistribution": "MAIN_FEED",
            "targetEntities": [],
            "thirdPartyDistributionChannels": [],
        },
        "lifecycleState": "PUBLISHED",
        "isReshareDisabledByAuthor": False,
    }


def test_settings_reach_the_request(sandbox: Any) -> None:
    network = adapter(sandbox, linkedin_version="202609", visibility="CONNECTIONS")
    network.send(outgoing=Outgoing(channel="li-page", parts=("Hi",)))
    (request,) = sandbox.requests("linkedin")
    assert request["headers"]["linkedin-version"] == "202609"
    assert request["body"]["visibility"] == "CONNECTIONS"


def test_link_makes_an_article_share(sandbox: Any) -> None:
    send(
        sandbox,
        "Read the new article",
        link="https://blog.example.com/a?utm_source=linkedin",
        title="A title",
        description="What it is about",
    )
    (request,) = sandbox.requests("linkedin")
    assert request["body"]["content"] == {
        "article": {
            "source": "https://blog.example.com/a?utm_source=linkedin",
            "title": "A title",
            "description": "What it is about",
        }
    }
    assert sandbox.posts("linkedin")[0]["link"] == "https://blog.example.com/a?utm_source=linkedin"


def test_image_without_link_is_a_media_post(sandbox: Any, tmp_path: Path) -> None:
    image = tmp_path / "card.png"
    image.write_bytes(PNG)
    send(sandbox, "Look", image_path=image, image_alt="A chart of visits")
    init, put, create = sandbox.requests("linkedin")
    assert (init["method"], init["path"], init["query"]) == (
        "POST",
        "/rest/images",
        {"action": "initializeUpload"},
    )
    assert init["body"] == {"initializeUploadRequest": {"owner": AUTHOR}}
    assert init["headers"]["authorization"] == "Bearer <redacted>"
    assert put["method"] == "PUT" and put["path"].startswith("/linkedin-upload/")
    assert put["body"] == {"content_type": "image/png", "size": len(PNG)}
    assert put["headers"]["authorization"] == "Bearer <redacted>"
    media = create["body"]["content"]["media"]
    assert media["altText"] == "A chart of visits" and media["id"].startswith("urn:li:image:")
    (post,) = sandbox.posts("linkedin")
    assert post["media"] == [{"id": media["id"], "content_type": "image/png", "size": len(PNG)}]


def test_image_with_link_is_the_article_thumbnail(sandbox: Any, tmp_path: Path) -> None:
    image = tmp_path / "card.png"
    image.write_bytes(PNG)
    send(sandbox, "Read", link="https://blog.example.com/a", title="T", image_path=image)
    article = sandbox.requests("linkedin")[-1]["body"]["content"]["article"]
    assert article["source"] == "https://blog.example.com/a"
    assert article["thumbnail"].startswith("urn:li:image:")
    assert sandbox.posts("linkedin")[0]["media"][0]["id"] == article["thumbnail"]


def test_published_text_is_the_intended_text(sandbox: Any) -> None:
    text = (
        "Our results (2026) are in [preview]: snake_case *stars* ~approx~ a|b {x} <y> @z\n"
        "Details: https://en.wikipedia.org/wiki/Foo_(bar) and "
        "https://blog.example.com/a_b?utm_source=li&x=(1)\n"
        "#Python #open_source"
    )
    send(sandbox, text)
    (post,) = sandbox.posts("linkedin")
    assert post["published"] == text
    assert not post["truncated"]
    # URLs travel as written, hashtags stay hashtags, the rest is escaped.
    commentary = post["text"]
    assert "https://en.wikipedia.org/wiki/Foo_(bar)" in commentary
    assert commentary.endswith("#Python #open_source")
    assert r"\(2026\)" in commentary


def test_401_is_auth_failed_with_renewal_steps(sandbox: Any) -> None:
    sandbox.fault("linkedin", status=401)
    with pytest.raises(AuthFailed) as caught:
        send(sandbox)
    message = str(caught.value)
    assert "'li-page'" in message and "Invalid access token" in message
    assert "access_token" in message and "token_expires" in message
    assert_no_secret(caught.value)


def test_429_is_rate_limited_until_retry_after(sandbox: Any) -> None:
    sandbox.fault("linkedin", status=429, reset_in=120)
    with pytest.raises(RateLimited) as caught:
        send(sandbox)
    reset_at = caught.value.reset_at
    assert reset_at is not None and reset_at.utcoffset() == timedelta(0)
    assert timedelta(seconds=110) < reset_at - datetime.now(UTC) <= timedelta(seconds=120)
    assert_no_secret(caught.value)


@pytest.mark.parametrize("status", [500, 503])
def test_a_server_error_on_a_post_proves_nothing(sandbox: Any, status: int) -> None:
    sandbox.fault("linkedin", status=status)
    with pytest.raises(Uncertain, match=rf"HTTP {status}.*may have been published"):
        send(sandbox)
    assert sandbox.posts("linkedin") == []


def test_read_timeout_is_uncertain(sandbox: Any) -> None:
    sandbox.fault("linkedin", delay=TIMEOUT + 0.5)
    with pytest.raises(Uncertain, match="may have been published") as caught:
        send(sandbox)
    assert_no_secret(caught.value)
    assert len(sandbox.posts("linkedin")) == 1


def test_timeout_during_image_upload_is_transient(sandbox: Any, tmp_path: Path) -> None:
    image = tmp_path / "card.png"
    image.write_bytes(PNG)
    sandbox.fault("linkedin", delay=TIMEOUT + 0.5)  # consumed by initializeUpload
    with pytest.raises(Transient, match="no post was created"):
        send(sandbox, image_path=image)
    assert sandbox.posts("linkedin") == []


def test_invalid_post_is_rejected_with_linkedin_message(sandbox: Any) -> None:
    with pytest.raises(Rejected, match=r"HTTP 422: ERROR :: /commentary :: length") as caught:
        send(sandbox, "x" * 3001)
    assert_no_secret(caught.value)


def test_a_retired_version_falls_back_once_and_says_which_to_set(sandbox: Any) -> None:
    network = adapter(sandbox, linkedin_version="202301")
    receipt = network.send(outgoing=Outgoing(channel="li-page", parts=("Hi",)))
    (warning,) = receipt.warnings
    assert "linkedin_version 202301" in warning and "linkedin_version: 202607" in warning
    refused, taken = sandbox.requests("linkedin")
    assert refused["headers"]["linkedin-version"] == "202301" and refused["status"] == 426
    assert taken["headers"]["linkedin-version"] == "202607"
    assert len(sandbox.posts("linkedin")) == 1  # the refused request created nothing


def test_a_version_refused_twice_is_rejected_with_the_setting_to_change(sandbox: Any) -> None:
    import time_machine

    # Two years on, every version crosspost knows is retired too.
    with time_machine.travel("2028-12-01T10:00:00+00:00", tick=False):
        network = adapter(sandbox)
        with pytest.raises(Rejected, match="linkedin_version") as caught:
            network.send(outgoing=Outgoing(channel="li-page", parts=("Hi",)))
    assert "not active" in str(caught.value)
    assert len(sandbox.requests("linkedin")) == 2  # one retry, never more
