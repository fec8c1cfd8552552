"""`WorkspacePart`: what each of `Workspace`'s mixins (the queue desk, the hand-over,
the stats) may use of it, declared once."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from .config import Config
    from .ledger import Store


class WorkspacePart:
    """A mixin of `Workspace`, which supplies these three."""

    home: Path  # the crosspost home

    @property
    def config(self) -> Config:
        raise NotImplementedError  # Workspace's

    def store(self) -> AbstractContextManager[Store]:
        raise NotImplementedError  # Workspace's
