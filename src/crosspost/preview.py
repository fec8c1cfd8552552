"""What each channel would publish, without sending anything (the dry run)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .config import ChannelConfig, Config, unset_credentials
from .config.models import ALL_AUDIENCES
from .errors import BadInput
from .links import tag_url
from .post import Post
from .pricing import Cost, cost_of
from .render import Rendered, render
from .routing import RELAYED, SKIPPED, Routing, route_post


@dataclass(frozen=True)
class Preview:
    post: Path
    channel: str
    network: str
    route: str
    parts: tuple[str, ...] = ()
    length: int = 0
    limit: int = 0
    link: str | None = None  # the URL as the channel sends it
    skipped: str | None = None  # why nothing is sent directly to this channel
    warnings: tuple[str, ...] = field(default_factory=tuple)
    lang: str | None = None  # the language version this channel gets
    # The link is still the long one, to be shortened by bit.ly (it is measured as short).
    link_pending: bool = False
    cost: Cost | None = None  # the estimated X API cost (None: a network that bills nothing)

    @property
    def text(self) -> str:
        return self.parts[0] if self.parts else ""

    def to_json(self) -> dict[str, Any]:
        return {
            "post": str(self.post),
            "channel": self.channel,
            "network": self.network,
            "route": self.route,
            "text": self.text,
            "parts": list(self.parts),
            "length": self.length,
            "limit": self.limit,
            "link": self.link,
            "skipped": self.skipped,
            "warnings": list(self.warnings),
            "lang": self.lang,
            "x_cost": self.cost.to_json() if self.cost else None,
        }


# What a preview says while its link is still the long one.
PENDING_NOTE = "the link will be shortened by bit.ly when sent"

# Maps a long URL to the link the channel will actually send (a cached short
# link, in a real publish), or None to keep it.
LinkResolver = Callable[[ChannelConfig, str], str | None]


def cached_short_links(ledger: Any) -> LinkResolver:
    """A resolver reading the ledger's short-link cache: the preview then shows the very
    link that will be sent (None until the first publish shortened it)."""

    def resolve(_channel: ChannelConfig, long_url: str) -> str | None:
        hit = ledger.get_short_link(long_url)
        return hit[0] if hit else None

    return resolve


def preview_post(
    config: Config,
    post: Post,
    channels: Sequence[ChannelConfig],
    *,
    resolve_link: LinkResolver | None = None,
    routes: dict[str, Routing] | None = None,
) -> list[Preview]:
    """Render `post` for every channel in `channels` (one Preview each, in order)."""
    routes = routes or route_post(config, post, channels)
    out = []
    for channel in channels:
        route = routes[channel.name]
        if route.kind in (SKIPPED, RELAYED):
            out.append(
                Preview(
                    post=post.path,
                    channel=channel.name,
                    network=channel.network,
                    route=route.kind,
                    limit=channel.max_length,
                    skipped=route.reason,
                )
            )
            continue
        out.append(preview_channel(config, post, channel, route=route, resolve_link=resolve_link))
    return out


def preview_channel(
    config: Config,
    post: Post,
    channel: ChannelConfig,
    *,
    route: Routing,
    resolve_link: LinkResolver | None = None,
) -> Preview:
    link = None
    pending_short = False
    if post.url:
        link = tag_url(post.url, channel.utm, channel=channel, post=post)
        short = resolve_link(channel, link) if resolve_link and channel.shorten else None
        pending_short = channel.shorten and short is None
        link = short or link
    try:
        rendered = _render_as_sent(config, channel, post, link, pending_short=pending_short)
    except BadInput as exc:
        # Name the post: with several posts in one run the channel alone is ambiguous.
        raise type(exc)(f"{post.path}: {exc}") from None
    warnings = list(rendered.warnings)
    if route.reason:
        warnings.insert(0, f"posting directly: {route.reason}")
    if pending_short:
        warnings.append(PENDING_NOTE)
    if channel.spec.audience and ALL_AUDIENCES not in channel.spec.audience and not post.audience:
        # The wrong school's page is the mistake this tool exists to prevent.
        warnings.append(
            f"the post has no `audience:`, so it goes to every channel, this one's "
            f"({', '.join(channel.spec.audience)}) included"
        )
    unset = unset_credentials(channel)
    if unset:
        warnings.append(
            "credentials not set in this environment: " + ", ".join(f"${v}" for v in unset)
        )
    return Preview(
        post=post.path,
        channel=channel.name,
        network=channel.network,
        route=route.kind,
        parts=rendered.parts,
        length=rendered.length,
        limit=rendered.limit,
        link=link,
        warnings=tuple(warnings),
        lang=config.lang_of(post.lang),
        link_pending=pending_short,
        cost=_cost(config, channel, post, rendered.parts),
    )


def _cost(
    config: Config, channel: ChannelConfig, post: Post, parts: tuple[str, ...]
) -> Cost | None:
    """What the network's API will charge for it; nothing for a post pasted by hand."""
    if channel.manual:
        return None
    alt = post.image_path is not None and bool(post.image_alt) and channel.info.alt_text
    return cost_of(channel.network, parts, alt_text=alt, prices=config.x_prices)


def _render_as_sent(
    config: Config, channel: ChannelConfig, post: Post, link: str | None, *, pending_short: bool
) -> Rendered:
    """The channel's text, measured with the link that will really be in it.

    A link still to be shortened is measured as a short link (bit.ly's are 22
    characters), so a by-hand text is not cut for characters that will never be
    pasted; the text keeps the long link, swapped for the short one when sent.
    A network that counts every link alike (X, Mastodon: 23) needs none of this.
    """
    if not (link and pending_short) or channel.info.link_weight is not None:
        return render(config, channel, post, url=link)
    domain = (config.shortener.domain if config.shortener else None) or "bit.ly"
    stand_in = f"https://{domain}/{'0' * 7}"
    rendered = render(config, channel, post, url=stand_in)
    if not any(stand_in in part for part in rendered.parts):
        # The template changed the link (a filter): only the real one can be measured.
        return render(config, channel, post, url=link)
    return replace(rendered, parts=tuple(p.replace(stand_in, link) for p in rendered.parts))
