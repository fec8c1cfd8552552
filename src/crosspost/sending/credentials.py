"""A channel's credentials for this run: `${NAME}` references resolved from the
environment, HOME/env or the team file (`crosspost.secrets`).

Against the sandbox an unset one gets a stand-in value: the sandbox checks the
shape of credentials, not their value, so it can be tried without any env.  A
team file this manager cannot read is said even then: it is hers to fix.
"""

from __future__ import annotations

from ..config import SECRET_REF, ChannelConfig, resolve_secret
from ..errors import CredentialError


def resolve_credential(
    ref: str, *, channel: str, field: str, sandbox: bool, stand_in: str | None = None
) -> str:
    """A `${NAME}` credential's value (or, against the sandbox, a stand-in for an unset
    one: `stand_in`, the network's own, else one named after the variable)."""
    try:
        return resolve_secret(ref, channel=channel, field=field)
    except CredentialError:
        if not sandbox:
            raise
        if stand_in:
            return stand_in
        match = SECRET_REF.match(ref)
        return f"sandbox-{match.group(1).lower() if match else field}"


def channel_credentials(channel: ChannelConfig, *, sandbox: bool) -> dict[str, str]:
    """Every credential of `channel`; CredentialError names the first one missing."""
    stand_ins = channel.info.sandbox_credentials
    return {
        name: resolve_credential(
            ref, channel=channel.name, field=name, sandbox=sandbox, stand_in=stand_ins.get(name)
        )
        for name, ref in channel.spec.credentials.items()
    }
