"""What the ledger hands back: frozen dataclasses, and the constants their fields take.

These are the values that cross the `Store` interface, so they hold plain
Python types only (datetimes in UTC, tuples, mappings, the enums of
`crosspost.states`): a store of any kind builds them, every caller reads them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from ..states import CLAIMABLE, STORED_ROUTES, DeliveryState, EventKind, Route

# Kept under their historical names for callers and tests that list them.
STATES: tuple[DeliveryState, ...] = tuple(DeliveryState)
ROUTES: tuple[Route, ...] = STORED_ROUTES
CLAIMABLE_STATES = CLAIMABLE
EVENT_KINDS = frozenset(EventKind)

INTERRUPTED_ERROR = (
    "interrupted while sending: the post may or may not exist; `crosspost reconcile` asks "
    "the network (or check it, then `crosspost done` or `crosspost queue retry`)"
)

# What became of a feed entry: `populated` (seen, deliberately not posted),
# `review` (listed for a human), `published`, `scheduled`, `known` (its URL was
# already in the ledger, from a post file or another feed), `skipped` (unusable,
# e.g. no link).  Only `published`, `scheduled` and `known` count as taken.
FEED_ENTRY_ACTIONS = ("populated", "review", "published", "scheduled", "known", "skipped")
FEED_PULL_STATUSES = ("ok", "not-modified", "error")


@dataclass(frozen=True, slots=True)
class Pace:
    """A channel's pacing as a claim enforces it, inside the claim's own transaction.

    Checked against what the ledger holds (posts sent, claims in flight), not what
    one process saw, so workers sharing a ledger keep the pace together: of two
    claims racing on one channel, the second sees the first.  `day` is the
    channel's local day around the claim, in UTC, for `max_per_day`.
    """

    min_interval: timedelta | None = None
    max_per_day: int | None = None
    day: tuple[datetime, datetime] | None = None


@dataclass(frozen=True, slots=True)
class Delivery:
    """One post on one channel, and how far it has got."""

    id: int
    post_key: str
    post_path: str | None
    post_title: str | None
    content_hash: str | None
    channel: str
    network: str
    state: DeliveryState
    route: Route
    text: str
    parts: tuple[str, ...]
    link: str | None
    # What else the adapter needs to rebuild the post without its file (a
    # queued feed entry has none): title, description, image, image_alt.
    payload: Mapping[str, Any]
    due_at: datetime | None
    attempts: int
    lease_until: datetime | None
    claimed_by: str | None
    sent_parts: tuple[str, ...]
    remote_id: str | None
    remote_url: str | None
    error: str | None
    error_kind: str | None
    retry_at: datetime | None
    created_at: datetime
    updated_at: datetime
    sent_at: datetime | None
    # Given to the network on every attempt (an idempotency or record key):
    # 32 hex digits, made with the row, replaced only by `--force`.
    key: str


@dataclass(frozen=True, slots=True)
class ChannelAccount:
    """The account a channel's credentials posted as when they were signed in."""

    channel: str
    network: str
    account: str  # as the network names it: "@school", "Page École", "@lab@mastodon.social"
    account_id: str | None  # the network's id for it, when it has one
    recorded_at: datetime
    recorded_by: str | None  # who signed in (a holder's name), when known


@dataclass(frozen=True, slots=True)
class AudiencePoint:
    """A channel's follower count on one day (UTC), as `crosspost stats` read it."""

    channel: str
    day: date
    followers: int | None  # None: read, but the network would not say ("unavailable")
    read_at: datetime


@dataclass(frozen=True, slots=True)
class Event:
    """One line of a delivery's (or a channel's) history."""

    id: int
    delivery_id: int | None
    channel: str | None
    at: datetime
    kind: EventKind
    detail: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class FeedState:
    """What a feed answered last time, for conditional GET and `feed list`."""

    feed: str
    url: str
    etag: str | None
    modified: str | None  # the Last-Modified header, verbatim
    status: str  # one of FEED_PULL_STATUSES
    error: str | None
    last_pull: datetime
    last_ok: datetime | None


@dataclass(frozen=True, slots=True)
class EntryMark:
    """One feed entry to remember, as `record_pull` takes it."""

    entry_key: str
    post_key: str | None
    title: str | None
    action: str


@dataclass(frozen=True, slots=True)
class SeenEntry:
    """A feed entry the ledger remembers."""

    feed: str
    entry_key: str
    post_key: str | None
    title: str | None
    action: str
    first_seen: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Note:
    """Something the community manager did outside crosspost, for the report."""

    id: int
    at: datetime
    channel: str | None
    text: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class LinkClaim:
    """What `claim_short_link` found for one long URL, one of three cases.

    * `cached` is set: the link is saved already, nobody asks bit.ly;
    * `claimed`: the caller holds the claim now, asks bit.ly, then saves the
      link (which ends the claim) or releases the claim;
    * neither: `holder` is asking bit.ly, its lease running until `until`;
      wait for its link and ask again.
    """

    cached: tuple[str, str | None] | None = None  # (short_url, bitlink_id)
    claimed: bool = False
    holder: str | None = None
    until: datetime | None = None
