"""Publishing now: a preflight that can stop everything, then each (post, channel)
delivered exactly once, channels in parallel, through the shared pipeline.

The rules that keep a post from going out twice or getting lost:
- A delivery is claimed in the ledger (state `sending`, committed) before its
  request leaves; the answer is recorded the moment it arrives (deliver.py).
- A timeout after the request left, or a crash, leaves `unknown`: never retried
  without the user's say-so (`--retry-unknown`, or `crosspost done`).
- A re-run sends only what is not `sent`; `--force` republishes on purpose.

`publish` differs from the queue's `run` in how it chooses deliveries (the
posts named, not what is due) and in its failure policy: none, a failure is
shown and the user decides.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from ..config import ChannelConfig, Config
from ..errors import (
    AlreadyScheduled,
    AuthFailed,
    BadInput,
    ChannelBlocked,
    DeliveryError,
    SecretsError,
)
from ..ledger import Delivery, Store, open_store
from ..post import Post
from ..preview import Preview, preview_channel
from ..queue.when import PAST_GRACE, local_text
from ..routing import Routing, route_versions
from ..states import TROUBLE, DeliveryState, RelayDecision, Route, allows
from .content import delivery_content, manual_note, new_delivery, other_version
from .deliver import Attempt, Requeue
from .pipeline import Batch, Pipeline
from .results import Action, Outcome, SendResult

S = DeliveryState
# Why a re-run leaves a delivery alone, by its state.
NOTES = {
    S.UNKNOWN: "may have been published, and the network could not tell yet: "
    "`crosspost reconcile {id}` asks again; or check it yourself, then "
    "`crosspost done {id} --url URL` or `publish --retry-unknown`",
    S.SENDING: "being sent by another run right now",
    S.MANUAL: "waiting to be posted by hand: `crosspost done {id} --url URL`",
    S.RELAYED: "relayed by its source channel",
    S.CANCELLED: "cancelled",
}

# Called from worker threads with (channel, post path, status text).
ProgressCallback = Callable[[str, str, str], None]


@dataclass
class _Job:
    """One post on one channel, through the run."""

    post: Post
    channel: ChannelConfig
    route: Routing
    credentials: dict[str, str]
    preview: Preview  # rendered once, in the preflight, and recorded as is
    delivery: Delivery | None = None
    outcome: Outcome | None = None
    version_note: str | None = None  # the channel has another language version

    def settle(
        self,
        delivery: Delivery | None,
        *,
        action: Action = Action.LEFT,
        note: str | None = None,
        sent_now: bool = False,
    ) -> None:
        self.delivery = delivery or self.delivery
        d = self.delivery
        self.outcome = Outcome(
            post=str(self.post.path),
            post_key=self.post.key,
            channel=self.channel.name,
            network=self.channel.network,
            action=action,
            delivery=d,
            route=d.route if d else self.route.kind,
            note=note,
            sent_now=sent_now,
            trouble=d is not None and d.state in TROUBLE,
            timezone=self.channel.timezone,
        )


@dataclass
class Publisher:
    config: Config
    home: Path
    force: bool = False
    retry_unknown: bool = False
    sandbox_url: str | None = None
    on_progress: ProgressCallback | None = None
    now: bool = False  # send what is queued for later too, without asking
    on_notice: Callable[[str], None] | None = None  # said at once (what Ctrl-C waits for)
    _pipeline: Pipeline = field(init=False)

    def __post_init__(self) -> None:
        self._pipeline = Pipeline(
            self.config,
            self.home,
            sandbox_url=self.sandbox_url,
            policy=self._policy,
            on_notice=self.on_notice,
        )

    def _policy(self, ledger: Store, delivery: Delivery, exc: DeliveryError) -> Requeue | None:
        """Publish retries nothing (the user is watching), but a refused token pauses the
        channel, as in `run`: its queued posts must not go on hitting the same wall."""
        if isinstance(exc, AuthFailed | ChannelBlocked):
            ledger.set_paused(delivery.channel, paused=True, reason=str(exc))
            self._pipeline.warn(
                f"channel {delivery.channel} is now PAUSED: {exc} Once fixed, run "
                f"`crosspost channel resume {delivery.channel}`."
            )
        return None

    def publish(self, posts: Sequence[Post], channels: Sequence[ChannelConfig]) -> SendResult:
        """Preflight every (post, channel), then send what is due.

        Raises BadInput (nothing sent) when the preflight fails; a network's
        refusal is an outcome, never an exception.
        """
        pipeline = self._pipeline
        jobs, skipped = self._preflight(posts, channels)
        with open_store(pipeline.home) as ledger:
            self._check_ledger(ledger, jobs)
            pipeline.recover_stale(ledger)
            pipeline.reconcile(ledger, {j.channel.name: j.channel for j in jobs}, recheck=True)
            live = [job for job in jobs if self._decide(ledger, job)]
            for job in live:
                self._record(ledger, job)
            self._send([job for job in live if job.route.kind != Route.RELAYED])
            if not pipeline.stopped.is_set():
                relayed = [j for j in live if j.route.kind == Route.RELAYED]
                self._send(self._settle_relays(ledger, relayed))
        for job in jobs:
            if job.outcome is None:  # Ctrl-C came first
                job.settle(job.delivery, note="not sent: interrupted (Ctrl-C); publish again")
        outcomes = skipped + [j.outcome for j in jobs if j.outcome is not None]
        order = {
            (str(p.path), c.name): i
            for i, (p, c) in enumerate((p, c) for p in posts for c in channels)
        }
        outcomes.sort(key=lambda o: order.get((o.post, o.channel), 0))
        return SendResult(
            tuple(outcomes),
            tuple(dict.fromkeys(pipeline.warnings)),
            interrupted=pipeline.stopped.is_set(),
        )

    # -- preflight ----------------------------------------------------------------

    def _preflight(
        self, posts: Sequence[Post], channels: Sequence[ChannelConfig]
    ) -> tuple[list[_Job], list[Outcome]]:
        """Check everything before the first request leaves: one bad channel stops all."""
        problems: list[str] = []
        jobs: list[_Job] = []
        skipped: list[Outcome] = []
        for post, routes in zip(posts, route_versions(self.config, posts, channels), strict=True):
            for channel in channels:
                route = routes[channel.name]
                if route.kind == Route.SKIPPED:
                    skipped.append(_not_routed(post, channel, route))
                    continue
                try:
                    jobs.append(self._job(post, channel, route))
                except SecretsError:
                    raise  # the team file, not this channel: one line says it for all
                except BadInput as exc:
                    problems.append(str(exc))
        if any(j.channel.shorten for j in jobs) and (problem := self._pipeline.shortener_problem()):
            problems.append(problem)
        if problems:
            raise BadInput(
                "nothing was sent; fix these first:\n" + "\n".join(dict.fromkeys(problems))
            )
        for channel in {j.channel.name: j.channel for j in jobs}.values():
            self._token_warning(channel)
        return jobs, skipped

    def _job(self, post: Post, channel: ChannelConfig, route: Routing) -> _Job:
        preview = preview_channel(self.config, post, channel, route=route)
        if post.image_path is not None and not post.image_path.is_file():
            raise BadInput(f"{post.path}: image {post.image!r} not found at {post.image_path}")
        credentials = self._pipeline.credentials(channel)
        return _Job(
            post=post, channel=channel, route=route, credentials=credentials, preview=preview
        )

    def _token_warning(self, channel: ChannelConfig) -> None:
        warning = self._pipeline.token_notice(channel)
        if warning:
            self._pipeline.warn(warning)

    # -- the ledger's say ---------------------------------------------------------

    def _check_ledger(self, ledger: Store, jobs: list[_Job]) -> None:
        """Before anything leaves or changes: a paused channel stops the run, two files
        of one language for one url stop it (PostError), a channel that has another
        language version already keeps it, and a post queued for later is sent now only
        when the user said so (AlreadyScheduled otherwise)."""
        for job in jobs:
            existing = ledger.find(post_key=job.post.key, channel=job.channel.name)
            if existing is not None and (note := other_version(self.config, existing, job.post)):
                job.version_note = note
        paused = ledger.paused_channels()
        problems = [
            f"channel {name} is paused: {paused[name]} Once fixed, run "
            f"`crosspost channel resume {name}`"
            for name in dict.fromkeys(j.channel.name for j in jobs)
            if name in paused
        ]
        if problems:
            raise BadInput("nothing was sent; fix these first:\n" + "\n".join(problems))
        if self.now:
            return
        soon = datetime.now(UTC) + PAST_GRACE
        queued = [
            f"{job.post.path} is queued on {job.channel.name} for "
            f"{local_text(d.due_at, job.channel.timezone)} (delivery {d.id})"
            for job in jobs
            if job.version_note is None
            and (d := ledger.find(post_key=job.post.key, channel=job.channel.name)) is not None
            and d.state == S.PENDING
            and d.due_at is not None
            and d.due_at > soon
        ]
        if queued:
            raise AlreadyScheduled(
                "nothing was sent: "
                + "; ".join(queued)
                + ". Send it now with `crosspost publish --now`, or leave it to the queue"
            )

    def _decide(self, ledger: Store, job: _Job) -> bool:
        """Whether this run may send `job`; if not, its outcome says why."""
        existing = ledger.find(post_key=job.post.key, channel=job.channel.name)
        if job.version_note is not None:  # another language version: never taken over
            skipped = Routing(job.channel.name, Route.SKIPPED, job.version_note)
            job.outcome = _not_routed(job.post, job.channel, skipped)
            return False
        job.delivery = existing
        if existing is None or allows("claim", existing.state):
            return True
        state = existing.state
        if self.force and state != S.SENDING and allows("force", state):
            job.delivery = ledger.reset_for_retry(existing.id, reason="--force", force=True)
            return True
        if state == S.UNKNOWN and self.retry_unknown:
            job.delivery = ledger.reset_for_retry(existing.id, reason="--retry-unknown")
            return True
        if state == S.SENT:
            sent_at = local_text(existing.sent_at, job.channel.timezone)
            when = f" on {sent_at}" if sent_at else ""
            note = f"already sent{when}"
            if existing.content_hash not in (None, job.post.content_hash):
                note += "; the post was edited since (not resent: use --force to republish)"
        else:
            note = NOTES.get(state, str(state)).format(id=existing.id)
        job.settle(existing, note=note)
        return False

    def _record(self, ledger: Store, job: _Job) -> None:
        """Render the text and record it as pending (its link is shortened when sent)."""
        content = delivery_content(job.post, job.channel, job.preview, job.route.kind)
        if job.delivery is None:
            job.delivery = new_delivery(ledger, job.post, job.channel, content)
        if allows("update", job.delivery.state) and not job.delivery.sent_parts:
            job.delivery = ledger.update_content(job.delivery.id, **content)

    # -- sending ------------------------------------------------------------------

    def _send(self, jobs: list[_Job]) -> None:
        """Send every job: channels in parallel, one channel's posts in order."""
        batches: dict[str, Batch] = {}
        by_delivery: dict[int, _Job] = {}
        for job in jobs:
            assert job.delivery is not None
            batch = batches.setdefault(job.channel.name, Batch(job.channel, job.credentials))
            batch.deliveries.append(job.delivery)
            by_delivery[job.delivery.id] = job

        def settle(batch: Batch, index: int, attempt: Attempt, _ledger: Store) -> bool:
            job = by_delivery[batch.deliveries[index].id]
            final = attempt.delivery
            if not attempt.claimed:
                job.settle(final, action=Action.TAKEN, note="taken by another run")
            elif final.state == S.MANUAL:
                job.settle(
                    final, action=Action.MANUAL, note=manual_note(job.channel, final), sent_now=True
                )
            else:
                job.settle(final, action=Action.after(final.state), sent_now=final.state == S.SENT)
            self._progress(job, final.state)
            return True  # publish sends every job it was asked to: the user is watching

        self._pipeline.send(batches, settle, lambda d: partial(self._progress, by_delivery[d.id]))

    def _progress(self, job: _Job, status: str) -> None:
        if self.on_progress is not None:
            with self._pipeline.lock:
                self.on_progress(job.channel.name, str(job.post.path), status)

    # -- the relay chain ------------------------------------------------------------

    def _settle_relays(self, ledger: Store, relayed: list[_Job]) -> list[_Job]:
        """Relayed channels: carried by their source when it was sent, else posted directly."""
        second: list[_Job] = []
        for job in relayed:  # a relay's source is never itself relayed here: it sends
            assert job.delivery is not None
            check = self._pipeline.check_relay(ledger, job.channel, job.post.key)
            if check.decision == RelayDecision.RELAYED:
                job.settle(
                    ledger.mark_relayed(job.delivery.id, via=check.source),
                    action=Action.RELAYED,
                    note=f"relayed by {check.source}",
                )
            elif check.decision == RelayDecision.REPOST:
                job.route = Routing(
                    job.channel.name,
                    Route.REPOST,
                    f"{check.source} failed, so its relay cannot carry it",
                )
                job.delivery = self._pipeline.make_repost(ledger, job.delivery)
                second.append(job)
            else:
                job.settle(
                    job.delivery,
                    action=Action.WAITING,
                    note=f"waiting: {check.source} is "
                    f"{check.source_state or 'not recorded'}; publish again once it is settled",
                )
        return second


def _not_routed(post: Post, channel: ChannelConfig, route: Routing) -> Outcome:
    return Outcome(
        post=str(post.path),
        post_key=post.key,
        channel=channel.name,
        network=channel.network,
        action=Action.SKIPPED,
        route=Route.SKIPPED,
        note=route.reason,
    )
