"""Reconciling on X: the sandbox's reading routes, its `created` fault, and the adapter's
`find`, all over real HTTP through tweepy and requests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
import tweepy

from crosspost.errors import Duplicate, RateLimited, Rejected, Transient, Uncertain
from crosspost.networks import twitter_find
from crosspost.networks.base import Answer, Finding, Outgoing
from crosspost.networks.twitter import TwitterNetwork

KEYS = {
    "consumer_key": "ck-SECRET-consumer-key",
    "consumer_secret": "cs-SECRET-consumer-secret",
    "access_token": "at-SECRET-access-token",
    "access_token_secret": "ats-SECRET-token-secret",
}
OTHER_KEYS = {**KEYS, "access_token": "at-SECRET-other-account"}
TIMEOUT = 0.5
LINKED = "Fish & chips <3 at https://blog.example.com/fish?utm_source=x&utm_medium=social"
FIELDS = "created_at,entities,referenced_tweets,in_reply_to_user_id,conversation_id"


def adapter(sandbox: Any, keys: dict[str, str] = KEYS) -> TwitterNetwork:
    return TwitterNetwork(
        channel="x-main", settings=None, credentials=keys, api_url=sandbox.url, timeout=TIMEOUT
    )


def send(sandbox: Any, *parts: str, keys: dict[str, str] = KEYS, **fields: Any) -> Any:
    return adapter(sandbox, keys).send(outgoing=Outgoing(channel="x-main", parts=parts, **fields))


def find(
    sandbox: Any,
    *parts: str,
    sent_parts: tuple[str, ...] = (),
    since: datetime | None = None,
    network: TwitterNetwork | None = None,
) -> Finding:
    network = network or adapter(sandbox)
    since = since or datetime.now(UTC) - timedelta(minutes=5)
    outgoing = Outgoing(channel="x-main", parts=parts, sent_parts=sent_parts)
    return network.find(outgoing=outgoing, since=since)


def assert_no_secret(exc: BaseException) -> None:
    text = f"{exc} {exc!r} {exc.args!r}"
    for secret in KEYS.values():
        assert secret not in text


def auth(token: str = KEYS["access_token"]) -> Any:
    return tweepy.OAuth1UserHandler(
        KEYS["consumer_key"], KEYS["consumer_secret"], token, KEYS["access_token_secret"]
    ).apply_auth()


def timeline(sandbox: Any, user_id: str, token: str = KEYS["access_token"], **query: Any) -> Any:
    return requests.get(
        f"{sandbox.url}/2/users/{user_id}/tweets", params=query, auth=auth(token), timeout=5
    )


def me(sandbox: Any, token: str = KEYS["access_token"]) -> Any:
    return requests.get(f"{sandbox.url}/2/users/me", auth=auth(token), timeout=5)


def my_id(sandbox: Any, token: str = KEYS["access_token"]) -> str:
    return str(me(sandbox, token).json()["data"]["id"])


def post_many(sandbox: Any, count: int, prefix: str = "filler") -> None:
    signer = auth()
    for n in range(count):
        # A connection each: on a kept-alive one the sandbox answers some 40 ms slower.
        answer = requests.post(
            f"{sandbox.url}/2/tweets", json={"text": f"{prefix} {n}"}, auth=signer, timeout=5
        )
        assert answer.status_code == 201


# The sandbox's reading routes ------------------------------------------------------


def test_users_me_names_the_account_of_the_token(sandbox: Any) -> None:
    answer = me(sandbox)
    assert answer.status_code == 200
    user = answer.json()["data"]
    assert user["id"].isdigit() and user["username"] and user["name"]
    assert my_id(sandbox) == user["id"]  # stable
    assert my_id(sandbox, OTHER_KEYS["access_token"]) != user["id"]
    assert my_id(sandbox, "4242-tok-access") == "4242"  # X's tokens start with the user id
    assert KEYS["access_token"] not in answer.text
    assert requests.get(f"{sandbox.url}/2/users/me", timeout=5).status_code == 401


def test_timeline_pages_newest_first(sandbox: Any) -> None:
    post_many(sandbox, 12)
    user_id = my_id(sandbox)
    seen: list[str] = []
    token = None
    pages = []
    while True:
        query = {"max_results": 5, **({"pagination_token": token} if token else {})}
        answer = timeline(sandbox, user_id, **query)
        assert answer.status_code == 200
        body = answer.json()
        pages.append(body["meta"]["result_count"])
        ids = [t["id"] for t in body["data"]]
        assert (body["meta"]["newest_id"], body["meta"]["oldest_id"]) == (ids[0], ids[-1])
        seen += [t["text"] for t in body["data"]]
        token = body["meta"].get("next_token")
        if token is None:
            break
    assert pages == [5, 5, 2]
    assert seen == [f"filler {n}" for n in reversed(range(12))]
    assert set(body["data"][0]) == {"id", "text", "edit_history_tweet_ids"}  # no fields asked


def test_timeline_checks_its_query_as_x_does(sandbox: Any) -> None:
    post_many(sandbox, 1)
    user_id = my_id(sandbox)
    for size in (4, 101, "ten"):
        answer = timeline(sandbox, user_id, max_results=size)
        assert answer.status_code == 400
        assert answer.json()["errors"][0]["parameters"] == {"max_results": [str(size)]}
        assert "max_results" in answer.json()["errors"][0]["message"]
    for size in (5, 100):
        assert timeline(sandbox, user_id, max_results=size).status_code == 200
    assert timeline(sandbox, user_id, pagination_token="not-a-token").status_code == 400
    assert timeline(sandbox, user_id, start_time="yesterday").status_code == 400
    assert timeline(sandbox, user_id, **{"tweet.fields": "text,colour"}).status_code == 400
    assert timeline(sandbox, user_id, colour="blue").status_code == 400
    # The sandbox lists only the caller's own timeline.
    other = my_id(sandbox, OTHER_KEYS["access_token"])
    assert timeline(sandbox, other).status_code == 403


def test_timeline_starts_at_start_time(sandbox: Any) -> None:
    import time_machine

    start = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        post_many(sandbox, 1, "early")
    with time_machine.travel(start + timedelta(hours=1), tick=False):
        post_many(sandbox, 1, "late")
    user_id = my_id(sandbox)

    def texts(**query: Any) -> list[str]:
        return [t["text"] for t in timeline(sandbox, user_id, **query).json().get("data", [])]

    assert texts() == ["late 0", "early 0"]
    assert texts(start_time="2026-12-01T09:30:00Z") == ["late 0"]
    assert texts(start_time="2026-12-01T10:00:00Z") == ["late 0"]  # the second is included
    assert texts(start_time="2026-12-01T10:00:01Z") == []
    assert texts(start_time="2026-12-01T08:00:00Z", end_time="2026-12-01T09:30:00Z") == ["early 0"]
    empty = timeline(sandbox, user_id, start_time="2026-12-01T11:00:00Z").json()
    assert empty == {"meta": {"result_count": 0}}


def test_timeline_text_is_escaped_and_its_links_wrapped(sandbox: Any) -> None:
    first = send(sandbox, LINKED, "2/2 and https://example.org/more.")
    body = timeline(sandbox, my_id(sandbox), **{"tweet.fields": FIELDS}).json()
    reply, post = body["data"]
    assert post["text"].startswith("Fish &amp; chips &lt;3 at https://t.co/")
    assert "utm_source" not in post["text"]
    [url] = post["entities"]["urls"]
    assert url["expanded_url"] == "https://blog.example.com/fish?utm_source=x&utm_medium=social"
    assert post["text"][url["start"] : url["end"]] == url["url"]
    assert len(url["url"]) == len("https://t.co/") + 10
    assert url["display_url"].startswith("blog.example.com/fish")
    assert "referenced_tweets" not in post
    assert post["created_at"].endswith("Z")
    # A reply says what it answers; punctuation after a link stays out of it.
    assert reply["referenced_tweets"] == [{"type": "replied_to", "id": first.part_ids[0]}]
    assert reply["in_reply_to_user_id"] == my_id(sandbox)
    assert reply["conversation_id"] == first.part_ids[0]
    assert reply["entities"]["urls"][0]["expanded_url"] == "https://example.org/more"
    assert reply["text"].endswith(".")
    # What was stored is what was sent.
    assert [p["text"] for p in sandbox.posts("twitter")] == [
        LINKED,
        "2/2 and https://example.org/more.",
    ]


def test_reads_count_in_their_own_rate_window(sandbox: Any) -> None:
    user_id = my_id(sandbox)
    first = timeline(sandbox, user_id).headers
    second = timeline(sandbox, user_id).headers
    assert first["x-rate-limit-limit"] == "900"
    assert int(second["x-rate-limit-remaining"]) == int(first["x-rate-limit-remaining"]) - 1
    assert me(sandbox).headers["x-rate-limit-limit"] == "75"


def test_ordinary_faults_skip_reads_and_read_faults_hit_them(sandbox: Any) -> None:
    user_id = my_id(sandbox)
    sandbox.fault("twitter", status=500)
    assert timeline(sandbox, user_id).status_code == 200
    assert me(sandbox).status_code == 200
    sandbox.reset()
    sandbox.fault("twitter", status=503, reads=True)
    assert timeline(sandbox, user_id).status_code == 503
    assert timeline(sandbox, user_id).status_code == 200


# The `created` fault ---------------------------------------------------------------


def _li_post(sandbox: Any, text: str) -> Any:
    today = datetime.now(UTC)
    month = today.year * 12 + today.month - 2  # last month's version
    body = {
        "author": "urn:li:organization:5515715",
        "commentary": text,
        "visibility": "PUBLIC",
        "distribution": {
            "feedDistribution": "MAIN_FEED",
            "targetEntities": [],
            "thirdPartyDistributionChannels": [],
        },
        "lifecycleState": "PUBLISHED",
        "isReshareDisabledByAuthor": False,
    }
    headers = {
        "Authorization": "Bearer AQVlinkedinSECRET",
        "LinkedIn-Version": f"{month // 12}{month % 12 + 1:02d}",
        "X-Restli-Protocol-Version": "2.0.0",
    }
    return requests.post(f"{sandbox.url}/rest/posts", json=body, headers=headers, timeout=5)


CREATORS = {
    "twitter": lambda sb, text: requests.post(
        f"{sb.url}/2/tweets", json={"text": text}, auth=auth(), timeout=5
    ),
    "facebook": lambda sb, text: requests.post(
        f"{sb.url}/v21.0/1049283746/feed",
        data={"message": text, "access_token": "EAAGpagetokenSECRET"},
        timeout=5,
    ),
    "linkedin": _li_post,
    "bitly": lambda sb, text: requests.post(
        f"{sb.url}/v4/shorten",
        json={"long_url": f"https://example.com/{text.replace(' ', '-')}"},
        headers={"Authorization": "Bearer bitly-SECRET-token"},
        timeout=5,
    ),
}


@pytest.mark.parametrize("network", sorted(CREATORS))
def test_created_fault_makes_the_post_then_answers_the_error(sandbox: Any, network: str) -> None:
    sandbox.fault(network, status=500, created=True)
    assert CREATORS[network](sandbox, "made anyway").status_code == 500
    [post] = sandbox.posts(network)
    assert "made" in (post.get("text") or post.get("long_url") or "")
    assert CREATORS[network](sandbox, "then fine").status_code in {200, 201}
    assert len(sandbox.posts(network)) == 2


def test_without_created_a_server_error_makes_nothing(sandbox: Any) -> None:
    sandbox.fault("twitter", status=500)
    assert CREATORS["twitter"](sandbox, "not made").status_code == 500
    assert sandbox.posts("twitter") == []


@pytest.mark.parametrize(
    "kwargs",
    [
        {"delay": 1, "created": True},
        {"status": 429, "created": True},
        {"status": 500, "created": True, "reads": True},
    ],
)
def test_created_fault_arguments_are_checked(sandbox: Any, kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="created"):
        sandbox.fault("twitter", **kwargs)


def test_created_fault_over_the_control_api_and_on_the_page(sandbox: Any) -> None:
    fault = {"network": "facebook", "status": 503, "created": True}
    answer = requests.post(f"{sandbox.url}/_sandbox/faults", json=fault, timeout=5)
    assert answer.status_code == 201 and answer.json()["fault"]["created"] is True
    page = requests.get(sandbox.url + "/", timeout=5).text
    assert "answers 503 after creating the post" in page
    refused = {"network": "facebook", "status": 400, "created": True}
    assert (
        requests.post(f"{sandbox.url}/_sandbox/faults", json=refused, timeout=5).status_code == 400
    )
    assert CREATORS["facebook"](sandbox, "made anyway").status_code == 503
    assert len(sandbox.posts("facebook")) == 1


# The adapter's find ----------------------------------------------------------------


def test_finds_a_single_post_with_a_link_and_an_ampersand(sandbox: Any) -> None:
    since = datetime.now(UTC) - timedelta(seconds=5)
    receipt = send(sandbox, LINKED)
    finding = find(sandbox, LINKED, since=since)
    assert finding.answer is Answer.FOUND
    assert finding.part_ids == receipt.part_ids
    assert finding.url == receipt.url
    [post] = sandbox.posts("twitter")
    assert finding.posted_at == datetime.fromisoformat(post["at"])
    assert finding.posted_at is not None and finding.posted_at.tzinfo is not None
    assert finding.checked.startswith("read 1 post of @sandbox_")
    assert since.strftime("%Y-%m-%d %H:%M UTC") in finding.checked
    assert KEYS["access_token"] not in finding.checked


def test_finds_the_rest_of_a_thread_after_the_recorded_part(sandbox: Any) -> None:
    parts = ("1/3 first", "2/3 second https://blog.example.com/a", "3/3 third & last")
    first = send(sandbox, parts[0])
    rest = send(sandbox, *parts, sent_parts=first.part_ids)
    finding = find(sandbox, *parts, sent_parts=first.part_ids)
    assert finding.answer is Answer.FOUND
    assert finding.part_ids == rest.part_ids[1:]
    assert finding.url == first.url  # the thread's first part, already recorded
    posted = {p["id"]: datetime.fromisoformat(p["at"]) for p in sandbox.posts("twitter")}
    assert finding.posted_at == posted[rest.part_ids[1]]


def test_absent_when_nothing_matches_in_a_complete_listing(sandbox: Any) -> None:
    send(sandbox, "Something else entirely")
    finding = find(sandbox, "The post we are looking for")
    assert finding == Finding(answer=Answer.ABSENT, checked=finding.checked)
    assert finding.checked.startswith("read 1 post of @")


def test_posts_before_since_are_not_looked_at(sandbox: Any) -> None:
    send(sandbox, "Old words")
    finding = find(sandbox, "Old words", since=datetime.now(UTC) + timedelta(seconds=2))
    assert finding.answer is Answer.ABSENT
    assert finding.checked.startswith("read 0 posts of @")


def test_absent_with_the_leading_parts_of_a_thread_cut_short(sandbox: Any) -> None:
    parts = ("1/3 first", "2/3 second", "3/3 third")
    sent = send(sandbox, *parts[:2])
    finding = find(sandbox, *parts)
    assert finding.answer is Answer.ABSENT
    assert finding.part_ids == sent.part_ids
    assert finding.url == sent.url


def test_a_reply_to_another_post_is_not_the_next_part(sandbox: Any) -> None:
    first = send(sandbox, "1/2 first")
    elsewhere = send(sandbox, "something unrelated")
    # "2/2 second" goes out as a reply to the wrong post.
    send(sandbox, "something unrelated", "2/2 second", sent_parts=elsewhere.part_ids)
    assert [p["text"] for p in sandbox.posts("twitter")][-1] == "2/2 second"
    finding = find(sandbox, "1/2 first", "2/2 second")
    assert finding.answer is Answer.ABSENT
    assert finding.part_ids == first.part_ids


def test_unsure_when_the_listing_is_longer_than_what_is_read(sandbox: Any) -> None:
    send(sandbox, "The oldest post")
    post_many(sandbox, twitter_find.MAX_PAGES * twitter_find.PAGE_SIZE)
    finding = find(sandbox, "The oldest post")
    assert finding.answer is Answer.UNSURE and finding.part_ids == ()
    assert f"read {twitter_find.MAX_PAGES * twitter_find.PAGE_SIZE} posts" in finding.checked
    assert f"after {twitter_find.MAX_PAGES} pages" in finding.checked
    # What the pages read do hold is found all the same.
    newest = f"filler {twitter_find.MAX_PAGES * twitter_find.PAGE_SIZE - 1}"
    assert find(sandbox, newest).answer is Answer.FOUND


def test_the_same_words_on_another_account_are_not_found(sandbox: Any) -> None:
    send(sandbox, "Shared words", keys=OTHER_KEYS)
    assert find(sandbox, "Shared words").answer is Answer.ABSENT
    assert find(sandbox, "Shared words", network=adapter(sandbox, OTHER_KEYS)).answer is (
        Answer.FOUND
    )


def test_one_word_different_is_another_post(sandbox: Any) -> None:
    send(sandbox, "New post: how we ship on Fridays https://blog.example.com/a")
    finding = find(sandbox, "New post: how we ship on Mondays https://blog.example.com/a")
    assert finding.answer is Answer.ABSENT
    other_link = find(sandbox, "New post: how we ship on Fridays https://blog.example.com/b")
    assert other_link.answer is Answer.ABSENT


@pytest.mark.parametrize("echo", [False, True])
def test_a_failed_read_is_transient_and_keeps_secrets(sandbox: Any, echo: bool) -> None:
    sandbox.fault("twitter", status=500, reads=True, echo=echo)
    with pytest.raises(Transient, match="read of the account's posts") as caught:
        find(sandbox, "Anything")
    assert "500" in str(caught.value)
    assert_no_secret(caught.value)
    assert sandbox.posts("twitter") == []
    assert find(sandbox, "Anything").answer is Answer.ABSENT  # the fault is used up


def test_a_rate_limited_read_says_when_to_come_back(sandbox: Any) -> None:
    sandbox.fault("twitter", status=429, reads=True, reset_in=300)
    with pytest.raises(RateLimited) as caught:
        find(sandbox, "Anything")
    reset_at = caught.value.reset_at
    assert reset_at is not None and reset_at > datetime.now(UTC) + timedelta(seconds=290)


def test_a_read_that_times_out_is_transient(sandbox: Any) -> None:
    sandbox.fault("twitter", delay=TIMEOUT + 0.5, reads=True)
    with pytest.raises(Transient, match="did not answer a read of the account's posts"):
        find(sandbox, "Anything")


def test_the_account_is_looked_up_once_per_adapter(sandbox: Any) -> None:
    network = adapter(sandbox)
    find(sandbox, "one", network=network)
    find(sandbox, "two", network=network)
    paths = [r["path"] for r in sandbox.requests("twitter")]
    assert paths.count("/2/users/me") == 1 and len(paths) == 3


def test_nothing_is_read_when_every_part_is_recorded(sandbox: Any) -> None:
    finding = find(sandbox, "a", "b", sent_parts=("111", "222"))
    assert finding.answer is Answer.FOUND and finding.part_ids == ()
    assert finding.url == "https://x.com/i/web/status/111"
    assert sandbox.requests("twitter") == []


def test_a_post_created_behind_a_server_error_is_found(sandbox: Any) -> None:
    sandbox.fault("twitter", status=500, created=True)
    with pytest.raises(Uncertain, match="may have been published") as caught:
        send(sandbox, LINKED)
    assert_no_secret(caught.value)
    [post] = sandbox.posts("twitter")
    finding = find(sandbox, LINKED)
    assert finding.answer is Answer.FOUND
    assert finding.part_ids == (post["id"],)
    assert finding.url == post["url"]


def test_duplicate_content_raises_duplicate(sandbox: Any) -> None:
    send(sandbox, "Same words twice")
    with pytest.raises(Duplicate, match="duplicate content") as caught:
        send(sandbox, "Same words twice")
    assert isinstance(caught.value, Rejected)
    assert caught.value.channel == "x-main" and caught.value.existing is None
    assert "crosspost done" in str(caught.value)
    assert_no_secret(caught.value)
