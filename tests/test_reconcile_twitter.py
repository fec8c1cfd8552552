"""Reconciling on X: the sandbox's reading routes and its `created` fault, over real HTTP
through tweepy and requests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
import tweepy

from crosspost.networks.base import Outgoing
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
