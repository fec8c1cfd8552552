"""The contract every network adapter meets: plugin boundary version 1.

`docs/plugins.md` describes it for plugin authors.

An adapter module must stay cheap to import: the config loader imports it to
validate a channel's network-specific settings, and `publish --dry-run` must
not pay for tweepy or requests.  Client libraries are imported inside the
adapter's methods.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar, Protocol, runtime_checkable

from crosspost.text import LengthCounter


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
    # The delivery's send key (32 hex digits): the same on every attempt at this
    # delivery and never another's, so a network that takes an idempotency key
    # (Mastodon) or a record key (Bluesky) turns a retry into a no-op.  A thread
    # part after the first derives its own from it (`part_key`).
    key: str = ""
    lang: str | None = None  # the post's language ("fr"), None when unknown
    created_at: datetime | None = None  # when the delivery was recorded (aware UTC)

    @property
    def text(self) -> str:
        return self.parts[0]

    def part_key(self, index: int) -> str:
        """The send key of part `index`: the delivery's for the first, its own for each next."""
        return self.key if index == 0 else f"{self.key}-{index}"


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

    The adapter class is the entry point and carries this as `info`.  Everything
    network-specific the core uses comes from here, never from a list of names.
    """

    name: str
    max_length: int  # the network's own limit, overridable per channel
    # Called on every candidate text while fitting and threading: keep it cheap,
    # and import anything heavy inside it (it runs on dry runs).
    length: LengthCounter = len
    # Every URL counts this much whatever its length (X and Mastodon: 23), so a
    # link still to be shortened does not change the count; None: as written.
    link_weight: int | None = None
    threads: bool = False  # can publish a numbered thread
    images: bool = False  # can carry the post's image...
    alt_text: bool = False  # ...with its alt text
    # ...also beside a link (Bluesky makes the image the link card's thumbnail, and a
    # thumbnail has no alt text: the dry run says so).
    alt_text_with_link: bool = True
    idempotency: bool = False  # honours `Outgoing.key`: a retried request cannot duplicate
    manual: bool = False  # no API: crosspost records a task for a human
    # The link travels beside the text (a Facebook link, a LinkedIn article
    # card), so a text without it is fine...
    attaches_link: bool = False
    # ...also when the post has an image (Facebook posts those as photos, whose
    # only link is the one in the text).
    attaches_link_with_image: bool = True
    credentials: tuple[str, ...] = ()  # names every channel must provide
    default_api_url: str | None = None
    api_url_required: bool = False  # each channel names its server (a Mastodon instance)
    # Pydantic model of the network-specific channel fields (extra="forbid"),
    # or None when the network has none.
    settings_model: Any = None
    # The plugin's own templates: `{name}.j2` there is a channel's default
    # template, after the project's `templates/` beside channels.yaml.
    templates: Path | None = None
    # More hashtags than this and readers see spam (the network's own advice); None: no advice.
    hashtag_advice: int | None = None
    # The guided sign-in of `crosspost auth`: "module:attribute" naming a
    # `crosspost.auth.common.Flow`, imported only when she signs in; None: none.
    sign_in: str | None = None
    # Stand-ins for unset credentials against the sandbox, where the network checks a
    # credential's shape (a Bluesky app password); others get "sandbox-<variable>".
    sandbox_credentials: Mapping[str, str] = field(default_factory=dict)
    # How `publish --dry-run --html` draws a post: one of the built-in looks
    # ("x", "facebook", "linkedin", "mastodon", "bluesky", "manual"), or "generic"
    # (the text, its image and its link) for a network that has none of its own.
    preview_style: str = "generic"
    # (characters, lines): the feed folds a long text behind "…see more" after that many
    # characters or lines, whichever comes first; None: the network shows it whole.
    # LinkedIn folds organic posts after 3 lines, on desktop and mobile alike, and
    # plans for about 210 characters (John Espirian, '"See more" breakpoints on
    # LinkedIn posts', 2024; the ~210 figure is the usual planning number).
    fold_at: tuple[int, int] | None = None
    # Reading the account's figures is billed (X's pay-per-use bills every read):
    # `crosspost stats` reads such a channel at most once per UTC day.
    reads_billed: bool = False


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
        # The channel's own directory under the crosspost home (mode 0700) for
        # what must outlive the process, such as a login session; None: keep
        # nothing on disk.
        state_dir: Path | None = None,
    ) -> None: ...

    def send(self, *, outgoing: Outgoing, on_part: PartCallback | None = None) -> Receipt:
        """Publish `outgoing`; raise a `crosspost.errors.DeliveryError` subclass on failure."""
        ...


# Optional hooks.  An adapter has them or not; the core asks with isinstance, and
# mypy checks each built-in adapter against every protocol it claims (the
# `_CHECKED` lines at the end of each adapter module).


@runtime_checkable
class Finds(Protocol):
    """Reconcile: look for `outgoing` among the account's posts since `since`."""

    def find(self, *, outgoing: Outgoing, since: datetime) -> Finding:
        """Match each part on the exact text sent (`matching.same_text`); ABSENT only
        when the listing certainly covers the whole window; a refused or failed read
        raises a `DeliveryError` (the caller takes it as UNSURE)."""
        ...


@dataclass(frozen=True)
class CredentialCheck:
    """What a network says of a channel's credentials, read live."""

    ok: bool
    account: str | None  # who they post as: "@school@mastodon.social", "Page 1234"
    detail: str = ""  # what was checked, or what is wrong and how to fix it
    expires_at: datetime | None = None
    scopes: tuple[str, ...] = ()
    # Scopes posting needs that the token lacks, where the network says which it has
    # (Facebook's debug_token): the doctor's "missing scope" finding.
    missing_scopes: tuple[str, ...] = ()


@runtime_checkable
class ChecksCredentials(Protocol):
    """The doctor's question: do these credentials work, and as whom?"""

    def check_credentials(self) -> CredentialCheck: ...


@runtime_checkable
class WarnsOfTokens(Protocol):
    """Credentials that expire on a date the settings know (LinkedIn's 60-day tokens):
    asked without building the adapter, before anything is sent."""

    @staticmethod
    def token_warning(settings: Any, *, channel: str) -> str | None: ...


@runtime_checkable
class ReadsPostUrls(Protocol):
    """`crosspost done --url`: the post id in one of the network's post addresses."""

    @staticmethod
    def post_id_from_url(url: str) -> str | None: ...


# The engagement figures `crosspost stats` records, each network's own counts mapped
# onto these names so the report can put them in one table.  X: likes = like_count,
# comments = reply_count, shares = retweet_count, quotes = quote_count; Facebook:
# likes = reactions; Mastodon: likes = favourites, shares = reblogs.
METRICS: tuple[str, ...] = ("impressions", "likes", "comments", "shares", "quotes", "clicks")


@dataclass(frozen=True)
class Figures:
    """What a network tells, at one reading, of an account and some of its posts.

    Three cases a report must not confuse: a metric the network never gives is
    absent from a post's mapping; a metric it gives but refused this time (the
    tier hides impressions, insights need a permission) is present as None,
    "unavailable"; a post the network no longer has is absent from `posts`.
    """

    followers: int | None  # None: the network would not say this time
    # post id (as `Receipt.remote_id`) -> metric name (one of METRICS) -> count
    posts: Mapping[str, Mapping[str, int | None]] = field(default_factory=dict)
    # Why a figure is unavailable, one short line each, already cleaned of secrets.
    notes: tuple[str, ...] = ()


@runtime_checkable
class ReadsFigures(Protocol):
    """`crosspost stats`: the follower count now and each post's engagement."""

    def read_figures(self, *, post_ids: Sequence[str]) -> Figures:
        """Read the account's follower count and the metrics of `post_ids` (remote ids of
        this channel's own posts, at most 30 days old).  A figure the network refuses is
        None with a note; a network that cannot be reached raises a `DeliveryError`."""
        ...
