"""`crosspost run` with nothing due, answered before Typer, Rich and the commands load.

cron starts `crosspost run` every minute, and nearly every time nothing is due:
that start-up is most of what crosspost costs a machine.  The ledger alone answers
it (`Store.has_work`); whenever the answer is anything but "nothing to do" (work
due, a paused channel to name, a claim to recover, a warning about the `env`
file, a ledger that cannot be opened, any other argument), this steps aside and
the full command line runs, so every message comes from one place.
"""

import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

# The global options the cron line may carry before `run`, and whether each takes a value.
_GLOBAL = {"--home": True, "--config": True, "-c": True}


def quick_run(argv: Sequence[str]) -> bool:
    """True when `argv` is `[--home DIR] [-c FILE] run [--json]` and nothing is to be
    done: then it has answered (nothing on stdout, `[]` with --json) and exits 0."""
    shape = _cron_shape(argv)
    if shape is None:
        return False
    home_arg, as_json = shape
    try:
        if not _nothing_to_do(home_arg):
            return False
    except Exception:  # the full command line says what is wrong, properly
        return False
    if as_json:
        sys.stdout.write("[]\n")
    return True


def _cron_shape(argv: Sequence[str]) -> tuple[str | None, bool] | None:
    """(the --home value, --json) when `argv` is a plain `run`, else None."""
    home: str | None = None
    args = list(argv)
    while args and args[0] != "run":
        name, _, value = args.pop(0).partition("=")
        if name not in _GLOBAL:
            return None
        if not value:
            if not args:
                return None
            value = args.pop(0)
        if name == "--home":
            home = value
    if not args or args[0] != "run":
        return None
    rest = args[1:]
    if rest not in ([], ["--json"]):
        return None
    return home, rest == ["--json"]


def _nothing_to_do(home_arg: str | None) -> bool:
    from ..home import home_dir
    from ..ledger import default_ledger_path
    from ..secrets import load_env_file

    home = home_dir(Path(home_arg) if home_arg else None)
    if load_env_file(home / "env"):
        return False  # a warning to say (a readable secrets file): the full path says it
    if not default_ledger_path(home).exists():
        return True
    from ..ledger import open_store

    with open_store(home) as ledger:
        now = datetime.now(UTC)
        # The doctor's "last run": one small write, so a silent cron shows as stale.
        ledger.set_mark("run", now)
        return not ledger.has_work(now=now)
