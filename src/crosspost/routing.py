"""Which channels a post goes to, and how: direct, through a relay, or not at all.

The community manager's chain is "the blog feeds Facebook and X, which feed
LinkedIn".  A channel with `relayed_by: OTHER` is not posted to while its relay
works and OTHER takes the post; where the chain breaks (relay marked broken,
OTHER skipped, not selected, or failed) crosspost posts there directly: a
"repost".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .config import ChannelConfig, Config
from .config.wording import did_you_mean
from .errors import PostError
from .post import Post
from .states import DROPPED, OUT, DeliveryState, RelayDecision, Route

DIRECT, REPOST, RELAYED, SKIPPED = Route.DIRECT, Route.REPOST, Route.RELAYED, Route.SKIPPED


@dataclass(frozen=True)
class Routing:
    """How one post reaches one channel in this run, and why."""

    channel: str
    kind: Route
    reason: str | None = None  # why skipped / relayed / reposted

    @property
    def sends(self) -> bool:
        return self.kind in (DIRECT, REPOST)


def select_channels(config: Config, names: Sequence[str] = ()) -> list[ChannelConfig]:
    """The channels named on the command line (all when none), in file order."""
    if not names:
        return list(config.channels.values())
    wanted = [config.channel(n) for n in dict.fromkeys(names)]  # NotFound on a typo
    order = list(config.channels)
    return sorted(wanted, key=lambda c: order.index(c.name))


def route_post(config: Config, post: Post, channels: Iterable[ChannelConfig]) -> dict[str, Routing]:
    """Decide each selected channel's route for `post`, relays after their sources."""
    check_overrides(config, post)
    selected = {c.name: c for c in channels}
    routes: dict[str, Routing] = {}
    for channel in selected.values():
        reason = _skip_reason(post, channel)
        if reason:
            routes[channel.name] = Routing(channel.name, SKIPPED, reason)

    def resolve(name: str) -> Routing:
        if name in routes:
            return routes[name]
        channel = selected[name]
        source = channel.spec.relayed_by
        if source is None:
            route = Routing(name, DIRECT)
        elif channel.spec.relay == "broken":
            route = Routing(name, REPOST, f"relay from {source} is marked broken")
        elif source not in selected:
            route = Routing(name, REPOST, f"{source} is not part of this run")
        else:
            upstream = resolve(source)
            if upstream.sends:
                route = Routing(name, RELAYED, f"relayed by {source}")
            elif upstream.kind == RELAYED:
                route = Routing(name, RELAYED, f"relayed by {source} ({upstream.reason})")
            else:
                route = Routing(name, REPOST, f"{source} is skipped ({upstream.reason})")
        routes[name] = route
        return route

    for name in selected:
        resolve(name)
    return {name: routes[name] for name in selected}


def check_overrides(config: Config, post: Post) -> None:
    """A post's `channels:` must name real channels: a typo in `ebs-twiter: false`
    would otherwise post exactly where the author meant not to."""
    unknown = [name for name in post.overrides if name not in config.channels]
    if unknown:
        hint = did_you_mean(unknown[0], config.channels)
        known = hint or f"channels: {', '.join(config.channels)}"
        raise PostError(
            f"{post.path}: channels.{unknown[0]}: no such channel in {config.path} ({known})"
        )


def audience_warning(config: Config, post: Post) -> str | None:
    """A post audience no channel has is most likely a typo (`gingr`)."""
    known = {a for ch in config.channels.values() for a in ch.spec.audience}
    unknown = [a for a in post.audience if a not in known]
    if not unknown:
        return None
    return (
        f"{post.path}: audience {', '.join(unknown)} matches no channel in {config.path} "
        f"(audiences there: {', '.join(sorted(known)) or 'none'})"
    )


def _skip_reason(post: Post, channel: ChannelConfig) -> str | None:
    if not channel.spec.enabled:
        return "disabled in channels.yaml (enabled: false)"
    override = post.overrides.get(channel.name)
    if override and override.skip:
        return f"the post says channels.{channel.name}: false"
    audience = channel.spec.audience
    if audience and post.audience and not set(audience) & set(post.audience):
        return f"audience {', '.join(post.audience)} is not this channel's ({', '.join(audience)})"
    return None


def relay_decision(source_state: DeliveryState | None) -> RelayDecision:
    """What a relayed channel does, given its source's delivery state for the post.

    RELAYED: the source is out, its network republishes it.  REPOST: the source
    failed for good (or was never recorded), so post directly.  WAIT: the
    source may still go out (pending, sending, unknown): decide later.
    """
    if source_state is None or source_state in DROPPED:
        return RelayDecision.REPOST
    if source_state in OUT:
        return RelayDecision.RELAYED
    return RelayDecision.WAIT
