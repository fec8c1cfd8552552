"""The Typer application, its global options and the one place errors become exits.

Only typer is imported here: `crosspost --help` must not pay for pydantic,
jinja2 or any network client.
"""

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from .. import __version__


@dataclass
class State:
    config_path: Path | None = None
    home: Path | None = None
    ledger: str | None = None
    debug: bool = False


STATE = State()


# --help lists commands in the order of the job, not in the order modules load.
COMMAND_ORDER = (
    "publish",
    "schedule",
    "queue",
    "calendar",
    "run",
    "status",
    "done",
    "tasks",
    "check",
    "doctor",
    "channels",
    "chain",
    "channel",
    "feed",
    "note",
    "stats",
    "report",
    "cron",
    "auth",
    "secrets",
    "ledger",
    "handbook",
    "sandbox",
    "demo",
)


class _Group(TyperGroup):
    """The one place exit statuses are applied: a command returns an `ExitStatus`
    (or None for OK), crosspost's errors print one line and exit with theirs, Ctrl-C
    exits 130."""

    def list_commands(self, ctx: Any) -> list[str]:
        names = super().list_commands(ctx)
        rank = {name: i for i, name in enumerate(COMMAND_ORDER)}
        return sorted(names, key=lambda n: (rank.get(n, len(rank)), n))

    def invoke(self, ctx: Any) -> Any:
        from ..errors import CrosspostError, ExitStatus

        try:
            status = super().invoke(ctx)
        except CrosspostError as exc:
            if STATE.debug:
                raise
            from .output import error

            error(str(exc))
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt as exc:
            if STATE.debug:
                raise
            from ..errors import Abandoned
            from .output import error

            if isinstance(exc, Abandoned):
                error(str(exc))
                # Worker threads still wait for their answers and cannot be stopped;
                # the ledger is safe (each claim was committed), as after kill -9.
                import os
                import sys

                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(ExitStatus.INTERRUPTED)
            error("interrupted; `crosspost status` shows where each delivery stands")
            raise typer.Exit(ExitStatus.INTERRUPTED) from None
        if isinstance(status, int) and status != ExitStatus.OK:
            raise typer.Exit(int(status))
        return status


app = typer.Typer(
    cls=_Group,
    name="crosspost",
    help="Write once on the blog; place it on X, Facebook, LinkedIn and by-hand networks.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,  # locals can hold tokens
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"crosspost {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            "-c",
            help="channels.yaml to use [default: $CROSSPOST_CONFIG, ./channels.yaml,"
            " then the user config dir].",
            # crosspost says what is wrong with the file itself (one line, exit 2),
            # not click's usage error.
            readable=False,
        ),
    ] = None,
    home: Annotated[
        Path | None,
        typer.Option(
            "--home",
            help="State directory for the ledger [default: $CROSSPOST_HOME or the user data dir].",
        ),
    ] = None,
    ledger: Annotated[
        str | None,
        typer.Option(
            "--ledger",
            metavar="URL",
            help="A shared PostgreSQL ledger (postgresql://...) [default: $CROSSPOST_LEDGER,"
            " `ledger:` in channels.yaml, else the home's SQLite file].",
            show_default=False,
        ),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Write once on the blog; place it on X, Facebook, LinkedIn and by-hand networks."""
    STATE.config_path = config
    STATE.home = home
    STATE.ledger = ledger
    STATE.debug = debug
    # The choice is the process's; set (or, when this process ran a command before,
    # as a test's CliRunner does, reset) it for this command line.
    if ledger or "crosspost.ledger.location" in sys.modules:
        from ..ledger.location import use_ledger

        use_ledger(ledger)


def workspace() -> Any:
    """The Workspace the global options name: the one object commands ask for everything."""
    from ..workspace import Workspace

    ws = Workspace(STATE.home, config_path=STATE.config_path)
    warnings = ws.load_env()
    if warnings:
        from .output import warn

        for w in warnings:
            warn(w)
    ws.choose_ledger(STATE.ledger)
    return ws
