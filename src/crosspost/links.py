"""The post's link as each channel sends it: UTM-tagged, then maybe shortened."""

from __future__ import annotations

import threading
import time
from contextlib import suppress
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .bitly import Bitly
from .config import ChannelConfig, Shortener, Utm
from .errors import LedgerError, ShortenerFailed
from .ledger.models import LinkClaim
from .ledger.store import ShortLinks
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


# A claim on a long URL lasts twice the shortener's `timeout` (requests bounds
# the connect and the read separately, so one request may use both) plus this,
# for the ledger writes around the request.  A claim that lapses while its
# owner still works costs one more bit.ly request, never a lost link.
CLAIM_MARGIN_SECONDS = 5.0
# How often a process waiting for another's link looks again: soon at first
# (bit.ly usually answers in a fraction of a second), then every 0.2 s.
FIRST_PAUSE_SECONDS = 0.05
MAX_PAUSE_SECONDS = 0.2


class LinkShortener:
    """bit.ly (crosspost.bitly), with every short link cached in the ledger.

    bit.ly's free plans have small monthly quotas and per-minute limits: the
    same long URL is never shortened twice, not even by two runs at once.
    """

    def __init__(
        self,
        settings: Shortener,
        *,
        token: str,
        ledger: ShortLinks,
        api_url: str | None = None,
    ) -> None:
        self._settings = settings
        self._token = token
        self._ledger = ledger
        self._api_url = api_url or settings.api_url
        self._client: Bitly | None = None

    @property
    def lease_seconds(self) -> float:
        """How long a claim on a long URL lasts, and how long another process waits for it."""
        return 2 * self._settings.timeout + CLAIM_MARGIN_SECONDS

    def cached(self, long_url: str) -> str | None:
        hit = self._ledger.get_short_link(long_url)
        return hit[0] if hit else None

    def shorten(self, long_url: str) -> str:
        """The short link for `long_url`; raises ShortenerFailed on any bit.ly error.

        Single-flight across threads and processes: whoever needs a long URL
        first claims it in the ledger and asks bit.ly; the others wait for its
        answer instead of asking again.  The thread lock is still needed: the
        threads of one process share one owner id, so the claim cannot order them.
        """
        hit = self.cached(long_url)
        if hit:
            return hit
        with _flight(long_url):
            hit = self._claim_or_wait(long_url)  # another process may have saved it meanwhile
            if hit:
                return hit
            try:
                short, bitlink_id = self._ask_bitly(long_url)
                # Saving ends the claim; another run may have saved first, and
                # the ledger keeps and returns the first.
                saved, _ = self._ledger.save_short_link(
                    long_url, short_url=short, bitlink_id=bitlink_id
                )
            except BaseException:
                self._release(long_url)
                raise
        return saved

    def _claim_or_wait(self, long_url: str) -> str | None:
        """The cached link, or None once this process holds the claim on `long_url`.

        While another live process holds it, look again now and then, until its
        link is saved or its claim is released, expires or outlives its owner;
        ShortenerFailed when that takes longer than a claim may last.
        """
        owner = self._ledger.owner_id()
        wait = self.lease_seconds
        deadline = time.monotonic() + wait
        pause = FIRST_PAUSE_SECONDS
        while True:
            claim = self._ledger.claim_short_link(long_url, owner=owner, lease_seconds=wait)
            if claim.cached is not None:
                return claim.cached[0]
            if claim.claimed:
                return None
            if time.monotonic() >= deadline:
                raise _still_claimed(long_url, claim, wait)
            time.sleep(pause)
            pause = min(pause * 2, MAX_PAUSE_SECONDS)

    def _ask_bitly(self, long_url: str) -> tuple[str, str]:
        if self._client is None:
            self._client = Bitly(self._token, api_url=self._api_url, timeout=self._settings.timeout)
        return self._client.shorten(
            long_url, domain=self._settings.domain, group_guid=self._settings.group_guid
        )

    def _release(self, long_url: str) -> None:
        """Give up the claim after a failure, so that the next process asks at once."""
        # A ledger error here must not hide bit.ly's (the caller's on_error
        # handles ShortenerFailed); the claim's lease retires it instead.
        with suppress(LedgerError):
            self._ledger.release_short_link(long_url, owner=self._ledger.owner_id())


def _still_claimed(long_url: str, claim: LinkClaim, waited: float) -> ShortenerFailed:
    until = f" (its claim lapses at {claim.until:%H:%M:%S} UTC)" if claim.until else ""
    return ShortenerFailed(
        f"waited {waited:g} s for another crosspost process ({claim.holder}) to shorten "
        f"{long_url}{until}; the next run asks bit.ly itself if that process is stuck"
    )


_FLIGHTS: dict[str, threading.Lock] = {}
_FLIGHTS_LOCK = threading.Lock()


def _flight(long_url: str) -> threading.Lock:
    """The lock of one long URL: one bit.ly request at a time for it in this process."""
    with _FLIGHTS_LOCK:
        return _FLIGHTS.setdefault(long_url, threading.Lock())
