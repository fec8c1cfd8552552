"""The by-hand to-do list: every delivery waiting to be posted by a person (Xing,
Viadeo, any network without an API), with all she needs to do it: where, how,
the paste-ready text with its own short link, the image to attach and its alt
text, and since when it waits."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .errors import BadInput
from .ledger import Delivery, Store
from .listing import DEFAULT_LIMIT, Listing, check_limit, keyset_pages, page_size
from .sending.content import manual_where
from .sending.refresh import refresh
from .states import DeliveryState
from .views import Lens

if TYPE_CHECKING:
    from .config import Config
    from .queue.desk import QueueDesk


@dataclass(frozen=True)
class Task:
    """One post to place by hand."""

    delivery: Delivery
    where: str  # the site or page to post on
    instructions: str | None
    since: str | None  # when it was handed over, in the channel's time zone
    problem: str | None = None  # the post was edited into something that fails a check

    @property
    def text(self) -> str:
        """Exactly what to paste (a thread's parts one after the other)."""
        return "\n\n".join(self.delivery.parts) or self.delivery.text

    @property
    def image(self) -> str | None:
        image = self.delivery.payload.get("image")
        return str(image) if image else None

    @property
    def image_alt(self) -> str | None:
        alt = self.delivery.payload.get("image_alt")
        return str(alt) if alt else None

    @property
    def done_command(self) -> str:
        return f"crosspost done {self.delivery.id} --url URL [--at WHEN]"

    def to_json(self) -> dict[str, Any]:
        d = self.delivery
        return {
            "id": d.id,
            "channel": d.channel,
            "network": d.network,
            "post": d.post_path,
            "title": d.post_title,
            "where": self.where,
            "instructions": self.instructions,
            "text": self.text,
            "link": d.link,
            "image": self.image,
            "image_alt": self.image_alt,
            "since": d.updated_at.isoformat(),
            "since_local": self.since,
            "problem": self.problem,
        }


@contextmanager
def by_hand(
    ws: QueueDesk, *, audience: str | None = None, limit: int | None = DEFAULT_LIMIT
) -> Iterator[Listing[Task]]:
    """What waits to be posted by hand (on `audience`'s channels when given), longest
    waiting first: the first `limit` (None: every one), read a page at a time while
    the `with` block lasts."""
    check_limit(limit)
    config = ws.config
    lens = Lens.of(config)
    channels = lens.channels_of(audience)
    waiting = (DeliveryState.MANUAL,)
    with ws.store() as ledger:
        total = ledger.count_deliveries(states=waiting, channels=channels)

        def read() -> Iterator[list[Task]]:
            # A task whose post was edited is revised as it is listed, which dates
            # it now and moves it to the end of this very order: remembered, so
            # that a later page does not list it twice.
            revised: set[int] = set()
            pages = keyset_pages(
                lambda after, size: ledger.changed_page(
                    states=waiting, limit=size, after=after, channels=channels
                ),
                key=lambda d: d,
                size=page_size(limit),
            )
            for page in pages:
                tasks = []
                for d in page:
                    if d.id in revised:
                        continue
                    task = _task(config, ledger, lens, d)
                    if task.delivery.updated_at != d.updated_at:
                        revised.add(d.id)
                    tasks.append(task)
                yield tasks

        yield Listing(total=total, limit=limit, read=read)


def _task(config: Config, ledger: Store, lens: Lens, d: Delivery) -> Task:
    """One delivery as a task: where and how to post it, its text following its file."""
    channel = config.channels.get(d.channel)
    where, how = manual_where(channel) if channel else (d.channel, None)
    problem = None
    if channel is not None:
        try:  # an edited post: the text to paste follows the file
            d = refresh(config, ledger, d, channel)
        except BadInput as exc:
            problem = f"{exc}; the text below is the one recorded before"
    return Task(d, where, how, lens.local(d.updated_at, d.channel), problem)


def check_posted_at(delivery: Delivery, at: datetime, now: datetime) -> None:
    """`done --at` must say a time the post could have gone out: not in the future, not
    before crosspost handed it over."""
    if at > now:
        raise BadInput(f"--at {at:%Y-%m-%d %H:%M %Z}: that is in the future; say when it went out")
    if at < delivery.created_at:
        raise BadInput(
            f"--at {at:%Y-%m-%d %H:%M %Z}: delivery {delivery.id} was only created on "
            f"{delivery.created_at:%Y-%m-%d %H:%M} UTC; say when it really went out"
        )
