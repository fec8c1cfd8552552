"""Bluesky's figures as `crosspost stats` reads them: app.bsky.actor.getProfile
(followersCount) and app.bsky.feed.getPosts (each post's like, repost, reply and
quote counts), from the sandbox's figures (`figures.py`).

getPosts takes up to 25 `uris`, the parameter repeated; a uri the AppView does
not have (deleted, never made) is left out of `posts`, without an error.
"""

from __future__ import annotations

import re
from typing import Any

from crosspost.sandbox import figures
from crosspost.sandbox.state import Store
from crosspost.sandbox.wire import Reply, Request

NETWORK = "bluesky"
MAX_URIS = 25
POST_URI = re.compile(r"^at://(?P<repo>[^/]+)/app\.bsky\.feed\.post/(?P<rkey>[^/]+)$")
WIRE_NAMES = {"likes": "likeCount", "shares": "repostCount", "comments": "replyCount"} | {
    "quotes": "quoteCount"
}


def get_profile(req: Request, store: Store, _: re.Match[str]) -> Reply:
    from crosspost.sandbox import bluesky  # it imports this module for its routes

    with store.lock:
        _session, problem = bluesky._authorized(req, store)
        if problem is not None:
            return problem
    actor = req.query.get("actor", "").strip()
    if not actor:
        return bluesky._invalid('Input must have the property "actor"')
    if actor.startswith("did:"):
        did = actor
        handle = next(
            (s["handle"] for s in bluesky._memory(store)["access"].values() if s["did"] == actor),
            None,
        )
        if handle is None:
            return bluesky._invalid("Profile not found")
    else:
        handle = actor.lower()
        if not bluesky.HANDLE.match(handle) or handle.endswith(".invalid"):
            return bluesky._invalid("Profile not found")
        did = bluesky._did(handle)
    with store.lock:
        posts = sum(1 for p in store.live_posts(NETWORK) if p["account"] == handle)
    body = {
        "did": did,
        "handle": handle,
        "displayName": f"Sandbox {handle}",
        "followersCount": figures.followers(store, NETWORK, handle, did),
        "followsCount": 12,
        "postsCount": posts,
        "indexedAt": "2026-01-05T00:00:00.000Z",
    }
    return Reply(200, body)


def get_posts(req: Request, store: Store, _: re.Match[str]) -> Reply:
    from crosspost.sandbox import bluesky  # it imports this module for its routes

    with store.lock:
        _session, problem = bluesky._authorized(req, store)
        if problem is not None:
            return problem
    uris = req.query_lists.get("uris", [])
    if not uris:
        return bluesky._invalid('Input must have the property "uris"')
    if len(uris) > MAX_URIS:
        return bluesky._invalid(f"Input/uris must not have more than {MAX_URIS} elements")
    bad = next((u for u in uris if not POST_URI.match(u)), None)
    if bad is not None:
        return bluesky._invalid(f"Input/uris/{uris.index(bad)} must be a valid at-uri")
    with store.lock:
        stored = {p["id"]: p for p in store.live_posts(NETWORK)}
        records = dict(bluesky._memory(store)["records"])
    views = [
        _view(store, stored[u], records.get(u, {})) for u in dict.fromkeys(uris) if u in stored
    ]
    return Reply(200, {"posts": views})


def _view(store: Store, post: dict[str, Any], record: dict[str, Any]) -> dict[str, Any]:
    did = POST_URI.match(post["id"]).group("repo")  # type: ignore[union-attr]
    counts = figures.counts(store, NETWORK, post["id"])
    view: dict[str, Any] = {
        "uri": post["id"],
        "cid": post["cid"],
        "author": {"did": did, "handle": post["account"]},
        "record": record.get("value") or {"$type": "app.bsky.feed.post", "text": post["text"]},
        "indexedAt": post["at"],
    }
    view |= {wire: counts[name] for name, wire in WIRE_NAMES.items()}
    return view
