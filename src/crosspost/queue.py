"""The queue: posts scheduled per channel, and the cron entry point that sends
what is due, exactly once, at each channel's pace.

A queued delivery is a `pending` ledger row with a `due_at`.  `run_due` sends
through the same code as `publish` (deliver.py): claimed in one transaction
before the request leaves, so overlapping runs never send the same delivery
twice, and a run killed at any point leaves each delivery queued, sent, failed
or unknown.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from .config import ChannelConfig, Config
from .deliver import (
    Attempt,
    FailurePolicy,
    Requeue,
    channel_credentials,
    delivery_content,
    manual_note,
    new_delivery,
    open_sender,
    per_channel_in_parallel,
    resolve_credential,
)
from .errors import (
    AuthFailed,
    BadInput,
    DeliveryError,
    PastTime,
    RateLimited,
    ShortenerFailed,
    Transient,
)
from .ledger import Delivery, Ledger, default_ledger_path
from .pacing import NonexistentTime, PacingError, localize, next_allowed, violation
from .post import Post
from .preview import Preview, preview_channel
from .routing import RELAYED, REPOST, SKIPPED, Route, relay_decision, route_post

NEXT_SLOT = "next-slot"
# A time this close to now is "now", not "in the past" (the user typed it a moment ago).
PAST_GRACE = timedelta(minutes=2)
# Exponential backoff for transient failures: 1, 2, 4 ... minutes, at most 6 hours.
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=6)
# How far around a time pacing looks at a channel's other posts.
PACING_WINDOW = timedelta(days=2)
# A relayed channel whose source is still undecided is looked at again after this.
RELAY_WAIT = timedelta(minutes=15)
OPEN_STATES = ("pending", "sending", "failed", "unknown", "manual")


@dataclass(frozen=True)
class Scheduled:
    """One (post, channel) after `schedule`."""

    post: str
    channel: str
    network: str
    state: str  # pending (queued), or why not: skipped, sent, ...
    delivery_id: int | None = None
    due_at: datetime | None = None
    timezone: str = "UTC"
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "post": self.post,
            "channel": self.channel,
            "network": self.network,
            "state": self.state,
            "id": self.delivery_id,
            "due_at": self.due_at.isoformat() if self.due_at else None,
            "due_local": local_text(self.due_at, self.timezone),
            "note": self.note,
        }


def local_text(when: datetime | None, timezone: str) -> str | None:
    if when is None:
        return None
    return when.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M %Z")


# -- reading times ----------------------------------------------------------------


def parse_when(text: str, *, timezone: str, now: datetime) -> datetime | str:
    """`--at`: an ISO date-time (with or without offset), `HH:MM` (the next one), `now`,
    or `next-slot`.  A time without an offset is read in the channel's time zone."""
    value = text.strip()
    if value.lower() in (NEXT_SLOT, "next"):
        return NEXT_SLOT
    if value.lower() == "now":
        return now
    tz = ZoneInfo(timezone)
    clock = re.fullmatch(r"(\d{1,2}):(\d{2})", value)
    try:
        if clock:
            today = now.astimezone(tz).date()
            naive = datetime(today.year, today.month, today.day, int(clock[1]), int(clock[2]))
            when = localize(naive, tz, strict=False)
            return when if when >= now - PAST_GRACE else localize(naive + timedelta(days=1), tz)
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise BadInput(
            f"cannot read the time {text!r}: write 2026-12-01 09:00 (in the channel's time "
            "zone), 2026-12-01T09:00+01:00, 09:00 (the next one), now or next-slot"
        ) from None
    except NonexistentTime as exc:
        raise BadInput(f"--at {text}: {exc}") from None
    if parsed.tzinfo is not None:
        return parsed.astimezone(UTC)
    try:
        return localize(parsed, tz)
    except NonexistentTime as exc:
        raise BadInput(f"--at {text}: {exc}") from None


def post_time(post: Post, timezone: str) -> datetime | None:
    """The post's own `publish_at`, a naive one read in the channel's time zone."""
    if post.publish_at is None:
        return None
    if post.publish_at.tzinfo is not None:
        return post.publish_at.astimezone(UTC)
    try:
        return localize(post.publish_at, ZoneInfo(timezone))
    except NonexistentTime as exc:
        raise BadInput(f"{post.path}: publish_at: {exc}") from None


# -- scheduling --------------------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    """One (post, channel) that `schedule` checked and will queue (or report skipped)."""

    post: Post
    channel: ChannelConfig
    route: Route
    when: datetime | str | None = None  # a time, or NEXT_SLOT
    preview: Preview | None = None  # None: skipped


@dataclass
class Scheduler:
    config: Config
    home: Path
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    allow_past: bool = False

    def schedule(
        self, posts: Sequence[Post], channels: Sequence[ChannelConfig], *, at: str | None
    ) -> list[Scheduled]:
        """Queue one delivery per routed (post, channel); nothing is sent."""
        plans = self._plan(posts, channels, at)
        with Ledger.open(default_ledger_path(self.home)) as ledger:
            return [self._queue(ledger, plan) for plan in plans]

    def _plan(
        self, posts: Sequence[Post], channels: Sequence[ChannelConfig], at: str | None
    ) -> list[_Plan]:
        """Validate everything first: a bad time or template queues nothing."""
        plans: list[_Plan] = []
        problems: list[str] = []
        past: list[str] = []
        first_past: datetime | None = None
        for post in posts:
            routes = route_post(self.config, post, channels)
            for channel in channels:
                route = routes[channel.name]
                if route.kind == SKIPPED:
                    plans.append(_Plan(post, channel, route))
                    continue
                try:
                    preview = preview_channel(self.config, post, channel, route=route)
                    when: datetime | str = (
                        parse_when(at, timezone=channel.timezone, now=self.now)
                        if at
                        else post_time(post, channel.timezone) or NEXT_SLOT
                    )
                except BadInput as exc:
                    problems.append(str(exc))
                    continue
                if isinstance(when, datetime) and when < self.now - PAST_GRACE:
                    if not self.allow_past:
                        past.append(f"{channel.name}: {local_text(when, channel.timezone)}")
                        first_past = first_past or when
                        continue
                    when = self.now
                plans.append(_Plan(post, channel, route, when, preview))
        if problems:
            raise BadInput("nothing was queued:\n" + "\n".join(dict.fromkeys(problems)))
        if past and first_past is not None:
            raise PastTime(
                "these times are in the past: "
                + "; ".join(past)
                + ". Send them at the next run with --now, or choose another --at",
                when=first_past,
            )
        return plans

    def _queue(self, ledger: Ledger, plan: _Plan) -> Scheduled:
        post, channel, route = plan.post, plan.channel, plan.route
        base: dict[str, Any] = dict(
            post=str(post.path),
            channel=channel.name,
            network=channel.network,
            timezone=channel.timezone,
        )
        if plan.preview is None:  # skipped
            return Scheduled(**base, state="skipped", note=route.reason)
        existing = ledger.find(post_key=post.key, channel=channel.name)
        if existing is not None and existing.state not in ("pending", "failed", "cancelled"):
            return Scheduled(
                **base,
                state=existing.state,
                delivery_id=existing.id,
                note=f"already {existing.state}; not queued again",
            )
        due = self._resolve(ledger, channel, plan.when)
        content = delivery_content(post, channel, plan.preview, route.kind)
        if existing is None:
            delivery = new_delivery(ledger, post, channel, content, due_at=due)
            ledger.schedule(delivery.id, due_at=due)
        else:
            if existing.state in ("failed", "cancelled"):
                ledger.reset_for_retry(existing.id, reason="scheduled again")
            ledger.update_content(existing.id, **content)
            delivery = ledger.schedule(existing.id, due_at=due, reason="scheduled again")
        note = route.reason if route.kind in (RELAYED, REPOST) else None
        warning = violation(channel.pacing, due, self._others(ledger, channel, due, delivery.id))
        if warning:
            note = f"{note}; " if note else ""
            note += f"breaks pacing ({warning}): it will move when due"
        return Scheduled(**base, state="pending", delivery_id=delivery.id, due_at=due, note=note)

    def _resolve(
        self, ledger: Ledger, channel: ChannelConfig, when: datetime | str | None
    ) -> datetime:
        if isinstance(when, datetime):
            return when.astimezone(UTC)
        # next-slot: the first free slot (or allowed minute) from now on.
        others = ledger.channel_times(
            channel.name, since=self.now - PACING_WINDOW, until=self.now + timedelta(days=400)
        )
        try:
            return next_allowed(channel.pacing, self.now, others, slots_only=True).astimezone(UTC)
        except PacingError as exc:
            raise BadInput(f"channel {channel.name}: {exc}; check its slots and pacing") from None

    def _others(
        self, ledger: Ledger, channel: ChannelConfig, due: datetime, own: int
    ) -> list[datetime]:
        times = ledger.channel_times(
            channel.name, since=due - PACING_WINDOW, until=due + PACING_WINDOW
        )
        own_due = ledger.get(own).due_at
        if own_due in times:
            times.remove(own_due)
        return times


# -- the queue, as the user sees and edits it ----------------------------------------


def open_deliveries(
    ledger: Ledger, *, include_done: bool = False, limit: int = 100
) -> list[Delivery]:
    """The head of the queue: what is not done yet (or everything), soonest first."""
    return ledger.upcoming(states=None if include_done else OPEN_STATES, limit=limit)


def last_reason(ledger: Ledger, delivery: Delivery) -> str | None:
    """Why the delivery stands where it does: its error, or the reason it was last moved."""
    if delivery.error and delivery.state in ("failed", "unknown", "pending"):
        return delivery.error
    for event in reversed(ledger.events(delivery_id=delivery.id)):
        if event.kind == "moved":
            return str(event.detail.get("reason") or "")
        if event.kind in ("scheduled", "created"):
            return None
    return None


def cancel(ledger: Ledger, delivery_id: int) -> Delivery:
    return _guard(lambda: ledger.cancel(delivery_id), ledger, delivery_id, "cancel")


def retry(ledger: Ledger, delivery_id: int, *, now: datetime) -> Delivery:
    """Queue a failed, unknown or cancelled delivery again, due now."""

    def go() -> Delivery:
        d = ledger.reset_for_retry(delivery_id, reason="queue retry")
        return ledger.schedule(d.id, due_at=now, reason="retried by hand")

    return _guard(go, ledger, delivery_id, "retry")


def move(ledger: Ledger, delivery_id: int, *, when: datetime) -> Delivery:
    return _guard(
        lambda: ledger.schedule(delivery_id, due_at=when, reason="moved by hand"),
        ledger,
        delivery_id,
        "move",
    )


def _guard(action: Callable[[], Delivery], ledger: Ledger, delivery_id: int, verb: str) -> Delivery:
    from .errors import LedgerError

    try:
        return action()
    except LedgerError:
        d = ledger.get(delivery_id)  # NotFound for an unknown id
        raise BadInput(
            f"cannot {verb} delivery {delivery_id} ({d.channel}): it is {d.state}"
        ) from None


# -- crosspost run -------------------------------------------------------------------


@dataclass(frozen=True)
class RunItem:
    """What the run did with one due delivery."""

    delivery: Delivery
    action: str  # sent, failed, unknown, requeued, moved, manual, relayed, waiting, skipped
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        d = self.delivery
        return {
            "id": d.id,
            "post": d.post_path,
            "title": d.post_title,
            "channel": d.channel,
            "network": d.network,
            "action": self.action,
            "state": d.state,
            "url": d.remote_url,
            "error": d.error,
            "error_kind": d.error_kind,
            "due_at": d.due_at.isoformat() if d.due_at else None,
            "attempts": d.attempts,
            "note": self.note,
        }


@dataclass(frozen=True)
class RunResult:
    items: tuple[RunItem, ...]
    warnings: tuple[str, ...] = ()
    paused: dict[str, str] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        bad = any(i.action in ("failed", "unknown") for i in self.items)
        return 1 if bad or self.paused else 0


@dataclass
class Runner:
    config: Config
    home: Path
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    sandbox_url: str | None = None
    limit: int = 500
    rng: random.Random = field(default_factory=random.Random)
    _items: list[RunItem] = field(default_factory=list)
    _warnings: list[str] = field(default_factory=list)
    _shortener_token: str | None = None
    _shortener_problem: str | None = None

    def run(self) -> RunResult:
        """Send every due delivery once, in parallel across channels.

        Relayed channels are looked at after their sources went out, in a
        second wave, so one run carries a whole chain.
        """
        self._resolve_shortener()
        ledger_file = default_ledger_path(self.home)
        with Ledger.open(ledger_file) as ledger:
            for stale in ledger.recover_stale(now=self.now):
                self._warnings.append(
                    f"delivery {stale.id} ({stale.channel}) was interrupted while sending: "
                    "marked unknown; check the network, then `crosspost done` or "
                    "`crosspost queue retry`"
                )
            paused = ledger.paused_channels()
            due = ledger.due(now=self.now, limit=self.limit)
            first = [d for d in due if d.route != RELAYED]
            groups = self._prepare(ledger, first, paused)
        per_channel_in_parallel(groups, self._send_channel)
        with Ledger.open(ledger_file) as ledger:
            relayed = [
                settled
                for d in due
                if d.route == RELAYED
                and d.channel not in paused
                and (settled := self._settle_relay(ledger, d)) is not None
            ]
            groups = self._prepare(ledger, relayed, paused)
        per_channel_in_parallel(groups, self._send_channel)
        with Ledger.open(ledger_file) as ledger:
            paused = ledger.paused_channels()  # including any this run had to pause
        return RunResult(tuple(self._items), tuple(dict.fromkeys(self._warnings)), paused)

    def _prepare(
        self, ledger: Ledger, due: list[Delivery], paused: dict[str, str]
    ) -> dict[str, tuple[ChannelConfig, dict[str, str], list[Delivery]]]:
        """Settle what needs no network (manual tasks, pacing); group the rest by channel."""
        groups: dict[str, tuple[ChannelConfig, dict[str, str], list[Delivery]]] = {}
        planned: dict[str, list[datetime]] = defaultdict(list)
        bad_credentials: set[str] = set()
        for delivery in due:
            channel = self.config.channels.get(delivery.channel)
            if channel is None:
                self._warnings.append(
                    f"delivery {delivery.id} is for channel {delivery.channel!r}, which is not in "
                    f"{self.config.path}: restore the channel or `crosspost queue cancel "
                    f"{delivery.id}`"
                )
                continue
            if channel.name in paused or channel.name in bad_credentials:
                continue  # paused channels are named loudly by the caller
            others = planned[channel.name] + ledger.channel_times(
                channel.name, since=self.now - PACING_WINDOW, until=self.now, pending=False
            )
            reason = violation(channel.pacing, self.now, others)
            if reason:
                later = next_allowed(channel.pacing, self.now, others)
                moved = ledger.schedule(delivery.id, due_at=later, reason=reason)
                self._items.append(RunItem(moved, "moved", reason))
                continue
            if channel.name not in groups:
                try:
                    credentials = channel_credentials(channel, sandbox=self.sandbox_url is not None)
                except BadInput as exc:
                    bad_credentials.add(channel.name)
                    self._warnings.append(f"{exc}: its deliveries stay queued")
                    continue
                if self._shortener_holds(channel):
                    bad_credentials.add(channel.name)
                    continue
                groups[channel.name] = (channel, credentials, [])
            groups[channel.name][2].append(delivery)
            planned[channel.name].append(self.now)
        return groups

    def _settle_relay(self, ledger: Ledger, delivery: Delivery) -> Delivery | None:
        """Relayed (by its source's network), or to post directly, or to look at later."""
        channel = self.config.channels.get(delivery.channel)
        if channel is None:
            return delivery  # _prepare says so

        source = channel.spec.relayed_by
        source_row = ledger.find(post_key=delivery.post_key, channel=source) if source else None
        broken = channel.spec.relay == "broken" or source not in self.config.channels
        decision = REPOST if broken else relay_decision(source_row.state if source_row else None)
        if decision == RELAYED:
            done = ledger.mark_relayed(delivery.id, via=source or "")
            self._items.append(RunItem(done, "relayed", f"relayed by {source}"))
            return None
        if decision == REPOST:
            return ledger.update_content(
                delivery.id,
                text=delivery.text,
                parts=delivery.parts,
                link=delivery.link,
                content_hash=delivery.content_hash,
                route=REPOST,
            )
        state = source_row.state if source_row else "missing"
        later = ledger.schedule(
            delivery.id, due_at=self.now + RELAY_WAIT, reason=f"waiting for {source} ({state})"
        )
        self._items.append(RunItem(later, "waiting", f"waiting for {source} ({state})"))
        return None

    def _resolve_shortener(self) -> None:
        """The bit.ly token for this run, or why there is none."""
        settings = self.config.shortener
        if settings is None:
            return
        try:
            self._shortener_token = resolve_credential(
                settings.token,
                channel="shortener",
                field="token",
                sandbox=self.sandbox_url is not None,
            )
        except BadInput as exc:
            self._shortener_problem = str(exc)

    def _shortener_holds(self, channel: ChannelConfig) -> bool:
        """Whether a missing bit.ly token keeps this channel's deliveries queued.

        It does with `shortener.on_error: fail`; otherwise they go with the long
        link, as they would if bit.ly itself failed.
        """
        if not (channel.shorten and self._shortener_problem):
            return False
        settings = self.config.shortener
        if settings is not None and settings.on_error == "fail":
            self._warnings.append(
                f"{self._shortener_problem}: {channel.name}'s deliveries stay queued "
                "(shortener.on_error is fail)"
            )
            return True
        self._warnings.append(f"{self._shortener_problem}: links are sent long")
        return False

    def _send_channel(self, group: tuple[ChannelConfig, dict[str, str], list[Delivery]]) -> None:
        channel, credentials, deliveries = group
        with open_sender(
            config=self.config,
            channel=channel,
            credentials=credentials,
            ledger_file=default_ledger_path(self.home),
            api_url=self.sandbox_url,
            shortener_token=self._shortener_token,
            policy=self._policy(channel),
        ) as sender:
            for index, delivery in enumerate(deliveries):
                attempt = sender.send(delivery)
                self._warnings.extend(attempt.warnings)
                self._items.append(self._item(attempt))
                final = attempt.delivery
                if final.error_kind == "rate_limited" or final.error_kind == "auth":
                    # The rest of this channel's batch would only hit the same wall.
                    self._hold_back(sender.ledger, deliveries[index + 1 :], final)
                    break

    def _hold_back(self, ledger: Ledger, rest: list[Delivery], blocker: Delivery) -> None:
        if blocker.error_kind == "auth":
            return  # the channel is paused: its deliveries wait, queued, until resumed
        when = blocker.due_at or self.now + timedelta(minutes=15)
        reason = f"{blocker.channel} is rate limited until {when:%H:%M} UTC"
        for delivery in rest:
            self._items.append(
                RunItem(ledger.schedule(delivery.id, due_at=when, reason=reason), "moved", reason)
            )

    def _policy(self, channel: ChannelConfig) -> FailurePolicy:
        def decide(ledger: Ledger, delivery: Delivery, exc: DeliveryError) -> Requeue | None:
            if isinstance(exc, RateLimited):
                return Requeue(exc.reset_at or self.now + timedelta(minutes=15))
            if isinstance(exc, AuthFailed):
                ledger.set_paused(channel.name, paused=True, reason=str(exc))
                return Requeue(None)  # waits, queued, for `crosspost channel resume`
            if isinstance(exc, Transient | ShortenerFailed) and delivery.attempts < channel.retries:
                return Requeue(self.now + backoff(delivery.attempts, self.rng))
            return None

        return decide

    def _item(self, attempt: Attempt) -> RunItem:
        d = attempt.delivery
        if not attempt.claimed:
            return RunItem(d, "skipped", "taken by another run")
        if d.state == "manual":
            return RunItem(d, "manual", manual_note(self.config.channels[d.channel], d))
        if d.state == "pending":
            when = f"{d.due_at:%Y-%m-%d %H:%M} UTC" if d.due_at else "now"
            return RunItem(
                d, "requeued", f"attempt {d.attempts} failed ({d.error_kind}); next try {when}"
            )
        return RunItem(d, d.state)


def backoff(attempt: int, rng: random.Random) -> timedelta:
    """Exponential (1, 2, 4 ... minutes, capped) with jitter, so retries never march in step."""
    base = min(BACKOFF_CAP, BACKOFF_BASE * (2 ** max(attempt - 1, 0)))
    return base * rng.uniform(0.5, 1.5)


def schedule_posts(
    config: Config,
    posts: Sequence[Post],
    channels: Sequence[ChannelConfig],
    *,
    home: Path,
    at: str | None = None,
    now: datetime | None = None,
    allow_past: bool = False,
) -> list[Scheduled]:
    """Queue posts (the library entry point behind `crosspost schedule` and feeds)."""
    scheduler = Scheduler(config=config, home=home, allow_past=allow_past)
    if now is not None:
        scheduler.now = now
    return scheduler.schedule(posts, channels, at=at)


__all__ = [
    "PastTime",
    "RunResult",
    "Runner",
    "Scheduled",
    "Scheduler",
    "backoff",
    "cancel",
    "move",
    "open_deliveries",
    "parse_when",
    "retry",
    "schedule_posts",
]
