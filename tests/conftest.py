from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test touches a real config, ledger or credential."""
    home = tmp_path / "crosspost-home"
    monkeypatch.setenv("CROSSPOST_HOME", str(home))
    monkeypatch.delenv("CROSSPOST_CONFIG", raising=False)
    monkeypatch.delenv("CROSSPOST_LEDGER", raising=False)
    if "crosspost.ledger.location" in sys.modules:  # a ledger an earlier test chose
        sys.modules["crosspost.ledger.location"].use_ledger(None)
    monkeypatch.setenv("COLUMNS", "120")
    # Away from the repository's own channels.yaml, which the CLI would find in cwd.
    monkeypatch.chdir(tmp_path)
    return home


@pytest.fixture
def sandbox() -> Iterator[object]:
    """A fresh sandbox server on a free loopback port."""
    from crosspost.sandbox import start_sandbox

    sb = start_sandbox(port=0)
    try:
        yield sb
    finally:
        sb.stop()


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """The session's one headless Chromium (the system's, driven by Playwright), or a skip
    saying why there is none: an HTML test never passes without a browser."""
    from browser import BROWSER, HAS_PLAYWRIGHT, SKIP_REASON, launch

    if BROWSER is None or not HAS_PLAYWRIGHT:
        pytest.skip(SKIP_REASON)
    playwright, browser = launch()
    try:
        yield browser
    finally:
        browser.close()
        playwright.stop()


@pytest.fixture
def web(chromium: Any, tmp_path: Path) -> Iterator[Any]:
    """Pages in that browser for one test; the test fails if any of them logged to the
    console or raised (an error, a load the Content-Security-Policy blocked)."""
    from browser import Web

    shots = tmp_path / "screenshots"
    shots.mkdir()
    opened = Web(chromium, shots)
    try:
        yield opened
    finally:
        opened.close()
    assert opened.console == [], f"the pages logged: {opened.console}"


# tests/plugins/ holds real packages for pip to install (test_plugins.py), not test
# modules: importing them here would put a plugin in every test's process.
collect_ignore = ["plugins"]
PLUGINS = ROOT / "tests" / "plugins"


@pytest.fixture(scope="session")
def install_plugin(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """`install_plugin("acme")` pip-installs tests/plugins/crosspost-acme into a
    directory of its own, once a session, and returns that directory (for sys.path
    or PYTHONPATH).  One directory per plugin: the broken and clashing ones must not
    leak into the tests of the others.

    pip builds it with the venv's setuptools (>= 70.1 in the `test` extra: it makes
    wheels without the `wheel` package), offline.  A failure fails the test, never
    skips it: without this install nothing here proves a plugin works.
    """
    installed: dict[str, Path] = {}

    def install(name: str) -> Path:
        if name in installed:
            return installed[name]
        work = tmp_path_factory.mktemp(f"plugin-{name}")
        # Built from a copy: setuptools writes build/ and *.egg-info beside the
        # sources, which would dirty the checkout.
        source = shutil.copytree(PLUGINS / f"crosspost-{name}", work / "source")
        target = work / "site"
        command = [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",  # its one dependency, crosspost, is the checkout under test
            "--no-build-isolation",
            "--no-index",
            "--disable-pip-version-check",
            "--no-input",
            "--target",
            str(target),
            str(source),
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            pytest.fail(
                f"could not install the test plugin crosspost-{name}: {' '.join(command)} "
                f"exited {done.returncode}\n{done.stdout}\n{done.stderr}",
                pytrace=False,
            )
        installed[name] = target
        return target

    return install


@pytest.fixture
def brands(tmp_path: Path, isolated_home: Path) -> Path:
    """The two-brand ledger of tests/test_report_brands.py, and its channels.yaml."""
    from crosspost.ledger import Ledger, default_ledger_path
    from test_report_brands import BRANDS_CONFIG, write_brands_story

    with Ledger.open(default_ledger_path(isolated_home)) as ledger:
        write_brands_story(ledger)
    config = tmp_path / "channels.yaml"
    config.write_text(BRANDS_CONFIG, encoding="utf-8")
    return config


# -- PostgreSQL: a real server, started once a session ----------------------------------


@pytest.fixture(scope="session")
def pg_server() -> Iterator[object]:
    """A PostgreSQL server of the system's binaries (tests/pgserver.py), for the session.

    Where none can be started the PostgreSQL tests are skipped, saying why, except
    under CI, where .ci/run installs the server: there it is a failure."""
    from pgserver import start_server

    try:
        server = start_server()
    except Exception as exc:  # any reason at all: say it
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the PostgreSQL tests, and no server started: {exc}")
        pytest.skip(f"no PostgreSQL server could be started: {exc}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg_server: Any) -> str:
    """The URL of a fresh, empty database of its own for this test."""
    return str(pg_server.new_database())


@pytest.fixture(params=["sqlite", "postgresql"])
def ledger_location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where the test's ledger is, once on each store: a SQLite file, a PostgreSQL URL."""
    if request.param == "sqlite":
        return str(tmp_path / "home" / "ledger.sqlite3")
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture(params=["sqlite", "postgresql"])
def both_stores(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """End-to-end tests, once on each store: with "postgresql", every crosspost
    command of the test (in process or a subprocess) uses a fresh database,
    through CROSSPOST_LEDGER as a user would name it."""
    if request.param == "postgresql":
        monkeypatch.setenv("CROSSPOST_LEDGER", str(request.getfixturevalue("pg_url")))
    else:
        monkeypatch.delenv("CROSSPOST_LEDGER", raising=False)
    if "crosspost.ledger.location" in sys.modules:  # a ledger an earlier test chose
        sys.modules["crosspost.ledger.location"].use_ledger(None)
    return str(request.param)
