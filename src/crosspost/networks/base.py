"""The small contract every network adapter meets, and the registry.

An adapter module must stay cheap to import: the config loader imports it to
validate a channel's network-specific settings, and `publish --dry-run` must
not pay for tweepy or requests.  Client libraries are imported inside the
adapter's methods.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any, ClassVar, Protocol, runtime_checkable

ENTRY_POINT_GROUP = "crosspost.networks"


@dataclass(frozen=True)
class Outgoing:
    """Everything one channel is about to publish for one post."""

    channel: str
    parts: tuple[str, ...]  # one item, or a thread's parts in order
    link: str | None = None  # the URL as sent (UTM-tagged, maybe shortened)
    title: str | None = None
    description: str | None = None
    image_path: Path | None = None
    image_alt: str | None = None
    # Ids of thread parts already published by an earlier, interrupted attempt:
    # the adapter resumes after the last one instead of posting them again.
    sent_parts: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return self.parts[0]


@dataclass(frozen=True)
class Receipt:
    """Where the new post lives."""

    remote_id: str
    url: str | None = None
    part_ids: tuple[str, ...] = field(default_factory=tuple)
    # Published, but not quite as asked (e.g. the image went out without its alt text).
    warnings: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class NetworkInfo:
    """What the core needs to know about a network without building an adapter.

    The adapter class is the entry point and carries this as `info`.
    """

    name: str
    max_length: int  # the network's own limit, overridable per channel
    weighted_length: bool = False  # twitter-text v3 weighting (X)
    threads: bool = False  # can publish a numbered thread
    manual: bool = False  # no API: crosspost records a task for a human
    # The link travels beside the text (a Facebook link, a LinkedIn article
    # card), so a text without it is fine...
    attaches_link: bool = False
    # ...also when the post has an image (Facebook posts those as photos, whose
    # only link is the one in the text).
    attaches_link_with_image: bool = True
    credentials: tuple[str, ...] = ()  # names every channel must provide
    default_api_url: str | None = None
    # Pydantic model of the network-specific channel fields (extra="forbid"),
    # or None when the network has none.
    settings_model: Any = None


class Answer(StrEnum):
    """What a network's listing says about a post that may exist (`Finding.answer`)."""

    FOUND = "found"  # every part not yet recorded is on the account
    ABSENT = "absent"  # the listing covers the whole window, and the next part is not in it
    UNSURE = "unsure"  # the listing could not settle it (cut short, refused, unreadable)


@dataclass(frozen=True)
class Finding:
    """What `find` saw, for the ledger to act on.

    `part_ids` are the ids of the parts found, in order, continuing after
    `Outgoing.sent_parts` (the parts the ledger already has): FOUND means all
    the remaining parts were found; ABSENT and UNSURE may still carry the
    leading parts that were, so a thread resumes after them.
    """

    answer: Answer
    part_ids: tuple[str, ...] = ()
    url: str | None = None  # of the first part, when the first part is among those found
    posted_at: datetime | None = None  # when the network says the first part found was created
    checked: str = ""  # what was looked at, in words: "47 posts since 2026-12-01 09:58 UTC"


# Called by adapters after each thread part is published, so the ledger can
# record progress before the next request leaves.  Arguments: the part's
# 0-based index in `Outgoing.parts`, and the id the network gave it.
PartCallback = Callable[[int, str], None]


@runtime_checkable
class Network(Protocol):
    """One network adapter.  Built per channel, used for one publish run."""

    info: ClassVar[NetworkInfo]

    def __init__(
        self,
        *,
        channel: str,
        settings: Any,
        credentials: Mapping[str, str],
        api_url: str | None,
        timeout: float,
    ) -> None: ...

    def send(self, *, outgoing: Outgoing, on_part: PartCallback | None = None) -> Receipt:
        """Publish `outgoing`; raise a `crosspost.errors.DeliveryError` subclass on failure."""
        ...

    # Optional, looked up with getattr:
    # - a static `token_warning_for(settings, *, channel) -> str | None` that the
    #   preflight calls to warn about credentials about to expire (LinkedIn's
    #   60-day tokens);
    # - `find(*, outgoing, since) -> Finding`: look for `outgoing` among the
    #   account's posts created since `since` (aware UTC), matching each part on
    #   the exact text sent (`crosspost.networks.matching.same_text`).  ABSENT
    #   only when the listing certainly covers the whole window; a refused or
    #   failed read raises a `DeliveryError` (the caller treats it as UNSURE).


@cache
def load_networks() -> Mapping[str, type[Network]]:
    """Every installed network class, by name.  A plugin that fails to load is a warning."""
    from importlib.metadata import entry_points

    found: dict[str, type[Network]] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            cls = ep.load()
            info = cls.info
        except Exception as exc:  # a broken plugin must not break the tool
            warnings.warn(
                f"network plugin {ep.name!r} ({ep.value}) failed to load: {exc}",
                stacklevel=2,
            )
            continue
        if not isinstance(info, NetworkInfo):
            warnings.warn(f"network plugin {ep.name!r} has no NetworkInfo", stacklevel=2)
            continue
        found[info.name] = cls
    return found
