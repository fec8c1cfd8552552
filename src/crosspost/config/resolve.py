"""From the file as written to a `Config`: the checks that need the installed
networks or the whole file, and the merging of `defaults` into each channel.

A network's own fields are validated by its plugin's settings model, never by a
list kept here.  Every problem in the file is collected before one ConfigError
is raised, so a user fixes them in one pass.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from ..errors import ConfigError
from ..pacing import Pacing, parse_clock, parse_days, parse_duration, parse_window
from .models import (
    ALL_AUDIENCES,
    CHANNEL_NAME,
    Channel,
    ChannelConfig,
    Config,
    ConfigFile,
    Defaults,
)
from .wording import did_you_mean, join_problems, unknown_audience

if TYPE_CHECKING:
    from ..networks import NetworkInfo, Registry
    from .load import Locator

# How many times a failed delivery is retried when neither the channel nor `defaults` says.
DEFAULT_RETRIES = 5


def resolve_config(parsed: ConfigFile, where: Locator) -> Config:
    """`parsed` checked against the installed networks and itself, or one ConfigError."""
    from ..networks import load_networks

    networks = load_networks()
    problems: list[str] = []
    channels: dict[str, ChannelConfig] = {}
    for name, spec in parsed.channels.items():
        channel, found = _resolve_channel(name, spec, parsed, networks, where)
        problems += found
        if channel is not None:
            channels[name] = channel
    problems += _relay_problems(parsed.channels, where)
    problems += _relay_cycles(parsed.channels, where)
    problems += _audience_problems(parsed.channels, where)
    problems += _feed_problems(parsed, where)
    problems += _shortener_problems(parsed, channels, where)
    if problems:
        raise ConfigError(join_problems(problems))
    return Config(
        path=where.path,
        defaults=parsed.defaults,
        shortener=parsed.shortener,
        channels=channels,
        feeds=parsed.feeds,
        x_prices=parsed.x_prices.table(),
        secrets_file=(
            where.path.parent / Path(parsed.secrets_file).expanduser()
            if parsed.secrets_file
            else None
        ),
    )


def _resolve_channel(
    name: str,
    spec: Channel,
    parsed: ConfigFile,
    networks: Registry,
    where: Locator,
) -> tuple[ChannelConfig | None, list[str]]:
    """One channel resolved, and its problems.  None when it cannot be resolved at all;
    a channel with only credential or overflow problems is still returned, so the
    checks across channels see it."""
    here = ("channels", name)
    if not CHANNEL_NAME.match(name):
        return None, [
            where.problem(here, "channel names use lower-case letters, digits, `-`, `_` and `.`")
        ]
    from ..networks import UnknownNetwork

    try:
        info = networks.resolve(spec.network).info
    except UnknownNetwork as exc:
        return None, [where.problem((*here, "network"), str(exc))]
    try:
        settings = _network_settings(name, spec, info, where)
    except _Unresolvable as exc:
        return None, [str(exc)]
    problems = _credential_problems(name, spec, info, where)
    if info.api_url_required and not spec.api_url:
        problems.append(
            where.problem(
                (*here, "api_url"),
                f"a {info.name} channel names its server: add `api_url: https://...` "
                f"(the {info.name} server the account is on)",
            )
        )
    if spec.overflow == "thread" and not info.threads:
        problems.append(
            where.problem(
                (*here, "overflow"), f"{spec.network} has no threads; use shorten or fail"
            )
        )
    channel = _merge_defaults(name, spec, info, settings, parsed, where.line(here))
    return channel, problems


class _Unresolvable(Exception):
    """A channel's problem that leaves nothing to resolve; its message is the problem."""


def _network_settings(name: str, spec: Channel, info: NetworkInfo, where: Locator) -> Any:
    """The channel's extra keys, validated by its network's settings model (None if it has none)."""
    here = ("channels", name)
    extra = dict(spec.model_extra or {})
    if info.settings_model is not None:
        try:
            return info.settings_model.model_validate(extra)
        except ValidationError as exc:
            raise _Unresolvable(where.validation_errors(exc, prefix=here)) from None
    if extra:
        field = next(iter(extra))
        raise _Unresolvable(
            where.problem((*here, field), f"unknown setting for a {spec.network} channel")
        )
    return None


def _credential_problems(name: str, spec: Channel, info: NetworkInfo, where: Locator) -> list[str]:
    """The credentials the network needs that are missing, and the first it does not know."""
    here = ("channels", name, "credentials")
    missing = [c for c in info.credentials if c not in spec.credentials]
    unknown = [c for c in spec.credentials if c not in info.credentials]
    expected = ", ".join(info.credentials)
    problems = []
    if missing:
        problems.append(
            where.problem(
                here,
                f"missing {', '.join(missing)} (a {spec.network} channel needs "
                f"{expected}, each as ${{ENV_VAR}})",
            )
        )
    if unknown:
        problems.append(
            where.problem(
                (*here, unknown[0]),
                f"not a {spec.network} credential (expected {expected or 'none'})",
            )
        )
    return problems


def _merge_defaults(
    name: str, spec: Channel, info: NetworkInfo, settings: Any, parsed: ConfigFile, line: int
) -> ChannelConfig:
    """The channel with `defaults` and its network's own values filled in: the channel wins."""
    defaults = parsed.defaults
    timezone = spec.timezone or defaults.timezone
    if spec.retries is not None:
        retries = spec.retries
    elif defaults.retries is not None:
        retries = defaults.retries
    else:
        retries = DEFAULT_RETRIES
    return ChannelConfig(
        name=name,
        spec=spec,
        settings=settings,
        info=info,
        max_length=spec.max_length or info.max_length,
        threads=info.threads,
        manual=info.manual,
        template=spec.template or f"{info.name}.j2",
        timezone=timezone,
        timeout=spec.timeout or defaults.timeout,
        # `utm: false` on a channel turns the defaults' UTM off.
        utm=defaults.utm if spec.utm is None else (spec.utm or None),
        shorten=parsed.shortener is not None if spec.shorten is None else spec.shorten,
        line=line,
        pacing=_pacing(spec, defaults, timezone),
        retries=retries,
    )


def _pacing(spec: Channel, defaults: Defaults, timezone: str) -> Pacing:
    def pick(name: str) -> Any:
        value = getattr(spec, name)
        return getattr(defaults, name) if value is None else value

    interval = pick("min_interval")
    days = pick("days")
    return Pacing(
        timezone=timezone,
        slots=tuple(parse_clock(t) for t in pick("slots") or ()),
        max_per_day=pick("max_per_day"),
        min_interval=parse_duration(interval) if interval else None,
        quiet_hours=tuple(parse_window(w) for w in pick("quiet_hours") or ()),
        days=parse_days(days) if days else frozenset(range(7)),
    )


def _relay_problems(specs: dict[str, Channel], where: Locator) -> list[str]:
    """`relayed_by` naming the channel itself or no channel at all."""
    problems = []
    for name, spec in specs.items():
        if spec.relayed_by is None:
            continue
        loc = ("channels", name, "relayed_by")
        if spec.relayed_by == name:
            problems.append(where.problem(loc, "a channel cannot relay itself"))
        elif spec.relayed_by not in specs:
            problems.append(where.problem(loc, _no_channel(spec.relayed_by, specs)))
    return problems


def _no_channel(name: str, specs: Mapping[str, Channel]) -> str:
    """`no channel named 'x'`, with the closest channel name when one is near."""
    hint = did_you_mean(name, specs)
    return f"no channel named {name!r}" + (f" ({hint})" if hint else "")


def channel_audiences(specs: Mapping[str, Channel]) -> list[str]:
    """The brands the channels name, sorted; `all` is none of them."""
    return sorted({a for spec in specs.values() for a in spec.audience} - {ALL_AUDIENCES})


def _audience_problems(specs: dict[str, Channel], where: Locator) -> list[str]:
    """Once one channel has an `audience`, a channel without one would take every brand's
    posts by omission: it must say `audience: all` (or its brand) on purpose."""
    if not any(spec.audience for spec in specs.values()):
        return []
    brands = channel_audiences(specs)
    which = f"its brand ({', '.join(brands)})" if brands else "a brand"
    return [
        where.problem(
            ("channels", name),
            f"no `audience:`, so it would take every brand's posts; add {which}, "
            f"or `audience: {ALL_AUDIENCES}` to take every post on purpose",
        )
        for name, spec in specs.items()
        if not spec.audience
    ]


def _relay_cycles(specs: dict[str, Channel], where: Locator) -> list[str]:
    """Relay chains that come back to where they started, one problem per channel on the loop."""
    problems = []
    for name in specs:
        seen = [name]
        current = specs[name].relayed_by
        while current in specs and current not in seen:
            seen.append(current)
            current = specs[current].relayed_by
        if current == name:
            chain = " -> ".join([*seen, name])
            problems.append(where.problem(("channels", name, "relayed_by"), f"relay loop {chain}"))
    return problems


def _feed_problems(parsed: ConfigFile, where: Locator) -> list[str]:
    """Feeds limited to channels that do not exist, or giving an audience no channel has."""
    problems = [
        where.problem(
            ("feeds", i, "channels"),
            _no_channel(name, parsed.channels),
            dotted=f"feeds.{feed.name}.channels",
        )
        for i, feed in enumerate(parsed.feeds)
        for name in feed.channels
        if name not in parsed.channels
    ]
    brands = channel_audiences(parsed.channels)
    if not brands:  # no channel routes by audience: every entry goes everywhere
        return problems
    for i, feed in enumerate(parsed.feeds):
        unknown = [a for a in feed.audience if a not in (*brands, ALL_AUDIENCES)]
        if unknown:
            problems.append(
                where.problem(
                    ("feeds", i, "audience"),
                    unknown_audience(unknown, brands, where="this file"),
                    dotted=f"feeds.{feed.name}.audience",
                )
            )
    return problems


def _shortener_problems(
    parsed: ConfigFile, channels: dict[str, ChannelConfig], where: Locator
) -> list[str]:
    """Channels that shorten links when the file has no `shortener:` to do it."""
    if parsed.shortener is not None:
        return []
    return [
        where.problem(
            ("channels", name, "shorten"),
            "add a top-level `shortener:` section (service, token) to shorten links",
        )
        for name, channel in channels.items()
        if channel.shorten
    ]
