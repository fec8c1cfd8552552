"""The ledger kept in one SQLite file: `SQLiteStore`, split by table and concern."""

from __future__ import annotations

from .store import SQLiteStore

__all__ = ["SQLiteStore"]
