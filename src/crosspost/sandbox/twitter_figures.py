"""X's figures as `crosspost stats` reads them: GET /2/users/me with
`user.fields=public_metrics` (the account's followers_count) and GET /2/tweets?ids=
(each post's public_metrics), from the sandbox's figures (`figures.py`).

X's lookup takes 1 to 100 ids; an id it does not have (deleted, never made) is
not in `data` but in `errors`, as a resource-not-found problem.  A tier that
hides impressions (`set_tier("twitter", hides=["impressions"])`) leaves
`impression_count` out of `public_metrics`, as X does below the tiers that have it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from crosspost.sandbox import figures, twitter_reads
from crosspost.sandbox.state import Store

NETWORK = "twitter"
MAX_IDS = 100
LOOKUP_PARAMETERS = frozenset(
    {"ids", "expansions", "media.fields", "place.fields", "poll.fields", "tweet.fields"}
    | {"user.fields"}
)
ME_PARAMETERS = frozenset({"expansions", "tweet.fields", "user.fields"})
USER_FIELDS = frozenset(
    {
        "affiliation",
        "connection_status",
        "created_at",
        "description",
        "entities",
        "id",
        "location",
        "most_recent_tweet_id",
        "name",
        "pinned_tweet_id",
        "profile_banner_url",
        "profile_image_url",
        "protected",
        "public_metrics",
        "receives_your_dm",
        "subscription_type",
        "url",
        "username",
        "verified",
        "verified_type",
        "withheld",
    }
)
# X's canonical metric names on the wire.
WIRE_NAMES = {
    "likes": "like_count",
    "comments": "reply_count",
    "shares": "retweet_count",
    "quotes": "quote_count",
    "impressions": "impression_count",
}
NOT_FOUND = "https://api.twitter.com/2/problems/resource-not-found"


def me(user: dict[str, Any], store: Store, query: Mapping[str, str]) -> dict[str, Any]:
    """`GET /2/users/me`'s body, with the `user.fields` asked for."""
    _known(query, ME_PARAMETERS)
    fields = _listed(query.get("user.fields"), USER_FIELDS, "user.fields")
    data = dict(user)
    if "public_metrics" in fields:
        with store.lock:
            tweets = sum(1 for p in store.live_posts(NETWORK) if p.get("author_id") == user["id"])
        data["public_metrics"] = {
            "followers_count": figures.followers(store, NETWORK, user["id"], user["username"]),
            "following_count": 42,
            "tweet_count": tweets,
            "listed_count": 1,
            "like_count": 0,
            "media_count": 0,
        }
    return {"data": data}


def lookup(store: Store, query: Mapping[str, str]) -> dict[str, Any]:
    """`GET /2/tweets?ids=...`'s body: the posts X has, and an error for each it has not."""
    _known(query, LOOKUP_PARAMETERS)
    raw = query.get("ids")
    if raw is None:
        raise twitter_reads.BadQuery("The `ids` query parameter can not be empty", "ids", "")
    ids = raw.split(",")
    if not 1 <= len(ids) <= MAX_IDS:
        raise twitter_reads.BadQuery(
            f"The number of values in the `ids` query parameter list [{len(ids)}] is not "
            f"between 1 and {MAX_IDS}",
            "ids",
            raw,
        )
    bad = next((i for i in ids if not i.isdigit()), None)
    if bad is not None:
        raise twitter_reads.BadQuery(
            f"The `ids` query parameter value [{bad}] is not valid", "ids", bad
        )
    fields = twitter_reads._tweet_fields(query.get("tweet.fields"))
    hides = figures.hidden(store, NETWORK)
    with store.lock:
        by_id = {p["id"]: p for p in store.live_posts(NETWORK)}
    data, errors = [], []
    for tweet_id in dict.fromkeys(ids):
        post = by_id.get(tweet_id)
        if post is None:
            errors.append(_missing(tweet_id))
            continue
        tweet = twitter_reads.render(post, fields, by_id)
        if "public_metrics" in fields:
            tweet["public_metrics"] = public_metrics(store, tweet_id, hides)
        data.append(tweet)
    body: dict[str, Any] = {}
    if data:
        body["data"] = data
    if errors:
        body["errors"] = errors
    return body


def public_metrics(store: Store, tweet_id: str, hides: Iterable[str]) -> dict[str, int]:
    counts = figures.counts(store, NETWORK, tweet_id)
    shown = {wire: counts[name] for name, wire in WIRE_NAMES.items() if name not in hides}
    shown["bookmark_count"] = 0
    return shown


def _missing(tweet_id: str) -> dict[str, Any]:
    return {
        "value": tweet_id,
        "detail": f"Could not find tweet with ids: [{tweet_id}].",
        "title": "Not Found Error",
        "resource_type": "tweet",
        "parameter": "ids",
        "resource_id": tweet_id,
        "type": NOT_FOUND,
    }


def _known(query: Mapping[str, str], allowed: frozenset[str]) -> None:
    unknown = sorted(set(query) - allowed)
    if unknown:
        raise twitter_reads.BadQuery(
            f"The query parameters [{','.join(unknown)}] is not one of "
            f"[{','.join(sorted(allowed))}]",
            unknown[0],
            query[unknown[0]],
        )


def _listed(value: str | None, allowed: frozenset[str], name: str) -> frozenset[str]:
    names = frozenset(v for v in (value or "").split(",") if v)
    bad = sorted(names - allowed)
    if bad:
        raise twitter_reads.BadQuery(
            f"The `{name}` query parameter value [{bad[0]}] is not one of "
            f"[{','.join(sorted(allowed))}]",
            name,
            value,
        )
    return names
