"""The APIs the sandbox speaks: each network plugin's emulation, and bit.ly's.

A network plugin may register an emulation of its API in the
`crosspost.sandbox.v1` entry-point group under its network's name (the
built-in networks do, in crosspost's own pyproject.toml), so `--sandbox` and
the sandbox page know any installed network without a list kept here.  One
that fails to load is a warning naming it; the sandbox goes on without it.
"""

from __future__ import annotations

import warnings
from functools import cache

from crosspost.sandbox import bitly
from crosspost.sandbox.wire import Api

SANDBOX_GROUP = "crosspost.sandbox.v1"


class SandboxPluginWarning(UserWarning):
    """A network plugin's sandbox API that cannot be used as installed."""


@cache
def load_apis() -> tuple[Api, ...]:
    """Every registered network API, by title, then bit.ly's (not a network: no plugin)."""
    from importlib.metadata import entry_points

    found: dict[str, Api] = {}
    for ep in entry_points(group=SANDBOX_GROUP):
        try:
            api = ep.load()
        except Exception as exc:  # a broken plugin must not take the sandbox down
            _warn(f"sandbox API {ep.name!r} ({ep.value}) failed to load, left out: {exc}")
            continue
        if not isinstance(api, Api):
            _warn(f"sandbox API {ep.name!r} ({ep.value}) is not a crosspost.sandbox.wire.Api")
        elif api.network in found or api.network == bitly.API.network:
            _warn(f"sandbox API {ep.name!r} ({ep.value}) repeats {api.network!r}, left out")
        else:
            found[api.network] = api
    ordered = sorted(found.values(), key=lambda a: (a.title or a.network).casefold())
    return (*ordered, bitly.API)


def network_names() -> tuple[str, ...]:
    """The names the sandbox answers for, in the page's order."""
    return tuple(api.network for api in load_apis())


def _warn(message: str) -> None:
    warnings.warn(message, SandboxPluginWarning, stacklevel=3)
