"""What the CLI shows, as data: the `--json` shapes of deliveries and channels, and
the relay chain as a tree.  The CLI renders these as tables, trees or JSON; the
shapes are part of crosspost's interface, so they live here, in the core."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .config import ChannelConfig, Config
from .errors import CrosspostError, NotFound
from .ledger import Delivery, Note
from .queue.when import local_text
from .states import DeliveryState

if TYPE_CHECKING:
    from .queue.desk import QueueDesk

# A channel with this audience (or none) takes every post, so it belongs to every audience.
EVERY_AUDIENCE = "all"
# The moment a delivery is shown at: when it went out, else when it is due, else its last change.
_AT_SENT = frozenset({DeliveryState.SENT, DeliveryState.RELAYED})
_AT_DUE = frozenset({DeliveryState.PENDING, DeliveryState.SENDING})


def delivery_json(d: Delivery) -> dict[str, Any]:
    """One delivery as `status --json` and `queue --json` print it."""
    return {
        "id": d.id,
        "post": d.post_path,
        "post_key": d.post_key,
        "title": d.post_title,
        "channel": d.channel,
        "network": d.network,
        "state": str(d.state),
        "route": str(d.route),
        "attempts": d.attempts,
        "due_at": d.due_at,
        "url": d.remote_url,
        "remote_id": d.remote_id,
        "error": d.error,
        "error_kind": d.error_kind,
        "retry_at": d.retry_at,
        "updated_at": d.updated_at,
        "sent_at": d.sent_at,
        "text": d.text,
    }


def note_json(note: Note) -> dict[str, Any]:
    """A note as `note --json` prints it."""
    return {
        "id": note.id,
        "at": note.at.isoformat(),
        "channel": note.channel,
        "text": note.text,
    }


def channel_json(ch: ChannelConfig) -> dict[str, Any]:
    """One channel as `channels --json` prints it."""
    return {
        "channel": ch.name,
        "network": ch.network,
        "audience": list(ch.spec.audience),
        "template": ch.template,
        "max_length": ch.max_length,
        "overflow": ch.spec.overflow,
        "hashtags": ch.spec.hashtags,
        "relayed_by": ch.spec.relayed_by,
        "relay": ch.spec.relay if ch.spec.relayed_by else None,
        "shorten": ch.shorten,
        "pacing": ch.pacing.describe(),
        "enabled": ch.spec.enabled,
    }


@dataclass(frozen=True)
class ChainNode:
    """A channel in the relay tree, with the channels its network feeds."""

    channel: ChannelConfig
    children: list[ChainNode] = field(default_factory=list)

    @property
    def link(self) -> str:
        """How the post reaches it: `direct`, `relayed` or `broken` (posted directly)."""
        spec = self.channel.spec
        if spec.relayed_by is None:
            return "direct"
        return "broken" if spec.relay == "broken" else "relayed"


def chain_tree(config: Config) -> list[ChainNode]:
    """The channels fed straight from the blog, each with what it relays to.

    A broken relay hangs from the blog: crosspost posts there directly.
    """
    nodes = {name: ChainNode(ch) for name, ch in config.channels.items()}
    roots: list[ChainNode] = []
    for node in nodes.values():
        spec = node.channel.spec
        parent = None if spec.relayed_by is None or spec.relay == "broken" else spec.relayed_by
        if parent is None or parent not in nodes:
            roots.append(node)
        else:
            nodes[parent].children.append(node)
    return roots


@dataclass(frozen=True)
class Lens:
    """How deliveries are shown: each channel's time zone and audience, from channels.yaml.

    Every time the CLI prints is in the delivery's channel's zone, or in
    `defaults.timezone` for a channel no longer in the file, with the zone named.
    """

    default_zone: str = "UTC"
    zones: Mapping[str, str] = field(default_factory=dict)
    audiences: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    by_hand: frozenset[str] = frozenset()

    @classmethod
    def of(cls, config: Config | None) -> Lens:
        if config is None:
            return cls()
        channels = config.channels.values()
        return cls(
            default_zone=config.defaults.timezone,
            zones={ch.name: ch.timezone for ch in channels},
            audiences={ch.name: tuple(ch.spec.audience) for ch in channels},
            by_hand=frozenset(ch.name for ch in channels if ch.manual),
        )

    @classmethod
    def of_workspace(cls, ws: QueueDesk, *, need_config: bool = False) -> Lens:
        """The workspace's lens; without a readable channels.yaml, times in UTC
        (the ledger stays readable while the file is being edited)."""
        try:
            return cls.of(ws.config)
        except CrosspostError:
            if need_config:
                raise
            return cls()

    def zone(self, channel: str | None) -> str:
        return self.zones.get(channel or "", self.default_zone)

    def local(self, when: datetime | None, channel: str | None = None) -> str | None:
        """`2026-12-24 09:00 CET`: the time in the channel's zone, the zone named."""
        return local_text(when, self.zone(channel))

    @staticmethod
    def moment(d: Delivery) -> datetime | None:
        """When a delivery is shown at: sent (or relayed), due (None: the next run), or
        the time it last changed (failed, cancelled, handed over for posting by hand)."""
        if d.state in _AT_SENT:
            return d.sent_at or d.updated_at
        if d.state in _AT_DUE:
            return d.due_at
        return d.updated_at

    def in_audience(self, channel: str, audience: str) -> bool:
        """Whether the channel's audience takes `audience` (`all` or none: every one)."""
        if channel not in self.audiences:
            return False
        own = self.audiences[channel]
        return not own or EVERY_AUDIENCE in own or audience in own

    def channels_of(self, audience: str | None) -> list[str] | None:
        """The channels of `audience`, for the ledger to filter on (None: every channel,
        configured or not); NotFound for a typo."""
        if audience is None:
            return None
        self.check_audience(audience)
        return [name for name in self.audiences if self.in_audience(name, audience)]

    def check_audience(self, audience: str) -> None:
        from difflib import get_close_matches

        known = sorted({a for own in self.audiences.values() for a in own} - {EVERY_AUDIENCE})
        if audience in known:
            return
        close = get_close_matches(audience, known, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise NotFound(
            f"no channel has the audience {audience!r}; {hint}"
            f"audiences in channels.yaml: {', '.join(known) or 'none'}"
        )
