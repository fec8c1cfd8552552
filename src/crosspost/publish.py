"""Publishing: a preflight that can stop everything, then each (post, channel)
delivered exactly once, channels in parallel.

The rules that keep a post from going out twice or getting lost:
- A delivery is claimed in the ledger (state `sending`, committed) before its
  request leaves; the answer is recorded the moment it arrives (deliver.py).
- A timeout after the request left, or a crash, leaves `unknown`: never retried
  without the user's say-so (`--retry-unknown`, or `crosspost done`).
- A re-run sends only what is not `sent`; `--force` republishes on purpose.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from .config import ChannelConfig, Config
from .deliver import (
    channel_credentials,
    delivery_content,
    manual_note,
    new_delivery,
    open_sender,
    per_channel_in_parallel,
    resolve_credential,
)
from .errors import BadInput
from .ledger import Delivery, Ledger, default_ledger_path
from .post import Post
from .preview import Preview, preview_channel
from .routing import (
    RELAYED,
    REPOST,
    SKIPPED,
    Route,
    audience_warning,
    relay_decision,
    route_post,
)

# Why a re-run leaves a delivery alone, by its state.
NOTES = {
    "unknown": "may have been published: check the network, then "
    "`crosspost done {id} --url URL` or `publish --retry-unknown`",
    "sending": "being sent by another run right now",
    "manual": "waiting to be posted by hand: `crosspost done {id} --url URL`",
    "relayed": "relayed by its source channel",
    "cancelled": "cancelled",
}


@dataclass(frozen=True)
class Outcome:
    """What happened to one post on one channel in this run."""

    post: str
    post_key: str
    channel: str
    network: str
    state: str  # the ledger state after this run, or "skipped" for unrouted channels
    route: str
    delivery_id: int | None = None
    url: str | None = None  # where the new post lives
    error: str | None = None
    error_kind: str | None = None
    retry_at: datetime | None = None
    note: str | None = None  # why nothing was sent this run, or what a human must do
    text: str = ""
    sent_now: bool = False  # sent (or recorded as manual) by this very run

    def to_json(self) -> dict[str, Any]:
        return {
            "post": self.post,
            "channel": self.channel,
            "network": self.network,
            "state": self.state,
            "route": self.route,
            "id": self.delivery_id,
            "url": self.url,
            "error": self.error,
            "error_kind": self.error_kind,
            "retry_at": self.retry_at.isoformat() if self.retry_at else None,
            "note": self.note,
            "sent_now": self.sent_now,
            "text": self.text,
        }

    @property
    def failed(self) -> bool:
        return self.state in ("failed", "unknown")


@dataclass(frozen=True)
class PublishResult:
    outcomes: tuple[Outcome, ...]
    warnings: tuple[str, ...] = ()

    @property
    def exit_code(self) -> int:
        return 1 if any(o.failed for o in self.outcomes) else 0


@dataclass
class _Job:
    """One post on one channel, through the run."""

    post: Post
    channel: ChannelConfig
    route: Route
    credentials: dict[str, str]
    preview: Preview  # rendered once, in the preflight, and recorded as is
    delivery: Delivery | None = None
    outcome: Outcome | None = None

    def settle(
        self, delivery: Delivery | None, *, note: str | None = None, sent_now: bool = False
    ) -> None:
        self.delivery = delivery or self.delivery
        d = self.delivery
        self.outcome = Outcome(
            post=str(self.post.path),
            post_key=self.post.key,
            channel=self.channel.name,
            network=self.channel.network,
            state=d.state if d else "pending",
            route=d.route if d else self.route.kind,
            delivery_id=d.id if d else None,
            url=d.remote_url if d else None,
            error=d.error if d else None,
            error_kind=d.error_kind if d else None,
            retry_at=d.retry_at if d else None,
            note=note,
            text=d.text if d else "",
            sent_now=sent_now,
        )


# Called from worker threads with (channel, post path, status text).
ProgressCallback = Callable[[str, str, str], None]


@dataclass
class Publisher:
    config: Config
    home: Path
    force: bool = False
    retry_unknown: bool = False
    sandbox_url: str | None = None
    on_progress: ProgressCallback | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _shortener_token: str | None = None
    _warnings: list[str] = field(default_factory=list)

    def publish(self, posts: Sequence[Post], channels: Sequence[ChannelConfig]) -> PublishResult:
        """Preflight every (post, channel), then send what is due.

        Raises BadInput (nothing sent) when the preflight fails; a network's
        refusal is an outcome, never an exception.
        """
        jobs, skipped = self._preflight(posts, channels)
        with Ledger.open(self._ledger_file) as ledger:
            for stale in ledger.recover_stale():
                self._warnings.append(
                    f"delivery {stale.id} ({stale.channel}) was interrupted while sending "
                    "by an earlier run: marked unknown"
                )
            live = [job for job in jobs if self._decide(ledger, job)]
            for job in live:
                self._record(ledger, job)
            first = [job for job in live if job.route.kind != RELAYED]
            self._send(ledger, first)
            second = self._settle_relays(ledger, [j for j in live if j.route.kind == RELAYED])
            self._send(ledger, second)
        outcomes = skipped + [j.outcome for j in jobs if j.outcome is not None]
        order = {
            (str(p.path), c.name): i
            for i, (p, c) in enumerate((p, c) for p in posts for c in channels)
        }
        outcomes.sort(key=lambda o: order.get((o.post, o.channel), 0))
        return PublishResult(tuple(outcomes), tuple(dict.fromkeys(self._warnings)))

    @property
    def _ledger_file(self) -> Path:
        return default_ledger_path(self.home)

    # -- preflight ----------------------------------------------------------------

    def _preflight(
        self, posts: Sequence[Post], channels: Sequence[ChannelConfig]
    ) -> tuple[list[_Job], list[Outcome]]:
        """Check everything before the first request leaves: one bad channel stops all."""
        problems: list[str] = []
        jobs: list[_Job] = []
        skipped: list[Outcome] = []
        for post in posts:
            routes = route_post(self.config, post, channels)
            warning = audience_warning(self.config, post)
            if warning:
                self._warnings.append(warning)
            for channel in channels:
                route = routes[channel.name]
                if route.kind == SKIPPED:
                    skipped.append(
                        Outcome(
                            post=str(post.path),
                            post_key=post.key,
                            channel=channel.name,
                            network=channel.network,
                            state="skipped",
                            route=SKIPPED,
                            note=route.reason,
                        )
                    )
                    continue
                try:
                    preview = preview_channel(self.config, post, channel, route=route)
                    if post.image_path is not None and not post.image_path.is_file():
                        raise BadInput(
                            f"{post.path}: image {post.image!r} not found at {post.image_path}"
                        )
                    credentials = channel_credentials(channel, sandbox=self._sandbox)
                except BadInput as exc:
                    problems.append(str(exc))
                    continue
                jobs.append(
                    _Job(
                        post=post,
                        channel=channel,
                        route=route,
                        credentials=credentials,
                        preview=preview,
                    )
                )
        shortener = self.config.shortener
        if shortener is not None and any(j.channel.shorten for j in jobs):
            try:
                self._shortener_token = resolve_credential(
                    shortener.token, channel="shortener", field="token", sandbox=self._sandbox
                )
            except BadInput as exc:
                problems.append(str(exc))
        if problems:
            raise BadInput(
                "nothing was sent; fix these first:\n" + "\n".join(dict.fromkeys(problems))
            )
        for channel in {j.channel.name: j.channel for j in jobs}.values():
            self._token_warning(channel)
        return jobs, skipped

    @property
    def _sandbox(self) -> bool:
        return self.sandbox_url is not None

    def _token_warning(self, channel: ChannelConfig) -> None:
        from .networks import load_networks

        check = getattr(load_networks()[channel.network], "token_warning_for", None)
        warning = check(channel.settings, channel=channel.name) if callable(check) else None
        if warning:
            self._warnings.append(warning)

    # -- the ledger's say ---------------------------------------------------------

    def _decide(self, ledger: Ledger, job: _Job) -> bool:
        """Whether this run may send `job`; if not, its outcome says why."""
        existing = ledger.find(post_key=job.post.key, channel=job.channel.name)
        job.delivery = existing
        if existing is None or existing.state in ("pending", "failed"):
            return True
        state = existing.state
        if self.force and state in ("sent", "manual", "relayed", "cancelled", "unknown"):
            job.delivery = ledger.reset_for_retry(existing.id, reason="--force", force=True)
            return True
        if state == "unknown" and self.retry_unknown:
            job.delivery = ledger.reset_for_retry(existing.id, reason="--retry-unknown")
            return True
        if state == "sent":
            when = f" on {existing.sent_at:%Y-%m-%d %H:%M} UTC" if existing.sent_at else ""
            note = f"already sent{when}"
            if existing.content_hash not in (None, job.post.content_hash):
                note += "; the post was edited since (not resent: use --force to republish)"
        else:
            note = NOTES.get(state, state).format(id=existing.id)
        job.settle(existing, note=note)
        return False

    def _record(self, ledger: Ledger, job: _Job) -> None:
        """Render the text and record it as pending (its link is shortened when sent)."""
        content = delivery_content(job.post, job.channel, job.preview, job.route.kind)
        if job.delivery is None:
            job.delivery = new_delivery(ledger, job.post, job.channel, content)
        if job.delivery.state in ("pending", "failed") and not job.delivery.sent_parts:
            job.delivery = ledger.update_content(job.delivery.id, **content)

    # -- sending ------------------------------------------------------------------

    def _send(self, ledger: Ledger, jobs: list[_Job]) -> None:
        """Send every job: channels in parallel, one channel's posts in order."""
        groups: dict[str, list[_Job]] = defaultdict(list)
        for job in jobs:
            groups[job.channel.name].append(job)
        per_channel_in_parallel(groups, self._send_channel)

    def _send_channel(self, jobs: list[_Job]) -> None:
        channel = jobs[0].channel
        with open_sender(
            config=self.config,
            channel=channel,
            credentials=jobs[0].credentials,
            ledger_file=self._ledger_file,
            api_url=self.sandbox_url,
            shortener_token=self._shortener_token,
        ) as sender:
            for job in jobs:
                assert job.delivery is not None
                attempt = sender.send(job.delivery, progress=partial(self._progress, job))
                with self._lock:
                    self._warnings.extend(attempt.warnings)
                final = attempt.delivery
                note = None if attempt.claimed else "taken by another run"
                if attempt.claimed and final.state == "manual":
                    note = manual_note(channel, final)
                job.settle(
                    final, note=note, sent_now=attempt.claimed and final.state in ("sent", "manual")
                )
                self._progress(job, attempt.delivery.state)

    def _progress(self, job: _Job, status: str) -> None:
        if self.on_progress is not None:
            with self._lock:
                self.on_progress(job.channel.name, str(job.post.path), status)

    # -- the relay chain ------------------------------------------------------------

    def _settle_relays(self, ledger: Ledger, relayed: list[_Job]) -> list[_Job]:
        """Relayed channels: carried by their source when it was sent, else posted directly."""
        second: list[_Job] = []
        for job in relayed:  # a relay's source is never itself relayed here: it sends
            assert job.delivery is not None
            source_name = job.channel.spec.relayed_by or ""
            source = ledger.find(post_key=job.post.key, channel=source_name)
            decision = relay_decision(source.state if source else None)
            if decision == RELAYED:
                job.settle(
                    ledger.mark_relayed(job.delivery.id, via=source_name),
                    note=f"relayed by {source_name}",
                )
            elif decision == REPOST:
                job.route = Route(
                    job.channel.name, REPOST, f"{source_name} failed, so its relay cannot carry it"
                )
                job.delivery = ledger.update_content(
                    job.delivery.id,
                    text=job.delivery.text,
                    parts=job.delivery.parts,
                    link=job.delivery.link,
                    content_hash=job.delivery.content_hash,
                    route=REPOST,
                )
                second.append(job)
            else:
                job.settle(
                    job.delivery,
                    note=f"waiting: {source_name} is "
                    f"{source.state if source else 'not recorded'}; publish again "
                    "once it is settled",
                )
        return second
