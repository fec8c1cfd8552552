"""Network adapters and the registry that finds them.

Built-in networks register through the `crosspost.networks.v1` entry-point
group, the same path a third-party package uses, so that path is exercised
every day (`registry.py`; the contract is `base.py`, explained in
docs/plugins.md).
"""

from __future__ import annotations

from .base import (
    ChecksCredentials,
    CredentialCheck,
    Finds,
    LengthCounter,
    Network,
    NetworkInfo,
    Outgoing,
    PartCallback,
    ReadsPostUrls,
    Receipt,
    WarnsOfTokens,
)
from .registry import Registry, UnknownNetwork, load_networks

__all__ = [
    "ChecksCredentials",
    "CredentialCheck",
    "Finds",
    "LengthCounter",
    "Network",
    "NetworkInfo",
    "Outgoing",
    "PartCallback",
    "ReadsPostUrls",
    "Receipt",
    "Registry",
    "UnknownNetwork",
    "WarnsOfTokens",
    "load_networks",
]
