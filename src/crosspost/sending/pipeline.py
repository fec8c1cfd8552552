"""The steps every send run shares: `publish`, `run` and `feed pull` differ only in
which deliveries they choose and in what a failure does next (their `FailurePolicy`).

A run goes:
1. recover the claims of runs that died (`sending` -> `unknown`, said loudly),
   and ask the networks about the unknown deliveries (reconcile.py);
2. resolve the bit.ly token and each channel's credentials;
3. send the first wave (every channel that posts itself), channels in parallel,
   each channel's deliveries in order on one thread with its own ledger connection;
4. settle the relayed channels against what their sources now are: carried by
   the relay, posted directly after all (a "repost"), or looked at later;
5. send the second wave (the reposts).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..config import ChannelConfig, Config
from ..errors import Abandoned
from ..ledger import Delivery, Store
from ..routing import relay_decision
from ..states import DeliveryState, RelayDecision, Route
from .ahead import shorten_ahead, to_shorten, token_for
from .credentials import channel_credentials
from .deliver import (
    Attempt,
    FailurePolicy,
    Progress,
    Sender,
    build_adapter,
    lease_for,
    open_sender,
)
from .reconcile import Reconciled, Skipped, reconcile_all

# Networks are slow and independent; eight threads cover every realistic setup
# without opening more than bit.ly's five concurrent connections for long.
MAX_PARALLEL = 8


@dataclass
class Batch:
    """One channel's deliveries for one wave, sent in order on one thread."""

    channel: ChannelConfig
    credentials: dict[str, str]
    deliveries: list[Delivery] = field(default_factory=list)


# Told of every attempt as it ends (on the channel's thread, with the sender's
# ledger); answers whether the rest of the batch should still go.
AttemptHandler = Callable[[Batch, int, Attempt, Store], bool]
ProgressFor = Callable[[Delivery], Progress | None]


@dataclass(frozen=True)
class RelayCheck:
    """Where a relayed channel stands, given its source's delivery of the same post."""

    decision: RelayDecision
    source: str
    source_state: DeliveryState | None


@dataclass
class Pipeline:
    """One send run's shared machinery; `Publisher` and `Runner` drive it."""

    config: Config
    home: Path  # the crosspost home whose ledger this run records in
    sandbox_url: str | None = None
    policy: FailurePolicy | None = None
    warnings: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    shortener_token: str | None = None
    # Said at once, not gathered: what Ctrl-C is waiting for.
    on_notice: Callable[[str], None] | None = None
    # Set by Ctrl-C: no further request leaves; the run finishes what is in flight.
    stopped: threading.Event = field(default_factory=threading.Event)
    # Long links bit.ly refused in this run's wave ahead (each sender falls back or fails).
    link_problems: dict[str, str] = field(default_factory=dict)
    # The queue's runs: each claim keeps its channel's pace in the ledger (Sender.paced).
    paced: bool = False
    # Deliveries whose request may be on the wire, and how long their answer may take.
    _in_flight: dict[int, float] = field(default_factory=dict)

    @property
    def sandbox(self) -> bool:
        return self.sandbox_url is not None

    def warn(self, message: str) -> None:
        from ..secrets import scrub  # a receipt's warning may quote the network

        with self.lock:
            self.warnings.append(scrub(message))

    def recover_stale(self, ledger: Store) -> None:
        """Turn the claims of runs that died into `unknown`, and say so."""
        for stale in ledger.recover_stale():
            self.warn(
                f"delivery {stale.id} ({stale.channel}) was interrupted while sending by an "
                "earlier run: marked unknown (`crosspost reconcile` asks the network about it)"
            )

    def reconcile(
        self, ledger: Store, channels: Mapping[str, ChannelConfig], *, recheck: bool
    ) -> list[Reconciled | Skipped]:
        """Ask the networks about the unknown deliveries of `channels` before sending,
        and say what each answer did (`found`, `absent`, still unknown)."""
        unknown = [
            d for d in ledger.deliveries(states=[DeliveryState.UNKNOWN]) if d.channel in channels
        ]
        if not unknown:
            return []
        results = reconcile_all(
            ledger,
            unknown,
            channels=channels,
            adapter_for=lambda c: build_adapter(
                c, self.credentials(c), self.sandbox_url, home=self.home
            ),
            paused=ledger.paused_channels(),
            recheck=recheck,
        )
        for result in results:
            if isinstance(result, Reconciled):
                d = result.delivery
                self.warn(f"delivery {d.id} ({d.channel}) was unknown: {result.note}")
        return results

    def credentials(self, channel: ChannelConfig) -> dict[str, str]:
        """The channel's credentials; CredentialError (BadInput) names a missing one."""
        return channel_credentials(channel, sandbox=self.sandbox)

    @staticmethod
    def token_notice(channel: ChannelConfig) -> str | None:
        """The network's word on the channel's token: expiring within days, or expired."""
        from ..networks import WarnsOfTokens, load_networks

        cls = load_networks().resolve(channel.network)
        if not isinstance(cls, WarnsOfTokens):
            return None
        return cls.token_warning(channel.settings, channel=channel.name)

    @staticmethod
    def token_expired(channel: ChannelConfig, today: date) -> bool:
        """Whether the channel's `token_expires` (where its network has one) is past."""
        expires = getattr(channel.settings, "token_expires", None)
        return isinstance(expires, date) and expires < today

    def check_relay(self, ledger: Store, channel: ChannelConfig, post_key: str) -> RelayCheck:
        """Carried by the relay, posted directly (the chain is broken), or later."""
        source = channel.spec.relayed_by or ""
        if channel.spec.relay == "broken" or source not in self.config.channels:
            return RelayCheck(RelayDecision.REPOST, source, None)
        row = ledger.find(post_key=post_key, channel=source)
        state = row.state if row else None
        return RelayCheck(relay_decision(state), source, state)

    @staticmethod
    def make_repost(ledger: Store, delivery: Delivery) -> Delivery:
        """The relay cannot carry it: record that this channel posts it itself."""
        return ledger.update_content(
            delivery.id,
            text=delivery.text,
            parts=delivery.parts,
            link=delivery.link,
            content_hash=delivery.content_hash,
            route=Route.REPOST,
        )

    def send(
        self,
        batches: Mapping[str, Batch],
        on_attempt: AttemptHandler,
        progress_for: ProgressFor | None = None,
    ) -> None:
        """Send a wave: channels in parallel, one channel's deliveries in order."""

        def send_batch(batch: Batch) -> None:
            with open_sender(
                config=self.config,
                channel=batch.channel,
                credentials=batch.credentials,
                home=self.home,
                api_url=self.sandbox_url,
                shortener_token=self.shortener_token,
                policy=self.policy,
                link_problems=self.link_problems,
                paced=self.paced,
            ) as sender:
                self._send_batch(sender, batch, on_attempt, progress_for)

        if self.stopped.is_set():
            return  # interrupted in an earlier wave: nothing more leaves
        self.shorten_ahead(batches)
        self._in_parallel(batches, send_batch)

    def shorten_ahead(self, batches: Mapping[str, Batch]) -> None:
        """Every link of the wave not cached yet, shortened in one parallel wave before
        the first post leaves: then each post costs one round trip, not two in a row."""
        if self.shortener_token is None:
            return
        wanted = to_shorten(d for b in batches.values() for d in b.deliveries)
        if wanted:
            ahead = shorten_ahead(
                self.config,
                wanted,
                home=self.home,
                token=self.shortener_token,
                api_url=self.sandbox_url,
            )
            self.link_problems.update(ahead.problems)

    def _in_parallel(self, batches: Mapping[str, Batch], work: Callable[[Batch], None]) -> None:
        """Each channel's batch on its own thread, at once: a wave takes as long as the
        slowest network, not the sum.  Ctrl-C: the first one lets the requests in flight
        finish (and says so at once), a second one abandons them."""
        if not batches:
            return
        pool = ThreadPoolExecutor(max_workers=min(MAX_PARALLEL, len(batches)))
        futures = [pool.submit(work, batch) for batch in batches.values()]
        try:
            for future in futures:
                future.result()
        except KeyboardInterrupt:
            self._wait_after_interrupt(pool, futures)  # Abandoned: leave without waiting
        except BaseException:
            pool.shutdown(wait=True)  # a bug in one channel: the others finish first
            raise
        pool.shutdown(wait=True)

    def _wait_after_interrupt(self, pool: ThreadPoolExecutor, futures: list[Future[None]]) -> None:
        self.stopped.set()
        pool.shutdown(wait=False, cancel_futures=True)  # channels not started never start
        with self.lock:
            count, longest = len(self._in_flight), max(self._in_flight.values(), default=0.0)
        if count:
            self._notice(
                f"{count} request{'s' if count > 1 else ''} already sent: waiting up to "
                f"{longest:.0f} s for {'their answers' if count > 1 else 'its answer'}; "
                f"Ctrl-C again to stop now, {'they' if count > 1 else 'it'} will be marked unknown"
            )
        else:
            self._notice("interrupted: nothing was in flight; no further request leaves")
        try:
            wait(futures)
        except KeyboardInterrupt:
            raise Abandoned(
                f"stopped without waiting: {count} delivery(ies) left sending; the next run "
                "marks them unknown (check the network, then `crosspost done` or retry)"
            ) from None
        for future in futures:
            if not future.cancelled() and (exc := future.exception()) is not None:
                raise exc

    def _notice(self, message: str) -> None:
        if self.on_notice is not None:
            self.on_notice(message)
        else:
            self.warn(message)

    def _send_batch(
        self,
        sender: Sender,
        batch: Batch,
        on_attempt: AttemptHandler,
        progress_for: ProgressFor | None,
    ) -> None:
        for index, delivery in enumerate(batch.deliveries):
            if self.stopped.is_set():
                break  # Ctrl-C: the rest of this channel's deliveries stay as they are
            progress = progress_for(delivery) if progress_for else None
            with self.lock:
                self._in_flight[delivery.id] = lease_for(batch.channel, delivery) - 60
            try:
                attempt = sender.send(delivery, progress=progress)
            finally:
                with self.lock:
                    self._in_flight.pop(delivery.id, None)
            for warning in attempt.warnings:
                self.warn(warning)
            if not on_attempt(batch, index, attempt, sender.ledger):
                break

    def shortener_problem(self) -> str | None:
        """Resolve this run's bit.ly token; why there is none (None when there is one,
        or none is needed)."""
        self.shortener_token, why = token_for(self.config, sandbox=self.sandbox)
        return why
