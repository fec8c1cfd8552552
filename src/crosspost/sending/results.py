"""What a send run did: one `Outcome` per (post, channel), gathered in a `SendResult`.

`publish`, `run` and `feed pull` all answer with these.  Their `--json` shapes
differ (publish speaks of posts and channels, run of queued deliveries), so an
outcome has one JSON view for each; both are built here, not in the CLI.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from ..errors import ChannelMisconfigured, ExitStatus
from ..ledger import Delivery
from ..queue.when import local_text
from ..states import DeliveryState, Route


class Action(StrEnum):
    """What this run did with one delivery (the `result` column of `crosspost run`)."""

    SENT = "sent"
    FAILED = "failed"
    UNKNOWN = "unknown"
    REQUEUED = "requeued"  # failed, and back in the queue for a later try
    MOVED = "moved"  # rescheduled (pacing, a rate limit on its channel)
    MANUAL = "manual"  # handed to a human
    RELAYED = "relayed"
    WAITING = "waiting"  # a relay whose source is not settled yet
    TAKEN = "skipped"  # another run holds it (run's JSON has always said "skipped")
    HELD = "held"  # kept queued: its edited post fails a check
    LEFT = "left"  # not sent by this run: already done, or waiting for a person
    SKIPPED = "not routed"  # other audience, `channels: false`, disabled

    @classmethod
    def after(cls, state: DeliveryState) -> Action:
        """What an attempt that ended in `state` did (LEFT for a state no attempt ends in)."""
        return _AFTER.get(state, cls.LEFT)


_AFTER = {
    DeliveryState.SENT: Action.SENT,
    DeliveryState.FAILED: Action.FAILED,
    DeliveryState.UNKNOWN: Action.UNKNOWN,
    DeliveryState.MANUAL: Action.MANUAL,
    DeliveryState.RELAYED: Action.RELAYED,
}


@dataclass(frozen=True)
class Outcome:
    """One (post, channel) after a run."""

    post: str  # the post's path (a feed entry's: its link)
    post_key: str
    channel: str
    network: str
    action: Action
    delivery: Delivery | None = None  # None: nothing recorded (not routed, or not yet)
    route: Route = Route.DIRECT
    note: str | None = None  # why nothing was sent, or what a human must do
    sent_now: bool = False  # sent (or handed to a human) by this very run
    trouble: bool = False  # counts towards exit status 1
    timezone: str = "UTC"  # the channel's, for the times shown

    @property
    def state(self) -> DeliveryState | Route:
        """The ledger state after this run (`skipped` for a channel the post does not go to)."""
        if self.delivery is not None:
            return self.delivery.state
        return Route.SKIPPED if self.action is Action.SKIPPED else DeliveryState.PENDING

    @property
    def delivery_id(self) -> int | None:
        return self.delivery.id if self.delivery else None

    @property
    def url(self) -> str | None:
        return self.delivery.remote_url if self.delivery else None

    @property
    def error(self) -> str | None:
        return self.delivery.error if self.delivery else None

    @property
    def retry_at(self) -> datetime | None:
        return self.delivery.retry_at if self.delivery else None

    @property
    def retry_local(self) -> str | None:
        """When a retry is worth it, in the channel's time zone, the zone named."""
        return local_text(self.retry_at, self.timezone) if self.retry_at else None

    @property
    def text(self) -> str:
        return self.delivery.text if self.delivery else ""

    def publish_json(self) -> dict[str, Any]:
        """`crosspost publish --json`: one object per (post, channel)."""
        d = self.delivery
        return {
            "post": self.post,
            "channel": self.channel,
            "network": self.network,
            "state": str(self.state),
            "route": str(d.route if d else self.route),
            "id": self.delivery_id,
            "url": self.url,
            "error": self.error,
            "error_kind": d.error_kind if d else None,
            "retry_at": self.retry_at.isoformat() if self.retry_at else None,
            "note": self.note,
            "sent_now": self.sent_now,
            "text": self.text,
        }

    def run_json(self) -> dict[str, Any]:
        """`crosspost run --json`: one object per due delivery the run looked at."""
        d = self.delivery
        assert d is not None, "a run only looks at recorded deliveries"
        return {
            "id": d.id,
            "post": d.post_path,
            "title": d.post_title,
            "channel": d.channel,
            "network": d.network,
            "action": str(self.action),
            "state": str(d.state),
            "url": d.remote_url,
            "error": d.error,
            "error_kind": d.error_kind,
            "due_at": d.due_at.isoformat() if d.due_at else None,
            "attempts": d.attempts,
            "note": self.note,
        }


@dataclass(frozen=True)
class SendResult:
    outcomes: tuple[Outcome, ...]
    warnings: tuple[str, ...] = ()
    paused: dict[str, str] = field(default_factory=dict)  # channel -> why
    # Channels whose due deliveries stayed queued because of the channel itself
    # (a secret unset, its token expired): cron must hear of it.
    held: dict[str, str] = field(default_factory=dict)
    interrupted: bool = False  # Ctrl-C: what was in flight was answered, nothing else left

    @property
    def exit_status(self) -> ExitStatus:
        if self.interrupted:
            return ExitStatus.INTERRUPTED
        misconfigured = ChannelMisconfigured.kind
        if any(o.delivery and o.delivery.error_kind == misconfigured for o in self.outcomes):
            return ExitStatus.BAD_INPUT  # the fix is in channels.yaml
        bad = any(o.trouble for o in self.outcomes) or self.paused or self.held
        return ExitStatus.FAILED if bad else ExitStatus.OK

    @property
    def manual_tasks(self) -> list[Outcome]:
        """By-hand tasks this run created: the CLI prints their paste-ready text."""
        return [o for o in self.outcomes if o.sent_now and o.state == DeliveryState.MANUAL]
