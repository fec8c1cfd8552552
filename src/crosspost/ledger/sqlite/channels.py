"""Channel state: which channels are paused (after an auth failure, say) and why."""

from __future__ import annotations

from ...states import EventKind
from .db import to_text, utcnow
from .events import EventsMixin


class ChannelsMixin(EventsMixin):
    """Pausing and resuming a channel, each change with its event."""

    def set_paused(self, channel: str, *, paused: bool, reason: str | None = None) -> None:
        """Pause (e.g. after an auth failure) or resume a channel; events record each change."""
        moment = utcnow()
        with self._write():
            row = self._conn.execute(
                "SELECT paused, reason FROM channel_state WHERE channel = ?", (channel,)
            ).fetchone()
            before = (bool(row["paused"]), row["reason"]) if row is not None else (False, None)
            if before == (paused, reason):
                return
            self._conn.execute(
                "INSERT INTO channel_state (channel, paused, reason, updated_at)"
                " VALUES (?, ?, ?, ?)"
                " ON CONFLICT (channel) DO UPDATE SET"
                " paused = excluded.paused, reason = excluded.reason,"
                " updated_at = excluded.updated_at",
                (channel, int(paused), reason, to_text(moment)),
            )
            self._event(
                delivery_id=None,
                channel=channel,
                moment=moment,
                kind=EventKind.PAUSED if paused else EventKind.RESUMED,
                detail={"reason": reason},
            )

    def paused_channels(self) -> dict[str, str]:
        """Paused channels and why ("" when no reason was given)."""
        rows = self._query(
            "SELECT channel, reason FROM channel_state WHERE paused = 1 ORDER BY channel"
        )
        return {row["channel"]: row["reason"] or "" for row in rows}
