"""`Doctor`: every check for one workspace, as `crosspost doctor` asks them and as `run`
asks them (the cheap part each time, the live part once a day)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from ..secrets.team import identity_path
from .channels import cheap_findings, live_findings
from .findings import Diagnosis, Finding, Status

if TYPE_CHECKING:
    from ..config import ChannelConfig
    from ..workspace import Workspace

LIVE_EVERY = timedelta(days=1)  # `run` asks the networks once a day
RUN_MARK, DOCTOR_MARK = "run", "doctor"
MAX_THREADS = 8  # networks are slow and independent, as when sending


@dataclass
class Doctor:
    ws: Workspace

    def diagnose(
        self,
        names: Sequence[str] = (),
        *,
        sandbox_url: str | None = None,
        now: datetime | None = None,
    ) -> Diagnosis:
        """Every check, live: the channels named (all when none), bit.ly, the secrets'
        age and the machine; recorded as the day's live check for `run`."""
        from . import machine
        from .bitly_check import bitly_findings
        from .rotation import rotation_findings

        now = now or datetime.now(UTC)
        ws = self.ws
        ledger, last_run = machine.ledger_finding(ws)
        channels = [c for c in ws.channels(names) if not c.info.manual and c.spec.enabled]
        found = self._channel_findings(channels, sandbox_url=sandbox_url, now=now)
        if ws.config.shortener is not None:
            found += bitly_findings(ws.config.shortener, sandbox_url=sandbox_url)
        found += rotation_findings(ws, now=now, sandbox=sandbox_url is not None, channels=names)
        found.append(ledger)
        # The identity is this manager's private age key: readable by others, the team
        # file is theirs to read too.
        identity = identity_path(ws.home)
        found += machine.mode_findings([ws.home / "env", ws.config.secrets_path, identity])
        found.append(machine.cron_finding(ws.home))
        found.append(machine.last_run_finding(last_run, now=now))
        if (stats := machine.stats_finding(ws, now=now)) is not None:
            found.append(stats)
        found.append(machine.clock_finding(_clock_url(channels, sandbox_url), timeout=5))
        if ledger.status is Status.OK:
            with ws.store() as store:
                store.set_mark(DOCTOR_MARK, now)
        return Diagnosis(tuple(found))

    def _channel_findings(
        self, channels: list[ChannelConfig], *, sandbox_url: str | None, now: datetime
    ) -> list[Finding]:
        today = now.date()
        with self.ws.store() as ledger:
            recorded = ledger.channel_accounts()

        def one(channel: ChannelConfig) -> list[Finding]:
            live = live_findings(
                channel,
                recorded=recorded.get(channel.name),
                sandbox_url=sandbox_url,
                home=self.ws.home,
                today=today,
            )
            cheap = cheap_findings(channel, today=today)
            if any(f.what == "expiry" for f in live):  # the network's word wins over the file's
                cheap = [f for f in cheap if f.what != "expiry"]
            return live + cheap

        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=min(MAX_THREADS, len(channels) or 1)) as pool:
            return [f for batch in pool.map(one, channels) for f in batch]

    def record_run(self, *, now: datetime | None = None) -> None:
        """Say that `run` ran (the doctor's "last run"), in a ledger that exists."""
        if self.ws.has_ledger:
            with self.ws.store() as ledger:
                ledger.set_mark(RUN_MARK, now or datetime.now(UTC))

    def on_run(self, *, sandbox_url: str | None = None, now: datetime | None = None) -> list[str]:
        """What `run` says of health: the secrets' age on every run, and once a day
        (after the last `doctor`, by hand or by `run`) the live checks; the
        warnings and failures, one line each.  It pauses nothing: a send refused
        for its credentials pauses its channel by itself."""
        from .rotation import rotation_findings

        now = now or datetime.now(UTC)
        found = rotation_findings(self.ws, now=now, sandbox=sandbox_url is not None)
        with self.ws.store() as ledger:
            last = ledger.mark(DOCTOR_MARK)
            if last is None:
                # A first run has no day to count from: start counting, ask tomorrow
                # (a first `crosspost doctor` is part of setting up).
                ledger.set_mark(DOCTOR_MARK, now)
        if last is not None and now - last >= LIVE_EVERY:
            channels = [c for c in self.ws.channels() if not c.info.manual and c.spec.enabled]
            found += self._channel_findings(channels, sandbox_url=sandbox_url, now=now)
            with self.ws.store() as ledger:
                ledger.set_mark(DOCTOR_MARK, now)
        # Expiry and version notices: `run` already says them for every channel.
        return [f.said() for f in found if f.status is not Status.OK and f.what != "expiry"]


def _clock_url(channels: list[ChannelConfig], sandbox_url: str | None) -> str | None:
    if sandbox_url:
        return sandbox_url
    for channel in channels:
        url = channel.spec.api_url or channel.info.default_api_url
        if url:
            return url
    return None
