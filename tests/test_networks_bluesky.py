"""The Bluesky adapter against the sandbox PDS, over real HTTP through the atproto SDK."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from crosspost.errors import (
    AuthFailed,
    ChannelMisconfigured,
    ExitStatus,
    RateLimited,
    Rejected,
    Transient,
    Uncertain,
)
from crosspost.networks import bluesky_record as rec
from crosspost.networks.base import Outgoing, Receipt
from crosspost.networks.bluesky import BlueskyNetwork, BlueskySettings

PASSWORD = "abcd-efgh-ijkl-mnop"
HANDLE = "school.bsky.social"
KEY = "0123456789abcdef0123456789abcdef"
CREATED = datetime(2026, 12, 1, 9, 30, 15, 123456, tzinfo=UTC)
TIMEOUT = 0.5
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
TEXT = "Été à l'école 🎉 lisez https://blog.example.com/été-2026 #robotique"


def adapter(
    sandbox: Any, state: Path | None, *, password: str = PASSWORD, handle: str = HANDLE
) -> BlueskyNetwork:
    return BlueskyNetwork(
        channel="bsky",
        settings=BlueskySettings(handle=handle),
        credentials={"app_password": password},
        api_url=sandbox.url,
        timeout=TIMEOUT,
        state_dir=state,
    )


def outgoing(*parts: str, **fields: Any) -> Outgoing:
    values: dict[str, Any] = {"key": KEY, "created_at": CREATED, "lang": "fr", **fields}
    return Outgoing(channel="bsky", parts=parts or (TEXT,), **values)


def send(sandbox: Any, state: Path | None, *parts: str, **fields: Any) -> Receipt:
    return adapter(sandbox, state).send(outgoing=outgoing(*parts, **fields))


def calls(sandbox: Any) -> list[str]:
    """The XRPC methods the sandbox was asked for, in order (controls left out)."""
    names = [r["path"].removeprefix("/xrpc/") for r in sandbox.requests("bluesky")]
    return [n for n in names if not n.startswith("sandbox.")]


def requests_of(sandbox: Any, method: str) -> list[dict[str, Any]]:
    return [r for r in sandbox.requests("bluesky") if r["path"] == f"/xrpc/{method}"]


def expire(sandbox: Any, *, refresh: bool = False) -> None:
    answer = requests.post(
        f"{sandbox.url}/xrpc/sandbox.expireSessions", json={"refresh": refresh}, timeout=5
    )
    assert answer.status_code == 200


def stored(state: Path) -> dict[str, Any]:
    return json.loads((state / "session").read_text())


def assert_no_secret(exc: BaseException, state: Path | None = None) -> None:
    said = f"{exc} {exc!r} {exc.args!r}"
    assert PASSWORD not in said
    assert "eyJ" not in said  # no JWT, ours or any
    if state is not None and (state / "session").exists():
        session = stored(state)
        assert session["access_jwt"] not in said and session["refresh_jwt"] not in said


def byte_range(text: str, part: str) -> dict[str, int]:
    start = text.encode("utf-8").index(part.encode("utf-8"))
    return {"byteStart": start, "byteEnd": start + len(part.encode("utf-8"))}


# The record ------------------------------------------------------------------------


def test_a_post_is_one_login_and_one_create_record(sandbox: Any, tmp_path: Path) -> None:
    receipt = send(sandbox, tmp_path)

    assert calls(sandbox) == ["com.atproto.server.createSession", "com.atproto.repo.createRecord"]
    login, create = sandbox.requests("bluesky")
    assert login["method"] == "POST"
    assert login["body"] == {"identifier": HANDLE, "password": "<redacted>"}
    assert "authorization" not in login["headers"]
    assert create["method"] == "POST"
    assert create["headers"]["authorization"] == "Bearer <redacted>"
    assert create["headers"]["content-type"] == "application/json"
    body = create["body"]
    rkey = rec.record_key(KEY, CREATED, 0)
    (post,) = sandbox.posts("bluesky")
    did = post["id"].split("/")[2]
    assert (body["repo"], body["collection"], body["rkey"]) == (did, "app.bsky.feed.post", rkey)
    record = body["record"]
    assert record["$type"] == "app.bsky.feed.post"
    assert record["text"] == TEXT
    assert record["langs"] == ["fr"]  # never the SDK's default "en"
    assert datetime.fromisoformat(record["createdAt"]).tzinfo is not None
    url = "https://blog.example.com/été-2026"
    assert record["facets"] == [
        {
            "$type": "app.bsky.richtext.facet",
            "features": [{"$type": "app.bsky.richtext.facet#link", "uri": url}],
            "index": {"$type": "app.bsky.richtext.facet#byteSlice", **byte_range(TEXT, url)},
        },
        {
            "$type": "app.bsky.richtext.facet",
            "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "robotique"}],
            "index": {
                "$type": "app.bsky.richtext.facet#byteSlice",
                **byte_range(TEXT, "#robotique"),
            },
        },
    ]
    # The accents and the emoji come before the link: byte offsets, not characters.
    assert byte_range(TEXT, url)["byteStart"] > TEXT.index(url)
    assert "embed" not in record and "reply" not in record
    uri = f"at://{did}/app.bsky.feed.post/{rkey}"
    assert receipt == Receipt(
        remote_id=uri, url=f"https://bsky.app/profile/{HANDLE}/post/{rkey}", part_ids=(uri,)
    )


def test_unknown_language_sends_no_langs(sandbox: Any, tmp_path: Path) -> None:
    send(sandbox, tmp_path, "Hello", lang=None)
    (create,) = requests_of(sandbox, "com.atproto.repo.createRecord")
    assert "langs" not in create["body"]["record"]


def test_record_keys_are_tids_stable_per_delivery_and_part() -> None:
    first = rec.record_key(KEY, CREATED, 0)
    assert rec.is_tid(first) and len(first) == 13
    assert rec.record_key(KEY, CREATED, 0) == first  # a retry: the same key
    assert rec.record_key("f" * 32, CREATED, 0) != first  # another delivery
    second = rec.record_key(KEY, CREATED, 1)
    assert second != first and second > first  # sorts after the first part
    micros = int(CREATED.timestamp()) * 1_000_000 + CREATED.microsecond
    assert rec.decode_tid(first) >> 10 == micros
    assert rec.decode_tid(second) >> 10 == micros + 1
    assert rec.decode_tid(first) & 1023 == rec.decode_tid(second) & 1023  # one clock id
    without = rec.record_key(KEY, None, 0)
    assert rec.is_tid(without) and without == rec.record_key(KEY, None, 0)


def test_length_counts_graphemes_and_links_as_written() -> None:
    count = BlueskyNetwork.info.length
    assert count("👨‍👩‍👧‍👦") == 1  # one family, seven code points
    assert count("e\u0301") == 1  # e + combining accent
    assert count("🇫🇷") == 1
    assert count("https://blog.example.com/" + "a" * 40) == 65
    assert BlueskyNetwork.info.max_length == 300


@pytest.mark.parametrize(
    ("text", "why"),
    [("a" * 301, "301 graphemes"), ("👨‍👩‍👧‍👦" * 200, "bytes long")],
)
def test_too_long_is_refused_before_anything_is_sent(
    sandbox: Any, tmp_path: Path, text: str, why: str
) -> None:
    with pytest.raises(Rejected, match=why):
        send(sandbox, tmp_path, text)
    assert sandbox.requests("bluesky") == []


# The session -----------------------------------------------------------------------


def test_the_session_is_kept_and_reused(sandbox: Any, tmp_path: Path) -> None:
    send(sandbox, tmp_path, "first")
    assert stat.S_IMODE((tmp_path / "session").stat().st_mode) == 0o600
    session = stored(tmp_path)
    assert session["handle"] == HANDLE and session["api_url"] == sandbox.url

    send(sandbox, tmp_path, "second", key="1" * 32)

    assert calls(sandbox).count("com.atproto.server.createSession") == 1
    assert calls(sandbox)[-1] == "com.atproto.repo.createRecord"
    assert len(sandbox.posts("bluesky")) == 2


def test_without_a_state_dir_nothing_is_written(sandbox: Any, tmp_path: Path) -> None:
    before = sorted(tmp_path.rglob("*"))
    send(sandbox, None, "first")
    send(sandbox, None, "second", key="1" * 32)
    assert calls(sandbox).count("com.atproto.server.createSession") == 2
    assert sorted(tmp_path.rglob("*")) == before


def test_an_access_token_refused_as_expired_is_refreshed(sandbox: Any, tmp_path: Path) -> None:
    send(sandbox, tmp_path, "first")
    old = stored(tmp_path)
    expire(sandbox)

    send(sandbox, tmp_path, "second", key="1" * 32)

    assert calls(sandbox)[2:] == [
        "com.atproto.repo.createRecord",  # 400 ExpiredToken: nothing made
        "com.atproto.server.refreshSession",
        "com.atproto.repo.createRecord",
    ]
    (refresh,) = requests_of(sandbox, "com.atproto.server.refreshSession")
    assert refresh["headers"]["authorization"] == "Bearer <redacted>"
    new = stored(tmp_path)
    assert new["refresh_jwt"] != old["refresh_jwt"] and new["access_jwt"] != old["access_jwt"]
    assert len(sandbox.posts("bluesky")) == 2


def test_an_access_token_past_its_expiry_is_refreshed_first(sandbox: Any, tmp_path: Path) -> None:
    import time_machine

    send(sandbox, tmp_path, "first")
    with time_machine.travel(datetime.now(UTC) + timedelta(hours=3)):
        send(sandbox, tmp_path, "second", key="1" * 32)
    assert calls(sandbox)[2:] == [
        "com.atproto.server.refreshSession",
        "com.atproto.repo.createRecord",
    ]


def test_a_refused_refresh_token_means_one_new_login(sandbox: Any, tmp_path: Path) -> None:
    send(sandbox, tmp_path, "first")
    expire(sandbox, refresh=True)

    send(sandbox, tmp_path, "second", key="1" * 32)

    assert calls(sandbox)[2:] == [
        "com.atproto.repo.createRecord",
        "com.atproto.server.refreshSession",  # 400 ExpiredToken
        "com.atproto.server.createSession",
        "com.atproto.repo.createRecord",
    ]
    send(sandbox, tmp_path, "third", key="2" * 32)
    assert calls(sandbox).count("com.atproto.server.createSession") == 2


def test_a_session_file_others_can_read_is_tightened_and_reported(
    sandbox: Any, tmp_path: Path
) -> None:
    send(sandbox, tmp_path, "first")
    (tmp_path / "session").chmod(0o644)
    receipt = send(sandbox, tmp_path, "second", key="1" * 32)
    assert stat.S_IMODE((tmp_path / "session").stat().st_mode) == 0o600
    (warning,) = receipt.warnings
    assert "readable by others" in warning and "revoke the app password" in warning
    assert calls(sandbox).count("com.atproto.server.createSession") == 1


def test_a_session_of_another_handle_is_not_used(sandbox: Any, tmp_path: Path) -> None:
    send(sandbox, tmp_path, "first")
    adapter(sandbox, tmp_path, handle="other.bsky.social").send(
        outgoing=outgoing("second", key="1" * 32)
    )
    assert calls(sandbox).count("com.atproto.server.createSession") == 2
    assert stored(tmp_path)["handle"] == "other.bsky.social"


# Credentials -------------------------------------------------------------------------


@pytest.mark.parametrize("password", ["correct horse battery", "ABCD-EFGH-IJKL-MNOP", ""])
def test_what_is_not_an_app_password_is_never_sent(
    sandbox: Any, tmp_path: Path, password: str
) -> None:
    with pytest.raises(ChannelMisconfigured, match="app password") as caught:
        adapter(sandbox, tmp_path, password=password).send(outgoing=outgoing())
    assert caught.value.exit_code == ExitStatus.BAD_INPUT
    assert "bsky.app/settings/app-passwords" in str(caught.value)
    if password:
        assert password not in str(caught.value)
    assert sandbox.requests("bluesky") == []


def test_a_wrong_app_password_is_an_auth_failure(sandbox: Any, tmp_path: Path) -> None:
    send(sandbox, tmp_path, "first")  # the sandbox takes the first one as the account's
    with pytest.raises(AuthFailed, match="app-passwords") as caught:
        adapter(sandbox, None, password="zzzz-zzzz-zzzz-zzzz").send(outgoing=outgoing())
    assert_no_secret(caught.value)
    assert calls(sandbox)[2:] == [
        "com.atproto.server.createSession",
        "com.atproto.identity.resolveHandle",
    ]


def test_a_handle_that_does_not_resolve_is_a_misconfigured_channel(
    sandbox: Any, tmp_path: Path
) -> None:
    with pytest.raises(ChannelMisconfigured, match="does not resolve") as caught:
        adapter(sandbox, tmp_path, handle="nobody.example.invalid").send(outgoing=outgoing())
    assert "handle" in str(caught.value) and caught.value.exit_code == ExitStatus.BAD_INPUT
    assert calls(sandbox) == [
        "com.atproto.server.createSession",
        "com.atproto.identity.resolveHandle",
    ]
    assert not (tmp_path / "session").exists()


def test_check_credentials(sandbox: Any, tmp_path: Path) -> None:
    check = adapter(sandbox, tmp_path).check_credentials()
    assert check.ok and check.account is not None
    assert check.account.startswith(f"@{HANDLE} (did:plc:")
    bad = adapter(sandbox, None, password="zzzz-zzzz-zzzz-zzzz").check_credentials()
    assert not bad.ok and "app-passwords" in bad.detail


def test_check_credentials_with_the_pds_down_is_no_answer_about_them(tmp_path: Path) -> None:
    from crosspost.errors import Transient

    down = BlueskyNetwork(
        channel="bsky",
        settings=BlueskySettings(handle=HANDLE),
        credentials={"app_password": PASSWORD},
        api_url="http://127.0.0.1:9",  # nothing listens: the doctor must say "could not check"
        timeout=TIMEOUT,
        state_dir=tmp_path,
    )
    with pytest.raises(Transient):
        down.check_credentials()


def test_a_posts_address_gives_its_part_id_for_done() -> None:
    url = "https://bsky.app/profile/lab.bsky.social/post/3n3nshh6ayu56"
    assert BlueskyNetwork.post_id_from_url(url) == (
        "at://lab.bsky.social/app.bsky.feed.post/3n3nshh6ayu56"
    )
    assert BlueskyNetwork.post_id_from_url("https://bsky.app/profile/lab.bsky.social") is None


# Threads -------------------------------------------------------------------------------


def test_a_thread_replies_to_its_root_and_parent(sandbox: Any, tmp_path: Path) -> None:
    seen: list[tuple[int, str]] = []
    receipt = adapter(sandbox, tmp_path).send(
        outgoing=outgoing("one", "two", "three"), on_part=lambda i, uri: seen.append((i, uri))
    )
    posts = sandbox.posts("bluesky")
    assert [p["text"] for p in posts] == ["one", "two", "three"]
    assert receipt.part_ids == tuple(p["id"] for p in posts) and receipt.remote_id == posts[0]["id"]
    assert seen == [(0, posts[0]["id"]), (1, posts[1]["id"]), (2, posts[2]["id"])]
    creates = requests_of(sandbox, "com.atproto.repo.createRecord")
    assert [c["body"]["rkey"] for c in creates] == [
        rec.record_key(KEY, CREATED, i) for i in range(3)
    ]
    root = {"uri": posts[0]["id"], "cid": posts[0]["cid"]}
    assert "reply" not in creates[0]["body"]["record"]
    assert creates[1]["body"]["record"]["reply"]["root"] == {
        **root,
        "$type": "com.atproto.repo.strongRef",
    }
    assert creates[2]["body"]["record"]["reply"] == {
        "$type": "app.bsky.feed.post#replyRef",
        "root": {**root, "$type": "com.atproto.repo.strongRef"},
        "parent": {
            "uri": posts[1]["id"],
            "cid": posts[1]["cid"],
            "$type": "com.atproto.repo.strongRef",
        },
    }


def test_a_thread_resumes_after_its_recorded_parts(sandbox: Any, tmp_path: Path) -> None:
    parts = ("one", "two", "three")

    def fail_next(index: int, uri: str) -> None:
        sandbox.fault("bluesky", status=400)  # part two is refused

    with pytest.raises(Rejected):
        adapter(sandbox, tmp_path).send(outgoing=outgoing(*parts), on_part=fail_next)
    (first,) = sandbox.posts("bluesky")

    receipt = adapter(sandbox, tmp_path).send(outgoing=outgoing(*parts, sent_parts=(first["id"],)))

    posts = sandbox.posts("bluesky")
    assert [p["text"] for p in posts] == ["one", "two", "three"]
    assert receipt.part_ids == tuple(p["id"] for p in posts)
    reads = requests_of(sandbox, "com.atproto.repo.getRecord")
    assert reads[-1]["query"]["rkey"] == rec.record_key(KEY, CREATED, 0)  # the root's cid
    assert [p["reply_to"] for p in posts] == [None, posts[0]["id"], posts[1]["id"]]


# Images and cards --------------------------------------------------------------------


def test_an_image_without_a_link_goes_with_its_alt_text(sandbox: Any, tmp_path: Path) -> None:
    image = tmp_path / "lab.png"
    image.write_bytes(PNG)
    send(sandbox, tmp_path / "state", "Look", image_path=image, image_alt="Two cobots on a bench")
    (upload,) = requests_of(sandbox, "com.atproto.repo.uploadBlob")
    assert upload["headers"]["content-type"] == "image/png"
    assert upload["body"] == {"content_type": "image/png", "size": len(PNG)}
    assert upload["headers"]["authorization"] == "Bearer <redacted>"
    (create,) = requests_of(sandbox, "com.atproto.repo.createRecord")
    embed = create["body"]["record"]["embed"]
    assert embed["$type"] == "app.bsky.embed.images"
    (item,) = embed["images"]
    assert item["alt"] == "Two cobots on a bench"
    assert item["image"]["mimeType"] == "image/png" and item["image"]["size"] == len(PNG)
    assert sandbox.posts("bluesky")[0]["media"] == ["Two cobots on a bench"]


def test_a_link_is_a_card_with_the_image_as_its_thumb(sandbox: Any, tmp_path: Path) -> None:
    image = tmp_path / "lab.png"
    image.write_bytes(PNG)
    link = "https://blog.example.com/lab?utm_source=bsky"
    send(
        sandbox, tmp_path / "state", "Read", link=link, title="The lab",
        description="What it is about", image_path=image, image_alt="ignored by cards",
    )  # fmt: skip
    (create,) = requests_of(sandbox, "com.atproto.repo.createRecord")
    external = create["body"]["record"]["embed"]["external"]
    assert create["body"]["record"]["embed"]["$type"] == "app.bsky.embed.external"
    assert (external["uri"], external["title"], external["description"]) == (
        link, "The lab", "What it is about",
    )  # fmt: skip
    assert external["thumb"]["mimeType"] == "image/png"
    assert sandbox.posts("bluesky")[0]["link"] == link


def test_a_link_without_an_image_is_a_card_without_a_thumb(sandbox: Any, tmp_path: Path) -> None:
    send(sandbox, tmp_path, "Read", link="https://blog.example.com/a", title="A")
    (create,) = requests_of(sandbox, "com.atproto.repo.createRecord")
    external = create["body"]["record"]["embed"]["external"]
    assert "thumb" not in external and external["description"] == ""
    assert requests_of(sandbox, "com.atproto.repo.uploadBlob") == []


def test_an_image_too_large_is_refused_before_sending(sandbox: Any, tmp_path: Path) -> None:
    image = tmp_path / "huge.png"
    image.write_bytes(PNG + b"\x00" * 1_000_000)
    with pytest.raises(Rejected, match="at most 1,000,000"):
        send(sandbox, tmp_path, "Look", image_path=image)
    assert sandbox.requests("bluesky") == []


# Faults --------------------------------------------------------------------------------


def logged_in(sandbox: Any, state: Path) -> BlueskyNetwork:
    """An adapter whose session is stored already (one post made), so faults hit posting."""
    send(sandbox, state, "warm-up", key="f" * 32)
    return adapter(sandbox, state)


def test_429_is_rate_limited_until_ratelimit_reset(sandbox: Any, tmp_path: Path) -> None:
    network = logged_in(sandbox, tmp_path)
    sandbox.fault("bluesky", status=429, reset_in=900)
    with pytest.raises(RateLimited) as caught:
        network.send(outgoing=outgoing())
    reset_at = caught.value.reset_at
    assert reset_at is not None
    assert timedelta(minutes=14) < reset_at - datetime.now(UTC) <= timedelta(minutes=15)


def test_401_after_a_refresh_is_an_auth_failure(sandbox: Any, tmp_path: Path) -> None:
    network = logged_in(sandbox, tmp_path)
    sandbox.fault("bluesky", status=401, count=2)
    with pytest.raises(AuthFailed, match=r"bsky\.app/settings/app-passwords") as caught:
        network.send(outgoing=outgoing())
    assert_no_secret(caught.value, tmp_path)
    assert calls(sandbox)[2:] == [
        "com.atproto.repo.createRecord",
        "com.atproto.server.refreshSession",
        "com.atproto.repo.createRecord",
    ]


def test_400_is_rejected_with_the_pds_words(sandbox: Any, tmp_path: Path) -> None:
    network = logged_in(sandbox, tmp_path)
    sandbox.fault("bluesky", status=400)
    with pytest.raises(Rejected, match="InvalidRequest: Invalid request"):
        network.send(outgoing=outgoing())
    assert calls(sandbox)[-1] == "com.atproto.repo.getRecord"  # not ours: it is not there


def test_500_with_nothing_made_is_uncertain(sandbox: Any, tmp_path: Path) -> None:
    network = logged_in(sandbox, tmp_path)
    sandbox.fault("bluesky", status=500)
    with pytest.raises(Uncertain, match="may have been made"):
        network.send(outgoing=outgoing())
    assert calls(sandbox)[-2:] == ["com.atproto.repo.createRecord", "com.atproto.repo.getRecord"]
    assert len(sandbox.posts("bluesky")) == 1  # the warm-up


def test_500_after_the_record_was_made_is_a_receipt(sandbox: Any, tmp_path: Path) -> None:
    network = logged_in(sandbox, tmp_path)
    sandbox.fault("bluesky", status=500, created=True)
    receipt = network.send(outgoing=outgoing())
    post = sandbox.posts("bluesky")[-1]
    assert receipt.remote_id == post["id"] and post["text"] == TEXT
    assert len(sandbox.posts("bluesky")) == 2


def test_a_retry_collides_with_the_record_it_made(sandbox: Any, tmp_path: Path) -> None:
    network = logged_in(sandbox, tmp_path)
    sandbox.fault("bluesky", status=500, created=True)
    sandbox.fault("bluesky", status=503, reads=True)  # and the read back fails too
    with pytest.raises(Uncertain):
        network.send(outgoing=outgoing())
    assert len(sandbox.posts("bluesky")) == 2

    receipt = adapter(sandbox, tmp_path).send(outgoing=outgoing())

    assert len(sandbox.posts("bluesky")) == 2  # no second record
    assert receipt.remote_id == sandbox.posts("bluesky")[-1]["id"]
    creates = requests_of(sandbox, "com.atproto.repo.createRecord")
    assert creates[-1]["status"] == 500  # the PDS's answer to an existing key
    assert creates[-1]["body"]["rkey"] == creates[-2]["body"]["rkey"]


def test_a_timeout_after_sending_reads_the_record_back(sandbox: Any, tmp_path: Path) -> None:
    network = logged_in(sandbox, tmp_path)
    sandbox.fault("bluesky", delay=TIMEOUT * 4)
    receipt = network.send(outgoing=outgoing())
    assert receipt.remote_id == sandbox.posts("bluesky")[-1]["id"]


def test_a_timeout_unsettled_by_the_read_back_is_uncertain(sandbox: Any, tmp_path: Path) -> None:
    network = logged_in(sandbox, tmp_path)
    sandbox.fault("bluesky", delay=TIMEOUT * 4)
    sandbox.fault("bluesky", status=503, reads=True)
    with pytest.raises(Uncertain, match=r"did not answer the post within 0\.5 s"):
        network.send(outgoing=outgoing())


def test_an_image_upload_503_is_transient(sandbox: Any, tmp_path: Path) -> None:
    image = tmp_path / "lab.png"
    image.write_bytes(PNG)
    network = logged_in(sandbox, tmp_path / "state")
    sandbox.fault("bluesky", status=503)
    with pytest.raises(Transient, match="image upload"):
        network.send(outgoing=outgoing(image_path=image))
    assert calls(sandbox)[-1] == "com.atproto.repo.uploadBlob"


def test_an_unreachable_pds_is_transient(tmp_path: Path) -> None:
    network = BlueskyNetwork(
        channel="bsky",
        settings={"handle": HANDLE},
        credentials={"app_password": PASSWORD},
        api_url="http://127.0.0.1:9",
        timeout=TIMEOUT,
        state_dir=tmp_path,
    )
    with pytest.raises(Transient, match="could not be reached"):
        network.send(outgoing=outgoing())


@pytest.mark.parametrize("status", [400, 401, 429, 500])
def test_no_secret_in_any_message_when_the_pds_echoes_our_headers(
    sandbox: Any, tmp_path: Path, status: int
) -> None:
    network = logged_in(sandbox, tmp_path)
    sandbox.fault("bluesky", status=status, echo=True, count=2)
    with pytest.raises((Rejected, AuthFailed, RateLimited, Uncertain)) as caught:
        network.send(outgoing=outgoing())
    assert_no_secret(caught.value, tmp_path)


def test_settings_refuse_a_malformed_handle() -> None:
    assert BlueskySettings(handle="@School.Bsky.Social").handle == HANDLE
    with pytest.raises(ValueError, match="handle"):
        BlueskySettings(handle="school bsky")
    with pytest.raises(ValueError, match="Extra inputs"):
        BlueskySettings.model_validate({"handle": HANDLE, "password": "x"})
