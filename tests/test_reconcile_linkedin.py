"""Finding a post on LinkedIn again (`find`), and LinkedIn's DUPLICATE_POST answer.

Real HTTP against the sandbox through requests, as in test_networks_linkedin.py;
the last part checks the sandbox's GET /rest/posts?q=author itself.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from crosspost.errors import DeliveryError, Duplicate, Transient, Uncertain
from crosspost.networks import linkedin
from crosspost.networks.base import Answer, Finding, Outgoing, Receipt
from crosspost.networks.linkedin import LinkedInNetwork, LinkedInSettings

TOKEN = "AQV-SECRET-linkedin-token"
AUTHOR = "urn:li:organization:2414183"
OTHER_AUTHOR = "urn:li:person:aB3-xyz_9"
TIMEOUT = 0.5
# Reserved "little" characters: sent escaped, listed back escaped.
TEXT = "Our arm (x) lifts 5 kg_now* #robotics https://blog.example.com/arm_(v2)"
HEADERS = {
    "Authorization": f"Bearer {TOKEN}",
    "LinkedIn-Version": "202607",
    "X-Restli-Protocol-Version": "2.0.0",
}


def adapter(sandbox: Any, author: str = AUTHOR) -> LinkedInNetwork:
    return LinkedInNetwork(
        channel="li-page",
        settings=LinkedInSettings(author=author),
        credentials={"access_token": TOKEN},
        api_url=sandbox.url,
        timeout=TIMEOUT,
    )


def outgoing(text: str = TEXT) -> Outgoing:
    return Outgoing(channel="li-page", parts=(text,))


def send(sandbox: Any, text: str = TEXT, author: str = AUTHOR) -> Receipt:
    return adapter(sandbox, author).send(outgoing=outgoing(text))


def find(sandbox: Any, text: str = TEXT, *, since: datetime | None = None) -> Finding:
    since = since or datetime.now(UTC) - timedelta(minutes=10)
    return adapter(sandbox).find(outgoing=outgoing(text), since=since)


def post_many(sandbox: Any, count: int, *, first: int = 0) -> None:
    """`count` posts with distinct texts, straight through the REST API (set-up only)."""
    with requests.Session() as session:
        for number in range(first, first + count):
            answer = session.post(
                f"{sandbox.url}/rest/posts",
                headers=HEADERS,
                json={
                    "author": AUTHOR,
                    "commentary": f"Filler post {number}",
                    "visibility": "PUBLIC",
                    "distribution": {"feedDistribution": "MAIN_FEED"},
                    "lifecycleState": "PUBLISHED",
                },
                timeout=5,
            )
            assert answer.status_code == 201, answer.text


def reads(sandbox: Any) -> list[dict[str, Any]]:
    return [r for r in sandbox.requests("linkedin") if r["method"] == "GET"]


def assert_no_secret(exc: BaseException) -> None:
    assert TOKEN not in f"{exc} {exc!r} {exc.args!r}"


# find ------------------------------------------------------------------------------


def test_a_sent_post_with_reserved_characters_is_found(sandbox: Any) -> None:
    receipt = send(sandbox)
    (post,) = sandbox.posts("linkedin")
    assert post["text"] != TEXT  # the premise: LinkedIn holds (and lists) it escaped

    finding = find(sandbox)

    assert finding.answer is Answer.FOUND
    assert finding.part_ids == (receipt.remote_id,)
    assert finding.url == f"https://www.linkedin.com/feed/update/{receipt.remote_id}"
    assert finding.posted_at is not None and finding.posted_at.utcoffset() == timedelta(0)
    assert timedelta(0) <= datetime.now(UTC) - finding.posted_at < timedelta(minutes=1)
    assert AUTHOR in finding.checked
    (read,) = reads(sandbox)
    assert read["path"] == "/rest/posts"
    assert read["query"] == {
        "q": "author",
        "author": AUTHOR,
        "count": str(linkedin.FIND_PAGE_SIZE),
        "start": "0",
        "sortBy": "CREATED",
    }
    assert read["headers"]["authorization"] == "Bearer <redacted>"
    assert read["headers"]["linkedin-version"] == "202607"
    assert read["headers"]["x-restli-protocol-version"] == "2.0.0"


def test_absent_when_the_listing_ended(sandbox: Any) -> None:
    send(sandbox, "Another article entirely")

    finding = find(sandbox)

    assert (finding.answer, finding.part_ids, finding.url) == (Answer.ABSENT, (), None)
    assert finding.checked.startswith(f"read 1 posts of {AUTHOR} since ")


def test_absent_once_a_post_older_than_since_is_reached(sandbox: Any) -> None:
    send(sandbox)

    finding = find(sandbox, since=datetime.now(UTC) + timedelta(minutes=5))

    assert finding.answer is Answer.ABSENT
    assert finding.checked.startswith("read 0 posts")


def test_one_word_different_is_not_the_post(sandbox: Any) -> None:
    send(sandbox, TEXT.replace("lifts", "raises"))

    assert find(sandbox).answer is Answer.ABSENT


def test_the_same_text_by_another_author_is_not_found(sandbox: Any) -> None:
    send(sandbox, author=OTHER_AUTHOR)

    assert find(sandbox).answer is Answer.ABSENT


def test_unsure_when_the_listing_runs_past_the_pages_it_reads(sandbox: Any) -> None:
    window = linkedin.FIND_PAGE_SIZE * linkedin.MAX_PAGES
    send(sandbox)  # the oldest post: the last one on the last page read
    post_many(sandbox, window - 1)

    found = find(sandbox)
    assert found.answer is Answer.FOUND
    starts = [r["query"]["start"] for r in reads(sandbox)]
    assert starts == [str(n * linkedin.FIND_PAGE_SIZE) for n in range(linkedin.MAX_PAGES)]

    post_many(sandbox, 1, first=window)
    unsure = find(sandbox)
    assert (unsure.answer, unsure.part_ids) == (Answer.UNSURE, ())
    assert f"stopped after {linkedin.MAX_PAGES} pages" in unsure.checked


@pytest.mark.parametrize("echo", [False, True])
@pytest.mark.parametrize("status", [500, 503])
def test_a_failed_read_is_an_error_but_never_uncertain(
    sandbox: Any, status: int, echo: bool
) -> None:
    send(sandbox)
    sandbox.fault("linkedin", status=status, reads=True, echo=echo)

    with pytest.raises(DeliveryError) as caught:
        find(sandbox)

    assert isinstance(caught.value, Transient) and not isinstance(caught.value, Uncertain)
    assert caught.value.channel == "li-page"
    if echo:
        assert "request headers" in str(caught.value)  # the premise: the echo got through
    assert_no_secret(caught.value)


def test_a_refused_read_says_so(sandbox: Any) -> None:
    sandbox.fault("linkedin", status=400, reads=True)

    with pytest.raises(DeliveryError, match="refused to list the author's posts"):
        find(sandbox)


def test_a_posting_fault_leaves_reads_alone(sandbox: Any) -> None:
    send(sandbox)
    sandbox.fault("linkedin", status=500)  # not `reads`: for the next post only

    assert find(sandbox).answer is Answer.FOUND
    with pytest.raises(Uncertain):
        send(sandbox, "The next post meets the fault")


def test_a_read_that_times_out_is_transient(sandbox: Any) -> None:
    sandbox.fault("linkedin", delay=TIMEOUT + 0.5, reads=True)

    with pytest.raises(Transient, match="did not answer a read of the author's posts") as caught:
        find(sandbox)
    assert_no_secret(caught.value)


# Duplicates ------------------------------------------------------------------------------


def test_the_same_post_twice_is_a_duplicate_naming_the_first(sandbox: Any) -> None:
    first = send(sandbox)

    with pytest.raises(Duplicate, match="already has this post") as caught:
        send(sandbox)

    assert caught.value.existing == first.remote_id
    assert first.remote_id in str(caught.value)
    assert len(sandbox.posts("linkedin")) == 1
    assert_no_secret(caught.value)


def test_the_same_text_by_another_author_is_no_duplicate(sandbox: Any) -> None:
    send(sandbox)
    send(sandbox, author=OTHER_AUTHOR)

    assert len(sandbox.posts("linkedin")) == 2


# The sandbox's GET /rest/posts?q=author ------------------------------------------------------


def list_posts(
    sandbox: Any, headers: dict[str, str] | None = None, **query: Any
) -> requests.Response:
    query = {"q": "author", "author": AUTHOR, **query}
    return requests.get(
        f"{sandbox.url}/rest/posts", params=query, headers=headers or HEADERS, timeout=5
    )


def test_listing_shows_the_authors_posts_newest_first_as_sent(sandbox: Any) -> None:
    first = send(sandbox, "First (one)")
    send(sandbox, "Elsewhere", author=OTHER_AUTHOR)
    last = send(sandbox, "Last #tag")

    answer = list_posts(sandbox)

    assert answer.status_code == 200
    elements = answer.json()["elements"]
    assert [(e["id"], e["commentary"]) for e in elements] == [
        (last.remote_id, "Last #tag"),  # a hashtag stays a hashtag
        (first.remote_id, r"First \(one\)"),  # the commentary as sent: escaped
    ]
    for element in elements:
        assert element["author"] == AUTHOR and element["lifecycleState"] == "PUBLISHED"
        assert isinstance(element["createdAt"], int)
        assert element["publishedAt"] == element["createdAt"] == element["lastModifiedAt"]
    assert elements[0]["createdAt"] >= elements[1]["createdAt"]


def test_listing_pages_with_start_count_and_links(sandbox: Any) -> None:
    post_many(sandbox, 5)

    page = list_posts(sandbox, count=2, start=2).json()

    assert [e["commentary"] for e in page["elements"]] == ["Filler post 2", "Filler post 1"]
    assert (page["paging"]["start"], page["paging"]["count"]) == (2, 2)
    links = {link["rel"]: link["href"] for link in page["paging"]["links"]}
    assert set(links) == {"prev", "next"}
    following = requests.get(sandbox.url + links["next"], headers=HEADERS, timeout=5).json()
    assert [e["commentary"] for e in following["elements"]] == ["Filler post 0"]
    assert [link["rel"] for link in following["paging"]["links"]] == ["prev"]


def test_listing_count_defaults_to_10_and_may_not_exceed_100(sandbox: Any) -> None:
    post_many(sandbox, 11)

    assert len(list_posts(sandbox).json()["elements"]) == 10
    assert len(list_posts(sandbox, count=100).json()["elements"]) == 11
    for bad in ("101", "0", "many"):
        refused = list_posts(sandbox, count=bad)
        assert refused.status_code == 400, bad
        assert "count" in refused.json()["message"]
    assert list_posts(sandbox, start=-1).status_code == 400
    assert list_posts(sandbox, sortBy="NEWEST").status_code == 400
    assert list_posts(sandbox, sortBy="CREATED").status_code == 200


def test_listing_checks_the_finder_and_the_author(sandbox: Any) -> None:
    assert list_posts(sandbox, q="authors").status_code == 400
    assert list_posts(sandbox, author="Acme Inc").status_code == 400
    assert list_posts(sandbox, author=OTHER_AUTHOR).json()["elements"] == []


@pytest.mark.parametrize(
    ("header", "value", "status"),
    [
        ("Authorization", "", 401),
        ("LinkedIn-Version", "", 400),
        ("LinkedIn-Version", "201901", 426),
        ("X-Restli-Protocol-Version", "1.0.0", 400),
    ],
)
def test_listing_needs_the_same_headers_as_posting(
    sandbox: Any, header: str, value: str, status: int
) -> None:
    headers = {**HEADERS, header: value}
    if not value:
        del headers[header]

    assert list_posts(sandbox, headers=headers).status_code == status
