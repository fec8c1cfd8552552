"""crosspost: write once on the blog, place it on every network, exactly once."""

from __future__ import annotations

__version__ = "0.1.0"
