"""The Mastodon adapter against the sandbox, over real HTTP through Mastodon.py."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from crosspost.errors import (
    AuthFailed,
    ChannelMisconfigured,
    ExitStatus,
    RateLimited,
    Rejected,
    Transient,
    Uncertain,
)
from crosspost.networks import load_networks
from crosspost.networks.base import Outgoing, Receipt
from crosspost.networks.mastodon import MastodonNetwork
from crosspost.networks.mastodon_settings import MastodonSettings, status_length
from crosspost.sandbox import mastodon as mastodon_sandbox

TOKEN = "mstdn-SECRET-token-5f3a9"
KEY = "0123456789abcdef0123456789abcdef"
TIMEOUT = 0.5
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def adapter(sandbox: Any, api_url: str | None = None, **settings: Any) -> MastodonNetwork:
    return MastodonNetwork(
        channel="toots",
        settings=MastodonSettings(**settings),
        credentials={"access_token": TOKEN},
        api_url=api_url or sandbox.url,
        timeout=TIMEOUT,
    )


def outgoing(*parts: str, **fields: Any) -> Outgoing:
    fields.setdefault("key", KEY)
    return Outgoing(channel="toots", parts=parts or ("Hello fediverse",), **fields)


def creates(sandbox: Any) -> list[dict[str, Any]]:
    return [r for r in sandbox.requests("mastodon") if r["path"] == "/api/v1/statuses"]


def sandbox_memory(sandbox: Any) -> dict[str, Any]:
    """The Mastodon sandbox's own settings (the instance's limit, media processing)."""
    return mastodon_sandbox.memory(sandbox._store)


def assert_no_secret(exc: BaseException) -> None:
    assert TOKEN not in f"{exc} {exc!r} {exc.args!r}"


def test_registered_with_what_the_core_needs() -> None:
    cls = load_networks()["mastodon"]
    assert cls is MastodonNetwork
    info = cls.info
    assert (info.max_length, info.link_weight, info.credentials) == (500, 23, ("access_token",))
    assert info.threads and info.images and info.alt_text and info.idempotency
    assert info.api_url_required and info.templates is not None
    assert (info.templates / "mastodon.j2").is_file()


@pytest.mark.parametrize(
    ("text", "length"),
    [
        ("plain words", 11),
        ("read https://blog.example.com/" + "long-path/" * 12 + " now", 5 + 23 + 4),
        ("hi @ada@mastodon.social and @bob", 3 + 4 + 5 + 4),
        ("mail ada@example.org", 20),  # not a mention: after a word character
        ("a bare example.com counts as typed", 34),  # no scheme: Mastodon sees no link
        ("https://example.com/@ada@mastodon.social", 23),  # the mention is inside the URL
        # Grapheme clusters, as Mastodon counts: a family, a flag, a skin tone, e + accent.
        ("👨\u200d👩\u200d👧\u200d👦 🇫🇷 👍🏽 e\u0301", 7),
    ],
)
def test_length_counts_as_mastodon_does(text: str, length: int) -> None:
    assert status_length(text) == length


def test_status_request_and_receipt(sandbox: Any) -> None:
    receipt = adapter(sandbox, visibility="unlisted").send(
        outgoing=outgoing("Bonjour le fédivers", lang="fr")
    )
    (post,) = sandbox.posts("mastodon")
    assert receipt == Receipt(
        remote_id=post["id"], url=post["url"], part_ids=(post["id"],), warnings=()
    )
    assert post["url"] == f"{sandbox.url}/@crosspost/{post['id']}"
    instance, create = sandbox.requests("mastodon")
    assert (instance["method"], instance["path"]) == ("GET", "/api/v2/instance/")
    assert (create["method"], create["path"], create["status"]) == ("POST", "/api/v1/statuses", 200)
    headers = create["headers"]
    assert headers["authorization"] == "Bearer <redacted>"
    assert headers["idempotency-key"] == KEY
    assert headers["content-type"] == "application/x-www-form-urlencoded"
    assert create["body"] == {
        "status": "Bonjour le fédivers",
        "sensitive": "0",
        "visibility": "unlisted",
        "language": "fr",
    }


def test_a_thread_replies_part_to_part_with_a_key_each(sandbox: Any) -> None:
    seen: list[tuple[int, str]] = []
    receipt = adapter(sandbox).send(
        outgoing=outgoing("one 1/3", "two 2/3", "three 3/3"),
        on_part=lambda index, remote: seen.append((index, remote)),
    )
    posts = sandbox.posts("mastodon")
    ids = tuple(p["id"] for p in posts)
    assert receipt.part_ids == ids and receipt.remote_id == ids[0]
    assert seen == list(enumerate(ids))
    assert [p["reply_to"] for p in posts] == [None, ids[0], ids[1]]
    keys = [r["headers"]["idempotency-key"] for r in creates(sandbox)]
    assert keys == [KEY, f"{KEY}-1", f"{KEY}-2"]
    assert [r["body"].get("in_reply_to_id") for r in creates(sandbox)] == [None, *ids[:2]]


def test_a_thread_resumes_after_the_parts_already_sent(sandbox: Any) -> None:
    network = adapter(sandbox)
    first = network.send(outgoing=outgoing("one 1/2"))
    receipt = adapter(sandbox).send(
        outgoing=outgoing("one 1/2", "two 2/2", sent_parts=first.part_ids)
    )
    posts = sandbox.posts("mastodon")
    assert [p["text"] for p in posts] == ["one 1/2", "two 2/2"]
    assert posts[1]["reply_to"] == first.remote_id
    assert receipt.part_ids == (first.remote_id, posts[1]["id"])
    assert receipt.url == first.url  # the thread's address is its first part's
    assert creates(sandbox)[-1]["headers"]["idempotency-key"] == f"{KEY}-1"


def test_image_with_alt_text_waits_for_processing(sandbox: Any, tmp_path: Path) -> None:
    image = tmp_path / "chart.png"
    image.write_bytes(PNG)
    adapter(sandbox).send(
        outgoing=outgoing("Look", image_path=image, image_alt="A chart of visits")
    )
    upload, poll, create = [r for r in sandbox.requests("mastodon") if "instance" not in r["path"]]
    assert (upload["method"], upload["path"], upload["status"]) == ("POST", "/api/v2/media", 202)
    assert upload["body"]["description"] == "A chart of visits"
    assert upload["body"]["file"] == {
        "filename": "chart.png",
        "content_type": "image/png",
        "size": len(PNG),
    }
    media_id = poll["path"].rsplit("/", 1)[1]
    assert (poll["method"], poll["path"], poll["status"]) == (
        "GET",
        f"/api/v1/media/{media_id}",
        200,
    )
    assert create["body"]["media_ids[]"] == media_id
    (post,) = sandbox.posts("mastodon")
    assert [m["description"] for m in post["media"]] == ["A chart of visits"]
    # Mastodon.py's own version probe (GET /api/v1/instance) never ran.
    assert [r["path"] for r in sandbox.requests("mastodon")].count("/api/v2/instance/") == 1
    assert "/api/v1/instance/" not in [r["path"] for r in sandbox.requests("mastodon")]


def test_an_image_still_processing_at_the_timeout_is_transient(
    sandbox: Any, tmp_path: Path
) -> None:
    sandbox_memory(sandbox)["media_polls"] = 10**6  # never done
    image = tmp_path / "big.png"
    image.write_bytes(PNG)
    with pytest.raises(Transient, match="still processing"):
        adapter(sandbox).send(outgoing=outgoing("Look", image_path=image))
    assert sandbox.posts("mastodon") == [] and creates(sandbox) == []


def test_a_retry_after_a_lost_answer_returns_the_same_status(sandbox: Any) -> None:
    sandbox.fault("mastodon", status=500, created=True)
    with pytest.raises(Uncertain, match="may have been published"):
        adapter(sandbox).send(outgoing=outgoing("Only once"))
    assert len(sandbox.posts("mastodon")) == 1  # the premise: it was made

    receipt = adapter(sandbox).send(outgoing=outgoing("Only once"))

    (post,) = sandbox.posts("mastodon")  # still one: the key found the first
    assert receipt.remote_id == post["id"]
    assert [r["headers"]["idempotency-key"] for r in creates(sandbox)] == [KEY, KEY]


def test_a_part_over_the_instance_limit_is_refused_before_sending(sandbox: Any) -> None:
    sandbox_memory(sandbox)["max_characters"] = 100
    with pytest.raises(Rejected, match=r"at most 100.*`max_length: 100`") as caught:
        adapter(sandbox).send(outgoing=outgoing("short", "x" * 101))
    assert caught.value.channel == "toots"
    assert creates(sandbox) == []  # not even the first part


def test_the_instance_is_read_once_per_adapter(sandbox: Any) -> None:
    network = adapter(sandbox)
    network.send(outgoing=outgoing("one", key="a" * 32))
    network.send(outgoing=outgoing("two", key="b" * 32))
    paths = [r["path"] for r in sandbox.requests("mastodon")]
    assert paths.count("/api/v2/instance/") == 1


def test_the_limit_counts_links_as_mastodon_does(sandbox: Any) -> None:
    """At exactly the limit (long URL counted 23) the sandbox takes it; one more it refuses."""
    link = "https://blog.example.com/" + "a" * 200
    text = "x" * (500 - 24) + " " + link
    assert status_length(text) == 500
    adapter(sandbox).send(outgoing=outgoing(text))
    assert len(sandbox.posts("mastodon")) == 1
    with pytest.raises(Rejected, match="at most 500"):
        adapter(sandbox).send(outgoing=outgoing("y" + text, key="c" * 32))


def test_a_server_limit_lower_than_ours_answers_422(sandbox: Any) -> None:
    """The sandbox's own 422, reached by a text that passed our check (no instance read
    catches a limit changed since)."""
    network = adapter(sandbox)
    network.send(outgoing=outgoing("warm-up"))  # reads the instance: 500
    sandbox_memory(sandbox)["max_characters"] = 10
    with pytest.raises(Rejected, match="Text character limit of 10 exceeded") as caught:
        network.send(outgoing=outgoing("more than ten characters", key="d" * 32))
    assert "HTTP 422" in str(caught.value)


def test_401_is_auth_failed_with_how_to_fix(sandbox: Any) -> None:
    sandbox.fault("mastodon", status=401, echo=True)
    with pytest.raises(AuthFailed, match="access token is invalid") as caught:
        adapter(sandbox).send(outgoing=outgoing())
    assert "New application" in str(caught.value)
    assert "Bearer <redacted>" in str(caught.value) or "request headers" in str(caught.value)
    assert_no_secret(caught.value)


def test_429_is_rate_limited_until_the_iso_reset(sandbox: Any) -> None:
    sandbox.fault("mastodon", status=429, reset_in=240)
    before = datetime.now(UTC)
    with pytest.raises(RateLimited) as caught:
        adapter(sandbox).send(outgoing=outgoing())
    reset_at = caught.value.reset_at
    assert reset_at is not None and reset_at.utcoffset() == timedelta(0)
    assert before + timedelta(seconds=235) <= reset_at <= datetime.now(UTC) + timedelta(seconds=245)
    assert "resets at" in str(caught.value)


def test_500_on_the_status_is_uncertain(sandbox: Any) -> None:
    sandbox.fault("mastodon", status=500, echo=True)
    with pytest.raises(Uncertain, match="HTTP 500") as caught:
        adapter(sandbox).send(outgoing=outgoing())
    assert_no_secret(caught.value)


def test_503_on_the_image_upload_is_transient(sandbox: Any, tmp_path: Path) -> None:
    image = tmp_path / "card.png"
    image.write_bytes(PNG)
    sandbox.fault("mastodon", status=503, echo=True)
    with pytest.raises(Transient, match=r"image upload.*nothing was published") as caught:
        adapter(sandbox).send(outgoing=outgoing("Look", image_path=image))
    assert_no_secret(caught.value)
    assert creates(sandbox) == []


@pytest.mark.parametrize("status", [400, 401, 500])
def test_no_token_in_any_message_when_the_server_echoes_headers(sandbox: Any, status: int) -> None:
    sandbox.fault("mastodon", status=status, echo=True)
    with pytest.raises((AuthFailed, Rejected, Uncertain)) as caught:
        adapter(sandbox).send(outgoing=outgoing())
    assert "request headers" in str(caught.value)  # the premise: the echo reached it
    assert_no_secret(caught.value)


def test_a_timeout_after_sending_is_uncertain(sandbox: Any) -> None:
    sandbox.fault("mastodon", delay=TIMEOUT * 4)
    with pytest.raises(Uncertain, match=r"did not answer within 0.5 s"):
        adapter(sandbox).send(outgoing=outgoing())
    assert len(sandbox.posts("mastodon")) == 1  # it was made all the same


def test_a_refused_connection_is_transient() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    network = MastodonNetwork(
        channel="toots",
        settings=None,
        credentials={"access_token": TOKEN},
        api_url=f"http://127.0.0.1:{port}",
        timeout=TIMEOUT,
    )
    with pytest.raises(Transient, match="could not be reached") as caught:
        network.send(outgoing=outgoing())
    assert_no_secret(caught.value)


class _Blog(BaseHTTPRequestHandler):
    """A web site that is not a Mastodon instance: HTML for every address."""

    status = 200

    def do_GET(self) -> None:
        body = b"<!doctype html><html><body><h1>My blog</h1></body></html>"
        self.send_response(self.status)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        return


class _MissingBlog(_Blog):
    status = 404


@pytest.fixture(params=[_Blog, _MissingBlog], ids=["html-200", "html-404"])
def blog(request: pytest.FixtureRequest) -> Iterator[tuple[str, list[str]]]:
    seen: list[str] = []

    class Handler(request.param):  # type: ignore[misc,name-defined]
        def do_GET(self) -> None:
            seen.append(f"{self.command} {self.path}")
            super().do_GET()

        do_POST = do_GET

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def test_an_api_url_that_is_no_instance_is_misconfigured(
    sandbox: Any, blog: tuple[str, list[str]]
) -> None:
    url, seen = blog
    with pytest.raises(ChannelMisconfigured, match="is not a Mastodon instance") as caught:
        adapter(sandbox, api_url=url).send(outgoing=outgoing())
    assert caught.value.kind == "config" and caught.value.exit_code == ExitStatus.BAD_INPUT
    assert "`api_url:`" in str(caught.value) and "toots" in str(caught.value)
    assert seen == ["GET /api/v2/instance/", "GET /api/v1/instance/"]  # no POST left


def test_check_credentials_names_the_account(sandbox: Any) -> None:
    check = adapter(sandbox).check_credentials()
    host = sandbox.url.split("://")[1]
    assert (check.ok, check.account) == (True, f"@crosspost@{host}")
    sandbox.fault("mastodon", status=401, reads=True, echo=True)
    refused = adapter(sandbox).check_credentials()
    assert (refused.ok, refused.account) == (False, None)
    assert "access token is invalid" in refused.detail and TOKEN not in refused.detail
