"""The queue as the user reads, edits and settles it, as `Workspace` offers it: the head
of the queue with why each delivery waits, the week ahead, `cancel`, `retry`, `move`,
pausing a channel, the by-hand to-do list, `done`, and `reconcile` (asking the
networks about the deliveries that may exist).

A mixin of `Workspace` (which supplies `config` and `store`), kept apart so the
facade stays one screenful per concern.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ..errors import BadInput
from ..ledger import Delivery
from ..listing import DEFAULT_LIMIT, Listing, check_limit, keyset_pages, page_size
from ..part import WorkspacePart
from ..states import OPEN_STATES
from .edit import cancel, last_reasons, move, retry
from .when import local_text, parse_when

if TYPE_CHECKING:
    from ..sending.reconcile import Reconciled, Skipped
    from ..tasks import Task
    from ..views import Lens
    from .week import Week


@dataclass(frozen=True)
class QueueEntry:
    """One line of `crosspost queue`: a delivery, its due time in its channel's zone, and why."""

    delivery: Delivery
    due_local: str | None
    reason: str | None

    def to_json(self) -> dict[str, Any]:
        from ..views import delivery_json

        return {**delivery_json(self.delivery), "due_local": self.due_local, "reason": self.reason}


class QueueDesk(WorkspacePart):
    """The queue operations of `Workspace`."""

    @contextmanager
    def queue(
        self,
        *,
        include_done: bool = False,
        audience: str | None = None,
        limit: int | None = DEFAULT_LIMIT,
    ) -> Iterator[Listing[QueueEntry]]:
        """The queue, soonest first (everything, sent and cancelled too, with
        `include_done`), of `audience`'s channels when given: its first `limit`
        entries (None: every one), read a page at a time while the `with` block lasts."""
        from ..views import Lens

        check_limit(limit)
        lens = Lens.of_workspace(self, need_config=audience is not None)
        channels = lens.channels_of(audience)
        states = None if include_done else tuple(OPEN_STATES)
        with self.store() as ledger:
            total = ledger.count_deliveries(states=states, channels=channels)

            def read() -> Iterator[list[QueueEntry]]:
                pages = keyset_pages(
                    lambda after, size: ledger.upcoming_page(
                        limit=size, after=after, states=states, channels=channels
                    ),
                    key=lambda d: d,
                    size=page_size(limit),
                )
                for page in pages:
                    reasons = last_reasons(ledger, page)
                    yield [
                        QueueEntry(d, lens.local(d.due_at, d.channel), reasons[d.id]) for d in page
                    ]

            yield Listing(total=total, limit=limit, read=read)

    @staticmethod
    def edited(deliveries: Iterable[Delivery]) -> set[int]:
        """The ids of the open deliveries whose post file changed since they were recorded:
        `run` (and `tasks`) will send the text as the file now reads."""
        from ..sending.refresh import is_edited

        return {d.id for d in deliveries if is_edited(d)}

    def cancel(self, delivery_id: int) -> Delivery:
        with self.store() as ledger:
            return cancel(ledger, delivery_id)

    def retry(self, delivery_id: int, *, now: datetime | None = None) -> Delivery:
        """Queue a failed, unknown or cancelled delivery again, due now."""
        with self.store() as ledger:
            return retry(ledger, delivery_id, now=now or datetime.now(UTC))

    def move(self, delivery_id: int, at: str, *, now: datetime | None = None) -> QueueEntry:
        """Move a queued delivery to `at` (read as `schedule --at`, in its channel's zone)."""
        with self.store() as ledger:
            zone = self._lens().zone(ledger.get(delivery_id).channel)
            when = parse_when(at, timezone=zone, now=now or datetime.now(UTC))
            if not isinstance(when, datetime):
                raise BadInput("queue move needs a time, not next-slot")
            moved = move(ledger, delivery_id, when=when)
        return QueueEntry(moved, local_text(moved.due_at, zone), None)

    def _lens(self) -> Lens:
        """Each channel's time zone (defaults.timezone for one no longer configured);
        times in UTC while channels.yaml cannot be read, so the queue stays readable."""
        from ..views import Lens  # the config models: not on the cron path's imports

        return Lens.of_workspace(self)

    def pause(self, channel: str, *, reason: str = "paused by hand.") -> None:
        self.config.channel(channel)  # NotFound for a typo
        with self.store() as ledger:
            ledger.set_paused(channel, paused=True, reason=reason)

    def resume(self, channel: str) -> None:
        self.config.channel(channel)
        with self.store() as ledger:
            ledger.set_paused(channel, paused=False)

    def done(self, delivery_id: int, *, url: str | None = None, at: str | None = None) -> Delivery:
        """A person says the post is out: by hand, or found after an uncertain attempt.

        `at` (as `done --at` takes it, in the channel's zone) is when it really went
        out: the report dates the post by it.
        """
        from ..tasks import check_posted_at
        from .when import parse_past

        with self.store() as ledger:
            posted = None
            if at is not None:
                d = ledger.get(delivery_id)  # NotFound before the time is even read
                now = datetime.now(UTC)
                posted = parse_past(at, timezone=self._lens().zone(d.channel), now=now)
                check_posted_at(d, posted, now)
            return ledger.mark_done(delivery_id, url=url, at=posted)

    def done_part(self, delivery_id: int, *, part: int, url: str) -> Delivery:
        """A person says part `part` (1-based) of a thread is out, at `url`: recorded, so
        a retry resumes after it; the last part makes the whole thread sent."""
        from ..networks import ReadsPostUrls, load_networks

        with self.store() as ledger:
            d = ledger.get(delivery_id)
            total, out = len(d.parts), len(d.sent_parts)
            if not 1 <= part <= total:
                raise BadInput(f"delivery {d.id} has {total} part(s): --part must be 1 to {total}")
            if part != out + 1:
                raise BadInput(
                    f"delivery {d.id}: parts 1-{out} of {total} are recorded, so the next one to "
                    f"record is part {out + 1}, not {part}"
                    if out
                    else f"delivery {d.id}: no part is recorded yet: record part 1 first"
                )
            cls = load_networks().get(d.network)
            remote_id = cls.post_id_from_url(url) if isinstance(cls, ReadsPostUrls) else None
            if not remote_id:
                raise BadInput(
                    f"cannot read a post id from {url!r} for {d.network}: give the part's own "
                    "address (on X: https://x.com/NAME/status/DIGITS)"
                )
            d = ledger.record_part(d.id, index=part - 1, remote_id=str(remote_id))
            if part == total:
                return ledger.mark_done(d.id, url=url)
            return d

    def reconcile(
        self,
        ids: Iterable[int] = (),
        *,
        channels: Iterable[str] = (),
        sandbox_url: str | None = None,
    ) -> list[Reconciled | Skipped]:
        """Ask the networks about every unknown delivery (or those of `ids`, `channels`)."""
        from ..sending.pipeline import Pipeline
        from ..sending.reconcile import Skipped, reconcile_all
        from ..states import DeliveryState

        config = self.config
        names = set(channels)
        for name in names:
            config.channel(name)  # NotFound for a typo
        pipeline = Pipeline(config, self.home, sandbox_url=sandbox_url)
        with self.store() as ledger:
            ledger.recover_stale()  # a dead run's claims are unknown too: read for them
            wanted = list(ids)
            if wanted:
                rows = [ledger.get(i) for i in wanted]
            else:
                rows = ledger.deliveries(states=[DeliveryState.UNKNOWN])
            rows = [d for d in rows if not names or d.channel in names]
            out: list[Reconciled | Skipped] = [
                Skipped(d, f"it is {d.state}, not unknown: nothing to ask the network")
                for d in rows
                if d.state is not DeliveryState.UNKNOWN
            ]
            out += reconcile_all(
                ledger,
                rows,
                channels=config.channels,
                adapter_for=lambda c: build(pipeline, c),
                paused=ledger.paused_channels(),
            )
            return sorted(out, key=lambda r: r.delivery.id)

    def tasks(
        self, *, audience: str | None = None, limit: int | None = DEFAULT_LIMIT
    ) -> AbstractContextManager[Listing[Task]]:
        """What waits to be posted by hand, with all that is needed to do it: the
        first `limit` (None: every one), longest waiting first, while the `with` lasts."""
        from ..tasks import by_hand

        return by_hand(self, audience=audience, limit=limit)

    def week(self, *, audience: str | None = None, now: datetime | None = None) -> Week:
        """The coming seven days of the queue, by-hand tasks included, per channel."""
        from .week import week_of

        return week_of(self, audience=audience, now=now)


def build(pipeline: Any, channel: Any) -> Any:
    """The channel's adapter, with its credentials (CredentialError names a missing one)."""
    from ..sending.deliver import build_adapter

    return build_adapter(
        channel, pipeline.credentials(channel), pipeline.sandbox_url, home=pipeline.home
    )
