"""What `crosspost secrets` does: list, set, rotate, and who holds the team file.

`SecretStore` is the CLI's one object for it (`Workspace.secrets()`).  Values come
in as arguments from the CLI's prompt and go out only into the team file or
HOME/env: nothing returned here carries one.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ..errors import BadInput, NotFound, SecretsError
from .envfile import env_file, read_env_file, write_env_value
from .refs import SECRET_NAME
from .store import ENV_FILE, ENVIRONMENT, MISSING, TEAM_FILE
from .team import (
    Entry,
    Identity,
    TeamSecrets,
    check_recipient,
    create_identity,
    holders_path,
    load_identity,
    read_holders_file,
    read_team,
    write_team,
)

if TYPE_CHECKING:
    from ..config import Config

Target = Literal["team", "env"]


@dataclass(frozen=True)
class SecretRow:
    """One secret as `secrets list` shows it: where it comes from, never its value."""

    name: str
    source: str  # environment | HOME/env | team file | missing
    changed_at: str | None
    changed_by: str | None
    days_old: int | None
    used_by: tuple[str, ...]  # `channel x: access_token`; empty: nothing references it
    also_in: tuple[str, ...]  # later sources that hold it too (unused while the first does)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "source": self.source,
            "changed_at": self.changed_at,
            "changed_by": self.changed_by,
            "days_old": self.days_old,
            "used_by": list(self.used_by),
            "also_in": list(self.also_in),
        }


@dataclass(frozen=True)
class SecretsListing:
    team_file: Path
    team_exists: bool
    holders: dict[str, str]  # public key to name
    rows: tuple[SecretRow, ...]
    warnings: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "team_file": str(self.team_file),
            "team_file_exists": self.team_exists,
            "holders": [{"key": k, "name": n} for k, n in self.holders.items()],
            "secrets": [r.to_json() for r in self.rows],
        }


@dataclass(frozen=True)
class Changed:
    """What a command changed, in words for her: never a value."""

    said: str
    warnings: tuple[str, ...] = field(default=())


class SecretStore:
    """The secrets of one home (its identity, HOME/env) and one channels.yaml (its team file)."""

    def __init__(self, home: Path, config: Callable[[], Config]) -> None:
        self.home = home
        self._config = config

    @property
    def team_file(self) -> Path:
        return self._config().secrets_path

    def init(self, *, name: str | None = None, now: datetime | None = None) -> Identity:
        """A new identity for this manager (SecretsError if she has one): its public key
        is what the others add."""
        import getpass

        when = _iso(now)
        return create_identity(self.home, name=name or getpass.getuser(), created_at=when)

    # -- reading ------------------------------------------------------------------------

    def listing(self, *, now: datetime | None = None) -> SecretsListing:
        """Every name channels.yaml references, the team file holds or `secrets set`
        wrote into HOME/env: where each comes from and how old it is, never its value."""
        now = now or datetime.now(UTC)
        refs = self._config().secret_refs()
        env = read_env_file(env_file(self.home))
        path = self.team_file
        team = self._read_team() if path.exists() else None
        entries = team.entries if team else {}
        rows = []
        # HOME/env's own lines may be settings (CROSSPOST_CONFIG): only those `secrets set` wrote.
        stored_here = {n for n, e in env.items() if e.changed_at is not None}
        for name in sorted(set(refs) | set(entries) | stored_here):
            found = self._sources(name, env, entries)
            source = found[0] if found else MISSING
            changed, by = None, None
            if source == TEAM_FILE:
                changed, by = entries[name].changed_at, entries[name].changed_by
            elif source == ENV_FILE:
                changed = env[name].changed_at
            rows.append(
                SecretRow(
                    name=name,
                    source=source,
                    changed_at=changed,
                    changed_by=by,
                    days_old=_days_since(changed, now),
                    used_by=tuple(refs.get(name, ())),
                    also_in=tuple(found[1:]),
                )
            )
        holders = team.holders if team else read_holders_file(holders_path(path))
        return SecretsListing(
            team_file=path,
            team_exists=team is not None,
            holders=holders,
            rows=tuple(rows),
            warnings=tuple(self._holder_warnings(team)),
        )

    def default_target(self) -> Target:
        """The team file when the team has one (or its holders file), else HOME/env."""
        path = self.team_file
        return "team" if path.exists() or holders_path(path).exists() else "env"

    def rotation_target(self, name: str) -> Target:
        """Where `name` is stored, to rotate it there; NotFound when it is stored nowhere."""
        check_name(name)
        path = self.team_file
        if path.exists() and name in self._read_team().entries:
            return "team"
        if name in read_env_file(env_file(self.home)):
            return "env"
        raise NotFound(
            f"{name} is stored neither in the team file ({path}) nor in "
            f"{env_file(self.home)}: `crosspost secrets set {name}` stores it"
        )

    # -- writing ------------------------------------------------------------------------

    def check_can_store(self, name: str, *, to: Target) -> None:
        """Whatever would stop `set` (a bad name, no key, a team file she cannot read),
        raised before she is asked to type the value."""
        check_name(name)
        if to == "team":
            self._team_to_write(self._identity())

    def set(
        self, name: str, value: str, *, to: Target, now: datetime | None = None, verb: str = "set"
    ) -> Changed:
        """Store `value` as `name` in the team file or HOME/env, with the date."""
        check_name(name)
        if not value:
            raise BadInput(f"no value given for {name}: nothing was stored")
        when = _iso(now)
        warnings = []
        if to == "team":
            me = self._identity()
            team = self._team_to_write(me)
            old = team.entries.get(name)
            by = team.holder_name(me.public) or me.name
            write_team(self.team_file, team.with_entry(name, Entry(value, when, by)))
            where = f"the team file {self.team_file}"
            before = old.changed_at if old else None
            if name in read_env_file(env_file(self.home)):
                warnings.append(
                    f"{env_file(self.home)} sets {name} too, and is read before the team "
                    f"file: remove its {name}= line, or this value is not used here"
                )
        else:
            path = env_file(self.home)
            previous = read_env_file(path).get(name)
            before = previous.changed_at if previous else None
            write_env_value(path, name, value, changed_at=when)
            where = str(path)
        if _in_environment(name, self.home):
            warnings.append(
                f"{name} is set in the environment, which is read first: unset it there, "
                "or this value is not used"
            )
        said = f"{name} {verb} in {where}"
        if verb == "rotated" and before:
            said += f" (it was last changed {before[:10]})"
        return Changed(said, tuple(warnings))

    def rotate(self, name: str, value: str, *, now: datetime | None = None) -> Changed:
        """A new value for `name` where it is stored, with today's date."""
        return self.set(name, value, to=self.rotation_target(name), now=now, verb="rotated")

    def add_holder(self, key: str, *, name: str | None = None) -> Changed:
        """Let `key` decrypt the team file: it is re-encrypted to every holder and it."""
        key = check_recipient(key)
        me = self._identity()
        team = self._team_to_write(me)
        if key in team.holders:
            return Changed(f"{team.holders[key]} ({key}) holds {self.team_file} already")
        name = (name or key[:12]).strip()
        if name in team.holders.values():
            raise SecretsError(f"a holder is named {name!r} already: give this one another --name")
        write_team(self.team_file, team.with_holders({**team.holders, key: name}))
        return Changed(
            f"{self.team_file} re-encrypted to {_holders(len(team.holders) + 1)}, "
            f"{name} ({key}) added"
        )

    def remove_holder(self, key_or_name: str) -> Changed:
        """Re-encrypt the team file without one holder (by key or name)."""
        me = self._identity()
        if not self.team_file.exists():
            raise NotFound(f"there is no team file at {self.team_file}: nobody holds it")
        team = self._read_team(me)
        key = _holder_key(team, key_or_name)
        if len(team.holders) == 1:
            raise SecretsError(
                f"{team.holders[key]} is the last holder of {self.team_file}: nobody could "
                "decrypt it; add another holder first"
            )
        name = team.holders[key]
        kept = {k: n for k, n in team.holders.items() if k != key}
        write_team(self.team_file, team.with_holders(kept))
        warnings = [
            f"{name} could read every secret until now (and still can in any copy of the "
            "old file): rotate them with `crosspost secrets rotate NAME`"
        ]
        if key == me.public:
            warnings.append("that was your own key: you can no longer read the team file")
        return Changed(
            f"{self.team_file} re-encrypted to {_holders(len(kept))}, {name} ({key}) removed",
            tuple(warnings),
        )

    # -- helpers ------------------------------------------------------------------------

    def _identity(self) -> Identity:
        me = load_identity(self.home)
        if me is None:
            raise SecretsError(
                "you have no age key yet: run `crosspost secrets init` (it prints the public "
                "key the team file is encrypted to)"
            )
        return me

    def _read_team(self, me: Identity | None = None) -> TeamSecrets:
        return read_team(self.team_file, me or load_identity(self.home))

    def _team_to_write(self, me: Identity) -> TeamSecrets:
        """The team file as it stands, or a new one held by the holders file and by her."""
        if self.team_file.exists():
            return self._read_team(me)
        listed = read_holders_file(holders_path(self.team_file))
        return TeamSecrets(holders={me.public: me.name} | listed)

    def _sources(self, name: str, env: dict[str, Any], entries: dict[str, Entry]) -> list[str]:
        """The places that hold `name`, first (the one used) first."""
        found = []
        if _in_environment(name, self.home, env):
            found.append(ENVIRONMENT)
        if name in env:
            found.append(ENV_FILE)
        if name in entries:
            found.append(TEAM_FILE)
        return found

    def _holder_warnings(self, team: TeamSecrets | None) -> list[str]:
        """Keys the readable holders file lists that the encrypted file is not encrypted to."""
        if team is None:
            return []
        listed = read_holders_file(holders_path(self.team_file))
        return [
            f"{holders_path(self.team_file)} lists {name} ({key}), but the team file is not "
            f"encrypted to that key: a holder runs `crosspost secrets add-holder {key}`"
            for key, name in listed.items()
            if key not in team.holders
        ]


def as_target(value: str) -> Target:
    """`--to team|env` read; BadInput for anything else."""
    if value == "team":
        return "team"
    if value == "env":
        return "env"
    raise BadInput(f"--to {value}: choose team (the team file) or env (HOME/env)")


def check_name(name: str) -> str:
    """`name` when it can be referenced as `${NAME}`; BadInput otherwise."""
    if not SECRET_NAME.match(name):
        raise BadInput(
            f"{name!r} cannot be a secret's name: letters, digits and `_`, not starting "
            "with a digit (as in ${MY_TOKEN})"
        )
    return name


def _in_environment(name: str, home: Path, env: dict[str, Any] | None = None) -> bool:
    """Whether the process environment itself sets `name`: not by HOME/env's loading."""
    if name not in os.environ:
        return False
    env = read_env_file(env_file(home)) if env is None else env
    return name not in env or os.environ[name] != env[name].value


def _holder_key(team: TeamSecrets, key_or_name: str) -> str:
    wanted = key_or_name.strip()
    for key, name in team.holders.items():
        if wanted in (key, name):
            return key
    shown = ", ".join(f"{n} ({k[:12]}…)" for k, n in team.holders.items())
    raise NotFound(f"{wanted!r} holds no copy of the team file; its holders: {shown}")


def _holders(count: int) -> str:
    return f"{count} holder" if count == 1 else f"{count} holders"


def _iso(now: datetime | None) -> str:
    return (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")


def _days_since(when: str | None, now: datetime) -> int | None:
    if when is None:
        return None
    try:
        then = datetime.fromisoformat(when)
    except ValueError:
        return None
    if then.tzinfo is None:
        then = then.replace(tzinfo=UTC)
    return max(0, (now - then).days)
