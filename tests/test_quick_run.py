"""cron's `crosspost run` with nothing due is answered before Typer loads, and steps
aside for the full command line whenever there is anything to do or to say."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import run, write_config, write_post

# Once on each store: on PostgreSQL the fast path answers from the database (and
# must step aside as it does for SQLite).
pytestmark = pytest.mark.usefixtures("both_stores")

HEAVY = ("typer", "rich", "pydantic", "jinja2", "requests")


def crosspost(*args: str, home: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The installed entry point, as cron starts it, with the modules it imported."""
    env = {**os.environ, "CROSSPOST_HOME": str(home), "COLUMNS": "80"}
    return subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "from crosspost.cli import main; main()", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=60,
    )


def imported(result: subprocess.CompletedProcess[str]) -> set[str]:
    names = set()
    for line in result.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    return names


def said(result: subprocess.CompletedProcess[str]) -> str:
    lines = result.stderr.splitlines()
    return "\n".join(line for line in lines if not line.startswith("import time:"))


def test_nothing_due_loads_no_framework(tmp_path: Path, isolated_home: Path) -> None:
    for args in (["run"], ["run", "--json"], ["--home", str(isolated_home), "run"]):
        result = crosspost(*args, home=isolated_home, cwd=tmp_path)
        assert result.returncode == 0, said(result)
        assert result.stdout == ("[]\n" if "--json" in args else "")
        assert said(result) == ""
        assert not imported(result) & set(HEAVY), args


def test_a_queued_ledger_with_nothing_due_yet_stays_light(
    tmp_path: Path, isolated_home: Path
) -> None:
    config = write_config(tmp_path, "  xing:\n    network: manual\n    site: Xing\n")
    queued = run("-c", config, "schedule", "--at", "2099-01-01 09:00", write_post(tmp_path))
    assert queued.exit_code == 0, queued.stderr
    result = crosspost("run", home=isolated_home, cwd=tmp_path)
    assert result.returncode == 0 and result.stdout == ""
    assert not imported(result) & set(HEAVY)


def test_work_due_runs_the_full_command_line(tmp_path: Path, isolated_home: Path) -> None:
    config = write_config(tmp_path, "  xing:\n    network: manual\n    site: Xing\n")
    assert run("-c", config, "schedule", "--at", "now", write_post(tmp_path)).exit_code == 0
    result = crosspost("run", home=isolated_home, cwd=tmp_path)
    assert result.returncode == 0, said(result)
    assert "typer" in imported(result)
    assert "xing" in result.stdout and "manual" in result.stdout  # handed over for pasting
    again = crosspost("run", home=isolated_home, cwd=tmp_path)
    assert again.returncode == 0 and again.stdout == ""
    assert not imported(again) & set(HEAVY)  # a by-hand task waits for a person, not a run


def test_a_readable_secrets_file_is_said_by_the_full_command_line(
    tmp_path: Path, isolated_home: Path
) -> None:
    isolated_home.mkdir(parents=True, exist_ok=True)
    env_file = isolated_home / "env"
    env_file.write_text("BITLY_TOKEN=abc\n")
    env_file.chmod(0o644)
    result = crosspost("run", home=isolated_home, cwd=tmp_path)
    assert result.returncode == 0
    assert "others may read it" in said(result) and "chmod 600" in said(result)


def test_anything_else_is_the_full_command_line(tmp_path: Path, isolated_home: Path) -> None:
    result = crosspost("run", "--bogus", home=isolated_home, cwd=tmp_path)
    assert result.returncode == 2 and "--bogus" in said(result)
    assert "typer" in imported(result)
