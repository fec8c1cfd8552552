from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test touches a real config, ledger or credential."""
    home = tmp_path / "crosspost-home"
    monkeypatch.setenv("CROSSPOST_HOME", str(home))
    monkeypatch.delenv("CROSSPOST_CONFIG", raising=False)
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
