"""Network adapters: contract, settings, escaping, and error paths the sandbox cannot produce.

Everything here runs over real HTTP on loopback, through the real client
libraries, against a tiny canned-answer server; the sandbox-backed tests live
in test_networks_<network>.py.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import unquote

import pytest
from pydantic import ValidationError

from crosspost.errors import (
    AuthFailed,
    CredentialError,
    Duplicate,
    RateLimited,
    Rejected,
    Transient,
    Uncertain,
)
from crosspost.networks import load_networks
from crosspost.networks.base import Answer, NetworkInfo, Outgoing
from crosspost.networks.facebook import FacebookNetwork, FacebookSettings
from crosspost.networks.linkedin import LinkedInNetwork, LinkedInSettings, token_expiry_warning
from crosspost.networks.little import escape_little, unescape_little
from crosspost.networks.manual import ManualNetwork, ManualSettings
from crosspost.networks.twitter import TwitterNetwork

X_KEYS = {
    "consumer_key": "ck-SECRET-consumer-key",
    "consumer_secret": "cs-SECRET-consumer-secret",
    "access_token": "at-SECRET-access-token",
    "access_token_secret": "ats-SECRET-token-secret",
}
FB_TOKEN = "EAAB-SECRET-page-token"
LI_TOKEN = "AQV-SECRET-linkedin-token"
SECRETS = [*X_KEYS.values(), FB_TOKEN, LI_TOKEN]
TIMEOUT = 0.5


def assert_no_secret(exc: BaseException) -> None:
    text = f"{exc} {exc!r} {exc.args!r}"
    for secret in SECRETS:
        assert secret not in text


# A canned-answer HTTP server ----------------------------------------------------


class Canned:
    """Answers each request with the next canned reply (the last one repeats)."""

    def __init__(self, replies: list[tuple[int, dict[str, str], bytes | str | dict[str, Any]]]):
        self.replies = list(replies)
        self.requests: list[dict[str, Any]] = []
        canned = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                canned.requests.append(
                    {
                        "method": self.command,
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": body,
                    }
                )
                status, headers, payload = (
                    canned.replies.pop(0) if len(canned.replies) > 1 else canned.replies[0]
                )
                if isinstance(payload, dict):
                    payload = json.dumps(payload)
                    headers = {"Content-Type": "application/json", **headers}
                data = payload.encode() if isinstance(payload, str) else payload
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_POST = do_PUT = do_GET = _answer

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def canned() -> Iterator[Any]:
    servers: list[Canned] = []

    def start(*replies: tuple[int, dict[str, str], bytes | str | dict[str, Any]]) -> Canned:
        server = Canned(list(replies))
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def closed_port_url() -> str:
    """A loopback URL nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def twitter(api_url: str) -> TwitterNetwork:
    return TwitterNetwork(
        channel="x-main", settings=None, credentials=X_KEYS, api_url=api_url, timeout=TIMEOUT
    )


def facebook(api_url: str) -> FacebookNetwork:
    return FacebookNetwork(
        channel="fb-page",
        settings=FacebookSettings(page_id="1234567890"),
        credentials={"page_token": FB_TOKEN},
        api_url=api_url,
        timeout=TIMEOUT,
    )


def linkedin(api_url: str) -> LinkedInNetwork:
    return LinkedInNetwork(
        channel="li-me",
        settings=LinkedInSettings(author="urn:li:person:abc123"),
        credentials={"access_token": LI_TOKEN},
        api_url=api_url,
        timeout=TIMEOUT,
    )


POST = Outgoing(channel="c", parts=("Hello world",))


# Contract and registry ------------------------------------------------------------


def test_adapter_modules_import_without_client_libraries() -> None:
    code = (
        "import sys\n"
        "import crosspost.networks.twitter, crosspost.networks.facebook\n"
        "import crosspost.networks.linkedin, crosspost.networks.manual\n"
        "import crosspost.networks.mastodon, crosspost.networks.bluesky\n"
        "print(sorted(m for m in ('tweepy', 'pyfacebook', 'requests', 'urllib3', 'mastodon',"
        " 'atproto', 'atproto_client', 'httpx') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_builtin_networks_register_through_entry_points() -> None:
    networks = load_networks()
    assert networks["twitter"] is TwitterNetwork
    assert networks["facebook"] is FacebookNetwork
    assert networks["linkedin"] is LinkedInNetwork
    assert networks["manual"] is ManualNetwork
    for cls in (TwitterNetwork, FacebookNetwork, LinkedInNetwork, ManualNetwork):
        assert isinstance(cls.info, NetworkInfo)


def test_network_info() -> None:
    x = TwitterNetwork.info
    assert (x.max_length, x.link_weight, x.threads) == (280, 23, True)
    assert x.length("café https://example.com/a/very/long/path 😀") == 5 + 23 + 1 + 2
    assert x.credentials == (
        "consumer_key",
        "consumer_secret",
        "access_token",
        "access_token_secret",
    )
    assert x.default_api_url == "https://api.x.com"
    assert FacebookNetwork.info.max_length == 63206
    assert FacebookNetwork.info.credentials == ("page_token",)
    assert FacebookNetwork.info.default_api_url == "https://graph.facebook.com"
    assert LinkedInNetwork.info.max_length == 3000
    assert LinkedInNetwork.info.credentials == ("access_token",)
    assert LinkedInNetwork.info.default_api_url == "https://api.linkedin.com"
    manual = ManualNetwork.info
    assert (manual.manual, manual.credentials, manual.max_length) == (True, (), 3000)


# Settings -----------------------------------------------------------------------


def test_facebook_settings() -> None:
    settings = FacebookSettings.model_validate({"page_id": 104123456789012})
    assert settings.page_id == "104123456789012"
    assert settings.graph_version == "v26.0"
    with pytest.raises(ValidationError, match="numeric id"):
        FacebookSettings.model_validate({"page_id": "my-page"})
    with pytest.raises(ValidationError, match=r"must look like v26\.0"):
        FacebookSettings.model_validate({"page_id": "1", "graph_version": "26.0"})
    with pytest.raises(ValidationError, match="Extra inputs"):
        FacebookSettings.model_validate({"page_id": "1", "page_name": "x"})
    with pytest.raises(ValidationError):
        settings.page_id = "2"  # type: ignore[misc]


def test_linkedin_settings() -> None:
    person = LinkedInSettings.model_validate({"author": "urn:li:person:AbC-12_x"})
    assert (person.linkedin_version, person.visibility, person.token_expires) == (
        "202607",  # the newest version LinkedIn's documentation confirms (issue 10)
        "PUBLIC",
        None,
    )
    org = LinkedInSettings.model_validate(
        {
            "author": "urn:li:organization:2414183",
            "linkedin_version": 202609,
            "visibility": "connections",
            "token_expires": "2027-01-15",
        }
    )
    assert (org.linkedin_version, org.visibility) == ("202609", "CONNECTIONS")
    assert org.token_expires == date(2027, 1, 15)
    with pytest.raises(ValidationError, match=r"urn:li:organization:<digits>"):
        LinkedInSettings.model_validate({"author": "urn:li:organization:acme"})
    with pytest.raises(ValidationError, match="YYYYMM"):
        LinkedInSettings.model_validate(
            {"author": "urn:li:person:a", "linkedin_version": "2026-10"}
        )
    with pytest.raises(ValidationError, match="YYYYMM"):
        LinkedInSettings.model_validate({"author": "urn:li:person:a", "linkedin_version": "202613"})
    with pytest.raises(ValidationError, match=r"PUBLIC .* or CONNECTIONS"):
        LinkedInSettings.model_validate({"author": "urn:li:person:a", "visibility": "FRIENDS"})
    with pytest.raises(ValidationError, match="Extra inputs"):
        LinkedInSettings.model_validate({"author": "urn:li:person:a", "token": "x"})


def test_linkedin_token_expiry_warning() -> None:
    today = date(2026, 11, 26)

    def warn(expires: date | None) -> str | None:
        settings = LinkedInSettings(author="urn:li:person:a", token_expires=expires)
        return token_expiry_warning(settings, channel="li-me", today=today)

    assert warn(None) is None
    assert warn(today + timedelta(days=8)) is None
    soon = warn(today + timedelta(days=7))
    assert soon is not None and "'li-me'" in soon and "in 7 days" in soon
    assert "access_token" in soon and "token_expires" in soon
    assert "expires today" in (warn(today) or "")
    gone = warn(today - timedelta(days=1))
    assert gone is not None and "expired on 2026-11-25" in gone
    network = linkedin("http://127.0.0.1:1")  # no token_expires set: nothing to say
    assert LinkedInNetwork.token_warning(network.settings, channel="li-me") is None


def test_manual_settings_and_send() -> None:
    settings = ManualSettings.model_validate(
        {"site": "Xing", "url": "https://www.xing.com/communities", "instructions": "Group X"}
    )
    assert settings.site == "Xing"
    with pytest.raises(ValidationError, match="https://"):
        ManualSettings.model_validate({"url": "xing.com/groups"})
    with pytest.raises(ValidationError, match="Extra inputs"):
        ManualSettings.model_validate({"token": "x"})
    network = ManualNetwork(
        channel="xing", settings=settings, credentials={}, api_url=None, timeout=5
    )
    with pytest.raises(Rejected, match="crosspost done") as caught:
        network.send(outgoing=POST)
    assert caught.value.channel == "xing"


# LinkedIn's little text format ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("Plain text, nothing to do.", "Plain text, nothing to do."),
        ("Costs (2026) [draft]", r"Costs \(2026\) \[draft\]"),
        ("snake_case and *bold* ~ok~", r"snake\_case and \*bold\* \~ok\~"),
        ("a|b {c} <d> @e \\f", r"a\|b \{c\} \<d\> \@e \\f"),
        ("We're #1 in C#", r"We're \#1 in C\#"),
        ("#Python at the start", "#Python at the start"),
        ("Tags: #open_source #AI2026", "Tags: #open_source #AI2026"),
        ("issue#42 and (#tag)", r"issue\#42 and \(\#tag\)"),
        (
            "Read https://en.wikipedia.org/wiki/Foo_(bar) now",
            "Read https://en.wikipedia.org/wiki/Foo_(bar) now",
        ),
        (
            "See (https://example.com/a_b?x=[1]#frag) *now*",
            r"See \(https://example.com/a_b?x=[1]#frag) \*now\*",
        ),
    ],
)
def test_escape_little(text: str, escaped: str) -> None:
    assert escape_little(text) == escaped
    assert unescape_little(escaped) == text  # a listing's commentary reads back as written


def test_unescape_little_keeps_urls_and_hashtags_as_they_stand() -> None:
    # A URL is never escaped on the way out, so a backslash in one is the URL's own.
    assert unescape_little(r"See https://example.com/a\_b \#1 #tag") == (
        r"See https://example.com/a\_b #1 #tag"
    )
    assert unescape_little(r"not an escape: \x") == r"not an escape: \x"


def test_escape_little_shows_every_reserved_character_as_written() -> None:
    from crosspost.sandbox.little import publish

    text = "All of \\ | { } @ [ ] ( ) < > # * _ ~ in one line"
    escaped = escape_little(text)
    assert publish(escaped).text == text
    assert not publish(escaped).truncated


# X: reset times and request signing ----------------------------------------------------


def test_x_reset_time_is_the_exhausted_daily_cap() -> None:
    from crosspost.networks.twitter import _reset_at

    window, day = 1_900_000_000, 1_900_050_000
    headers = {
        "x-rate-limit-remaining": "0",
        "x-rate-limit-reset": str(window),
        "x-user-limit-24hour-remaining": "0",
        "x-user-limit-24hour-reset": str(day),
        "x-app-limit-24hour-remaining": "1200",
        "x-app-limit-24hour-reset": str(day + 500),
    }
    when, which = _reset_at(headers)
    assert when == datetime.fromtimestamp(day, UTC) and when.tzinfo is not None
    assert "24-hour" in which
    headers["x-user-limit-24hour-remaining"] = "3"
    assert _reset_at(headers)[0] == datetime.fromtimestamp(window, UTC)
    headers = {"x-app-limit-24hour-remaining": "0", "x-app-limit-24hour-reset": str(day)}
    assert _reset_at(headers) == (datetime.fromtimestamp(day, UTC), "the app's 24-hour post cap")
    when, _ = _reset_at({"Retry-After": "120"})
    assert timedelta(seconds=110) < when - datetime.now(UTC) <= timedelta(seconds=120)


def test_x_oauth_signature_matches_the_host_actually_contacted(canned: Any) -> None:
    from oauthlib.oauth1.rfc5849 import signature

    server = canned((201, {}, {"data": {"id": "42", "text": "Hello world"}}))
    receipt = twitter(server.url).send(outgoing=POST)
    assert receipt.remote_id == "42"
    (request,) = server.requests
    assert request["path"] == "/2/tweets"
    authorization = request["headers"]["authorization"]
    params = signature.collect_parameters(
        headers={"Authorization": authorization}, exclude_oauth_signature=True
    )
    base = signature.signature_base_string(
        "POST",
        signature.base_string_uri(server.url + request["path"]),
        signature.normalize_parameters(params),
    )
    keys = SimpleNamespace(
        client_secret=X_KEYS["consumer_secret"],
        resource_owner_secret=X_KEYS["access_token_secret"],
    )
    expected = signature.sign_hmac_sha1_with_client(base, keys)
    sent = dict(
        signature.collect_parameters(
            headers={"Authorization": authorization}, exclude_oauth_signature=False
        )
    )
    assert unquote(sent["oauth_signature"]) == expected
    assert X_KEYS["consumer_secret"] not in authorization


# Facebook answers the sandbox does not give -------------------------------------------------


def test_facebook_html_server_error_is_unknown(canned: Any) -> None:
    # A gateway's 502 may come after Graph created the post: it proves nothing.
    server = canned((502, {"Content-Type": "text/html"}, "<html>Bad Gateway</html>"))
    with pytest.raises(Uncertain, match=r"502.*may have been published") as caught:
        facebook(server.url).send(outgoing=POST)
    assert caught.value.channel == "fb-page"
    assert_no_secret(caught.value)


def test_facebook_unreadable_success_is_uncertain(canned: Any) -> None:
    server = canned((200, {"Content-Type": "text/html"}, "<html>ok?</html>"))
    with pytest.raises(Uncertain, match="may have been published"):
        facebook(server.url).send(outgoing=POST)


def test_facebook_policy_block_is_rejected_with_graph_message(canned: Any) -> None:
    error = {"message": "It looks like you were misusing this feature", "code": 368}
    server = canned((400, {}, {"error": {**error, "type": "OAuthException"}}))
    with pytest.raises(Rejected, match="misusing this feature") as caught:
        facebook(server.url).send(outgoing=POST)
    assert "368" in str(caught.value)
    assert not isinstance(caught.value, Duplicate)  # a policy block, not "already posted"


@pytest.mark.parametrize(
    "error",
    [
        {"message": "It looks like you've already posted this.", "code": 368},
        {"message": "Blocked", "error_user_title": "Duplicate Post", "code": 368},
    ],
)
def test_facebook_already_posted_block_is_a_duplicate(canned: Any, error: dict[str, Any]) -> None:
    server = canned((400, {}, {"error": {**error, "type": "OAuthException"}}))
    with pytest.raises(Duplicate, match="already has this post") as caught:
        facebook(server.url).send(outgoing=POST)
    assert "368" in str(caught.value) and caught.value.existing is None


def test_facebook_feed_page_without_data_is_no_answer(canned: Any) -> None:
    # Taken as an empty page, it would end the listing: a false "absent".
    server = canned((200, {}, {"paging": {}}))
    with pytest.raises(Transient, match="no `data`"):
        facebook(server.url).find(outgoing=POST, since=datetime.now(UTC))


def test_facebook_html_error_on_a_read_is_transient(canned: Any) -> None:
    server = canned((502, {"Content-Type": "text/html"}, "<html>Bad Gateway</html>"))
    with pytest.raises(Transient, match=r"502.*nothing was published") as caught:
        facebook(server.url).find(outgoing=POST, since=datetime.now(UTC))
    assert_no_secret(caught.value)


def test_facebook_missing_permission_is_auth(canned: Any) -> None:
    error = {"message": "(#200) Requires pages_manage_posts permission", "code": 200}
    server = canned((403, {}, {"error": error}))
    with pytest.raises(AuthFailed, match="pages_manage_posts"):
        facebook(server.url).send(outgoing=POST)


def test_facebook_token_echoed_by_the_network_is_scrubbed(canned: Any) -> None:
    error = {"message": f"Malformed access token {FB_TOKEN}", "code": 190}
    server = canned((400, {}, {"error": error}))
    with pytest.raises(AuthFailed, match=r"\[redacted\]") as caught:
        facebook(server.url).send(outgoing=POST)
    assert_no_secret(caught.value)
    assert "page_token" in str(caught.value)


def test_facebook_error_in_a_200_answer_is_still_graphs_error(canned: Any) -> None:
    error = {"message": "Error validating access token", "code": 190, "type": "OAuthException"}
    server = canned((200, {}, {"error": error}))
    with pytest.raises(AuthFailed, match="Graph code 190"):
        facebook(server.url).send(outgoing=POST)


def test_facebook_token_travels_in_the_body_or_a_header_never_in_a_url(canned: Any) -> None:
    page = {"data": [], "paging": {"next": f"/v26.0/1234567890/feed?access_token={FB_TOKEN}"}}
    server = canned((200, {}, {"id": "1234567890_1"}), (200, {}, page), (200, {}, {"data": []}))
    facebook(server.url).send(outgoing=POST)
    facebook(server.url).find(outgoing=POST, since=datetime.now(UTC))
    post, *reads = server.requests
    assert len(reads) == 2  # the second page was read, through `paging.next`
    assert all(FB_TOKEN not in r["path"] for r in server.requests)
    assert f"access_token={FB_TOKEN}" in post["body"].decode()
    assert "authorization" not in post["headers"]
    assert all(r["headers"]["authorization"] == f"Bearer {FB_TOKEN}" for r in reads)


def test_facebook_does_not_follow_a_redirect_with_the_token(canned: Any) -> None:
    # A 307 would send the form body, the token in it, wherever it points.
    elsewhere = canned((200, {}, {"id": "1234567890_1"}))
    server = canned((307, {"Location": elsewhere.url + "/v26.0/1234567890/feed"}, b""))
    with pytest.raises(Rejected, match="HTTP 307") as caught:
        facebook(server.url).send(outgoing=POST)
    assert elsewhere.requests == []
    assert_no_secret(caught.value)


def test_facebook_without_a_page_token_names_the_credential(canned: Any, tmp_path: Path) -> None:
    server = canned((200, {}, {"id": "1234567890_1"}))
    network = FacebookNetwork(
        channel="fb-page",
        settings=FacebookSettings(page_id="1234567890"),
        credentials={},
        api_url=server.url,
        timeout=TIMEOUT,
    )
    with pytest.raises(CredentialError, match=r"fb-page.*page_token"):
        network.send(outgoing=POST)
    # Said first, even when the image could not be read either.
    photo = Outgoing(channel="c", parts=("Hello",), image_path=tmp_path / "missing.png")
    with pytest.raises(CredentialError, match="page_token"):
        network.send(outgoing=photo)
    assert server.requests == []


# LinkedIn answers the sandbox does not give -----------------------------------------------


def test_linkedin_429_without_retry_after_waits_for_midnight_utc(canned: Any) -> None:
    server = canned((429, {}, {"status": 429, "message": "Daily limit reached"}))
    with pytest.raises(RateLimited) as caught:
        linkedin(server.url).send(outgoing=POST)
    reset_at = caught.value.reset_at
    assert reset_at is not None and reset_at.tzinfo is not None
    assert reset_at.utcoffset() == timedelta(0)
    assert (reset_at.hour, reset_at.minute) == (0, 0)
    assert timedelta(0) < reset_at - datetime.now(UTC) <= timedelta(days=1)


def test_linkedin_missing_scope_is_auth(canned: Any) -> None:
    body = {"status": 403, "message": "Not enough permissions to access: posts.CREATE"}
    server = canned((403, {}, body))
    with pytest.raises(AuthFailed, match="w_member_social") as caught:
        linkedin(server.url).send(outgoing=POST)
    assert "Not enough permissions" in str(caught.value)


def li_page(*commentaries: str, following: int | None = None) -> dict[str, Any]:
    links = [{"rel": "next", "href": f"/rest/posts?q=author&start={following}"}]
    return {
        "elements": [
            {"id": f"urn:li:share:{n}", "commentary": c, "createdAt": 4_102_444_800_000}
            for n, c in enumerate(commentaries, 1)
        ],
        "paging": {"start": 0, "count": 50, "links": links if following is not None else []},
    }


def test_linkedin_short_page_that_links_onward_is_not_the_end(canned: Any) -> None:
    # LinkedIn may answer fewer elements than `count` with more to come.
    server = canned((200, {}, li_page("Other", following=7)), (200, {}, li_page("Hello world")))
    finding = linkedin(server.url).find(outgoing=POST, since=datetime(2026, 1, 1, tzinfo=UTC))
    assert finding.answer is Answer.FOUND
    assert [r["path"].count("start=7") for r in server.requests] == [0, 1]


def test_linkedin_short_page_without_a_next_link_is_the_end(canned: Any) -> None:
    server = canned((200, {}, li_page("Other")))
    finding = linkedin(server.url).find(outgoing=POST, since=datetime(2026, 1, 1, tzinfo=UTC))
    assert finding.answer is Answer.ABSENT
    assert len(server.requests) == 1


def test_linkedin_page_without_elements_is_no_answer(canned: Any) -> None:
    server = canned((200, {}, {"paging": {"links": []}}))
    with pytest.raises(Transient, match="no `elements`"):
        linkedin(server.url).find(outgoing=POST, since=datetime.now(UTC))


def test_linkedin_201_without_post_id_is_uncertain(canned: Any) -> None:
    server = canned((201, {}, b""))
    with pytest.raises(Uncertain, match="x-restli-id"):
        linkedin(server.url).send(outgoing=POST)


def test_linkedin_never_sends_the_token_to_a_foreign_upload_host(
    canned: Any, tmp_path: Path
) -> None:
    foreign = canned((201, {}, b""))
    answer = {"value": {"uploadUrl": foreign.url + "/upload/abc", "image": "urn:li:image:C1"}}
    api = canned((200, {}, answer), (201, {"x-restli-id": "urn:li:share:1"}, b""))
    image = tmp_path / "card.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 32)
    outgoing = Outgoing(channel="c", parts=("Hello",), image_path=image)
    linkedin(api.url).send(outgoing=outgoing)
    (put,) = foreign.requests
    assert put["method"] == "PUT" and put["body"] == image.read_bytes()
    assert "authorization" not in put["headers"]
    assert all(r["headers"]["authorization"] == f"Bearer {LI_TOKEN}" for r in api.requests)


# No answer at all ---------------------------------------------------------------------


@pytest.mark.parametrize("make", [twitter, facebook, linkedin])
def test_refused_connection_is_transient(make: Any, closed_port_url: str) -> None:
    with pytest.raises(Transient, match="could not be reached") as caught:
        make(closed_port_url).send(outgoing=POST)
    assert_no_secret(caught.value)
