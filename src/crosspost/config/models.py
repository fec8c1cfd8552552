"""The channels.yaml schema as frozen pydantic models, and the resolved `Config`.

The models check what one field or one section can check alone; what needs the
installed networks or the whole file (a network's own settings, credentials,
relay chains) is `resolve.py`'s.  Unknown keys are errors (`extra="forbid"`),
except on a channel, whose extra keys belong to its network's settings model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from ..errors import NotFound
from ..pacing import Pacing, parse_clock, parse_days, parse_duration, parse_window
from ..pricing import X_PRICES, PriceTable
from ..secrets import (
    WRITE_A_REFERENCE,
    check_secret_ref,
    is_secret_ref,
    ref_name,
    unset_variables,
)
from ..secrets.team import TEAM_FILE_NAME
from .wording import unknown_name

if TYPE_CHECKING:
    from ..networks.base import LengthCounter, NetworkInfo

CHANNEL_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")

# `audience: all` on a channel: it takes every post, on purpose.
ALL_AUDIENCES = "all"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_api_url(value: str | None) -> str | None:
    if value is None:
        return None
    if not re.match(r"^https?://[^/\s]+$", value.rstrip("/")):
        raise ValueError(
            "must be a scheme and host, like https://api.x.com or http://127.0.0.1:8025"
        )
    return value.rstrip("/")


def _one_or_many(value: Any) -> Any:
    """`audience: ebs` (or `ebs, ginger`) means the list [ebs] ([ebs, ginger]), as in a post."""
    if isinstance(value, str):
        return tuple(v.strip() for v in value.split(",") if v.strip())
    return value


def _check_audience(value: tuple[str, ...]) -> tuple[str, ...]:
    if ALL_AUDIENCES in value and len(value) > 1:
        raise ValueError(
            "`all` already means every post: write `audience: all` alone, or list the brands"
        )
    return value


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

    _token = field_validator("token")(check_secret_ref)
    _api = field_validator("api_url")(_check_api_url)


class _PacingFields(BaseModel):
    """When a channel may post; set in `defaults` or per channel (the channel wins)."""

    slots: tuple[str, ...] | None = None  # "09:00", in the channel's time zone
    max_per_day: int | None = Field(default=None, gt=0)
    min_interval: str | None = None  # "90m", "2h", "1h30m"
    quiet_hours: tuple[str, ...] | None = None  # "22:00-07:00"
    days: str | None = None  # "mon-sun", "mon-fri", "mon,wed,fri"
    retries: int | None = Field(default=None, ge=0, le=50)

    _pacing_lists = field_validator("slots", "quiet_hours", mode="before")(_one_or_many)

    @field_validator("slots")
    @classmethod
    def _slots(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        for v in value or ():
            parse_clock(v)
        return value

    @field_validator("min_interval")
    @classmethod
    def _interval(cls, value: str | None) -> str | None:
        if value is not None:
            parse_duration(value)
        return value

    @field_validator("quiet_hours")
    @classmethod
    def _quiet(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        for v in value or ():
            parse_window(v)
        return value

    @field_validator("days")
    @classmethod
    def _days(cls, value: str | None) -> str | None:
        if value is not None and not parse_days(value):
            raise ValueError("no posting day left")
        return value


class Defaults(_PacingFields):
    model_config = ConfigDict(extra="forbid", frozen=True)

    timezone: str = "UTC"
    utm: Utm | None = None
    timeout: float = Field(default=20.0, gt=0, le=300)
    # The language of a post without `lang:`, and of a channel without one.
    lang: str | None = None
    # How old a secret may grow before `doctor` and `run` say to rotate it (90d).
    rotate_after: str = "90d"

    _tz = field_validator("timezone")(_check_timezone)

    @field_validator("rotate_after")
    @classmethod
    def _rotate(cls, value: str) -> str:
        parse_duration(value)
        return value


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
    # The languages it takes, most wanted first; none: `defaults.lang` (or any).
    lang: tuple[str, ...] = ()
    # `crosspost stats` reads its followers and engagement (false: never, say to
    # save X's billed reads on a channel nobody reports on).
    stats: bool = True

    _api = field_validator("api_url")(_check_api_url)
    _audience_list = field_validator("audience", "lang", mode="before")(_one_or_many)
    _audience = field_validator("audience")(_check_audience)

    @field_validator("credentials")
    @classmethod
    def _refs_only(cls, value: dict[str, str]) -> dict[str, str]:
        for name, ref in value.items():
            if not is_secret_ref(ref):
                raise ValueError(f"credentials.{name}: {WRITE_A_REFERENCE}")
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

    _listed = field_validator("audience", "tags", "channels", mode="before")(_one_or_many)
    _audience = field_validator("audience")(_check_audience)

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


class XPrices(_Model):
    """`x_prices:`: X's API prices in USD per request, overriding crosspost's table
    (`crosspost.pricing.X_PRICES`) line by line; `since` and `source` say whose list it is."""

    post: Decimal | None = Field(default=None, ge=0, le=100)
    post_with_link: Decimal | None = Field(default=None, ge=0, le=100)
    reply: Decimal | None = Field(default=None, ge=0, le=100)
    reply_with_link: Decimal | None = Field(default=None, ge=0, le=100)
    alt_text: Decimal | None = Field(default=None, ge=0, le=100)
    since: date | None = None
    source: str | None = None

    @field_validator(
        "post", "post_with_link", "reply", "reply_with_link", "alt_text", mode="before"
    )
    @classmethod
    def _plain_number(cls, value: Any) -> Any:
        # YAML reads 0.015 as a float: take its shortest spelling, never its binary value.
        if isinstance(value, bool):
            raise ValueError("a price in USD, like 0.015")
        if isinstance(value, float | int):
            return Decimal(repr(value))
        return value

    def table(self) -> PriceTable:
        return X_PRICES.updated(**self.model_dump(exclude_none=True))


class ConfigFile(_Model):
    """channels.yaml as written, before the networks have had their say."""

    defaults: Defaults = Defaults()
    shortener: Shortener | None = None
    channels: dict[str, Channel]
    feeds: tuple[Feed, ...] = ()
    # The team's encrypted secrets, relative to channels.yaml (default: secrets.age beside it).
    secrets_file: str | None = None
    x_prices: XPrices = XPrices()
    # A PostgreSQL ledger shared by several computers, instead of the home's SQLite
    # file; read by `ledger.location.ledger_setting` (before the rest of the file).
    ledger: str | None = None

    @field_validator("ledger")
    @classmethod
    def _ledger(cls, value: str | None) -> str | None:
        if value is None:
            return None
        from ..ledger.postgres.urls import is_postgres_url, url_password

        if not is_postgres_url(value):
            raise ValueError(
                "a PostgreSQL URL, like postgresql://crosspost:${CROSSPOST_DB_PASSWORD}"
                "@db.example.org/crosspost (without `ledger:`, the home's SQLite file)"
            )
        password = url_password(value)
        if password and not is_secret_ref(password):
            raise ValueError(f"the password in the URL: {WRITE_A_REFERENCE}")
        return value

    @field_validator("secrets_file")
    @classmethod
    def _secrets_file(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("a file path, like secrets.age (relative to channels.yaml)")
        return value

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
    info: NetworkInfo  # what the network's plugin says about it
    max_length: int
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

    @property
    def length(self) -> LengthCounter:
        """How the network counts a text's length."""
        return self.info.length


@dataclass(frozen=True)
class Config:
    path: Path
    defaults: Defaults
    shortener: Shortener | None
    channels: dict[str, ChannelConfig]
    feeds: tuple[Feed, ...] = ()
    secrets_file: Path | None = None  # `secrets_file:`, resolved against base_dir
    x_prices: PriceTable = X_PRICES  # X's API prices, `x_prices:` applied

    @property
    def base_dir(self) -> Path:
        return self.path.parent

    @property
    def secrets_path(self) -> Path:
        """The team file: `secrets_file:`, else secrets.age beside channels.yaml (the
        folder a team shares)."""
        return self.secrets_file or self.base_dir / TEAM_FILE_NAME

    def secret_refs(self) -> dict[str, list[str]]:
        """Every `${NAME}` the file references, with where: `channel x: access_token`."""
        found: dict[str, list[str]] = {}
        uses = [("shortener: token", self.shortener.token)] if self.shortener else []
        for name, channel in self.channels.items():
            uses += [(f"channel {name}: {f}", r) for f, r in channel.spec.credentials.items()]
        for where, ref in uses:
            if (secret := ref_name(ref)) is not None:
                found.setdefault(secret, []).append(where)
        return found

    def langs_of(self, channel: ChannelConfig) -> tuple[str, ...]:
        """The languages `channel` takes, most wanted first; empty: any version."""
        if channel.spec.lang:
            return channel.spec.lang
        return (self.defaults.lang,) if self.defaults.lang else ()

    def lang_of(self, post_lang: str | None) -> str | None:
        """A post's language: its own `lang:`, else `defaults.lang`."""
        return post_lang or self.defaults.lang

    @property
    def audiences(self) -> list[str]:
        """The brands channels route posts by, sorted (`all` is none of them)."""
        values = {a for ch in self.channels.values() for a in ch.spec.audience}
        return sorted(values - {ALL_AUDIENCES})

    def channel(self, name: str) -> ChannelConfig:
        """The channel named `name`; NotFound naming the closest one on a typo."""
        try:
            return self.channels[name]
        except KeyError:
            raise NotFound(
                unknown_name("channel", name, self.channels, where=f"in {self.path}")
            ) from None

    def feed(self, name: str) -> Feed:
        """The feed named `name`; NotFound naming the closest one on a typo."""
        for feed in self.feeds:
            if feed.name == name:
                return feed
        raise NotFound(
            unknown_name("feed", name, [f.name for f in self.feeds], where=f"in {self.path}")
        )


def unset_credentials(channel: ChannelConfig) -> list[str]:
    """Names this channel's credentials reference that no secret source has."""
    return unset_variables(channel.spec.credentials.values())
