"""The queue as the user sees and edits it: the head of the queue, why each
delivery stands where it does, and `queue cancel|retry|move`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from ..errors import WrongState
from ..ledger import Delivery, Ledger
from ..states import OPEN_STATES, TROUBLE, DeliveryState, EventKind


def open_deliveries(
    ledger: Ledger, *, include_done: bool = False, limit: int = 100
) -> list[Delivery]:
    """The head of the queue: what is not done yet (or everything), soonest first."""
    return ledger.upcoming(states=None if include_done else tuple(OPEN_STATES), limit=limit)


def last_reason(ledger: Ledger, delivery: Delivery) -> str | None:
    """Why the delivery stands where it does: its error, or the reason it was last moved."""
    if delivery.error and (delivery.state in TROUBLE or delivery.state == DeliveryState.PENDING):
        return delivery.error
    for event in reversed(ledger.events(delivery_id=delivery.id)):
        if event.kind == EventKind.MOVED:
            return str(event.detail.get("reason") or "")
        if event.kind in (EventKind.SCHEDULED, EventKind.CREATED):
            return None
    return None


def cancel(ledger: Ledger, delivery_id: int) -> Delivery:
    return _guard(lambda: ledger.cancel(delivery_id), ledger, delivery_id, "cancel")


def retry(ledger: Ledger, delivery_id: int, *, now: datetime) -> Delivery:
    """Queue a failed, unknown or cancelled delivery again, due now."""

    def go() -> Delivery:
        d = ledger.reset_for_retry(delivery_id, reason="queue retry")
        return ledger.schedule(d.id, due_at=now, reason="retried by hand")

    return _guard(go, ledger, delivery_id, "retry")


def move(ledger: Ledger, delivery_id: int, *, when: datetime) -> Delivery:
    return _guard(
        lambda: ledger.schedule(delivery_id, due_at=when, reason="moved by hand"),
        ledger,
        delivery_id,
        "move",
    )


def _guard(action: Callable[[], Delivery], ledger: Ledger, delivery_id: int, verb: str) -> Delivery:
    try:
        return action()
    except WrongState:
        d = ledger.get(delivery_id)  # NotFound for an unknown id
        raise WrongState(
            f"cannot {verb} delivery {delivery_id} ({d.channel}): it is {d.state}"
        ) from None
