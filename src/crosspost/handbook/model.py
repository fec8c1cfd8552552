"""The hand-over document's contents, gathered from channels.yaml, the ledger and the
secret store into frozen dataclasses.

Nothing here is worded: every state is a code (`direct`, `HOME/env`, a weekday
number) that `render` words in the document's language, so one gathering serves
French and English alike.  Nothing here holds a secret's value either: secrets
come from `SecretStore.listing()`, which returns none, or, when this manager
cannot read the team file, from the names alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from ..languages import LANGUAGES
from ..views import ChainNode, chain_tree
from .labels import language_of
from .secret_places import SecretsSheet, gather_secrets

if TYPE_CHECKING:
    from ..config import ChannelConfig
    from ..ledger import ChannelAccount
    from ..report import Report
    from ..workspace import Workspace


@dataclass(frozen=True)
class PacingSheet:
    """A channel's pacing as data: `render` words it ("slots 09:00" or "créneaux 09:00")."""

    timezone: str
    slots: tuple[str, ...]  # "09:00"
    max_per_day: int | None
    min_interval_minutes: int | None
    quiet_hours: tuple[str, ...]  # "22:00-07:00"
    days: tuple[int, ...]  # Monday 0; all seven: every day


@dataclass(frozen=True)
class Account:
    """Whom the channel's credentials post as, as recorded when they were signed in."""

    name: str
    recorded_at: datetime
    recorded_by: str | None


@dataclass(frozen=True)
class ChannelSheet:
    name: str
    network: str
    account: Account | None  # None: never signed in with `crosspost auth`
    audience: tuple[str, ...]  # empty: every post
    langs: tuple[str, ...]  # empty: any language version
    pacing: PacingSheet
    link: str  # direct | relayed | broken (posted directly): views.ChainNode.link
    relayed_by: str | None
    manual: bool
    enabled: bool
    paused: str | None  # why, when paused ("" when no reason was given)


@dataclass(frozen=True)
class ChainBranch:
    """A channel in the relay tree and the channels its network feeds."""

    channel: str
    network: str
    link: str  # direct | relayed | broken (posted directly): views.ChainNode.link
    relayed_by: str | None
    manual: bool
    enabled: bool
    audience: tuple[str, ...]
    children: tuple[ChainBranch, ...]


@dataclass(frozen=True)
class ManualSheet:
    """A network posted by hand: where, and what the person posting must know."""

    channel: str
    site: str | None
    url: str | None
    instructions: str | None
    audience: tuple[str, ...]


@dataclass(frozen=True)
class Handbook:
    lang: str  # one of labels.LANGUAGES
    generated_at: datetime
    timezone: str  # defaults.timezone: every time shown is in it
    config_path: str
    home: str
    ledger_exists: bool
    # Where the ledger is: the home's SQLite file, or a shared database's URL without
    # its password; `ledger_shared` says which.
    ledger_where: str
    ledger_shared: bool
    last_run: datetime | None  # the ledger's `run` mark
    channels: tuple[ChannelSheet, ...]
    chain: tuple[ChainBranch, ...]
    manual: tuple[ManualSheet, ...]
    secrets: SecretsSheet
    cron_lines: tuple[str, ...]
    report: Report | None  # last month's; None without a ledger
    audiences: tuple[str, ...]


def gather_handbook(
    ws: Workspace, *, lang: str | None = None, now: datetime | None = None
) -> Handbook:
    """Everything the hand-over document says, in `lang` (else `defaults.lang`, else
    English).  Reads the ledger without creating one, asks no network, and renders
    even when this manager cannot decrypt the team file (it says so)."""
    from ..ledger import chosen_ledger
    from ..ledger.postgres.urls import without_password
    from ..queue.cron import cron_line, stats_line
    from ..report import make_report

    now = now or datetime.now(UTC)
    config = ws.config
    chosen = language_of(lang, fallback=config.defaults.lang)
    accounts: dict[str, ChannelAccount] = {}
    paused: dict[str, str] = {}
    last_run = None
    report = None
    ledger_exists = ws.has_ledger
    shared = chosen_ledger()
    if ledger_exists:  # a handbook written on a fresh machine leaves no ledger behind
        with ws.store() as ledger:
            accounts = ledger.channel_accounts()
            paused = ledger.paused_channels()
            last_run = ledger.mark("run")
            report = make_report(config, ledger, month="last", history=0, now=now)
    channels = tuple(
        _channel_sheet(ch, config.langs_of(ch), accounts.get(ch.name), paused.get(ch.name))
        for ch in config.channels.values()
    )
    return Handbook(
        lang=chosen,
        generated_at=now,
        timezone=config.defaults.timezone,
        config_path=str(ws.config_path.resolve()),
        home=str(ws.home.resolve()),
        ledger_exists=ledger_exists,
        ledger_where=without_password(shared) if shared else str(ws.ledger_path.resolve()),
        ledger_shared=shared is not None,
        last_run=last_run,
        channels=channels,
        chain=tuple(_branch(node) for node in chain_tree(config)),
        manual=tuple(_manual_sheet(ch) for ch in config.channels.values() if ch.manual),
        secrets=gather_secrets(ws.secrets(), config, home=ws.home, now=now),
        cron_lines=(
            cron_line(config=ws.config_path.resolve(), home=ws.home.resolve()),
            stats_line(config=ws.config_path.resolve(), home=ws.home.resolve()),
        ),
        report=report,
        audiences=tuple(config.audiences),
    )


def _channel_sheet(
    ch: ChannelConfig,
    langs: tuple[str, ...],
    account: ChannelAccount | None,
    paused: str | None,
) -> ChannelSheet:
    pacing = ch.pacing
    return ChannelSheet(
        name=ch.name,
        network=ch.network,
        account=Account(account.account, account.recorded_at, account.recorded_by)
        if account
        else None,
        audience=tuple(ch.spec.audience),
        langs=langs,
        pacing=PacingSheet(
            timezone=ch.timezone,
            slots=tuple(f"{t:%H:%M}" for t in pacing.slots),
            max_per_day=pacing.max_per_day,
            min_interval_minutes=int(pacing.min_interval.total_seconds() // 60)
            if pacing.min_interval
            else None,
            quiet_hours=tuple(f"{a:%H:%M}-{b:%H:%M}" for a, b in pacing.quiet_hours),
            days=tuple(sorted(pacing.days)),
        ),
        link=ChainNode(ch).link,
        relayed_by=ch.spec.relayed_by,
        manual=ch.manual,
        enabled=ch.spec.enabled,
        paused=paused,
    )


def _branch(node: ChainNode) -> ChainBranch:
    ch = node.channel
    return ChainBranch(
        channel=ch.name,
        network=ch.network,
        link=node.link,
        relayed_by=ch.spec.relayed_by,
        manual=ch.manual,
        enabled=ch.spec.enabled,
        audience=tuple(ch.spec.audience),
        children=tuple(_branch(child) for child in node.children),
    )


def _manual_sheet(ch: ChannelConfig) -> ManualSheet:
    # Read by name, not through networks.manual's model: a plugin's by-hand network
    # with the same settings is handed over the same way.
    settings = ch.settings
    return ManualSheet(
        channel=ch.name,
        site=getattr(settings, "site", None),
        url=getattr(settings, "url", None),
        instructions=getattr(settings, "instructions", None),
        audience=tuple(ch.spec.audience),
    )


__all__ = [
    "LANGUAGES",
    "Account",
    "ChainBranch",
    "ChannelSheet",
    "Handbook",
    "ManualSheet",
    "PacingSheet",
    "gather_handbook",
]
