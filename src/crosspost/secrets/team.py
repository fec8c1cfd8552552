"""The team file: `secrets.age`, the secrets several managers share, and each one's key.

The file is age-encrypted to the public key of every holder, so it can sit in a
shared folder or repository; each manager decrypts it with her own X25519
identity, `HOME/identity.age.txt` (age-keygen's format: `age -d -i` reads it too).
Inside is JSON: the holders and, per secret, its value and who changed it when.
The list of holders inside the encrypted file is the one that counts: the plain
`secrets.holders` beside it is a copy for people to read, and a key added there
by hand is never encrypted to until a holder runs `secrets add-holder`.

pyrage is imported only where a file is encrypted or decrypted, so nothing else
pays for it.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import SecretsError
from .files import read_optional, write_atomically
from .scrub import remember

TEAM_FILE_NAME = "secrets.age"
IDENTITY_NAME = "identity.age.txt"
_FORMAT = 1

# A decrypted team file, by (path, its mtime and size, the identity): decrypted at
# most once a process, and again only when the file changed under it.
_DECRYPTED: dict[tuple[str, int, int, str], TeamSecrets] = {}


@dataclass(frozen=True)
class Identity:
    """A manager's own age key: the secret half stays in HOME, the public half is shared."""

    secret: str  # AGE-SECRET-KEY-1...
    public: str  # age1...
    name: str


@dataclass(frozen=True)
class Entry:
    value: str
    changed_at: str  # ISO 8601, UTC
    changed_by: str  # a holder's name


@dataclass(frozen=True)
class TeamSecrets:
    """What the team file holds: holders (public key to name) and the secrets by name."""

    holders: dict[str, str]
    entries: dict[str, Entry] = field(default_factory=dict)

    def holder_name(self, key: str) -> str | None:
        return self.holders.get(key)

    def with_entry(self, name: str, entry: Entry) -> TeamSecrets:
        return replace(self, entries={**self.entries, name: entry})

    def with_holders(self, holders: dict[str, str]) -> TeamSecrets:
        return replace(self, holders=dict(holders))


def holders_path(team_file: Path) -> Path:
    """The readable list of holders beside the team file: secrets.age -> secrets.holders."""
    return team_file.with_suffix(".holders")


def identity_path(home: Path) -> Path:
    return home / IDENTITY_NAME


# -- the local identity ---------------------------------------------------------------


def create_identity(home: Path, *, name: str, created_at: str) -> Identity:
    """A new X25519 identity in HOME/identity.age.txt (mode 0600); SecretsError if one exists."""
    from pyrage import x25519

    path = identity_path(home)
    if path.exists():
        existing = load_identity(home)
        shown = f" (its public key: {existing.public})" if existing else ""
        raise SecretsError(
            f"{path} exists already{shown}: an identity is never overwritten, since the "
            "team file may be encrypted to it"
        )
    key = x25519.Identity.generate()
    public = str(key.to_public())
    text = f"# created: {created_at}\n# name: {name}\n# public key: {public}\n{key}\n"
    home.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made one in between: keep theirs
        raise SecretsError(f"{path} exists already: an identity is never overwritten") from None
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    remember(str(key))
    return Identity(secret=str(key), public=public, name=name)


def load_identity(home: Path) -> Identity | None:
    """This manager's identity; None when she has none yet."""
    path = identity_path(home)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise SecretsError(f"cannot read {path}: {exc.strerror}") from None
    name = ""
    secret = ""
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("# name:"):
            name = line.removeprefix("# name:").strip()
        elif line.startswith("AGE-SECRET-KEY-"):
            secret = line
    from pyrage import IdentityError, x25519

    try:
        key = x25519.Identity.from_str(secret)
    except (IdentityError, ValueError):
        raise SecretsError(
            f"{path} holds no age identity (an AGE-SECRET-KEY-1... line): restore it, or move "
            "it away and run `crosspost secrets init` for a new one"
        ) from None
    remember(secret)
    public = str(key.to_public())
    return Identity(secret=secret, public=public, name=name or public[:12])


def check_recipient(key: str) -> str:
    """`key` when it is an age X25519 public key (age1...); SecretsError naming it if not."""
    from pyrage import RecipientError, x25519

    key = key.strip()
    try:
        x25519.Recipient.from_str(key)
    except (RecipientError, ValueError):
        raise SecretsError(
            f"{key!r} is not an age public key: a holder's key looks like age1... (62 "
            "characters), as `crosspost secrets init` prints it"
        ) from None
    return key


# -- reading and writing the team file ------------------------------------------------


def read_team(path: Path, identity: Identity | None) -> TeamSecrets:
    """The decrypted team file, every value remembered by the scrubber; SecretsError
    when this manager cannot read it."""
    try:
        info = path.stat()
    except OSError as exc:
        raise SecretsError(f"cannot read {path}: {exc.strerror}") from None
    if identity is None:
        raise SecretsError(
            f"{path} holds the team's secrets, but you have no age key yet: run `crosspost "
            "secrets init`, then ask a holder to run `crosspost secrets add-holder` with the "
            "key it prints"
        )
    cache_key = (str(path.resolve()), info.st_mtime_ns, info.st_size, identity.public)
    if cache_key in _DECRYPTED:
        return _DECRYPTED[cache_key]
    import pyrage
    from pyrage import x25519

    try:
        plain = pyrage.decrypt(path.read_bytes(), [x25519.Identity.from_str(identity.secret)])
    except pyrage.DecryptError as exc:
        if "no matching keys" in str(exc).lower():
            raise SecretsError(
                f"{path} is not encrypted to your key {identity.public}: ask a holder to run "
                f"`crosspost secrets add-holder {identity.public}`"
            ) from None
        raise SecretsError(
            f"{path} is not a readable age file ({exc}): restore it from where the team "
            "shares it, or ask a holder"
        ) from None
    except OSError as exc:
        raise SecretsError(f"cannot read {path}: {exc.strerror}") from None
    team = _from_payload(plain, path)
    for entry in team.entries.values():
        remember(entry.value)
    _DECRYPTED[cache_key] = team
    return team


def write_team(path: Path, team: TeamSecrets) -> None:
    """Encrypt `team` to exactly its holders, atomically; then the readable holders list."""
    import pyrage
    from pyrage import x25519

    if not team.holders:
        raise SecretsError("a team file needs at least one holder")
    recipients = [x25519.Recipient.from_str(key) for key in team.holders]
    payload = {
        "crosspost_secrets": _FORMAT,
        "holders": team.holders,
        "secrets": {
            name: {"value": e.value, "changed_at": e.changed_at, "changed_by": e.changed_by}
            for name, e in sorted(team.entries.items())
        },
    }
    data = pyrage.encrypt(json.dumps(payload, indent=1).encode("utf-8"), recipients)
    write_atomically(path, data)
    write_holders_file(holders_path(path), team.holders)


def read_holders_file(path: Path) -> dict[str, str]:
    """The plain list of holders (public key to name); {} when there is none."""
    text = read_optional(path)
    if text is None:
        return {}
    holders = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, _, name = line.partition(" ")
        holders[key] = name.strip() or key[:12]
    return holders


def write_holders_file(path: Path, holders: dict[str, str]) -> None:
    lines = [
        "# Who holds secrets.age: one `age1... name` a line. Written by crosspost;",
        "# the list inside the encrypted file is the one that counts (secrets add-holder).",
        *(f"{key} {name}" for key, name in holders.items()),
    ]
    write_atomically(path, ("\n".join(lines) + "\n").encode("utf-8"), new_mode=0o644)


def _from_payload(plain: bytes, path: Path) -> TeamSecrets:
    not_ours = SecretsError(f"{path} decrypts, but is not a crosspost secrets file")
    try:
        payload: Any = json.loads(plain)
    except ValueError:
        raise not_ours from None
    if not isinstance(payload, dict) or payload.get("crosspost_secrets") != _FORMAT:
        raise not_ours
    try:
        holders = {str(k): str(v) for k, v in payload["holders"].items()}
        entries = {
            str(name): Entry(str(e["value"]), str(e["changed_at"]), str(e["changed_by"]))
            for name, e in payload["secrets"].items()
        }
    except (KeyError, TypeError, AttributeError):
        raise not_ours from None
    return TeamSecrets(holders=holders, entries=entries)
