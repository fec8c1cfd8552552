"""One `crosspost stats` run: read every channel's figures and record them.

Cron runs it once a day.  Each channel is read on its own, so a network that is
down, or a token it refuses, costs that channel's figures only: the run records
the day's count as unavailable, says why, and goes on.  A network whose reads
are billed (X's pay-per-use bills every read) is read at most once per UTC day,
whoever starts the run and however often; `stats: false` turns a channel off.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from ..config import ChannelConfig, Config
from ..errors import CredentialError, CrosspostError
from ..ledger import Delivery, Store
from ..networks.base import Network, ReadsFigures
from ..secrets import scrub

# The posts whose engagement is read: the ones still gathering it.  Networks answer
# for older ones too, but the figures have settled, and each X read is billed.
POST_WINDOW = timedelta(days=30)


def mark_name(channel: str) -> str:
    """The ledger mark of a channel's last complete reading."""
    return f"stats:{channel}"


class Outcome(StrEnum):
    """What a run did with one channel."""

    READ = "read"  # figures recorded
    PARTLY = "partly"  # recorded, but the network refused some figures (notes say which)
    UNAVAILABLE = "unavailable"  # the network could not be read: recorded as unavailable
    ALREADY = "already read today"  # billed reads, and today's reading is done
    OFF = "off"  # `stats: false` in channels.yaml
    NONE = "no figures"  # the network gives none (a by-hand channel, a plugin without them)
    PAUSED = "paused"  # its credentials were refused when posting: fix them first
    # None set: a channel fed by a relay may have no credentials of its own (the note
    # names the variable; `crosspost doctor` says it too).
    NO_CREDENTIALS = "no credentials"


@dataclass(frozen=True)
class Reading:
    """What `stats` did with one channel, for its table and --json."""

    channel: str
    network: str
    outcome: Outcome
    followers: int | None = None
    posts: int = 0  # posts whose metrics were recorded
    notes: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "network": self.network,
            "outcome": str(self.outcome),
            "followers": self.followers,
            "posts": self.posts,
            "notes": list(self.notes),
        }


AdapterFor = Callable[[ChannelConfig], Network]


def read_all(
    config: Config,
    store: Store,
    *,
    adapter_for: AdapterFor,
    channels: Iterable[str] = (),
    now: datetime | None = None,
) -> list[Reading]:
    """Read and record the figures of `channels` (default: every enabled one)."""
    moment = now or datetime.now(UTC)
    names = list(channels) or [n for n, c in config.channels.items() if c.spec.enabled]
    chosen = [config.channel(n) for n in names]  # NotFound names a typo
    recent = [d for d in store.sent_since(since=moment - POST_WINDOW) if d.remote_id]
    paused = store.paused_channels()
    return [
        _read_one(c, store, adapter_for, [d for d in recent if d.channel == c.name], paused, moment)
        for c in chosen
    ]


def _read_one(
    channel: ChannelConfig,
    store: Store,
    adapter_for: AdapterFor,
    posts: list[Delivery],
    paused: Mapping[str, str],
    now: datetime,
) -> Reading:
    def reading(outcome: Outcome, **rest: Any) -> Reading:
        return Reading(channel.name, channel.spec.network, outcome, **rest)

    if not channel.spec.stats:
        return reading(Outcome.OFF)
    if channel.manual:
        return reading(Outcome.NONE)
    if channel.name in paused:
        why = paused[channel.name] or "its credentials were refused"
        return reading(Outcome.PAUSED, notes=(f"paused: {why}",))
    if channel.info.reads_billed:
        last = store.mark(mark_name(channel.name))
        if last is not None and last.astimezone(UTC).date() == now.astimezone(UTC).date():
            return reading(Outcome.ALREADY)
    try:
        adapter = adapter_for(channel)
    except CredentialError as exc:
        return reading(Outcome.NO_CREDENTIALS, notes=(scrub(str(exc)),))
    try:
        if not isinstance(adapter, ReadsFigures):
            return reading(Outcome.NONE)
        figures = adapter.read_figures(post_ids=[d.remote_id for d in posts if d.remote_id])
    except CrosspostError as exc:
        # Recorded, so the report says "unavailable" for the day rather than nothing.
        store.record_figures(channel.name, followers=None, posts={}, at=now)
        return reading(Outcome.UNAVAILABLE, notes=(scrub(str(exc)),))
    by_remote = {d.remote_id: d.id for d in posts}
    recorded = {
        by_remote[post_id]: dict(metrics)
        for post_id, metrics in figures.posts.items()
        if post_id in by_remote
    }
    store.record_figures(channel.name, followers=figures.followers, posts=recorded, at=now)
    store.set_mark(mark_name(channel.name), now)
    notes = tuple(scrub(n) for n in figures.notes)
    refused = figures.followers is None or any(
        v is None for metrics in recorded.values() for v in metrics.values()
    )
    return reading(
        Outcome.PARTLY if refused else Outcome.READ,
        followers=figures.followers,
        posts=len(recorded),
        notes=notes,
    )
