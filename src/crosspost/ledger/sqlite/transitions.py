"""Every change of a delivery's state, through one function, and the moves a person makes.

`_apply` is the only code that changes a delivery row after it is created: it
looks the move up in `crosspost.states.TRANSITIONS`, refuses it (`WrongState`)
unless the row's state is one of its sources, and writes the new state, the
columns the caller gives and the transition's event (with `from`) together,
inside the caller's write transaction.  The claims and the content updates of
`claims.py` and `deliveries.py` go through it too.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from ...errors import NotFound, WrongState
from ...states import TRANSITIONS, DeliveryState, Route, Transition, allows
from ..models import Delivery
from .db import decode_parts, due_to_db, to_db, to_text, utcnow
from .events import EventsMixin
from .rows import delivery_from

_COLUMNS = frozenset(
    {
        "post_key",
        "post_path",
        "post_title",
        "content_hash",
        "channel",
        "network",
        "state",
        "route",
        "text",
        "parts",
        "link",
        "payload",
        "due_at",
        "attempts",
        "lease_until",
        "claimed_by",
        "sent_parts",
        "remote_id",
        "remote_url",
        "error",
        "error_kind",
        "retry_at",
        "sent_at",
        "send_key",
    }
)

# These events have never carried `from` (they were written so before states
# were types), and the report reads their detail as it always was.
_WITHOUT_FROM = frozenset({"update", "revise", "part", "recover"})


class TransitionsMixin(EventsMixin):
    """The one state-changing write, and the moves made by a person or the router."""

    def _row(self, delivery_id: int) -> sqlite3.Row:
        row = self._conn.execute("SELECT * FROM deliveries WHERE id = ?", (delivery_id,)).fetchone()
        if row is None:
            raise not_found(delivery_id)
        return row

    def _set(self, delivery_id: int, moment: datetime, **changes: Any) -> None:
        unknown = set(changes) - _COLUMNS
        if unknown:
            raise AssertionError(f"not ledger columns: {sorted(unknown)}")
        names = [*changes, "updated_at"]
        values = [
            due_to_db(value) if name == "due_at" else to_db(value)
            for name, value in changes.items()
        ]
        values.append(to_text(moment))
        assignments = ", ".join(f"{name} = ?" for name in names)
        self._conn.execute(
            f"UPDATE deliveries SET {assignments} WHERE id = ?", (*values, delivery_id)
        )

    @staticmethod
    def _check(row: sqlite3.Row, transition: Transition) -> None:
        """Refuse `transition` unless the row's state is one of its sources."""
        state = DeliveryState(row["state"])
        if state not in transition.sources:
            raise WrongState(
                f"cannot {transition.verb} delivery {row['id']} ({row['channel']}, "
                f"{row['post_key']}): it is {state}, and only a delivery that is "
                f"{_or_list(transition.sources)} can be"
            )

    def _apply(
        self,
        row: sqlite3.Row,
        name: str,
        *,
        moment: datetime,
        detail: Mapping[str, Any] | None = None,
        **changes: Any,
    ) -> Delivery:
        """Make transition `name` on `row`, inside the caller's write transaction.

        Sets the transition's target state (and drops the lease, unless
        `changes` gives one), the `changes` columns and `updated_at`, then
        writes the transition's event with `from`: the state it left.
        """
        transition = TRANSITIONS[name]
        self._check(row, transition)
        if transition.target is not None:
            changes["state"] = transition.target
            changes.setdefault("lease_until", None)
        self._set(row["id"], moment, **changes)
        written = dict(detail or {})
        if name not in _WITHOUT_FROM:
            written = {"from": DeliveryState(row["state"]).value, **written}
        self._event(
            delivery_id=row["id"],
            channel=row["channel"],
            moment=moment,
            kind=transition.event,
            detail=written,
        )
        return delivery_from(self._row(row["id"]))

    def _transition(
        self,
        delivery_id: int,
        name: str,
        *,
        detail: Mapping[str, Any] | None = None,
        moment: datetime | None = None,
        **changes: Any,
    ) -> Delivery:
        """`_apply` in a write transaction of its own."""
        moment = moment or utcnow()
        with self._write():
            return self._apply(
                self._row(delivery_id), name, moment=moment, detail=detail, **changes
            )

    # -- moves a person (or the router) makes ---------------------------------------------

    def mark_manual(self, delivery_id: int) -> Delivery:
        """Hand the delivery to a human (a by-hand network, or an API that cannot take it)."""
        return self._transition(delivery_id, "manual")

    def mark_done(
        self, delivery_id: int, *, url: str | None = None, at: datetime | None = None
    ) -> Delivery:
        """A human says the post is out (sent by hand, or found after an uncertain attempt).

        `at` is when it really went out (default: now); the event keeps it as
        `posted_at`, and the report dates the post by it.
        """
        moment = utcnow()
        changes: dict[str, Any] = {"remote_url": url} if url is not None else {}
        detail: dict[str, Any] = {"url": url}
        if at is not None:
            detail["posted_at"] = to_text(at)  # to_text refuses a naive time
        return self._transition(
            delivery_id,
            "done",
            detail=detail,
            moment=moment,
            sent_at=at or moment,
            error=None,
            error_kind=None,
            retry_at=None,
            **changes,
        )

    def mark_skipped(self, delivery_id: int, *, reason: str) -> Delivery:
        """This delivery will not happen, for `reason` (kept in `error`)."""
        return self._transition(
            delivery_id,
            "skip",
            detail={"reason": reason},
            error=reason,
            error_kind=None,
            retry_at=None,
        )

    def mark_relayed(self, delivery_id: int, *, via: str) -> Delivery:
        """The post reaches this channel through another one (`via`), not by its own request."""
        return self._transition(
            delivery_id,
            "relay",
            detail={"via": via},
            route=Route.RELAYED,
            error=None,
            error_kind=None,
            retry_at=None,
        )

    def cancel(self, delivery_id: int) -> Delivery:
        """Drop a delivery that has not gone out."""
        return self._transition(delivery_id, "cancel", retry_at=None)

    def reset_for_retry(self, delivery_id: int, *, reason: str, force: bool = False) -> Delivery:
        """Make a delivery `pending` again, on the user's say-so; history stays in events.

        From failed, unknown, skipped or cancelled: `retry` (event `retried`),
        and thread parts already published are kept so the retry resumes after
        them.  From sent, relayed or manual only with `force=True` (`--force`):
        `force` (event `forced`), and the previous remote ids are cleared so the
        whole post goes again; a relayed one is posted directly.
        """
        moment = utcnow()
        with self._write():
            row = self._row(delivery_id)
            state = DeliveryState(row["state"])
            name = "force" if force and not allows("retry", state) else "retry"
            detail: dict[str, Any] = {"reason": reason, "error": row["error"]}
            changes: dict[str, Any] = {"error": None, "error_kind": None, "retry_at": None}
            if name == "force":
                detail.update(
                    remote_id=row["remote_id"],
                    remote_url=row["remote_url"],
                    sent_parts=list(decode_parts(row["sent_parts"])),
                    sent_at=row["sent_at"],
                )
                changes.update(
                    sent_parts=(),
                    remote_id=None,
                    remote_url=None,
                    sent_at=None,
                    # A new key: the network must not take the republish for a retry.
                    send_key=secrets.token_hex(16),
                )
                if row["route"] == Route.RELAYED:
                    changes["route"] = Route.DIRECT
            return self._apply(row, name, moment=moment, detail=detail, **changes)


def not_found(delivery_id: int) -> NotFound:
    return NotFound(f"no delivery with id {delivery_id}; `crosspost status` lists the known ones")


def _or_list(states: Iterable[DeliveryState]) -> str:
    """The states in the order a delivery lives them: "pending, failed or unknown"."""
    items = [s.value for s in DeliveryState if s in frozenset(states)]
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}"
