"""The command-line skin over the crosspost library."""

from __future__ import annotations

from . import (  # noqa: F401  (importing a command module registers its commands)
    chain,
    feeds_cmds,
    ledger_cmds,
    posting,
    queue_cmds,
    report_cmds,
    sandbox_cmds,
)
from .app import app


def main() -> None:
    app()
