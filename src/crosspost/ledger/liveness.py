"""Whether the process that claimed a delivery still lives.

A claim names its claimer as `host:pid:token` (`owner_id`).  On Linux the
token is the boot id and the process start time, read from /proc, so a later
run on the same host can tell a dead claimer from a live one even after the
pid was reused (`claimer_is_gone`); anything it cannot check is assumed alive
and left to the lease.  Nothing here depends on the kind of store.
"""

from __future__ import annotations

import os
import socket
import uuid
from pathlib import Path

_OWNER_CACHE: dict[int, str] = {}


def owner_id() -> str:
    """This process, as `host:pid:token`, so a later run can tell whether it still lives.

    On Linux the token is the boot id and the process start time, which
    `claimer_is_gone` checks against /proc to survive pid reuse; elsewhere it
    is random and only the lease can retire a claim.
    """
    pid = os.getpid()
    owner = _OWNER_CACHE.get(pid)
    if owner is None:  # computed per pid: a forked child is another claimer
        start = _process_start(pid)
        token = f"{_boot_id() or '-'}@{start}" if start is not None else f"rnd-{uuid.uuid4().hex}"
        owner = f"{_hostname()}:{pid}:{token}"
        _OWNER_CACHE.clear()
        _OWNER_CACHE[pid] = owner
    return owner


def claimer_is_gone(owner: str) -> bool:
    """True only when `owner` was a process on this host that certainly no longer runs.

    Anything we cannot check (another host, a foreign format, Windows) is
    assumed alive: its lease decides.  A wrong "gone" is safe, since the row
    becomes `unknown` and is never sent again without the user.
    """
    host, _, rest = owner.partition(":")
    pid_text, _, token = rest.partition(":")
    if host != _hostname() or not pid_text.isdigit() or int(pid_text) <= 0:
        return False
    if os.name != "posix":
        return False  # os.kill(pid, 0) would terminate the process on Windows
    pid = int(pid_text)
    if "@" in token and not token.startswith("rnd-"):
        boot, _, start = token.partition("@")
        current_boot = _boot_id()
        if boot != "-" and current_boot is not None and boot != current_boot:
            return True  # claimed before the last reboot
    else:
        start = None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass  # exists, owned by another user
    except OSError:
        return False
    stat = _proc_stat(pid)
    if stat is None:
        # The pid answered a moment ago; a missing /proc entry means it just
        # exited, unless this system has no /proc at all.
        return start is not None and Path("/proc/self/stat").exists()
    state, start_now = stat
    if state in ("Z", "X", "x"):
        return True  # killed, waiting to be reaped
    return start is not None and start_now != start


def _hostname() -> str:
    # CROSSPOST_HOST names the machine when its hostname is not unique (containers
    # cloned from one image) or, in tests, when processes play several machines.
    name = os.environ.get("CROSSPOST_HOST") or socket.gethostname()
    return name.replace(":", "_") or "localhost"


def _boot_id() -> str | None:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip() or None
    except OSError:
        return None


def _proc_stat(pid: int) -> tuple[str, str] | None:
    """(state, start time in clock ticks since boot) from /proc/<pid>/stat."""
    try:
        data = Path(f"/proc/{pid}/stat").read_bytes().decode("ascii", "replace")
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: split after the last ")".
    fields = data[data.rfind(")") + 1 :].split()
    if len(fields) < 20:
        return None
    return fields[0], fields[19]


def _process_start(pid: int) -> str | None:
    stat = _proc_stat(pid)
    return stat[1] if stat is not None else None
