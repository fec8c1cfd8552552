"""HTTP plumbing shared by the network adapters.

Imported lazily, from inside adapter methods: it pulls in `requests`, which the
adapter modules themselves must not import at module level.

- `mount_rewriter` sends a client library's hard-coded host to `api_url` (the
  sandbox, a proxy) and gives every request a timeout.
- `transport_error` sorts `requests` failures into "never reached the network"
  (`Transient`, safe to retry) and "sent, no answer" (`Uncertain`, the post may
  exist).  Each adapter calls it from its own single error-mapping function.
- Small readers for reset times, and `scrub`, the last guard against a secret
  slipping into a message.
"""

from __future__ import annotations

import email.utils
import json
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError, NewConnectionError

from crosspost.errors import DeliveryError, Transient, Uncertain

# Longest message text taken from a network's answer: enough for an explanation,
# short enough that an HTML error page never floods a report.
MAX_DETAIL = 300


class RewritingAdapter(HTTPAdapter):
    """Send requests for a real API host to `target` instead, with a default timeout.

    `resign` re-applies a request signature after the URL changed (OAuth 1.0a
    signs scheme, host and path, so a signature made for the real host would
    not match the host actually contacted).
    """

    def __init__(
        self,
        *,
        target: str | None,
        timeout: float,
        resign: Callable[[requests.PreparedRequest], Any] | None = None,
    ) -> None:
        super().__init__(max_retries=0)  # a retried POST could publish twice
        self.target = urlsplit(target) if target else None
        self.timeout = timeout
        self.resign = resign

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: bool | str = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> requests.Response:
        if timeout is None:
            timeout = self.timeout
        if self.target is not None and request.url:
            url = urlsplit(str(request.url))
            rewritten = urlunsplit(
                (self.target.scheme, self.target.netloc, url.path, url.query, url.fragment)
            )
            if rewritten != request.url:
                request.url = rewritten
                auth = request.headers.get("Authorization", "")
                if isinstance(auth, bytes):
                    auth = auth.decode("latin-1")
                if self.resign is not None and auth.startswith("OAuth "):
                    del request.headers["Authorization"]
                    self.resign(request)
        return super().send(
            request, stream=stream, timeout=timeout, verify=verify, cert=cert, proxies=proxies
        )


def mount_rewriter(
    session: requests.Session,
    *,
    hosts: Iterable[str],
    api_url: str | None,
    timeout: float,
    resign: Callable[[requests.PreparedRequest], Any] | None = None,
) -> None:
    """Route `hosts` (scheme+host prefixes) of `session` through a `RewritingAdapter`."""
    adapter = RewritingAdapter(target=api_url, timeout=timeout, resign=resign)
    for host in hosts:
        session.mount(host.rstrip("/") + "/", adapter)


def transport_error(
    exc: BaseException,
    *,
    network: str,
    channel: str,
    timeout: float,
    posting: bool = True,
    request: str = "an image upload",
) -> DeliveryError | None:
    """Map a `requests` failure (no HTTP answer) to Transient or Uncertain; None otherwise.

    `posting` is False for preparatory requests (image uploads) and reads (the
    account's posts, for reconciling): those cannot create a post, so even a
    lost answer is safe to retry.  `request` names such a request in the message.
    """
    if not isinstance(exc, requests.RequestException) or isinstance(
        exc, (requests.HTTPError, requests.exceptions.InvalidJSONError)
    ):
        return None  # an HTTP answer came back: the adapter reads it
    where = f"channel {channel!r}"
    if _never_sent(exc):
        return Transient(
            f"{network} could not be reached for {where} ({_why(exc)}); nothing was "
            "published and it is safe to try again later.",
            channel=channel,
        )
    if not posting:
        return Transient(
            f"{network} did not answer {request} for {where} ({_why(exc)}); "
            "no post was created and it is safe to try again later.",
            channel=channel,
        )
    if isinstance(exc, requests.Timeout):
        what = f"did not answer within {timeout:g} s"
    else:
        what = f"dropped the connection before answering ({_why(exc)})"
    return Uncertain(
        f"{network} {what} for {where}: the post may have been published; `crosspost "
        "reconcile` looks for it on the account.",
        channel=channel,
    )


def _never_sent(exc: requests.RequestException) -> bool:
    """True when the request cannot have reached the network's application."""
    if isinstance(
        exc,
        (
            requests.ConnectTimeout,
            requests.exceptions.SSLError,
            requests.exceptions.ProxyError,
            requests.exceptions.InvalidURL,
            requests.exceptions.MissingSchema,
            requests.exceptions.InvalidSchema,
            requests.exceptions.InvalidHeader,
        ),
    ):
        return True
    if isinstance(exc, requests.ConnectionError) and not isinstance(exc, requests.Timeout):
        # Refused / unresolvable: urllib3 gave up before a byte of the request left.
        # A bare ProtocolError or reset, by contrast, came after the request was sent.
        reason = exc.args[0] if exc.args else None
        return isinstance(reason, MaxRetryError) and isinstance(reason.reason, NewConnectionError)
    return False


def _why(exc: requests.RequestException) -> str:
    # The class name only: requests' messages carry URLs, and URLs can carry tokens.
    if isinstance(exc, requests.ConnectTimeout):
        return "connection timed out"
    if isinstance(exc, requests.ReadTimeout):
        return "read timed out"
    if isinstance(exc, requests.exceptions.SSLError):
        return "TLS handshake failed"
    if isinstance(exc, requests.ConnectionError):
        reason = exc.args[0] if exc.args else None
        if isinstance(reason, MaxRetryError) and isinstance(reason.reason, NewConnectionError):
            return "connection refused or host not found"
        return "connection error"
    return type(exc).__name__


def utc_now() -> datetime:
    return datetime.now(UTC)


def from_epoch(value: str | None) -> datetime | None:
    """An epoch-seconds header value as an aware UTC datetime, or None."""
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(int(float(value.strip())), UTC)
    except (ValueError, OverflowError, OSError):
        return None


def retry_after(headers: Mapping[str, str]) -> datetime | None:
    """The moment named by a Retry-After header (seconds or an HTTP date), or None."""
    value = headers.get("Retry-After")
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return utc_now() + timedelta(seconds=int(value))
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)


def json_header(headers: Mapping[str, str], name: str) -> Any:
    """A header holding JSON (Graph's usage headers), decoded, or None."""
    value = headers.get(name)
    if not value:
        return None
    try:
        return json.loads(value)
    except ValueError:
        return None


def json_body(response: requests.Response) -> Any:
    """The decoded JSON body, or None when the answer is not JSON (an HTML error page)."""
    if "json" not in response.headers.get("Content-Type", ""):
        return None
    try:
        return response.json()
    except ValueError:
        return None


def status_text(response: requests.Response) -> str:
    return f"HTTP {response.status_code} {response.reason or ''}".strip()


def detail(response: requests.Response | None, text: str | None, secrets: Iterable[str]) -> str:
    """The status and the network's own words, clipped and scrubbed, for a message."""
    if response is None:
        said = text or "no answer"
    else:
        said = f"HTTP {response.status_code}: {text}" if text else status_text(response)
    return scrub(clip(said), secrets)


def clip(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= MAX_DETAIL else text[: MAX_DETAIL - 1] + "…"


def scrub(message: str, secrets: Iterable[str]) -> str:
    """`message` without the adapter's own credentials (even short ones), then through
    the project's one scrubber (`crosspost.secrets.scrub`): a network may echo a token
    back, or our Authorization header."""
    from crosspost.secrets import REDACTED
    from crosspost.secrets import scrub as scrub_secrets

    for secret in secrets:
        if secret and len(secret) >= 4:
            message = message.replace(secret, REDACTED)
    return scrub_secrets(message)


def next_midnight_utc() -> datetime:
    """When daily limits that reset at midnight UTC (LinkedIn's) reset next."""
    now = utc_now()
    return datetime(now.year, now.month, now.day, tzinfo=UTC) + timedelta(days=1)


def fmt_time(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


# How long before an API version's end date `check` and `run` start saying so.
VERSION_WARN_DAYS = 60


def version_warning(
    *,
    network: str,
    setting: str,
    version: str,
    ends: date | None,
    channel: str,
    today: date | None = None,
) -> str | None:
    """A warning when `version` ends within VERSION_WARN_DAYS (or has ended); else None."""
    if ends is None:
        return None
    today = today or datetime.now(UTC).date()
    left = (ends - today).days
    if left > VERSION_WARN_DAYS:
        return None
    when = f"ended on {ends.isoformat()}" if left < 0 else f"ends on {ends.isoformat()}"
    return (
        f"{network} API version {version} of channel {channel!r} {when}: set {setting} to a "
        "newer version in channels.yaml before then (every post would be refused)"
    )
