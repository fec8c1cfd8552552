"""Where a secret's value comes from, in order: the environment, HOME/env, the team file.

HOME/env is read into the environment when the process starts (`open_sources`),
so the first two are one lookup.  The team file is decrypted only when a
reference is found in neither, and at most once a process (`team.read_team`).
Which team file, and whose key, is process-wide like the environment itself:
`open_sources` records it where the CLI reads HOME/env.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import CredentialError
from .envfile import env_file, load_env_file
from .refs import SECRET_REF
from .scrub import remember

# Where `secrets list` says a value comes from.
ENVIRONMENT = "environment"
ENV_FILE = "HOME/env"
TEAM_FILE = "team file"
MISSING = "missing"


@dataclass(frozen=True)
class _Places:
    home: Path
    team_file: Callable[[], Path]  # asked only when needed: channels.yaml may name it


_PLACES: _Places | None = None


def open_sources(home: Path, *, team_file: Callable[[], Path]) -> list[str]:
    """Read HOME/env into the environment and make `team_file()` the last place this
    process looks a secret up; the warnings about HOME/env."""
    global _PLACES
    _PLACES = _Places(home, team_file)
    return load_env_file(env_file(home))


def team_value(name: str) -> str | None:
    """`name`'s value in the team file; None when there is no team file or it lacks
    `name`.  SecretsError when the file is there but this manager cannot read it."""
    if _PLACES is None:
        return None
    path = _PLACES.team_file()
    if not path.exists():
        return None
    from .team import load_identity, read_team

    entry = read_team(path, load_identity(_PLACES.home)).entries.get(name)
    return entry.value if entry else None


def secret_value(name: str) -> str | None:
    """`name`'s value from the first place that has it (remembered by the scrubber)."""
    value = os.environ.get(name) or team_value(name)
    remember(value)
    return value or None


def resolve_secret(ref: str, *, channel: str, field: str) -> str:
    """The value of a `${NAME}` reference, or a CredentialError naming the channel, the
    name, every place looked in and the command that stores it."""
    match = SECRET_REF.match(ref)
    if not match:  # validated earlier; kept as a guard for plugins' own fields
        raise CredentialError(f"channel {channel}: {field} must be a ${{NAME}} reference")
    name = match.group(1)
    value = secret_value(name)
    if value is None:
        raise CredentialError(f"channel {channel}: {field} reads ${{{name}}}, {_not_found(name)}")
    return value


def unset_variables(refs: Iterable[str]) -> list[str]:
    """Names that `refs` point at and that no source has."""
    out = []
    for ref in refs:
        match = SECRET_REF.match(ref)
        if match and secret_value(match.group(1)) is None:
            out.append(match.group(1))
    return out


def _not_found(name: str) -> str:
    if _PLACES is None:
        return f"which is not set; export {name}=... in the environment crosspost runs in"
    return (
        f"which is not set: not in the environment, not in {env_file(_PLACES.home)}, not in "
        f"the team file {_PLACES.team_file()}; `crosspost secrets set {name}` stores it "
        f"(or export {name}=...)"
    )
