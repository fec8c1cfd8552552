"""`Store`: every operation the rest of crosspost asks of the ledger, and what each guarantees.

A double post or a lost post is public, so every store is built for three
accidents: the process dying at any line, two processes (or two computers)
sharing the ledger, and a request that timed out after the network had
already received it.

* Each change is one short transaction that writes the row and its event
  together: a crash leaves either both or neither.
* A delivery is *claimed* (state `sending`, committed) before its request
  leaves.  Two processes cannot both claim it: the second one sees `sending`
  and gets nothing.
* A claim whose process died, or whose lease ran out, becomes `unknown`, never
  `pending`: the post may exist, so only the user can send it again
  (`reset_for_retry`).  No store ever turns an uncertain delivery back into a
  sendable one on its own.

Every state change is a transition of `crosspost.states.TRANSITIONS`: a store
refuses one whose sources do not hold the delivery's state (`WrongState`,
"cannot mark as done delivery 12 (...): it is sent, and only a delivery that
is ... can be"), and writes its event with `from`, the state it left.  The
event detail keys are the report's contract.

Only plain values cross this interface: ints, strs, aware `datetime`s (UTC
out), sequences, mappings, the enums of `crosspost.states` and the frozen
models of `.models`.  How a store locks (SQLite's `BEGIN IMMEDIATE`, a
PostgreSQL `SELECT ... FOR UPDATE SKIP LOCKED`) is its own business.  Errors:
`NotFound` for an unknown id, `WrongState` for a refused transition,
`LedgerError` when the store fails while in use, `LedgerUnavailable` when it
cannot be opened.  No secret ever reaches a store: callers hand it texts, ids,
URLs and error messages they have already cleaned.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from types import TracebackType
from typing import Any, Protocol, Self

from .models import (
    AudiencePoint,
    ChannelAccount,
    Delivery,
    EntryMark,
    Event,
    FeedState,
    LinkClaim,
    Note,
    Pace,
    SeenEntry,
)
from .pages import StorePages


class ShortLinks(Protocol):
    """The short-link cache, and the claims that make one bit.ly request per long URL.

    bit.ly's plans count every request, so a long URL is shortened once, ever,
    whichever process or computer needs it first.  A process that needs a link
    not cached yet claims the URL (`claim_short_link`, committed before the
    request leaves), asks bit.ly, and saves the link, which ends the claim;
    on a failure it releases the claim.  Others find it claimed and wait for
    the link.  A claim whose owner certainly died, or whose lease ran out, may
    be taken over: at worst bit.ly is asked twice, never is a link lost.
    """

    def owner_id(self) -> str:
        """This process, as the `owner` to pass to `claim` and `claim_short_link`
        (`liveness.owner_id`)."""
        ...

    def get_short_link(self, long_url: str) -> tuple[str, str | None] | None:
        """The cached (short_url, bitlink_id) for `long_url`, if any."""
        ...

    def save_short_link(
        self, long_url: str, *, short_url: str, bitlink_id: str | None
    ) -> tuple[str, str | None]:
        """Cache a short link; the first one saved for a URL wins, and is returned.

        Ends any claim on `long_url` in the same write: once a link is cached,
        no one needs to ask bit.ly for it."""
        ...

    def claim_short_link(
        self, long_url: str, *, owner: str, lease_seconds: float, now: datetime | None = None
    ) -> LinkClaim:
        """Claim `long_url` for shortening, committed before this returns, in one short write.

        The cached link if there is one (no claim taken); else the claim, when
        nobody holds it, `owner` already does, its holder certainly no longer
        runs (`liveness.claimer_is_gone`) or its lease has run out; else who
        holds it and until when.  Of processes racing for one URL, exactly one
        gets the claim.  The claim lasts `lease_seconds` from `now`; it must
        cover the request and the save.  ValueError when `lease_seconds` is not
        positive."""
        ...

    def release_short_link(self, long_url: str, *, owner: str) -> None:
        """Give up `owner`'s claim on `long_url` (no link was saved), so that the
        next process asks bit.ly at once; a claim someone else took over is kept."""
        ...

    def bitlink_ids(self) -> dict[str, str]:
        """Every cached short link with a bit.ly id, short_url -> bitlink_id."""
        ...


class StoreSidelines(Protocol):
    """The ledger's tables beside the deliveries and links: channel state, feeds and
    notes.  Part of `Store`; kept apart so each protocol class reads in one go."""

    # -- channels ------------------------------------------------------------------------

    def set_paused(self, channel: str, *, paused: bool, reason: str | None = None) -> None:
        """Pause or resume a channel; an event (`paused`/`resumed`) for each real change."""
        ...

    def paused_channels(self) -> dict[str, str]:
        """Paused channels and why ("" when no reason was given)."""
        ...

    def record_account(
        self,
        channel: str,
        *,
        network: str,
        account: str,
        account_id: str | None = None,
        by: str | None = None,
    ) -> ChannelAccount:
        """Remember whom `channel`'s credentials post as (after a sign-in); replaces any."""
        ...

    def channel_accounts(self) -> dict[str, ChannelAccount]:
        """Every recorded account, by channel."""
        ...

    def set_mark(self, name: str, at: datetime | None = None) -> None:
        """Record that `name` ("run", "doctor") happened at `at` (now)."""
        ...

    def mark(self, name: str) -> datetime | None:
        """When `name` last happened, or None."""
        ...

    # -- what `crosspost stats` reads (followers, engagement) --------------------------

    def record_figures(
        self,
        channel: str,
        *,
        followers: int | None,
        posts: Mapping[int, Mapping[str, int | None]],
        at: datetime | None = None,
    ) -> None:
        """One reading of `channel`, in one write: its follower count for the UTC day of
        `at` (now) and each delivery's metrics (by delivery id).  A later reading
        replaces an earlier one, but a refused figure (None) never erases a known one."""
        ...

    def audience(
        self, *, since: date | None = None, until: date | None = None
    ) -> Sequence[AudiencePoint]:
        """Recorded follower counts by channel then day; `since` inclusive, `until` not."""
        ...

    def engagement(self, delivery_ids: Sequence[int]) -> Mapping[int, Mapping[str, int | None]]:
        """The latest metrics of those of `delivery_ids` that have any."""
        ...

    def sent_since(self, *, since: datetime) -> Sequence[Delivery]:
        """Deliveries in state sent, with a remote id, sent at or after `since`, oldest first."""
        ...

    # -- feeds and notes ---------------------------------------------------------------

    def feed_states(self) -> dict[str, FeedState]:
        """The last pull of every feed ever pulled, by feed name."""
        ...

    def seen_entries(
        self,
        *,
        feed: str | None = None,
        post_key: str | None = None,
        actions: Sequence[str] | None = None,
    ) -> list[SeenEntry]:
        """Remembered feed entries matching every filter given, oldest first."""
        ...

    def record_pull(
        self,
        feed: str,
        *,
        url: str,
        status: str,
        etag: str | None = None,
        modified: str | None = None,
        error: str | None = None,
        entries: Sequence[EntryMark] = (),
        now: datetime | None = None,
    ) -> FeedState:
        """One pull of `feed`: its answer and its entries in one write, so validators
        are never stored without the entries they cover."""
        ...

    def add_note(
        self, *, text: str, channel: str | None = None, at: datetime | None = None
    ) -> Note:
        """Record a manual action (`at` defaults to now)."""
        ...

    def notes(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        channel: str | None = None,
    ) -> list[Note]:
        """Notes in time order; `since` inclusive, `until` exclusive."""
        ...


class Store(ShortLinks, StoreSidelines, StorePages, Protocol):
    """The delivery ledger, whatever keeps it.  Belongs to the thread that opened it.

    Its short-link part is `ShortLinks`, all that `links.LinkShortener` needs;
    its bounded reads for listings and the report are `StorePages`."""

    @property
    def location(self) -> str:
        """Where the ledger lives (a file, a database URL without its password), for messages."""
        ...

    kind: str  # "sqlite" or "postgresql": what keeps the ledger (`crosspost ledger info`)

    def schema_version(self) -> int:
        """How many of the numbered migrations the ledger has had."""
        ...

    def server_version(self) -> str | None:
        """The database server's version, for a store that has one."""
        ...

    def close(self) -> None:
        """Release the store; it is not used again."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    # -- creating and reading deliveries -------------------------------------------------

    def ensure_delivery(
        self,
        *,
        post_key: str,
        post_path: str | None,
        post_title: str | None,
        content_hash: str | None,
        channel: str,
        network: str,
        text: str,
        parts: Sequence[str],
        link: str | None,
        route: str = ...,
        due_at: datetime | None = None,
        payload: Mapping[str, Any] | None = None,
    ) -> Delivery:
        """The delivery of `post_key` to `channel`: created `pending` (event `created`)
        if absent, else returned as it is, never reset.  At most one per (post, channel),
        even when two processes ask at once.  `text` is the first of `parts`."""
        ...

    def update_content(
        self,
        delivery_id: int,
        *,
        text: str,
        parts: Sequence[str],
        link: str | None,
        content_hash: str | None,
        route: str,
        payload: Mapping[str, Any] | None = None,
        transition: str = "update",
    ) -> Delivery:
        """Transition `update`: rewrite what a pending or failed delivery will send
        (`transition="revise"`: the text of a by-hand task).

        No event when nothing changed; `WrongState` once part of its thread is out."""
        ...

    def schedule(
        self, delivery_id: int, *, due_at: datetime | None, reason: str | None = None
    ) -> Delivery:
        """Transition `schedule` (or `move`, with a `reason`): when a pending delivery is due."""
        ...

    def get(self, delivery_id: int) -> Delivery:
        """The delivery with this id; `NotFound` if there is none."""
        ...

    def find(self, *, post_key: str, channel: str) -> Delivery | None:
        """The delivery of `post_key` to `channel`, if one exists."""
        ...

    def deliveries(
        self,
        *,
        post_key: str | None = None,
        channel: str | None = None,
        states: Sequence[str] | None = None,
    ) -> list[Delivery]:
        """Deliveries matching every filter given, by id; ValueError for an unknown state."""
        ...

    def upcoming(self, *, states: Sequence[str] | None = None, limit: int = 100) -> list[Delivery]:
        """Deliveries in `states` (all when None), soonest due (else created) first."""
        ...

    def has_work(self, *, now: datetime) -> bool:
        """Whether something is due, a channel is paused, a delivery is `sending`, or an
        `unknown` one has not been reconciled for `states.RECHECK_AFTER`."""
        ...

    def channel_times(
        self, channel: str, *, since: datetime, until: datetime, pending: bool = True
    ) -> list[datetime]:
        """When `channel` posted (sent_at) or, with `pending`, will post (due_at), in
        [since, until), sorted; answered without reading the whole ledger."""
        ...

    def due(self, *, now: datetime | None = None, limit: int = 100) -> list[Delivery]:
        """Pending deliveries due by `now`: undated ones first, then by due_at, then id."""
        ...

    def events(
        self,
        *,
        delivery_id: int | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[Event]:
        """Events in the order they were written; `since` inclusive, `until` exclusive."""
        ...

    # -- sending ------------------------------------------------------------------------

    def claim(
        self,
        delivery_id: int,
        *,
        owner: str,
        lease_seconds: float,
        now: datetime | None = None,
        states: Sequence[str] = ...,
        pace: Pace | None = None,
    ) -> Delivery | None:
        """Transition `claim`: take a delivery for sending, committed before this returns.

        None when its state is not in `states` (pending or failed by default):
        of processes racing for one row, exactly one gets it.  None too when
        `pace` is given and the channel's posts in the ledger (sent, or claimed
        by anyone) leave no room for this one now: workers sharing the ledger
        keep one pace, whoever claims.  A `sending` row
        is never taken over, however old its lease.  ValueError when `states`
        names a state a claim may not start from."""
        ...

    def record_part(
        self,
        delivery_id: int,
        *,
        index: int,
        remote_id: str,
        renew_seconds: float | None = None,
    ) -> Delivery:
        """Transition `part`: thread part `index` is out, committed before the next leaves.

        Repeating the last recorded part is a no-op; a gap is `LedgerError`.  With
        `renew_seconds` the claim's lease is renewed to at least that long from now,
        so a long thread's claim never lapses while its parts are still going out."""
        ...

    def mark_sent(
        self,
        delivery_id: int,
        *,
        remote_id: str,
        remote_url: str | None,
        part_ids: Sequence[str] = (),
    ) -> Delivery:
        """Transition `sent`: the network took it (also from `unknown`: a late answer)."""
        ...

    def mark_failed(
        self,
        delivery_id: int,
        *,
        kind: str,
        error: str,
        retry_at: datetime | None = None,
        requeue: bool = False,
    ) -> Delivery:
        """Transition `fail`, or with `requeue` `requeue` (back to pending, due at
        `retry_at`, event `failed` with `requeued`), in one write.  Never for an
        uncertain outcome (`kind` "unknown" is a ValueError)."""
        ...

    def mark_unknown(self, delivery_id: int, *, error: str) -> Delivery:
        """Transition `unknown`: the request may have reached the network."""
        ...

    def recover_stale(self, *, now: datetime | None = None) -> list[Delivery]:
        """Transition `recover` for every abandoned claim: `sending` becomes `unknown`.

        Abandoned: its lease has run out, or its claimer certainly no longer
        runs (`liveness.claimer_is_gone`).  A live claimer's row is left alone."""
        ...

    # -- what reading the network settled (reconcile) ---------------------------------

    def mark_found(
        self,
        delivery_id: int,
        *,
        part_ids: Sequence[str],
        remote_url: str | None,
        posted_at: datetime | None,
        checked: str,
        after: int | None = None,
    ) -> Delivery:
        """Transition `found` (from unknown, or sending after a "duplicate" answer): the
        parts not yet recorded are `part_ids`, recorded with it; sent, dated `posted_at`
        (default now).  ValueError unless every part is then recorded.  With `after`
        (the parts recorded when the network was read), WrongState if that changed."""
        ...

    def mark_absent(
        self,
        delivery_id: int,
        *,
        part_ids: Sequence[str] = (),
        checked: str,
        after: int | None = None,
    ) -> Delivery:
        """Transition `absent`: certainly not on the network after the leading `part_ids`
        (recorded with it): back to `pending`, due as it was."""
        ...

    def mark_checked(
        self,
        delivery_id: int,
        *,
        part_ids: Sequence[str] = (),
        checked: str,
        why: str,
        after: int | None = None,
    ) -> Delivery:
        """Transition `checked`: the listing could not tell; still unknown, the parts it
        did find recorded, and `why` in the error."""
        ...

    # -- a person's (or the router's) moves -------------------------------------------------

    def mark_manual(self, delivery_id: int) -> Delivery:
        """Transition `manual`: handed to a human."""
        ...

    def mark_done(
        self, delivery_id: int, *, url: str | None = None, at: datetime | None = None
    ) -> Delivery:
        """Transition `done`: a human says the post is out (at `at`, default now; the
        event's `posted_at`)."""
        ...

    def mark_skipped(self, delivery_id: int, *, reason: str) -> Delivery:
        """Transition `skip`: it will not happen, for `reason`."""
        ...

    def mark_relayed(self, delivery_id: int, *, via: str) -> Delivery:
        """Transition `relay`: carried by channel `via`; its route becomes relayed."""
        ...

    def cancel(self, delivery_id: int) -> Delivery:
        """Transition `cancel`: dropped before it went out."""
        ...

    def reset_for_retry(self, delivery_id: int, *, reason: str, force: bool = False) -> Delivery:
        """Transition `retry` (thread parts kept), or with `force` from sent, relayed
        or manual `force` (remote ids cleared, relayed becomes direct)."""
        ...
