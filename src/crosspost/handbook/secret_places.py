"""Where each secret lives, who holds the team file, when each secret last changed:
the handbook's secrets section, never a value.

`SecretStore.listing()` answers when this manager can read the team file.  When
she cannot (no key yet, or not a holder), the handbook must still be written,
since it is what a successor reads first: the names come from channels.yaml,
the environment and HOME/env are looked at by name, the holders come from the
readable `secrets.holders`, and the section says the team file could not be read.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import SecretsError
from ..secrets.envfile import env_file, read_env_file
from ..secrets.store import ENV_FILE, ENVIRONMENT, MISSING
from ..secrets.team import holders_path, identity_path, read_holders_file

if TYPE_CHECKING:
    from ..config import Config
    from ..secrets.manage import SecretStore

# A name the environment and HOME/env lack while the team file cannot be read here:
# it may be in the team file, or nowhere.
UNREADABLE = "team file, unreadable here"


@dataclass(frozen=True)
class Holder:
    name: str
    key: str  # the age public key: public by design, the team sends it around


@dataclass(frozen=True)
class SecretLine:
    name: str
    source: str  # environment | HOME/env | team file | missing | UNREADABLE
    changed_at: str | None  # ISO 8601, when `secrets set` or `rotate` last stored it
    changed_by: str | None
    used_by: tuple[str, ...]  # `channel x: access_token`


@dataclass(frozen=True)
class SecretsSheet:
    team_file: str
    team_exists: bool
    problem: str | None  # why the team file could not be read here; None: it was
    holders: tuple[Holder, ...]
    rows: tuple[SecretLine, ...]
    env_file: str
    identity_file: str
    has_identity: bool


def gather_secrets(
    store: SecretStore, config: Config, *, home: Path, now: datetime
) -> SecretsSheet:
    """The secrets section: from the listing, else from the names alone (see above)."""
    team_file = config.secrets_path
    problem = None
    try:
        listing = store.listing(now=now)
        holders = listing.holders
        rows = tuple(
            SecretLine(r.name, r.source, r.changed_at, r.changed_by, r.used_by)
            for r in listing.rows
        )
    except SecretsError as exc:  # the message names the file and the key, never a value
        problem = str(exc)
        holders = read_holders_file(holders_path(team_file))
        rows = _from_names(config, home, team_exists=team_file.exists())
    return SecretsSheet(
        team_file=str(team_file),
        team_exists=team_file.exists(),
        problem=problem,
        holders=tuple(Holder(name, key) for key, name in holders.items()),
        rows=rows,
        env_file=str(env_file(home)),
        identity_file=str(identity_path(home)),
        has_identity=identity_path(home).exists(),
    )


def _from_names(config: Config, home: Path, *, team_exists: bool) -> tuple[SecretLine, ...]:
    """Each referenced name's place without the team file: the environment, HOME/env,
    else the team file (unreadable here) or nowhere."""
    env = read_env_file(env_file(home))
    rows = []
    for name, used_by in sorted(config.secret_refs().items()):
        changed = None
        # HOME/env is read into the environment at start-up: the environment counts as
        # its own source only when it holds something else (as `secrets list` decides).
        if name in os.environ and (name not in env or os.environ[name] != env[name].value):
            source = ENVIRONMENT
        elif name in env:
            source, changed = ENV_FILE, env[name].changed_at
        else:
            source = UNREADABLE if team_exists else MISSING
        rows.append(SecretLine(name, source, changed, None, tuple(used_by)))
    return tuple(rows)
