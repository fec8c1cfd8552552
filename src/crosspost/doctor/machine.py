"""The doctor's checks of the machine crosspost runs on: the ledger opens and migrates,
the secrets files are not readable by others, cron runs `crosspost run`, the last
run was recent, and the clock agrees with the networks'."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from .findings import Finding, Status

if TYPE_CHECKING:
    from ..workspace import Workspace

SUBJECT = "machine"
STALE_RUN = timedelta(minutes=10)  # cron runs every minute: ten missed is not a hiccup
CLOCK_SKEW = timedelta(seconds=60)
CRONTAB_TIMEOUT = 10


def ledger_finding(ws: Workspace) -> tuple[Finding, datetime | None]:
    """Whether the ledger opens (and migrates), and when `run` last ran."""
    try:
        with ws.store() as ledger:
            last = ledger.mark("run")
            where = ledger.location
    except Exception as exc:  # any failure to open is what this check is for
        fix = "see the error; `crosspost ledger info` says which ledger this is"
        return Finding(SUBJECT, "ledger", Status.FAIL, f"cannot open: {exc}", fix), None
    return Finding(SUBJECT, "ledger", Status.OK, f"opens and is migrated ({where})"), last


def mode_findings(paths: list[Path]) -> list[Finding]:
    """Files holding secrets must not be readable by group or others."""
    found = []
    for path in paths:
        if not path.exists():
            continue
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            fix = f"chmod 600 {shlex.quote(str(path))}"
            said = f"{path} is mode {mode:o}: readable by others"
            found.append(Finding(SUBJECT, "file modes", Status.FAIL, said, fix))
        else:
            found.append(Finding(SUBJECT, "file modes", Status.OK, f"{path} is mode {mode:o}"))
    return found


def cron_finding(home: Path) -> Finding:
    """The line `crosspost cron` prints, for this home, in the user's crontab (or the
    systemd timer it offers instead)."""
    wanted = f"--home {shlex.quote(str(home.resolve()))} run"
    fix = "`crosspost cron` prints the line for `crontab -e`"
    timer = _systemd_timer()
    if timer.exists():
        return Finding(SUBJECT, "cron", Status.OK, f"systemd timer {timer}")
    crontab = shutil.which("crontab")
    if crontab is None:
        return Finding(SUBJECT, "cron", Status.UNCHECKED, "no crontab command here", fix)
    try:
        listed = subprocess.run(
            [crontab, "-l"], capture_output=True, text=True, timeout=CRONTAB_TIMEOUT, check=False
        )
    except (OSError, subprocess.SubprocessError) as exc:
        why = f"could not check: crontab -l failed ({type(exc).__name__})"
        return Finding(SUBJECT, "cron", Status.UNCHECKED, why, fix)
    lines = [line.strip() for line in listed.stdout.splitlines()]
    if any(wanted in line and not line.startswith("#") for line in lines):
        return Finding(SUBJECT, "cron", Status.OK, "crontab runs `crosspost run` for this home")
    return Finding(
        SUBJECT, "cron", Status.FAIL, "no crontab line runs `crosspost run` for this home", fix
    )


def _systemd_timer() -> Path:
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "systemd" / "user" / "crosspost.timer"


def last_run_finding(last: datetime | None, *, now: datetime) -> Finding:
    fix = "check that cron runs (`crontab -l`, its log HOME/run.log)"
    if last is None:
        return Finding(SUBJECT, "last run", Status.WARN, "no `crosspost run` recorded yet", fix)
    ago = now - last
    minutes = int(ago.total_seconds() // 60)
    said = f"{minutes} minute(s) ago ({last.astimezone(UTC):%Y-%m-%d %H:%M} UTC)"
    if ago > STALE_RUN:
        return Finding(SUBJECT, "last run", Status.FAIL, f"last `run` {said}", fix)
    return Finding(SUBJECT, "last run", Status.OK, f"last `run` {said}")


# `crosspost stats` runs once a day: two days without a reading is a missed cron line.
STALE_STATS = timedelta(days=2)


def stats_finding(ws: Workspace, *, now: datetime) -> Finding | None:
    """When the networks' figures were last read (`crosspost stats`), or None when no
    channel could give any (only by-hand ones, or `stats: false` everywhere)."""
    from ..stats.read import mark_name

    names = [c.name for c in ws.config.channels.values() if c.spec.stats and not c.manual]
    if not names:
        return None
    fix = "`crosspost cron` prints the daily `crosspost stats` line (the report's followers)"
    try:
        with ws.store() as ledger:
            marks = [m for n in names if (m := ledger.mark(mark_name(n))) is not None]
    except Exception:  # the ledger finding says what is wrong with the ledger
        return None
    if not marks:
        said = "no `crosspost stats` reading yet: the report shows no followers or engagement"
        return Finding(SUBJECT, "stats", Status.WARN, said, fix)
    last = max(marks)
    days = (now - last).days
    said = f"last read {last.astimezone(UTC):%Y-%m-%d %H:%M} UTC ({days} day(s) ago)"
    if now - last > STALE_STATS:
        return Finding(SUBJECT, "stats", Status.WARN, said, fix)
    return Finding(SUBJECT, "stats", Status.OK, said)


def clock_finding(url: str | None, *, timeout: float) -> Finding:
    """The local clock against a network's `Date` header (signatures and scheduling
    both go wrong when it drifts)."""
    import email.utils
    import urllib.error
    import urllib.request

    if url is None:
        return Finding(SUBJECT, "clock", Status.UNCHECKED, "no network to compare with")
    request = urllib.request.Request(url, method="HEAD")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            said = answer.headers.get("Date")
    except urllib.error.HTTPError as exc:  # an error answer still carries its Date
        said = exc.headers.get("Date")
    except (OSError, ValueError) as exc:
        why = f"could not check: no answer from {url} ({type(exc).__name__})"
        return Finding(SUBJECT, "clock", Status.UNCHECKED, why)
    local = datetime.now(UTC)
    try:
        theirs = email.utils.parsedate_to_datetime(said or "")
    except (TypeError, ValueError):
        return Finding(SUBJECT, "clock", Status.UNCHECKED, f"{url} sent no Date header")
    skew = (local - theirs).total_seconds()
    said = f"{abs(skew):.0f} s {'ahead of' if skew > 0 else 'behind'} {url}"
    if abs(skew) > CLOCK_SKEW.total_seconds():
        return Finding(
            SUBJECT, "clock", Status.FAIL, said, "turn on NTP (timedatectl set-ntp true)"
        )
    return Finding(SUBJECT, "clock", Status.OK, said)
