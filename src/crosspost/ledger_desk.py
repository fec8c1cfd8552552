"""Which ledger a `Workspace` opens, and moving it: the home's SQLite file or a
shared PostgreSQL database (`ledger.location`), `ledger info`, `ledger migrate`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .ledger import default_ledger_path
from .part import WorkspacePart

if TYPE_CHECKING:
    from .ledger.info import LedgerInfo
    from .ledger.postgres.copy import CopyResult


class LedgerDesk(WorkspacePart):
    """The ledger's own operations of `Workspace`."""

    @property
    def config_path(self) -> Path:
        raise NotImplementedError  # Workspace's

    @property
    def ledger_path(self) -> Path:
        return default_ledger_path(self.home)

    @property
    def has_ledger(self) -> bool:
        """Whether there is a ledger to read: a shared one is named, or the home's file
        exists (reading must not create one on a fresh machine)."""
        from .ledger import chosen_ledger

        return chosen_ledger() is not None or self.ledger_path.exists()

    def choose_ledger(self, explicit: str | None = None) -> str | None:
        """Which ledger this process opens (`ledger.location`): `explicit` (--ledger),
        else $CROSSPOST_LEDGER, else `ledger:` in channels.yaml; None for the home's file.

        Read after `load_env`, so that a `${NAME}` in the URL may come from HOME/env."""
        from .errors import ConfigError
        from .ledger import chosen_ledger, ledger_setting, use_ledger

        if explicit:
            use_ledger(explicit)
        if (chosen := chosen_ledger()) is not None:
            return chosen
        try:
            path = self.config_path
        except ConfigError:
            return None  # no channels.yaml: the commands that need one say so
        setting = ledger_setting(path)
        use_ledger(setting)
        return setting

    def ledger_info(self) -> LedgerInfo:
        """Which store keeps the ledger, where, and its schema version (`ledger info`)."""
        from .ledger import open_store
        from .ledger.info import describe

        with open_store(self.home) as ledger:
            return describe(ledger)

    def move_ledger(self, to: str | None) -> CopyResult:
        """Copy this home's SQLite ledger into the empty PostgreSQL database `to` (else
        the one chosen, `choose_ledger`), every table in one transaction; the file stays."""
        from .errors import BadInput
        from .ledger import chosen_ledger, is_postgres_url
        from .ledger.location import use_ledger

        target = to or chosen_ledger()
        if not target or not is_postgres_url(target):
            raise BadInput(
                "ledger migrate: name the PostgreSQL database to move to, "
                "--to postgresql://USER@HOST/DATABASE"
            )
        use_ledger(target)  # its password is scrubbed from whatever is said next
        from .ledger.postgres.copy import copy_ledger

        return copy_ledger(self.ledger_path, target)
