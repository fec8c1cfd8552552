"""Graph as `crosspost doctor` reads it: a Page's own fields, and debug_token.

What they answer comes from the sandbox's memory for facebook, so a test can make
the Page another one (`page_names`) or the token expired, invalid or short of a
scope (`token`):

    sandbox.memory("facebook")["page_names"] = {"111": "Another Page"}
    sandbox.memory("facebook")["token"] = {"expires_at": 1767225600, "scopes": [...]}
"""

from __future__ import annotations

import re
from typing import Any

from crosspost.sandbox import facebook_auth, figures
from crosspost.sandbox.state import Store
from crosspost.sandbox.wire import Reply, Request

NETWORK = "facebook"
PAGE_PATH = re.compile(r"^/(?P<version>v\d+\.\d+)/(?P<page>\d+)/?$")
DEBUG_TOKEN_PATH = re.compile(r"^/(?P<version>v\d+\.\d+)/debug_token/?$")
PAGE_FIELDS = frozenset({"id", "name", "followers_count", "fan_count", "link", "username"})
# A Page token made for crosspost: it never expires and has what posting needs.
DEFAULT_SCOPES = ("pages_show_list", "pages_manage_posts", "pages_read_engagement")


def read_page(req: Request, store: Store, found: re.Match[str]) -> Reply:
    from crosspost.sandbox import facebook  # it imports this module for its routes

    if not facebook._token(req):
        return facebook._bad_token()
    page = found.group("page")
    wanted = [f for f in (req.query.get("fields") or "id,name").split(",") if f]
    unknown = [f for f in wanted if f not in PAGE_FIELDS]
    if unknown:
        return facebook.graph_error(
            400, f"(#100) Tried accessing nonexisting field ({unknown[0]})", 100
        )
    with store.lock:
        memory = store.memory(NETWORK)
        # The Pages an auth flow lists (/me/accounts) read back by the same name.
        listed = {p["id"]: p["name"] for p in facebook_auth.PAGES}
        name = memory.get("page_names", {}).get(page) or listed.get(page, f"Sandbox Page {page}")
    followers = figures.followers(store, NETWORK, page)
    values: dict[str, Any] = {"id": page, "name": name, "followers_count": followers}
    values |= {"fan_count": followers, "link": f"https://www.facebook.com/{page}"}
    values["username"] = re.sub(r"\W+", "", name)
    return Reply(200, {f: values[f] for f in wanted})


def debug_token(req: Request, store: Store, found: re.Match[str]) -> Reply:
    from crosspost.sandbox import facebook  # it imports this module for its routes

    if not facebook._token(req):
        return facebook._bad_token()
    inspected = req.query.get("input_token", "")
    if not inspected:
        return facebook.graph_error(400, "(#100) The parameter input_token is required", 100)
    with store.lock:
        told = dict(store.memory(NETWORK).get("token", {}))
    data = {
        "app_id": "1000000000000001",
        "type": "PAGE",
        "application": "crosspost sandbox",
        "expires_at": told.get("expires_at", 0),
        "is_valid": told.get("is_valid", True),
        "scopes": list(told.get("scopes", DEFAULT_SCOPES)),
    }
    return Reply(200, {"data": data})
