"""What reading the network settled about a delivery that may exist: `found`, `absent`,
or `checked` (still unknown), each one transaction with the thread parts it found.

The parts found are recorded first, each as its `part` event, in the same
transaction as the decision: a thread found up to part 2 of 3 resumes after
part 2 whatever happens next, and a decision is never written without them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from ...errors import Uncertain, WrongState
from ...states import TRANSITIONS
from ..models import Delivery
from .db import decode_parts, to_text, utcnow
from .transitions import TransitionsMixin


class ReconcileMixin(TransitionsMixin):
    """The three answers of a reconcile, written with the parts they found."""

    def mark_found(
        self,
        delivery_id: int,
        *,
        part_ids: Sequence[str],
        remote_url: str | None,
        posted_at: datetime | None,
        checked: str,
        after: int | None = None,
    ) -> Delivery:
        """Transition `found`: every part not yet recorded is on the network (`part_ids`)."""
        moment = utcnow()
        with self._write():
            row = self._with_parts(self._row(delivery_id), part_ids, moment, after)
            self._check(row, TRANSITIONS["found"])
            ids = decode_parts(row["sent_parts"])
            total = len(decode_parts(row["parts"]))
            if len(ids) != total or not ids:
                raise ValueError(
                    f"delivery {delivery_id}: found {len(ids)} of {total} parts, not all"
                )
            detail: dict[str, Any] = {
                "remote_id": ids[0],
                "remote_url": remote_url,
                "parts": total,
                "checked": checked,
            }
            if posted_at is not None:
                detail["posted_at"] = to_text(posted_at)
            return self._apply(
                row,
                "found",
                moment=moment,
                detail=detail,
                remote_id=ids[0],
                remote_url=remote_url,
                sent_at=posted_at or moment,
                error=None,
                error_kind=None,
                retry_at=None,
            )

    def mark_absent(
        self,
        delivery_id: int,
        *,
        part_ids: Sequence[str] = (),
        checked: str,
        after: int | None = None,
    ) -> Delivery:
        """Transition `absent`: back to `pending`, due as it was, after the parts found."""
        moment = utcnow()
        with self._write():
            row = self._with_parts(self._row(delivery_id), part_ids, moment, after)
            return self._apply(
                row,
                "absent",
                moment=moment,
                detail={
                    "checked": checked,
                    "error": row["error"],
                    "parts_out": len(decode_parts(row["sent_parts"])),
                },
                error=None,
                error_kind=None,
                retry_at=None,
            )

    def mark_checked(
        self,
        delivery_id: int,
        *,
        part_ids: Sequence[str] = (),
        checked: str,
        why: str,
        after: int | None = None,
    ) -> Delivery:
        """Transition `checked`: still `unknown`; the error now says what was read and why
        that did not settle it."""
        moment = utcnow()
        with self._write():
            row = self._with_parts(self._row(delivery_id), part_ids, moment, after)
            error = f"still unknown after reading the network: {why}"
            return self._apply(
                row,
                "checked",
                moment=moment,
                detail={"checked": checked, "why": why},
                error=error,
                error_kind=Uncertain.kind,
            )

    def _with_parts(
        self, row: sqlite3.Row, part_ids: Sequence[str], moment: datetime, after: int | None
    ) -> sqlite3.Row:
        """Record `part_ids` after the parts already recorded, each as its `part` event.

        `after`: how many parts were recorded when the network was read; another
        reconcile that recorded more meanwhile makes this one WrongState (its
        `part_ids` would land at the wrong place)."""
        recorded = len(decode_parts(row["sent_parts"]))
        if after is not None and recorded != after:
            raise WrongState(
                f"delivery {row['id']}: {recorded} parts are recorded, not {after}: "
                "another run recorded parts while this one read the network"
            )
        for remote_id in part_ids:
            index = len(decode_parts(row["sent_parts"]))
            if index >= len(decode_parts(row["parts"])):
                raise ValueError(f"delivery {row['id']}: more parts found than it has")
            self._apply(
                row,
                "part",
                moment=moment,
                detail={"index": index, "remote_id": remote_id, "found": True},
                sent_parts=(*decode_parts(row["sent_parts"]), remote_id),
            )
            row = self._row(row["id"])
        return row
