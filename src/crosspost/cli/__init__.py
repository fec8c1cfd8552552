"""The command-line skin over the crosspost library.

Unlike the rest of the project, the modules here do not use `from __future__
import annotations`: Typer inspects every command's annotations to build the
command line, and string annotations would each be eval'ed on every start-up
(measured with bench/startup.py: `crosspost --help` went from about 1.3x to 1.17x
of `import typer, rich`).

Typer and the commands load only when needed: cron's `crosspost run` with nothing
due is answered before them (`quick.py`).  The Typer app, with every command, is
`crosspost.cli.commands.app`.
"""

import sys
import warnings
from typing import TextIO


def _one_line(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    # A plugin that cannot load, a library's notice: one line naming it, as every
    # other warning she reads from crosspost, not Python's two with a file path.
    print(f"warning: {message}", file=file or sys.stderr)


def main() -> None:
    from .quick import quick_run

    warnings.showwarning = _one_line
    if quick_run(sys.argv[1:]):
        return
    from .commands import app

    app()
