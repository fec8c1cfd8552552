"""Mastodon's app registration and OAuth 2: /api/v1/apps, /oauth/authorize, /oauth/token.

As on an instance (4.3 and later, which publish their OAuth server metadata):
an app is registered with its redirect URIs and scopes and gets a client id
and secret; the authorize page, once she is signed in, redirects to one of
the app's redirect URIs with a code and the `state` (or, with `answer=deny`,
`error=access_denied`); the token endpoint takes each code once, only from
its app and with the same redirect URI, and grants the scopes asked.
"""

from __future__ import annotations

import hmac
import re
import secrets
import time
from typing import Any
from urllib.parse import urlencode

from crosspost.sandbox.state import Store
from crosspost.sandbox.wire import Reply, Request, Route

NETWORK = "mastodon"
PATHS = frozenset({"/oauth/authorize", "/oauth/token", "/.well-known/oauth-authorization-server"})


def _memory(store: Store) -> dict[str, Any]:
    # Through the API's own memory(): it fills a fresh memory with what it needs first.
    from crosspost.sandbox.mastodon import memory

    oauth: dict[str, Any] = memory(store).setdefault("oauth", {"apps": {}, "codes": {}})
    return oauth


def _fields(req: Request) -> dict[str, str]:
    if isinstance(req.json, dict):
        return {k: str(v) for k, v in req.json.items()}
    return dict(req.form) or dict(req.query)


def _error(status: int, error: str, description: str) -> Reply:
    return Reply(status, {"error": error, "error_description": description})


def server_info(req: Request, store: Store, _: re.Match[str]) -> Reply:
    base = req.base_url
    return Reply(
        200,
        {
            "issuer": f"{base}/",
            "authorization_endpoint": f"{base}/oauth/authorize",
            "token_endpoint": f"{base}/oauth/token",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "client_credentials"],
        },
    )


def create_app(req: Request, store: Store, _: re.Match[str]) -> Reply:
    fields = _fields(req)
    name, uris = fields.get("client_name", ""), fields.get("redirect_uris", "")
    if not name or not uris:
        return Reply(422, {"error": "Validation failed: Name and redirect URI can't be blank"})
    client_id, client_secret = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    app = {
        "secret": client_secret,
        "redirect_uris": uris.split(),
        "scopes": set(fields.get("scopes", "read").split()),
    }
    with store.lock:
        _memory(store)["apps"][client_id] = app
    return Reply(
        200,
        {
            "id": str(len(_memory(store)["apps"])),
            "name": name,
            "website": fields.get("website"),
            "redirect_uri": uris,
            "redirect_uris": app["redirect_uris"],
            "scopes": sorted(app["scopes"]),
            "client_id": client_id,
            "client_secret": client_secret,
        },
    )


def authorize(req: Request, store: Store, _: re.Match[str]) -> Reply:
    query = req.query
    with store.lock:
        app = _memory(store)["apps"].get(query.get("client_id", ""))
    uri = query.get("redirect_uri", "")
    if app is None or uri not in app["redirect_uris"] or query.get("response_type") != "code":
        page = "<!doctype html><p>The redirect URI included is not valid.</p>"
        return Reply(400, page, content_type="text/html; charset=utf-8")
    scopes = set(query.get("scope", "read").split())
    state = query.get("state", "")
    if query.get("answer") == "deny" or not scopes <= app["scopes"]:
        said = "The resource owner or authorization server denied the request."
        answer = {"error": "access_denied", "error_description": said, "state": state}
    else:
        code = secrets.token_urlsafe(32)
        with store.lock:
            _memory(store)["codes"][code] = {
                "client_id": query["client_id"],
                "redirect_uri": uri,
                "scopes": scopes,
            }
        answer = {"code": code, "state": state}
    return Reply(302, None, headers={"Location": f"{uri}?{urlencode(answer)}"})


def token(req: Request, store: Store, _: re.Match[str]) -> Reply:
    fields = _fields(req)
    with store.lock:
        app = _memory(store)["apps"].get(fields.get("client_id", ""))
        secret = fields.get("client_secret", "")
        if app is None or not hmac.compare_digest(app["secret"], secret):
            return _error(401, "invalid_client", "Client authentication failed.")
        if fields.get("grant_type") != "authorization_code":
            return _error(400, "unsupported_grant_type", "The grant type is not supported.")
        issued = _memory(store)["codes"].pop(fields.get("code", ""), None)
    if (
        issued is None
        or issued["client_id"] != fields.get("client_id")
        or issued["redirect_uri"] != fields.get("redirect_uri")
    ):
        return _error(
            400,
            "invalid_grant",
            "The provided authorization grant is invalid, expired, revoked, does not match "
            "the redirection URI used in the authorization request, or was issued to "
            "another client.",
        )
    return Reply(
        200,
        {
            "access_token": secrets.token_urlsafe(32),
            "token_type": "Bearer",
            "scope": " ".join(sorted(issued["scopes"])),
            "created_at": int(time.time()),
        },
    )


ROUTES = (
    Route("POST", re.compile(r"^/api/v1/apps/?$"), create_app, posting=False),
    Route(
        "GET", re.compile(r"^/\.well-known/oauth-authorization-server$"), server_info, posting=False
    ),
    Route("GET", re.compile(r"^/oauth/authorize$"), authorize, posting=False),
    Route("POST", re.compile(r"^/oauth/token$"), token, posting=False),
)
