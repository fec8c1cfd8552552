"""LinkedIn's OAuth 2 (3-legged): the authorization page and the token endpoint.

As on www.linkedin.com/oauth/v2: the authorization page, once "signed in",
redirects the browser to `redirect_uri` with a code and the `state` it was
given (or, with `answer=deny`, the "Cancel" button, with
`error=user_cancelled_authorize`); the token endpoint takes the code once,
only with the same `redirect_uri` and the app's client secret (the first
secret presented for a client id becomes its secret), and answers a 60-day
token.  Refresh tokens go to approved apps only: here every app but one whose
client id starts with `basic-`; a refresh answers a new access token and the
same refresh token.
"""

from __future__ import annotations

import hmac
import re
import secrets
from typing import Any
from urllib.parse import urlencode

from crosspost.sandbox.state import Store
from crosspost.sandbox.wire import Reply, Request, Route

NETWORK = "linkedin"
PREFIX = "/oauth/v2/"
TOKEN_SECONDS = 5_184_000  # 60 days
REFRESH_SECONDS = 31_536_000  # 365 days
NO_REFRESH_PREFIX = "basic-"


def _memory(store: Store) -> dict[str, Any]:
    memory = store.memory(NETWORK)
    for key in ("apps", "codes", "refresh"):
        memory.setdefault(key, {})
    return memory


def _error(status: int, error: str, description: str) -> Reply:
    return Reply(status, {"error": error, "error_description": description})


def _redirect(uri: str, **query: str) -> Reply:
    joiner = "&" if "?" in uri else "?"
    return Reply(302, None, headers={"Location": f"{uri}{joiner}{urlencode(query)}"})


def authorization(req: Request, store: Store, _: re.Match[str]) -> Reply:
    query = req.query
    uri = query.get("redirect_uri", "")
    if query.get("response_type") != "code" or not query.get("client_id") or not uri:
        page = "<!doctype html><p>Invalid request: response_type, client_id, redirect_uri</p>"
        return Reply(400, page, content_type="text/html; charset=utf-8")
    state = query.get("state", "")
    if query.get("answer") == "deny":
        return _redirect(
            uri,
            error="user_cancelled_authorize",
            error_description="The user cancelled the authorization",
            state=state,
        )
    code = secrets.token_urlsafe(32)
    with store.lock:
        _memory(store)["codes"][code] = {
            "client_id": query["client_id"],
            "redirect_uri": uri,
            "scope": query.get("scope", ""),
        }
    return _redirect(uri, code=code, state=state)


def access_token(req: Request, store: Store, _: re.Match[str]) -> Reply:
    form = req.form
    client_id, client_secret = form.get("client_id", ""), form.get("client_secret", "")
    with store.lock:
        memory = _memory(store)
        known = memory["apps"].setdefault(client_id, client_secret) if client_id else None
        if not client_secret or known is None or not hmac.compare_digest(known, client_secret):
            return _error(401, "invalid_client", "Client authentication failed")
        grant = form.get("grant_type")
        if grant == "authorization_code":
            issued = memory["codes"].pop(form.get("code", ""), None)
            if issued is None or issued["client_id"] != client_id:
                return _error(
                    400,
                    "invalid_request",
                    "Unable to retrieve access token: appid/redirect uri/code verifier does "
                    "not match authorization code. Or authorization code expired.",
                )
            if issued["redirect_uri"] != form.get("redirect_uri"):
                return _error(400, "invalid_redirect_uri", "Unable to retrieve access token")
            scope = issued["scope"].replace(" ", ",")
            refresh = None
            if not client_id.startswith(NO_REFRESH_PREFIX):
                refresh = "AQX" + secrets.token_urlsafe(40)
                memory["refresh"][refresh] = {"client_id": client_id, "scope": scope}
        elif grant == "refresh_token":
            refresh = form.get("refresh_token", "")
            held = memory["refresh"].get(refresh)
            if held is None or held["client_id"] != client_id:
                return _error(400, "invalid_request", "The provided refresh token is invalid")
            scope = held["scope"]
        else:
            return _error(400, "unsupported_grant_type", f"grant_type {grant!r} is not supported")
    answer: dict[str, Any] = {
        "access_token": "AQV" + secrets.token_urlsafe(40),
        "expires_in": TOKEN_SECONDS,
        "scope": scope,
    }
    if refresh:
        answer |= {"refresh_token": refresh, "refresh_token_expires_in": REFRESH_SECONDS}
    return Reply(200, answer)


ROUTES = (
    Route("GET", re.compile(r"^/oauth/v2/authorization$"), authorization, posting=False),
    Route("POST", re.compile(r"^/oauth/v2/accessToken$"), access_token, posting=False),
)
