"""What the CLI shows, as data: the `--json` shapes of deliveries and channels, and
the relay chain as a tree.  The CLI renders these as tables, trees or JSON; the
shapes are part of crosspost's interface, so they live here, in the core."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .config import ChannelConfig, Config
from .ledger import Delivery, Note


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
