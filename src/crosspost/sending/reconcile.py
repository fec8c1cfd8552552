"""Reconcile: ask the network about the deliveries that may exist (`unknown`).

A timeout, a dropped connection, a 5xx or a crash leaves a delivery `unknown`:
the post may be out, so sending it again could post it twice, and not sending
it could lose it.  The network's own listing of the account's recent posts
settles it: each adapter's optional `find` reads it and matches the exact text
sent.  Three answers, each one ledger transition with its event:

- `found`: the post (every part of a thread) is there: `sent`, with its id,
  URL and the time the network gives;
- `absent`: the listing covers the whole window since the claim and the post
  is not in it: back to `pending`, so the next run (or this `publish`) sends it,
  once; a thread keeps the parts that were found and resumes after them;
- `checked`: the listing could not tell (cut short, refused, too fresh):
  still `unknown`, the error saying what was read.

Absence is trusted only once the claim is older than `LISTING_LAG`: a listing
may lag a post created a moment ago, and a wrong "absent" is a double post.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from ..config import ChannelConfig
from ..errors import CrosspostError, DeliveryError, WrongState
from ..ledger import Delivery, Store
from ..networks.base import Answer, Finding, Finds, Network
from ..secrets import scrub
from ..states import RECHECK_AFTER, DeliveryState, EventKind
from .content import outgoing_for

# How long a new post may take to show in a network's own listing.
LISTING_LAG = timedelta(seconds=60)
# The window starts this long before the claim: the network's clock is not ours.
CLOCK_MARGIN = timedelta(minutes=10)

AdapterFor = Callable[[ChannelConfig], Network]


@dataclass(frozen=True)
class Reconciled:
    """What one reconcile did with one delivery."""

    delivery: Delivery  # as it stands afterwards
    answer: Answer
    checked: str  # what was read, in words
    note: str  # what it means for her, one sentence

    def to_json(self) -> dict[str, Any]:
        d = self.delivery
        return {
            "id": d.id,
            "channel": d.channel,
            "network": d.network,
            "post": d.post_path or d.post_key,
            "answer": str(self.answer),
            "state": str(d.state),
            "url": d.remote_url,
            "parts_out": len(d.sent_parts),
            "parts": len(d.parts),
            "checked": self.checked,
            "note": self.note,
        }


@dataclass(frozen=True)
class Skipped:
    """An unknown delivery this reconcile did not read the network for, and why."""

    delivery: Delivery
    why: str

    @property
    def note(self) -> str:
        return f"not asked: {self.why}"

    def to_json(self) -> dict[str, Any]:
        d = self.delivery
        return {
            "id": d.id,
            "channel": d.channel,
            "network": d.network,
            "post": d.post_path or d.post_key,
            "answer": None,
            "state": str(d.state),
            "why": self.why,
        }


def claimed_at(ledger: Store, delivery: Delivery) -> datetime:
    """When the attempt in doubt was claimed: the request left after this moment."""
    claims = [e.at for e in ledger.events(delivery_id=delivery.id) if e.kind is EventKind.SENDING]
    return claims[-1] if claims else delivery.created_at


def last_checked(ledger: Store, delivery: Delivery) -> datetime | None:
    checks = [e.at for e in ledger.events(delivery_id=delivery.id) if e.kind is EventKind.CHECKED]
    return checks[-1] if checks else None


def reconcile_one(
    ledger: Store,
    adapter: Network,
    delivery: Delivery,
    *,
    now: datetime | None = None,
    since: datetime | None = None,
) -> Reconciled:
    """Read the network for `delivery` (unknown) and record what it says."""
    now = now or datetime.now(UTC)
    delivery = ledger.get(delivery.id)  # as it is now, not as the caller last read it
    if delivery.state is not DeliveryState.UNKNOWN:
        return Reconciled(delivery, Answer.UNSURE, "", f"settled meanwhile: it is {delivery.state}")
    claim = claimed_at(ledger, delivery)
    finding = find(adapter, delivery, since=since or claim - CLOCK_MARGIN)
    try:
        return _decide(ledger, delivery, finding, now - claim)
    except WrongState:  # another run settled it while we read: its word stands
        current = ledger.get(delivery.id)
        note = f"settled by another run meanwhile: it is {current.state}"
        return Reconciled(current, finding.answer, finding.checked, note)


def _decide(ledger: Store, delivery: Delivery, finding: Finding, age: timedelta) -> Reconciled:
    if finding.answer is Answer.ABSENT and age < LISTING_LAG:
        wait = int((LISTING_LAG - age).total_seconds()) + 1
        why = (
            f"not listed yet, but it was sent under a minute ago and listings can lag; "
            f"run `crosspost reconcile {delivery.id}` again in {wait} s"
        )
        if not finding.part_ids:  # nothing learnt: no event, and a later run reads again
            return Reconciled(delivery, Answer.UNSURE, finding.checked, f"still unknown: {why}")
        finding = Finding(Answer.UNSURE, part_ids=finding.part_ids, checked=finding.checked)
        return _record(ledger, delivery, finding, why=why)
    return _record(ledger, delivery, finding)


def find(adapter: Network, delivery: Delivery, *, since: datetime) -> Finding:
    """The adapter's `find`, its failures made an UNSURE answer, what it says scrubbed:
    every caller (reconcile, a duplicate answer) records it as it comes from here."""
    if not isinstance(adapter, Finds):
        # Recorded as a check all the same: `run` then comes back to it hourly, not
        # every minute (`has_work` counts an unknown delivery untouched for an hour).
        return Finding(
            Answer.UNSURE,
            checked="nothing: this network offers no listing crosspost can read; "
            "check the account yourself",
        )
    try:
        finding = adapter.find(outgoing=outgoing_for(delivery), since=since.astimezone(UTC))
    except DeliveryError as exc:
        return Finding(Answer.UNSURE, checked=f"could not read the account's posts: {exc}")
    except Exception as exc:  # a bug in an adapter must not stop the other deliveries
        return Finding(
            Answer.UNSURE,
            checked=f"could not read the account's posts (internal error {type(exc).__name__})",
        )
    if not isinstance(finding, Finding):
        return Finding(Answer.UNSURE, checked="the adapter's find gave no answer")
    # What a network said goes to the ledger and to her screen: through the scrubber.
    return replace(
        finding,
        checked=scrub(finding.checked),
        url=scrub(finding.url) if finding.url else None,
    )


def _record(
    ledger: Store, delivery: Delivery, finding: Finding, *, why: str | None = None
) -> Reconciled:
    checked = finding.checked or "the account's recent posts"
    parts = len(delivery.parts)
    if finding.answer is Answer.FOUND:
        row = ledger.mark_found(
            delivery.id,
            part_ids=finding.part_ids,
            remote_url=finding.url or delivery.remote_url,
            posted_at=finding.posted_at,
            checked=checked,
            after=len(delivery.sent_parts),
        )
        where = f": {row.remote_url}" if row.remote_url else ""
        return Reconciled(row, finding.answer, checked, f"found on the network, now sent{where}")
    if finding.answer is Answer.ABSENT:
        row = ledger.mark_absent(
            delivery.id,
            part_ids=finding.part_ids,
            checked=checked,
            after=len(delivery.sent_parts),
        )
        resume = f"; resumes after part {len(row.sent_parts)} of {parts}" if row.sent_parts else ""
        return Reconciled(
            row,
            finding.answer,
            checked,
            f"certainly not on the network: back in the queue, sent by the next run{resume}",
        )
    why = why or f"{checked}; that does not settle it"
    row = ledger.mark_checked(
        delivery.id,
        part_ids=finding.part_ids,
        checked=checked,
        why=why,
        after=len(delivery.sent_parts),
    )
    found = f" (parts 1-{len(row.sent_parts)} of {parts} found)" if row.sent_parts else ""
    return Reconciled(
        row,
        finding.answer,
        checked,
        f"still unknown{found}: {why}. Check the account, then `crosspost done "
        f"{row.id} --url URL`, or `crosspost queue retry {row.id}`",
    )


def reconcile_all(
    ledger: Store,
    deliveries: Iterable[Delivery],
    *,
    channels: Mapping[str, ChannelConfig],
    adapter_for: AdapterFor,
    paused: Mapping[str, str],
    recheck: bool = True,
    now: datetime | None = None,
) -> list[Reconciled | Skipped]:
    """Reconcile each unknown delivery of `deliveries`, one adapter per channel.

    `recheck` False (an automatic reconcile) leaves alone the deliveries read
    less than RECHECK_AFTER ago without settling.
    """
    now = now or datetime.now(UTC)
    adapters: dict[str, Network | str] = {}
    out: list[Reconciled | Skipped] = []
    for delivery in deliveries:
        if delivery.state is not DeliveryState.UNKNOWN:
            continue
        channel = channels.get(delivery.channel)
        why = _why_not(delivery, channel, paused)
        if why is None and not recheck:
            checked = last_checked(ledger, delivery)
            if checked is not None and now - checked < RECHECK_AFTER:
                why = f"read at {checked:%H:%M} UTC without settling it; not read again so soon"
        if why is not None or channel is None:
            out.append(Skipped(delivery, why or "its channel is not in channels.yaml"))
            continue
        adapter = adapters.get(channel.name)
        if adapter is None:
            try:
                adapter = adapter_for(channel)
            except CrosspostError as exc:  # a credential missing: say it, go on
                adapter = str(exc)
            adapters[channel.name] = adapter
        if isinstance(adapter, str):
            out.append(Skipped(delivery, adapter))
            continue
        out.append(reconcile_one(ledger, adapter, delivery, now=now))
    return out


def _why_not(
    delivery: Delivery, channel: ChannelConfig | None, paused: Mapping[str, str]
) -> str | None:
    if channel is None:
        return "its channel is no longer in channels.yaml"
    if channel.manual:
        return "a by-hand channel: only a person can say whether it is out"
    if channel.name in paused:
        return f"its channel is paused ({paused[channel.name]})"
    return None
