"""bit.ly as `crosspost doctor` reads it: the account behind a token, and its plan's
monthly limits (`GET /v4/user`, `GET /v4/user/platform_limits`).

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
FREE_PLAN_SHORTENS = 1000  # a month's /v4/shorten calls on the sandbox's plan


def user(req: Request, store: Store, found: re.Match[str]) -> Reply:
    from crosspost.sandbox import bitly  # it imports this module for its routes

    if bitly._token(req) is None:
        return bitly._forbidden()
    with store.lock:
        login = store.memory(NETWORK).get("login", "sandbox-user")
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
