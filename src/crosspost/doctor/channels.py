"""The doctor's checks of one channel: the cheap ones from channels.yaml (token expiry,
API version end dates) and the live one (`ChecksCredentials`: the credentials work,
as the account recorded at `auth`, with the scopes posting needs)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Any

from ..errors import AuthFailed, ChannelBlocked, CredentialError, DeliveryError
from .findings import Finding, Status

if TYPE_CHECKING:
    from pathlib import Path

    from ..config import ChannelConfig
    from ..ledger.models import ChannelAccount
    from ..networks.base import CredentialCheck

EXPIRY_WARN_DAYS = 7


def cheap_findings(channel: ChannelConfig, *, today: date) -> list[Finding]:
    """What channels.yaml alone says: the token's `token_expires`, the API version's end."""
    found = []
    expires = getattr(channel.settings, "token_expires", None)
    if isinstance(expires, date):
        found.append(expiry_finding(channel.name, datetime.combine(expires, time(), UTC), today))
    if notice := _version_notice(channel):
        ended = " ended on " in notice
        found.append(
            Finding(
                f"channel {channel.name}",
                "API version",
                Status.FAIL if ended else Status.WARN,
                notice,
            )
        )
    return found


def expiry_finding(name: str, expires_at: datetime, today: date) -> Finding:
    left = (expires_at.date() - today).days
    on = expires_at.date().isoformat()
    fix = f"create a new token and `crosspost auth {name}` (or update the secret)"
    if left < 0:
        return Finding(f"channel {name}", "expiry", Status.FAIL, f"token expired on {on}", fix)
    if left <= EXPIRY_WARN_DAYS:
        when = "today" if left == 0 else f"in {left} day{'s' if left > 1 else ''}"
        return Finding(
            f"channel {name}", "expiry", Status.WARN, f"token expires {when} ({on})", fix
        )
    return Finding(f"channel {name}", "expiry", Status.OK, f"token valid until {on}")


def _version_notice(channel: ChannelConfig) -> str | None:
    """The network's own word on its API version (WarnsOfTokens), without the token
    expiry it may add: that one is a finding of its own."""
    from ..networks import WarnsOfTokens, load_networks

    cls = load_networks().resolve(channel.network)
    if not isinstance(cls, WarnsOfTokens):
        return None
    settings: Any = channel.settings
    if getattr(settings, "token_expires", None) is not None:
        settings = settings.model_copy(update={"token_expires": None})
    return cls.token_warning(settings, channel=channel.name)


def live_findings(
    channel: ChannelConfig,
    *,
    recorded: ChannelAccount | None,
    sandbox_url: str | None,
    home: Path,
    today: date,
) -> list[Finding]:
    """Ask the network: the credentials, the account, the expiry and scopes it reports."""
    from ..networks import ChecksCredentials
    from ..sending.credentials import channel_credentials
    from ..sending.deliver import build_adapter

    subject = f"channel {channel.name}"
    try:
        credentials = channel_credentials(channel, sandbox=sandbox_url is not None)
        adapter = build_adapter(channel, credentials, sandbox_url, home=home)
        if not isinstance(adapter, ChecksCredentials):
            return [
                Finding(subject, "credentials", Status.UNCHECKED, "its network has no live check")
            ]
        check = adapter.check_credentials()
    except (CredentialError, AuthFailed, ChannelBlocked) as exc:
        return [Finding(subject, "credentials", Status.FAIL, str(exc), _auth_fix(channel.name))]
    except DeliveryError as exc:
        return [Finding(subject, "credentials", Status.UNCHECKED, f"could not check: {exc}")]
    return _judge(channel.name, check, recorded=recorded, today=today)


def _judge(
    name: str, check: CredentialCheck, *, recorded: ChannelAccount | None, today: date
) -> list[Finding]:
    subject = f"channel {name}"
    if not check.ok:
        return [Finding(subject, "credentials", Status.FAIL, check.detail, _auth_fix(name))]
    said = f"work; post as {check.account}" + (f" ({check.detail})" if check.detail else "")
    found = [Finding(subject, "credentials", Status.OK, said)]
    found.append(_account_finding(name, check.account, recorded))
    if check.expires_at is not None:
        found.append(expiry_finding(name, check.expires_at, today))
    if check.missing_scopes:
        missing = ", ".join(check.missing_scopes)
        found.append(
            Finding(
                subject,
                "scopes",
                Status.FAIL,
                f"the token lacks {missing} (has {', '.join(check.scopes) or 'none'})",
                f"create a token with {missing} and `crosspost auth {name}`",
            )
        )
    elif check.scopes:
        found.append(Finding(subject, "scopes", Status.OK, ", ".join(check.scopes)))
    return found


def _account_finding(name: str, account: str | None, recorded: ChannelAccount | None) -> Finding:
    """The costliest mistake is a token of the wrong account: compare with `auth`'s record."""
    subject = f"channel {name}"
    if recorded is None:
        return Finding(
            subject,
            "account",
            Status.WARN,
            "no account recorded at sign-in to compare with",
            f"`crosspost auth {name}` records it",
        )
    if account != recorded.account:
        return Finding(
            subject,
            "account",
            Status.FAIL,
            f"the token posts as {account}, but the channel was signed in as "
            f"{recorded.account}: a token of the wrong account",
            f"put the right account's token in, or `crosspost auth {name}` as {recorded.account}",
        )
    return Finding(subject, "account", Status.OK, f"{account}, as recorded at sign-in")


def _auth_fix(name: str) -> str:
    return f"renew the credentials: `crosspost auth {name}`, or `crosspost secrets rotate`"
