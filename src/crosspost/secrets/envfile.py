"""`HOME/env`: the one secrets file cron, systemd and the terminal all read.

`NAME=value` lines, as a shell's `set -a; . FILE` reads them.  crosspost reads it
into the environment at start (what is already set wins) and writes a line to
it for `crosspost secrets set NAME --to env`, with a comment recording when.
"""

from __future__ import annotations

import os
import re
from collections.abc import MutableMapping
from dataclasses import dataclass
from pathlib import Path

from ..errors import BadInput
from .files import read_optional, write_atomically

# `NAME=value`, optionally after `export `, as a shell's `set -a; . FILE` reads it.
_ENV_LINE = re.compile(r"^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$")

# The comment crosspost writes above a line it sets: `secrets list` reads the date.
_CHANGED = re.compile(r"^#\s*crosspost:\s*([A-Za-z_][A-Za-z0-9_]*)\s+changed\s+(\S+)\s*$")

# A value a shell reads back unchanged without quotes.
_PLAIN_VALUE = re.compile(r"^[A-Za-z0-9_./:@+,=%-]*$")


@dataclass(frozen=True)
class EnvEntry:
    """A name HOME/env sets, and when crosspost last wrote it (None: by hand)."""

    value: str
    changed_at: str | None


def env_file(home: Path) -> Path:
    return home / "env"


def load_env_file(path: Path, environ: MutableMapping[str, str] | None = None) -> list[str]:
    """Read the crosspost home's `env` file (the one cron and systemd read) into the
    environment, so a terminal needs no `set -a`; what is already set wins.

    Returns warnings: the file is readable by others, or a line cannot be read
    (named by number only: a line of this file may hold a secret).
    """
    environ = os.environ if environ is None else environ
    try:
        text = path.read_text(encoding="utf-8")
        mode = path.stat().st_mode
    except FileNotFoundError:
        return []
    except OSError as exc:
        return [f"cannot read {path}: {exc.strerror}"]
    warnings = []
    if mode & 0o077:
        warnings.append(
            f"{path} holds secrets but others may read it (mode {mode & 0o777:o}): chmod 600 {path}"
        )
    entries, bad = _parse(text)
    warnings += [f"{path}:{number}: not a NAME=value line; it is ignored" for number in bad]
    for name, entry in entries.items():
        environ.setdefault(name, entry.value)
    return warnings


def read_env_file(path: Path) -> dict[str, EnvEntry]:
    """The names HOME/env sets; {} without a file.

    Not every line is a secret (CROSSPOST_CONFIG may be set here too), so a value
    goes to the scrubber when a reference reads it, not here: a remembered path
    would be scrubbed out of every message that names it."""
    text = read_optional(path)
    return {} if text is None else _parse(text)[0]


def write_env_value(path: Path, name: str, value: str, *, changed_at: str) -> None:
    """Set `name` in HOME/env (replacing its line, keeping every other), mode 0600."""
    line = f"{name}={_quoted(value)}"
    kept: list[str] = []
    try:
        old = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        old = ["# crosspost's secrets: cron, systemd and the terminal read this file."]
    for text in old:
        stripped = text.strip()
        match = _ENV_LINE.match(stripped)
        changed = _CHANGED.match(stripped)
        if (match and match.group(1) == name) or (changed and changed.group(1) == name):
            continue
        kept.append(text)
    kept += [f"# crosspost: {name} changed {changed_at}", line]
    write_atomically(path, ("\n".join(kept) + "\n").encode("utf-8"))


def _parse(text: str) -> tuple[dict[str, EnvEntry], list[int]]:
    """(every name set, each with its recorded date) and the numbers of unreadable lines."""
    entries: dict[str, EnvEntry] = {}
    dates: dict[str, str] = {}
    bad = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if changed := _CHANGED.match(line):
            dates[changed.group(1)] = changed.group(2)
            continue
        if not line or line.startswith("#"):
            continue
        match = _ENV_LINE.match(line)
        if match is None:
            bad.append(number)
            continue
        name, value = match.group(1), match.group(2).strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        # The first line of a name wins, as setdefault does when it is loaded.
        entries.setdefault(name, EnvEntry(value, dates.pop(name, None)))
    return entries, bad


def _quoted(value: str) -> str:
    """`value` as a shell reads it back unchanged: bare, or in single quotes."""
    if "\n" in value or "\r" in value:
        raise BadInput("a secret is one line: this value has a line break")
    if _PLAIN_VALUE.match(value):
        return value
    if "'" in value:
        # Double quotes would let the shell expand `$` and backticks in it.
        raise BadInput(
            "this value holds a single quote, which HOME/env cannot keep as written: "
            "store it in the team file (--to team) or set it in the environment"
        )
    return f"'{value}'"
