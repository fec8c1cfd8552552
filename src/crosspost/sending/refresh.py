"""Edits follow the file: a queued or by-hand delivery whose post file changed since it
was recorded is rendered again from the file, through the dry run's own checks,
before it is sent (or shown as a by-hand task).

A delivery from a feed has no file and keeps its stored text.  A post already
sent is never re-rendered here: a changed one is reported, not resent.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from ..config import ChannelConfig, Config
from ..errors import BadInput
from ..ledger import Delivery, Store
from ..post import Post, load_post
from ..preview import cached_short_links, preview_channel
from ..routing import Routing, route_post
from ..states import DeliveryState, Route
from .content import delivery_content

# The states in which a delivery still takes its text from the file.
FOLLOWS_THE_FILE = frozenset({DeliveryState.PENDING, DeliveryState.FAILED, DeliveryState.MANUAL})


def source_file(delivery: Delivery) -> Path | None:
    """The post file a delivery was rendered from, if it still exists (None for a feed's)."""
    recorded = delivery.payload.get("file")
    if not recorded and delivery.post_path and Path(delivery.post_path).is_absolute():
        recorded = delivery.post_path  # recorded before the payload named the file
    if not recorded:
        return None
    path = Path(str(recorded))
    return path if path.is_file() else None


def edited_post(delivery: Delivery) -> Post | None:
    """The post as its file reads now, when it changed since the delivery was recorded.

    PostError (BadInput) when the file no longer reads as a post.
    """
    if delivery.state not in FOLLOWS_THE_FILE or delivery.sent_parts:
        return None
    path = source_file(delivery)
    if path is None:
        return None
    stat = path.stat()
    post = _read(str(path), stat.st_mtime_ns, stat.st_size)
    return post if post.content_hash != delivery.content_hash else None


@lru_cache(maxsize=256)
def _read(path: str, _mtime_ns: int, _size: int) -> Post:
    # Keyed by the file's modification time and size too: `status` asks about every
    # delivery of a post, and reads each file once; an edit is read afresh.
    return load_post(Path(path))


def is_edited(delivery: Delivery) -> bool:
    """Whether the delivery's post file changed since it was recorded (and still reads)."""
    try:
        return edited_post(delivery) is not None
    except BadInput:
        return True  # edited into something unreadable: edited all the same


def refresh(config: Config, ledger: Store, delivery: Delivery, channel: ChannelConfig) -> Delivery:
    """The delivery, its text rendered again from its edited file (as it is, when not
    edited).  BadInput, saying why, when the edited post fails a check: the caller
    keeps the delivery as it is."""
    try:
        post = edited_post(delivery)
    except BadInput as exc:
        raise BadInput(f"the post was edited and no longer reads: {exc}") from None
    if post is None:
        return delivery
    if post.key != delivery.post_key:
        raise BadInput(
            f"{post.path} now points at {post.key}, not {delivery.post_key}: cancel delivery "
            f"{delivery.id} (`crosspost queue cancel {delivery.id}`) and schedule the file again"
        )
    routing = route_post(config, post, list(config.channels.values()))[channel.name]
    if routing.kind == Route.SKIPPED:
        raise BadInput(
            f"the edited post no longer goes to {channel.name} ({routing.reason}): "
            f"`crosspost queue cancel {delivery.id}` if that is what you meant"
        )
    # The route stays the recorded one: whether a relay carries it is decided when sent.
    kept = Routing(channel.name, delivery.route, routing.reason)

    cached = cached_short_links(ledger)
    preview = preview_channel(config, post, channel, route=kept, resolve_link=cached)
    if post.image_path is not None and not post.image_path.is_file():
        raise BadInput(f"{post.path}: image {post.image!r} not found at {post.image_path}")
    content = delivery_content(post, channel, preview, delivery.route)
    by_hand = delivery.state == DeliveryState.MANUAL
    return ledger.update_content(
        delivery.id, transition="revise" if by_hand else "update", **content
    )
