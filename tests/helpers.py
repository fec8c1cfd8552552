"""Shared test helpers: running the CLI, writing posts and configs."""

from __future__ import annotations

import importlib
import json
import os
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
EXAMPLE_CONFIG = ROOT / "channels.yaml"


def run(*args: str | Path, env: dict[str, str] | None = None, input: str | None = None) -> Any:
    """Invoke the CLI in-process (`input`: its stdin); stdout and stderr are kept apart."""
    from crosspost.cli.commands import app

    return CliRunner().invoke(
        app, [str(a) for a in args], env=env, input=input, catch_exceptions=False
    )


def run_json(*args: str | Path, env: dict[str, str] | None = None, expect: int = 0) -> Any:
    """The command's JSON output, after checking it exited with `expect`."""
    result = run(*args, "--json", env=env)
    assert result.exit_code == expect, result.stderr
    return json.loads(result.stdout)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def write_post(tmp: Path, name: str = "post.md", **fields: Any) -> Path:
    """A YAML-front-matter post; `body` is the Markdown text."""
    import yaml

    body = fields.pop("body", "Some text.")
    meta = {"title": "A title", "url": "https://blog.example.com/a-title", **fields}
    meta = {k: v for k, v in meta.items() if v is not None}
    text = "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n" + body
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return path


# A twitter channel's credentials block, at channel-field indentation (4 spaces).
X_CREDS = (
    "    credentials:\n"
    "      consumer_key: ${X_KEY}\n"
    "      consumer_secret: ${X_SECRET}\n"
    "      access_token: ${X_TOKEN}\n"
    "      access_token_secret: ${X_TOKEN_SECRET}\n"
)

# An X channel that threads, a Facebook Page and a LinkedIn organization: ${FB_TOKEN}, ${LI_TOKEN}.
X_FB_LI = (
    "  x:\n    network: twitter\n    overflow: thread\n"
    + X_CREDS
    + "  fb:\n    network: facebook\n    page_id: '111'\n"
    "    credentials:\n      page_token: ${FB_TOKEN}\n"
    "  li:\n    network: linkedin\n    author: urn:li:organization:42\n"
    "    credentials:\n      access_token: ${LI_TOKEN}\n"
)


def write_config(tmp: Path, channels: str) -> Path:
    """channels.yaml with the given `channels:` body (4-space channel fields)."""
    path = tmp / "channels.yaml"
    path.write_text("channels:\n" + channels, encoding="utf-8")
    return path


X_ENV = {
    "X_KEY": "ck-test",
    "X_SECRET": "cs-test",
    "X_TOKEN": "at-test",
    "X_TOKEN_SECRET": "ats-test",
}


def forget_plugins() -> None:
    """Make the next lookup read the installed plugins afresh (entry points, imports)."""
    from crosspost.networks import load_networks
    from crosspost.sandbox import load_apis

    importlib.invalidate_caches()
    load_networks.cache_clear()
    load_apis.cache_clear()


@contextmanager
def plugin_importable(site: Path) -> Iterator[None]:
    """`site` (an `install_plugin` directory) on sys.path for this process, then gone:
    sys.path, the plugin's modules and the registries' caches as they were before."""
    saved_path = list(sys.path)
    sys.path.insert(0, str(site))
    forget_plugins()
    try:
        yield
    finally:
        sys.path[:] = saved_path
        for name, module in list(sys.modules.items()):
            if str(getattr(module, "__file__", None) or "").startswith(str(site)):
                del sys.modules[name]
        forget_plugins()


def plugin_env(site: Path) -> dict[str, str]:
    """The environment for a `python -m crosspost` subprocess that sees `site`'s plugin."""
    path = [str(site), *filter(None, [os.environ.get("PYTHONPATH")])]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(path)}
