"""Short links made ahead: every bit.ly link a run (or a preview) needs, in one
parallel wave, before anything is posted.

Shortening right before each post made every post cost two round trips in a
row (bit.ly, then the network).  Made ahead, by the dry run, by `schedule` or
by `feed pull`, the link is in the ledger's cache when the post goes out, and
sending costs one round trip; made at the start of `publish` or `run`, all the
links cost one wave together instead of one each, in series per channel.

Every request goes through `links.LinkShortener`, so the cache and its
single-flight hold: a long URL is never shortened twice, whoever asks.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..config import ChannelConfig, Config
from ..errors import BadInput, ShortenerFailed
from ..ledger import Delivery, open_store
from ..links import LinkShortener
from ..post import Post
from ..preview import PENDING_NOTE, Preview, cached_short_links, preview_post
from .credentials import resolve_credential

# bit.ly takes at most five concurrent connections per IP (API notes).
BITLY_PARALLEL = 5


@dataclass(frozen=True)
class Ahead:
    """What one wave made: long URL -> short link, and why some have none."""

    links: dict[str, str] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)
    skipped: str | None = None  # why no link was made at all (the token is unset)


def shorten_ahead(
    config: Config,
    long_urls: Iterable[str],
    *,
    home: Path,
    token: str | None,
    api_url: str | None = None,
) -> Ahead:
    """The short link of each of `long_urls`, asking bit.ly only for those not cached,
    in parallel (each worker with its own ledger connection: sqlite3 connections stay
    on their thread).  A failure is a `problems` entry, never an exception: the caller
    decides (the long link, or `on_error: fail` when it is sent)."""
    settings = config.shortener
    wanted = list(dict.fromkeys(u for u in long_urls if u))
    if settings is None or not token or not wanted:
        return Ahead()
    links: dict[str, str] = {}
    with open_store(home) as ledger:
        for url in wanted:
            if hit := ledger.get_short_link(url):
                links[url] = hit[0]
    todo = [u for u in wanted if u not in links]
    if not todo:
        return Ahead(links)

    def one(url: str) -> str | ShortenerFailed:
        with open_store(home) as ledger:
            shortener = LinkShortener(settings, token=token, ledger=ledger, api_url=api_url)
            try:
                return shortener.shorten(url)
            except ShortenerFailed as exc:
                return exc

    problems: dict[str, str] = {}
    pool = ThreadPoolExecutor(max_workers=min(BITLY_PARALLEL, len(todo)))
    try:
        for url, got in zip(todo, pool.map(one, todo), strict=True):
            if isinstance(got, ShortenerFailed):
                problems[url] = str(got)
            else:
                links[url] = got
    except KeyboardInterrupt:
        # Nothing is posted by a shortening: stop at once, the links made so far are cached.
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return Ahead(links, problems)


def needs_short_link(delivery: Delivery) -> bool:
    """Whether `delivery`'s link is still to be shortened when sent: its channel shortens,
    and no part of its thread is out with the long link already."""
    return bool(delivery.link and delivery.payload.get("shorten") and not delivery.sent_parts)


def to_shorten(deliveries: Iterable[Delivery]) -> list[str]:
    """The long links of `deliveries` still to be shortened when sent."""
    return [d.link for d in deliveries if d.link and needs_short_link(d)]


def token_for(config: Config, *, sandbox: bool) -> tuple[str | None, str | None]:
    """(the bit.ly token, None), or (None, why there is none) when it is unset."""
    if config.shortener is None:
        return None, None
    try:
        token = resolve_credential(
            config.shortener.token, channel="shortener", field="token", sandbox=sandbox
        )
    except BadInput as exc:
        return None, str(exc)
    return token, None


def warm_links(
    config: Config, deliveries: Iterable[Delivery], *, home: Path, sandbox_url: str | None
) -> Ahead:
    """Shorten ahead the links `deliveries` will send (schedule, feed pull)."""
    wanted = to_shorten(deliveries)
    if not wanted or config.shortener is None:
        return Ahead()
    token, why = token_for(config, sandbox=sandbox_url is not None)
    if token is None:
        return Ahead(skipped=why)
    return shorten_ahead(config, wanted, home=home, token=token, api_url=sandbox_url)


def preview_posts(
    config: Config,
    posts: Sequence[Post],
    channels: Sequence[ChannelConfig],
    *,
    home: Path,
    ledger: bool,
    shorten: bool,
    sandbox_url: str | None,
) -> list[Preview]:
    """The dry run: each channel's text with the link it will really send.

    Links cached by an earlier run are shown short; with `shorten`, the others
    are made now (one wave), so the text and its length are final.  Without it,
    or when bit.ly cannot make one, the long link is shown and the preview says so.
    """
    from ..routing import route_versions

    routes = route_versions(config, posts, channels)  # language versions: one a channel

    def render_all(known: bool) -> list[list[Preview]]:
        if not known:
            return [
                preview_post(config, p, channels, routes=r)
                for p, r in zip(posts, routes, strict=True)
            ]
        with open_store(home) as store:
            cached = cached_short_links(store)
            return [
                preview_post(config, p, channels, resolve_link=cached, routes=r)
                for p, r in zip(posts, routes, strict=True)
            ]

    by_post = render_all(ledger)
    pending = [pv.link for group in by_post for pv in group if pv.link_pending and pv.link]
    if not pending or config.shortener is None:
        return [pv for group in by_post for pv in group]
    if not shorten:
        note = "not shortened (--no-shorten): the long link is shown, measured as a short one"
        return [_noted(pv, note) for group in by_post for pv in group]
    token, why = token_for(config, sandbox=sandbox_url is not None)
    if token is None:
        note = f"not shortened ({why}): the long link is shown, measured as a short one"
        return [_noted(pv, note) for group in by_post for pv in group]
    ahead = shorten_ahead(config, pending, home=home, token=token, api_url=sandbox_url)
    if ahead.links:
        by_post = render_all(True)
    return [
        _noted(pv, f"bit.ly made no short link ({ahead.problems[pv.link]}): the long link is shown")
        if pv.link in ahead.problems
        else pv
        for group in by_post
        for pv in group
    ]


def _noted(pv: Preview, note: str) -> Preview:
    """`pv` with `note` instead of "will be shortened", when its link is still long."""
    if not pv.link_pending:
        return pv
    warnings = tuple(note if w == PENDING_NOTE else w for w in pv.warnings)
    return replace(pv, warnings=warnings)
