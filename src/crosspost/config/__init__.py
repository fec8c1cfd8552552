"""channels.yaml: the per-network rules, validated into frozen pydantic models.

Every error names the file, the line and the field, and says how to fix it.
Secrets never sit in the file: credentials are `${ENV_VAR}` references,
resolved only when a channel is about to send.

`models` holds the schema, `load` reads the YAML and words the errors,
`resolve` runs the checks that need the installed networks.  The secret
references live in `crosspost.secrets` and are re-exported here for callers
that have always found them in `crosspost.config`.
"""

from __future__ import annotations

from ..secrets import SECRET_REF, resolve_secret
from .load import load_config
from .models import (
    CHANNEL_NAME,
    Channel,
    ChannelConfig,
    Config,
    Defaults,
    Feed,
    Shortener,
    Utm,
    unset_credentials,
)

__all__ = [
    "CHANNEL_NAME",
    "SECRET_REF",
    "Channel",
    "ChannelConfig",
    "Config",
    "Defaults",
    "Feed",
    "Shortener",
    "Utm",
    "load_config",
    "resolve_secret",
    "unset_credentials",
]
