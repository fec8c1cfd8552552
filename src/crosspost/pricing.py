"""What X's API charges for a delivery: one price table, with its date and source.

X bills by the request since pay-per-use became the default (6 Feb 2026).  The
table below is its price list since 20 Apr 2026; a top-level `x_prices:`
section in channels.yaml overrides any of its lines (a new price list, a
negotiated rate).  Only X bills per post among the built-in networks, so this
module is the one place that names it (`PRICED_NETWORK`); every other network
costs nothing here.

How a delivery is counted: each part of its thread is a post.  The first part
is billed as a post, the others as replies; a part whose text holds a URL (as
X finds URLs: twitter-text's extractor) is billed as a post with a URL
whichever part it is, because a reply with a link is still a post containing
a URL (`reply_with_link`, the same price by default).  An image with alt text
adds one `/2/media/metadata` call.  The image upload itself is not priced: the
price list we have names no price for it.

Money is `Decimal`, never float.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

# The network whose API bills each post (the `network:` name of its plugin).
PRICED_NETWORK = "twitter"


@dataclass(frozen=True)
class PriceTable:
    """X's prices per request, in USD, and since when they hold."""

    post: Decimal
    post_with_link: Decimal
    reply: Decimal
    reply_with_link: Decimal
    alt_text: Decimal
    since: date
    source: str

    def updated(self, **changes: Any) -> PriceTable:
        """This table with some lines replaced (those given that are not None)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


X_PRICES = PriceTable(
    post=Decimal("0.015"),
    post_with_link=Decimal("0.20"),
    reply=Decimal("0.01"),
    reply_with_link=Decimal("0.20"),
    alt_text=Decimal("0.005"),
    since=date(2026, 4, 20),
    source="X API pay-per-use price list (docs.x.com), as of 2026-04-20",
)


@dataclass(frozen=True)
class Cost:
    """The estimated X API cost of one delivery (or of several, added up)."""

    total: Decimal = Decimal(0)
    posts: int = 0
    posts_with_link: int = 0  # parts with a URL, the first or a reply
    replies: int = 0
    alt_texts: int = 0

    def __add__(self, other: Cost) -> Cost:
        return Cost(
            total=self.total + other.total,
            posts=self.posts + other.posts,
            posts_with_link=self.posts_with_link + other.posts_with_link,
            replies=self.replies + other.replies,
            alt_texts=self.alt_texts + other.alt_texts,
        )

    def describe(self) -> str:
        """`about $0.21 (1 post with a link, 1 alt text)`."""
        counts = (
            (self.posts, "post", "posts"),
            (self.posts_with_link, "post with a link", "posts with a link"),
            (self.replies, "reply", "replies"),
            (self.alt_texts, "alt text", "alt texts"),
        )
        said = [f"{n} {one if n == 1 else many}" for n, one, many in counts if n]
        return f"about {money(self.total)}" + (f" ({', '.join(said)})" if said else "")

    def to_json(self) -> dict[str, Any]:
        return {
            "usd": str(self.total),
            "posts": self.posts,
            "posts_with_link": self.posts_with_link,
            "replies": self.replies,
            "alt_texts": self.alt_texts,
        }


def money(amount: Decimal) -> str:
    """`$0.21`, `$0.015`: two decimals, a third only when it is not zero."""
    cents = amount.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)
    if cents == cents.quantize(Decimal("0.01")):
        cents = cents.quantize(Decimal("0.01"))
    return f"${cents}"


def is_priced(network: str) -> bool:
    """Whether `network`'s API bills each post (X)."""
    return network == PRICED_NETWORK


def has_link(text: str) -> bool:
    """Whether X finds a URL in `text` (and bills it as a post with a URL)."""
    from .xlength.urls import url_spans

    return bool(url_spans(text))


def cost_of(
    network: str, parts: Sequence[str], *, alt_text: bool, prices: PriceTable = X_PRICES
) -> Cost | None:
    """The cost of sending `parts` (a thread) on `network`; None for a network that
    does not bill per post.  `alt_text`: an image with alt text goes with it."""
    if not is_priced(network) or not parts:
        return None
    cost = Cost()
    for index, part in enumerate(parts):
        linked = has_link(part)
        if index == 0:
            price = prices.post_with_link if linked else prices.post
            cost += Cost(price, posts=0 if linked else 1, posts_with_link=int(linked))
        else:
            price = prices.reply_with_link if linked else prices.reply
            cost += Cost(price, replies=0 if linked else 1, posts_with_link=int(linked))
    if alt_text:
        cost += Cost(prices.alt_text, alt_texts=1)
    return cost


def delivery_cost(
    network: str, parts: Sequence[str], payload: Any, *, prices: PriceTable = X_PRICES
) -> Cost | None:
    """The cost of a recorded delivery: its parts, and alt text when it carries a local
    image with alt text (a remote image is left to the link preview: no upload)."""
    image = str(payload.get("image") or "")
    local = bool(image) and not image.startswith(("http://", "https://"))
    return cost_of(network, parts, alt_text=local and bool(payload.get("image_alt")), prices=prices)


def add_costs(costs: Sequence[Cost | None]) -> Cost | None:
    """The sum of the costs that are not None; None when all are."""
    known = [c for c in costs if c is not None]
    if not known:
        return None
    total = Cost()
    for c in known:
        total += c
    return total


def costs_by_channel(items: Sequence[tuple[str, Cost | None]]) -> dict[str, Cost]:
    """(channel, cost) pairs added up per channel, in first-seen order; unpriced left out."""
    out: dict[str, Cost] = {}
    for channel, cost in items:
        if cost is not None:
            out[channel] = out.get(channel, Cost()) + cost
    return out
