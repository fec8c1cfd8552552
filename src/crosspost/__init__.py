"""crosspost: write once on the blog, place it on every network, exactly once.

The library's front door is `Workspace` (workspace.py): a home directory and a
channels.yaml, and every job as a method.  `load_config` and `load_post` read
the two kinds of input; every error crosspost raises is a `CrosspostError`
(errors.py).  The names are imported on first use, so `crosspost --help`
pays for none of them.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "Workspace": "crosspost.workspace",
    "load_config": "crosspost.config",
    "load_post": "crosspost.post",
    "CrosspostError": "crosspost.errors",
    "BadInput": "crosspost.errors",
    "DeliveryError": "crosspost.errors",
    "ExitStatus": "crosspost.errors",
    "DeliveryState": "crosspost.states",
}

if TYPE_CHECKING:
    from .config import load_config
    from .errors import BadInput, CrosspostError, DeliveryError, ExitStatus
    from .post import load_post
    from .states import DeliveryState
    from .workspace import Workspace


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'crosspost' has no attribute {name!r}")


__all__ = [
    "BadInput",
    "CrosspostError",
    "DeliveryError",
    "DeliveryState",
    "ExitStatus",
    "Workspace",
    "__version__",
    "load_config",
    "load_post",
]
