"""`crosspost run`, the cron entry point: send every due delivery once, at each
channel's pace, through the shared pipeline.

A queued delivery is a `pending` ledger row with a `due_at`.  Overlapping runs
never send the same delivery twice (it is claimed before its request leaves),
and a run killed at any point leaves each delivery queued, sent, failed or
unknown.  `run` differs from `publish` in how it chooses deliveries (what is
due, not paused, within pacing) and in its failure policy: transient failures
come back with exponential backoff, a rate limit holds the channel until its
reset, an authentication failure pauses the channel.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ..config import ChannelConfig, Config
from ..errors import (
    PAUSING_KINDS,
    AuthFailed,
    BadInput,
    ChannelBlocked,
    DeliveryError,
    RateLimited,
    ShortenerFailed,
    Transient,
)
from ..ledger import Delivery, Store, open_store
from ..pacing import next_allowed, violation
from ..sending.content import manual_note
from ..sending.deliver import Attempt, Requeue
from ..sending.pipeline import Batch, Pipeline
from ..sending.refresh import refresh
from ..sending.results import Action, Outcome, SendResult
from ..states import DeliveryState, RelayDecision, Route
from .schedule import PACING_WINDOW
from .when import local_text

# Exponential backoff for transient failures: 1, 2, 4 ... minutes, at most 6 hours.
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=6)
# A relayed channel whose source is still undecided is looked at again after this.
RELAY_WAIT = timedelta(minutes=15)


@dataclass
class Runner:
    config: Config
    home: Path
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    sandbox_url: str | None = None
    limit: int = 500
    rng: random.Random = field(default_factory=random.Random)
    on_notice: Callable[[str], None] | None = None  # said at once (what Ctrl-C waits for)
    _outcomes: list[Outcome] = field(default_factory=list)
    _held: dict[str, str] = field(default_factory=dict)  # channel -> why its posts wait
    _shortener_problem: str | None = None
    _pipeline: Pipeline = field(init=False)

    def __post_init__(self) -> None:
        self._pipeline = Pipeline(
            self.config,
            self.home,
            sandbox_url=self.sandbox_url,
            policy=self._policy,
            on_notice=self.on_notice,
            paced=True,
        )

    def run(self) -> SendResult:
        """Send every due delivery once, in parallel across channels.

        Relayed channels are looked at after their sources went out, in a
        second wave, so one run carries a whole chain.
        """
        pipeline = self._pipeline
        self._shortener_problem = pipeline.shortener_problem()
        for channel in self.config.channels.values():
            if channel.spec.enabled and (notice := pipeline.token_notice(channel)):
                pipeline.warn(notice)
        with open_store(pipeline.home) as ledger:
            pipeline.recover_stale(ledger)
            enabled = {n: c for n, c in self.config.channels.items() if c.spec.enabled}
            pipeline.reconcile(ledger, enabled, recheck=False)
            paused = ledger.paused_channels()
            due = ledger.due(now=self.now, limit=self.limit)
            first = [d for d in due if d.route != Route.RELAYED]
            batches = self._prepare(ledger, first, paused)
        pipeline.send(batches, self._settle)
        if not pipeline.stopped.is_set():  # after Ctrl-C, no second wave
            with open_store(pipeline.home) as ledger:
                relayed = [
                    settled
                    for d in due
                    if d.route == Route.RELAYED
                    and d.channel not in paused
                    and (settled := self._settle_relay(ledger, d)) is not None
                ]
                batches = self._prepare(ledger, relayed, paused)
            pipeline.send(batches, self._settle)
        with open_store(pipeline.home) as ledger:
            paused = ledger.paused_channels()  # including any this run had to pause
        warnings = tuple(dict.fromkeys(pipeline.warnings))
        return SendResult(
            tuple(self._outcomes),
            warnings,
            paused,
            dict(self._held),
            interrupted=pipeline.stopped.is_set(),
        )

    def _add(self, delivery: Delivery, action: Action, note: str | None = None) -> None:
        with self._pipeline.lock:
            self._outcomes.append(
                Outcome(
                    post=delivery.post_path or delivery.post_key,
                    post_key=delivery.post_key,
                    channel=delivery.channel,
                    network=delivery.network,
                    action=action,
                    delivery=delivery,
                    route=delivery.route,
                    note=note,
                    sent_now=action in (Action.SENT, Action.MANUAL),
                    trouble=action in (Action.FAILED, Action.UNKNOWN, Action.HELD),
                    timezone=self._zone(delivery.channel),
                )
            )

    def _zone(self, channel: str) -> str:
        known = self.config.channels.get(channel)
        return known.timezone if known else self.config.defaults.timezone

    def _prepare(
        self, ledger: Store, due: list[Delivery], paused: dict[str, str]
    ) -> dict[str, Batch]:
        """Settle what needs no network (pacing); group the rest by channel."""
        batches: dict[str, Batch] = {}
        planned: dict[str, list[datetime]] = defaultdict(list)
        for delivery in due:
            channel = self.config.channels.get(delivery.channel)
            if channel is None:
                self._pipeline.warn(
                    f"delivery {delivery.id} is for channel {delivery.channel!r}, which is not in "
                    f"{self.config.path}: restore the channel or `crosspost queue cancel "
                    f"{delivery.id}`"
                )
                continue
            if channel.name in paused or channel.name in self._held:
                continue  # both are named loudly
            try:
                delivery = refresh(self.config, ledger, delivery, channel)
            except BadInput as exc:
                self._add(delivery, Action.HELD, f"{exc}; it stays queued")
                continue
            others = planned[channel.name] + ledger.channel_times(
                channel.name, since=self.now - PACING_WINDOW, until=self.now, pending=False
            )
            reason = violation(channel.pacing, self.now, others)
            if reason:
                later = next_allowed(channel.pacing, self.now, others)
                self._add(
                    ledger.schedule(delivery.id, due_at=later, reason=reason), Action.MOVED, reason
                )
                continue
            if channel.name not in batches:
                batch = self._open_batch(channel)
                if batch is None:
                    continue
                batches[channel.name] = batch
            batches[channel.name].deliveries.append(delivery)
            planned[channel.name].append(self.now)
        return batches

    def _open_batch(self, channel: ChannelConfig) -> Batch | None:
        """The channel's batch, or None when its deliveries must wait (held, said loudly)."""
        try:
            credentials = self._pipeline.credentials(channel)
        except BadInput as exc:
            self._hold(channel, str(exc))
            return None
        if self._pipeline.token_expired(channel, self.now.date()):
            self._hold(channel, self._pipeline.token_notice(channel) or "token expired")
            return None
        if self._shortener_holds(channel):
            self._hold(channel, f"{self._shortener_problem} (shortener.on_error is fail)")
            return None
        return Batch(channel, credentials)

    def _hold(self, channel: ChannelConfig, why: str) -> None:
        """Keep the channel's due deliveries queued; the result names it (and exits 1)."""
        self._held[channel.name] = why

    def _settle_relay(self, ledger: Store, delivery: Delivery) -> Delivery | None:
        """Relayed (by its source's network), or to post directly, or to look at later."""
        channel = self.config.channels.get(delivery.channel)
        if channel is None:
            return delivery  # _prepare says so
        check = self._pipeline.check_relay(ledger, channel, delivery.post_key)
        if check.decision == RelayDecision.RELAYED:
            done = ledger.mark_relayed(delivery.id, via=check.source)
            self._add(done, Action.RELAYED, f"relayed by {check.source}")
            return None
        if check.decision == RelayDecision.REPOST:
            return self._pipeline.make_repost(ledger, delivery)
        why = f"waiting for {check.source} ({check.source_state or 'missing'})"
        later = ledger.schedule(delivery.id, due_at=self.now + RELAY_WAIT, reason=why)
        self._add(later, Action.WAITING, why)
        return None

    def _shortener_holds(self, channel: ChannelConfig) -> bool:
        """Whether a missing bit.ly token keeps this channel's deliveries queued.

        It does with `shortener.on_error: fail`; otherwise they go with the long
        link, as they would if bit.ly itself failed.
        """
        if not (channel.shorten and self._shortener_problem):
            return False
        settings = self.config.shortener
        if settings is not None and settings.on_error == "fail":
            return True
        self._pipeline.warn(f"{self._shortener_problem}: links are sent long")
        return False

    def _settle(self, batch: Batch, index: int, attempt: Attempt, ledger: Store) -> bool:
        """Record what one attempt did; a rate limit or auth failure stops the channel."""
        self._record(attempt)
        final = attempt.delivery
        if final.error_kind == RateLimited.kind or final.error_kind in PAUSING_KINDS:
            # The rest of this channel's batch would only hit the same wall.
            self._hold_back(ledger, batch.deliveries[index + 1 :], final)
            return False
        return True

    def _hold_back(self, ledger: Store, rest: list[Delivery], blocker: Delivery) -> None:
        if blocker.error_kind in PAUSING_KINDS:
            return  # the channel is paused: its deliveries wait, queued, until resumed
        when = blocker.due_at or self.now + timedelta(minutes=15)
        until = local_text(when, self._zone(blocker.channel))
        reason = f"{blocker.channel} is rate limited until {until}"
        for delivery in rest:
            self._add(
                ledger.schedule(delivery.id, due_at=when, reason=reason), Action.MOVED, reason
            )

    def _policy(self, ledger: Store, delivery: Delivery, exc: DeliveryError) -> Requeue | None:
        """The queue's answer to a failure: when to try again, if at all."""
        channel = self.config.channels[delivery.channel]
        if isinstance(exc, RateLimited):
            return Requeue(exc.reset_at or self.now + timedelta(minutes=15))
        if isinstance(exc, AuthFailed | ChannelBlocked):
            ledger.set_paused(channel.name, paused=True, reason=str(exc))
            return Requeue(None)  # waits, queued, for `crosspost channel resume`
        if isinstance(exc, Transient | ShortenerFailed) and delivery.attempts < channel.retries:
            return Requeue(self.now + backoff(delivery.attempts, self.rng))
        return None

    def _record(self, attempt: Attempt) -> None:
        d = attempt.delivery
        if not attempt.claimed and d.state == DeliveryState.PENDING:
            # Another run (or computer) was claiming it that instant, or had just used
            # up the channel's pace: it stays queued, and the next run sees which.
            self._add(d, Action.TAKEN, "another run has it or this channel's turn (pacing)")
        elif not attempt.claimed:
            self._add(d, Action.TAKEN, "taken by another run")
        elif d.state == DeliveryState.MANUAL:
            self._add(d, Action.MANUAL, manual_note(self.config.channels[d.channel], d))
        elif d.state == DeliveryState.PENDING:
            when = local_text(d.due_at, self._zone(d.channel)) if d.due_at else "now"
            note = f"attempt {d.attempts} failed ({d.error_kind}); next try {when}"
            self._add(d, Action.REQUEUED, note)
        else:
            self._add(d, Action.after(d.state))


def backoff(attempt: int, rng: random.Random) -> timedelta:
    """Exponential (1, 2, 4 ... minutes, capped) with jitter, so retries never march in step."""
    base = min(BACKOFF_CAP, BACKOFF_BASE * (2 ** max(attempt - 1, 0)))
    return base * rng.uniform(0.5, 1.5)
