"""channels.yaml: the per-network rules, validated into frozen pydantic models.

Every error names the file, the line and the field, and says how to fix it.
Secrets never sit in the file: credentials are `${ENV_VAR}` references,
resolved only when a channel is about to send.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from .errors import ConfigError, CredentialError
from .pacing import Pacing

SECRET_REF = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")
CHANNEL_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_secret_ref(value: str) -> str:
    if not SECRET_REF.match(value):
        raise ValueError(
            "write a reference to an environment variable, like ${MY_TOKEN}: "
            "secrets never go in channels.yaml"
        )
    return value


def _check_api_url(value: str | None) -> str | None:
    if value is None:
        return None
    if not re.match(r"^https?://[^/\s]+$", value.rstrip("/")):
        raise ValueError(
            "must be a scheme and host, like https://api.x.com or http://127.0.0.1:8025"
        )
    return value.rstrip("/")


def _check_timezone(value: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {value!r}; use a name like Europe/Paris") from None
    return value


class Utm(_Model):
    """UTM parameters added to the post URL; `{channel}`, `{network}`, `{slug}` expand."""

    source: str = "{channel}"
    medium: str = "social"
    campaign: str = "{slug}"
    term: str | None = None
    content: str | None = None


class Shortener(_Model):
    service: Literal["bitly"] = "bitly"
    token: str
    api_url: str | None = None
    domain: str | None = None
    group_guid: str | None = None
    on_error: Literal["long", "fail"] = "long"
    timeout: float = Field(default=5.0, gt=0, le=120)

    _token = field_validator("token")(_check_secret_ref)
    _api = field_validator("api_url")(_check_api_url)


class _PacingFields(BaseModel):
    """When a channel may post; set in `defaults` or per channel (the channel wins)."""

    slots: tuple[str, ...] | None = None  # "09:00", in the channel's time zone
    max_per_day: int | None = Field(default=None, gt=0)
    min_interval: str | None = None  # "90m", "2h", "1h30m"
    quiet_hours: tuple[str, ...] | None = None  # "22:00-07:00"
    days: str | None = None  # "mon-sun", "mon-fri", "mon,wed,fri"
    retries: int | None = Field(default=None, ge=0, le=50)

    @field_validator("slots")
    @classmethod
    def _slots(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        from .pacing import parse_clock

        for v in value or ():
            parse_clock(v)
        return value

    @field_validator("min_interval")
    @classmethod
    def _interval(cls, value: str | None) -> str | None:
        from .pacing import parse_duration

        if value is not None:
            parse_duration(value)
        return value

    @field_validator("quiet_hours")
    @classmethod
    def _quiet(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        from .pacing import parse_window

        for v in value or ():
            parse_window(v)
        return value

    @field_validator("days")
    @classmethod
    def _days(cls, value: str | None) -> str | None:
        from .pacing import parse_days

        if value is not None and not parse_days(value):
            raise ValueError("no posting day left")
        return value


class Defaults(_PacingFields):
    model_config = ConfigDict(extra="forbid", frozen=True)

    timezone: str = "UTC"
    utm: Utm | None = None
    timeout: float = Field(default=20.0, gt=0, le=300)

    _tz = field_validator("timezone")(_check_timezone)


class Channel(_PacingFields):
    """One destination.  Network-specific fields are validated by the network's own model."""

    model_config = ConfigDict(extra="allow", frozen=True)

    network: str
    template: str | None = None
    audience: tuple[str, ...] = ()
    max_length: int | None = Field(default=None, gt=0)
    overflow: Literal["shorten", "thread", "fail"] = "shorten"
    hashtags: int | None = Field(default=None, ge=0)
    api_url: str | None = None
    credentials: dict[str, str] = Field(default_factory=dict)
    utm: Utm | Literal[False] | None = None
    shorten: bool | None = None
    relayed_by: str | None = None
    relay: Literal["ok", "broken"] = "ok"
    enabled: bool = True
    timeout: float | None = Field(default=None, gt=0, le=300)
    timezone: str | None = None

    _api = field_validator("api_url")(_check_api_url)

    @field_validator("credentials")
    @classmethod
    def _refs_only(cls, value: dict[str, str]) -> dict[str, str]:
        for name, ref in value.items():
            if not isinstance(ref, str) or not SECRET_REF.match(ref):
                raise ValueError(
                    f"credentials.{name}: write a reference to an environment variable, "
                    "like ${MY_TOKEN}: secrets never go in channels.yaml"
                )
        return value

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str | None) -> str | None:
        return None if value is None else _check_timezone(value)


class Feed(_Model):
    """A blog feed (RSS or Atom) whose new entries become posts.

    What to do with a new entry: `action: publish`, `action: review` (only list
    it), or `action: schedule` with `at:`; `schedule: next-slot` is the same as
    `action: schedule` + `at: next-slot`.
    """

    name: str
    url: str  # http(s) address, or a local file path (relative to channels.yaml)
    audience: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()  # added to each entry's own categories
    channels: tuple[str, ...] = ()  # only these channels (default: every channel)
    action: Literal["publish", "schedule", "review"] = "review"
    at: str = "next-slot"  # with action: schedule, when (next-slot or a time)
    lang: str | None = None  # when the feed does not say
    timeout: float = Field(default=20.0, gt=0, le=300)
    # The blog's address, to resolve relative links in a feed read from a file
    # (a feed fetched over HTTP resolves them against its own address).
    base_url: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _schedule_shorthand(cls, data: Any) -> Any:
        if not isinstance(data, dict) or "schedule" not in data:
            return data
        data = dict(data)
        when = data.pop("schedule")
        if data.get("action", "schedule") != "schedule":
            raise ValueError(
                f"`schedule: {when}` means action schedule, but action is "
                f"{data['action']!r}: keep one of the two"
            )
        if "at" in data:
            raise ValueError("write either `schedule: WHEN` or `action: schedule` with `at: WHEN`")
        if not isinstance(when, str) or not when.strip():
            raise ValueError("`schedule:` takes when to send, like `schedule: next-slot`")
        data.update(action="schedule", at=when.strip())
        return data

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not CHANNEL_NAME.match(value):
            raise ValueError("feed names use lower-case letters, digits, `-`, `_` and `.`")
        return value

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        value = value.strip()
        scheme = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*)://", value)
        if scheme and scheme.group(1).lower() not in ("http", "https", "file"):
            raise ValueError(
                "a feed is an http(s) address or a file path (relative to channels.yaml)"
            )
        if not value:
            raise ValueError("a feed needs a `url:` (an http(s) address or a file path)")
        return value

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^/\s]+", value):
            raise ValueError("must be the blog's http(s) address, like https://blog.example.com/")
        return value


class _File(_Model):
    defaults: Defaults = Defaults()
    shortener: Shortener | None = None
    channels: dict[str, Channel]
    feeds: tuple[Feed, ...] = ()

    @field_validator("feeds")
    @classmethod
    def _unique_feeds(cls, value: tuple[Feed, ...]) -> tuple[Feed, ...]:
        names = [f.name for f in value]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"two feeds are named {dupes[0]!r}; feed names must be unique")
        return value


@dataclass(frozen=True)
class ChannelConfig:
    """A channel after validation, with its network's settings model and defaults applied."""

    name: str
    spec: Channel
    settings: Any  # the network's own pydantic model instance, or None
    max_length: int
    weighted: bool
    threads: bool
    manual: bool
    template: str
    timezone: str
    timeout: float
    utm: Utm | None
    shorten: bool
    line: int
    pacing: Pacing
    retries: int

    @property
    def network(self) -> str:
        return self.spec.network


@dataclass(frozen=True)
class Config:
    path: Path
    defaults: Defaults
    shortener: Shortener | None
    channels: dict[str, ChannelConfig]
    feeds: tuple[Feed, ...] = ()

    @property
    def base_dir(self) -> Path:
        return self.path.parent

    def channel(self, name: str) -> ChannelConfig:
        from .errors import NotFound

        try:
            return self.channels[name]
        except KeyError:
            known = ", ".join(self.channels) or "none"
            raise NotFound(f"no channel named {name!r} in {self.path} (known: {known})") from None


def load_config(path: Path) -> Config:
    """Read, validate and resolve channels.yaml."""
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such configuration file") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        problem = getattr(exc, "problem", None) or str(exc)
        line = text.splitlines()[mark.line] if mark and mark.line < len(text.splitlines()) else ""
        if "${" in line and "{" in line.split("${")[0]:
            # `{token: ${X}}`: inside a flow mapping the braces of ${X} are YAML syntax.
            problem += '; inside { }, quote the reference ("${X}") or use one line per key'
        raise ConfigError(f"{where}: not valid YAML: {problem}") from None
    lines = _line_index(root)
    if not isinstance(data, dict):
        raise ConfigError(f"{path}:1: expected a mapping with a `channels:` section")
    try:
        parsed = _File.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_format_errors(path, exc, lines)) from None
    return _resolve(path, parsed, lines)


def _resolve(path: Path, parsed: _File, lines: dict[tuple[Any, ...], int]) -> Config:
    from .networks import load_networks

    networks = load_networks()
    problems: list[str] = []
    channels: dict[str, ChannelConfig] = {}
    for name, spec in parsed.channels.items():
        here = ("channels", name)
        if not CHANNEL_NAME.match(name):
            problems.append(
                f"{path}:{_line(lines, here)}: channels.{name}: channel names use lower-case "
                "letters, digits, `-`, `_` and `.`"
            )
            continue
        cls = networks.get(spec.network)
        if cls is None:
            known = ", ".join(sorted(networks))
            problems.append(
                f"{path}:{_line(lines, (*here, 'network'))}: channels.{name}.network: unknown "
                f"network {spec.network!r} (installed: {known})"
            )
            continue
        info = cls.info
        extra = dict(spec.model_extra or {})
        settings = None
        if info.settings_model is not None:
            try:
                settings = info.settings_model.model_validate(extra)
            except ValidationError as exc:
                problems.append(_format_errors(path, exc, lines, prefix=here))
                continue
        elif extra:
            field = next(iter(extra))
            problems.append(
                f"{path}:{_line(lines, (*here, field))}: channels.{name}.{field}: unknown "
                f"setting for a {spec.network} channel"
            )
            continue
        missing = [c for c in info.credentials if c not in spec.credentials]
        unknown = [c for c in spec.credentials if c not in info.credentials]
        if missing:
            problems.append(
                f"{path}:{_line(lines, (*here, 'credentials'))}: channels.{name}.credentials: "
                f"missing {', '.join(missing)} (a {spec.network} channel needs "
                f"{', '.join(info.credentials)}, each as ${{ENV_VAR}})"
            )
        if unknown:
            problems.append(
                f"{path}:{_line(lines, (*here, 'credentials', unknown[0]))}: "
                f"channels.{name}.credentials.{unknown[0]}: not a {spec.network} credential "
                f"(expected {', '.join(info.credentials) or 'none'})"
            )
        if spec.overflow == "thread" and not info.threads:
            problems.append(
                f"{path}:{_line(lines, (*here, 'overflow'))}: channels.{name}.overflow: "
                f"{spec.network} has no threads; use shorten or fail"
            )
        utm = parsed.defaults.utm if spec.utm is None else (spec.utm or None)
        channels[name] = ChannelConfig(
            name=name,
            spec=spec,
            settings=settings,
            max_length=spec.max_length or info.max_length,
            weighted=info.weighted_length,
            threads=info.threads,
            manual=info.manual,
            template=spec.template or f"{spec.network}.j2",
            timezone=spec.timezone or parsed.defaults.timezone,
            timeout=spec.timeout or parsed.defaults.timeout,
            utm=utm,
            shorten=parsed.shortener is not None if spec.shorten is None else spec.shorten,
            line=_line(lines, here),
            pacing=_pacing(spec, parsed.defaults, spec.timezone or parsed.defaults.timezone),
            retries=spec.retries
            if spec.retries is not None
            else (parsed.defaults.retries if parsed.defaults.retries is not None else 5),
        )
    for name, spec in parsed.channels.items():
        if spec.relayed_by is None:
            continue
        where = f"{path}:{_line(lines, ('channels', name, 'relayed_by'))}"
        if spec.relayed_by == name:
            problems.append(f"{where}: channels.{name}.relayed_by: a channel cannot relay itself")
        elif spec.relayed_by not in parsed.channels:
            problems.append(
                f"{where}: channels.{name}.relayed_by: no channel named {spec.relayed_by!r}"
            )
    problems += _relay_cycles(path, parsed.channels, lines)
    for i, feed in enumerate(parsed.feeds):
        for name in feed.channels:
            if name not in parsed.channels:
                problems.append(
                    f"{path}:{_line(lines, ('feeds', i, 'channels'))}: feeds.{feed.name}.channels: "
                    f"no channel named {name!r}"
                )
    for name, ch in channels.items():
        if ch.shorten and parsed.shortener is None:
            problems.append(
                f"{path}:{_line(lines, ('channels', name, 'shorten'))}: channels.{name}.shorten: "
                "add a top-level `shortener:` section (service, token) to shorten links"
            )
    if problems:
        raise ConfigError("\n".join(problems))
    return Config(
        path=path,
        defaults=parsed.defaults,
        shortener=parsed.shortener,
        channels=channels,
        feeds=parsed.feeds,
    )


def _pacing(spec: Channel, defaults: Defaults, timezone: str) -> Pacing:
    from .pacing import parse_clock, parse_days, parse_duration, parse_window

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


def _relay_cycles(
    path: Path, specs: dict[str, Channel], lines: dict[tuple[Any, ...], int]
) -> list[str]:
    problems = []
    for name in specs:
        seen = [name]
        current = specs[name].relayed_by
        while current in specs and current not in seen:
            seen.append(current)
            current = specs[current].relayed_by
        if current == name:
            chain = " -> ".join([*seen, name])
            where = f"{path}:{_line(lines, ('channels', name, 'relayed_by'))}"
            problems.append(f"{where}: channels.{name}.relayed_by: relay loop {chain}")
    return problems


def resolve_secret(ref: str, *, channel: str, field: str) -> str:
    """The value of a `${VAR}` reference, or a CredentialError naming channel and variable."""
    match = SECRET_REF.match(ref)
    if not match:  # validated earlier; kept as a guard for plugins' own fields
        raise CredentialError(f"channel {channel}: {field} must be a ${{ENV_VAR}} reference")
    var = match.group(1)
    value = os.environ.get(var, "")
    if not value:
        raise CredentialError(
            f"channel {channel}: {field} reads ${{{var}}}, which is not set; "
            f"export {var}=... in the environment crosspost runs in"
        )
    return value


def unset_credentials(channel: ChannelConfig) -> list[str]:
    """Names of the environment variables this channel references that are not set."""
    out = []
    for ref in channel.spec.credentials.values():
        match = SECRET_REF.match(ref)
        if match and not os.environ.get(match.group(1)):
            out.append(match.group(1))
    return out


def _line_index(root: Any) -> dict[tuple[Any, ...], int]:
    """Map each key path in the YAML document to its 1-based line."""
    import yaml

    index: dict[tuple[Any, ...], int] = {}

    def walk(node: Any, here: tuple[Any, ...]) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                child = (*here, key.value)
                index[child] = key.start_mark.line + 1
                walk(value, child)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                index[(*here, i)] = item.start_mark.line + 1
                walk(item, (*here, i))

    if root is not None:
        walk(root, ())
    return index


def _line(lines: dict[tuple[Any, ...], int], loc: tuple[Any, ...]) -> int:
    """The line of `loc`, or of its nearest parent that appears in the file."""
    while loc:
        if loc in lines:
            return lines[loc]
        loc = loc[:-1]
    return 1


def _format_errors(
    path: Path, exc: ValidationError, lines: dict[tuple[Any, ...], int], prefix: tuple = ()
) -> str:
    out = []
    for err in exc.errors():
        # Pydantic adds the union member or the literal tag to the location: drop those.
        loc = tuple(
            p
            for p in (*prefix, *err["loc"])
            if not (isinstance(p, str) and p.startswith(("literal[", "function-")))
        )
        dotted = ".".join(str(p) for p in loc) or "(top level)"
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = (
                "unknown setting (check its spelling, or see the README's channels.yaml reference)"
            )
        elif err["type"] == "missing":
            msg = "required setting is missing"
        out.append(f"{path}:{_line(lines, loc)}: {dotted}: {msg}")
    return "\n".join(dict.fromkeys(out))
