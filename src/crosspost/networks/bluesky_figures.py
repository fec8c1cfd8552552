"""Bluesky's figures for `crosspost stats`: app.bsky.actor.getProfile (followersCount)
and app.bsky.feed.getPosts (each post's like, repost, reply and quote counts, at most
25 uris a call), through the channel's stored session (`bluesky_session.Connection`).
The SDK is imported inside `read`: this module must stay cheap to import."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from crosspost.networks.base import Figures
from crosspost.networks.bluesky_session import Connection

POSTS_BATCH = 25  # app.bsky.feed.getPosts takes at most 25 uris
# A post view's count -> crosspost's name (networks/base.py METRICS).
POST_COUNTS = (
    ("like_count", "likes"),
    ("repost_count", "shares"),
    ("reply_count", "comments"),
    ("quote_count", "quotes"),
)


class ReadsBlueskyFigures:
    """`BlueskyNetwork.read_figures`, apart so that the adapter class stays one concern."""

    _conn: Connection

    def read_figures(self, *, post_ids: Sequence[str]) -> Figures:
        """followersCount (getProfile) and each post's like, repost, reply and quote
        counts (getPosts, 25 uris a call), through the stored session."""
        return read(self._conn, post_ids)


def read(conn: Connection, post_ids: Sequence[str]) -> Figures:
    """The account's followers and the counts of each post the AppView still has."""
    from atproto_client import models

    client = conn.connect()
    profile = conn.call(
        "a read of the profile",
        client.app.bsky.actor.get_profile,
        models.AppBskyActorGetProfile.Params(actor=conn.did),
    )
    wanted = list(dict.fromkeys(str(p) for p in post_ids))
    posts: dict[str, dict[str, int | None]] = {}
    for start in range(0, len(wanted), POSTS_BATCH):
        answer = conn.call(
            "a read of posts",
            client.app.bsky.feed.get_posts,
            models.AppBskyFeedGetPosts.Params(uris=wanted[start : start + POSTS_BATCH]),
        )
        for view in answer.posts:  # a post the AppView no longer has is not listed
            posts[str(view.uri)] = {
                name: _count(getattr(view, wire, None)) for wire, name in POST_COUNTS
            }
    return Figures(followers=_count(profile.followers_count), posts=posts)


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None
