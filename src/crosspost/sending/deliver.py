"""Sending one recorded delivery: shorten, claim, request, record.  Every send
of `publish`, `run` and `feed pull` goes through `Sender.send`, so all keep the
same never-twice rules.

The claim (state `sending`) is committed before the request leaves and the
answer is recorded the moment it arrives.  What the adapter sends is read from
the ledger row, not from the post file: a queued post goes out exactly as it
was previewed, and a feed entry needs no file at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ..config import ChannelConfig, Config
from ..errors import (
    BadInput,
    ChannelMisconfigured,
    DeliveryError,
    Duplicate,
    LedgerError,
    RateLimited,
    ShortenerFailed,
    Uncertain,
)
from ..ledger import Delivery, Pace, Store, open_store
from ..links import LinkShortener
from ..networks.base import Answer, Network
from .ahead import needs_short_link
from .content import outgoing_for
from .reconcile import find

# How far back a "duplicate" answer sends us looking for the post it means: networks
# do not say how long they remember, and it may be one she posted by hand last week.
DUPLICATE_LOOKBACK = timedelta(days=7)


@dataclass(frozen=True)
class Requeue:
    """Put a failed delivery back in the queue, due at `at` (None: now)."""

    at: datetime | None = None


# Given the ledger, the failed attempt and the error, whether (and when) to try again.
FailurePolicy = Callable[[Store, Delivery, DeliveryError], Requeue | None]
Progress = Callable[[str], None]


@dataclass(frozen=True)
class Attempt:
    """What one call of `send_delivery` did."""

    delivery: Delivery  # the row as it stands afterwards
    claimed: bool  # False: another run holds it or it was no longer sendable
    warnings: tuple[str, ...] = field(default_factory=tuple)


def build_adapter(
    channel: ChannelConfig,
    credentials: Mapping[str, str],
    sandbox_url: str | None,
    *,
    home: Path | None,
) -> Network:
    """The network adapter for `channel`, through the entry-point registry; `home`
    None keeps its plugin from storing anything (no state directory)."""
    from ..home import channel_state_dir
    from ..networks import load_networks

    cls = load_networks().resolve(channel.network)
    sandbox = sandbox_url is not None
    return cls(
        channel=channel.name,
        settings=channel.settings,
        credentials=dict(credentials),
        api_url=sandbox_url or channel.spec.api_url,
        timeout=channel.timeout,
        state_dir=channel_state_dir(home, channel.name, sandbox=sandbox) if home else None,
    )


def lease_for(channel: ChannelConfig, delivery: Delivery) -> float:
    """How long a claim may stay `sending` before it is presumed dead."""
    return channel.timeout * (len(delivery.parts) + 2) + 60


def pace_for(channel: ChannelConfig, now: datetime) -> Pace | None:
    """The channel's `min_interval` and `max_per_day` as its claims enforce them in the
    ledger, where every process sharing it sees them (None: nothing to enforce)."""
    from ..pacing import day_around

    pacing = channel.pacing
    if not (pacing.min_interval or pacing.max_per_day):
        return None
    day = day_around(pacing, now) if pacing.max_per_day else None
    return Pace(min_interval=pacing.min_interval, max_per_day=pacing.max_per_day, day=day)


@dataclass
class Sender:
    """Sends the deliveries of one channel, on one thread, with its own ledger connection."""

    config: Config
    channel: ChannelConfig
    ledger: Store
    adapter: Network
    shortener: LinkShortener | None = None
    policy: FailurePolicy | None = None
    # Long links bit.ly already refused in this run's wave ahead: not asked again.
    link_problems: Mapping[str, str] = field(default_factory=dict)
    # The queue's sends keep the channel's pace in the claim itself (`pace_for`);
    # `publish` sends what the user asked for now.
    paced: bool = False

    def send(self, delivery: Delivery, *, progress: Progress | None = None) -> Attempt:
        """Shorten the link, claim, send and record one delivery.

        On a manual channel "sending" is handing the paste-ready text, with its
        short link, to a human: the delivery becomes `manual`.
        """
        warnings: list[str] = []
        try:
            delivery = self._shorten(delivery, warnings)
            if self.channel.manual:
                handed = self.ledger.mark_manual(delivery.id)
                return Attempt(handed, claimed=True, warnings=tuple(warnings))
        except ShortenerFailed as exc:
            return self._fail_before_sending(delivery, exc, warnings)
        except LedgerError:  # another run took it while we shortened
            return Attempt(self.ledger.get(delivery.id), claimed=False)
        claimed = self.ledger.claim(
            delivery.id,
            owner=self.ledger.owner_id(),
            lease_seconds=lease_for(self.channel, delivery),
            pace=pace_for(self.channel, datetime.now(UTC)) if self.paced else None,
        )
        if claimed is None:
            return Attempt(self.ledger.get(delivery.id), claimed=False)
        if progress:
            progress("sending")
        final = self._request(claimed, warnings, progress)
        return Attempt(final, claimed=True, warnings=tuple(warnings))

    def _shorten(self, delivery: Delivery, warnings: list[str]) -> Delivery:
        """Swap the long link for its bit.ly link in the text, before the claim.

        bit.ly is asked at most once per long URL ever (the ledger caches it), so
        a run that loses the claim afterwards wastes nothing.
        """
        long_url = delivery.link
        # A half-published thread keeps the link it started with (needs_short_link).
        if not (long_url and self.shortener and needs_short_link(delivery)):
            return delivery
        try:
            if long_url in self.link_problems:
                raise ShortenerFailed(self.link_problems[long_url], channel=delivery.channel)
            short = self.shortener.shorten(long_url)
        except ShortenerFailed as exc:
            settings = self.config.shortener
            if settings is not None and settings.on_error == "fail":
                raise
            warnings.append(f"{delivery.channel}: {exc}; sent the long link instead")
            return delivery
        parts = tuple(p.replace(long_url, short) for p in delivery.parts)
        return self.ledger.update_content(
            delivery.id,
            text=parts[0],
            parts=parts,
            link=short,
            content_hash=delivery.content_hash,
            route=delivery.route,
            payload={**delivery.payload, "shorten": False, "long_link": long_url},
        )

    def _request(
        self, claimed: Delivery, warnings: list[str], progress: Progress | None
    ) -> Delivery:
        ledger = self.ledger
        parts = len(claimed.parts)

        def on_part(index: int, remote_id: str) -> None:
            # Each part out renews the claim's lease: its claimer is plainly alive.
            renew = lease_for(self.channel, claimed)
            ledger.record_part(claimed.id, index=index, remote_id=remote_id, renew_seconds=renew)
            if progress and parts > 1:
                progress(f"part {index + 1}/{parts} sent")

        try:
            outgoing = outgoing_for(claimed, default_lang=self.config.defaults.lang)
            receipt = self.adapter.send(outgoing=outgoing, on_part=on_part)
        except Uncertain as exc:
            return ledger.mark_unknown(claimed.id, error=str(exc))
        except Duplicate as exc:
            found = self._find_duplicate(claimed, warnings)
            if found is not None:
                return found
            return self._record_failure(claimed, exc)
        except DeliveryError as exc:
            return self._record_failure(claimed, exc)
        except BadInput as exc:
            # An adapter's word that a setting or credential is wrong comes before any
            # request (docs/plugins.md): nothing left, and the fix is in channels.yaml.
            misconfigured = ChannelMisconfigured(str(exc), channel=claimed.channel)
            return self._record_failure(claimed, misconfigured)
        except Exception as exc:  # a bug after the claim: the request may have left
            return ledger.mark_unknown(
                claimed.id,
                error=f"internal error while sending ({type(exc).__name__}): "
                "the post may or may not exist",
            )
        warnings.extend(f"{claimed.channel}: {w}" for w in receipt.warnings)
        return ledger.mark_sent(
            claimed.id,
            remote_id=receipt.remote_id,
            remote_url=receipt.url,
            part_ids=receipt.part_ids,
        )

    def _record_failure(self, claimed: Delivery, exc: DeliveryError) -> Delivery:
        """A refusal: failed, or back in the queue when the run's policy says so."""
        requeue = self.policy(self.ledger, claimed, exc) if self.policy else None
        retry_at = exc.reset_at if isinstance(exc, RateLimited) else None
        return self.ledger.mark_failed(
            claimed.id,
            kind=exc.kind,
            error=str(exc),
            retry_at=requeue.at if requeue else retry_at,
            requeue=requeue is not None,
        )

    def _find_duplicate(self, claimed: Delivery, warnings: list[str]) -> Delivery | None:
        """The network says it has this post already: look for it on the account.

        Found (every part): the delivery is that post, `sent`.  Otherwise the
        leading parts found are recorded (a retry resumes after them) and the
        refusal stands.
        """
        current = self.ledger.get(claimed.id)  # with the parts recorded as they went
        since = datetime.now(UTC) - DUPLICATE_LOOKBACK
        finding = find(self.adapter, current, since=since)
        if finding.answer is not Answer.FOUND:
            for offset, remote_id in enumerate(finding.part_ids):
                self.ledger.record_part(
                    current.id, index=len(current.sent_parts) + offset, remote_id=remote_id
                )
            return None
        found = self.ledger.mark_found(
            current.id,
            part_ids=finding.part_ids,
            remote_url=finding.url,
            posted_at=finding.posted_at,
            checked=finding.checked,
        )
        warnings.append(
            f"{current.channel}: the network already had this post (an earlier attempt went "
            f"out): recorded delivery {current.id} as sent, {found.remote_url or found.remote_id}"
        )
        return found

    def _fail_before_sending(
        self, delivery: Delivery, exc: DeliveryError, warnings: list[str]
    ) -> Attempt:
        """A failure before any request left (bit.ly refused, with on_error: fail)."""
        claimed = self.ledger.claim(delivery.id, owner=self.ledger.owner_id(), lease_seconds=60)
        if claimed is None:
            return Attempt(self.ledger.get(delivery.id), claimed=False)
        requeue = self.policy(self.ledger, claimed, exc) if self.policy else None
        final = self.ledger.mark_failed(
            claimed.id,
            kind=exc.kind,
            error=str(exc),
            retry_at=requeue.at if requeue else None,
            requeue=requeue is not None,
        )
        return Attempt(final, claimed=True, warnings=tuple(warnings))


@contextmanager
def open_sender(
    *,
    config: Config,
    channel: ChannelConfig,
    credentials: Mapping[str, str],
    home: Path,
    api_url: str | None,
    shortener_token: str | None,
    policy: FailurePolicy | None = None,
    link_problems: Mapping[str, str] | None = None,
    paced: bool = False,
) -> Iterator[Sender]:
    """A Sender with its own ledger connection (sqlite3 connections stay on their thread)."""
    with open_store(home) as ledger:
        shortener = None
        if config.shortener is not None and shortener_token:
            shortener = LinkShortener(
                config.shortener, token=shortener_token, ledger=ledger, api_url=api_url
            )
        yield Sender(
            config=config,
            channel=channel,
            ledger=ledger,
            adapter=build_adapter(channel, credentials, api_url, home=home),
            shortener=shortener,
            policy=policy,
            link_problems=link_problems or {},
            paced=paced,
        )
