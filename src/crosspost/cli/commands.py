"""Every command, registered on the one Typer app (importing a command module registers
its commands)."""

from . import (  # noqa: F401
    auth_cmds,
    calendar_cmds,
    chain,
    doctor_cmds,
    feeds_cmds,
    handbook_cmds,
    ledger_cmds,
    posting,
    queue_cmds,
    report_cmds,
    sandbox_cmds,
    secrets_cmds,
    stats_cmds,
    store_cmds,
    tasks_cmds,
)
from .app import app

__all__ = ["app"]
