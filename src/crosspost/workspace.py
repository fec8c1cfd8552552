"""`Workspace`: one community manager's working set (her channels.yaml, her home
directory, its ledger) and everything she asks of crosspost, as plain calls.

This is the library's front door.  The CLI is a thin skin over it: it parses
options, calls one method, and renders what comes back; it never opens the
ledger itself.  The configuration is read on first use, so the commands that
need none (`run` with nothing due, `status`, `done`) stay fast and work while
channels.yaml is being edited.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from .handover import Handover
from .home import find_config, home_dir
from .ledger import Delivery, Store, open_store
from .ledger_desk import LedgerDesk
from .listing import DEFAULT_LIMIT, Listing, check_limit, status_listing
from .queue.desk import QueueDesk
from .stats.desk import StatsDesk

if TYPE_CHECKING:
    from .config import ChannelConfig, Config
    from .feeds import FeedSummary, PullResult
    from .ledger import Note
    from .post import Post
    from .preview import Preview
    from .queue import Scheduled
    from .report import Report
    from .sending import SendResult
    from .sending.publish import ProgressCallback


class Workspace(QueueDesk, Handover, StatsDesk, LedgerDesk):
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

    def load_env(self) -> list[str]:
        """Read `HOME/env` (cron's secrets file) into the environment, and make the team
        file (`secrets.age`) the last place secrets are looked up; the warnings."""
        from .secrets import open_sources

        return open_sources(self.home, team_file=lambda: self.config.secrets_path)

    @contextmanager
    def store(self) -> Iterator[Store]:
        """The ledger, open for the length of a `with` block (created on first use)."""
        with open_store(self.home) as ledger:
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

    def preview(
        self,
        posts: Sequence[Post],
        channels: Sequence[ChannelConfig],
        *,
        shorten: bool = True,
        sandbox_url: str | None = None,
    ) -> list[Preview]:
        """Every channel's exact text, as `publish --dry-run` shows it; nothing is posted.

        The links still to be shortened are made now (one wave of bit.ly requests,
        cached for the publish), so the text and its length are the final ones;
        `shorten=False` stays offline and shows the long link.  An audience no channel
        has is a PostError (from the routing), before anything.
        """
        from .sending.ahead import preview_posts

        return preview_posts(
            self.config,
            posts,
            channels,
            home=self.home,
            ledger=self.has_ledger,
            shorten=shorten,
            sandbox_url=sandbox_url,
        )

    def check(self, posts: Sequence[Path]) -> list[str]:
        """Validate channels.yaml, every template and the posts (BadInput on the first
        errors), and return every warning the dry run and the run would give: check
        passing without warnings means the dry run is clean."""
        from .checking import check_all

        return check_all(self, posts)

    def channel_notices(self) -> dict[str, str]:
        """Each channel that needs attention before it can send: paused, or its token
        expiring within days or expired."""
        from .sending.pipeline import Pipeline

        notices: dict[str, str] = {}
        if self.has_ledger:
            with self.store() as ledger:
                notices |= {
                    name: f"paused: {why}" for name, why in ledger.paused_channels().items()
                }
        for name, channel in self.config.channels.items():
            if notice := Pipeline.token_notice(channel):
                notices[name] = f"{notices[name]}; {notice}" if name in notices else notice
        return notices

    def publish(
        self,
        posts: Sequence[Post],
        channels: Sequence[ChannelConfig],
        *,
        force: bool = False,
        retry_unknown: bool = False,
        sandbox_url: str | None = None,
        on_progress: ProgressCallback | None = None,
        now: bool = False,
        on_notice: Callable[[str], None] | None = None,
    ) -> SendResult:
        """Send now, exactly once (BadInput before anything is sent if a channel is wrong).

        A post queued for later raises AlreadyScheduled unless `now`: then its queued
        delivery itself is sent (the same row, never a second copy).
        """
        from .sending.publish import Publisher

        return Publisher(
            config=self.config,
            home=self.home,
            force=force,
            retry_unknown=retry_unknown,
            sandbox_url=sandbox_url,
            on_progress=on_progress,
            now=now,
            on_notice=on_notice,
        ).publish(posts, channels)

    def schedule(
        self,
        posts: Sequence[Post],
        channels: Sequence[ChannelConfig],
        *,
        at: str | None = None,
        allow_past: bool = False,
        now: datetime | None = None,
        sandbox_url: str | None = None,
    ) -> list[Scheduled]:
        """Queue one delivery per routed (post, channel), its short link made now;
        PastTime asks for confirmation."""
        from .queue import schedule_posts

        return schedule_posts(
            self.config,
            posts,
            channels,
            home=self.home,
            at=at,
            now=now,
            allow_past=allow_past,
            sandbox_url=sandbox_url,
        )

    def has_work(self, now: datetime) -> bool:
        """Whether `run` has anything to do: the ledger alone answers (cron's fast path)."""
        if not self.has_ledger:
            return False
        with self.store() as ledger:
            return ledger.has_work(now=now)

    def run(
        self,
        *,
        now: datetime | None = None,
        sandbox_url: str | None = None,
        on_notice: Callable[[str], None] | None = None,
    ) -> SendResult:
        """Send every due delivery once; with nothing due, read nothing but the ledger."""
        from .sending.results import SendResult

        now = now or datetime.now(UTC)
        if not self.has_work(now):  # every minute from cron: no config, no network
            return SendResult(())
        from .queue import Runner

        return Runner(
            config=self.config,
            home=self.home,
            now=now,
            sandbox_url=sandbox_url,
            on_notice=on_notice,
        ).run()

    # -- the ledger, as the user reads and settles it ---------------------------------------

    @contextmanager
    def status(
        self,
        post: Path | None = None,
        *,
        audience: str | None = None,
        limit: int | None = DEFAULT_LIMIT,
    ) -> Iterator[Listing[Delivery]]:
        """The deliveries (of one post, of `audience`'s channels) by id: the newest
        `limit` of them (None: every one), read a page at a time while the `with`
        block lasts.  NotFound for an audience no channel has."""
        from .views import Lens

        check_limit(limit)
        key = self.load_posts([post])[0].key if post is not None else None
        channels = Lens.of_workspace(self, need_config=audience is not None).channels_of(audience)
        with self.store() as ledger:
            yield status_listing(ledger, post_key=key, channels=channels, limit=limit)

    # -- the monthly report ------------------------------------------------------------------

    def report(
        self,
        *,
        month: str = "this",
        history: int = 6,
        clicks: bool = False,
        sandbox_url: str | None = None,
        now: datetime | None = None,
        audience: str | None = None,
        lang: str | None = None,
    ) -> Report:
        """The month's report (`--month`: 2026-11, this, last); clicks from bit.ly with `clicks`;
        one brand's channels alone with `audience`."""
        from zoneinfo import ZoneInfo

        from .report import Month, make_report
        from .report.brands import check_audience
        from .report.labels import report_language

        now = now or datetime.now(UTC)
        # Read the month before the ledger is opened: a typo creates no ledger file.
        tz = ZoneInfo(self.config.defaults.timezone)
        parsed = Month.parse(month, today=now.astimezone(tz))
        if audience is not None:
            check_audience(self.config, audience)  # before the ledger is opened, as above
        report_language(lang, fallback=self.config.defaults.lang)
        with self.store() as ledger:
            return make_report(
                self.config,
                ledger,
                month=parsed,
                history=history,
                clicks=clicks,
                sandbox_url=sandbox_url,
                now=now,
                audience=audience,
                lang=lang,
            )

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
