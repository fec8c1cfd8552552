"""Where crosspost keeps its state and finds its configuration.

Everything lives under one home directory so that tests and users can isolate
a whole installation with `CROSSPOST_HOME` or `--home`.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import ConfigError

APP_NAME = "crosspost"
CONFIG_NAME = "channels.yaml"


def home_dir(override: Path | None = None) -> Path:
    """The state directory: `--home`, then `CROSSPOST_HOME`, then the platform's data dir."""
    if override is not None:
        return override.expanduser()
    env = os.environ.get("CROSSPOST_HOME")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def find_config(explicit: Path | None = None, *, cwd: Path | None = None) -> Path:
    """Locate channels.yaml: --config, $CROSSPOST_CONFIG, ./channels.yaml, the user config dir."""
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"{explicit}: no such configuration file (from --config)")
        return explicit
    env = os.environ.get("CROSSPOST_CONFIG")
    if env:
        path = Path(env).expanduser()
        if not path.is_file():
            raise ConfigError(f"{path}: no such configuration file (from CROSSPOST_CONFIG)")
        return path
    local = (cwd or Path.cwd()) / CONFIG_NAME
    if local.is_file():
        return local
    from platformdirs import user_config_path

    user = user_config_path(APP_NAME, appauthor=False) / CONFIG_NAME
    if user.is_file():
        return user
    raise ConfigError(
        f"no {CONFIG_NAME} found: looked in --config, $CROSSPOST_CONFIG, ./{CONFIG_NAME} "
        f"and {user}. Copy the example channels.yaml there, or try `crosspost demo`."
    )
