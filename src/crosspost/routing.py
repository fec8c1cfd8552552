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
from .config.models import ALL_AUDIENCES
from .config.wording import did_you_mean, unknown_audience
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
    """Decide each selected channel's route for `post`, relays after their sources.

    PostError (nothing routed) for a post naming a channel or an audience that does
    not exist: every way of sending comes through here, so none can skip the checks.
    """
    check_overrides(config, post)
    check_audience(config, post)
    selected = {c.name: c for c in channels}
    routes: dict[str, Routing] = {}
    for channel in selected.values():
        reason = _skip_reason(post, channel) or _lang_reason(config, post, channel)
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


def check_audience(config: Config, post: Post) -> None:
    """A post's `audience:` must be one the channels have: a typo (`gigner`) would
    otherwise send the post nowhere, with nothing failed.  No check when no channel
    routes by audience (every post goes everywhere)."""
    problem = _audience_problem(config, post)
    if problem:
        raise PostError(problem)


def _audience_problem(config: Config, post: Post) -> str | None:
    brands = config.audiences
    if not brands:
        return None
    unknown = [a for a in post.audience if a not in brands and a != ALL_AUDIENCES]
    if not unknown:
        return None
    return f"{post.path}: {unknown_audience(unknown, brands, where=str(config.path))}"


def _skip_reason(post: Post, channel: ChannelConfig) -> str | None:
    if not channel.spec.enabled:
        return "disabled in channels.yaml (enabled: false)"
    override = post.overrides.get(channel.name)
    if override and override.skip:
        return f"the post says channels.{channel.name}: false"
    audience = channel.spec.audience
    if ALL_AUDIENCES in audience or ALL_AUDIENCES in post.audience:
        return None  # `all`, on the channel or the post, says every post, every channel
    if audience and post.audience and not set(audience) & set(post.audience):
        return f"audience {', '.join(post.audience)} is not this channel's ({', '.join(audience)})"
    return None


def _lang_reason(config: Config, post: Post, channel: ChannelConfig) -> str | None:
    wanted = config.langs_of(channel)
    lang = config.lang_of(post.lang)
    if not wanted or lang is None or lang in wanted:
        return None
    return f"language {lang} is not this channel's ({', '.join(wanted)})"


def route_versions(
    config: Config, posts: Sequence[Post], channels: Sequence[ChannelConfig]
) -> list[dict[str, Routing]]:
    """`route_post` for each post, knowing that posts with one `url` are language
    versions of one article: a channel gets at most one of them (the language it
    wants most; without a preference, the first given), and two files of the same
    language for one url are an error naming both."""
    routes = [route_post(config, post, channels) for post in posts]
    versions: dict[str, list[int]] = {}
    for i, post in enumerate(posts):
        if post.url:
            versions.setdefault(post.key, []).append(i)
    for indexes in versions.values():
        if len(indexes) > 1:
            _check_distinct_langs(config, [posts[i] for i in indexes])
            for channel in channels:
                _keep_one_version(config, channel, posts, indexes, routes)
    return routes


def _check_distinct_langs(config: Config, versions: Sequence[Post]) -> None:
    seen: dict[str | None, Post] = {}
    for post in versions:
        lang = config.lang_of(post.lang)
        if lang in seen:
            raise PostError(
                f"{seen[lang].path} and {post.path} are both the "
                f"{lang or 'unlabelled'} version of {post.url}: give one of them another "
                "`lang:` (a language version) or another `url:` (another article)"
            )
        seen[lang] = post


def _keep_one_version(
    config: Config,
    channel: ChannelConfig,
    posts: Sequence[Post],
    indexes: Sequence[int],
    routes: list[dict[str, Routing]],
) -> None:
    taking = [i for i in indexes if routes[i][channel.name].kind != SKIPPED]
    if len(taking) < 2:
        return
    wanted = config.langs_of(channel)

    def rank(i: int) -> int:
        lang = config.lang_of(posts[i].lang)
        return wanted.index(lang) if lang in wanted else len(wanted)

    chosen = min(taking, key=lambda i: (rank(i), indexes.index(i)))
    lang = config.lang_of(posts[chosen].lang) or "first"
    for i in taking:
        if i != chosen:
            routes[i][channel.name] = Routing(
                channel.name, SKIPPED, f"gets the {lang} version ({posts[chosen].path})"
            )


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
