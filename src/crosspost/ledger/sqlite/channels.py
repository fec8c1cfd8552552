"""Channel state: which channels are paused (after an auth failure, say) and why, the
account each one's credentials were signed in as, and the machine's marks (the last run)."""

from __future__ import annotations

from datetime import datetime

from ...states import EventKind
from ..models import ChannelAccount
from .db import from_text, to_text, utcnow
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

    def record_account(
        self,
        channel: str,
        *,
        network: str,
        account: str,
        account_id: str | None = None,
        by: str | None = None,
    ) -> ChannelAccount:
        """Remember whom `channel`'s credentials post as (after a sign-in); replaces any."""
        moment = utcnow()
        with self._write():
            self._conn.execute(
                "INSERT INTO channel_accounts"
                " (channel, network, account, account_id, recorded_at, recorded_by)"
                " VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (channel) DO UPDATE SET network = excluded.network,"
                " account = excluded.account, account_id = excluded.account_id,"
                " recorded_at = excluded.recorded_at, recorded_by = excluded.recorded_by",
                (channel, network, account, account_id, to_text(moment), by),
            )
        return ChannelAccount(channel, network, account, account_id, moment, by)

    def channel_accounts(self) -> dict[str, ChannelAccount]:
        """Every recorded account, by channel."""
        rows = self._query("SELECT * FROM channel_accounts ORDER BY channel")
        return {
            row["channel"]: ChannelAccount(
                channel=row["channel"],
                network=row["network"],
                account=row["account"],
                account_id=row["account_id"],
                recorded_at=from_text(row["recorded_at"]),
                recorded_by=row["recorded_by"],
            )
            for row in rows
        }

    def set_mark(self, name: str, at: datetime | None = None) -> None:
        """Record that `name` happened at `at` (now): "run", "doctor"..."""
        with self._write():
            self._conn.execute(
                "INSERT INTO marks (name, at) VALUES (?, ?)"
                " ON CONFLICT (name) DO UPDATE SET at = excluded.at",
                (name, to_text(at or utcnow())),
            )

    def mark(self, name: str) -> datetime | None:
        """When `name` last happened, or None."""
        rows = self._query("SELECT at FROM marks WHERE name = ?", (name,))
        return from_text(rows[0]["at"]) if rows else None
