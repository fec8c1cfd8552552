"""Sending: claiming a delivery, its thread parts, the network's answer, abandoned claims.

A claim is its own committed `BEGIN IMMEDIATE` transaction, taken before the
request leaves: a second process waits for the write lock and then sees
`sending`, so it cannot claim the same row.  A claim whose process died or
whose lease ran out becomes `unknown`, never `pending` (`recover_stale`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import Any

from ...errors import LedgerError, Uncertain
from ...states import TRANSITIONS, DeliveryState
from ..liveness import claimer_is_gone
from ..models import INTERRUPTED_ERROR, STATES, Delivery, Pace
from .db import DUE_NOW, aware_now, check_values, decode_parts, to_text, utcnow
from .rows import delivery_from
from .transitions import TransitionsMixin

S = DeliveryState


class ClaimsMixin(TransitionsMixin):
    """A delivery from its claim to the network's answer."""

    def claim(
        self,
        delivery_id: int,
        *,
        owner: str,
        lease_seconds: float,
        now: datetime | None = None,
        states: Sequence[str] = (S.PENDING, S.FAILED),
        pace: Pace | None = None,
    ) -> Delivery | None:
        """Take a delivery for sending, committed before the request leaves.

        Returns the row, now `sending`, or None when its state is not in
        `states` (another process holds it, or it is done), or when `pace` says
        the channel must wait (`_pace_refuses`).  A `sending` row is never taken
        over, however old its lease: `recover_stale` makes it `unknown` instead.
        """
        wanted = frozenset(S(s) for s in check_values(states, STATES, "delivery states"))
        claimable = TRANSITIONS["claim"].sources
        not_claimable = wanted - claimable
        if not_claimable:
            raise ValueError(
                f"cannot claim from {sorted(s.value for s in not_claimable)}: only from "
                f"{sorted(s.value for s in claimable)} (use reset_for_retry for the others)"
            )
        if not lease_seconds > 0:
            raise ValueError(f"lease_seconds must be positive, not {lease_seconds!r}")
        moment = aware_now(now)
        with self._claiming():
            row = self._claimable_row(delivery_id)
            if row is None or row["state"] not in wanted:
                return None
            if pace is not None and self._pace_refuses(row, pace, moment):
                return None
            attempt = int(row["attempts"]) + 1
            lease_until = moment + timedelta(seconds=lease_seconds)
            return self._apply(
                row,
                "claim",
                moment=moment,
                detail={
                    "attempt": attempt,
                    "owner": owner,
                    "lease_until": to_text(lease_until),
                    "resume_after_parts": len(decode_parts(row["sent_parts"])),
                },
                lease_until=lease_until,
                claimed_by=owner,
                attempts=attempt,
                error=None,
                error_kind=None,
                retry_at=None,
            )

    # The three steps of a claim another store takes its own way (PostgreSQL: row
    # locks instead of one writer at a time).  SQLite's `BEGIN IMMEDIATE` already
    # serialises every writer, so the channel needs no lock of its own.

    def _claiming(self) -> AbstractContextManager[Any]:
        return self._write()

    def _claimable_row(self, delivery_id: int) -> Any:
        """The row to claim, or None when another writer holds it right now."""
        return self._row(delivery_id)

    def _lock_channel(self, channel: str) -> None:
        """Serialise the claims of one channel until the transaction ends."""

    def _pace_refuses(self, row: Any, pace: Pace, moment: datetime) -> bool:
        """Whether claiming `row` now would break its channel's `pace`, counting the
        posts the ledger holds: sent ones at their `sent_at`, claims in flight as now."""
        channel = row["channel"]
        self._lock_channel(channel)
        since = [moment - pace.min_interval] if pace.min_interval else []
        if pace.max_per_day and pace.day is not None:
            since.append(pace.day[0])
        if not since:
            return False
        # An `unknown` post may be out: it counts, at the time it became unknown (no
        # earlier than it really went, so the gap it keeps is never too short).
        start = to_text(min(since))
        rows = self._conn.execute(
            "SELECT sent_at FROM deliveries WHERE channel = ? AND sent_at >= ?"
            " UNION ALL SELECT CAST(? AS TEXT) FROM deliveries"
            " WHERE channel = ? AND state = ? AND id <> ?"
            " UNION ALL SELECT updated_at FROM deliveries"
            " WHERE channel = ? AND state = ? AND updated_at >= ?",
            (
                *(channel, start),
                *(to_text(moment), channel, S.SENDING.value, row["id"]),
                *(channel, S.UNKNOWN.value, start),
            ),
        ).fetchall()
        times = [t for (t,) in rows if t is not None and t != DUE_NOW]
        if pace.min_interval and any(t > to_text(moment - pace.min_interval) for t in times):
            return True
        if pace.max_per_day and pace.day is not None:
            start, end = (to_text(t) for t in pace.day)
            return sum(start <= t < end for t in times) >= pace.max_per_day
        return False

    def record_part(
        self,
        delivery_id: int,
        *,
        index: int,
        remote_id: str,
        renew_seconds: float | None = None,
    ) -> Delivery:
        """Record that thread part `index` (0-based) is published, before the next one leaves.

        Recording the same part with the same id again is a no-op, so a caller
        that repeats itself after a crash does no harm.  With `renew_seconds`, the
        claim's lease is renewed to at least that long from now: a claimer that
        is still getting parts out is alive, whatever the first lease said.
        """
        moment = utcnow()
        with self._write():
            row = self._row(delivery_id)
            self._check(row, TRANSITIONS["part"])
            sent = decode_parts(row["sent_parts"])
            total = len(decode_parts(row["parts"]))
            if index < len(sent) and sent[index] == remote_id:
                return delivery_from(row)
            if index != len(sent) or index >= total:
                raise LedgerError(
                    f"delivery {delivery_id} ({row['channel']}): thread part {index} cannot be "
                    f"recorded; {len(sent)} of {total} parts are recorded, so the next is "
                    f"part {len(sent)}"
                )
            renewal: dict[str, Any] = {}
            if renew_seconds is not None and row["lease_until"] is not None:
                renewed = moment + timedelta(seconds=renew_seconds)
                if to_text(renewed) > row["lease_until"]:
                    renewal["lease_until"] = renewed
            return self._apply(
                row,
                "part",
                moment=moment,
                detail={"index": index, "remote_id": remote_id},
                sent_parts=(*sent, remote_id),
                **renewal,
            )

    def mark_sent(
        self,
        delivery_id: int,
        *,
        remote_id: str,
        remote_url: str | None,
        part_ids: Sequence[str] = (),
    ) -> Delivery:
        """The network took the post: record where it lives.

        Also accepted from `unknown`: a late answer settles the doubt.
        """
        moment = utcnow()
        changes: dict[str, Any] = {}
        if part_ids:
            changes["sent_parts"] = tuple(part_ids)
        return self._transition(
            delivery_id,
            "sent",
            detail={"remote_id": remote_id, "remote_url": remote_url, "parts": len(part_ids)},
            moment=moment,
            remote_id=remote_id,
            remote_url=remote_url,
            sent_at=moment,
            error=None,
            error_kind=None,
            retry_at=None,
            **changes,
        )

    def mark_failed(
        self,
        delivery_id: int,
        *,
        kind: str,
        error: str,
        retry_at: datetime | None = None,
        requeue: bool = False,
    ) -> Delivery:
        """The network refused the post, and it certainly does not exist.

        With `requeue` (the `requeue` transition), the delivery goes straight
        back to `pending`, due at `retry_at` (None: at once), in the same
        transaction as its `failed` event: a retry is never lost between two
        writes.
        """
        if kind == Uncertain.kind:
            # A failed row may be claimed again; an uncertain one must not be.
            raise ValueError("an uncertain outcome is recorded with mark_unknown, not mark_failed")
        changes: dict[str, Any] = {"error": error, "error_kind": kind, "retry_at": retry_at}
        if requeue:
            changes["due_at"] = retry_at
        return self._transition(
            delivery_id,
            "requeue" if requeue else "fail",
            detail={
                "kind": kind,
                "error": error,
                "retry_at": None if retry_at is None else to_text(retry_at),
                "requeued": requeue,
            },
            **changes,
        )

    def mark_unknown(self, delivery_id: int, *, error: str) -> Delivery:
        """The request may have reached the network but no answer came back."""
        return self._transition(
            delivery_id, "unknown", detail={"error": error}, error=error, error_kind=Uncertain.kind
        )

    def recover_stale(self, *, now: datetime | None = None) -> list[Delivery]:
        """Turn every abandoned `sending` delivery into `unknown`, and return them.

        Abandoned: its lease has expired, or its claimer was a process on this
        host that no longer exists.  A live claimer's row is left alone.
        """
        moment = aware_now(now)
        stamp = to_text(moment)
        recovered: list[Delivery] = []
        with self._write():
            rows = self._conn.execute(
                "SELECT * FROM deliveries WHERE state = ? ORDER BY id", (S.SENDING.value,)
            ).fetchall()
            for row in rows:
                why = self._why_abandoned(row, stamp)
                if why is None:
                    continue
                recovered.append(
                    self._apply(
                        row,
                        "recover",
                        moment=moment,
                        detail={
                            "why": why,
                            "claimed_by": row["claimed_by"],
                            "lease_until": row["lease_until"],
                            "parts_published": len(decode_parts(row["sent_parts"])),
                        },
                        error=INTERRUPTED_ERROR,
                        error_kind=Uncertain.kind,
                    )
                )
        return recovered

    def _why_abandoned(self, row: sqlite3.Row, stamp: str) -> str | None:
        """Why a `sending` row's claim is abandoned, or None while its claimer may be at work."""
        if row["lease_until"] is None or row["lease_until"] <= stamp:
            return "lease expired"
        if row["claimed_by"] is None or claimer_is_gone(row["claimed_by"]):
            return "claiming process is gone"
        return None
