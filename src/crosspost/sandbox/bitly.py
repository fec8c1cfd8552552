"""bit.ly v4: shorten, expand, and click counts.

Short codes are a hash of the long URL, so a test can predict them and a
second shortening of the same URL answers 200 (existing link) instead of 201.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from typing import Any

from crosspost.sandbox import bitly_user
from crosspost.sandbox.state import Fault, Store, normalize_bitlink, now_iso
from crosspost.sandbox.wire import Api, Reply, Request, Route

NETWORK = "bitly"
DEFAULT_DOMAIN = "bit.ly"
CODE_LENGTH = 7
UNITS = frozenset({"minute", "hour", "day", "week", "month"})
_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def short_code(long_url: str) -> str:
    """The deterministic bit.ly code the sandbox gives `long_url`."""
    number = int.from_bytes(hashlib.sha256(long_url.encode("utf-8")).digest()[:8], "big")
    code = ""
    while len(code) < CODE_LENGTH:
        number, digit = divmod(number, len(_ALPHABET))
        code += _ALPHABET[digit]
    return code


def _error(status: int, message: str, description: str, **extra: Any) -> Reply:
    return Reply(
        status, {"message": message, "resource": "bitlinks", "description": description, **extra}
    )


def _forbidden() -> Reply:
    # bit.ly answers a missing or bad token with 403, never 401.
    return _error(403, "FORBIDDEN", "You are currently forbidden to access this resource.")


def _token(req: Request) -> str | None:
    scheme, _, token = (req.header("authorization") or "").partition(" ")
    return token.strip() if scheme == "Bearer" and token.strip() else None


def _bitly_time(moment: datetime | None = None) -> str:
    return (moment or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%S+0000")


def _link_body(link: dict[str, Any]) -> dict[str, Any]:
    return {
        "created_at": link["created_at"],
        "id": link["id"],
        "link": link["url"],
        "custom_bitlinks": [],
        "long_url": link["long_url"],
        "archived": False,
        "tags": [],
        "deeplinks": [],
        "references": {"group": "https://api-ssl.bitly.com/v4/groups/Bsandbox"},
    }


def shorten(req: Request, store: Store, _: re.Match[str]) -> Reply:
    token = _token(req)
    if token is None:
        return _forbidden()
    body = req.json if isinstance(req.json, dict) else {}
    long_url = body.get("long_url")
    if not isinstance(long_url, str) or not re.match(r"^https?://[^\s/]+\S*$", long_url):
        return _error(
            400,
            "INVALID_ARG_LONG_URL",
            "The value provided is invalid.",
            errors=[{"field": "long_url", "error_code": "invalid"}],
        )
    domain = body.get("domain") or DEFAULT_DOMAIN
    bitlink_id = f"{domain}/{short_code(long_url)}"
    with store.lock:
        existing = store.bitlinks.get(bitlink_id)
        if existing is not None:
            existing["shortened"] += 1
            return Reply(200, _link_body(existing))
        link: dict[str, Any] = {
            "id": bitlink_id,
            "network": NETWORK,
            "text": long_url,
            "url": f"https://{bitlink_id}",
            # A fingerprint tells accounts apart without keeping the token.
            "account": "token-" + hashlib.sha256(token.encode()).hexdigest()[:8],
            "link": long_url,
            "long_url": long_url,
            "reply_to": None,
            "media": [],
            "created_at": _bitly_time(),
            "shortened": 1,
            "at": now_iso(),
        }
        store.bitlinks[bitlink_id] = link
        store.add_post(NETWORK, link)
    return Reply(201, _link_body(link))


def expand(req: Request, store: Store, _: re.Match[str]) -> Reply:
    if _token(req) is None:
        return _forbidden()
    bitlink = req.json.get("bitlink_id") if isinstance(req.json, dict) else None
    with store.lock:
        link = store.bitlinks.get(normalize_bitlink(str(bitlink or "")))
        if link is None:
            return _not_found_link()
        return Reply(
            200,
            {
                "created_at": link["created_at"],
                "link": link["url"],
                "id": link["id"],
                "long_url": link["long_url"],
            },
        )


def _not_found_link() -> Reply:
    return _error(404, "NOT_FOUND", "What you are looking for cannot be found.")


def _clicks(req: Request, store: Store, found: re.Match[str]) -> tuple[Reply | None, int]:
    if _token(req) is None:
        return _forbidden(), 0
    unit = req.query.get("unit", "day")
    if unit not in UNITS:
        return _error(400, "INVALID_ARG_UNIT", "The value provided is invalid."), 0
    units = req.query.get("units", "-1")
    if not re.fullmatch(r"-?\d+", units):
        return _error(400, "INVALID_ARG_UNITS", "The value provided is invalid."), 0
    bitlink = normalize_bitlink(found.group("bitlink"))
    with store.lock:
        if bitlink not in store.bitlinks and bitlink not in store.clicks:
            return _not_found_link(), 0
        return None, store.clicks.get(bitlink, 0)


def _click_scope(req: Request) -> dict[str, Any]:
    return {
        "units": int(req.query.get("units", "-1")),
        "unit": req.query.get("unit", "day"),
        "unit_reference": req.query.get("unit_reference") or _bitly_time(),
    }


def clicks_summary(req: Request, store: Store, found: re.Match[str]) -> Reply:
    problem, total = _clicks(req, store, found)
    if problem is not None:
        return problem
    return Reply(200, {"total_clicks": total, **_click_scope(req)})


def clicks(req: Request, store: Store, found: re.Match[str]) -> Reply:
    """The per-unit form; pyshorteners' total_clicks() adds these up."""
    problem, total = _clicks(req, store, found)
    if problem is not None:
        return problem
    scope = _click_scope(req)
    return Reply(
        200, {"link_clicks": [{"date": scope["unit_reference"], "clicks": total}], **scope}
    )


def fault_reply(fault: Fault, req: Request, store: Store) -> Reply:
    if fault.status == 429:
        reply = _error(429, "RATE_LIMIT_EXCEEDED", "You have exceeded your rate limit.")
        reply.headers["retry-after"] = str(fault.reset_in)
        return reply
    if fault.status == 401:
        return _forbidden()
    if fault.status == 503:
        return _error(503, "TEMPORARILY_UNAVAILABLE", "The service is temporarily unavailable.")
    if fault.status == 400:
        return _error(400, "INVALID_ARG_LONG_URL", "The value provided is invalid.")
    return _error(500, "INTERNAL_ERROR", "An internal error occurred.")


def not_found(req: Request) -> Reply:
    return _not_found_link()


API = Api(
    network=NETWORK,
    owns=lambda path: path.startswith("/v4/"),
    routes=(
        Route("POST", re.compile(r"^/v4/shorten/?$"), shorten),
        Route("POST", re.compile(r"^/v4/expand/?$"), expand, posting=False),
        Route(
            "GET",
            re.compile(r"^/v4/bitlinks/(?P<bitlink>.+?)/clicks/summary/?$"),
            clicks_summary,
            posting=False,
        ),
        Route(
            "GET", re.compile(r"^/v4/bitlinks/(?P<bitlink>.+?)/clicks/?$"), clicks, posting=False
        ),
        *bitly_user.ROUTES,
    ),
    fault_reply=fault_reply,
    not_found=not_found,
    title="bit.ly",
    noun="link",
    accent="#ee6123",
)
