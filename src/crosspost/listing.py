"""Listings read from the ledger a page at a time: `Listing`, its limits, and the pages
behind `status` (the queue's are in `queue.desk`, the by-hand list's in `tasks`).

A ledger grows by the thousands a year for an agency; a listing must cost what
it shows, not what the ledger holds.  So a listing counts its matches with one
query, then reads them in keyset pages of `PAGE_SIZE` (`Store` / `StorePages`)
while it is iterated, and stops at its limit: memory holds one page, however
many are shown, and `--all` streams every one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from .ledger import Delivery, Store

# What a listing shows unless asked for more (`--limit N`) or every one (`--all`).
DEFAULT_LIMIT = 100
# Rows per read: small enough to hold, large enough that a query's cost is spread.
PAGE_SIZE = 500

T = TypeVar("T")
K = TypeVar("K")


@dataclass(frozen=True)
class Listing(Generic[T]):
    """What a listing command shows: how many match, and the items, read while iterated.

    `total` is counted when the listing is made; the items are read page by
    page from the ledger, which stays open only as long as the `with` block
    that gave the listing (`Workspace.status`, `queue`, `tasks`).  A ledger
    written meanwhile shows each row as its page reads it.
    """

    total: int
    limit: int | None  # at most this many; None: every one
    read: Callable[[], Iterator[list[T]]]
    newest: bool = False  # the last `limit` matches (the newest), not the first

    @property
    def shown(self) -> int:
        """How many the listing will give (if nothing is added or removed meanwhile)."""
        return self.total if self.limit is None else min(self.total, self.limit)

    @property
    def truncated(self) -> bool:
        return self.shown < self.total

    def pages(self) -> Iterator[list[T]]:
        """The items, a page at a time, `limit` of them at most."""
        left = self.limit
        for page in self.read():
            if left is not None:
                page = page[:left]
                left -= len(page)
            if page:
                yield page
            if left == 0:
                return

    def __iter__(self) -> Iterator[T]:
        for page in self.pages():
            yield from page


def page_size(limit: int | None) -> int:
    """Rows to read at a time for a listing of at most `limit`."""
    return PAGE_SIZE if limit is None else max(1, min(PAGE_SIZE, limit))


def keyset_pages(
    read: Callable[[K | None, int], Sequence[T]],
    key: Callable[[T], K],
    *,
    size: int = PAGE_SIZE,
) -> Iterator[list[T]]:
    """Pages from `read(after, size)`, each starting after the `key` of the last row of
    the one before (None: from the start), until one comes back short."""
    after: K | None = None
    while True:
        page = list(read(after, size))
        if page:
            yield page
        if len(page) < size:
            return
        after = key(page[-1])


def check_limit(limit: int | None) -> int | None:
    """`limit` when it is 1 or more (None: every one); ValueError otherwise."""
    if limit is not None and limit < 1:
        raise ValueError(f"a listing shows 1 row or more, not {limit}")
    return limit


def status_listing(
    ledger: Store,
    *,
    post_key: str | None = None,
    channels: Sequence[str] | None = None,
    limit: int | None = DEFAULT_LIMIT,
) -> Listing[Delivery]:
    """The deliveries (of one post, of some channels), by id: the newest `limit`, oldest
    of them first, as the end of a long `status` was what its terminal showed."""
    check_limit(limit)
    total = ledger.count_deliveries(post_key=post_key, channels=channels)
    start = (
        0 if limit is None else ledger.newest_after_id(limit, post_key=post_key, channels=channels)
    )

    def read() -> Iterator[list[Delivery]]:
        return keyset_pages(
            lambda after, size: ledger.deliveries_page(
                limit=size,
                after_id=start if after is None else after,
                post_key=post_key,
                channels=channels,
            ),
            key=lambda d: d.id,
            size=page_size(limit),
        )

    return Listing(total=total, limit=limit, read=read, newest=True)
