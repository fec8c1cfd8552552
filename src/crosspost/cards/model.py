"""What a card shows: a channel's posts laid out as its network lays them out.

A `Card` is one channel's copy (the preview) or one post and its replies as a network
received them (the sandbox's page); each of its `Part`s is one post of the feed, with
the image and link card the network shows under it.  Every value is text, escaped by
the templates; every href is checked here to be an http(s) URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

# The looks the templates know; any other style is drawn as the generic card.
STYLES = ("x", "facebook", "linkedin", "mastodon", "bluesky", "manual", "generic")


def style_or_generic(style: str) -> str:
    return style if style in STYLES else "generic"


def http_only(url: str | None) -> str | None:
    """`url` when it is an http(s) URL (the only kind a card links to), else None."""
    if url and urlsplit(url).scheme in ("http", "https"):
        return url
    return None


@dataclass(frozen=True)
class Image:
    """An image: a data: URI to show, or why it cannot be (a visible placeholder)."""

    alt: str
    data_uri: str | None = None
    problem: str | None = None
    # False where the network takes no alt text (a LinkedIn article's thumbnail), so
    # its absence is no warning.
    ask_alt: bool = True


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
class Part:
    """One post of a card's feed, as its readers see it."""

    text: str
    folded: tuple[str, str] | None = None  # (shown, behind "…see more")
    lost: str | None = None  # what the network silently dropped after the text, struck out
    raw: str | None = None  # the text as it was sent, where the network shows other
    media: tuple[Image, ...] = ()
    link_card: LinkCard | None = None
    link: str | None = None  # a link shown as such (no card), only ever http(s)
    author: str | None = None  # who posted it, when not the card's channel
    meta: tuple[str, ...] = ()  # beside the author: when, its length as counted
    href: str | None = None  # the post itself on its network, only ever http(s)
    label: str = ""  # what that link reads (the post's id)
    warnings: tuple[str, ...] = ()  # above the text
    notes: tuple[str, ...] = ()  # under it (a parent the network never showed)
    replies: tuple[Part, ...] = ()  # answers to it, drawn indented under it


@dataclass(frozen=True)
class Card:
    channel: str
    network: str
    style: str
    parts: tuple[Part, ...] = ()  # a thread's parts in order, each a reply to the one before
    length: int = 0
    limit: int = 0
    link: str | None = None
    link_pending: bool = False
    warnings: tuple[str, ...] = ()
    lang: str | None = None
    skipped: str | None = None
    manual: Manual | None = None
    # What the network bills for it, in words ("about $0.21 (1 post with a link)"):
    # the dry run's estimate, None where posting costs nothing.
    cost: str | None = None

    @property
    def media(self) -> Image | None:
        """The image attached to the first part, if any."""
        first = self.parts[0].media if self.parts else ()
        return first[0] if first else None

    @property
    def over(self) -> bool:
        return self.limit > 0 and self.length > self.limit

    @property
    def gauge(self) -> int:
        """How full the length gauge is, in percent (capped at 100)."""
        return min(100, round(100 * self.length / self.limit)) if self.limit else 0


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
