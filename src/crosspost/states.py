"""Delivery states, routes and event kinds, and the one table of the moves between them.

A delivery (one post on one channel) is always in exactly one `DeliveryState`.
Every change of state is one `Transition` from `TRANSITIONS`: the ledger checks
the table before it writes, and writes the transition's event in the same
transaction, so the history the monthly report replays is the same table read
backwards (`state_after`).  Nothing else in crosspost spells a state as a bare
string.

The rule the table encodes above all: nothing leaves `unknown` (the post may
exist) on a guess.  Only a person's `retry`, `force` or `done`, a late answer
from the network (`sent`), or the network's own listing read by `reconcile`
(`found`: it is there; `absent`: the listing covers the whole window and it is
not) moves it on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any


class DeliveryState(StrEnum):
    PENDING = "pending"  # to be sent, now or at its due_at
    SENDING = "sending"  # claimed by a run, committed before the request left
    SENT = "sent"  # the network took it (or a person said it is out)
    FAILED = "failed"  # refused, and it certainly does not exist
    UNKNOWN = "unknown"  # the request may have reached the network: a person decides
    MANUAL = "manual"  # a by-hand task waiting for `crosspost done`
    SKIPPED = "skipped"  # dropped on purpose, with a reason
    RELAYED = "relayed"  # carried by its source channel's relay
    CANCELLED = "cancelled"  # dropped by the user


class Route(StrEnum):
    """How a post reaches a channel.  `SKIPPED` is a routing answer only: never stored."""

    DIRECT = "direct"
    REPOST = "repost"  # direct, because the relay chain is broken here
    RELAYED = "relayed"
    SKIPPED = "skipped"


# The routes a delivery row may hold.
STORED_ROUTES = (Route.DIRECT, Route.REPOST, Route.RELAYED)


class RelayDecision(StrEnum):
    """What a relayed channel does, given its source's state (`routing.relay_decision`)."""

    RELAYED = "relayed"  # the source is out: its network carries the post
    REPOST = "repost"  # the source will not go out: post directly
    WAIT = "wait"  # the source may still go out: decide later


class EventKind(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    SCHEDULED = "scheduled"
    MOVED = "moved"
    SENDING = "sending"
    PART = "part"
    SENT = "sent"
    FAILED = "failed"
    UNKNOWN = "unknown"
    RETRIED = "retried"
    FORCED = "forced"
    CANCELLED = "cancelled"
    MANUAL = "manual"
    DONE = "done"
    SKIPPED = "skipped"
    RELAYED = "relayed"
    RECOVERED = "recovered"
    # What `reconcile` read on the network about a post that may exist.
    FOUND = "found"
    ABSENT = "absent"
    CHECKED = "checked"
    # A channel's, not a delivery's.
    PAUSED = "paused"
    RESUMED = "resumed"


S = DeliveryState
# Where a delivery is not finished: what `crosspost queue` lists by default.
OPEN_STATES = frozenset({S.PENDING, S.SENDING, S.FAILED, S.UNKNOWN, S.MANUAL})
# What a run may claim.  `unknown` is deliberately absent: a post that may
# exist goes back to `pending` only through a person's retry.
CLAIMABLE = frozenset({S.PENDING, S.FAILED})
# The network (or a person) has the post, or it is carried by a relay.
OUT = frozenset({S.SENT, S.RELAYED, S.MANUAL})
# Dropped on purpose or refused for good: a relay from it cannot carry anything.
DROPPED = frozenset({S.FAILED, S.SKIPPED, S.CANCELLED})
# An automatic reconcile (in `run`, `publish` of other posts) reads the network again
# for a delivery it could not settle only after this long: reads cost (X bills
# them), and a listing's answer rarely changes by the minute.
RECHECK_AFTER = timedelta(hours=1)
# Not gone out, and may be given up (cancel, skip, relay).
NOT_OUT = frozenset({S.PENDING, S.FAILED, S.UNKNOWN, S.MANUAL})
# An attempt that did not end well, shown as a problem.
TROUBLE = frozenset({S.FAILED, S.UNKNOWN})


@dataclass(frozen=True)
class Transition:
    """One move of a delivery: from which states, to which, and the event it writes.

    `target` None keeps the state (a content update, a thread part, a new due time).
    """

    name: str
    verb: str  # for "cannot {verb} delivery 12: it is sent"
    event: EventKind
    sources: frozenset[DeliveryState]
    target: DeliveryState | None


def _t(
    name: str,
    verb: str,
    event: EventKind,
    sources: frozenset[DeliveryState] | set[DeliveryState],
    target: DeliveryState | None,
) -> Transition:
    return Transition(name, verb, event, frozenset(sources), target)


E = EventKind
# The state machine, in the order a delivery usually lives it.
TRANSITIONS: Mapping[str, Transition] = {
    t.name: t
    for t in (
        _t("update", "update the content of", E.UPDATED, CLAIMABLE, None),
        # A by-hand task whose post file was edited: the text to paste follows the file.
        _t("revise", "revise the text of", E.UPDATED, {S.MANUAL}, None),
        _t("schedule", "schedule", E.SCHEDULED, {S.PENDING}, None),
        _t("move", "move", E.MOVED, {S.PENDING}, None),
        _t("claim", "claim", E.SENDING, CLAIMABLE, S.SENDING),
        # `unknown` too: a claimer whose lease ran out may still be going, and
        # its progress is exactly what a later resume needs.
        _t("part", "record a thread part of", E.PART, {S.SENDING, S.UNKNOWN}, None),
        # From `unknown` as well: a late answer settles the doubt.
        _t("sent", "mark as sent", E.SENT, {S.SENDING, S.UNKNOWN}, S.SENT),
        _t("fail", "mark as failed", E.FAILED, {S.SENDING}, S.FAILED),
        # A failed attempt put straight back in the queue: one event, `failed`
        # with `requeued`, so a retry is never lost between two writes.
        _t("requeue", "mark as failed", E.FAILED, {S.SENDING}, S.PENDING),
        _t("unknown", "mark as unknown", E.UNKNOWN, {S.SENDING}, S.UNKNOWN),
        _t("recover", "recover", E.RECOVERED, {S.SENDING}, S.UNKNOWN),
        # The network's listing has it: from `sending` too, when the network answered
        # "duplicate" and the post it meant is found to be this one.
        _t("found", "record as found on the network", E.FOUND, {S.SENDING, S.UNKNOWN}, S.SENT),
        # Certainly not on the network: back in the queue, due as it was (a thread
        # resumes after the parts that were found).
        _t("absent", "record as absent from the network", E.ABSENT, {S.UNKNOWN}, S.PENDING),
        # The listing could not tell: still unknown, with what was read.
        _t("checked", "record a check of", E.CHECKED, {S.UNKNOWN}, None),
        _t("manual", "hand over for manual posting", E.MANUAL, CLAIMABLE, S.MANUAL),
        _t("done", "mark as done", E.DONE, {S.MANUAL, S.UNKNOWN, S.FAILED}, S.SENT),
        _t("skip", "skip", E.SKIPPED, NOT_OUT, S.SKIPPED),
        _t("relay", "mark as relayed", E.RELAYED, NOT_OUT, S.RELAYED),
        _t("cancel", "cancel", E.CANCELLED, NOT_OUT, S.CANCELLED),
        _t("retry", "retry", E.RETRIED, {S.FAILED, S.UNKNOWN, S.SKIPPED, S.CANCELLED}, S.PENDING),
        _t(
            "force",
            "force a resend of",
            E.FORCED,
            {S.FAILED, S.UNKNOWN, S.SKIPPED, S.CANCELLED, S.SENT, S.RELAYED, S.MANUAL},
            S.PENDING,
        ),
    )
}


def transition(name: str) -> Transition:
    """The transition called `name`; a KeyError is a programming mistake, not the user's."""
    return TRANSITIONS[name]


def allows(name: str, state: DeliveryState | str) -> bool:
    """Whether transition `name` may start from `state`."""
    return DeliveryState(state) in TRANSITIONS[name].sources


def state_after(
    kind: EventKind | str, detail: Mapping[str, Any], before: DeliveryState | None
) -> DeliveryState | None:
    """The state a delivery is in after an event of the ledger, as the report replays it.

    `before` is the state before the event (None before `created`).  Events
    that change no state (`updated`, `moved`, `part` ...) keep `before`.
    """
    kind = EventKind(kind)
    if kind is E.CREATED:
        return S.PENDING
    if kind is E.FAILED:
        return S.PENDING if detail.get("requeued") else S.FAILED
    for t in TRANSITIONS.values():
        if t.event is kind:
            return t.target if t.target is not None else before
    return before
