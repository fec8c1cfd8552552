"""The text `crosspost cron` prints: a crontab line and a systemd service and timer
that run `crosspost run` with this installation's absolute paths."""

from __future__ import annotations

import shlex
import shutil
import sys
from pathlib import Path


def crosspost_command() -> str:
    """How to start this very installation of crosspost from cron or systemd."""
    beside = Path(sys.executable).parent / "crosspost"  # this virtualenv's script
    if beside.exists():
        return str(beside)
    return shutil.which("crosspost") or f"{sys.executable} -m crosspost"


def cron_line(*, config: Path, home: Path, every: int = 1, exe: str | None = None) -> str:
    """The crontab entry alone: `crosspost cron` prints it among its notes, the handbook
    hands it over as the line the machine should have."""
    minute = "*" if every == 1 else f"*/{every}"
    return (
        f"{minute} * * * * set -a && . {shlex.quote(str(home / 'env'))} && set +a && "
        f"{_run_command(exe, config, home)} >> {shlex.quote(str(home / 'run.log'))} 2>&1"
    )


# The stats reading: once a day, early (before she opens the report), at an odd minute
# so that many installations do not all call the networks at 07:00 sharp.
STATS_AT = (6, 17)


def stats_line(*, config: Path, home: Path, exe: str | None = None) -> str:
    """The daily `crosspost stats` entry (followers and engagement for the report)."""
    hour, minute = STATS_AT
    return (
        f"{minute} {hour} * * * set -a && . {shlex.quote(str(home / 'env'))} && set +a && "
        f"{_run_command(exe, config, home, 'stats')} >> {shlex.quote(str(home / 'stats.log'))} 2>&1"
    )


def _run_command(exe: str | None, config: Path, home: Path, command: str = "run") -> str:
    exe = exe or crosspost_command()
    return f"{exe} --config {shlex.quote(str(config))} --home {shlex.quote(str(home))} {command}"


def cron_text(*, config: Path, home: Path, every: int = 1, exe: str | None = None) -> str:
    """The crontab line and systemd units, with a header on where secrets go.

    `config` and `home` should be absolute: cron starts in another directory.
    Both read one env file, `HOME/env`, so secrets are set up once.
    """
    env_file = home / "env"
    log = home / "run.log"
    command = _run_command(exe, config, home)
    entry = cron_line(config=config, home=home, every=every, exe=exe)
    stats = stats_line(config=config, home=home, exe=exe)
    hour, minute = STATS_AT
    return f"""\
# crosspost needs its channels' secrets in the environment: put them in
# {env_file}, one NAME=value line each (EBS_X_CONSUMER_KEY=...), and `chmod 600` it.
# Both cron and systemd below read that one file.

# --- crontab -e  (every day, weekends included) ---
{entry}
# and once a day, the followers and engagement the monthly report shows:
{stats}

# --- or systemd: ~/.config/systemd/user/crosspost.service ---
[Unit]
Description=crosspost: send due social posts

[Service]
Type=oneshot
EnvironmentFile={env_file}
ExecStart={command}

# --- ~/.config/systemd/user/crosspost.timer ---
[Unit]
Description=Run crosspost every {every} minute(s)

[Timer]
OnCalendar=*:0/{every}
Persistent=true

[Install]
WantedBy=timers.target

# --- and ~/.config/systemd/user/crosspost-stats.service ---
[Unit]
Description=crosspost: record followers and engagement

[Service]
Type=oneshot
EnvironmentFile={env_file}
ExecStart={_run_command(exe, config, home, "stats")}

# --- ~/.config/systemd/user/crosspost-stats.timer ---
[Unit]
Description=Read the networks' figures once a day

[Timer]
OnCalendar=*-*-* {hour:02d}:{minute:02d}:00
Persistent=true

[Install]
WantedBy=timers.target

# then: systemctl --user daemon-reload &&
#   systemctl --user enable --now crosspost.timer crosspost-stats.timer
# Output goes to `journalctl --user -u crosspost` with systemd, to {log} with cron.
"""
