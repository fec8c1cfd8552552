"""The one place where atproto SDK failures become crosspost errors (`map_error`).

Every string a PDS sends back is untrusted: it goes through `_http.scrub` with
the app password and the session's JWTs, and any JWT-shaped string is cut out
too, before it reaches a message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from crosspost.errors import (
    AuthFailed,
    ChannelMisconfigured,
    DeliveryError,
    RateLimited,
    Rejected,
    Transient,
    Uncertain,
)

# Three base64url segments, the first two JSON objects: any JWT, ours or not.
JWT_RE = re.compile(r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*)?")
# XRPC error names that mean the session is no good (the PDS answers them with 400).
SESSION_ERRORS = frozenset({"ExpiredToken", "InvalidToken", "AuthMissing"})
FIX = "create an app password at bsky.app/settings/app-passwords and set it as app_password"
# When a 429 names no reset time: createSession's window is 5 minutes.
DEFAULT_RATE_WAIT = timedelta(minutes=5)


def error_name(exc: BaseException) -> str | None:
    """The XRPC error name of an SDK failure ("ExpiredToken"), or None."""
    content = _content(exc)
    name = getattr(content, "error", None)
    return str(name) if name else None


def status_of(exc: BaseException) -> int | None:
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None)
    return status if isinstance(status, int) else None


def is_session_refused(exc: BaseException) -> bool:
    """The access (or refresh) token was refused: refresh, or log in again."""
    return status_of(exc) == 401 or (status_of(exc) == 400 and error_name(exc) in SESSION_ERRORS)


def is_not_found(exc: BaseException) -> bool:
    """getRecord's answer for a record that does not exist."""
    return status_of(exc) == 400 and error_name(exc) == "RecordNotFound"


def map_error(
    exc: BaseException,
    *,
    channel: str,
    request: str,
    posting: bool,
    timeout: float,
    secrets: Iterable[str],
    handle: str | None = None,
) -> DeliveryError:
    """`exc` from the SDK (or httpx under it) as a crosspost DeliveryError.

    `request` names the call in words ("the post", "an image upload", "the login");
    `posting` is True only for createRecord, the one call that may create a post.
    `handle` is given for a refused login whose handle does not resolve.
    """
    from crosspost.networks import _http

    if isinstance(exc, DeliveryError):
        return exc
    where = f"channel {channel!r}"
    status = status_of(exc)
    if status is None:
        return _transport(
            exc, where=where, channel=channel, request=request, posting=posting, timeout=timeout
        )
    said = _said(exc, secrets)
    detail = _http.clip(f"HTTP {status}: {said}" if said else f"HTTP {status}")
    if handle is not None:
        return ChannelMisconfigured(
            f"Bluesky handle {handle!r} of {where} does not resolve ({detail}): set `handle:` "
            "in channels.yaml to the account's handle as bsky.app shows it (e.g. "
            "school.bsky.social), then `crosspost channels resume` it.",
            channel=channel,
        )
    if is_session_refused(exc) or status == 403:
        return AuthFailed(
            f"Bluesky refused the login of {where} ({detail}): {FIX}.", channel=channel
        )
    if status == 429:
        reset_at = _reset_at(exc)
        return RateLimited(
            f"Bluesky rate limit reached for {where} ({detail}); it resets at "
            f"{_http.fmt_time(reset_at)}.",
            channel=channel,
            reset_at=reset_at,
        )
    if status >= 500 or status in (408, 409):
        if posting:
            return Uncertain(
                f"Bluesky had a server error on {request} for {where} ({detail}): the post may "
                "have been made; `crosspost reconcile` looks for it by its record key.",
                channel=channel,
            )
        return Transient(
            f"Bluesky had a server error on {request} for {where} ({detail}); nothing was "
            "posted, try again later.",
            channel=channel,
        )
    return Rejected(f"Bluesky refused {request} for {where}: {detail}.", channel=channel)


def _transport(
    exc: BaseException, *, where: str, channel: str, request: str, posting: bool, timeout: float
) -> DeliveryError:
    """No HTTP answer: never sent (Transient), or sent and unanswered (Uncertain if posting)."""
    import httpx

    cause = exc.__cause__ or exc.__context__ or exc
    never_sent = isinstance(
        cause, httpx.ConnectError | httpx.ConnectTimeout | httpx.UnsupportedProtocol
    )
    if never_sent:
        return Transient(
            f"Bluesky could not be reached for {where} ({type(cause).__name__}); nothing was "
            "posted and it is safe to try again later.",
            channel=channel,
        )
    if isinstance(cause, httpx.TimeoutException):
        what = f"did not answer {request} within {timeout:g} s"
    else:
        what = f"dropped the connection during {request} ({type(cause).__name__})"
    if not posting:
        return Transient(
            f"Bluesky {what} for {where}; no post was made, try again later.", channel=channel
        )
    return Uncertain(
        f"Bluesky {what} for {where}: the post may have been made; `crosspost reconcile` "
        "looks for it by its record key (a retry uses the same key, so it cannot duplicate).",
        channel=channel,
    )


def _content(exc: BaseException) -> Any:
    return getattr(getattr(exc, "response", None), "content", None)


def _said(exc: BaseException, secrets: Iterable[str]) -> str:
    """The PDS's own words (error name and message), scrubbed."""
    from crosspost.networks import _http

    content = _content(exc)
    name = getattr(content, "error", None)
    message = getattr(content, "message", None)
    if name is None and isinstance(content, bytes | str):
        message = content.decode("utf-8", "replace") if isinstance(content, bytes) else content
    said = ": ".join(str(p) for p in (name, message) if p)
    # Scrubbed before it is clipped: a token cut in half would no longer be recognised.
    return _http.clip(_http.scrub(JWT_RE.sub("<redacted>", said), list(secrets)))


def _reset_at(exc: BaseException) -> datetime:
    """When a 429 says to come back: `ratelimit-reset` (epoch seconds), else Retry-After."""
    from crosspost.networks import _http

    headers = getattr(getattr(exc, "response", None), "headers", None) or {}
    reset = _http.from_epoch(headers.get("ratelimit-reset"))
    if reset is None:
        reset = _http.retry_after({"Retry-After": headers.get("retry-after", "")})
    return reset or datetime.now(UTC) + DEFAULT_RATE_WAIT
