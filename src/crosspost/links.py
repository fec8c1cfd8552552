"""The post's link as each channel sends it: UTM-tagged, then maybe shortened."""

from __future__ import annotations

import threading
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .bitly import Bitly
from .config import ChannelConfig, Shortener, Utm
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
    """bit.ly (crosspost.bitly), with every short link cached in the ledger.

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
        self._client: Bitly | None = None

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
            if self._client is None:
                self._client = Bitly(
                    self._token, api_url=self._api_url, timeout=self._settings.timeout
                )
            short, bitlink_id = self._client.shorten(
                long_url, domain=self._settings.domain, group_guid=self._settings.group_guid
            )
            self._ledger.save_short_link(long_url, short_url=short, bitlink_id=bitlink_id)
        # Another run may have saved first: the ledger keeps the first, use it.
        return self.cached(long_url) or short


_FLIGHTS: dict[str, threading.Lock] = {}
_FLIGHTS_LOCK = threading.Lock()


def _flight(long_url: str) -> threading.Lock:
    """The lock of one long URL: one bit.ly request at a time for it in this process."""
    with _FLIGHTS_LOCK:
        return _FLIGHTS.setdefault(long_url, threading.Lock())
