"""The sandbox speaks X, Facebook Graph, LinkedIn REST and bit.ly like the real ones.

Every test talks to a live sandbox over loopback HTTP, through `requests` or the
real client libraries (tweepy, crosspost's bit.ly client), never by calling the
sandbox's internals.
"""

from __future__ import annotations

import json
import math
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

import pytest
import requests
import tweepy
from requests.adapters import HTTPAdapter

from crosspost.sandbox import Sandbox, start_sandbox

CONSUMER_KEY = "ck-sandbox-consumer"
CONSUMER_SECRET = "cs-sandbox-consumer-secret"
ACCESS_TOKEN = "4242-tok-access-abc"
ACCESS_SECRET = "as-sandbox-access-secret"
PAGE_TOKEN = "EAAGpagetokenSECRET"
LINKEDIN_TOKEN = "AQVlinkedinSECRET"
BITLY_TOKEN = "bitly-SECRET-token"
PAGE_ID = "1049283746"
AUTHOR = "urn:li:organization:5515715"


# Clients -------------------------------------------------------------------------


class _ToSandbox(HTTPAdapter):
    """Sends what tweepy addresses to api.twitter.com to the sandbox instead."""

    def __init__(self, base_url: str, timeout: float | None = None) -> None:
        super().__init__()
        self.base_url = base_url
        self.timeout = timeout

    def send(self, request: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        request.url = request.url.replace("https://api.twitter.com", self.base_url, 1)
        if self.timeout is not None:
            kwargs["timeout"] = self.timeout
        return super().send(request, **kwargs)


def x_client(
    sandbox: Sandbox,
    *,
    access_token: str = ACCESS_TOKEN,
    timeout: float | None = None,
    raw: bool = False,
) -> tweepy.Client:
    client = tweepy.Client(
        consumer_key=CONSUMER_KEY,
        consumer_secret=CONSUMER_SECRET,
        access_token=access_token,
        access_token_secret=ACCESS_SECRET,
        return_type=requests.Response if raw else tweepy.Response,
    )
    client.session.mount("https://api.twitter.com", _ToSandbox(sandbox.url, timeout))
    return client


def x_auth(access_token: str = ACCESS_TOKEN) -> Any:
    return tweepy.OAuth1UserHandler(
        CONSUMER_KEY, CONSUMER_SECRET, access_token, ACCESS_SECRET
    ).apply_auth()


def x_upload(
    sandbox: Sandbox,
    data: bytes,
    *,
    category: str | None = "tweet_image",
    access_token: str = ACCESS_TOKEN,
) -> requests.Response:
    """The v2 media upload, through a tweepy client's own session as the adapter does it."""
    client = x_client(sandbox, access_token=access_token)
    fields = {"media_category": category} if category else {}
    return client.session.post(
        "https://api.twitter.com/2/media/upload",
        files={"media": ("cover.png", data, "image/png")},
        data=fields,
        auth=x_auth(access_token),
    )


def li_version(months_ago: int = 0) -> str:
    today = datetime.now(UTC)
    index = today.year * 12 + today.month - 1 - months_ago
    return f"{index // 12}{index % 12 + 1:02d}"


def li_headers(**overrides: str | None) -> dict[str, str]:
    headers: dict[str, str | None] = {
        "Authorization": f"Bearer {LINKEDIN_TOKEN}",
        "LinkedIn-Version": li_version(1),
        "X-Restli-Protocol-Version": "2.0.0",
    }
    headers.update(overrides)
    return {k: v for k, v in headers.items() if v is not None}


def li_post(
    sandbox: Sandbox,
    commentary: str = "Hello LinkedIn",
    *,
    headers: dict[str, str] | None = None,
    timeout: float = 5,
    **fields: Any,
) -> requests.Response:
    body = {
        "author": AUTHOR,
        "commentary": commentary,
        "visibility": "PUBLIC",
        "distribution": {
            "feedDistribution": "MAIN_FEED",
            "targetEntities": [],
            "thirdPartyDistributionChannels": [],
        },
        "lifecycleState": "PUBLISHED",
        "isReshareDisabledByAuthor": False,
        **fields,
    }
    body = {k: v for k, v in body.items() if v is not None}
    return requests.post(
        sandbox.url + "/rest/posts",
        json=body,
        headers=headers if headers is not None else li_headers(),
        timeout=timeout,
    )


def fb_feed(
    sandbox: Sandbox,
    message: str = "Hello Page",
    *,
    token: str | None = PAGE_TOKEN,
    version: str = "v21.0",
    timeout: float = 5,
) -> requests.Response:
    data = {"message": message}
    if token is not None:
        data["access_token"] = token
    return requests.post(f"{sandbox.url}/{version}/{PAGE_ID}/feed", data=data, timeout=timeout)


def bitly_shorten(
    sandbox: Sandbox, long_url: str, *, token: str | None = BITLY_TOKEN, timeout: float = 5
) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.post(
        sandbox.url + "/v4/shorten", json={"long_url": long_url}, headers=headers, timeout=timeout
    )


def tweet(sandbox: Sandbox, text: str, *, timeout: float = 5, **body: Any) -> requests.Response:
    return requests.post(
        sandbox.url + "/2/tweets", json={"text": text, **body}, auth=x_auth(), timeout=timeout
    )


# The server itself ----------------------------------------------------------------


def test_url_has_the_bound_port_and_no_trailing_slash(sandbox: Sandbox) -> None:
    assert sandbox.url == f"http://127.0.0.1:{sandbox.port}"
    assert sandbox.port > 0


def test_unknown_path_is_a_json_404(sandbox: Sandbox) -> None:
    answer = requests.get(sandbox.url + "/nothing/here", timeout=5)
    assert answer.status_code == 404
    assert answer.headers["Content-Type"] == "application/json"
    assert "error" in answer.json()


def test_stop_closes_the_port_and_can_be_called_twice() -> None:
    with start_sandbox() as sandbox:
        url = sandbox.url
        assert requests.get(url + "/_sandbox/state", timeout=5).status_code == 200
    sandbox.stop()
    with pytest.raises(requests.ConnectionError):
        requests.get(url + "/_sandbox/state", timeout=2)


def test_server_writes_nothing_to_stderr(
    sandbox: Sandbox, capfd: pytest.CaptureFixture[str]
) -> None:
    tweet(sandbox, "quiet please")
    requests.get(sandbox.url + "/missing", timeout=5)
    sandbox.fault("bitly", delay=0.3)
    with pytest.raises(requests.Timeout):
        bitly_shorten(sandbox, "https://example.com/slow", timeout=0.05)
    time.sleep(0.4)  # let the late answer hit the closed connection
    captured = capfd.readouterr()
    assert captured.err == ""
    assert captured.out == ""


def test_serve_blocks_until_ctrl_c_then_exits_cleanly() -> None:
    code = (
        "from crosspost.sandbox import serve\n"
        "serve('127.0.0.1', 0, on_ready=lambda sb: print(sb.url, flush=True))\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        assert requests.get(url + "/_sandbox/state", timeout=5).status_code == 200
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=10)
    finally:
        process.kill()
    assert process.returncode == 0
    assert "Traceback" not in err
    with pytest.raises(requests.ConnectionError):
        requests.get(url + "/_sandbox/state", timeout=2)


# X ------------------------------------------------------------------------------------


def test_x_tweet_through_tweepy(sandbox: Sandbox) -> None:
    answer = x_client(sandbox, raw=True).create_tweet(
        text="New article https://example.com/post", user_auth=True
    )
    assert answer.status_code == 201
    data = answer.json()["data"]
    assert data["id"].isdigit()
    assert data["text"] == "New article https://example.com/post"
    reset = int(answer.headers["x-rate-limit-reset"])
    assert reset > time.time()
    assert int(answer.headers["x-rate-limit-remaining"]) < int(answer.headers["x-rate-limit-limit"])
    [post] = sandbox.posts("twitter")
    assert post["id"] == data["id"]
    assert post["text"] == "New article https://example.com/post"
    assert post["account"] == ACCESS_TOKEN
    assert post["url"] == f"https://x.com/i/web/status/{data['id']}"
    assert post["link"] == "https://example.com/post"
    assert post["reply_to"] is None
    assert datetime.fromisoformat(post["at"]).tzinfo is not None


def test_x_thread_replies_must_point_at_an_existing_tweet(sandbox: Sandbox) -> None:
    client = x_client(sandbox)
    first = client.create_tweet(text="1/2 a thread", user_auth=True).data["id"]
    second = client.create_tweet(
        text="2/2 the end", in_reply_to_tweet_id=first, user_auth=True
    ).data["id"]
    posts = sandbox.posts("twitter")
    assert [p["id"] for p in posts] == [first, second]
    assert posts[1]["reply_to"] == first
    with pytest.raises(tweepy.Forbidden):
        client.create_tweet(text="lost reply", in_reply_to_tweet_id="999", user_auth=True)
    assert len(sandbox.posts("twitter")) == 2


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Bearer AAAAAAAAAAAAAAAAAAAAAtoken",
        'OAuth oauth_consumer_key="ck", oauth_token="t", oauth_signature_method="HMAC-SHA1", '
        'oauth_timestamp="1700000000", oauth_nonce="n", oauth_version="1.0"',  # no signature
        "OAuth garbage",
    ],
)
def test_x_rejects_anything_but_an_oauth1_header(
    sandbox: Sandbox, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    answer = requests.post(
        sandbox.url + "/2/tweets", json={"text": "hi"}, headers=headers, timeout=5
    )
    assert answer.status_code == 401
    assert answer.json() == {
        "title": "Unauthorized",
        "type": "about:blank",
        "status": 401,
        "detail": "Unauthorized",
    }
    assert "x-rate-limit-reset" in answer.headers
    assert sandbox.posts("twitter") == []


def test_x_counts_weighted_length(sandbox: Sandbox) -> None:
    client = x_client(sandbox)
    client.create_tweet(text="a" * 280, user_auth=True)
    # 260 characters plus a long URL: over 280 raw, but a URL weighs 23.
    client.create_tweet(text="b" * 256 + " https://example.com/" + "x" * 80, user_auth=True)
    with pytest.raises(tweepy.BadRequest) as raised:
        client.create_tweet(text="c" * 281, user_auth=True)
    body = raised.value.response.json()
    assert body["type"] == "https://api.twitter.com/2/problems/invalid-request"
    assert body["title"] == "Invalid Request"
    assert "281" in body["errors"][0]["message"]
    with pytest.raises(tweepy.BadRequest):
        client.create_tweet(text="日本" * 71, user_auth=True)  # 142 characters weigh 284
    assert len(sandbox.posts("twitter")) == 2


def test_x_requires_text_or_media(sandbox: Sandbox) -> None:
    answer = requests.post(sandbox.url + "/2/tweets", json={}, auth=x_auth(), timeout=5)
    assert answer.status_code == 400
    assert answer.json()["title"] == "Invalid Request"


def test_x_refuses_duplicate_text_per_account(sandbox: Sandbox) -> None:
    client = x_client(sandbox)
    client.create_tweet(text="same words", user_auth=True)
    with pytest.raises(tweepy.Forbidden) as raised:
        client.create_tweet(text="same words", user_auth=True)
    assert raised.value.response.json() == {
        "detail": "You are not allowed to create a Tweet with duplicate content.",
        "type": "about:blank",
        "title": "Forbidden",
        "status": 403,
    }
    assert raised.value.api_messages == [
        "You are not allowed to create a Tweet with duplicate content."
    ]
    x_client(sandbox, access_token="777-other").create_tweet(text="same words", user_auth=True)
    assert [p["account"] for p in sandbox.posts("twitter")] == [ACCESS_TOKEN, "777-other"]


def test_x_duplicate_check_holds_under_concurrent_posts(sandbox: Sandbox) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda _: tweet(sandbox, "race").status_code, range(8)))
    assert sorted(statuses) == [201] + [403] * 7
    assert len(sandbox.posts("twitter")) == 1


def test_x_media_upload_keeps_bytes_and_type(sandbox: Sandbox) -> None:
    image = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4 + b"\r\n--not-a-boundary\r\n"
    answer = x_upload(sandbox, image)
    assert answer.status_code == 200
    data = answer.json()["data"]
    assert data["media_key"] == f"3_{data['id']}"
    assert data["size"] == len(image)
    assert data["expires_after_secs"] > 0
    created = x_client(sandbox).create_tweet(
        text="with a cover", media_ids=[data["id"]], user_auth=True
    )
    [post] = sandbox.posts("twitter")
    assert post["id"] == created.data["id"]
    [media] = post["media"]
    assert media["id"] == data["id"]
    assert media["size"] == len(image)
    assert media["content_type"] == "image/png"


def test_x_media_must_be_uploaded_by_the_same_account(sandbox: Sandbox) -> None:
    media_id = x_upload(sandbox, b"GIF89a-data", access_token="999-else").json()["data"]["id"]
    client = x_client(sandbox)
    for ids in ([media_id], ["1234567890"]):
        with pytest.raises(tweepy.BadRequest) as raised:
            client.create_tweet(text="pic", media_ids=ids, user_auth=True)
        assert raised.value.api_messages == ["Your media IDs are invalid."]
    assert sandbox.posts("twitter") == []


def test_x_media_upload_checks_auth_and_category(sandbox: Sandbox) -> None:
    assert x_upload(sandbox, b"data", category=None).status_code == 400
    assert x_upload(sandbox, b"data", category="tweet_video").status_code == 400
    unsigned = requests.post(
        sandbox.url + "/2/media/upload",
        files={"media": ("a.png", b"data")},
        data={"media_category": "tweet_image"},
        timeout=5,
    )
    assert unsigned.status_code == 401


# Facebook -----------------------------------------------------------------------------


def test_facebook_feed_post_with_a_link(sandbox: Sandbox) -> None:
    answer = requests.post(
        f"{sandbox.url}/v21.0/{PAGE_ID}/feed",
        data={
            "message": "New article",
            "link": "https://example.com/p",
            "access_token": PAGE_TOKEN,
        },
        timeout=5,
    ).json()
    page_id, _, post_id = answer["id"].partition("_")
    assert page_id == PAGE_ID
    assert post_id.isdigit()
    [post] = sandbox.posts("facebook")
    assert post["id"] == answer["id"]
    assert post["text"] == "New article"
    assert post["link"] == "https://example.com/p"
    assert post["account"] == PAGE_ID
    assert post["url"] == f"https://www.facebook.com/{answer['id']}"


def test_facebook_photo_upload(sandbox: Sandbox) -> None:
    image = b"\xff\xd8\xff" + b"\r\n" * 50 + bytes(range(256))
    answer = requests.post(
        f"{sandbox.url}/v21.0/{PAGE_ID}/photos",
        data={"message": "Cover", "access_token": PAGE_TOKEN},
        files={"source": ("cover.jpg", image, "image/jpeg")},
        timeout=5,
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["id"].isdigit()
    assert body["post_id"].startswith(f"{PAGE_ID}_")
    [post] = sandbox.posts("facebook")
    assert post["id"] == body["post_id"]
    assert post["text"] == "Cover"
    assert post["media"][0]["size"] == len(image)
    assert post["media"][0]["content_type"] == "image/jpeg"


@pytest.mark.parametrize("token", [None, ""])
def test_facebook_needs_a_token(sandbox: Sandbox, token: str | None) -> None:
    answer = fb_feed(sandbox, token=token)
    assert answer.status_code == 400
    assert answer.headers["Content-Type"] == "application/json"
    error = answer.json()["error"]
    assert error["code"] == 190
    assert error["type"] == "OAuthException"
    assert {"message", "error_subcode", "fbtrace_id"} <= error.keys()
    assert sandbox.posts("facebook") == []


@pytest.mark.parametrize("version", ["21.0", "v21", "latest"])
def test_facebook_checks_the_version_in_the_path(sandbox: Sandbox, version: str) -> None:
    answer = fb_feed(sandbox, version=version)
    assert answer.status_code == 400
    assert answer.headers["Content-Type"] == "application/json"
    assert version in answer.json()["error"]["message"]
    assert sandbox.posts("facebook") == []


def test_facebook_refuses_a_path_without_version(sandbox: Sandbox) -> None:
    answer = requests.post(
        f"{sandbox.url}/{PAGE_ID}/feed",
        data={"message": "hi", "access_token": PAGE_TOKEN},
        timeout=5,
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["type"] == "OAuthException"
    assert sandbox.posts("facebook") == []
    assert len(sandbox.requests("facebook")) == 1


def test_facebook_also_takes_a_json_body(sandbox: Sandbox) -> None:
    answer = requests.post(
        f"{sandbox.url}/v26.0/{PAGE_ID}/feed",
        json={"message": "From JSON", "access_token": PAGE_TOKEN},
        timeout=5,
    )
    assert answer.status_code == 200
    assert [p["text"] for p in sandbox.posts("facebook")] == ["From JSON"]


def test_facebook_needs_a_message_or_link(sandbox: Sandbox) -> None:
    answer = fb_feed(sandbox, message="")
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == 100


# LinkedIn -----------------------------------------------------------------------------


def test_linkedin_post_is_201_with_id_header_and_empty_body(sandbox: Sandbox) -> None:
    answer = li_post(sandbox, "Plain words", content={"article": {"source": "https://ex.com/a"}})
    assert answer.status_code == 201
    assert answer.content == b""
    urn = answer.headers["x-restli-id"]
    assert urn.startswith("urn:li:share:")
    [post] = sandbox.posts("linkedin")
    assert post["id"] == urn
    assert post["text"] == post["published"] == "Plain words"
    assert post["account"] == AUTHOR
    assert post["link"] == "https://ex.com/a"
    assert post["url"] == f"https://www.linkedin.com/feed/update/{urn}"


@pytest.mark.parametrize(
    ("commentary", "published", "truncated"),
    [
        ("Read this (really) now", "Read this ", True),
        (r"Read this \(really\) now", "Read this (really) now", False),
        ("See https://ex.com/a_(b)*c~d and more", "See https://ex.com/a_(b)*c~d and more", False),
        ("#python at the start and #mid-text", "#python at the start and #mid-text", False),
        ("Thanks @[Ada Lovelace](urn:li:person:abc123)!", "Thanks Ada Lovelace!", False),
        (r"{hashtag|\#|Python} rocks", "#Python rocks", False),
        ("C# is a language", "C", True),
        ("snake_case names", "snake", True),
        (r"back\\slash", "back\\slash", False),
    ],
)
def test_linkedin_publishes_little_format_like_linkedin(
    sandbox: Sandbox, commentary: str, published: str, truncated: bool
) -> None:
    assert li_post(sandbox, commentary).status_code == 201
    [post] = sandbox.posts("linkedin")
    assert post["text"] == commentary
    assert post["published"] == published
    assert post["truncated"] is truncated


def test_linkedin_checks_the_bearer_token(sandbox: Sandbox) -> None:
    for authorization in (None, "Bearer ", f"Token {LINKEDIN_TOKEN}"):
        answer = li_post(sandbox, headers=li_headers(Authorization=authorization))
        assert answer.status_code == 401
        assert answer.json() == {
            "status": 401,
            "serviceErrorCode": 65600,
            "code": "INVALID_ACCESS_TOKEN",
            "message": "Invalid access token",
        }
    assert sandbox.posts("linkedin") == []


@pytest.mark.parametrize("version", [None, "2024-10", "20241", "202413", "v202410"])
def test_linkedin_needs_a_well_formed_version_header(sandbox: Sandbox, version: str | None) -> None:
    answer = li_post(sandbox, headers=li_headers(**{"LinkedIn-Version": version}))
    assert answer.status_code == 400
    assert answer.json()["status"] == 400
    assert "LinkedIn-Version" in answer.json()["message"]


def test_linkedin_versions_retire_after_a_year(sandbox: Sandbox) -> None:
    now = li_post(sandbox, "now", headers=li_headers(**{"LinkedIn-Version": li_version(0)}))
    assert now.status_code == 201
    year_old = li_post(sandbox, "year", headers=li_headers(**{"LinkedIn-Version": li_version(12)}))
    assert year_old.status_code == 201
    retired = li_version(13)
    answer = li_post(sandbox, "old", headers=li_headers(**{"LinkedIn-Version": retired}))
    assert answer.status_code == 426
    assert answer.json()["message"] == f"Requested version {retired} is not active"
    assert [p["text"] for p in sandbox.posts("linkedin")] == ["now", "year"]


def test_linkedin_needs_the_restli_header(sandbox: Sandbox) -> None:
    answer = li_post(sandbox, headers=li_headers(**{"X-Restli-Protocol-Version": None}))
    assert answer.status_code == 400
    assert "X-Restli-Protocol-Version" in answer.json()["message"]


@pytest.mark.parametrize(
    "missing", ["author", "commentary", "visibility", "distribution", "lifecycleState"]
)
def test_linkedin_checks_required_fields(sandbox: Sandbox, missing: str) -> None:
    answer = li_post(sandbox, **{missing: None})
    assert answer.status_code == 422
    assert answer.json()["status"] == 422
    assert f"/{missing} ::" in answer.json()["message"]
    assert sandbox.posts("linkedin") == []


def test_linkedin_rejects_a_bad_author(sandbox: Sandbox) -> None:
    answer = li_post(sandbox, author="urn:li:company:1")
    assert answer.status_code == 422
    assert "/author" in answer.json()["message"]


def _li_image(sandbox: Sandbox, *, upload: bytes | None = b"\x89PNG image bytes") -> str:
    init = requests.post(
        sandbox.url + "/rest/images",
        params={"action": "initializeUpload"},
        json={"initializeUploadRequest": {"owner": AUTHOR}},
        headers=li_headers(),
        timeout=5,
    )
    assert init.status_code == 200
    value = init.json()["value"]
    assert value["uploadUrl"].startswith(sandbox.url + "/linkedin-upload/")
    assert value["uploadUrlExpiresAt"] > time.time() * 1000
    if upload is not None:
        put = requests.put(
            value["uploadUrl"],
            data=upload,
            headers={"Authorization": f"Bearer {LINKEDIN_TOKEN}", "Content-Type": "image/png"},
            timeout=5,
        )
        assert put.status_code == 201
    return str(value["image"])


def test_linkedin_image_upload_then_post(sandbox: Sandbox) -> None:
    image = _li_image(sandbox)
    assert image.startswith("urn:li:image:")
    answer = li_post(sandbox, "With image", content={"media": {"id": image, "title": "Cover"}})
    assert answer.status_code == 201
    thumb = _li_image(sandbox, upload=b"x" * 2048)
    article = {"source": "https://ex.com/a", "title": "A", "thumbnail": thumb}
    assert li_post(sandbox, "Article", content={"article": article}).status_code == 201
    first, second = sandbox.posts("linkedin")
    assert first["media"] == [
        {"id": image, "content_type": "image/png", "size": len(b"\x89PNG image bytes")}
    ]
    assert second["media"][0]["id"] == thumb
    assert second["media"][0]["size"] == 2048


def test_linkedin_post_needs_an_uploaded_image(sandbox: Sandbox) -> None:
    never_uploaded = _li_image(sandbox, upload=None)
    for urn in (never_uploaded, "urn:li:image:D4E10AQHunknown"):
        answer = li_post(sandbox, "x", content={"media": {"id": urn}})
        assert answer.status_code == 400
        assert urn in answer.json()["message"]
    assert sandbox.posts("linkedin") == []


def test_linkedin_upload_needs_the_token(sandbox: Sandbox) -> None:
    init = requests.post(
        sandbox.url + "/rest/images?action=initializeUpload",
        json={"initializeUploadRequest": {"owner": AUTHOR}},
        headers=li_headers(),
        timeout=5,
    ).json()["value"]
    assert requests.put(init["uploadUrl"], data=b"img", timeout=5).status_code == 401


# bit.ly -------------------------------------------------------------------------------


def test_bitly_shortens_deterministically(sandbox: Sandbox) -> None:
    first = bitly_shorten(sandbox, "https://example.com/article")
    assert first.status_code == 201
    body = first.json()
    assert body["link"] == "https://" + body["id"]
    assert body["id"].startswith("bit.ly/")
    assert body["long_url"] == "https://example.com/article"
    assert "created_at" in body
    again = bitly_shorten(sandbox, "https://example.com/article")
    assert again.status_code == 200
    assert again.json()["link"] == body["link"]
    other = bitly_shorten(sandbox, "https://example.com/other")
    assert other.json()["link"] != body["link"]
    with start_sandbox() as fresh:
        assert bitly_shorten(fresh, "https://example.com/article").json()["id"] == body["id"]
    assert [p["id"] for p in sandbox.posts("bitly")] == [body["id"], other.json()["id"]]


def test_bitly_through_crosspost_s_client(sandbox: Sandbox) -> None:
    from crosspost.bitly import Bitly

    with Bitly(BITLY_TOKEN, api_url=sandbox.url) as bitly:
        link, bitlink = bitly.shorten("https://example.com/p")
        assert link.startswith("https://bit.ly/") and bitlink == link.removeprefix("https://")
        sandbox.set_clicks(bitlink, 7)
        assert bitly.clicks(bitlink) == 7
        # A branded domain and a group reach bit.ly (pyshorteners sent neither).
        branded, _ = bitly.shorten("https://example.com/q", domain="go.ebs.fr", group_guid="Bx1")
    assert branded.startswith("https://go.ebs.fr/")
    assert sandbox.requests("bitly")[-1]["body"] == {
        "long_url": "https://example.com/q",
        "domain": "go.ebs.fr",
        "group_guid": "Bx1",
    }


def test_bitly_needs_a_token(sandbox: Sandbox) -> None:
    answer = bitly_shorten(sandbox, "https://example.com/a", token=None)
    assert answer.status_code == 403
    assert answer.json()["message"] == "FORBIDDEN"
    assert "description" in answer.json()


def test_bitly_click_summary(sandbox: Sandbox) -> None:
    bitlink = bitly_shorten(sandbox, "https://example.com/a").json()["id"]
    headers = {"Authorization": f"Bearer {BITLY_TOKEN}"}
    url = f"{sandbox.url}/v4/bitlinks/{bitlink}/clicks/summary"
    zero = requests.get(url, headers=headers, timeout=5)
    assert zero.status_code == 200
    assert zero.json()["total_clicks"] == 0
    sandbox.set_clicks(bitlink, 12)
    answer = requests.get(url, params={"unit": "day", "units": -1}, headers=headers, timeout=5)
    assert answer.json()["total_clicks"] == 12
    assert answer.json()["unit"] == "day"
    assert answer.json()["units"] == -1
    assert "unit_reference" in answer.json()
    missing = requests.get(
        f"{sandbox.url}/v4/bitlinks/bit.ly/nope000/clicks/summary", headers=headers, timeout=5
    )
    assert missing.status_code == 404
    assert missing.json()["message"] == "NOT_FOUND"


# Faults -------------------------------------------------------------------------------


POSTERS = {
    "twitter": lambda sb, text, timeout=5: tweet(sb, text, timeout=timeout),
    "facebook": lambda sb, text, timeout=5: fb_feed(sb, text, timeout=timeout),
    "linkedin": lambda sb, text, timeout=5: li_post(sb, text, timeout=timeout),
    "bitly": lambda sb, text, timeout=5: bitly_shorten(
        sb, f"https://example.com/{text.replace(' ', '-')}", timeout=timeout
    ),
}


def test_x_429_carries_the_reset_time(sandbox: Sandbox) -> None:
    sandbox.fault("twitter", status=429, reset_in=120)
    client = x_client(sandbox)
    with pytest.raises(tweepy.TooManyRequests) as raised:
        client.create_tweet(text="too soon", user_auth=True)
    headers = raised.value.response.headers
    assert headers["x-rate-limit-remaining"] == "0"
    assert abs(int(headers["x-rate-limit-reset"]) - (time.time() + 120)) < 5
    assert raised.value.response.json()["status"] == 429
    client.create_tweet(text="too soon", user_auth=True)  # the fault is used up
    assert [p["text"] for p in sandbox.posts("twitter")] == ["too soon"]


@pytest.mark.parametrize(("code", "usage_header"), [(32, "x-business-use-case-usage"), (4, None)])
def test_facebook_rate_limit_is_a_graph_error_with_usage_headers(
    sandbox: Sandbox, code: int, usage_header: str | None
) -> None:
    if code == 32:
        sandbox.fault("facebook", status=429, reset_in=150)
    else:
        sandbox.fault("facebook", status=429, reset_in=150, code=code)
    error = fb_feed(sandbox, "hi").json()["error"]
    assert error["code"] == code
    assert f"(#{code})" in error["message"]
    sandbox.fault("facebook", status=429, reset_in=150, code=code)
    answer = fb_feed(sandbox)
    assert answer.status_code == 400
    assert answer.headers["Content-Type"] == "application/json"
    usage = json.loads(answer.headers["x-business-use-case-usage"])
    [entry] = usage[PAGE_ID]
    assert entry["type"] == "pages"
    assert entry["estimated_time_to_regain_access"] == math.ceil(150 / 60)
    app_usage = json.loads(answer.headers["x-app-usage"])
    assert app_usage["call_count"] == (100 if code == 4 else 10)
    assert sandbox.posts("facebook") == []


@pytest.mark.parametrize("network", ["linkedin", "bitly"])
def test_linkedin_and_bitly_429_say_when_to_retry(sandbox: Sandbox, network: str) -> None:
    sandbox.fault(network, status=429, reset_in=42)
    answer = POSTERS[network](sandbox, "limited")
    assert answer.status_code == 429
    assert answer.headers["retry-after"] == "42"
    body = answer.json()
    if network == "linkedin":
        assert body["status"] == 429
        assert body["code"] == "TOO_MANY_REQUESTS"
    else:
        assert body["message"] == "RATE_LIMIT_EXCEEDED"
    assert sandbox.posts(network) == []
    assert POSTERS[network](sandbox, "limited").status_code in {200, 201}


# What each network answers for a faulted status, in its own shape.
EXPECTED_FAULTS: dict[tuple[str, int], tuple[int, Any]] = {
    ("twitter", 401): (401, lambda b: b["title"] == "Unauthorized"),
    ("twitter", 500): (500, lambda b: b["status"] == 500 and "title" in b),
    ("twitter", 503): (503, lambda b: b["status"] == 503 and "title" in b),
    ("facebook", 401): (400, lambda b: b["error"]["code"] == 190),
    ("facebook", 500): (500, lambda b: b["error"]["code"] == 1 and b["error"]["is_transient"]),
    ("facebook", 503): (503, lambda b: b["error"]["code"] == 2 and b["error"]["is_transient"]),
    ("linkedin", 401): (401, lambda b: b["code"] == "INVALID_ACCESS_TOKEN"),
    ("linkedin", 500): (500, lambda b: b["status"] == 500 and b["message"]),
    ("linkedin", 503): (503, lambda b: b["status"] == 503 and b["message"]),
    ("bitly", 401): (403, lambda b: b["message"] == "FORBIDDEN"),
    ("bitly", 500): (500, lambda b: b["message"] == "INTERNAL_ERROR"),
    ("bitly", 503): (503, lambda b: b["message"] == "TEMPORARILY_UNAVAILABLE"),
}


@pytest.mark.parametrize(("network", "status"), sorted(EXPECTED_FAULTS))
def test_faults_answer_in_the_network_shape_then_clear(
    sandbox: Sandbox, network: str, status: int
) -> None:
    expected_status, body_ok = EXPECTED_FAULTS[(network, status)]
    sandbox.fault(network, status=status, count=2)
    for attempt in ("first try", "second try"):
        answer = POSTERS[network](sandbox, attempt)
        assert answer.status_code == expected_status
        assert answer.headers["Content-Type"] == "application/json"
        assert body_ok(answer.json())
    assert sandbox.posts(network) == []
    assert POSTERS[network](sandbox, "third try").status_code in {200, 201}
    assert len(sandbox.posts(network)) == 1


def test_facebook_auth_fault_says_the_token_expired(sandbox: Sandbox) -> None:
    sandbox.fault("facebook", status=401)
    error = fb_feed(sandbox, "hi").json()["error"]
    assert error["code"] == 190
    assert error["error_subcode"] == 463


def test_faults_queue_in_order(sandbox: Sandbox) -> None:
    sandbox.fault("linkedin", status=503)
    sandbox.fault("linkedin", status=429)
    assert [li_post(sandbox, f"try {n}").status_code for n in range(3)] == [503, 429, 201]


def test_faults_skip_read_endpoints(sandbox: Sandbox) -> None:
    bitlink = bitly_shorten(sandbox, "https://example.com/a").json()["id"]
    sandbox.fault("bitly", status=500)
    clicks = requests.get(
        f"{sandbox.url}/v4/bitlinks/{bitlink}/clicks/summary",
        headers={"Authorization": f"Bearer {BITLY_TOKEN}"},
        timeout=5,
    )
    assert clicks.status_code == 200
    assert bitly_shorten(sandbox, "https://example.com/b").status_code == 500


def test_faults_stay_on_their_network(sandbox: Sandbox) -> None:
    sandbox.fault("twitter", status=503)
    assert li_post(sandbox).status_code == 201
    assert tweet(sandbox, "now it fails").status_code == 503


@pytest.mark.parametrize("network", sorted(POSTERS))
def test_delay_creates_the_post_but_answers_too_late(sandbox: Sandbox, network: str) -> None:
    sandbox.fault(network, delay=0.5)
    with pytest.raises(requests.Timeout):
        POSTERS[network](sandbox, "slow one", timeout=0.15)
    [post] = sandbox.posts(network)
    assert "slow" in post["text"]
    assert POSTERS[network](sandbox, "fast one").status_code in {200, 201}


def test_x_retry_after_a_timeout_meets_the_duplicate_check(sandbox: Sandbox) -> None:
    sandbox.fault("twitter", delay=0.5)
    with pytest.raises(requests.Timeout):
        x_client(sandbox, timeout=0.15).create_tweet(text="did it go out?", user_auth=True)
    with pytest.raises(tweepy.Forbidden):
        x_client(sandbox).create_tweet(text="did it go out?", user_auth=True)
    assert len(sandbox.posts("twitter")) == 1


def test_latency_applies_to_every_request_until_removed(sandbox: Sandbox) -> None:
    sandbox.latency("facebook", 0.4)
    with pytest.raises(requests.Timeout):
        fb_feed(sandbox, timeout=0.1)
    started = time.monotonic()
    assert fb_feed(sandbox, "second").status_code == 200
    assert time.monotonic() - started >= 0.4
    assert li_post(sandbox, timeout=0.3).status_code == 201  # other networks are unaffected
    sandbox.latency("facebook", 0)
    assert fb_feed(sandbox, "third", timeout=0.3).status_code == 200


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"status": 418},
        {"status": 500, "count": 0},
        {"delay": -1},
        {"status": 429, "code": 99},
    ],
)
def test_fault_arguments_are_checked(sandbox: Sandbox, kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        sandbox.fault("facebook", **kwargs)
    with pytest.raises(ValueError):
        sandbox.fault("myspace", status=500)


# Redaction, page, control, reset ---------------------------------------------------


def _post_everywhere(sandbox: Sandbox) -> None:
    x_client(sandbox).create_tweet(text="Secretless post", user_auth=True)
    fb_feed(sandbox, "Page post")
    li_post(sandbox, "LinkedIn post")
    bitly_shorten(sandbox, "https://example.com/a")
    requests.get(f"{sandbox.url}/v21.0/{PAGE_ID}/feed?access_token={PAGE_TOKEN}", timeout=5)


SECRETS = (
    CONSUMER_KEY,
    CONSUMER_SECRET,
    ACCESS_TOKEN,
    ACCESS_SECRET,
    PAGE_TOKEN,
    LINKEDIN_TOKEN,
    BITLY_TOKEN,
)


def test_requests_are_logged_with_secrets_redacted(sandbox: Sandbox) -> None:
    _post_everywhere(sandbox)
    logged = {n: sandbox.requests(n) for n in ("twitter", "facebook", "linkedin", "bitly")}
    dumped = json.dumps(logged)
    for secret in SECRETS:
        assert secret not in dumped
    [x_request] = logged["twitter"]
    assert x_request["method"] == "POST"
    assert x_request["path"] == "/2/tweets"
    assert x_request["status"] == 201
    assert x_request["body"] == {"text": "Secretless post"}
    assert 'oauth_signature="<redacted>"' in x_request["headers"]["authorization"]
    assert 'oauth_signature_method="HMAC-SHA1"' in x_request["headers"]["authorization"]
    fb_post, fb_get = logged["facebook"]
    assert fb_post["body"]["message"] == "Page post"
    assert fb_post["body"]["access_token"] == "<redacted>"
    assert fb_get["query"]["access_token"] == "<redacted>"
    assert logged["linkedin"][0]["headers"]["authorization"] == "Bearer <redacted>"
    assert logged["bitly"][0]["body"] == {"long_url": "https://example.com/a"}


class _Articles(HTMLParser):
    """Records the text of each <article> with how deeply it is nested."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.texts: list[tuple[int, str]] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "article":
            self.depth += 1
        if tag == "script":
            self.scripts += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "article":
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth and data.strip():
            self.texts.append((self.depth, data.strip()))


def test_page_shows_posts_escaped_and_threaded(sandbox: Sandbox) -> None:
    client = x_client(sandbox)
    parent = client.create_tweet(text="Thread head", user_auth=True).data["id"]
    client.create_tweet(text="Thread reply", in_reply_to_tweet_id=parent, user_auth=True)
    fb_feed(sandbox, '<script>alert("x")</script> & more')
    li_post(sandbox, "Launch (beta) today")
    bitly_shorten(sandbox, "https://example.com/a")
    answer = requests.get(sandbox.url + "/", timeout=5)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/html")
    page = answer.text
    # Jinja's autoescape writes a double quote as &#34; (html.escape wrote &quot;).
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; more" in page
    assert "<script" not in page
    assert "http://" not in page.split("<body>")[0]  # nothing loaded from elsewhere
    parsed = _Articles()
    parsed.feed(page)
    depths = dict((text, depth) for depth, text in parsed.texts)
    assert depths["Thread head"] == 1
    assert depths["Thread reply"] == 2
    # LinkedIn: what readers see, what was lost, and the raw commentary.
    assert depths["Launch"] == 1
    assert "(beta) today" in depths
    assert "Launch (beta) today" in depths
    assert "unescaped “(”" in page
    assert "https://bit.ly/" in page
    for secret in SECRETS:
        assert secret not in page


def test_page_auto_refresh_is_opt_in(sandbox: Sandbox) -> None:
    assert 'http-equiv="refresh"' not in requests.get(sandbox.url + "/", timeout=5).text
    page = requests.get(sandbox.url + "/?refresh=5", timeout=5).text
    assert '<meta http-equiv="refresh" content="5">' in page


def test_http_control_api(sandbox: Sandbox) -> None:
    control = sandbox.url + "/_sandbox"
    fault = {"network": "linkedin", "status": 503, "count": 1, "reset_in": 10}
    assert requests.post(control + "/faults", json=fault, timeout=5).status_code == 201
    state = requests.get(control + "/state", timeout=5).json()
    assert state["faults"]["linkedin"][0]["status"] == 503
    assert li_post(sandbox).status_code == 503
    assert li_post(sandbox, "ok now").status_code == 201
    delay = {"network": "bitly", "delay": 0.4}
    assert requests.post(control + "/faults", json=delay, timeout=5).status_code == 201
    with pytest.raises(requests.Timeout):
        bitly_shorten(sandbox, "https://example.com/late", timeout=0.1)
    requests.post(control + "/latency", json={"network": "twitter", "seconds": 0.4}, timeout=5)
    with pytest.raises(requests.Timeout):
        tweet(sandbox, "slow", timeout=0.1)
    requests.post(control + "/latency", json={"network": "twitter", "seconds": 0}, timeout=5)
    bitlink = sandbox.posts("bitly")[0]["id"]
    clicks = {"id": bitlink, "clicks": 12}
    assert requests.post(control + "/clicks", json=clicks, timeout=5).status_code == 200
    state = requests.get(control + "/state", timeout=5).json()
    assert [p["text"] for p in state["posts"]["linkedin"]] == ["ok now"]
    assert state["requests"]["linkedin"] == 2
    assert state["clicks"][bitlink] == 12
    assert state["latency"]["twitter"] == 0
    logged = requests.get(control + "/requests/linkedin", timeout=5).json()["requests"]
    assert [r["status"] for r in logged] == [503, 201]
    assert requests.post(control + "/reset", timeout=5).status_code == 200
    state = requests.get(control + "/state", timeout=5).json()
    assert all(posts == [] for posts in state["posts"].values())
    assert set(state["requests"].values()) == {0}


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/faults", {"network": "myspace", "status": 500}),
        ("/faults", {"network": "twitter", "status": 418}),
        ("/latency", {"network": "twitter", "seconds": -1}),
        ("/clicks", {"clicks": 3}),
    ],
)
def test_http_control_api_rejects_bad_input(
    sandbox: Sandbox, path: str, body: dict[str, Any]
) -> None:
    answer = requests.post(sandbox.url + "/_sandbox" + path, json=body, timeout=5)
    assert answer.status_code == 400
    assert "error" in answer.json()


def test_reset_forgets_everything(sandbox: Sandbox) -> None:
    _post_everywhere(sandbox)
    image = _li_image(sandbox)
    sandbox.fault("twitter", status=500)
    sandbox.latency("linkedin", 5)
    sandbox.reset()
    for network in ("twitter", "facebook", "linkedin", "bitly"):
        assert sandbox.posts(network) == []
        assert sandbox.requests(network) == []
    # No fault, no latency, no duplicate memory, no uploaded image survive.
    assert tweet(sandbox, "Secretless post").status_code == 201
    assert li_post(sandbox, "x", content={"media": {"id": image}}, timeout=2).status_code == 400
    assert bitly_shorten(sandbox, "https://example.com/a").status_code == 201
