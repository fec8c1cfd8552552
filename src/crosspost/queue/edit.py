"""The queue as the user sees and edits it: the head of the queue, why each
delivery stands where it does, and `queue cancel|retry|move`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from ..errors import WrongState
from ..ledger import Delivery, Event, Store
from ..states import OPEN_STATES, TROUBLE, DeliveryState, EventKind


def open_deliveries(
    ledger: Store, *, include_done: bool = False, limit: int = 100
) -> list[Delivery]:
    """The head of the queue: what is not done yet (or everything), soonest first."""
    return ledger.upcoming(states=None if include_done else tuple(OPEN_STATES), limit=limit)


def last_reason(ledger: Store, delivery: Delivery) -> str | None:
    """Why the delivery stands where it does: its error, or the reason it was last moved."""
    return last_reasons(ledger, [delivery])[delivery.id]


def last_reasons(ledger: Store, deliveries: Sequence[Delivery]) -> dict[int, str | None]:
    """`last_reason` of each delivery of a page, with one read of their events."""
    kinds = (EventKind.MOVED, EventKind.SCHEDULED, EventKind.CREATED)
    last: dict[int, Event] = {}
    for event in ledger.events_of([d.id for d in deliveries], kinds=kinds):
        if event.delivery_id is not None:
            last[event.delivery_id] = event  # in write order: the latest stays
    reasons: dict[int, str | None] = {}
    for d in deliveries:
        latest = last.get(d.id)
        if d.error and (d.state in TROUBLE or d.state == DeliveryState.PENDING):
            reasons[d.id] = d.error
        elif latest is not None and latest.kind == EventKind.MOVED:
            reasons[d.id] = str(latest.detail.get("reason") or "")
        else:
            reasons[d.id] = None
    return reasons


def cancel(ledger: Store, delivery_id: int) -> Delivery:
    return _guard(lambda: ledger.cancel(delivery_id), ledger, delivery_id, "cancel")


def retry(ledger: Store, delivery_id: int, *, now: datetime) -> Delivery:
    """Queue a failed, unknown or cancelled delivery again, due now."""

    def go() -> Delivery:
        d = ledger.reset_for_retry(delivery_id, reason="queue retry")
        return ledger.schedule(d.id, due_at=now, reason="retried by hand")

    return _guard(go, ledger, delivery_id, "retry")


def move(ledger: Store, delivery_id: int, *, when: datetime) -> Delivery:
    return _guard(
        lambda: ledger.schedule(delivery_id, due_at=when, reason="moved by hand"),
        ledger,
        delivery_id,
        "move",
    )


def _guard(action: Callable[[], Delivery], ledger: Store, delivery_id: int, verb: str) -> Delivery:
    try:
        return action()
    except WrongState:
        d = ledger.get(delivery_id)  # NotFound for an unknown id
        raise WrongState(
            f"cannot {verb} delivery {delivery_id} ({d.channel}): it is {d.state}"
        ) from None
