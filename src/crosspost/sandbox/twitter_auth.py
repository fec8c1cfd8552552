"""X's OAuth 1.0a PIN flow: request token, the page that shows the PIN, access token.

As on X: the request token is signed with the app's consumer key and asks for
`oauth_callback=oob`; the page at /oauth/authenticate shows the app, and its
"Authorize app" button (`answer=allow`, which a test "clicks" with a GET)
shows a seven-digit PIN, "Cancel" (`answer=deny`) none; the access token is
signed with the request token and carries the PIN as `oauth_verifier`, and
each request token buys one access token.  The access token starts with the
account's user id, as X's do, so `GET /2/users/me` names the same account.
"""

from __future__ import annotations

import html
import re
import secrets
from typing import Any
from urllib.parse import urlencode

from crosspost.sandbox.state import Store
from crosspost.sandbox.wire import Reply, Request, Route, parse_oauth_params

NETWORK = "twitter"
PATHS = frozenset({"/oauth/request_token", "/oauth/authenticate", "/oauth/access_token"})
# The sandbox's one account that signs in: its id is the start of every access token.
USER_ID = "1500000000000000777"
SCREEN_NAME = f"sandbox_{USER_ID[-7:]}"  # what GET /2/users/me calls it


def _flows(store: Store) -> dict[str, dict[str, Any]]:
    flows: dict[str, dict[str, Any]] = store.memory(NETWORK).setdefault("oauth", {})
    return flows


def _form(status: int, fields: dict[str, str]) -> Reply:
    return Reply(status, urlencode(fields), content_type="application/x-www-form-urlencoded")


def _refused(message: str) -> Reply:
    # X answers OAuth mistakes with 401 and a short text body.
    return Reply(401, message, content_type="text/plain; charset=utf-8")


def _page(status: int, title: str, body: str) -> Reply:
    text = f"<!doctype html><title>{html.escape(title)}</title><h1>{html.escape(title)}</h1>"
    return Reply(status, text + body, content_type="text/html; charset=utf-8")


def request_token(req: Request, store: Store, _: re.Match[str]) -> Reply:
    params = parse_oauth_params(req.header("authorization") or "") or {}
    if not params.get("oauth_consumer_key") or not params.get("oauth_signature"):
        return _refused("Failed to validate oauth signature and token")
    if params.get("oauth_callback") != "oob":
        return _refused("Callback URL not approved for this client application.")
    token, secret = secrets.token_urlsafe(24), secrets.token_urlsafe(32)
    with store.lock:
        _flows(store)[token] = {
            "consumer_key": params["oauth_consumer_key"],
            "secret": secret,
            "verifier": None,
        }
    confirmed = {"oauth_token": token, "oauth_token_secret": secret}
    return _form(200, {**confirmed, "oauth_callback_confirmed": "true"})


def authenticate(req: Request, store: Store, _: re.Match[str]) -> Reply:
    token = req.query.get("oauth_token", "")
    answer = req.query.get("answer")
    with store.lock:
        flow = _flows(store).get(token)
        if flow is None:
            return _page(400, "This page is no longer valid", "<p>Start the sign-in again.</p>")
        if answer == "deny":
            flow["denied"] = True
            return _page(200, "You did not authorize the app", "<p>Nothing was shared.</p>")
        if answer == "allow" and not flow.get("denied"):
            flow["verifier"] = flow["verifier"] or f"{secrets.randbelow(10**7):07d}"
            return _page(
                200,
                "You have authorized the app",
                f'<p>Enter this PIN: <code id="pin">{flow["verifier"]}</code></p>',
            )
    quoted = html.escape(token)
    return _page(
        200,
        "Authorize the app to use your account?",
        f'<a id="allow" href="?oauth_token={quoted}&answer=allow">Authorize app</a> '
        f'<a id="deny" href="?oauth_token={quoted}&answer=deny">Cancel</a>',
    )


def access_token(req: Request, store: Store, _: re.Match[str]) -> Reply:
    params = parse_oauth_params(req.header("authorization") or "") or {}
    verifier = params.get("oauth_verifier") or req.form.get("oauth_verifier")
    with store.lock:
        flow = _flows(store).pop(params.get("oauth_token", ""), None)
        if flow is None or flow["consumer_key"] != params.get("oauth_consumer_key"):
            return _refused("Invalid request token.")
        if not flow["verifier"] or verifier != flow["verifier"]:
            return _refused("Error processing your OAuth request: Invalid oauth_verifier parameter")
    return _form(
        200,
        {
            "oauth_token": f"{USER_ID}-{secrets.token_urlsafe(30)}",
            "oauth_token_secret": secrets.token_urlsafe(32),
            "user_id": USER_ID,
            "screen_name": SCREEN_NAME,
        },
    )


ROUTES = (
    Route("POST", re.compile(r"^/oauth/request_token$"), request_token, posting=False),
    Route("GET", re.compile(r"^/oauth/authenticate$"), authenticate, posting=False),
    Route("POST", re.compile(r"^/oauth/access_token$"), access_token, posting=False),
)
