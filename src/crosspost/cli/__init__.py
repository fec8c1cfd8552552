"""The command-line skin over the crosspost library.

Unlike the rest of the project, the modules here do not use `from __future__
import annotations`: Typer inspects every command's annotations to build the
command line, and string annotations would each be eval'ed on every start-up
(measured with bench/startup.py: `crosspost --help` went from about 1.3x to 1.17x
of `import typer, rich`).
"""

from . import (  # noqa: F401  (importing a command module registers its commands)
    chain,
    feeds_cmds,
    ledger_cmds,
    posting,
    queue_cmds,
    report_cmds,
    sandbox_cmds,
    tasks_cmds,
)
from .app import app


def main() -> None:
    app()
