"""A network plugin that cannot be imported, as one with a missing dependency."""

from __future__ import annotations

raise ImportError("acme-sdk is not installed")
