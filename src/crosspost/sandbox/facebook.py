"""Facebook Graph API: a Page's /feed and /photos edges, with Graph-shaped errors.

Every error, rate limits included, is Graph's `{"error": {...}}` with a JSON
content type (throttling too comes as a 400 with a code, never a 429); the
access token may come in the body, the query or an Authorization header, as
Graph takes it.  GET /feed lists the Page's posts, photo posts included, newest
first, with Graph's cursor paging.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from crosspost.sandbox import facebook_auth, facebook_figures, facebook_reads
from crosspost.sandbox.state import Fault, Store, now_iso
from crosspost.sandbox.wire import Api, Reply, Request, Route

NETWORK = "facebook"
VERSION = re.compile(r"^v\d+\.\d+$")
POST_ID_BASE = 122_100_000_000_000_000
PHOTO_ID_BASE = 122_200_000_000_000_000
RATE_LIMIT_MESSAGES = {
    4: "(#4) Application request limit reached",
    17: "(#17) User request limit reached",
    32: "(#32) Page request limit reached",
    613: "(#613) Calls to this api have exceeded the rate limit.",
}
# GET /feed: Graph's page size is 25 unless `limit` says otherwise, and `limit` may
# not exceed 100 ("(#100) The 'limit' parameter should not exceed 100").
DEFAULT_LIMIT = 25
MAX_LIMIT = 100
FEED_FIELDS = frozenset({"id", "message", "created_time", "updated_time", "permalink_url"})
DEFAULT_FIELDS = ("id", "message", "created_time")
_EDGE = re.compile(r"^/(?P<version>[^/]+)/(?P<page>[^/]+)/(?P<edge>feed|photos)/?$")
_FEED = re.compile(r"^/(?P<version>[^/]+)/(?P<page>[^/]+)/(?P<edge>feed)/?$")
_PHOTOS = re.compile(r"^/(?P<version>[^/]+)/(?P<page>[^/]+)/(?P<edge>photos)/?$")
_UNVERSIONED = re.compile(r"^/(?P<page>[^/]+)/(?P<edge>feed|photos)/?$")


def graph_error(
    status: int,
    message: str,
    code: int,
    *,
    kind: str = "OAuthException",
    subcode: int | None = None,
    transient: bool | None = None,
) -> Reply:
    error: dict[str, Any] = {"message": message, "type": kind, "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    if transient is not None:
        error["is_transient"] = transient
    error["fbtrace_id"] = "A" + secrets.token_urlsafe(16)
    return Reply(status, {"error": error})


def _fields(req: Request) -> dict[str, str]:
    """Parameters from a form, multipart or JSON body: Graph takes all three."""
    fields = dict(req.form)
    if isinstance(req.json, dict):
        fields.update({k: str(v) for k, v in req.json.items() if isinstance(v, str | int)})
    return fields


def _token(req: Request) -> str:
    """The access token from the body, the query, or an Authorization header."""
    token = _fields(req).get("access_token") or req.query.get("access_token") or ""
    if not token:
        scheme, _, value = (req.header("authorization") or "").partition(" ")
        if scheme.lower() in {"bearer", "oauth"}:
            token = value.strip()
    return token.strip()


def _bad_token() -> Reply:
    # Subcode 467 is Graph's "invalid access token" (463 is "expired", used by faults).
    return graph_error(
        400, "Invalid OAuth access token - Cannot parse access token", 190, subcode=467
    )


def _version_error(version: str, page: str, edge: str) -> Reply:
    return graph_error(
        400,
        f"Unknown path components: /{page}/{edge} (API version {version!r} is not of the "
        "form v<major>.<minor>, e.g. v21.0)",
        2500,
    )


def missing_version(req: Request, store: Store, found: re.Match[str]) -> Reply:
    # The real Graph falls back to the app's default version; crosspost must
    # always pin one, so the sandbox refuses the request instead.
    return _version_error("", found.group("page"), found.group("edge"))


def _check(req: Request, found: re.Match[str]) -> Reply | None:
    version, page = found.group("version"), found.group("page")
    if not VERSION.match(version):
        return _version_error(version, page, found.group("edge"))
    if not _token(req):
        return _bad_token()
    if not page.isdigit():
        return graph_error(
            400,
            f"Unsupported {req.method.lower()} request. Object with ID '{page}' does not "
            "exist, cannot be loaded due to missing permissions, or does not support this "
            "operation.",
            100,
            kind="GraphMethodException",
            subcode=33,
        )
    return None


def _is_url(value: str) -> bool:
    return bool(re.match(r"^https?://[^\s/]+\.[^\s]+$", value))


def create_feed_post(req: Request, store: Store, found: re.Match[str]) -> Reply:
    problem = _check(req, found)
    if problem is not None:
        return problem
    page = found.group("page")
    fields = _fields(req)
    message = fields.get("message", "")
    link = fields.get("link") or None
    if not message and not link:
        return graph_error(400, "(#100) Missing message or attachment", 100)
    if link is not None and not _is_url(link):
        return graph_error(400, "(#100) The parameter link must be a valid URL", 100)
    with store.lock:  # check and create together: a second copy must not slip in between
        if any(
            p["account"] == page and p["text"] == message and p["link"] == link and not p["media"]
            for p in store.live_posts(NETWORK)
        ):
            # Graph's answer to the same status message posted again on the same Page.
            return graph_error(400, "(#506) Duplicate status message", 506)
        post_id = f"{page}_{POST_ID_BASE + store.next_number('post')}"
        store.add_post(NETWORK, _post(post_id, page, message, link, []))
    return Reply(200, {"id": post_id})


def list_feed(req: Request, store: Store, found: re.Match[str]) -> Reply:
    """GET /{version}/{page}/feed?fields=...&since=UNIX&limit=N&after=CURSOR."""
    problem = _check(req, found) or _feed_query_problem(req)
    if problem is not None:
        return problem
    page = found.group("page")
    fields = _asked_fields(req)
    limit = int(req.query.get("limit") or DEFAULT_LIMIT)
    since = int(req.query.get("since") or 0)
    with store.lock:
        # Stored oldest first; Graph lists newest first.
        posts = [
            p
            for p in reversed(store.live_posts(NETWORK))
            if p["account"] == page and _created(p) >= since
        ]
    start = 0
    after = req.query.get("after")
    if after:
        ids = [p["id"] for p in posts]
        last = _uncursor(after)
        if last not in ids:
            return graph_error(400, "(#100) The after cursor is not valid for this edge", 100)
        start = ids.index(last) + 1
    shown = posts[start : start + limit]
    body: dict[str, Any] = {"data": [_feed_item(p, fields) for p in shown]}
    if shown:
        paging: dict[str, Any] = {
            "cursors": {"before": _cursor(shown[0]["id"]), "after": _cursor(shown[-1]["id"])}
        }
        if start + limit < len(posts):
            # Graph's `next` is the whole URL again, access token included: here
            # however the request sent it, so that a client that follows `next`
            # as it is would put the token in a URL.
            query = {**req.query, "access_token": _token(req), "after": _cursor(shown[-1]["id"])}
            paging["next"] = f"{req.base_url}{req.path}?{urlencode(query)}"
        body["paging"] = paging
    return Reply(200, body)


def _feed_query_problem(req: Request) -> Reply | None:
    limit = req.query.get("limit")
    if limit is not None:
        if not limit.isdigit() or int(limit) < 1:
            return graph_error(
                400, f"(#100) Param limit must be a positive integer, not {limit}", 100
            )
        if int(limit) > MAX_LIMIT:
            return graph_error(400, "(#100) The 'limit' parameter should not exceed 100", 100)
    since = req.query.get("since")
    if since is not None and not since.isdigit():
        return graph_error(400, f"(#100) Param since must be a unix timestamp, not {since}", 100)
    unknown = sorted(set(_asked_fields(req)) - FEED_FIELDS)
    if unknown:
        return graph_error(
            400, f"(#100) Tried accessing nonexisting field ({unknown[0]}) on node type (Post)", 100
        )
    return None


def _asked_fields(req: Request) -> tuple[str, ...]:
    asked = req.query.get("fields")
    if asked is None:
        return DEFAULT_FIELDS
    return tuple(f.strip() for f in asked.split(",") if f.strip())


def _feed_item(post: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    """A stored post as /feed shows it: only the fields asked for (a photo post's
    caption is its message; a post without text has no `message` at all)."""
    page, _, number = post["id"].partition("_")
    created = datetime.fromisoformat(post["at"]).strftime("%Y-%m-%dT%H:%M:%S+0000")
    values = {
        "id": post["id"],
        "message": post["text"] or None,
        "created_time": created,
        "updated_time": created,
        "permalink_url": f"https://www.facebook.com/{page}/posts/{number}",
    }
    return {f: values[f] for f in fields if values[f] is not None}


def _created(post: dict[str, Any]) -> int:
    return int(datetime.fromisoformat(post["at"]).timestamp())


def _cursor(post_id: str) -> str:
    return base64.urlsafe_b64encode(post_id.encode()).decode().rstrip("=")


def _uncursor(cursor: str) -> str | None:
    try:
        return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None


def create_photo(req: Request, store: Store, found: re.Match[str]) -> Reply:
    problem = _check(req, found)
    if problem is not None:
        return problem
    page = found.group("page")
    source = req.files.get("source")
    fields = _fields(req)
    photo_url = fields.get("url") or None
    if (source is None or not source.data) and not photo_url:
        return graph_error(400, "(#324) Requires upload file", 324)
    photo_id = str(PHOTO_ID_BASE + store.next_number("photo"))
    post_id = f"{page}_{POST_ID_BASE + store.next_number('post')}"
    media: dict[str, Any] = {"id": photo_id}
    if source is not None and source.data:
        media.update(
            filename=source.filename, content_type=source.content_type, size=len(source.data)
        )
    else:
        media["url"] = photo_url
    if fields.get("alt_text_custom"):
        media["alt_text"] = fields["alt_text_custom"]
    message = fields.get("caption") or fields.get("message") or ""
    post = _post(post_id, page, message, None, [media])
    post["photo_id"] = photo_id
    store.add_post(NETWORK, post)
    return Reply(200, {"id": photo_id, "post_id": post_id})


def _post(
    post_id: str, page: str, text: str, link: str | None, media: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "id": post_id,
        "network": NETWORK,
        "text": text,
        "url": f"https://www.facebook.com/{post_id}",
        "account": page,
        "link": link,
        "reply_to": None,
        "media": media,
        "at": now_iso(),
    }


def _page_of(req: Request) -> str:
    found = _EDGE.match(req.path)
    return found.group("page") if found else "0"


def _usage_headers(page: str, *, call_count: int, regain_minutes: int = 0) -> dict[str, str]:
    # Page tokens fall under Business Use Case limits, reported per Page; the
    # keys are exactly those Meta sends (a client may read them strictly).
    business = {
        page: [
            {
                "type": "pages",
                "call_count": call_count,
                "total_cputime": min(call_count, 5),
                "total_time": min(call_count, 5),
                "estimated_time_to_regain_access": regain_minutes,
            }
        ]
    }
    return {"x-business-use-case-usage": json.dumps(business, separators=(",", ":"))}


def fault_reply(fault: Fault, req: Request, store: Store) -> Reply:
    page = _page_of(req)
    if fault.status == 429:
        code = fault.code or 32
        # Graph answers throttling with HTTP 400 and a code, never 429; the time
        # to wait is only in the usage headers, in whole minutes.
        reply = graph_error(400, RATE_LIMIT_MESSAGES[code], code)
        minutes = math.ceil(fault.reset_in / 60)
        reply.headers.update(_usage_headers(page, call_count=100, regain_minutes=minutes))
        app_calls = 100 if code in {4, 17} else 10
        reply.headers["x-app-usage"] = json.dumps(
            {"call_count": app_calls, "total_cputime": 5, "total_time": 5},
            separators=(",", ":"),
        )
        return reply
    if fault.status == 401:
        now = datetime.now(UTC)
        expired = now - timedelta(hours=1)
        message = (
            f"Error validating access token: Session has expired on "
            f"{expired:%A, %d-%b-%y %H:%M:%S} PST. The current time is "
            f"{now:%A, %d-%b-%y %H:%M:%S} PST."
        )
        reply = graph_error(400, message, 190, subcode=463)
        reply.headers["www-authenticate"] = (
            'OAuth "Facebook Platform" "invalid_token" "Error validating access token"'
        )
        return reply
    if fault.status == 503:
        return graph_error(503, "(#2) Service temporarily unavailable", 2, transient=True)
    if fault.status == 400:
        return graph_error(400, "(#100) Invalid parameter", 100)
    return graph_error(500, "An unknown error has occurred.", 1, transient=True)


def add_usage_headers(reply: Reply, req: Request, store: Store) -> Reply:
    """Graph reports Page usage on ordinary answers too, low while all is well."""
    if "x-business-use-case-usage" in reply.headers or not _EDGE.match(req.path):
        return reply
    page = _page_of(req)
    with store.lock:
        used = sum(1 for p in store.live_posts(NETWORK) if p["account"] == page)
    reply.headers.update(_usage_headers(page, call_count=min(used, 99)))
    return reply


def not_found(req: Request) -> Reply:
    reply = graph_error(404, f"Unknown path components: {req.path}", 2500)
    return reply


API = Api(
    network=NETWORK,
    owns=lambda path: bool(
        _EDGE.match(path) or _UNVERSIONED.match(path) or re.match(r"^/v\d+\.\d+/", path)
    ),
    routes=(
        Route("POST", _FEED, create_feed_post),
        Route("GET", _FEED, list_feed, posting=False),
        Route("POST", _PHOTOS, create_photo),
        Route("POST", _UNVERSIONED, missing_version),
        Route("GET", _UNVERSIONED, missing_version, posting=False),
        Route("GET", facebook_reads.DEBUG_TOKEN_PATH, facebook_reads.debug_token, posting=False),
        Route("GET", facebook_reads.PAGE_PATH, facebook_reads.read_page, posting=False),
        Route("GET", facebook_figures.POST_PATH, facebook_figures.read_post, posting=False),
        Route("GET", facebook_figures.INSIGHTS_PATH, facebook_figures.read_insights, posting=False),
        *facebook_auth.ROUTES,
    ),
    fault_reply=fault_reply,
    not_found=not_found,
    finish=add_usage_headers,
    title="Facebook Page",
    style="facebook",
    accent="#1877f2",
    account_label=lambda page: f"Page {page}",
)
