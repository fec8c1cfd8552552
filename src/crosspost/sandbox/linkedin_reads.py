"""LinkedIn as `crosspost doctor` reads it: the member a token belongs to (userinfo,
OpenID Connect) and an organization's name.

What they answer comes from the sandbox's memory for linkedin, so a test can make
the token another member's or the organization another one:

    sandbox.memory("linkedin")["member"] = {"sub": "abc", "name": "Ada Lovelace"}
    sandbox.memory("linkedin")["organizations"] = {"42": "Another Org"}
"""

from __future__ import annotations

import re

from crosspost.sandbox.state import Store
from crosspost.sandbox.wire import Reply, Request

NETWORK = "linkedin"
USERINFO_PATH = re.compile(r"^/v2/userinfo/?$")
ORGANIZATION_PATH = re.compile(r"^/rest/organizations/(?P<id>\d+)/?$")
DEFAULT_MEMBER = {"sub": "sandbox-member", "name": "Sandbox Member"}


def userinfo(req: Request, store: Store, found: re.Match[str]) -> Reply:
    from crosspost.sandbox import linkedin  # it imports this module for its routes

    if not linkedin._has_bearer(req):
        return linkedin._unauthorized()
    with store.lock:
        member = {**DEFAULT_MEMBER, **store.memory(NETWORK).get("member", {})}
    given, _, family = member["name"].partition(" ")
    body = {**member, "given_name": given, "family_name": family, "email_verified": True}
    return Reply(200, body)


def organization(req: Request, store: Store, found: re.Match[str]) -> Reply:
    from crosspost.sandbox import linkedin  # it imports this module for its routes

    if not linkedin._has_bearer(req):
        return linkedin._unauthorized()
    number = found.group("id")
    with store.lock:
        name = store.memory(NETWORK).get("organizations", {}).get(number, f"Sandbox Org {number}")
    return Reply(200, {"id": int(number), "localizedName": name, "vanityName": name.lower()})
