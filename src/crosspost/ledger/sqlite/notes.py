"""The community manager's notes: things done outside crosspost, for the monthly report."""

from __future__ import annotations

from datetime import datetime

from ..models import Note
from .db import SQLiteBase, aware_now, to_text, utcnow, where
from .rows import note_from


class NotesMixin(SQLiteBase):
    """Adding and listing notes."""

    def add_note(
        self, *, text: str, channel: str | None = None, at: datetime | None = None
    ) -> Note:
        """Record a manual action (`at` defaults to now)."""
        if not text.strip():
            raise ValueError("a note needs some text")
        moment = utcnow()
        when = aware_now(at)
        with self._write():
            cursor = self._conn.execute(
                "INSERT INTO notes (at, channel, text, created_at) VALUES (?, ?, ?, ?)",
                (to_text(when), channel, text.strip(), to_text(moment)),
            )
            row = self._conn.execute(
                "SELECT * FROM notes WHERE id = ?", (int(cursor.lastrowid or 0),)
            ).fetchone()
            return note_from(row)

    def notes(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        channel: str | None = None,
    ) -> list[Note]:
        """Notes in time order; `since` inclusive, `until` exclusive."""
        clause, params = where({"channel": channel}, {}) or ("", [])
        bounds = [("at >= ?", since), ("at < ?", until)]
        for condition, moment in bounds:
            if moment is not None:
                clause += (" AND " if clause else " WHERE ") + condition
                params.append(to_text(moment))
        rows = self._query(f"SELECT * FROM notes{clause} ORDER BY at, id", params)
        return [note_from(row) for row in rows]
