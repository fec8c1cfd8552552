"""Where crosspost keeps its state and finds its configuration.

Everything lives under one home directory so that tests and users can isolate
a whole installation with `CROSSPOST_HOME` or `--home`.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .errors import ConfigError

APP_NAME = "crosspost"
CONFIG_NAME = "channels.yaml"

# Where a config path came from, and how to point it at the right file instead.
_FROM_OPTION = "--config"
_FROM_ENV = "CROSSPOST_CONFIG"
_FROM_LOOKUP = "lookup"


def home_dir(override: Path | None = None) -> Path:
    """The state directory: `--home`, then `CROSSPOST_HOME`, then the platform's data dir."""
    if override is not None:
        return override.expanduser()
    env = os.environ.get("CROSSPOST_HOME")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def channel_state_dir(home: Path, channel: str, *, sandbox: bool) -> Path:
    """A channel's own directory for its network plugin (a login session), mode 0700.

    A sandbox run gets another one: a session made with a sandbox must never be
    offered to the real network, nor the real one to a sandbox.
    """
    top = home / "networks"
    path = top / channel / ("sandbox" if sandbox else "live")
    path.mkdir(parents=True, exist_ok=True)
    for made in (top, top / channel, path):  # mkdir's mode is masked by the umask
        made.chmod(0o700)
    return path


def find_config(explicit: Path | None = None, *, cwd: Path | None = None) -> Path:
    """Locate channels.yaml: --config, $CROSSPOST_CONFIG, ./channels.yaml, the user config dir."""
    if explicit is not None:
        return _config_at(explicit, _FROM_OPTION)
    env = os.environ.get("CROSSPOST_CONFIG")
    if env:
        return _config_at(Path(env).expanduser(), _FROM_ENV)
    local = (cwd or Path.cwd()) / CONFIG_NAME
    if _present(local):
        return _config_at(local, _FROM_LOOKUP)
    from platformdirs import user_config_path

    user = user_config_path(APP_NAME, appauthor=False) / CONFIG_NAME
    if _present(user):
        return _config_at(user, _FROM_LOOKUP)
    raise ConfigError(
        f"no {CONFIG_NAME} found: looked in --config, $CROSSPOST_CONFIG, ./{CONFIG_NAME} "
        f"and {user}. Copy the example channels.yaml there, or try `crosspost demo`."
    )


def unreadable_config(path: Path, exc: OSError, source: str = "") -> ConfigError:
    """The one wording for a channels.yaml that is missing, a directory or not readable."""
    said = {_FROM_OPTION: " (from --config)", _FROM_ENV: " (from CROSSPOST_CONFIG)"}
    origin = said.get(source, "")
    if isinstance(exc, (FileNotFoundError, NotADirectoryError)):
        return ConfigError(f"{path}: no such configuration file{origin}")
    if isinstance(exc, IsADirectoryError):
        fix = {
            _FROM_OPTION: f"pass the file itself, e.g. --config {path / CONFIG_NAME}",
            _FROM_ENV: f"set CROSSPOST_CONFIG to the file itself, e.g. {path / CONFIG_NAME}",
            _FROM_LOOKUP: "rename the directory, or pass the file with --config",
        }.get(source, f"name the file itself, e.g. {path / CONFIG_NAME}")
        return ConfigError(f"{path}: is a directory, not a configuration file{origin}; {fix}")
    if isinstance(exc, PermissionError):
        return ConfigError(
            f"{path}: permission denied reading the configuration file{origin}; make it "
            f"readable by this user (e.g. chmod u+r {path}) and its directories searchable"
        )
    reason = exc.strerror or type(exc).__name__
    return ConfigError(f"{path}: cannot read the configuration file{origin}: {reason}")


def _config_at(path: Path, source: str) -> Path:
    """`path` when it is a file; otherwise a ConfigError that says what it is instead."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise unreadable_config(path, exc, source) from None
    if stat.S_ISDIR(mode):
        raise unreadable_config(path, IsADirectoryError(), source)
    if stat.S_ISREG(mode):
        # Opening is the only true test of "readable" (root, ACLs); here the error can
        # still say where the path came from.
        try:
            path.open("rb").close()
        except OSError as exc:
            raise unreadable_config(path, exc, source) from None
    return path


def _present(path: Path) -> bool:
    """Whether the lookup should take `path`: it exists, or cannot even be looked at."""
    try:
        return path.exists()
    except OSError:  # a permission problem: _config_at says so rather than look elsewhere
        return True
