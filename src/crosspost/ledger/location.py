"""Where the ledger lives: the SQLite file in the crosspost home, unless a
PostgreSQL database is named.

In order: `--ledger URL` (the CLI calls `use_ledger`), `$CROSSPOST_LEDGER`,
`ledger:` in channels.yaml (`ledger_setting`), and else the home's
`ledger.sqlite3`.  The choice holds for the process, so every part of a run
(the pipeline's threads open their own store) opens the same ledger.  A
`${NAME}` in the URL is read like a channel's credential (the environment,
HOME/env, the team file) and scrubbed from every message; a password written
in `--ledger` or the environment is scrubbed too.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from ..errors import ConfigError
from .postgres.urls import url_password

LEDGER_ENV = "CROSSPOST_LEDGER"

_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
# channels.yaml's top-level `ledger:` line, found without parsing the whole file
# (most files have none, and `status` must not pay for a YAML parse).
_SETTING = re.compile(r"(?m)^ledger:[ \t]*(\S[^\n]*)$")
_chosen: dict[str, str | None] = {}


def use_ledger(location: str | None) -> None:
    """Open `location` (a `postgresql://` URL or a file path) as this process's ledger;
    None goes back to the environment and the home's file."""
    if location:
        _remember_password(location)
        _chosen["location"] = location
    else:
        _chosen.pop("location", None)


def chosen_ledger() -> str | None:
    """The ledger named for this process (`use_ledger`, else $CROSSPOST_LEDGER), or None
    for the home's SQLite file."""
    location = _chosen.get("location") or os.environ.get(LEDGER_ENV) or None
    if location:
        _remember_password(location)
    return location


def ledger_setting(config_path: Path) -> str | None:
    """The `ledger:` of channels.yaml at `config_path`, its `${NAME}`s read; None when
    the file has none (or cannot be read: loading it properly says why, elsewhere)."""
    try:
        text = config_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    found = _SETTING.search(text)
    if found is None:
        return None
    import yaml

    try:
        value = yaml.safe_load(found.group(1))
    except yaml.YAMLError:
        return None  # the config's own check names the line
    if not isinstance(value, str) or not value.strip():
        return None
    line = text.count("\n", 0, found.start()) + 1
    password = url_password(value)
    if password and _REF.fullmatch(password) is None:
        from ..secrets import WRITE_A_REFERENCE, remember

        remember(password)
        raise ConfigError(
            f"{config_path}:{line}: ledger: the password in the URL: {WRITE_A_REFERENCE}"
        )
    return expand(value, where=f"{config_path}:{line}: ledger")


def expand(url: str, *, where: str) -> str:
    """`url` with each `${NAME}` replaced by its secret value; ConfigError for one unset."""
    from ..secrets import secret_value

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        found = secret_value(name)
        if found is None:
            raise ConfigError(
                f"{where} reads ${{{name}}}, which is not set: `crosspost secrets set "
                f"{name}` stores it (or export {name}=...)"
            )
        return found

    return _REF.sub(value, url)


def _remember_password(location: str) -> None:
    from ..secrets import remember

    remember(url_password(location))
