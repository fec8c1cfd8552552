"""bit.ly's `GET /v4/user`: whose a token is, the check `crosspost auth bitly` makes.

bit.ly's generic access tokens are 40 hexadecimal digits; here a token of any
other shape is the "bad token" (403 FORBIDDEN, as bit.ly answers one), so a
test can try one.  Shortening keeps taking any token, as it always has here.
"""

from __future__ import annotations

import re

from crosspost.sandbox.state import Store
from crosspost.sandbox.wire import Reply, Request, Route

GENERIC_TOKEN = re.compile(r"^[0-9a-f]{40}$")
LOGIN = "sandbox-school"


def get_user(req: Request, store: Store, _: re.Match[str]) -> Reply:
    scheme, _space, token = (req.header("authorization") or "").partition(" ")
    if scheme != "Bearer" or not GENERIC_TOKEN.match(token.strip()):
        return Reply(
            403,
            {
                "message": "FORBIDDEN",
                "description": "You are currently forbidden to access this resource.",
                "resource": "user",
            },
        )
    return Reply(
        200,
        {
            "login": LOGIN,
            "name": "Sandbox School",
            "is_active": True,
            "default_group_guid": "Bsandbox",
            "emails": [{"email": "school@example.org", "is_primary": True, "is_verified": True}],
        },
    )


ROUTES = (Route("GET", re.compile(r"^/v4/user/?$"), get_user, posting=False),)
