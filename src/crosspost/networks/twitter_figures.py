"""X's figures for `crosspost stats`: the account's followers_count (GET /2/users/me
with user.fields=public_metrics) and each post's public_metrics (GET /2/tweets?ids=,
at most 100 ids a request).

Every read is billed on pay-per-use (`NetworkInfo.reads_billed`), so one users/me
and one lookup per hundred posts is all a reading costs.  Imported only from
inside `TwitterNetwork.read_figures`; tweepy is the caller's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from crosspost.networks.base import Figures

if TYPE_CHECKING:
    import tweepy

BATCH = 100  # X's largest `ids` list for GET /2/tweets
# public_metrics field -> crosspost's name (networks/base.py METRICS).
WIRE_NAMES = {
    "impression_count": "impressions",
    "like_count": "likes",
    "reply_count": "comments",
    "retweet_count": "shares",
    "quote_count": "quotes",
}
IMPRESSIONS_HIDDEN = (
    "X gave no impression_count: the API tier of this app does not show impressions"
)


class UnreadableFigures(ValueError):
    """X answered with a shape crosspost does not know."""


def read(client: tweepy.Client, post_ids: Sequence[str]) -> Figures:
    """The followers and the metrics of `post_ids` that X still has."""
    followers = _followers(client.get_me(user_fields=["public_metrics"], user_auth=True))
    posts: dict[str, dict[str, int | None]] = {}
    hidden = False
    wanted = list(dict.fromkeys(str(p) for p in post_ids))
    for start in range(0, len(wanted), BATCH):
        answer = client.get_tweets(
            wanted[start : start + BATCH], tweet_fields=["public_metrics"], user_auth=True
        )
        for tweet in _tweets(answer):
            metrics, missing = _metrics(tweet.get("public_metrics"))
            posts[str(tweet["id"])] = metrics
            hidden = hidden or missing
    notes = (IMPRESSIONS_HIDDEN,) if hidden else ()
    return Figures(followers=followers, posts=posts, notes=notes)


def _followers(answer: Any) -> int | None:
    data = answer.get("data") if isinstance(answer, dict) else None
    if not isinstance(data, dict):
        raise UnreadableFigures("GET /2/users/me gave no user")
    metrics = data.get("public_metrics")
    count = metrics.get("followers_count") if isinstance(metrics, dict) else None
    return count if _is_count(count) else None


def _tweets(answer: Any) -> list[dict[str, Any]]:
    """The posts found; those X no longer has are in `errors`, and left out."""
    if not isinstance(answer, dict):
        raise UnreadableFigures("a post lookup that is not a JSON object")
    data = answer.get("data", [])
    if not isinstance(data, list) or not all(isinstance(t, dict) and t.get("id") for t in data):
        raise UnreadableFigures("a post lookup whose data is not a list of posts")
    return data


def _metrics(found: Any) -> tuple[dict[str, int | None], bool]:
    """(the post's metrics by crosspost's names, whether impressions were withheld)."""
    given = found if isinstance(found, dict) else {}
    metrics: dict[str, int | None] = {}
    for wire, name in WIRE_NAMES.items():
        value = given.get(wire)
        metrics[name] = value if _is_count(value) else None
    return metrics, metrics["impressions"] is None


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
