"""What a network received, as cards: each stored post (the dict its API module keeps)
drawn as that network shows it, with the shared cards of `crosspost.cards`.

A card is one post that starts a thread, its replies nested under it.  The sandbox
keeps no image's bytes (only its type and size), so an image is a visible placeholder
saying what arrived; it fetches no page either, so a link card that the network would
fill from the page's own tags shows the link itself.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

from crosspost.cards import Card, Image, LinkCard, Part, http_only, style_or_generic
from crosspost.sandbox.wire import Api

_URL = re.compile(r"https?://\S+")


def received_cards(posts: list[dict[str, Any]], api: Api) -> list[Card]:
    """A card per post that answers no post this sandbox holds (oldest first), each with
    its replies nested under it."""
    ids = {p["id"] for p in posts}
    children: dict[str, list[dict[str, Any]]] = {}
    for post in posts:
        if post.get("reply_to") in ids:
            children.setdefault(post["reply_to"], []).append(post)
    style = style_or_generic(api.style)
    return [
        Card(
            channel=api.account_label(str(post.get("account") or "")),
            network=api.network,
            style=style,
            parts=(_part(post, children, api, style, root=True),),
        )
        for post in posts
        if post.get("reply_to") not in ids
    ]


def _part(
    post: dict[str, Any],
    children: dict[str, list[dict[str, Any]]],
    api: Api,
    style: str,
    *,
    root: bool,
) -> Part:
    meta = [_time(str(post.get("at") or ""))]
    if post.get("length") is not None and post.get("limit") is not None:
        meta.append(f"{post['length']}/{post['limit']}")
    notes = []
    if root and post.get("reply_to"):
        # A reply whose parent this sandbox never saw (created before a reset).
        notes.append(f"In reply to {post['reply_to']}")
    media = tuple(_image(m) for m in post.get("media") or [])
    shown = {"text": str(post.get("text") or ""), **_published(post, api.title or api.network)}
    part = Part(
        author=api.account_label(str(post.get("account") or "")),
        meta=tuple(meta),
        href=http_only(post.get("url") if isinstance(post.get("url"), str) else None),
        label=str(post.get("id") or ""),
        media=media,
        notes=tuple(notes),
        replies=tuple(
            _part(c, children, api, style, root=False) for c in children.get(post["id"], [])
        ),
        **shown,
    )
    return _LAYOUTS.get(style, _generic)(part, post)


def _published(post: dict[str, Any], title: str) -> dict[str, Any]:
    """What the network shows where it is not what it was sent (LinkedIn's silent cut)."""
    if "published" not in post:
        return {}
    raw, published = str(post["text"]), str(post.get("published", post["text"]))
    if post.get("truncated"):
        cut_at = post["cut_at"]
        warning = (
            f"{title} published only what precedes the unescaped “{post['cut_by']}” at "
            f"character {cut_at + 1}: the rest is silently dropped. Escape it as "
            f"“\\{post['cut_by']}”."
        )
        return {"text": published, "lost": raw[cut_at:], "raw": raw, "warnings": (warning,)}
    return {"text": published, "raw": raw if raw != published else None}


def _image(item: Any) -> Image:
    """An image the network received, as a placeholder saying what it was."""
    if not isinstance(item, dict):  # Bluesky keeps each image's alt text only
        return Image(str(item or ""), problem="the sandbox keeps no image's bytes")
    alt = str(item.get("alt_text") or item.get("description") or item.get("alt") or "")
    if item.get("url") and "size" not in item and "meta" not in item:
        return Image(alt, problem=f"an image at {item['url']}, not fetched by the sandbox")
    kind = item.get("content_type") or item.get("mimeType") or item.get("type") or "image"
    size = item.get("size")
    if size is None:
        size = ((item.get("meta") or {}).get("original") or {}).get("size")
    return Image(alt, problem=f"{kind}, {_size(size)} received (the sandbox keeps no bytes)")


def _size(size: Any) -> str:
    if not isinstance(size, int):
        return "size unknown"
    return f"{size / 1024:.1f} KB" if size >= 1024 else f"{size} bytes"


def _plain_card(link: str) -> LinkCard:
    """The card a network would fill from the page's tags, which the sandbox never fetches."""
    return LinkCard(title=link, description=None, domain=_domain(link), href=http_only(link))


def _domain(url: str) -> str:
    return (urlsplit(url).hostname or "").removeprefix("www.")


def _media_or_card(part: Part, post: dict[str, Any]) -> Part:
    # X and Mastodon show no link card under a post with media; a Facebook photo post
    # has none either.  Mastodon keeps no link of its own: its card is the text's first.
    link = post.get("link")
    if link is None and part.text:
        found = _URL.search(part.text)
        link = found.group() if found else None
    if part.media or not isinstance(link, str):
        return part
    return _with(part, link_card=_plain_card(link))


def _linkedin(part: Part, post: dict[str, Any]) -> Part:
    content = post.get("content")
    article = content.get("article") if isinstance(content, dict) else None
    if not isinstance(article, dict) or not isinstance(article.get("source"), str):
        return part
    thumb = None
    if article.get("thumbnail") and part.media:
        thumb = replace(part.media[0], ask_alt=False)
    card = LinkCard(
        title=str(article.get("title") or article["source"]),
        description=article.get("description"),
        domain=_domain(article["source"]),
        href=http_only(article["source"]),
        thumb=thumb,
    )
    return _with(part, link_card=card, media=part.media[1:] if thumb else part.media)


def _bluesky(part: Part, post: dict[str, Any]) -> Part:
    embed = post.get("embed")
    if not isinstance(embed, dict):
        return part
    images = embed.get("images")
    media = part.media
    if isinstance(images, list):
        media = tuple(
            _image({**(i.get("image") or {}), "alt": i.get("alt")})
            for i in images
            if isinstance(i, dict)
        )
    external = embed.get("external")
    if not isinstance(external, dict) or not isinstance(external.get("uri"), str):
        return _with(part, media=media)
    thumb = external.get("thumb")
    card = LinkCard(
        title=str(external.get("title") or external["uri"]),
        description=external.get("description") or None,
        domain=_domain(external["uri"]),
        href=http_only(external["uri"]),
        thumb=replace(_image(thumb), ask_alt=False) if isinstance(thumb, dict) else None,
    )
    return _with(part, media=media, link_card=card)


def _generic(part: Part, post: dict[str, Any]) -> Part:
    link = post.get("link")
    if not isinstance(link, str) or not link:
        return part
    if http_only(link):
        return _with(part, link=link)
    return _with(part, notes=(*part.notes, f"Link: {link}"))


def _with(part: Part, **changes: Any) -> Part:
    return replace(part, **changes)


_LAYOUTS = {
    "x": _media_or_card,
    "facebook": _media_or_card,
    "mastodon": _media_or_card,
    "linkedin": _linkedin,
    "bluesky": _bluesky,
}


def _time(iso: str) -> str:
    found = re.search(r"T(\d\d:\d\d:\d\d)", iso)
    return f"{found.group(1)} UTC" if found else iso
