"""Pulling feeds into posts (publish, schedule or review), and listing them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ..config import Config, Feed
from ..errors import BadInput, CrosspostError, ExitStatus, NotFound
from ..ledger import EntryMark, FeedState, SeenEntry, Store, open_store
from ..post import Post
from ..sending.results import Outcome
from ..states import Route
from .fetch import feed_location, fetch_feed
from .parse import FeedItem, parse_feed

# Entries whose history means they are done with: never offered again unless named.
TAKEN = frozenset({"published", "scheduled", "known"})


# -- results ---------------------------------------------------------------------------


@dataclass(frozen=True)
class EntryResult:
    """What one pull did with one entry."""

    feed: str
    key: str | None
    title: str
    link: str | None
    action: str  # populated, review, published, scheduled, known or skipped
    note: str | None = None
    published: datetime | None = None
    image: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "feed": self.feed,
            "entry": self.key,
            "title": self.title,
            "link": self.link,
            "action": self.action,
            "note": self.note,
            "published": self.published.isoformat() if self.published else None,
            "image": self.image,
        }


@dataclass(frozen=True)
class FeedPull:
    """One feed's pull: its answer, its entries, and what publishing them gave."""

    feed: str
    url: str
    status: str  # ok, not-modified or error
    error: str | None = None
    bad_input: bool = False  # the error is the user's to fix (config, credentials)
    populated: bool = False  # backlog remembered, nothing posted
    first_pull: bool = False  # populated because the feed was never read at this address
    entries: tuple[EntryResult, ...] = ()
    outcomes: tuple[Outcome, ...] = ()  # what publishing the new entries did
    warnings: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "feed": self.feed,
            "url": self.url,
            "status": self.status,
            "error": self.error,
            "populated": self.populated,
            "first_pull": self.first_pull,
            "entries": [e.to_json() for e in self.entries],
            "deliveries": [o.publish_json() for o in self.outcomes],
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class PullResult:
    feeds: tuple[FeedPull, ...]

    @property
    def exit_status(self) -> ExitStatus:
        """BAD_INPUT when a feed needs the user to fix its setup, FAILED for any other failure."""
        if any(f.bad_input for f in self.feeds):
            return ExitStatus.BAD_INPUT
        failed = any(f.status == "error" for f in self.feeds) or any(
            o.trouble for f in self.feeds for o in f.outcomes
        )
        return ExitStatus.FAILED if failed else ExitStatus.OK


@dataclass(frozen=True)
class PendingEntry:
    """An entry listed for review and not yet posted anywhere."""

    key: str
    title: str | None
    link: str | None
    first_seen: datetime


@dataclass(frozen=True)
class FeedSummary:
    """A configured feed, for `crosspost feed list`."""

    name: str
    url: str
    action: str  # publish, review, or "schedule (AT)"
    state: FeedState | None
    seen: int
    taken: int
    pending: tuple[PendingEntry, ...] = ()

    def to_json(self) -> dict[str, Any]:
        s = self.state
        return {
            "feed": self.name,
            "url": self.url,
            "action": self.action,
            "last_pull": s.last_pull.isoformat() if s else None,
            "last_ok": s.last_ok.isoformat() if s and s.last_ok else None,
            "status": s.status if s else None,
            "error": s.error if s else None,
            "seen": self.seen,
            "taken": self.taken,
            "pending": [
                {
                    "entry": p.key,
                    "title": p.title,
                    "link": p.link,
                    "first_seen": p.first_seen.isoformat(),
                }
                for p in self.pending
            ],
        }


# -- pulling ------------------------------------------------------------------------------

# Schedules a feed's new posts through the queue: (posts, channels, feed).
ScheduleFn = Callable[[Sequence[Post], Sequence[Any], Feed], Any]


def pull_feeds(
    config: Config,
    *,
    home: Path,
    names: Sequence[str] = (),
    populate: bool = False,
    action: str | None = None,
    entries: Sequence[str] = (),
    sandbox_url: str | None = None,
) -> PullResult:
    """Read the feeds (all, or those named) and act on their new entries.

    `action` overrides each feed's own action; with it, entries listed for
    review earlier are taken too.  `entries` (ids or links) restricts the pull
    to those entries and offers them again whatever their history: the ledger
    still sends each channel at most once.  `populate` remembers every entry
    without posting.  One feed's fault never stops the others.
    """
    feeds = select_feeds(config, names)
    if entries and not names:
        raise BadInput(
            "name the feed the entries come from: `crosspost feed pull NAME --entry ...`"
        )
    scheduler = None
    if not populate and any((action or f.action) == "schedule" for f in feeds):
        scheduler = schedule_through_queue(config=config, home=home, sandbox_url=sandbox_url)
    pulls = []
    with open_store(home) as ledger:
        for feed in feeds:
            pulls.append(
                _Pull(
                    config=config,
                    home=home,
                    ledger=ledger,
                    feed=feed,
                    populate=populate,
                    action=action,
                    wanted=tuple(entries),
                    sandbox_url=sandbox_url,
                    scheduler=scheduler,
                ).run()
            )
    return PullResult(tuple(pulls))


def select_feeds(config: Config, names: Sequence[str]) -> list[Feed]:
    """The feeds named (all when none), in file order; NotFound on a typo."""
    if not config.feeds:
        raise BadInput(
            f"{config.path} has no `feeds:` section; add one, e.g.\n"
            "feeds:\n  - name: blog\n    url: https://blog.example.com/feed/\n    action: review"
        )
    for name in names:
        config.feed(name)  # NotFound, with the closest name, for a typo
    return [f for f in config.feeds if not names or f.name in names]


def schedule_through_queue(
    *, config: Config, home: Path, sandbox_url: str | None = None
) -> ScheduleFn:
    """The queue's scheduling function: the one place feeds touch the queue."""
    from ..queue import schedule_posts

    def schedule(posts: Sequence[Post], channels: Sequence[Any], feed: Feed) -> Any:
        return schedule_posts(
            config, posts, channels, home=home, at=feed.at, sandbox_url=sandbox_url
        )

    return schedule


@dataclass
class _Pull:
    """One feed's pull, from the conditional GET to the ledger."""

    config: Config
    home: Path
    ledger: Store
    feed: Feed
    populate: bool
    action: str | None
    wanted: tuple[str, ...]
    sandbox_url: str | None
    scheduler: ScheduleFn | None
    warnings: list[str] = field(default_factory=list)

    def run(self) -> FeedPull:
        feed = self.feed
        location = feed_location(feed, self.config.base_dir)
        state = self.ledger.feed_states().get(feed.name)
        # A feed never read successfully at this address: its backlog is only remembered.
        first = state is None or state.last_ok is None or state.url != location
        populate = self.populate or (first and not self.wanted)
        conditional = (
            state is not None
            and state.url == location
            and not (populate or self.wanted or self.action)
        )
        try:
            answer = fetch_feed(
                feed,
                location=location,
                etag=state.etag if conditional and state else None,
                modified=state.modified if conditional and state else None,
            )
            if answer.not_modified:
                self.ledger.record_pull(
                    feed.name,
                    url=location,
                    status="not-modified",
                    etag=answer.etag,
                    modified=answer.modified,
                )
                return FeedPull(feed=feed.name, url=location, status="not-modified")
            parsed = parse_feed(feed, answer)
            self.warnings.extend(parsed.warnings)
            results, marks, outcomes = self._act(parsed.items, populate=populate, first=first)
        except CrosspostError as exc:
            self.ledger.record_pull(feed.name, url=location, status="error", error=str(exc))
            return FeedPull(
                feed=feed.name,
                url=location,
                status="error",
                error=str(exc),
                bad_input=isinstance(exc, BadInput),
                warnings=tuple(self.warnings),
            )
        self.ledger.record_pull(
            feed.name,
            url=location,
            status="ok",
            etag=answer.etag,
            modified=answer.modified,
            entries=marks,
        )
        return FeedPull(
            feed=feed.name,
            url=location,
            status="ok",
            populated=populate,
            first_pull=populate and first and not self.populate,
            entries=tuple(results),
            outcomes=tuple(outcomes),
            warnings=tuple(dict.fromkeys(self.warnings)),
        )

    def _act(
        self, items: Sequence[FeedItem], *, populate: bool, first: bool
    ) -> tuple[list[EntryResult], list[EntryMark], list[Any]]:
        feed = self.feed
        seen = self.ledger.seen_entries(feed=feed.name)
        by_key = {s.entry_key: s for s in seen}
        by_post = {s.post_key: s for s in seen if s.post_key}
        action = self.action or feed.action
        results: list[EntryResult] = []
        marks: list[EntryMark] = []
        to_take: list[FeedItem] = []
        done_links: set[str] = set()
        matched: set[str] = set()
        for item in items:
            if self.wanted:
                hit = next((w for w in self.wanted if w in (item.key, item.link)), None)
                if hit is None:
                    if first and item.key is not None:
                        # The rest of a first pull is backlog: remember it, or the next
                        # pull would take it all.
                        marks.append(EntryMark(item.key, item.link, item.title, "populated"))
                    continue
                matched.add(hit)
            if item.link and item.link in done_links:
                continue  # the same article twice in one document
            if item.key is None or item.post is None or item.link is None:
                self._skip(item, by_key, results, marks)
                continue
            done_links.add(item.link)
            before = by_key.get(item.key) or by_post.get(item.link)
            if not self.wanted:
                if before is not None and (
                    before.action in TAKEN | {"skipped", "populated"}
                    or (before.action == "review" and self.action in (None, "review"))
                ):
                    if before.entry_key != item.key:  # the feed changed its id: learn the new one
                        marks.append(EntryMark(item.key, item.link, item.title, before.action))
                    continue
                if self._known_elsewhere(item):
                    note = (
                        "already in the ledger (a post file or another feed has it); "
                        "not taken again"
                    )
                    results.append(_result(feed, item, "known", note))
                    marks.append(EntryMark(item.key, item.link, item.title, "known"))
                    continue
            elif action == "review" and before is not None and before.action in TAKEN:
                # Listing an entry already taken must not make it look untaken.
                results.append(_result(feed, item, before.action, "already taken; not listed"))
                continue
            if populate:
                results.append(_result(feed, item, "populated"))
                marks.append(EntryMark(item.key, item.link, item.title, "populated"))
            else:
                to_take.append(item)
        missing = [w for w in self.wanted if w not in matched]
        if missing:
            raise NotFound(
                f"feed {feed.name} has no entry {missing[0]!r} (give an entry's id or link, "
                "as `crosspost feed list` or `feed pull --json` shows them)"
            )
        outcomes = self._take(to_take, action, results, marks) if to_take else []
        return results, marks, outcomes

    def _skip(
        self,
        item: FeedItem,
        by_key: dict[str, SeenEntry],
        results: list[EntryResult],
        marks: list[EntryMark],
    ) -> None:
        if item.key is not None and item.key in by_key:
            return  # warned about when it first appeared
        problem = item.problem or "cannot be read"
        self.warnings.append(f"feed {self.feed.name}: entry {item.title!r} {problem}: skipped")
        results.append(_result(self.feed, item, "skipped", problem))
        if item.key is not None:
            marks.append(EntryMark(item.key, item.link, item.title, "skipped"))

    def _known_elsewhere(self, item: FeedItem) -> bool:
        assert item.link is not None
        if self.ledger.deliveries(post_key=item.link):
            return True
        return any(
            s.feed != self.feed.name and s.action in TAKEN
            for s in self.ledger.seen_entries(post_key=item.link)
        )

    def _take(
        self, items: list[FeedItem], action: str, results: list[EntryResult], marks: list[EntryMark]
    ) -> list[Any]:
        """Publish, schedule or list the new entries; the ledger learns them after."""
        from ..routing import select_channels

        feed = self.feed
        posts = [item.post for item in items if item.post is not None]
        outcomes: list[Outcome] = []
        queued: list[Any] = []
        if action == "review":
            taken_as = "review"
        else:
            channels = select_channels(self.config, feed.channels)
            if action == "publish":
                from ..sending.publish import Publisher

                result = Publisher(
                    config=self.config, home=self.home, sandbox_url=self.sandbox_url
                ).publish(posts, channels)
                outcomes = list(result.outcomes)
                self.warnings.extend(result.warnings)
                taken_as = "published"
            else:
                assert self.scheduler is not None  # resolved before any feed was read
                queued = list(self.scheduler(posts, channels, feed) or ())
                taken_as = "scheduled"
        for item in items:
            note = None
            if taken_as == "published":
                failed = [o.channel for o in outcomes if o.post_key == item.link and o.trouble]
                if failed:
                    note = (
                        f"failed on {', '.join(failed)}: retry with `crosspost feed pull "
                        f"{feed.name} --entry {item.link}`"
                    )
            elif taken_as == "scheduled":
                due = [
                    f"{q.channel} {q.to_json().get('due_local') or q.state}"
                    for q in queued
                    if item.post is not None
                    and getattr(q, "post", None) == str(item.post.path)
                    and q.state != Route.SKIPPED
                ]
                note = "queued: " + ", ".join(due) if due else f"scheduled ({feed.at})"
            results.append(_result(feed, item, taken_as, note))
            marks.append(EntryMark(item.key or item.link or "", item.link, item.title, taken_as))
        return outcomes


def _result(feed: Feed, item: FeedItem, action: str, note: str | None = None) -> EntryResult:
    return EntryResult(
        feed=feed.name,
        key=item.key,
        title=item.title,
        link=item.link,
        action=action,
        note=note,
        published=item.published,
        image=item.post.image if item.post is not None else None,
    )


# -- listing ----------------------------------------------------------------------------------


def list_feeds(config: Config, *, home: Path) -> tuple[FeedSummary, ...]:
    """Every configured feed, its last pull, and the entries still waiting for review."""
    summaries = []
    with open_store(home) as ledger:
        states = ledger.feed_states()
        for feed in config.feeds:
            seen = ledger.seen_entries(feed=feed.name)
            pending = tuple(
                PendingEntry(
                    key=s.entry_key, title=s.title, link=s.post_key, first_seen=s.first_seen
                )
                for s in seen
                if s.action == "review"
                and not (s.post_key and ledger.deliveries(post_key=s.post_key))
            )
            state = states.get(feed.name)
            summaries.append(
                FeedSummary(
                    name=feed.name,
                    url=feed.url,
                    action=f"schedule ({feed.at})" if feed.action == "schedule" else feed.action,
                    state=state,
                    seen=len(seen),
                    taken=sum(s.action in TAKEN for s in seen),
                    pending=pending,
                )
            )
    return tuple(summaries)
