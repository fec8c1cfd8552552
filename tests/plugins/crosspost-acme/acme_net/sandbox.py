"""Acme's API for `crosspost publish --sandbox`: POST and GET /acme/posts.

What the adapter relies on is emulated: a bearer token, the Idempotency-Key
replay (a repeated key answers the first post again, creating nothing), and a
listing of the account's posts for `find`.  Registered in `crosspost.sandbox.v1`.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from typing import Any

from crosspost.sandbox.state import Fault, Store, now_iso
from crosspost.sandbox.wire import Api, Reply, Request, Route

from . import MAX_LENGTH, acme_length

NETWORK = "acme"
_POSTS = re.compile(r"^/acme/posts/?$")


def _error(status: int, message: str) -> Reply:
    return Reply(status, {"error": message})


def _account(req: Request) -> str | None:
    """Who the bearer token posts as, named by a digest: the page never shows a token."""
    scheme, _, token = (req.header("authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return "acme:" + hashlib.sha256(token.strip().encode()).hexdigest()[:8]


def _public(post: dict[str, Any]) -> dict[str, Any]:
    return {k: post[k] for k in ("id", "text", "url", "at")}


def create_post(req: Request, store: Store, found: re.Match[str]) -> Reply:
    account = _account(req)
    if account is None:
        return _error(401, "a bearer token is required")
    text = req.json.get("text") if isinstance(req.json, dict) else None
    if not isinstance(text, str) or not text.strip():
        return _error(400, "`text` is required")
    if acme_length(text) > MAX_LENGTH:
        return _error(400, f"the text is {acme_length(text)} long; Acme takes {MAX_LENGTH}")
    key = req.header("idempotency-key")
    with store.lock:  # check and create together: a retry must not slip in between
        keys = store.memory(NETWORK).setdefault("keys", {})
        if key and (account, key) in keys:
            return Reply(200, _public(keys[account, key]))  # the first answer, again
        number = store.next_number(NETWORK)
        post: dict[str, Any] = {
            "id": str(number),
            "text": text,
            "url": f"https://acme.example/posts/{number}",
            "account": account,
            "at": now_iso(),
            "reply_to": None,
            "link": None,
            "media": [],
            "length": acme_length(text),
            "limit": MAX_LENGTH,
        }
        store.add_post(NETWORK, post)
        if key:
            keys[account, key] = post
    return Reply(201, _public(post))


def list_posts(req: Request, store: Store, found: re.Match[str]) -> Reply:
    """The account's posts since `?since=` (ISO 8601), newest first, all of them."""
    account = _account(req)
    if account is None:
        return _error(401, "a bearer token is required")
    try:
        since = datetime.fromisoformat(req.query.get("since") or "1970-01-01T00:00:00+00:00")
    except ValueError:
        return _error(400, "`since` must be an ISO 8601 time")
    with store.lock:
        posts = [
            _public(p)
            for p in reversed(store.live_posts(NETWORK))
            if p["account"] == account and datetime.fromisoformat(p["at"]) >= since
        ]
    return Reply(200, {"posts": posts})


def fault_reply(fault: Fault, req: Request, store: Store) -> Reply:
    """An injected fault in Acme's own error shape."""
    if fault.status == 429:
        reply = _error(429, "slow down")
        reply.headers["Retry-After"] = str(fault.reset_in)
        return reply
    said = {401: "the token is not valid", 400: "the request is invalid"}
    return _error(fault.status or 500, said.get(fault.status or 500, "Acme had a server error"))


API = Api(
    network=NETWORK,
    owns=lambda path: path.startswith("/acme/"),
    routes=(
        Route("POST", _POSTS, create_post),
        Route("GET", _POSTS, list_posts, posting=False),
    ),
    fault_reply=fault_reply,
    not_found=lambda req: _error(404, f"Acme has nothing at {req.path}"),
    title="Acme",
    accent="#d9480f",
)
