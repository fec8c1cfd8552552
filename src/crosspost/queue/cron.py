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


def _run_command(exe: str | None, config: Path, home: Path) -> str:
    exe = exe or crosspost_command()
    return f"{exe} --config {shlex.quote(str(config))} --home {shlex.quote(str(home))} run"


def cron_text(*, config: Path, home: Path, every: int = 1, exe: str | None = None) -> str:
    """The crontab line and systemd units, with a header on where secrets go.

    `config` and `home` should be absolute: cron starts in another directory.
    Both read one env file, `HOME/env`, so secrets are set up once.
    """
    env_file = home / "env"
    log = home / "run.log"
    command = _run_command(exe, config, home)
    entry = cron_line(config=config, home=home, every=every, exe=exe)
    return f"""\
# crosspost needs its channels' secrets in the environment: put them in
# {env_file}, one NAME=value line each (EBS_X_CONSUMER_KEY=...), and `chmod 600` it.
# Both cron and systemd below read that one file.

# --- crontab -e  (every day, weekends included) ---
{entry}

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

# then: systemctl --user daemon-reload && systemctl --user enable --now crosspost.timer
# Output goes to `journalctl --user -u crosspost` with systemd, to {log} with cron.
"""
