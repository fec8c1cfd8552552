"""What a delivery records and sends: the previewed text, its link, and what the
adapter needs besides, so a queued post (or a feed entry) goes out without its file."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from ..config import ChannelConfig, Config
from ..errors import PostError
from ..ledger import Delivery, Store
from ..networks.base import Outgoing
from ..post import Post
from ..preview import Preview
from ..states import Route


def delivery_content(
    post: Post, channel: ChannelConfig, preview: Preview, route: Route
) -> dict[str, Any]:
    """What a delivery of `post` on `channel` records: the previewed text with the
    channel's UTM-tagged long link (shortened when sent), and what the adapter
    needs besides, so it can be sent later without the post file."""
    image = str(post.image_path) if post.image_path else post.image
    return {
        "text": preview.parts[0],
        "parts": preview.parts,
        "link": preview.link,
        "content_hash": post.content_hash,
        "route": route,
        "payload": payload_for(
            title=post.title,
            summary=post.summary,
            image=image,
            image_alt=post.image_alt,
            shorten=channel.shorten,
            file=str(post.path.resolve()) if post.path.is_file() else None,
            lang=post.lang,
        ),
    }


def new_delivery(
    ledger: Store,
    post: Post,
    channel: ChannelConfig,
    content: Mapping[str, Any],
    *,
    due_at: datetime | None = None,
) -> Delivery:
    """Record (or find, when another run was first) the delivery of `post` on `channel`."""
    return ledger.ensure_delivery(
        post_key=post.key,
        post_path=str(post.path),
        post_title=post.title,
        channel=channel.name,
        network=channel.network,
        due_at=due_at,
        **content,
    )


def payload_for(
    *,
    title: str | None,
    summary: str | None,
    image: str | None,
    image_alt: str | None,
    shorten: bool,
    file: str | None = None,
    lang: str | None = None,
) -> dict[str, Any]:
    """What `outgoing_for` needs besides the text, stored with the delivery; `file`,
    the post file it was rendered from (None for a feed's), lets edits follow it."""
    payload: dict[str, Any] = {
        "title": title,
        "description": summary,
        "image": image,
        "image_alt": image_alt,
        "shorten": shorten,
    }
    if file is not None:
        payload["file"] = file
    if lang is not None:
        payload["lang"] = lang
    return payload


def other_version(config: Config, existing: Delivery, post: Post) -> str | None:
    """Why the channel's delivery of this article is not `post`'s version (the note to
    show: it is never taken over), or None when it is the same version.

    Two files of one language for one url are a PostError naming both; a version
    whose file was moved or renamed is still the same version.
    """
    this = post.path.resolve()
    recorded = existing.payload.get("file")
    if recorded is None:
        # Recorded before versions existed (or from a feed): its path may be relative
        # to another directory, so nothing tells the versions apart; it is taken as
        # this one, as every earlier release did.
        return None
    if Path(str(recorded)) == this:
        return None
    lang = config.lang_of(post.lang)
    theirs = config.lang_of(existing.payload.get("lang"))
    if theirs != lang:
        version = theirs or "unlabelled"
        return f"has the {version} version already ({recorded}, delivery {existing.id})"
    if Path(str(recorded)).exists():
        raise PostError(
            f"{post.path} and {recorded} are both the {lang or 'unlabelled'} version of "
            f"{post.url}: give one of them another `lang:` or another `url:`"
        )
    return None  # the same version, moved or renamed


def outgoing_for(delivery: Delivery, *, default_lang: str | None = None) -> Outgoing:
    """The adapter's input, rebuilt from the ledger row alone (and `defaults.lang`, the
    language of a post that names none)."""
    payload = delivery.payload
    image = payload.get("image")
    # A remote image (a feed entry's) is left to the network's link preview.
    local = bool(image) and not str(image).startswith(("http://", "https://"))
    return Outgoing(
        channel=delivery.channel,
        parts=delivery.parts,
        link=delivery.link,
        title=payload.get("title") or delivery.post_title,
        description=payload.get("description"),
        image_path=Path(str(image)) if local else None,
        image_alt=payload.get("image_alt"),
        sent_parts=delivery.sent_parts,
        key=delivery.key,
        lang=payload.get("lang") or default_lang,
        created_at=delivery.created_at,
    )


def manual_where(channel: ChannelConfig) -> tuple[str, str | None]:
    """Where a by-hand post goes (the page's address, the site, or the channel's name)
    and the channel's instructions, if any."""
    settings = channel.settings
    where = getattr(settings, "url", None) or getattr(settings, "site", None) or channel.name
    how = getattr(settings, "instructions", None)
    return str(where), str(how) if how else None


def manual_note(channel: ChannelConfig, delivery: Delivery) -> str:
    """What a human must do for a delivery on a network without an API."""
    where, how = manual_where(channel)
    return (
        f"post it by hand on {where}"
        + (f" ({how})" if how else "")
        + f", then run `crosspost done {delivery.id} --url URL`"
    )
