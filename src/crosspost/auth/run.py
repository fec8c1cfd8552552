"""`crosspost auth CHANNEL`: one network's sign-in, checked, then stored.

The order is what keeps a working token safe: every reference the flow will
fill is checked (and whether the store can take it) before she is asked
anything; the new credentials are checked live, as the doctor checks them,
before anything is stored; only then are they written to the secret store
(never channels.yaml), and the account recorded in the ledger.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import BadInput, SignInFailed
from ..secrets import ref_name
from . import bitly
from .common import DEFAULT_WAIT, Context, Flow, Prompts, SignedIn

if TYPE_CHECKING:
    from ..config import ChannelConfig
    from ..secrets.manage import SecretStore, Target
    from ..workspace import Workspace

# The shortener is not a channel; this name signs it in (unless a channel has it).
SHORTENER = "bitly"


def flow_of(channel: ChannelConfig) -> Flow | None:
    """The sign-in its network's plugin names (`NetworkInfo.sign_in`, "module:attribute",
    imported only now: a network module stays cheap), or None when it has none."""
    from importlib import import_module

    where = channel.info.sign_in
    if where is None:
        return None
    module, _, attribute = where.partition(":")
    flow = getattr(import_module(module), attribute)
    if not isinstance(flow, Flow):
        raise BadInput(f"the {channel.network} network's sign_in {where!r} is not an auth Flow")
    return flow


@dataclass(frozen=True)
class AuthResult:
    """What `crosspost auth` did, in words for her: never a value."""

    channel: str
    account: str
    stored: tuple[str, ...]  # secret names
    where: str  # "the team file" | "HOME/env"
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    detail: str = ""  # what the live check said
    shortener: bool = False  # the bit.ly token, not a channel's


def sign_in(
    ws: Workspace,
    name: str,
    *,
    prompts: Prompts,
    sandbox_url: str | None = None,
    to: Target | None = None,
    refresh: bool = False,
    wait: float = DEFAULT_WAIT,
) -> AuthResult:
    """Sign channel `name` in (or the shortener, as `bitly`), check, store, record."""
    from ..home import channel_state_dir

    config = ws.config
    store = ws.secrets()
    target = to or store.default_target()
    if name == SHORTENER and name not in config.channels:
        return _sign_in_shortener(ws, prompts, sandbox_url=sandbox_url, target=target)
    channel = config.channel(name)
    flow = flow_of(channel)
    if flow is None:
        raise BadInput(
            f"channel {name} is a {channel.network} channel, which has no guided sign-in: "
            "store its credentials with `crosspost secrets set NAME`"
        )
    if refresh and channel.network != "linkedin":
        raise BadInput("--refresh is for LinkedIn's refresh tokens; other networks sign in again")
    names = _secret_names(channel, flow.needs, config_path=str(config.path))
    for secret in names.values():
        store.check_can_store(secret, to=target)
    ctx = Context(
        channel=channel,
        prompts=prompts,
        api_url=sandbox_url or channel.spec.api_url,
        timeout=channel.timeout,
        wait=wait,
        refresh=refresh,
        state_dir=channel_state_dir(ws.home, name, sandbox=sandbox_url is not None),
    )
    got = flow.run(ctx, names)
    account, detail = _check(ws, channel, got, sandbox_url=sandbox_url)
    stored, warnings = _store(store, target, {names[f]: v for f, v in got.values.items()})
    more, more_warnings = _store(store, target, dict(got.extra))
    with ws.store() as ledger:
        ledger.record_account(
            name,
            network=channel.network,
            account=account,
            account_id=got.account_id,
            by=getpass.getuser(),
        )
    return AuthResult(
        channel=name,
        account=account,
        stored=stored + more,
        where=_where(target),
        notes=got.notes,
        warnings=warnings + more_warnings,
        detail=detail,
    )


def _secret_names(
    channel: ChannelConfig, needs: tuple[str, ...], *, config_path: str
) -> dict[str, str]:
    """Each needed field's secret name, from the channel's `${NAME}` references."""
    names, missing = {}, []
    for field_name in needs:
        found = ref_name(channel.spec.credentials.get(field_name, ""))
        if found is None:
            missing.append(field_name)
        else:
            names[field_name] = found
    if missing:
        prefix = channel.name.upper().replace("-", "_")
        lines = "; ".join(f"`{f}: ${{{prefix}_{f.upper()}}}`" for f in missing)
        raise BadInput(
            f"channel {channel.name} ({config_path}, line {channel.line}) does not say where "
            f"to keep {', '.join(missing)}: add {lines} under its `credentials:`, then run "
            f"`crosspost auth {channel.name}` again; nothing was asked or stored"
        )
    return names


def _check(
    ws: Workspace, channel: ChannelConfig, got: SignedIn, *, sandbox_url: str | None
) -> tuple[str, str]:
    """(account, what was checked): the doctor's live check, when the adapter has one."""
    from ..networks.base import ChecksCredentials
    from ..sending.credentials import channel_credentials
    from ..sending.deliver import build_adapter

    try:
        current = channel_credentials(channel, sandbox=sandbox_url is not None)
    except BadInput:  # what the flow does not fill may be unset yet: the check says so
        current = {}
    # With its state directory: a session the check makes (Bluesky's) is the one kept.
    adapter = build_adapter(channel, {**current, **got.values}, sandbox_url, home=ws.home)
    if isinstance(adapter, ChecksCredentials):
        check = adapter.check_credentials()
        if not check.ok:
            raise SignInFailed(
                f"channel {channel.name}: the new credentials do not work ({check.detail}); "
                "nothing was stored"
            )
        return check.account or got.account or channel.name, check.detail
    return got.account or channel.name, ""


def _store(
    store: SecretStore, target: Target, values: dict[str, str]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    stored: list[str] = []
    warnings: list[str] = []
    for secret, value in values.items():
        changed = store.set(secret, value, to=target)
        stored.append(secret)
        warnings += changed.warnings
    return tuple(stored), tuple(warnings)


def _where(target: Target) -> str:
    return "the team file" if target == "team" else "HOME/env"


def _sign_in_shortener(
    ws: Workspace, prompts: Prompts, *, sandbox_url: str | None, target: Target
) -> AuthResult:
    shortener = ws.config.shortener
    if shortener is None:
        raise BadInput(
            f"{ws.config.path} has no `shortener:` (and no channel named {SHORTENER}): add "
            "`shortener: {service: bitly, token: ${BITLY_TOKEN}}` first"
        )
    secret = ref_name(shortener.token) or "BITLY_TOKEN"
    store = ws.secrets()
    store.check_can_store(secret, to=target)
    token, login = bitly.sign_in(
        prompts, api_url=sandbox_url or shortener.api_url, timeout=shortener.timeout
    )
    changed = store.set(secret, token, to=target)
    return AuthResult(
        channel=SHORTENER,
        account=login,
        stored=(secret,),
        where=_where(target),
        warnings=changed.warnings,
        detail="checked on bit.ly's /v4/user",
        shortener=True,
    )
