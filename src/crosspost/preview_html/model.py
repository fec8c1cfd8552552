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
from typing import Any
from urllib.parse import urlsplit

from ..cards import Card, Image, LinkCard, Manual, Part, fold, http_only, style_or_generic
from ..config import ChannelConfig, Config
from ..post import Post
from ..preview import Preview

# Larger images are not inlined (each card holds its own copy): the page must stay small
# enough to mail and to open at once.  Bluesky takes no larger image either.
MAX_INLINE_BYTES = 1_000_000
INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})


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
    style = style_or_generic(info.preview_style)
    card = Card(
        channel=pv.channel,
        network=pv.network,
        style=style,
        parts=tuple(Part(text) for text in pv.parts),
        length=pv.length,
        limit=pv.limit,
        link=pv.link,
        link_pending=pv.link_pending,
        warnings=pv.warnings,
        lang=pv.lang,
        skipped=pv.skipped,
        cost=pv.cost.describe() if pv.cost is not None else None,
    )
    if pv.skipped:
        return card
    if info.fold_at is not None and card.parts:
        card = _first(card, folded=fold(pv.text, *info.fold_at))
    image = image if info.images else None
    link_card = _link_card(post, pv.link) if pv.link else None
    return _LAYOUTS[style](card, image, link_card, channel)


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
    href = http_only(link)
    domain = (parts.hostname or "").removeprefix("www.")
    return LinkCard(title=post.title, description=post.summary, domain=domain, href=href)


Layout = Callable[[Card, Image | None, LinkCard | None, ChannelConfig], Card]


def _media_or_card(
    card: Card, image: Image | None, link: LinkCard | None, _: ChannelConfig
) -> Card:
    # X and Mastodon show no link card under a post with media; Facebook, as the
    # adapter sends it, posts an image as a photo (no card, the link is in the text).
    return _first(card, media=_one(image)) if image else _first(card, link_card=link)


def _thumbnail(card: Card, image: Image | None, link: LinkCard | None, _: ChannelConfig) -> Card:
    # LinkedIn's article card and Bluesky's external card carry the image as thumbnail.
    if link is None:
        return _first(card, media=_one(image))
    return _first(card, link_card=replace(link, thumb=image))


def _manual(card: Card, image: Image | None, link: LinkCard | None, channel: ChannelConfig) -> Card:
    settings = channel.settings
    url = getattr(settings, "url", None)
    manual = Manual(
        site=getattr(settings, "site", None),
        instructions=getattr(settings, "instructions", None),
        url=http_only(url),
    )
    return replace(_first(card, media=_one(image)), manual=manual)


def _generic(card: Card, image: Image | None, link: LinkCard | None, _: ChannelConfig) -> Card:
    return _first(card, media=_one(image))


def _one(image: Image | None) -> tuple[Image, ...]:
    return (image,) if image else ()


def _first(card: Card, **changes: Any) -> Card:
    """`card` with its first part changed (the part the image and link card go under)."""
    if not card.parts:
        return card
    first = replace(card.parts[0], **changes)
    return replace(card, parts=(first, *card.parts[1:]))


_LAYOUTS: dict[str, Layout] = {
    "x": _media_or_card,
    "mastodon": _media_or_card,
    "facebook": _media_or_card,
    "linkedin": _thumbnail,
    "bluesky": _thumbnail,
    "manual": _manual,
    "generic": _generic,
}
