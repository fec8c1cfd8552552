"""`Workspace`: one community manager's working set (her channels.yaml, her home
directory, its ledger) and everything she asks of crosspost, as plain calls.

This is the library's front door.  The CLI is a thin skin over it: it parses
options, calls one method, and renders what comes back; it never opens the
ledger itself.  The configuration is read on first use, so the commands that
need none (`run` with nothing due, `status`, `done`) stay fast and work while
channels.yaml is being edited.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import BadInput
from .home import find_config, home_dir
from .ledger import Delivery, Ledger, default_ledger_path

if TYPE_CHECKING:
    from .config import ChannelConfig, Config
    from .feeds import FeedSummary, PullResult
    from .ledger import Note
    from .post import Post
    from .preview import Preview
    from .queue import Scheduled
    from .sending import SendResult
    from .sending.publish import ProgressCallback


@dataclass(frozen=True)
class QueueEntry:
    """One line of `crosspost queue`: a delivery, its due time in its channel's zone, and why."""

    delivery: Delivery
    due_local: str | None
    reason: str | None

    def to_json(self) -> dict[str, Any]:
        from .views import delivery_json

        return {**delivery_json(self.delivery), "due_local": self.due_local, "reason": self.reason}


@dataclass(frozen=True)
class PreviewResult:
    previews: tuple[Preview, ...]
    warnings: tuple[str, ...]


class Workspace:
    """crosspost for one home directory and one channels.yaml."""

    def __init__(
        self,
        home: Path | None = None,
        config: Config | None = None,
        *,
        config_path: Path | None = None,
    ) -> None:
        self.home = home_dir(home)
        self._config = config
        self._config_path = config_path

    # -- what it is made of --------------------------------------------------------------

    @property
    def config(self) -> Config:
        """channels.yaml, read and checked on first use (ConfigError names file and line)."""
        if self._config is None:
            from .config import load_config

            self._config = load_config(self.config_path)
        return self._config

    @property
    def config_path(self) -> Path:
        if self._config is not None:
            return self._config.path
        return find_config(self._config_path)

    @property
    def ledger_path(self) -> Path:
        return default_ledger_path(self.home)

    @contextmanager
    def store(self) -> Iterator[Ledger]:
        """The ledger, open for the length of a `with` block (created on first use)."""
        with Ledger.open(self.ledger_path) as ledger:
            yield ledger

    def channels(self, names: Sequence[str] = ()) -> list[ChannelConfig]:
        """The channels named (all when none), in file order; NotFound for a typo."""
        from .routing import select_channels

        return select_channels(self.config, names)

    @staticmethod
    def load_posts(paths: Sequence[Path]) -> list[Post]:
        from .post import load_post

        return [load_post(p) for p in paths]

    # -- previewing and sending ----------------------------------------------------------

    def preview(self, posts: Sequence[Post], channels: Sequence[ChannelConfig]) -> PreviewResult:
        """Every channel's exact text, as `publish --dry-run` shows it; nothing is sent.

        Links already shortened by an earlier run are shown short, as they will be sent.
        """
        from .preview import preview_post
        from .routing import audience_warning

        config = self.config
        warnings = tuple(w for post in posts if (w := audience_warning(config, post)))
        if not self.ledger_path.exists():
            previews = [pv for post in posts for pv in preview_post(config, post, channels)]
            return PreviewResult(tuple(previews), warnings)
        with self.store() as ledger:

            def cached(_channel: ChannelConfig, long_url: str) -> str | None:
                hit = ledger.get_short_link(long_url)
                return hit[0] if hit else None

            previews = [
                pv
                for post in posts
                for pv in preview_post(config, post, channels, resolve_link=cached)
            ]
        return PreviewResult(tuple(previews), warnings)

    def check(self, posts: Sequence[Path]) -> int:
        """Validate channels.yaml, every template and the posts; return how many channels."""
        from .preview import preview_post
        from .render import check_template

        config = self.config
        for channel in config.channels.values():
            check_template(config, channel)
        problems: list[str] = []
        for path in posts:
            try:
                # Rendering is the only full check of a template against a post.
                preview_post(config, self.load_posts([path])[0], self.channels())
            except BadInput as exc:
                problems.append(str(exc))
        if problems:
            raise BadInput("\n".join(problems))
        return len(config.channels)

    def publish(
        self,
        posts: Sequence[Post],
        channels: Sequence[ChannelConfig],
        *,
        force: bool = False,
        retry_unknown: bool = False,
        sandbox_url: str | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> SendResult:
        """Send now, exactly once (BadInput before anything is sent if a channel is wrong)."""
        from .sending.publish import Publisher

        return Publisher(
            config=self.config,
            home=self.home,
            force=force,
            retry_unknown=retry_unknown,
            sandbox_url=sandbox_url,
            on_progress=on_progress,
        ).publish(posts, channels)

    def schedule(
        self,
        posts: Sequence[Post],
        channels: Sequence[ChannelConfig],
        *,
        at: str | None = None,
        allow_past: bool = False,
        now: datetime | None = None,
    ) -> list[Scheduled]:
        """Queue one delivery per routed (post, channel); PastTime asks for confirmation."""
        from .queue import schedule_posts

        return schedule_posts(
            self.config, posts, channels, home=self.home, at=at, now=now, allow_past=allow_past
        )

    def has_work(self, now: datetime) -> bool:
        """Whether `run` has anything to do: the ledger alone answers (cron's fast path)."""
        if not self.ledger_path.exists():
            return False
        with self.store() as ledger:
            return ledger.has_work(now=now)

    def run(self, *, now: datetime | None = None, sandbox_url: str | None = None) -> SendResult:
        """Send every due delivery once; with nothing due, read nothing but the ledger."""
        from .sending.results import SendResult

        now = now or datetime.now(UTC)
        if not self.has_work(now):  # every minute from cron: no config, no network
            return SendResult(())
        from .queue import Runner

        return Runner(config=self.config, home=self.home, now=now, sandbox_url=sandbox_url).run()

    # -- the ledger, as the user reads and settles it ---------------------------------------

    def status(self, post: Path | None = None) -> list[Delivery]:
        """Every delivery (of one post, when given), oldest first."""
        key = self.load_posts([post])[0].key if post is not None else None
        with self.store() as ledger:
            return ledger.deliveries(post_key=key)

    def done(self, delivery_id: int, *, url: str | None = None) -> Delivery:
        """A person says the post is out: by hand, or found after an uncertain attempt."""
        with self.store() as ledger:
            return ledger.mark_done(delivery_id, url=url)

    def queue(self, *, include_done: bool = False, limit: int = 100) -> list[QueueEntry]:
        """The head of the queue, soonest first (one more than `limit`: the caller
        can tell there is more)."""
        from .queue import last_reason, local_text, open_deliveries

        zones = self._zones()
        with self.store() as ledger:
            head = open_deliveries(ledger, include_done=include_done, limit=limit + 1)
            return [
                QueueEntry(
                    d, local_text(d.due_at, zones.get(d.channel, "UTC")), last_reason(ledger, d)
                )
                for d in head
            ]

    def cancel(self, delivery_id: int) -> Delivery:
        from .queue import cancel

        with self.store() as ledger:
            return cancel(ledger, delivery_id)

    def retry(self, delivery_id: int, *, now: datetime | None = None) -> Delivery:
        """Queue a failed, unknown or cancelled delivery again, due now."""
        from .queue import retry

        with self.store() as ledger:
            return retry(ledger, delivery_id, now=now or datetime.now(UTC))

    def move(self, delivery_id: int, at: str, *, now: datetime | None = None) -> QueueEntry:
        """Move a queued delivery to `at` (read as `schedule --at`, in its channel's zone)."""
        from .queue import local_text, move, parse_when

        with self.store() as ledger:
            zone = self._zones().get(ledger.get(delivery_id).channel, "UTC")
            when = parse_when(at, timezone=zone, now=now or datetime.now(UTC))
            if not isinstance(when, datetime):
                raise BadInput("queue move needs a time, not next-slot")
            moved = move(ledger, delivery_id, when=when)
        return QueueEntry(moved, local_text(moved.due_at, zone), None)

    def _zones(self) -> dict[str, str]:
        """Each channel's time zone; the queue stays readable without a valid config."""
        try:
            config = self.config
        except Exception:
            return {}
        return {name: ch.timezone for name, ch in config.channels.items()}

    def pause(self, channel: str, *, reason: str = "paused by hand.") -> None:
        self.config.channel(channel)  # NotFound for a typo
        with self.store() as ledger:
            ledger.set_paused(channel, paused=True, reason=reason)

    def resume(self, channel: str) -> None:
        self.config.channel(channel)
        with self.store() as ledger:
            ledger.set_paused(channel, paused=False)

    # -- feeds, notes, cron -----------------------------------------------------------------

    def pull_feeds(
        self,
        names: Sequence[str] = (),
        *,
        populate: bool = False,
        action: str | None = None,
        entries: Sequence[str] = (),
        sandbox_url: str | None = None,
    ) -> PullResult:
        """Read the feeds (all, or those named) and act on their new entries."""
        from .feeds import pull_feeds

        return pull_feeds(
            self.config,
            home=self.home,
            names=names,
            populate=populate,
            action=action,
            entries=entries,
            sandbox_url=sandbox_url,
        )

    def feeds(self) -> tuple[FeedSummary, ...]:
        from .feeds import list_feeds

        return list_feeds(self.config, home=self.home)

    def add_note(self, text: str, *, channel: str | None = None, when: str | None = None) -> Note:
        from .notes import add_note

        return add_note(self.config, home=self.home, text=text, channel=channel, when=when)

    def cron_text(self, *, every: int = 1) -> str:
        """The crontab line and systemd units for `crosspost run`, with absolute paths."""
        from .queue.cron import cron_text

        return cron_text(config=self.config_path.resolve(), home=self.home.resolve(), every=every)
