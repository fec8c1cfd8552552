"""Mastodon's REST API as crosspost uses it: the instance, the account, statuses (create,
and the account's own listing) and the v2 media upload, checked like a real instance.

- Bearer tokens: any non-empty one is an account of its own; none or a blank one
  is answered 401 `{"error": "The access token is invalid"}`.
- POST /api/v1/statuses takes a form (as Mastodon.py sends it, `media_ids[]`
  repeated) or JSON; the text may hold `configuration.statuses.max_characters`
  (500, `memory(store)["max_characters"]` changes it), URLs counting 23.  An
  Idempotency-Key seen within an hour for the same account answers the status it
  made then, creating nothing.
- POST /api/v2/media answers 202 with `url: null`; GET /api/v1/media/{id} then
  finishes processing (after `memory(store)["media_polls"]` reads, 206 before).
  A status may only carry processed media.
- Every answer carries X-RateLimit-Limit/Remaining/Reset (ISO 8601, 5-minute windows).
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode

from crosspost.sandbox import figures, mastodon_auth
from crosspost.sandbox.mastodon_entities import (
    account_entity,
    countable_length,
    instance_entity,
    media_entity,
    render_content,
)
from crosspost.sandbox.state import Fault, Store, now_iso
from crosspost.sandbox.wire import Api, Reply, Request, Route

NETWORK = "mastodon"
DEFAULT_MAX_CHARACTERS = 500
MAX_MEDIA = 4
DESCRIPTION_LIMIT = 1500
VISIBILITIES = frozenset({"public", "unlisted", "private", "direct"})
IDEMPOTENCY_SECS = 3600  # Mastodon keeps an Idempotency-Key for an hour
DEFAULT_LIMIT, MAX_LIMIT = 20, 40  # statuses per page of an account's listing
RATE_LIMIT, RATE_WINDOW_SECS = 300, 300
# Snowflake-sized ids, increasing with time as Mastodon's are.
STATUS_ID_BASE = 113_500_000_000_000_000
MEDIA_ID_BASE = 113_600_000_000_000_000
ACCOUNT_ID_BASE = 109_300_000_000_000_000
INVALID_TOKEN = "The access token is invalid"


def memory(store: Store) -> dict[str, Any]:
    """This API's own state in the store; read and written under `store.lock`."""
    mine = store.memory(NETWORK)
    if not mine:
        mine.update(
            max_characters=DEFAULT_MAX_CHARACTERS,
            media_polls=1,
            accounts={},
            media={},
            idempotency={},
            windows={},
        )
    return mine


def _error(status: int, message: str) -> Reply:
    return Reply(status, {"error": message})


def _token(req: Request) -> str | None:
    scheme, _, token = (req.header("authorization") or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _account(req: Request, store: Store) -> dict[str, Any] | None:
    """The account the request's token belongs to (made on first sight), or None."""
    token = _token(req)
    if token is None:
        return None
    with store.lock:
        accounts = memory(store)["accounts"]
        if token not in accounts:
            number = len(accounts) + 1
            accounts[token] = {
                "id": str(ACCOUNT_ID_BASE + number),
                "username": "crosspost" if number == 1 else f"crosspost{number}",
            }
        return dict(accounts[token])


def get_instance(req: Request, store: Store, found: re.Match[str]) -> Reply:
    with store.lock:
        limit = memory(store)["max_characters"]
    return Reply(200, instance_entity(req.base_url, limit, v2=found.group("v") == "2"))


def verify_credentials(req: Request, store: Store, _: re.Match[str]) -> Reply:
    account = _account(req, store)
    if account is None:
        return _error(401, INVALID_TOKEN)
    with store.lock:
        account["statuses_count"] = sum(
            1 for p in store.live_posts(NETWORK) if p["account_id"] == account["id"]
        )
    names = (account["id"], account["username"])
    account["followers_count"] = figures.followers(store, NETWORK, *names)
    return Reply(200, account_entity(account, req.base_url))


def _fields(req: Request) -> dict[str, list[str]] | None:
    """The body's fields, every value kept (`media_ids[]` repeats); None if unreadable."""
    if req.json is not None:
        if not isinstance(req.json, dict):
            return None
        fields: dict[str, list[str]] = {}
        for key, value in req.json.items():
            values = value if isinstance(value, list) else [value]
            fields[key] = [str(v) for v in values if v is not None]
        return fields
    if req.json_error is not None:
        return None
    if req.content_type == "multipart/form-data":
        return {k: [v] for k, v in req.form.items()}
    return parse_qs(req.raw.decode("utf-8", "replace"), keep_blank_values=True)


def create_status(req: Request, store: Store, _: re.Match[str]) -> Reply:
    account = _account(req, store)
    if account is None:
        return _error(401, INVALID_TOKEN)
    fields = _fields(req)
    if fields is None:
        return _error(400, "Error occurred while parsing request parameters.")
    text = (fields.get("status") or [""])[0]
    media_ids = fields.get("media_ids[]") or fields.get("media_ids") or []
    visibility = (fields.get("visibility") or ["public"])[0]
    reply_to = next(iter(fields.get("in_reply_to_id") or []), None)
    key = req.header("idempotency-key")
    with store.lock:  # check and create together: a retry must not slip a second copy in
        mine = memory(store)
        if key:
            earlier = _idempotent(store, mine, account["id"], key)
            if earlier is not None:
                return Reply(200, earlier)
        problem = _status_problem(store, mine, account, text, media_ids, visibility, reply_to)
        if problem is not None:
            return problem
        status = _make_status(req, store, account, fields, text, media_ids, visibility, reply_to)
        if key:
            mine["idempotency"][(account["id"], key)] = (status["id"], time.monotonic())
    return Reply(200, _public(status))


def _idempotent(
    store: Store, mine: dict[str, Any], account_id: str, key: str
) -> dict[str, Any] | None:
    """The status an Idempotency-Key made within the hour, if any."""
    seen = mine["idempotency"].get((account_id, key))
    if seen is None or time.monotonic() - seen[1] > IDEMPOTENCY_SECS:
        return None
    post = next((p for p in store.live_posts(NETWORK) if p["id"] == seen[0]), None)
    return _public(post) if post is not None else None


def _status_problem(
    store: Store,
    mine: dict[str, Any],
    account: dict[str, Any],
    text: str,
    media_ids: list[str],
    visibility: str,
    reply_to: str | None,
) -> Reply | None:
    if not text.strip() and not media_ids:
        return _error(422, "Validation failed: Text can't be blank")
    limit = mine["max_characters"]
    if countable_length(text) > limit:
        return _error(422, f"Validation failed: Text character limit of {limit} exceeded")
    if visibility not in VISIBILITIES:
        return _error(422, f"Validation failed: '{visibility}' is not a valid visibility")
    if reply_to is not None and not any(p["id"] == reply_to for p in store.live_posts(NETWORK)):
        return _error(404, "The post you are trying to reply to does not appear to exist.")
    if len(media_ids) > MAX_MEDIA:
        return _error(422, f"Validation failed: Cannot attach more than {MAX_MEDIA} files")
    missing = [
        m
        for m in media_ids
        if m not in mine["media"] or mine["media"][m]["account_id"] != account["id"]
    ]
    if missing:
        return _error(422, f"Validation failed: Media with ID(s) {', '.join(missing)} not found")
    if any(mine["media"][m]["status_id"] for m in media_ids):
        return _error(422, "Validation failed: Media is already attached to another post")
    if not all(mine["media"][m]["processed"] for m in media_ids):
        return _error(
            422, "Cannot attach files that have not finished processing. Try again in a moment!"
        )
    return None


def _make_status(
    req: Request,
    store: Store,
    account: dict[str, Any],
    fields: dict[str, list[str]],
    text: str,
    media_ids: list[str],
    visibility: str,
    reply_to: str | None,
) -> dict[str, Any]:
    mine = memory(store)
    status_id = str(STATUS_ID_BASE + store.next_number("mastodon-status"))
    content, mentions, tags = render_content(text, req.base_url)
    media = []
    for media_id in media_ids:
        mine["media"][media_id]["status_id"] = status_id
        media.append(media_entity(mine["media"][media_id], req.base_url))
    parent = next((p for p in store.live_posts(NETWORK) if p["id"] == reply_to), None)
    post = {
        "id": status_id,
        "network": NETWORK,
        "text": text,
        "url": f"{req.base_url}/@{account['username']}/{status_id}",
        "base_url": req.base_url,
        "uri": f"{req.base_url}/users/{account['username']}/statuses/{status_id}",
        "account": f"@{account['username']}",
        "account_id": account["id"],
        "account_entity": account_entity(account, req.base_url),
        "reply_to": reply_to,
        "in_reply_to_account_id": parent["account_id"] if parent else None,
        "visibility": visibility,
        "language": next(iter(fields.get("language") or []), None),
        "sensitive": (fields.get("sensitive") or ["0"])[0] in ("1", "true", "True"),
        "spoiler_text": (fields.get("spoiler_text") or [""])[0],
        "content": content,
        "mentions": mentions,
        "tags": tags,
        "media": media,
        "idempotency_key": req.header("idempotency-key"),
        "at": now_iso(),
    }
    store.add_post(NETWORK, post)
    return post


def _public(post: dict[str, Any]) -> dict[str, Any]:
    """A stored post as Mastodon's Status entity."""
    created = datetime.fromisoformat(post["at"]).astimezone(UTC)
    return {
        "id": post["id"],
        "created_at": created.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "in_reply_to_id": post["reply_to"],
        "in_reply_to_account_id": post["in_reply_to_account_id"],
        "sensitive": post["sensitive"],
        "spoiler_text": post["spoiler_text"],
        "visibility": post["visibility"],
        "language": post["language"],
        "uri": post["uri"],
        "url": post["url"],
        "replies_count": 0,
        "reblogs_count": 0,
        "favourites_count": 0,
        "edited_at": None,
        "content": post["content"],
        "reblog": None,
        "application": {"name": "crosspost", "website": None},
        "account": post["account_entity"],
        "media_attachments": post["media"],
        "mentions": post["mentions"],
        "tags": [{"name": t, "url": f"{post['base_url']}/tags/{t}"} for t in post["tags"]],
        "emojis": [],
        "card": None,
        "poll": None,
    }


def get_status(req: Request, store: Store, found: re.Match[str]) -> Reply:
    """GET /api/v1/statuses/:id: one status, with its counts (`figures.py`)."""
    if _account(req, store) is None:
        return _error(401, INVALID_TOKEN)
    post = store.find_post(NETWORK, found.group("id"))
    if post is None:
        return _error(404, "Record not found")
    status = _public(post)
    counts = figures.counts(store, NETWORK, post["id"])
    status["favourites_count"] = counts["likes"]
    status["reblogs_count"] = counts["shares"]
    status["replies_count"] = counts["comments"]
    return Reply(200, status)


def account_statuses(req: Request, store: Store, found: re.Match[str]) -> Reply:
    """GET /api/v1/accounts/{id}/statuses: newest first, paged by max_id with a Link header."""
    account_id = found.group("id")
    limit_text = req.query.get("limit", str(DEFAULT_LIMIT))
    if not limit_text.isdigit() or int(limit_text) < 1:
        return _error(400, f"limit must be a positive integer, not {limit_text!r}")
    limit = min(int(limit_text), MAX_LIMIT)  # Mastodon quietly caps it
    max_id, min_id = req.query.get("max_id"), req.query.get("since_id") or req.query.get("min_id")
    if any(v is not None and not v.isdigit() for v in (max_id, min_id)):
        return _error(400, "max_id, since_id and min_id must be status ids")
    viewer = _account(req, store)
    with store.lock:
        if not any(a["id"] == account_id for a in memory(store)["accounts"].values()):
            return _error(404, "Record not found")
        own = viewer is not None and viewer["id"] == account_id
        statuses = [
            p
            for p in reversed(store.live_posts(NETWORK))
            if p["account_id"] == account_id
            and (own or p["visibility"] in ("public", "unlisted"))
            and (max_id is None or int(p["id"]) < int(max_id))
            and (min_id is None or int(p["id"]) > int(min_id))
        ]
        page = [_public(p) for p in statuses[:limit]]
    reply = Reply(200, page)
    links = []
    base = f"{req.base_url}/api/v1/accounts/{account_id}/statuses"
    if len(page) == limit:  # Mastodon links onward whenever the page is full
        following = urlencode({"limit": limit, "max_id": page[-1]["id"]})
        links.append(f'<{base}?{following}>; rel="next"')
    if page:
        newer = urlencode({"limit": limit, "min_id": page[0]["id"]})
        links.append(f'<{base}?{newer}>; rel="prev"')
    if links:
        reply.headers["Link"] = ", ".join(links)
    return reply


def upload_media(req: Request, store: Store, _: re.Match[str]) -> Reply:
    account = _account(req, store)
    if account is None:
        return _error(401, INVALID_TOKEN)
    upload = req.files.get("file")
    if upload is None or not upload.data:
        return _error(422, "Validation failed: File can't be blank")
    if not upload.content_type.startswith("image/"):
        return _error(
            422, f"Validation failed: File content type {upload.content_type!r} is invalid"
        )
    description = req.form.get("description")
    if description is not None and len(description) > DESCRIPTION_LIMIT:
        return _error(
            422,
            f"Validation failed: Description is too long (maximum is {DESCRIPTION_LIMIT} "
            "characters)",
        )
    with store.lock:
        media_id = str(MEDIA_ID_BASE + store.next_number("mastodon-media"))
        media = {
            "id": media_id,
            "account_id": account["id"],
            "description": description,
            "content_type": upload.content_type,
            "size": len(upload.data),
            "processed": False,
            "polls": 0,
            "status_id": None,
        }
        memory(store)["media"][media_id] = media
    # Large files are processed after the answer: 202, url null (docs.joinmastodon.org).
    return Reply(202, media_entity(media, req.base_url))


def get_media(req: Request, store: Store, found: re.Match[str]) -> Reply:
    account = _account(req, store)
    if account is None:
        return _error(401, INVALID_TOKEN)
    with store.lock:
        mine = memory(store)
        media = mine["media"].get(found.group("id"))
        if media is None or media["account_id"] != account["id"]:
            return _error(404, "Record not found")
        media["polls"] += 1
        if media["polls"] >= mine["media_polls"]:
            media["processed"] = True
        entity = media_entity(media, req.base_url)
    return Reply(200 if media["processed"] else 206, entity)


def fault_reply(fault: Fault, req: Request, store: Store) -> Reply:
    """An injected failure in Mastodon's shape (a proxy's HTML page for a 503)."""
    if fault.status == 429:
        reply = _error(429, "Too many requests")
        reset = datetime.now(UTC) + timedelta(seconds=fault.reset_in)
        reply.headers.update(
            {
                "X-RateLimit-Limit": str(RATE_LIMIT),
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": reset.isoformat(timespec="milliseconds"),
            }
        )
    elif fault.status == 401:
        reply = _error(401, INVALID_TOKEN)
    elif fault.status == 400:
        reply = _error(400, "Error occurred while parsing request parameters.")
    elif fault.status == 503:
        reply = Reply(
            503,
            "<html><head><title>503 Service Temporarily Unavailable</title></head><body>"
            "<center><h1>503 Service Temporarily Unavailable</h1></center></body></html>",
            content_type="text/html",
        )
    else:
        reply = _error(fault.status or 500, "We're sorry, but something went wrong on our end.")
    if fault.echo:
        # Mastodon's message is `error`; the dispatcher's echo looks at other keys.
        said = "; ".join(
            f"{n}: {v}"
            for n, v in sorted(req.headers.items(), key=lambda item: item[0] != "authorization")
        )
        if isinstance(reply.body, dict):
            reply.body["error"] += f" (request headers: {said})"
        else:
            reply.body = str(reply.body).replace("</body>", f"<p>{said}</p></body>")
    return reply


def finish(reply: Reply, req: Request, store: Store) -> Reply:
    """X-RateLimit-* on every answer, per token, in 5-minute windows (ISO reset time)."""
    if "X-RateLimit-Reset" in reply.headers:
        return reply
    now = datetime.now(UTC)
    start = now.replace(minute=now.minute - now.minute % 5, second=0, microsecond=0)
    with store.lock:
        windows = memory(store)["windows"]
        key = (_token(req) or "", start.isoformat())
        windows[key] = windows.get(key, 0) + 1
        used = windows[key]
    reply.headers.update(
        {
            "X-RateLimit-Limit": str(RATE_LIMIT),
            "X-RateLimit-Remaining": str(max(RATE_LIMIT - used, 0)),
            "X-RateLimit-Reset": (start + timedelta(seconds=RATE_WINDOW_SECS)).isoformat(
                timespec="milliseconds"
            ),
        }
    )
    return reply


def not_found(req: Request) -> Reply:
    return _error(404, "Record not found")


API = Api(
    network=NETWORK,
    owns=lambda path: path.startswith(("/api/v1/", "/api/v2/")) or path in mastodon_auth.PATHS,
    routes=(
        *mastodon_auth.ROUTES,
        Route("GET", re.compile(r"^/api/v(?P<v>[12])/instance/?$"), get_instance, posting=False),
        Route(
            "GET",
            re.compile(r"^/api/v1/accounts/verify_credentials/?$"),
            verify_credentials,
            posting=False,
        ),
        Route("POST", re.compile(r"^/api/v1/statuses/?$"), create_status),
        Route("GET", re.compile(r"^/api/v1/statuses/(?P<id>\d+)/?$"), get_status, posting=False),
        Route(
            "GET",
            re.compile(r"^/api/v1/accounts/(?P<id>\d+)/statuses/?$"),
            account_statuses,
            posting=False,
        ),
        Route("POST", re.compile(r"^/api/v2/media/?$"), upload_media),
        Route("GET", re.compile(r"^/api/v1/media/(?P<id>\d+)/?$"), get_media, posting=False),
    ),
    fault_reply=fault_reply,
    not_found=not_found,
    finish=finish,
    title="Mastodon",
    style="mastodon",
    accent="#6364ff",
)
