"""`crosspost run` with nothing due, answered before Typer, Rich and the commands load.

cron starts `crosspost run` every minute, and nearly every time nothing is due:
that start-up is most of what crosspost costs a machine.  The ledger alone answers
it (`Store.has_work`); whenever the answer is anything but "nothing to do" (work
due, a paused channel to name, a claim to recover, a warning about the `env`
file, a ledger that cannot be opened, any other argument), this steps aside and
the full command line runs, so every message comes from one place.  A shared
PostgreSQL ledger (--ledger, $CROSSPOST_LEDGER or `ledger:` in channels.yaml) is
answered here too, in one query (`PostgresStore.has_work`).
"""

import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

# The global options the cron line may carry before `run`, and whether each takes a value.
_GLOBAL = {"--home": True, "--config": True, "-c": True, "--ledger": True}


def quick_run(argv: Sequence[str]) -> bool:
    """True when `argv` is `[--home DIR] [-c FILE] run [--json]` and nothing is to be
    done: then it has answered (nothing on stdout, `[]` with --json) and exits 0."""
    shape = _cron_shape(argv)
    if shape is None:
        return False
    options, as_json = shape
    try:
        if not _nothing_to_do(options):
            return False
    except Exception:  # the full command line says what is wrong, properly
        return False
    if as_json:
        sys.stdout.write("[]\n")
    return True


def _cron_shape(argv: Sequence[str]) -> tuple[dict[str, str], bool] | None:
    """(the global options given, --json) when `argv` is a plain `run`, else None."""
    options: dict[str, str] = {}
    args = list(argv)
    while args and args[0] != "run":
        name, _, value = args.pop(0).partition("=")
        if name not in _GLOBAL:
            return None
        if not value:
            if not args:
                return None
            value = args.pop(0)
        options["--config" if name == "-c" else name] = value
    if not args or args[0] != "run":
        return None
    rest = args[1:]
    if rest not in ([], ["--json"]):
        return None
    return options, rest == ["--json"]


def _nothing_to_do(options: dict[str, str]) -> bool:
    from ..home import home_dir
    from ..ledger import default_ledger_path
    from ..secrets import load_env_file

    home_arg = options.get("--home")
    home = home_dir(Path(home_arg) if home_arg else None)
    if load_env_file(home / "env"):
        return False  # a warning to say (a readable secrets file): the full path says it
    location = _shared_ledger(options)
    if location is None and not default_ledger_path(home).exists():
        return True
    from ..ledger import is_postgres_url

    if location is not None and is_postgres_url(location):
        answer = _nothing_due_on_postgres(location)
        if answer is not None:
            return answer  # else a new or older database: the store (psycopg) migrates it
    from ..ledger import open_store

    with open_store(home, location) as ledger:
        now = datetime.now(UTC)
        # The doctor's "last run": one small write, so a silent cron shows as stale.
        ledger.set_mark("run", now)
        return not ledger.has_work(now=now)


def _shared_ledger(options: dict[str, str]) -> str | None:
    """The PostgreSQL ledger named for this run, as `Workspace.choose_ledger` finds it."""
    import os

    from ..ledger import LEDGER_ENV, ledger_setting

    named = options.get("--ledger") or os.environ.get(LEDGER_ENV)
    if named:
        return named
    from ..errors import ConfigError
    from ..home import find_config

    config = options.get("--config")
    try:
        path = find_config(Path(config) if config else None)
    except ConfigError:
        return None
    return ledger_setting(path)


def _nothing_due_on_postgres(url: str) -> bool | None:
    """The same answer from a PostgreSQL ledger, through libpq (psycopg would cost more
    than all the rest); None when libpq cannot tell."""
    from ..ledger import MIGRATIONS
    from ..ledger.postgres.quick import nothing_due
    from ..states import RECHECK_AFTER

    now = datetime.now(UTC)
    return nothing_due(url, now=now, since=now - RECHECK_AFTER, latest=len(MIGRATIONS))
