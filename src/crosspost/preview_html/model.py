"""What the HTML preview shows of each channel: its copy laid out as its network lays it out.

How a network looks comes from its plugin (`NetworkInfo.preview_style`, `fold_at`); a
style this module does not know is drawn as the generic card.
Where the image goes follows what each adapter really sends: Facebook posts an
image as a photo (no link card), X and Mastodon attach it as media (their card
then gives way to it), LinkedIn and Bluesky make it the link card's thumbnail.
"""

from __future__ import annotations

import base64
import mimetypes
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

from ..config import ChannelConfig, Config
from ..post import Post
from ..preview import Preview

# Larger images are not inlined (each card holds its own copy): the page must stay small
# enough to mail and to open at once.  Bluesky takes no larger image either.
MAX_INLINE_BYTES = 1_000_000
INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
STYLES = ("x", "facebook", "linkedin", "mastodon", "bluesky", "manual", "generic")


@dataclass(frozen=True)
class Image:
    """The post's image: a data: URI to show, or why it cannot be (a visible placeholder)."""

    alt: str
    data_uri: str | None = None
    problem: str | None = None


@dataclass(frozen=True)
class LinkCard:
    title: str
    description: str | None
    domain: str
    href: str | None  # only ever an http(s) URL
    thumb: Image | None = None


@dataclass(frozen=True)
class Manual:
    """What the person posting by hand is told (a manual channel's settings)."""

    site: str | None = None
    instructions: str | None = None
    url: str | None = None  # only ever an http(s) URL


@dataclass(frozen=True)
class Card:
    channel: str
    network: str
    style: str
    parts: tuple[str, ...] = ()
    folded: tuple[str, str] | None = None  # (shown, behind "…see more") for the first part
    length: int = 0
    limit: int = 0
    link: str | None = None
    link_pending: bool = False
    warnings: tuple[str, ...] = ()
    lang: str | None = None
    skipped: str | None = None
    media: Image | None = None  # attached to the first part
    link_card: LinkCard | None = None  # under the first part
    manual: Manual | None = None

    @property
    def over(self) -> bool:
        return self.limit > 0 and self.length > self.limit

    @property
    def gauge(self) -> int:
        """How full the length gauge is, in percent (capped at 100)."""
        return min(100, round(100 * self.length / self.limit)) if self.limit else 0


@dataclass(frozen=True)
class PostView:
    title: str
    path: str
    cards: tuple[Card, ...]


def build_views(
    config: Config, posts: Sequence[Post], previews: Sequence[Preview]
) -> list[PostView]:
    """One view per post, a card per preview of it, in the previews' order."""
    by_path = {p.path: p for p in posts}
    images: dict[Path, Image | None] = {}
    views: dict[Path, list[Card]] = {}
    for pv in previews:
        post = by_path[pv.post]
        if post.path not in images:
            images[post.path] = load_image(post)
        channel = config.channels[pv.channel]
        views.setdefault(post.path, []).append(build_card(channel, post, pv, images[post.path]))
    return [
        PostView(title=by_path[path].title, path=str(path), cards=tuple(cards))
        for path, cards in views.items()
    ]


def build_card(channel: ChannelConfig, post: Post, pv: Preview, image: Image | None) -> Card:
    info = channel.info
    style = info.preview_style if info.preview_style in STYLES else "generic"
    card = Card(
        channel=pv.channel,
        network=pv.network,
        style=style,
        parts=pv.parts,
        length=pv.length,
        limit=pv.limit,
        link=pv.link,
        link_pending=pv.link_pending,
        warnings=pv.warnings,
        lang=pv.lang,
        skipped=pv.skipped,
    )
    if pv.skipped:
        return card
    if info.fold_at is not None:
        card = replace(card, folded=fold(pv.text, *info.fold_at))
    image = image if info.images else None
    link_card = _link_card(post, pv.link) if pv.link else None
    return _LAYOUTS[style](card, image, link_card, channel)


def fold(text: str, chars: int | None, lines: int | None) -> tuple[str, str] | None:
    """`text` cut where the feed folds it: after `chars` characters or `lines` lines,
    whichever comes first, backed off to a space; None when it shows whole."""
    cut = len(text)
    if lines is not None:
        at = -1
        for _ in range(lines):
            at = text.find("\n", at + 1)
            if at < 0:
                break
        if at >= 0:
            cut = min(cut, at)
    if chars is not None and len(text) > chars:
        space = text.rfind(" ", 0, chars + 1)
        cut = min(cut, space if space > chars // 2 else chars)
    if cut >= len(text.rstrip()):
        return None
    return text[:cut].rstrip(), text[cut:].lstrip()


def load_image(post: Post) -> Image | None:
    """The post's image inlined, or a placeholder saying why not; None: the post has none."""
    if not post.image:
        return None
    alt = post.image_alt or ""
    path = post.image_path
    if path is None:
        return Image(alt, problem=f"image at {post.image} is not fetched for the preview")
    kind = mimetypes.guess_type(path.name)[0]
    if kind not in INLINE_TYPES:
        return Image(alt, problem=f"{path.name}: not a PNG, JPEG, GIF or WebP image")
    try:
        size = path.stat().st_size
        if size > MAX_INLINE_BYTES:
            return Image(alt, problem=f"{path.name} is {size:,} bytes, too large to inline")
        data = path.read_bytes()
    except OSError as exc:
        return Image(alt, problem=f"cannot read the image {path}: {exc.strerror}")
    return Image(alt, data_uri=f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}")


def _link_card(post: Post, link: str) -> LinkCard:
    parts = urlsplit(post.url or link)
    href = link if urlsplit(link).scheme in ("http", "https") else None
    domain = (parts.hostname or "").removeprefix("www.")
    return LinkCard(title=post.title, description=post.summary, domain=domain, href=href)


Layout = Callable[[Card, Image | None, LinkCard | None, ChannelConfig], Card]


def _media_or_card(
    card: Card, image: Image | None, link: LinkCard | None, _: ChannelConfig
) -> Card:
    # X and Mastodon show no link card under a post with media; Facebook, as the
    # adapter sends it, posts an image as a photo (no card, the link is in the text).
    return replace(card, media=image) if image else replace(card, link_card=link)


def _thumbnail(card: Card, image: Image | None, link: LinkCard | None, _: ChannelConfig) -> Card:
    # LinkedIn's article card and Bluesky's external card carry the image as thumbnail.
    if link is None:
        return replace(card, media=image)
    return replace(card, link_card=replace(link, thumb=image))


def _manual(card: Card, image: Image | None, link: LinkCard | None, channel: ChannelConfig) -> Card:
    settings = channel.settings
    url = getattr(settings, "url", None)
    manual = Manual(
        site=getattr(settings, "site", None),
        instructions=getattr(settings, "instructions", None),
        url=url if url and urlsplit(url).scheme in ("http", "https") else None,
    )
    return replace(card, media=image, manual=manual)


def _generic(card: Card, image: Image | None, link: LinkCard | None, _: ChannelConfig) -> Card:
    return replace(card, media=image)


_LAYOUTS: dict[str, Layout] = {
    "x": _media_or_card,
    "mastodon": _media_or_card,
    "facebook": _media_or_card,
    "linkedin": _thumbnail,
    "bluesky": _thumbnail,
    "manual": _manual,
    "generic": _generic,
}
