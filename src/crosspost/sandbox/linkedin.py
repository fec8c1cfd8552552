"""LinkedIn versioned REST API: /rest/posts (create, and find by author) and the
two-step image upload.

A post is accepted with a 201 even when its commentary will be cut short:
LinkedIn reports nothing, so the sandbox stores both the raw commentary and
the text readers would actually see (see `little.py`).  The author finder
hands the commentary back as it was sent, escapes and all, as LinkedIn does.
"""

from __future__ import annotations

import re
import secrets
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from crosspost.sandbox import linkedin_auth, linkedin_figures, linkedin_reads
from crosspost.sandbox.little import publish
from crosspost.sandbox.state import Fault, Store, now_iso
from crosspost.sandbox.wire import Api, Reply, Request, Route, body_of

NETWORK = "linkedin"
MAX_COMMENTARY = 3000
# LinkedIn keeps each monthly version active for (at least) a year.
VERSION_LIFETIME_MONTHS = 12
SHARE_ID_BASE = 7_260_000_000_000_000_000
AUTHOR = re.compile(r"^urn:li:(person|organization):[A-Za-z0-9_-]+$")
IMAGE = re.compile(r"^urn:li:image:[A-Za-z0-9_-]+$")
VISIBILITIES = frozenset({"PUBLIC", "CONNECTIONS", "LOGGED_IN", "CONTAINER"})
LIFECYCLE_STATES = frozenset({"PUBLISHED", "DRAFT"})
FEED_DISTRIBUTIONS = frozenset({"MAIN_FEED", "NONE"})
REQUIRED_FIELDS = ("author", "commentary", "visibility", "distribution", "lifecycleState")
# The author finder's paging, as LinkedIn documents it for GET /rest/posts?q=author
# (learn.microsoft.com/linkedin/marketing/community-management/shares/posts-api,
# "Find Posts by Authors"): count defaults to 10 and may be at most 100; start
# defaults to 0; sortBy is LAST_MODIFIED (the default) or CREATED.
DEFAULT_COUNT = 10
MAX_COUNT = 100
SORT_ORDERS = frozenset({"LAST_MODIFIED", "CREATED"})
_DUPLICATE = "Content is a duplicate of {urn}"


def _error(status: int, message: str, **extra: Any) -> Reply:
    return Reply(status, {"status": status, "message": message, **extra})


def _unprocessable(*problems: str) -> Reply:
    # LinkedIn's schema errors read "ERROR :: /field :: reason", one per line.
    message = "".join(f"ERROR :: {p}\n" for p in problems)
    return _error(422, message, errorDetailType="com.linkedin.common.error.BadRequest")


def _unauthorized() -> Reply:
    return _error(401, "Invalid access token", serviceErrorCode=65600, code="INVALID_ACCESS_TOKEN")


def _has_bearer(req: Request) -> bool:
    scheme, _, token = (req.header("authorization") or "").partition(" ")
    return scheme == "Bearer" and bool(token.strip())


def _month_index(year: int, month: int) -> int:
    return year * 12 + month - 1


def _version_problem(req: Request) -> Reply | None:
    version = req.header("linkedin-version")
    if not version:
        return _error(
            400,
            "A version must be present. Please specify a version by adding the "
            "LinkedIn-Version header.",
            code="VERSION_MISSING",
        )
    shape = re.fullmatch(r"(\d{4})(\d{2})", version.strip())
    if shape is None or not 1 <= int(shape.group(2)) <= 12:
        return _error(
            400,
            f"Invalid LinkedIn-Version header {version!r}: expected the format YYYYMM.",
            code="INVALID_VERSION",
        )
    today = datetime.now(UTC)
    age = _month_index(today.year, today.month) - _month_index(
        int(shape.group(1)), int(shape.group(2))
    )
    if age < 0 or age > VERSION_LIFETIME_MONTHS:
        return _error(426, f"Requested version {version} is not active", code="NONEXISTENT_VERSION")
    return None


def _header_problem(req: Request) -> Reply | None:
    if not _has_bearer(req):
        return _unauthorized()
    problem = _version_problem(req)
    if problem is not None:
        return problem
    if req.header("x-restli-protocol-version") != "2.0.0":
        return _error(
            400,
            "The X-Restli-Protocol-Version header must be 2.0.0 for this resource.",
            code="INVALID_PROTOCOL_VERSION",
        )
    return None


def _image_problem(store: Store, urn: Any, field: str, author: str) -> str | None:
    if not isinstance(urn, str) or not IMAGE.match(urn):
        return f"{field} must be an image URN (urn:li:image:...), not {urn!r}"
    image = store.li_images.get(urn)
    if image is None:
        return f"{field}: image {urn} does not exist"
    if image["status"] != "AVAILABLE":
        return f"{field}: image {urn} was initialized but its bytes were never uploaded"
    if image["owner"] != author:
        return f"{field}: image {urn} belongs to {image['owner']}, not to the author {author}"
    return None


def _content(
    store: Store, content: Any, author: str
) -> tuple[str | None, list[dict[str, Any]], Reply | None]:
    """(link, media, problem) for the optional `content` of a post."""
    if content is None:
        return None, [], None
    if not isinstance(content, dict):
        return None, [], _unprocessable("/content :: must be an object")
    link: str | None = None
    media: list[dict[str, Any]] = []
    with store.lock:
        if "article" in content:
            article = content["article"]
            source = article.get("source") if isinstance(article, dict) else None
            if not isinstance(source, str) or not re.match(r"^https?://\S+$", source):
                return None, [], _unprocessable("/content/article/source :: must be a URL")
            link = source
            thumbnail = article.get("thumbnail")
            if thumbnail is not None:
                problem = _image_problem(store, thumbnail, "/content/article/thumbnail", author)
                if problem:
                    return None, [], _error(400, problem)
                media.append(_image_summary(store.li_images[thumbnail]))
        if "media" in content:
            item = content["media"]
            urn = item.get("id") if isinstance(item, dict) else None
            problem = _image_problem(store, urn, "/content/media/id", author)
            if problem:
                return None, [], _error(400, problem)
            media.append(_image_summary(store.li_images[str(urn)]))
    return link, media, None


def _image_summary(image: dict[str, Any]) -> dict[str, Any]:
    return {k: image[k] for k in ("id", "content_type", "size")}


def _body_problems(body: dict[str, Any]) -> list[str]:
    problems = [
        f"/{name} :: field is required but not found and has no default value"
        for name in REQUIRED_FIELDS
        if name not in body
    ]
    if problems:
        return problems
    if not isinstance(body["author"], str) or not AUTHOR.match(body["author"]):
        problems.append(f"/author :: {body['author']!r} is not a person or organization URN")
    commentary = body["commentary"]
    if not isinstance(commentary, str):
        problems.append("/commentary :: must be a string")
    elif len(commentary) > MAX_COMMENTARY:
        problems.append(f"/commentary :: length {len(commentary)} exceeds {MAX_COMMENTARY}")
    if body["visibility"] not in VISIBILITIES:
        problems.append(f"/visibility :: {body['visibility']!r} is not a valid visibility")
    if body["lifecycleState"] not in LIFECYCLE_STATES:
        problems.append(f"/lifecycleState :: {body['lifecycleState']!r} is not a valid state")
    distribution = body["distribution"]
    if (
        not isinstance(distribution, dict)
        or distribution.get("feedDistribution") not in FEED_DISTRIBUTIONS
    ):
        problems.append("/distribution/feedDistribution :: must be MAIN_FEED or NONE")
    return problems


def create_post(req: Request, store: Store, _: re.Match[str]) -> Reply:
    problem = _header_problem(req)
    if problem is not None:
        return problem
    body = req.json
    if not isinstance(body, dict):
        return _error(400, f"Request body must be a JSON object ({req.json_error or 'empty'})")
    problems = _body_problems(body)
    if problems:
        return _unprocessable(*problems)
    author, commentary = body["author"], body["commentary"]
    link, media, problem = _content(store, body.get("content"), author)
    if problem is not None:
        return problem
    published = publish(commentary)
    with store.lock:  # check and create together: a second copy must not slip in between
        duplicate = _duplicate_of(store, author, commentary)
        if duplicate is not None:
            # What LinkedIn answers a repeated post by the same author (API-NOTES.md).
            return _error(422, _DUPLICATE.format(urn=duplicate), code="DUPLICATE_POST")
        urn = f"urn:li:share:{SHARE_ID_BASE + store.next_number('share')}"
        store.add_post(
            NETWORK,
            {
                "id": urn,
                "network": NETWORK,
                "text": commentary,
                "published": published.text,
                "truncated": published.truncated,
                "cut_at": published.cut_at,
                "cut_by": published.cut_by,
                "url": f"https://www.linkedin.com/feed/update/{urn}",
                "account": author,
                "link": link,
                "reply_to": None,
                "media": media,
                "visibility": body["visibility"],
                "lifecycle_state": body["lifecycleState"],
                "content": body.get("content"),
                "distribution": body["distribution"],
                "at": now_iso(),
            },
        )
    return Reply(201, None, {"x-restli-id": urn})


def _duplicate_of(store: Store, author: str, commentary: str) -> str | None:
    """The post of `author` with this very commentary, if the sandbox has one."""
    return next(
        (
            p["id"]
            for p in store.live_posts(NETWORK)
            if p["account"] == author and p["text"] == commentary
        ),
        None,
    )


def find_posts(req: Request, store: Store, _: re.Match[str]) -> Reply:
    """GET /rest/posts?q=author&author=URN&count=N&start=M&sortBy=...: newest first."""
    problem = _header_problem(req) or _finder_problem(req)
    if problem is not None:
        return problem
    author = req.query["author"]
    count = int(req.query.get("count", DEFAULT_COUNT))
    start = int(req.query.get("start", 0))
    with store.lock:
        # Stored oldest first.  Nothing is edited in the sandbox, so LAST_MODIFIED
        # and CREATED give the same order: newest first.
        ordered = [p for p in reversed(store.live_posts(NETWORK)) if p["account"] == author]
        elements = [_element(p) for p in ordered[start : start + count]]
    links = []
    if start > 0:
        links.append(_link(req, "prev", max(start - count, 0), count))
    if start + count < len(ordered):
        links.append(_link(req, "next", start + count, count))
    return Reply(
        200, {"elements": elements, "paging": {"start": start, "count": count, "links": links}}
    )


def _finder_problem(req: Request) -> Reply | None:
    query = req.query
    if query.get("q") != "author":
        return _error(400, f"Invalid finder {query.get('q')!r}: use q=author", code="BAD_REQUEST")
    author = query.get("author", "")
    if not AUTHOR.match(author):
        return _error(
            400, f"Parameter 'author' must be a person or organization URN, not {author!r}"
        )
    for name, low, high in (("count", 1, MAX_COUNT), ("start", 0, None)):
        value = query.get(name)
        if value is None:
            continue
        if not value.isdigit() or int(value) < low or (high is not None and int(value) > high):
            limit = f"between {low} and {high}" if high is not None else f"at least {low}"
            return _error(400, f"Parameter '{name}' must be an integer {limit}, not {value!r}")
    if query.get("sortBy", "LAST_MODIFIED") not in SORT_ORDERS:
        return _error(
            400, f"Parameter 'sortBy' must be LAST_MODIFIED or CREATED, not {query['sortBy']!r}"
        )
    return None


def _link(req: Request, rel: str, start: int, count: int) -> dict[str, str]:
    query = {**req.query, "start": str(start), "count": str(count)}
    return {"type": "application/json", "rel": rel, "href": f"{req.path}?{urlencode(query)}"}


def _element(post: dict[str, Any]) -> dict[str, Any]:
    """A stored post as the Posts API shows it."""
    created = _epoch_ms(post["at"])
    element: dict[str, Any] = {
        "id": post["id"],
        "author": post["account"],
        "commentary": post["text"],  # as sent: little format, escapes and all
        "visibility": post["visibility"],
        "distribution": post.get("distribution") or {"feedDistribution": "MAIN_FEED"},
        "lifecycleState": post["lifecycle_state"],
        "isReshareDisabledByAuthor": False,
        "createdAt": created,
        "lastModifiedAt": created,
    }
    if post["lifecycle_state"] == "PUBLISHED":
        element["publishedAt"] = created
    if post.get("content"):
        element["content"] = post["content"]
    return element


def _epoch_ms(iso: str) -> int:
    return round(datetime.fromisoformat(iso).timestamp() * 1000)


def initialize_image_upload(req: Request, store: Store, _: re.Match[str]) -> Reply:
    problem = _header_problem(req)
    if problem is not None:
        return problem
    if req.query.get("action") != "initializeUpload":
        return _error(400, "Unsupported action: expected ?action=initializeUpload")
    request = req.json.get("initializeUploadRequest") if isinstance(req.json, dict) else None
    owner = request.get("owner") if isinstance(request, dict) else None
    if not isinstance(owner, str) or not AUTHOR.match(owner):
        return _unprocessable(
            "/initializeUploadRequest/owner :: a person or organization URN is required"
        )
    urn = f"urn:li:image:D4E10AQH{store.next_number('image'):010d}"
    token = secrets.token_urlsafe(16)
    with store.lock:
        store.li_images[urn] = {
            "id": urn,
            "owner": owner,
            "status": "WAITING_UPLOAD",
            "content_type": None,
            "size": 0,
        }
        store.li_upload_tokens[token] = urn
    expires_ms = int((time.time() + 86400) * 1000)
    return Reply(
        200,
        {
            "value": {
                "uploadUrlExpiresAt": expires_ms,
                "uploadUrl": f"{req.base_url}/linkedin-upload/{token}",
                "image": urn,
            }
        },
    )


def upload_image(req: Request, store: Store, found: re.Match[str]) -> Reply:
    if not _has_bearer(req):
        return _unauthorized()
    upload = body_of(req)
    with store.lock:
        urn = store.li_upload_tokens.get(found.group("token"))
        if urn is None:
            return _error(404, "Upload URL not found or expired")
        if not upload.data:
            return _error(400, "Upload body is empty")
        store.li_images[urn].update(
            status="AVAILABLE",
            content_type=upload.content_type or "application/octet-stream",
            size=len(upload.data),
        )
    return Reply(201, None)


def fault_reply(fault: Fault, req: Request, store: Store) -> Reply:
    if fault.status == 429:
        # LinkedIn's limits are daily; it documents no Retry-After, the sandbox
        # still sends one so a client's "when may I retry" code has something to read.
        reply = _error(
            429,
            "Resource level throttle APPLICATION DAY limit for calls to this resource is reached.",
            serviceErrorCode=101,
            code="TOO_MANY_REQUESTS",
        )
        reply.headers["retry-after"] = str(fault.reset_in)
        return reply
    if fault.status == 401:
        return _unauthorized()
    if fault.status == 503:
        return _error(503, "Service Unavailable")
    if fault.status == 400:
        return _error(400, "Invalid request", code="BAD_REQUEST")
    return _error(500, "Internal Server Error")


def not_found(req: Request) -> Reply:
    return _error(404, "No virtual resource found")


API = Api(
    network=NETWORK,
    owns=lambda path: path.startswith(
        ("/rest/", "/linkedin-upload/", "/v2/userinfo", linkedin_auth.PREFIX)
    ),
    routes=(
        Route("POST", re.compile(r"^/rest/posts/?$"), create_post),
        Route("GET", re.compile(r"^/rest/posts/?$"), find_posts, posting=False),
        Route("POST", re.compile(r"^/rest/images/?$"), initialize_image_upload),
        Route("PUT", re.compile(r"^/linkedin-upload/(?P<token>[A-Za-z0-9_-]+)$"), upload_image),
        Route("GET", linkedin_reads.USERINFO_PATH, linkedin_reads.userinfo, posting=False),
        Route("GET", linkedin_reads.ORGANIZATION_PATH, linkedin_reads.organization, posting=False),
        Route(
            "GET", linkedin_figures.NETWORK_SIZES_PATH, linkedin_figures.network_size, posting=False
        ),
        Route(
            "GET",
            linkedin_figures.SHARE_STATISTICS_PATH,
            linkedin_figures.share_statistics,
            posting=False,
        ),
        *linkedin_auth.ROUTES,
    ),
    fault_reply=fault_reply,
    not_found=not_found,
    title="LinkedIn",
    style="linkedin",
    accent="#0a66c2",
)
