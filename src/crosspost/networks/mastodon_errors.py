"""The one place where Mastodon.py's failures become crosspost errors.

Mastodon.py raises `MastodonAPIError` subclasses with the arguments
("Mastodon API returned error", status, reason, the body's `error`), a bare
`MastodonRatelimitError("Hit rate limit.")` for a 429 (headers and all gone, so
the adapter keeps the last answer), and `MastodonNetworkError` for any failure of
`requests`, the original exception as its `__context__`.  Imported from inside
the adapter's methods only.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from crosspost.errors import (
    AuthFailed,
    DeliveryError,
    RateLimited,
    Rejected,
    Transient,
    Uncertain,
)

if TYPE_CHECKING:
    import requests

RENEW = (
    "Create a new access token on the instance (Preferences → Development → New "
    "application, scopes write:statuses, write:media and read:statuses), then update "
    "the environment variable the channel's access_token points to."
)
DEFAULT_RATE_WINDOW = timedelta(minutes=5)  # Mastodon's windows are 5 minutes
# What each kind of request is, in the messages: only "create" can make a status.
REQUESTS = {
    "create": "the status",
    "media": "the image upload",
    "read": "a read of the account's statuses",
    "instance": "the read of the instance's settings",
}


def map_error(
    exc: BaseException,
    *,
    channel: str,
    timeout: float,
    secrets: Iterable[str],
    request: str,
    last: requests.Response | None,
) -> DeliveryError:
    """`exc` from a Mastodon.py call as a crosspost error; `request` is a key of REQUESTS."""
    from mastodon.errors import (
        MastodonAPIError,
        MastodonIllegalArgumentError,
        MastodonIOError,
        MastodonNetworkError,
        MastodonRatelimitError,
    )

    from crosspost.networks import _http

    if isinstance(exc, DeliveryError):
        return exc
    secrets = list(secrets)
    posting = request == "create"
    what = REQUESTS[request]
    where = f"channel {channel!r}"
    if isinstance(exc, MastodonRatelimitError) and last is not None and last.status_code != 429:
        # Mastodon.py also raises it when a rate-limit header of any answer (a 200 to a
        # create request among them) cannot be read: that answer's work was done.
        return _unknown(where, what, posting, channel, "a rate-limit header it could not read")
    if isinstance(exc, MastodonRatelimitError):
        reset_at = _reset_at(last)
        return RateLimited(
            f"Mastodon rate limit reached for {where}; it resets at "
            f"{_http.fmt_time(reset_at)}. Nothing was published.",
            channel=channel,
            reset_at=reset_at,
        )
    if isinstance(exc, MastodonNetworkError) or not isinstance(exc, MastodonAPIError):
        cause = exc.__context__ if isinstance(exc, MastodonNetworkError) else exc
        if isinstance(exc, MastodonIOError | MastodonIllegalArgumentError | OSError) and not (
            isinstance(exc, MastodonNetworkError)
        ):
            return Rejected(
                f"{where}: cannot read or recognise the image ({type(exc).__name__}); nothing "
                "was published",
                channel=channel,
            )
        mapped = _http.transport_error(
            cause or exc,
            network="Mastodon",
            channel=channel,
            timeout=timeout,
            posting=posting,
            request=what,
        )
        if mapped is not None:
            return mapped
        return _unknown(where, what, posting, channel, type(exc).__name__)
    status = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], int) else None
    if status is None:  # a 2xx answer that was not JSON
        return _unknown(where, what, posting, channel, "an answer that is not JSON")
    said = exc.args[3] if len(exc.args) > 3 and exc.args[3] else exc.args[2] or ""
    detail = _http.scrub(
        _http.clip(f"HTTP {status}: {said}" if said else f"HTTP {status}"), secrets
    )
    if status in (401, 403):
        return AuthFailed(
            f"Mastodon refused the access token of {where} ({detail}). {RENEW}", channel=channel
        )
    if status >= 500:
        if posting:
            # A 5xx on a create request proves nothing: the status may exist.
            return Uncertain(
                f"Mastodon had a server error for {where} ({detail}): the status may have been "
                "published all the same: `crosspost reconcile` looks for it on the account.",
                channel=channel,
            )
        return Transient(
            f"Mastodon had a server error on {what} for {where} ({detail}); nothing was "
            "published, try again later.",
            channel=channel,
        )
    return Rejected(f"Mastodon refused {what} for {where}: {detail}", channel=channel)


def _unknown(where: str, what: str, posting: bool, channel: str, why: str) -> DeliveryError:
    if posting:
        return Uncertain(
            f"Mastodon answered {what} for {where} with {why}: the status may have been "
            "published; `crosspost reconcile` looks for it on the account.",
            channel=channel,
        )
    return Transient(
        f"Mastodon answered {what} for {where} with {why}; nothing was published, try again later.",
        channel=channel,
    )


def _reset_at(last: requests.Response | None) -> datetime:
    """When the limit resets: X-RateLimit-Reset (an ISO 8601 time) of the 429, else
    Retry-After, else a whole window from now."""
    from crosspost.networks import _http

    value = last.headers.get("X-RateLimit-Reset") if last is not None else None
    if value:
        try:
            when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            when = None
        if when is not None:
            return when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)
    retry = _http.retry_after(last.headers) if last is not None else None
    return retry or _http.utc_now() + DEFAULT_RATE_WINDOW
