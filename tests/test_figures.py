"""`read_figures` of each API adapter, through its real client library against the real
sandbox over HTTP: followers and metrics read and mapped, batches past one request, a
deleted post left out, a hidden metric as None with a note, a reads fault raised as a
DeliveryError, a LinkedIn member's figures unavailable; and the sandbox's control
endpoints for them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
import tweepy

from crosspost.errors import DeliveryError
from crosspost.networks.base import METRICS, Answer, Outgoing
from crosspost.networks.bluesky import BlueskyNetwork
from crosspost.networks.facebook import FacebookNetwork
from crosspost.networks.linkedin import LinkedInNetwork
from crosspost.networks.mastodon import MastodonNetwork
from crosspost.networks.twitter import TwitterNetwork
from crosspost.sandbox import figures as sandbox_figures

X_KEYS = {
    "consumer_key": "ck-SECRET",
    "consumer_secret": "cs-SECRET",
    "access_token": "4242-at-SECRET",
    "access_token_secret": "ats-SECRET",
}
PAGE = "111"
ORG = "urn:li:organization:42"
HANDLE = "school.bsky.social"


def x(sandbox: Any) -> TwitterNetwork:
    return TwitterNetwork(channel="x", credentials=X_KEYS, api_url=sandbox.url, timeout=5)


def fb(sandbox: Any) -> FacebookNetwork:
    settings = {"page_id": PAGE, "graph_version": "v24.0"}
    return FacebookNetwork(
        channel="fb", settings=settings, credentials={"page_token": "tok-SECRET"},
        api_url=sandbox.url, timeout=5,
    )  # fmt: skip


def li(sandbox: Any, author: str = ORG) -> LinkedInNetwork:
    return LinkedInNetwork(
        channel="li", settings={"author": author}, credentials={"access_token": "tok-SECRET"},
        api_url=sandbox.url, timeout=5,
    )  # fmt: skip


def masto(sandbox: Any) -> MastodonNetwork:
    return MastodonNetwork(
        channel="m", settings=None, credentials={"access_token": "tok-SECRET"},
        api_url=sandbox.url, timeout=5,
    )  # fmt: skip


def bsky(sandbox: Any, tmp_path: Path) -> BlueskyNetwork:
    return BlueskyNetwork(
        channel="b", settings={"handle": HANDLE},
        credentials={"app_password": "abcd-efgh-ijkl-mnop"},
        api_url=sandbox.url, timeout=5, state_dir=tmp_path / "bsky",
    )  # fmt: skip


def post(network: Any, text: str, n: int = 0) -> str:
    outgoing = Outgoing(
        channel=network.channel, parts=(text,), key=f"{n:032x}", link="https://e.example/a"
    )
    return network.send(outgoing=outgoing).remote_id


def control(sandbox: Any, action: str, body: Any) -> requests.Response:
    return requests.post(f"{sandbox.url}/_sandbox/{action}", json=body, timeout=5)


# The sandbox's names are the contract's ------------------------------------------------


def test_the_sandbox_speaks_the_contracts_metric_names() -> None:
    assert sandbox_figures.METRICS == METRICS


# X -----------------------------------------------------------------------------------


def test_x_reads_followers_and_public_metrics_mapped(sandbox: Any) -> None:
    net = x(sandbox)
    first, second = post(net, "one"), post(net, "two")
    control(sandbox, "followers", {"network": "twitter", "count": 3200}).raise_for_status()
    told = {"likes": 3, "comments": 2, "shares": 5, "quotes": 1, "impressions": 120}
    reply = control(sandbox, "engagement", {"network": "twitter", "id": first, "metrics": told})
    assert reply.status_code == 200
    got = net.read_figures(post_ids=[first, second])
    assert got.followers == 3200
    assert got.posts[first] == told
    assert got.posts[second] == {
        k: v for k, v in sandbox.engagement("twitter", second).items() if k != "clicks"
    }
    assert got.notes == ()
    assert TwitterNetwork.info.reads_billed is True


def test_x_reads_past_a_hundred_ids_in_batches_and_leaves_deleted_posts_out(sandbox: Any) -> None:
    net = x(sandbox)
    ids = [post(net, f"post {i}") for i in range(103)]
    assert sandbox.delete_post("twitter", ids[50])
    before = len(sandbox.requests("twitter"))
    got = net.read_figures(post_ids=ids)
    lookups = [r for r in sandbox.requests("twitter")[before:] if r["path"] == "/2/tweets"]
    assert [len(r["query"]["ids"].split(",")) for r in lookups] == [100, 3]
    assert set(got.posts) == set(ids) - {ids[50]}


def test_x_tier_without_impressions_gives_none_and_a_note(sandbox: Any) -> None:
    net = x(sandbox)
    tweet = post(net, "hidden")
    reply = control(sandbox, "tier", {"network": "twitter", "hides": ["impressions"]})
    assert reply.json() == {"network": "twitter", "hides": ["impressions"]}
    got = net.read_figures(post_ids=[tweet])
    assert got.posts[tweet]["impressions"] is None
    assert got.posts[tweet]["likes"] == sandbox.engagement("twitter", tweet)["likes"]
    assert any("impression" in note for note in got.notes)


def test_x_a_reads_fault_is_a_delivery_error_without_secrets(sandbox: Any) -> None:
    net = x(sandbox)
    tweet = post(net, "fault")
    sandbox.fault("twitter", status=503, reads=True)
    with pytest.raises(DeliveryError) as caught:
        net.read_figures(post_ids=[tweet])
    assert all(secret not in str(caught.value) for secret in X_KEYS.values())


def test_x_lookup_refuses_more_than_a_hundred_ids(sandbox: Any) -> None:
    auth = tweepy.OAuth1UserHandler(*X_KEYS.values()).apply_auth()
    ids = ",".join(str(1860000000000000000 + i) for i in range(1, 102))
    answer = requests.get(f"{sandbox.url}/2/tweets", params={"ids": ids}, auth=auth, timeout=5)
    assert answer.status_code == 400
    assert "between 1 and 100" in answer.json()["errors"][0]["message"]
    unsigned = requests.get(f"{sandbox.url}/2/tweets", params={"ids": "1"}, timeout=5)
    assert unsigned.status_code == 401


# Facebook ----------------------------------------------------------------------------


def test_facebook_reads_followers_reactions_comments_shares_and_views(sandbox: Any) -> None:
    net = fb(sandbox)
    first, second = post(net, "one"), post(net, "two")
    sandbox.set_followers("facebook", 3200, account=PAGE)
    sandbox.set_engagement("facebook", first, likes=7, comments=2, shares=0, impressions=450)
    got = net.read_figures(post_ids=[first, second, f"{PAGE}_999"])
    assert got.followers == 3200
    assert got.posts[first] == {"likes": 7, "comments": 2, "shares": 0, "impressions": 450}
    assert set(got.posts) == {first, second}  # the one Graph does not have is left out
    insights = [r for r in sandbox.requests("facebook") if r["path"].endswith("/insights")]
    assert {r["query"]["metric"] for r in insights} == {"post_media_view"}
    assert all("access_token" not in r["query"] for r in sandbox.requests("facebook"))


def test_facebook_insights_refused_gives_none_and_a_note_the_rest_recorded(sandbox: Any) -> None:
    net = fb(sandbox)
    first = post(net, "one")
    sandbox.set_engagement("facebook", first, likes=4)
    sandbox.set_tier("facebook", hides=["impressions"])
    got = net.read_figures(post_ids=[first])
    assert got.posts[first]["impressions"] is None
    assert got.posts[first]["likes"] == 4
    assert len(got.notes) == 1 and "insights" in got.notes[0]
    assert "tok-SECRET" not in got.notes[0]


def test_facebook_deprecated_impressions_metric_is_refused(sandbox: Any) -> None:
    net = fb(sandbox)
    first = post(net, "one")
    answer = requests.get(
        f"{sandbox.url}/v24.0/{first}/insights",
        params={"metric": "post_impressions"},
        headers={"Authorization": "Bearer tok"},
        timeout=5,
    )
    assert answer.status_code == 400
    assert "post_media_view" in answer.json()["error"]["message"]


# LinkedIn ----------------------------------------------------------------------------


def test_linkedin_reads_organization_followers_and_share_statistics(sandbox: Any) -> None:
    net = li(sandbox)
    first, second = post(net, "one"), post(net, "two")
    sandbox.set_followers("linkedin", 3200, account=ORG)
    told = {"impressions": 900, "clicks": 31, "likes": 12, "comments": 3, "shares": 2}
    sandbox.set_engagement("linkedin", first, **told)
    got = net.read_figures(post_ids=[first, second, "urn:li:share:1"])
    assert got.followers == 3200
    assert got.posts[first] == told
    assert set(got.posts) == {first, second}
    stats = [r for r in sandbox.requests("linkedin") if "ShareStatistics" in r["path"]]
    assert stats[-1]["query"]["shares"].startswith("List(urn:li:share:")
    assert stats[-1]["headers"]["linkedin-version"] == net.settings.linkedin_version


def test_linkedin_member_author_has_no_figures_with_one_note(sandbox: Any) -> None:
    net = li(sandbox, author="urn:li:person:abc")
    first = post(net, "one")
    got = net.read_figures(post_ids=[first])
    assert got.followers is None
    assert got.posts == {
        first: dict.fromkeys(("impressions", "clicks", "likes", "comments", "shares"))
    }
    assert len(got.notes) == 1 and "organization" in got.notes[0]


def test_linkedin_statistics_refuse_an_encoded_list(sandbox: Any) -> None:
    headers = {"Authorization": "Bearer t", "LinkedIn-Version": "202605"}
    headers["X-Restli-Protocol-Version"] = "2.0.0"
    answer = requests.get(
        f"{sandbox.url}/rest/organizationalEntityShareStatistics",
        params={
            "q": "organizationalEntity",
            "organizationalEntity": ORG,
            "shares": "urn:li:share:1",
        },
        headers=headers,
        timeout=5,
    )
    assert answer.status_code == 400
    assert "List(" in answer.json()["message"]


# Mastodon ----------------------------------------------------------------------------


def test_mastodon_reads_followers_and_status_counts(sandbox: Any) -> None:
    net = masto(sandbox)
    first = post(net, "one", 1)
    sandbox.set_followers("mastodon", 77)
    sandbox.set_engagement("mastodon", first, likes=5, shares=2, comments=1, impressions=9)
    got = net.read_figures(post_ids=[first, "999999"])
    assert got.followers == 77
    # Mastodon counts no impressions: the metric is absent, not None.
    assert got.posts == {first: {"likes": 5, "shares": 2, "comments": 1}}


# Bluesky -----------------------------------------------------------------------------


def test_bluesky_reads_followers_and_counts_past_25_uris(sandbox: Any, tmp_path: Path) -> None:
    net = bsky(sandbox, tmp_path)
    uris = [post(net, f"post {i}", i) for i in range(27)]
    sandbox.set_followers("bluesky", 640, account=HANDLE)
    sandbox.set_engagement("bluesky", uris[0], likes=9, shares=4, comments=2, quotes=1)
    assert sandbox.delete_post("bluesky", uris[26])
    got = net.read_figures(post_ids=uris)
    assert got.followers == 640
    assert got.posts[uris[0]] == {"likes": 9, "shares": 4, "comments": 2, "quotes": 1}
    assert set(got.posts) == set(uris[:26])
    calls = [r for r in sandbox.requests("bluesky") if r["path"].endswith("getPosts")]
    assert len(calls) == 2


@pytest.mark.parametrize("network", ["facebook", "linkedin", "mastodon", "bluesky"])
def test_a_reads_fault_is_a_delivery_error(sandbox: Any, tmp_path: Path, network: str) -> None:
    make = {"facebook": fb, "linkedin": li, "mastodon": masto}
    net = make[network](sandbox) if network in make else bsky(sandbox, tmp_path)
    first = post(net, "one", 1)
    sandbox.fault(network, status=503, reads=True)
    with pytest.raises(DeliveryError) as caught:
        net.read_figures(post_ids=[first])
    assert "SECRET" not in str(caught.value)


# Defaults and control endpoints ------------------------------------------------------


def test_figures_never_set_are_non_zero_and_stable(sandbox: Any) -> None:
    net = x(sandbox)
    tweet = post(net, "default")
    one, two = net.read_figures(post_ids=[tweet]), net.read_figures(post_ids=[tweet])
    assert one == two
    assert one.followers and one.followers > 0
    assert one.posts[tweet]["impressions"]


@pytest.mark.parametrize(
    ("action", "body", "said"),
    [
        ("followers", {"network": "nowhere", "count": 3}, "unknown network"),
        ("followers", {"network": "twitter", "count": -1}, "count must be an integer >= 0"),
        ("followers", {"network": "twitter"}, "followers needs"),
        ("followers", {"network": "twitter", "count": 1, "acount": "x"}, "unknown field 'acount'"),
        (
            "engagement",
            {"network": "twitter", "id": "1", "metrics": {"views": 1}},
            "unknown metric 'views'",
        ),
        (
            "engagement",
            {"network": "twitter", "id": "1", "metrics": {"likes": "3"}},
            "metric 'likes'",
        ),
        ("engagement", {"network": "twitter", "metrics": {"likes": 3}}, "id must be"),
        ("tier", {"network": "mastodon", "hides": ["impressions"]}, "mastodon can hide nothing"),
        ("tier", {"network": "twitter", "hides": "impressions"}, "hides must be a list"),
        ("delete", {"network": "twitter", "id": "123"}, "twitter has no post '123'"),
        ("followers", {"network": "bitly", "count": 3}, "bit.ly has no followers"),
    ],
)
def test_control_endpoints_refuse_bad_input(
    sandbox: Any, action: str, body: Any, said: str
) -> None:
    reply = control(sandbox, action, body)
    assert reply.status_code == 400
    assert said in reply.json()["error"]


def test_control_followers_per_account_and_for_all(sandbox: Any) -> None:
    assert control(sandbox, "followers", {"network": "facebook", "count": 10, "account": "1"}).ok
    assert sandbox.followers("facebook", "1") == 10
    assert control(sandbox, "followers", {"network": "facebook", "count": 20}).ok
    assert sandbox.followers("facebook", "1") == sandbox.followers("facebook", "2") == 20
    listed = requests.post(f"{sandbox.url}/_sandbox/nothing", json={}, timeout=5).json()
    assert "POST /_sandbox/engagement" in listed["endpoints"]


def test_the_state_shows_the_figures_set(sandbox: Any) -> None:
    sandbox.set_followers("linkedin", 3200, account=ORG)
    sandbox.set_tier("twitter", hides=["impressions"])
    state = requests.get(f"{sandbox.url}/_sandbox/state", timeout=5).json()
    assert state["figures"]["linkedin"]["followers"] == {ORG: 3200}
    assert state["figures"]["twitter"]["hides"] == ["impressions"]


def test_x_users_me_refuses_an_unknown_user_field(sandbox: Any) -> None:
    auth = tweepy.OAuth1UserHandler(*X_KEYS.values()).apply_auth()
    answer = requests.get(
        f"{sandbox.url}/2/users/me", params={"user.fields": "followers"}, auth=auth, timeout=5
    )
    assert answer.status_code == 400
    assert "[followers]" in answer.json()["errors"][0]["message"]
    fine = requests.get(
        f"{sandbox.url}/2/users/me", params={"user.fields": "public_metrics"}, auth=auth, timeout=5
    )
    assert fine.json()["data"]["public_metrics"]["followers_count"] > 0


def test_a_deleted_bluesky_post_is_gone_from_get_record_too(sandbox: Any, tmp_path: Path) -> None:
    net = bsky(sandbox, tmp_path)
    outgoing = Outgoing(channel="b", parts=("gone",), key="c" * 32)
    uri = net.send(outgoing=outgoing).remote_id
    sandbox.delete_post("bluesky", uri)
    since = datetime.now(UTC) - timedelta(minutes=5)
    assert net.find(outgoing=outgoing, since=since).answer is Answer.ABSENT
