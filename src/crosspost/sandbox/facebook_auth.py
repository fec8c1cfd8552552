"""Graph's token exchange and `/me/accounts`: how a Page token is obtained.

As on graph.facebook.com: `GET /{v}/oauth/access_token?grant_type=fb_exchange_token`
takes the app's id and secret (the first secret presented for an app id
becomes its secret) and a user token (Graph's start with `EAA`), and answers a
long-lived user token; `GET /{v}/me/accounts` with that token lists the Pages
it manages, each with its own Page token, which a client must never show.
The sandbox's user manages two Pages: 111 and 222.
"""

from __future__ import annotations

import hmac
import re
import secrets
from typing import Any

from crosspost.sandbox.state import Store
from crosspost.sandbox.wire import Reply, Request, Route

NETWORK = "facebook"
LONG_LIVED_SECONDS = 5_183_944  # about 60 days, as Graph answers it
PAGES = (
    {"id": "111", "name": "École Sandbox", "category": "Education"},
    {"id": "222", "name": "Robotics Lab", "category": "Science"},
)
TASKS = ["ADVERTISE", "ANALYZE", "CREATE_CONTENT", "MESSAGING", "MODERATE", "MANAGE"]


def memory(store: Store) -> dict[str, Any]:
    """apps (id -> secret), users (long-lived tokens), page_tokens (token -> Page id)."""
    mine = store.memory(NETWORK)
    for key in ("apps", "users", "page_tokens"):
        mine.setdefault(key, {})
    return mine


def _error(message: str, code: int, *, status: int = 400) -> Reply:
    kind = "OAuthException"
    return Reply(status, {"error": {"message": message, "type": kind, "code": code}})


def exchange_token(req: Request, store: Store, _: re.Match[str]) -> Reply:
    query = req.query
    if query.get("grant_type") != "fb_exchange_token":
        return _error("Unsupported grant_type", 100)
    app_id, app_secret = query.get("client_id", ""), query.get("client_secret", "")
    if not app_id.isdigit():
        return _error("Error validating application. Invalid application ID.", 101)
    with store.lock:
        known = memory(store)["apps"].setdefault(app_id, app_secret)
        if not app_secret or not hmac.compare_digest(known, app_secret):
            return _error("Error validating client secret.", 1, status=400)
        if not query.get("fb_exchange_token", "").startswith("EAA"):
            return _error("Invalid OAuth access token - Cannot parse access token", 190)
        token = "EAAL" + secrets.token_urlsafe(48)
        memory(store)["users"][token] = app_id
    return Reply(
        200, {"access_token": token, "token_type": "bearer", "expires_in": LONG_LIVED_SECONDS}
    )


def my_accounts(req: Request, store: Store, _: re.Match[str]) -> Reply:
    with store.lock:
        if req.query.get("access_token", "") not in memory(store)["users"]:
            return _error("Invalid OAuth access token - Cannot parse access token", 190)
        pages = []
        for page in PAGES:
            token = "EAAP" + secrets.token_urlsafe(48)
            memory(store)["page_tokens"][token] = page["id"]
            pages.append({**page, "access_token": token, "tasks": list(TASKS)})
    return Reply(200, {"data": pages, "paging": {"cursors": {"before": "MTEx", "after": "MjIy"}}})


ROUTES = (
    Route("GET", re.compile(r"^/v\d+\.\d+/oauth/access_token$"), exchange_token, posting=False),
    Route("GET", re.compile(r"^/v\d+\.\d+/me/accounts$"), my_accounts, posting=False),
)
