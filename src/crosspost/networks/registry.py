"""The installed networks, found through entry points, as a channel names them.

A network is a plugin: one class registered in the `crosspost.networks.v1`
group (the built-ins too, in crosspost's own pyproject.toml, so that path is
used every day), and optionally an API emulation for the sandbox in
`crosspost.sandbox.v1` under the same name.

Each network has a qualified name, `package.name` (the top-level module of its
entry point: `crosspost.mastodon`, `acme.mastodon`), and a plain one.  A
channel may write the plain name when one package provides it; when two do (a
plugin reusing a built-in's name), the plain name is refused and the channel
must say which.  A plugin that fails to import is a warning naming it, never a
crash: the tool goes on without it.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

from .base import Network, NetworkInfo

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

ENTRY_POINT_GROUP = "crosspost.networks.v1"
# The group before it had a version, read for one more release with a warning.
LEGACY_GROUP = "crosspost.networks"
BUILTIN_PACKAGE = "crosspost"


class PluginWarning(UserWarning):
    """A network plugin that cannot be used as installed (the CLI prints it as one line)."""


class UnknownNetwork(LookupError):
    """A channel's `network:` that names no installed network, or more than one."""


@dataclass(frozen=True)
class Registry(Mapping[str, type[Network]]):
    """Every loaded network class by qualified name, and the plain names that are unique.

    As a mapping it answers both spellings: `registry["mastodon"]` is the one
    package's class, `registry["acme.mastodon"]` that package's.
    """

    classes: Mapping[str, type[Network]]  # by qualified name
    providers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # plain -> qualified

    def resolve(self, name: str) -> type[Network]:
        """The class `name` means, or UnknownNetwork saying what to write instead."""
        if name in self.classes:
            return self.classes[name]
        found = self.providers.get(name, ())
        if len(found) == 1:
            return self.classes[found[0]]
        if found:
            packages = " and ".join(q.rsplit(".", 1)[0] for q in found)
            spelled = " or ".join(f"`network: {q}`" for q in found)
            raise UnknownNetwork(
                f"network {name!r} is provided by {packages}: write {spelled} to say which"
            )
        known = ", ".join(self.names()) or "none"
        raise UnknownNetwork(f"unknown network {name!r} (installed: {known})")

    def names(self) -> list[str]:
        """How a channel can write each network: plain when unique, else qualified."""
        out = []
        for plain, qualified in sorted(self.providers.items()):
            out.extend([plain] if len(qualified) == 1 else sorted(qualified))
        return out

    def __getitem__(self, name: str) -> type[Network]:
        try:
            return self.resolve(name)
        except UnknownNetwork:
            raise KeyError(name) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        return len(self.names())


def qualified_name(ep: EntryPoint, info: NetworkInfo) -> str:
    return f"{ep.value.split(':', 1)[0].split('.', 1)[0]}.{info.name}"


def _entry_points() -> list[tuple[EntryPoint, bool]]:
    """The v1 group's entries, then the legacy group's not also in v1 (flagged True)."""
    from importlib.metadata import entry_points

    current = list(entry_points(group=ENTRY_POINT_GROUP))
    seen = {(ep.name, ep.value) for ep in current}
    legacy = [ep for ep in entry_points(group=LEGACY_GROUP) if (ep.name, ep.value) not in seen]
    return [(ep, False) for ep in current] + [(ep, True) for ep in legacy]


def _warn(message: str) -> None:
    warnings.warn(message, PluginWarning, stacklevel=3)


def _load(ep: EntryPoint) -> type[Network] | None:
    try:
        cls = ep.load()
        info = cls.info
    except Exception as exc:  # a broken plugin must not break the tool
        _warn(f"network plugin {ep.name!r} ({ep.value}) failed to load, left out: {exc}")
        return None
    if not isinstance(info, NetworkInfo):
        _warn(f"network plugin {ep.name!r} ({ep.value}) has no NetworkInfo `info`, left out")
        return None
    return cls


@cache
def load_networks() -> Registry:
    """Every installed network class.  Each plugin is imported once per process."""
    classes: dict[str, type[Network]] = {}
    providers: dict[str, list[str]] = {}
    for ep, legacy in _entry_points():
        cls = _load(ep)
        if cls is None:
            continue
        if legacy:
            _warn(
                f"network plugin {ep.name!r} ({ep.value}) registers in the entry-point "
                f"group {LEGACY_GROUP!r}, read for one more release: move it to "
                f"{ENTRY_POINT_GROUP!r}"
            )
        name = qualified_name(ep, cls.info)
        if name in classes:
            if classes[name] is not cls:
                _warn(f"network {name!r} is registered twice; the first one is used")
            continue
        classes[name] = cls
        providers.setdefault(cls.info.name, []).append(name)
    return Registry(classes, {k: tuple(v) for k, v in providers.items()})
