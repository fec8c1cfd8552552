"""Finding a post on a Facebook Page again (`find`), and Graph's duplicate answers.

Real HTTP against the sandbox through the adapter's own client, as in
test_networks_facebook.py; the last part checks the sandbox's GET /feed itself,
through plain requests.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from crosspost.errors import DeliveryError, Duplicate, Transient, Uncertain
from crosspost.networks import facebook
from crosspost.networks.base import Answer, Finding, Outgoing, Receipt
from crosspost.networks.facebook import FacebookNetwork, FacebookSettings

TOKEN = "EAAB-SECRET-page-token"
PAGE = "104123456789012"
OTHER_PAGE = "104999999999999"
TIMEOUT = 0.5
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
TEXT = "New article: how we built the robot arm https://blog.example.com/arm"
LINK = "https://blog.example.com/arm?utm_source=fb"


def adapter(sandbox: Any, page: str = PAGE) -> FacebookNetwork:
    return FacebookNetwork(
        channel="fb-page",
        settings=FacebookSettings(page_id=page),
        credentials={"page_token": TOKEN},
        api_url=sandbox.url,
        timeout=TIMEOUT,
    )


def outgoing(text: str = TEXT, **fields: Any) -> Outgoing:
    return Outgoing(channel="fb-page", parts=(text,), **fields)


def send(sandbox: Any, text: str = TEXT, page: str = PAGE, **fields: Any) -> Receipt:
    return adapter(sandbox, page).send(outgoing=outgoing(text, **fields))


def find(sandbox: Any, text: str = TEXT, *, since: datetime | None = None) -> Finding:
    since = since or datetime.now(UTC) - timedelta(minutes=10)
    return adapter(sandbox).find(outgoing=outgoing(text), since=since)


def feed_reads(sandbox: Any) -> list[dict[str, Any]]:
    return [r for r in sandbox.requests("facebook") if r["method"] == "GET"]


def assert_no_secret(exc: BaseException) -> None:
    assert TOKEN not in f"{exc} {exc!r} {exc.args!r}"


# find ------------------------------------------------------------------------------


def test_a_sent_feed_post_is_found_with_its_id_url_and_time(sandbox: Any) -> None:
    receipt = send(sandbox, link=LINK)
    since = datetime.now(UTC) - timedelta(minutes=10)

    finding = find(sandbox, since=since)

    number = receipt.remote_id.partition("_")[2]
    assert finding.answer is Answer.FOUND
    assert finding.part_ids == (receipt.remote_id,)
    assert finding.url == f"https://www.facebook.com/{PAGE}/posts/{number}"  # Graph's permalink
    assert finding.posted_at is not None and finding.posted_at.utcoffset() == timedelta(0)
    assert timedelta(0) <= datetime.now(UTC) - finding.posted_at < timedelta(minutes=1)
    assert PAGE in finding.checked
    (read,) = feed_reads(sandbox)
    assert read["path"] == f"/v26.0/{PAGE}/feed"
    assert read["query"]["fields"] == "id,message,created_time,permalink_url"
    assert read["query"]["since"] == str(int(since.timestamp()))
    assert read["query"]["limit"] == "100"
    # The Page token, as for posting, but in a header: a query string ends up in logs.
    assert "access_token" not in read["query"]
    assert read["headers"]["authorization"] == "Bearer <redacted>"


def test_a_photo_post_is_found_by_its_caption(sandbox: Any, tmp_path: Path) -> None:
    image = tmp_path / "arm.png"
    image.write_bytes(PNG)
    receipt = send(sandbox, image_path=image, image_alt="The arm")
    (post,) = sandbox.posts("facebook")

    finding = find(sandbox)

    assert finding.answer is Answer.FOUND
    # The post's id, as the photo's post_id: not the photo's own id.
    assert finding.part_ids == (receipt.remote_id,) == (post["id"],)
    assert post["photo_id"] not in finding.part_ids


def test_absent_when_the_whole_feed_since_then_was_read(sandbox: Any) -> None:
    send(sandbox, "Another article entirely")
    send(sandbox, "And a third one")

    finding = find(sandbox)

    assert (finding.answer, finding.part_ids, finding.url) == (Answer.ABSENT, (), None)
    assert finding.checked.startswith(f"read 2 posts of Page {PAGE} since ")


def test_a_post_made_before_since_is_not_looked_at(sandbox: Any) -> None:
    send(sandbox)

    finding = find(sandbox, since=datetime.now(UTC) + timedelta(minutes=5))

    assert finding.answer is Answer.ABSENT
    assert finding.checked.startswith("read 0 posts")


def test_one_word_different_is_not_the_post(sandbox: Any) -> None:
    send(sandbox, TEXT.replace("built", "made"))

    assert find(sandbox).answer is Answer.ABSENT


def test_whitespace_and_entities_the_network_changed_are_still_the_post(sandbox: Any) -> None:
    send(sandbox, "Fish &amp; chips:   a  story")

    assert find(sandbox, "Fish & chips: a story").answer is Answer.FOUND


def test_the_same_text_on_another_page_is_not_found(sandbox: Any) -> None:
    send(sandbox, page=OTHER_PAGE)

    assert find(sandbox).answer is Answer.ABSENT


def test_unsure_when_the_feed_runs_past_the_pages_it_reads(
    sandbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A small page size keeps this quick: the sandbox answers each Graph POST in ~45 ms.
    monkeypatch.setattr(facebook, "FEED_PAGE_SIZE", 3)
    window = facebook.FEED_PAGE_SIZE * facebook.MAX_PAGES
    send(sandbox)  # the oldest post: the last one on the last page read
    for number in range(window - 1):
        send(sandbox, f"Filler post {number}")

    found = find(sandbox)
    assert found.answer is Answer.FOUND
    reads = feed_reads(sandbox)
    assert len(reads) == facebook.MAX_PAGES  # followed paging.next to the end
    # Each `next` repeats the token in its URL: the adapter sends its cursor on, never
    # the token in a query string, and asks the Page's feed itself with its own fields.
    for read in reads:
        assert "access_token" not in read["query"], read["query"]
        assert read["path"] == f"/v26.0/{PAGE}/feed"
        assert read["query"]["fields"] == facebook.FEED_FIELDS
        assert read["headers"]["authorization"] == "Bearer <redacted>"
    assert all("after" in read["query"] for read in reads[1:])

    send(sandbox, "One more post pushes it off the last page")
    unsure = find(sandbox)
    assert (unsure.answer, unsure.part_ids) == (Answer.UNSURE, ())
    assert f"stopped after {facebook.MAX_PAGES} pages" in unsure.checked
    assert len(feed_reads(sandbox)) == 2 * facebook.MAX_PAGES


@pytest.mark.parametrize("echo", [False, True])
@pytest.mark.parametrize("status", [500, 503])
def test_a_failed_read_is_an_error_but_never_uncertain(
    sandbox: Any, status: int, echo: bool
) -> None:
    send(sandbox)
    sandbox.fault("facebook", status=status, reads=True, echo=echo)

    with pytest.raises(DeliveryError) as caught:
        find(sandbox)

    # A read creates nothing: it must not leave a delivery `unknown`.
    assert isinstance(caught.value, Transient) and not isinstance(caught.value, Uncertain)
    assert "nothing was published" in str(caught.value)
    assert caught.value.channel == "fb-page"
    if echo:
        assert "request headers" in str(caught.value)  # the premise: the echo got through
    assert_no_secret(caught.value)


def test_a_posting_fault_leaves_reads_alone(sandbox: Any) -> None:
    send(sandbox)
    sandbox.fault("facebook", status=500)  # not `reads`: for the next post only

    assert find(sandbox).answer is Answer.FOUND
    with pytest.raises(Uncertain):
        send(sandbox, "The next post meets the fault")


def test_a_read_that_times_out_is_transient(sandbox: Any) -> None:
    sandbox.fault("facebook", delay=TIMEOUT + 0.5, reads=True)

    with pytest.raises(Transient, match="did not answer a read of the Page's posts") as caught:
        find(sandbox)
    assert_no_secret(caught.value)


# Duplicates ----------------------------------------------------------------------------


def test_the_same_status_message_twice_is_a_duplicate(sandbox: Any) -> None:
    send(sandbox, link=LINK)

    with pytest.raises(Duplicate, match=r"already has this post.*Graph code 506") as caught:
        send(sandbox, link=LINK)

    assert caught.value.existing is None  # Graph names no post
    assert caught.value.kind == "rejected"
    assert len(sandbox.posts("facebook")) == 1
    assert_no_secret(caught.value)


def test_the_same_message_with_another_link_or_page_is_no_duplicate(sandbox: Any) -> None:
    send(sandbox, link=LINK)
    send(sandbox, link="https://blog.example.com/other")
    send(sandbox, link=LINK, page=OTHER_PAGE)

    assert len(sandbox.posts("facebook")) == 3


# The sandbox's GET /feed ------------------------------------------------------------------


def read_feed(sandbox: Any, page: str = PAGE, **query: Any) -> requests.Response:
    query.setdefault("access_token", TOKEN)
    return requests.get(f"{sandbox.url}/v26.0/{page}/feed", params=query, timeout=5)


def test_feed_lists_this_pages_posts_newest_first_photos_included(
    sandbox: Any, tmp_path: Path
) -> None:
    image = tmp_path / "arm.png"
    image.write_bytes(PNG)
    first = send(sandbox, "First")
    photo = send(sandbox, "A photo caption", image_path=image)
    send(sandbox, "Elsewhere", page=OTHER_PAGE)
    last = send(sandbox, "Last")

    answer = read_feed(sandbox, fields="id,message,created_time,permalink_url")

    assert answer.status_code == 200
    data = answer.json()["data"]
    assert [(d["id"], d["message"]) for d in data] == [
        (last.remote_id, "Last"),
        (photo.remote_id, "A photo caption"),
        (first.remote_id, "First"),
    ]
    assert all(d["created_time"].endswith("+0000") for d in data)
    datetime.strptime(data[0]["created_time"], "%Y-%m-%dT%H:%M:%S%z")


def test_feed_answers_only_the_fields_asked_for(sandbox: Any) -> None:
    send(sandbox, "Hello")

    (item,) = read_feed(sandbox, fields="id,permalink_url").json()["data"]
    assert set(item) == {"id", "permalink_url"}
    (item,) = read_feed(sandbox).json()["data"]  # Graph's default fields
    assert set(item) == {"id", "message", "created_time"}
    refused = read_feed(sandbox, fields="id,likes")
    assert refused.status_code == 400 and refused.json()["error"]["code"] == 100


def test_feed_pages_with_cursors_and_a_next_url(sandbox: Any) -> None:
    for number in range(5):
        send(sandbox, f"Post {number}")

    first = read_feed(sandbox, limit=2).json()
    assert [d["message"] for d in first["data"]] == ["Post 4", "Post 3"]
    assert set(first["paging"]["cursors"]) == {"before", "after"}
    second = requests.get(first["paging"]["next"], timeout=5).json()
    assert [d["message"] for d in second["data"]] == ["Post 2", "Post 1"]
    third = read_feed(sandbox, limit=2, after=second["paging"]["cursors"]["after"]).json()
    assert [d["message"] for d in third["data"]] == ["Post 0"]
    assert "next" not in third["paging"]  # the end of the feed


def test_feed_limit_defaults_to_25_and_may_not_exceed_100(sandbox: Any) -> None:
    for number in range(26):
        send(sandbox, f"Post {number}")

    page = read_feed(sandbox).json()
    assert len(page["data"]) == 25 and "next" in page["paging"]
    assert len(read_feed(sandbox, limit=100).json()["data"]) == 26
    for bad in ("101", "0", "ten"):
        refused = read_feed(sandbox, limit=bad)
        assert refused.status_code == 400, bad
        assert refused.json()["error"]["code"] == 100
    assert "should not exceed 100" in read_feed(sandbox, limit=101).json()["error"]["message"]


def test_feed_since_filters_by_creation_time(sandbox: Any) -> None:
    send(sandbox, "Hello")
    now = int(datetime.now(UTC).timestamp())

    assert len(read_feed(sandbox, since=now - 60).json()["data"]) == 1
    assert read_feed(sandbox, since=now + 60).json() == {"data": []}


def test_feed_needs_a_token_and_a_version(sandbox: Any) -> None:
    send(sandbox, "Hello")

    no_token = read_feed(sandbox, access_token="")
    assert no_token.status_code == 400 and no_token.json()["error"]["code"] == 190
    unversioned = requests.get(
        f"{sandbox.url}/{PAGE}/feed", params={"access_token": TOKEN}, timeout=5
    )
    assert unversioned.status_code == 400 and unversioned.json()["error"]["code"] == 2500


def test_feed_takes_the_token_in_a_header_and_repeats_it_in_next(sandbox: Any) -> None:
    for number in range(3):
        send(sandbox, f"Post {number}")

    answer = requests.get(
        f"{sandbox.url}/v26.0/{PAGE}/feed",
        params={"limit": 2},
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=5,
    )

    assert answer.status_code == 200 and len(answer.json()["data"]) == 2
    # `next` is the whole URL again, the token in it: a client must not send it on as is.
    following = urlsplit(answer.json()["paging"]["next"])
    assert parse_qs(following.query)["access_token"] == [TOKEN]
