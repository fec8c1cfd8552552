"""The post's link as each channel sends it: UTM-tagged, then maybe shortened."""

from __future__ import annotations

import threading
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .config import ChannelConfig, Shortener, Utm
from .errors import ShortenerFailed
from .post import Post


def tag_url(url: str, utm: Utm | None, *, channel: ChannelConfig, post: Post) -> str:
    """Add the channel's UTM parameters; parameters already in the URL win."""
    if utm is None:
        return url
    values = {"channel": channel.name, "network": channel.network, "slug": post.slug}
    wanted = {
        "utm_source": utm.source,
        "utm_medium": utm.medium,
        "utm_campaign": utm.campaign,
        "utm_term": utm.term,
        "utm_content": utm.content,
    }
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    for key, template in wanted.items():
        if template is not None and key not in query:
            query[key] = _expand(template, values)
    return urlunsplit(parts._replace(query=urlencode(query)))


def _expand(template: str, values: dict[str, str]) -> str:
    out = template
    for key, value in values.items():
        out = out.replace("{" + key + "}", value)
    return out


class LinkShortener:
    """bit.ly through pyshorteners, with every short link cached in the ledger.

    bit.ly's free plans have small monthly quotas and per-minute limits: the
    same long URL is never shortened twice.
    """

    def __init__(
        self, settings: Shortener, *, token: str, ledger: Any, api_url: str | None = None
    ) -> None:
        self._settings = settings
        self._token = token
        self._ledger = ledger
        self._api_url = api_url or settings.api_url
        self._client: Any = None

    def cached(self, long_url: str) -> str | None:
        hit = self._ledger.get_short_link(long_url)
        return hit[0] if hit else None

    def shorten(self, long_url: str) -> str:
        """The short link for `long_url`; raises ShortenerFailed on any bit.ly error.

        Single-flight within the process: channels sending in parallel that need the
        same long URL wait for the first one's answer instead of asking bit.ly again.
        """
        hit = self.cached(long_url)
        if hit:
            return hit
        with _flight(long_url):
            hit = self.cached(long_url)  # the thread that went first has saved it
            if hit:
                return hit
            short = self._request(long_url)
            bitlink_id = short.split("://", 1)[-1]
            self._ledger.save_short_link(long_url, short_url=short, bitlink_id=bitlink_id)
        # Another run may have saved first: the ledger keeps the first, use it.
        return self.cached(long_url) or short

    def _request(self, long_url: str) -> str:
        if self._client is None:
            import pyshorteners

            kwargs: dict[str, Any] = {"api_key": self._token, "timeout": self._settings.timeout}
            if self._api_url:
                kwargs["api_url"] = self._api_url.rstrip("/") + "/v4"
            self._client = pyshorteners.Shortener(**kwargs).bitly
        try:
            return str(self._client.short(long_url))
        except Exception as exc:  # pyshorteners raises its own and requests' errors
            raise ShortenerFailed(_describe_shortener_error(exc)) from None


_FLIGHTS: dict[str, threading.Lock] = {}
_FLIGHTS_LOCK = threading.Lock()


def _flight(long_url: str) -> threading.Lock:
    """The lock of one long URL: one bit.ly request at a time for it in this process."""
    with _FLIGHTS_LOCK:
        return _FLIGHTS.setdefault(long_url, threading.Lock())


def _describe_shortener_error(exc: Exception) -> str:
    # pyshorteners puts bit.ly's raw answer in the message; it never holds the token
    # (sent as a header), but keep it short.
    name = type(exc).__name__
    detail = str(exc)[:200]
    if "Timeout" in name:
        return "bit.ly did not answer in time"
    if "Connection" in name:
        return "cannot reach bit.ly"
    return f"bit.ly refused to shorten the link: {detail}"
