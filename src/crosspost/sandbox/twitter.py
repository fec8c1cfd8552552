"""X API v2: POST /2/tweets and POST /2/media/upload, checked like the real ones, and the
reads a client checks its own posts with (GET /2/users/me, GET /2/users/{id}/tweets)."""

from __future__ import annotations

import base64
import binascii
import math
import re
import time
from datetime import datetime
from typing import Any

from crosspost.sandbox import twitter_auth, twitter_figures, twitter_reads
from crosspost.sandbox.state import Fault, Store, now_iso
from crosspost.sandbox.wire import Api, Reply, Request, Route, Upload, parse_oauth_params
from crosspost.xlength import MAX_WEIGHTED_LENGTH, weighted_length

NETWORK = "twitter"
OAUTH_PARAMS = (
    "oauth_consumer_key",
    "oauth_token",
    "oauth_signature_method",
    "oauth_signature",
    "oauth_timestamp",
    "oauth_nonce",
    "oauth_version",
)
# The simple (one-request) v2 upload only takes these; GIFs and videos need chunks.
MEDIA_CATEGORIES = frozenset({"tweet_image", "dm_image", "subtitles"})
MEDIA_EXPIRES_AFTER_SECS = 86400
# Per-user 15-minute windows, as X announces them in x-rate-limit-* headers: X's rate-limit
# table (docs.x.com/x-api/fundamentals/rate-limits) gives POST /2/tweets 100, the media
# endpoints 500 and the user timeline (GET /2/users/:id/tweets) 900 per user; GET
# /2/users/me is 75 per user in the per-endpoint tables third parties transcribe.
RATE_WINDOW_SECS = 900
# GET /2/tweets (lookup by ids) is 900 per user in the same table.
RATE_LIMITS = {"tweets": 100, "media": 500, "timeline": 900, "me": 75, "lookup": 900}
# Snowflake-sized ids, so clients that parse them as 64-bit integers are exercised.
TWEET_ID_BASE = 1_860_000_000_000_000_000
MEDIA_ID_BASE = 1_870_000_000_000_000_000
INVALID_REQUEST = "https://api.twitter.com/2/problems/invalid-request"
_URL = re.compile(r"https?://\S+")


ALT_TEXT_MAX = 1000


def _problem(status: int, title: str, detail: str | None = None) -> Reply:
    return Reply(
        status,
        {"title": title, "type": "about:blank", "status": status, "detail": detail or title},
    )


def _invalid(message: str, parameter: str | None = None, value: Any = None) -> Reply:
    error: dict[str, Any] = {"message": message}
    if parameter is not None:
        error["parameters"] = {parameter: [value] if not isinstance(value, list) else value}
    return Reply(
        400,
        {
            "errors": [error],
            "title": "Invalid Request",
            "detail": "One or more parameters to your request was invalid.",
            "type": INVALID_REQUEST,
        },
    )


def _forbidden(detail: str) -> Reply:
    return Reply(
        403, {"detail": detail, "type": "about:blank", "title": "Forbidden", "status": 403}
    )


def _account(req: Request) -> str | None:
    """The oauth_token of a well-formed OAuth 1.0a header, else None."""
    params = parse_oauth_params(req.header("authorization") or "")
    if params is None or any(not params.get(name) for name in OAUTH_PARAMS):
        return None
    if params["oauth_version"] != "1.0" or not params["oauth_timestamp"].isdigit():
        return None
    if params["oauth_signature_method"] not in {"HMAC-SHA1", "HMAC-SHA256", "PLAINTEXT"}:
        return None
    return params["oauth_token"]


def _unauthorized() -> Reply:
    return _problem(401, "Unauthorized")


def create_tweet(req: Request, store: Store, _: re.Match[str]) -> Reply:
    account = _account(req)
    if account is None:
        return _unauthorized()
    body = req.json
    if not isinstance(body, dict):
        return _invalid(f"Request body must be a JSON object ({req.json_error or 'no body'}).")
    text = body.get("text")
    if text is not None and not isinstance(text, str):
        return _invalid("$.text: string expected", "text", text)
    media_ids = (body.get("media") or {}).get("media_ids") or []
    if not isinstance(media_ids, list) or not all(isinstance(m, str) for m in media_ids):
        return _invalid("$.media.media_ids: array of strings expected", "media.media_ids", [])
    if len(media_ids) > 4:
        return _invalid("$.media.media_ids: at most 4 items", "media.media_ids", media_ids)
    reply_to = (body.get("reply") or {}).get("in_reply_to_tweet_id")
    if reply_to is not None and not isinstance(reply_to, str):
        return _invalid("$.reply.in_reply_to_tweet_id: string expected", "reply", reply_to)
    text = text or ""
    if not text and not media_ids:
        return _invalid("Post text or media is required.", "text", text)
    weighted = weighted_length(text)
    if weighted > MAX_WEIGHTED_LENGTH:
        return _invalid(
            f"Post text is too long: weighted length {weighted} exceeds {MAX_WEIGHTED_LENGTH}.",
            "text",
            text,
        )
    with store.lock:
        media = []
        for media_id in media_ids:
            item = store.x_media.get(media_id)
            if item is None or item["account"] != account:
                return _invalid("Your media IDs are invalid.", "media.media_ids", media_ids)
            media.append(item)
        if reply_to is not None and store.find_post(NETWORK, reply_to) is None:
            return _forbidden(
                "You attempted to reply to a Tweet that is deleted or not visible to you."
            )
        if text and any(
            p["account"] == account and p["text"] == text for p in store.live_posts(NETWORK)
        ):
            return _forbidden("You are not allowed to create a Tweet with duplicate content.")
        tweet_id = str(TWEET_ID_BASE + store.next_number("tweet"))
        link = _URL.search(text)
        at = now_iso()
        store.add_post(
            NETWORK,
            {
                "id": tweet_id,
                "network": NETWORK,
                "text": text,
                "url": f"https://x.com/i/web/status/{tweet_id}",
                "account": account,
                "link": link.group() if link else None,
                "reply_to": reply_to,
                "media": [dict(m) for m in media],
                "weighted_length": weighted,
                "length": weighted,
                "limit": MAX_WEIGHTED_LENGTH,
                "at": at,
                # What the reading routes answer: the author's user id, X's time format.
                "author_id": twitter_reads.user_id_for(account),
                "created_at": twitter_reads.x_time(datetime.fromisoformat(at)),
            },
        )
    return Reply(
        201, {"data": {"id": tweet_id, "text": text, "edit_history_tweet_ids": [tweet_id]}}
    )


def get_me(req: Request, store: Store, _: re.Match[str]) -> Reply:
    """GET /2/users/me: the account the OAuth 1.0a token belongs to."""
    account = _account(req)
    if account is None:
        return _unauthorized()
    try:
        body = twitter_figures.me(twitter_reads.user_for(account), store, req.query)
    except twitter_reads.BadQuery as exc:
        return _invalid(str(exc), exc.parameter, exc.value)
    return Reply(200, body)


def lookup_tweets(req: Request, store: Store, _: re.Match[str]) -> Reply:
    """GET /2/tweets?ids=...: posts by id, with their public_metrics when asked."""
    if _account(req) is None:
        return _unauthorized()
    try:
        return Reply(200, twitter_figures.lookup(store, req.query))
    except twitter_reads.BadQuery as exc:
        return _invalid(str(exc), exc.parameter, exc.value)


def list_tweets(req: Request, store: Store, found: re.Match[str]) -> Reply:
    """GET /2/users/{id}/tweets: the account's posts newest first, as X shows them."""
    account = _account(req)
    if account is None:
        return _unauthorized()
    if found.group("id") != twitter_reads.user_id_for(account):
        # X lists any public account; the sandbox only the caller's own, so that a
        # client reading someone else's timeline by mistake fails instead of
        # concluding that its post is not there.
        return _forbidden("The sandbox lists only the authenticated user's own posts.")
    try:
        with store.lock:
            body = twitter_reads.timeline(store.live_posts(NETWORK), found.group("id"), req.query)
    except twitter_reads.BadQuery as exc:
        return _invalid(str(exc), exc.parameter, exc.value)
    return Reply(200, body)


def _sniff(data: bytes) -> str | None:
    signatures = {
        b"\x89PNG\r\n\x1a\n": "image/png",
        b"\xff\xd8\xff": "image/jpeg",
        b"GIF8": "image/gif",
        b"BM": "image/bmp",
    }
    for magic, content_type in signatures.items():
        if data.startswith(magic):
            return content_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _uploaded_media(req: Request) -> tuple[Upload | None, str | None, str | None]:
    """(file, media_category, media_type) from a multipart or a JSON (base64) upload."""
    if isinstance(req.json, dict):
        encoded = req.json.get("media")
        try:
            data = base64.b64decode(encoded, validate=True) if isinstance(encoded, str) else b""
        except binascii.Error:
            data = b""
        media_type = req.json.get("media_type")
        upload = Upload(None, media_type or "", data) if data else None
        return upload, req.json.get("media_category"), media_type
    upload = req.files.get("media")
    if upload is None and req.form.get("media_data"):
        try:
            upload = Upload(None, "", base64.b64decode(req.form["media_data"], validate=True))
        except binascii.Error:
            upload = None
    return upload, req.form.get("media_category"), req.form.get("media_type")


def upload_media(req: Request, store: Store, _: re.Match[str]) -> Reply:
    account = _account(req)
    if account is None:
        return _unauthorized()
    upload, category, media_type = _uploaded_media(req)
    if upload is None or not upload.data:
        return _invalid("A media file is required (multipart field 'media').", "media", "")
    if category not in MEDIA_CATEGORIES:
        return _invalid(
            f"media_category must be one of {', '.join(sorted(MEDIA_CATEGORIES))}.",
            "media_category",
            category,
        )
    declared = upload.content_type if upload.content_type != "application/octet-stream" else ""
    content_type = declared or media_type or _sniff(upload.data) or "application/octet-stream"
    media_id = str(MEDIA_ID_BASE + store.next_number("media"))
    with store.lock:
        store.x_media[media_id] = {
            "id": media_id,
            "media_key": f"3_{media_id}",
            "account": account,
            "category": category,
            "content_type": content_type,
            "filename": upload.filename,
            "size": len(upload.data),
        }
    return Reply(
        200,
        {
            "data": {
                "id": media_id,
                "media_key": f"3_{media_id}",
                "size": len(upload.data),
                "expires_after_secs": MEDIA_EXPIRES_AFTER_SECS,
                "image": {"image_type": content_type},
            }
        },
    )


def describe_media(req: Request, store: Store, _: re.Match[str]) -> Reply:
    """POST /2/media/metadata: alt text for an uploaded image (up to 1000 characters)."""
    account = _account(req)
    if account is None:
        return _unauthorized()
    body = req.json if isinstance(req.json, dict) else {}
    media_id = str(body.get("id") or "")
    metadata = body.get("metadata")
    alt = metadata.get("alt_text", {}).get("text") if isinstance(metadata, dict) else None
    if not isinstance(alt, str) or not alt:
        return _invalid("metadata.alt_text.text is required.", "metadata", metadata)
    if len(alt) > ALT_TEXT_MAX:
        return _invalid(f"alt_text.text is longer than {ALT_TEXT_MAX} characters.", "text", alt)
    with store.lock:
        media = store.x_media.get(media_id)
        if media is None or media["account"] != account:
            return _invalid(f"Unknown media id {media_id!r}.", "id", media_id)
        media["alt_text"] = alt
    return Reply(
        200, {"data": {"id": media_id, "associated_metadata": {"alt_text": {"text": alt}}}}
    )


def fault_reply(fault: Fault, req: Request, store: Store) -> Reply:
    if fault.status == 401:
        return _unauthorized()
    if fault.status == 402:  # pay-per-use credits spent: no post until topped up
        return Reply(
            402,
            {
                "title": "CreditsDepleted",
                "type": "https://api.x.com/2/problems/credits-depleted",
                "status": 402,
                "detail": "Your enrolled account does not have any credits to fulfill "
                "this request.",
            },
        )
    if fault.status == 429 and fault.problem == "usage-capped":
        # The monthly cap: the 15-minute window still shows room, which is the trap.
        reply = _problem(429, "UsageCapExceeded", "Usage cap exceeded: Monthly product cap")
        reply.body["type"] = "https://api.x.com/2/problems/usage-capped"
        reply.body["period"] = "Monthly"
        reply.headers.update({"x-rate-limit-limit": "100", "x-rate-limit-remaining": "99"})
        return reply
    if fault.status == 429:
        reset = str(math.ceil(time.time()) + fault.reset_in)
        reply = _problem(429, "Too Many Requests")
        endpoint = _endpoint(req.method, req.path)
        reply.headers.update(
            {
                "x-rate-limit-limit": str(RATE_LIMITS[endpoint]),
                "x-rate-limit-remaining": "0",
                "x-rate-limit-reset": reset,
            }
        )
        if endpoint == "tweets":
            # X says when to come back in the 15-minute headers, and in the 24-hour
            # ones when the daily post cap is the limit hit; a client may read either.
            reply.headers.update(
                {
                    "x-user-limit-24hour-limit": "17",
                    "x-user-limit-24hour-remaining": "0",
                    "x-user-limit-24hour-reset": reset,
                }
            )
        return reply
    if fault.status == 503:
        return _problem(503, "Service Unavailable")
    if fault.status == 400:  # a refusal: nothing was created
        return _problem(
            400, "Invalid Request", "One or more parameters to your request was invalid."
        )
    return _problem(500, "Internal Server Error")


def add_rate_headers(reply: Reply, req: Request, store: Store) -> Reply:
    """Every X answer tells the client where it stands in its 15-minute window."""
    if "x-rate-limit-reset" in reply.headers:
        return reply
    endpoint = _endpoint(req.method, req.path)
    account = _account(req) or "anonymous"
    now = time.time()
    with store.lock:
        window = store.x_windows.get((account, endpoint))
        if window is None or now >= window[0] + RATE_WINDOW_SECS:
            window = [now, 0.0]
            store.x_windows[(account, endpoint)] = window
        window[1] += 1
        limit = RATE_LIMITS[endpoint]
        reply.headers.update(
            {
                "x-rate-limit-limit": str(limit),
                "x-rate-limit-remaining": str(max(limit - int(window[1]), 0)),
                "x-rate-limit-reset": str(math.ceil(window[0] + RATE_WINDOW_SECS)),
            }
        )
    return reply


def _endpoint(method: str, path: str) -> str:
    """Which of X's rate windows a request counts in."""
    if method == "GET" and path.rstrip("/") == "/2/tweets":
        return "lookup"
    if path.startswith("/2/media"):
        return "media"
    if path.rstrip("/") == "/2/users/me":
        return "me"
    if path.startswith("/2/users/"):
        return "timeline"
    return "tweets"


def not_found(req: Request) -> Reply:
    return _problem(404, "Not Found Error", f"Sorry, that page does not exist: {req.path}")


def _account_label(account: str) -> str:
    """The account is an OAuth token: show only its public user-id prefix."""
    user, dash, _ = account.partition("-")
    return f"user {user}" if dash and user.isdigit() else f"token {account[:4]}…"


API = Api(
    network=NETWORK,
    owns=lambda path: path.startswith("/2/") or path in twitter_auth.PATHS,
    routes=(
        Route("POST", re.compile(r"^/2/tweets/?$"), create_tweet),
        Route("GET", re.compile(r"^/2/tweets/?$"), lookup_tweets, posting=False),
        Route("POST", re.compile(r"^/2/media/upload/?$"), upload_media),
        Route("POST", re.compile(r"^/2/media/metadata/?$"), describe_media, posting=False),
        Route("GET", re.compile(r"^/2/users/me/?$"), get_me, posting=False),
        Route("GET", re.compile(r"^/2/users/(?P<id>[0-9]+)/tweets/?$"), list_tweets, posting=False),
        *twitter_auth.ROUTES,
    ),
    fault_reply=fault_reply,
    not_found=not_found,
    finish=add_rate_headers,
    title="X",
    style="x",
    accent="#0f1419",
    account_label=_account_label,
)
