"""The command-line skin over the crosspost library."""

from __future__ import annotations

from . import chain, ledger_cmds, posting, queue_cmds, sandbox_cmds  # noqa: F401  (register)
from .app import app


def main() -> None:
    app()
