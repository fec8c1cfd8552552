"""Network adapters and the registry that finds them.

Built-in networks register through the `crosspost.networks` entry-point group,
the same path a third-party package uses, so that path is exercised every day.
"""

from __future__ import annotations

from .base import Network, NetworkInfo, Outgoing, PartCallback, Receipt, load_networks

__all__ = ["Network", "NetworkInfo", "Outgoing", "PartCallback", "Receipt", "load_networks"]
