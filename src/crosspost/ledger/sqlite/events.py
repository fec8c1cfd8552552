"""The events table: every delivery's (and channel's) history, written with the change.

An event is only ever written inside the write transaction of the change it
records (`SQLiteBase._write`), so a crash leaves both or neither.  The monthly
report replays these rows; their `detail` keys are part of that contract.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ...states import EventKind
from ..models import Event
from .db import SQLiteBase, to_json, to_text
from .rows import event_from


class EventsMixin(SQLiteBase):
    """Writing one event inside an open transaction, and reading the history."""

    def _event(
        self,
        *,
        delivery_id: int | None,
        channel: str | None,
        moment: datetime,
        kind: EventKind,
        detail: Mapping[str, Any] | None = None,
    ) -> None:
        self._conn.execute(
            "INSERT INTO events (delivery_id, channel, at, kind, detail) VALUES (?, ?, ?, ?, ?)",
            (delivery_id, channel, to_text(moment), EventKind(kind).value, to_json(detail or {})),
        )

    def events(
        self,
        *,
        delivery_id: int | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[Event]:
        """Events in the order they were written; `since` inclusive, `until` exclusive."""
        clauses: list[str] = []
        params: list[Any] = []
        if delivery_id is not None:
            clauses.append("delivery_id = ?")
            params.append(delivery_id)
        if since is not None:
            clauses.append("at >= ?")
            params.append(to_text(since))
        if until is not None:
            clauses.append("at < ?")
            params.append(to_text(until))
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self._query(f"SELECT * FROM events{where} ORDER BY id", params)
        return [event_from(row) for row in rows]
