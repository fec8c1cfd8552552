"""bit.ly's account reads: the account behind a token (`GET /v4/user`, which
`crosspost auth bitly` and `crosspost doctor` ask) and its plan's monthly limits
(`GET /v4/user/platform_limits`).

bit.ly's generic access tokens are 40 hexadecimal digits: a token of another
shape is refused here (403 FORBIDDEN, as bit.ly answers one), except the
sandbox's own stand-ins for an unset token (`sandbox-...`), which stand for a
good one.  Shortening keeps taking any token.

The shorten count is the links made in this sandbox, unless a test says otherwise
(a quota nearly spent):

    sandbox.memory("bitly")["limits"] = {"limit": 100, "count": 97}
"""

from __future__ import annotations

import re

from crosspost.sandbox.state import Store
from crosspost.sandbox.wire import Reply, Request

NETWORK = "bitly"
USER_PATH = re.compile(r"^/v4/user/?$")
LIMITS_PATH = re.compile(r"^/v4/user/platform_limits/?$")
FREE_PLAN_SHORTENS = 1000
GENERIC_TOKEN = re.compile(
    r"^([0-9a-f]{40}|sandbox-.+)$"
)  # a month's /v4/shorten calls on the sandbox's plan


def user(req: Request, store: Store, found: re.Match[str]) -> Reply:
    from crosspost.sandbox import bitly  # it imports this module for its routes

    token = bitly._token(req)
    if token is None or not GENERIC_TOKEN.match(token):
        return bitly._forbidden()
    with store.lock:
        login = store.memory(NETWORK).get("login", "sandbox-school")
    body = {"login": login, "name": login, "is_active": True, "default_group_guid": "Bsandbox"}
    return Reply(200, body)


def platform_limits(req: Request, store: Store, found: re.Match[str]) -> Reply:
    from crosspost.sandbox import bitly  # it imports this module for its routes

    if bitly._token(req) is None:
        return bitly._forbidden()
    with store.lock:
        told = store.memory(NETWORK).get("limits", {})
        count = told.get("count", len(store.live_posts(NETWORK)))
        limit = told.get("limit", FREE_PLAN_SHORTENS)
    shorten = {
        "endpoint": "/v4/shorten",
        "methods": [{"name": "POST", "limit": limit, "count": count}],
    }
    return Reply(200, {"platform_limits": [shorten]})
