"""`crosspost schedule`: one queued delivery per (post, channel), due when the user
said, or at each channel's next free slot.  Nothing is sent here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ..config import ChannelConfig, Config
from ..errors import BadInput, PacingError, PastTime
from ..ledger import Delivery, Store, open_store
from ..pacing import next_allowed, violation
from ..post import Post
from ..preview import Preview, preview_channel
from ..pricing import Cost
from ..routing import Routing, route_versions
from ..sending.content import delivery_content, new_delivery, other_version
from ..states import DeliveryState, Route
from .when import NEXT_SLOT, PAST_GRACE, local_text, parse_when, post_time

# How far around a time pacing looks at a channel's other posts.
PACING_WINDOW = timedelta(days=2)
# What `schedule` may queue (again): the rest is out, or waits for a person.
_REQUEUEABLE = frozenset({DeliveryState.PENDING, DeliveryState.FAILED, DeliveryState.CANCELLED})


@dataclass(frozen=True)
class Scheduled:
    """One (post, channel) after `schedule`."""

    post: str
    channel: str
    network: str
    state: DeliveryState | Route  # pending (queued), or why not: skipped, sent, ...
    delivery_id: int | None = None
    due_at: datetime | None = None
    timezone: str = "UTC"
    note: str | None = None
    cost: Cost | None = None  # the estimated X API cost of sending it

    def to_json(self) -> dict[str, Any]:
        return {
            "post": self.post,
            "channel": self.channel,
            "network": self.network,
            "state": str(self.state),
            "id": self.delivery_id,
            "due_at": self.due_at.isoformat() if self.due_at else None,
            "due_local": local_text(self.due_at, self.timezone),
            "note": self.note,
            "x_cost": self.cost.to_json() if self.cost else None,
        }


@dataclass(frozen=True)
class _Plan:
    """One (post, channel) that `schedule` checked and will queue (or report skipped)."""

    post: Post
    channel: ChannelConfig
    route: Routing
    when: datetime | str | None = None  # a time, or NEXT_SLOT
    preview: Preview | None = None  # None: skipped


@dataclass
class Scheduler:
    config: Config
    home: Path
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    allow_past: bool = False
    sandbox_url: str | None = None  # where bit.ly is asked for the links made ahead

    def schedule(
        self, posts: Sequence[Post], channels: Sequence[ChannelConfig], *, at: str | None
    ) -> list[Scheduled]:
        """Queue one delivery per routed (post, channel); nothing is sent."""
        plans = self._plan(posts, channels, at)
        with open_store(self.home) as ledger:
            # Language versions first, before anything is written: two files of one
            # language stop everything (PostError); another version is never taken over.
            versions = {
                id(plan): note
                for plan in plans
                if plan.preview is not None
                and (found := ledger.find(post_key=plan.post.key, channel=plan.channel.name))
                and (note := other_version(self.config, found, plan.post))
            }
            queued = [self._queue(ledger, plan, versions.get(id(plan))) for plan in plans]
            deliveries = [
                ledger.get(s.delivery_id)
                for s in queued
                if s.delivery_id is not None and s.state == DeliveryState.PENDING
            ]
        return self._shorten_ahead(queued, deliveries)

    def _shorten_ahead(
        self, queued: list[Scheduled], deliveries: list[Delivery]
    ) -> list[Scheduled]:
        """Make the queued posts' short links now (one wave): the run then sends each
        post in one round trip, and its text is final.  bit.ly failing here is said,
        not fatal: the link is asked for again when the post is sent."""
        from ..sending.ahead import needs_short_link, warm_links

        ahead = warm_links(self.config, deliveries, home=self.home, sandbox_url=self.sandbox_url)
        if not (ahead.problems or ahead.skipped):
            return queued
        failed = {d.id: ahead.problems[d.link] for d in deliveries if d.link in ahead.problems}
        if ahead.skipped:
            failed = {d.id: ahead.skipped for d in deliveries if needs_short_link(d)}
        out = []
        for s in queued:
            if s.delivery_id in failed:
                said = (
                    f"link not shortened yet ({failed[s.delivery_id]}): bit.ly is asked when sent"
                )
                s = replace(s, note=f"{s.note}; {said}" if s.note else said)
            out.append(s)
        return out

    def _plan(
        self, posts: Sequence[Post], channels: Sequence[ChannelConfig], at: str | None
    ) -> list[_Plan]:
        """Validate everything first: a bad time or template queues nothing."""
        plans: list[_Plan] = []
        problems: list[str] = []
        past: list[str] = []
        first_past: datetime | None = None
        for post, routes in zip(posts, route_versions(self.config, posts, channels), strict=True):
            for channel in channels:
                route = routes[channel.name]
                if route.kind == Route.SKIPPED:
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

    def _queue(self, ledger: Store, plan: _Plan, version_note: str | None = None) -> Scheduled:
        post, channel, route = plan.post, plan.channel, plan.route
        base: dict[str, Any] = dict(
            post=str(post.path),
            channel=channel.name,
            network=channel.network,
            timezone=channel.timezone,
        )
        if plan.preview is None:  # skipped
            return Scheduled(**base, state=Route.SKIPPED, note=route.reason)
        if version_note is not None:
            return Scheduled(**base, state=Route.SKIPPED, note=version_note)
        existing = ledger.find(post_key=post.key, channel=channel.name)
        if existing is not None and existing.state not in _REQUEUEABLE:
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
            if existing.state != DeliveryState.PENDING:
                ledger.reset_for_retry(existing.id, reason="scheduled again")
            ledger.update_content(existing.id, **content)
            delivery = ledger.schedule(existing.id, due_at=due, reason="scheduled again")
        note = route.reason if route.kind in (Route.RELAYED, Route.REPOST) else None
        warning = violation(channel.pacing, due, self._others(ledger, channel, due, delivery.id))
        if warning:
            note = f"{note}; " if note else ""
            note += f"breaks pacing ({warning}): it will move when due"
        return Scheduled(
            **base,
            state=DeliveryState.PENDING,
            delivery_id=delivery.id,
            due_at=due,
            note=note,
            cost=plan.preview.cost,
        )

    def _resolve(
        self, ledger: Store, channel: ChannelConfig, when: datetime | str | None
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
        self, ledger: Store, channel: ChannelConfig, due: datetime, own: int
    ) -> list[datetime]:
        times = ledger.channel_times(
            channel.name, since=due - PACING_WINDOW, until=due + PACING_WINDOW
        )
        own_due = ledger.get(own).due_at
        if own_due in times:
            times.remove(own_due)
        return times


def schedule_posts(
    config: Config,
    posts: Sequence[Post],
    channels: Sequence[ChannelConfig],
    *,
    home: Path,
    at: str | None = None,
    now: datetime | None = None,
    allow_past: bool = False,
    sandbox_url: str | None = None,
) -> list[Scheduled]:
    """Queue posts (the library entry point behind `crosspost schedule` and feeds), and
    make their short links ahead."""
    scheduler = Scheduler(config=config, home=home, allow_past=allow_past, sandbox_url=sandbox_url)
    if now is not None:
        scheduler.now = now
    return scheduler.schedule(posts, channels, at=at)
