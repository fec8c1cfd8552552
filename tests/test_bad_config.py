"""The wrong file, or a file written wrong: one message, exit 2, never a traceback."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from helpers import run, write

MANUAL = "channels:\n  a:\n    network: manual\n"


def errors(result: Any) -> list[str]:
    """stderr's lines, `error: ` and the continuation indent taken off."""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    return [line.removeprefix("error: ").removeprefix("  ") for line in lines]


def check(*args: str | Path, env: dict[str, str] | None = None) -> list[str]:
    result = run(*args, "check", env=env)
    assert result.exit_code == 2, result.stdout + result.stderr
    return errors(result)


# -- a file this user cannot read -------------------------------------------------------


@pytest.fixture
def no_read_override(tmp_path: Path) -> Iterator[list[str]]:
    """The command prefix under which a mode-000 file really cannot be read.

    Root reads and searches anything (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH), so as root
    the CLI runs as root without those two capabilities; another user needs nothing.
    """
    probe = tmp_path / "probe"
    probe.write_text("x", encoding="utf-8")
    probe.chmod(0)
    prefix: list[str] = []
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root, and setpriv (util-linux) is missing to drop the override")
        prefix = [setpriv, "--bounding-set=-dac_override,-dac_read_search"]
    cat = subprocess.run([*prefix, "cat", str(probe)], capture_output=True, check=False)
    if cat.returncode == 0:
        pytest.skip("this user reads mode-000 files here: nothing to test")
    yield prefix
    probe.chmod(0o600)


def run_cli(prefix: list[str], *args: str | Path, cwd: Path, **env: str) -> list[str]:
    proc = subprocess.run(
        [*prefix, sys.executable, "-m", "crosspost", *(str(a) for a in args), "check"],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "COLUMNS": "200", **env},
        check=False,
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    return errors(proc)


def test_an_unreadable_config_from_the_environment(
    tmp_path: Path, no_read_override: list[str]
) -> None:
    config = write(tmp_path / "conf" / "channels.yaml", MANUAL)
    config.chmod(0)
    try:
        lines = run_cli(no_read_override, cwd=tmp_path, CROSSPOST_CONFIG=str(config))
    finally:
        config.chmod(0o600)
    assert lines == [
        f"{config}: permission denied reading the configuration file (from "
        f"CROSSPOST_CONFIG); make it readable by this user (e.g. chmod u+r {config}) and its "
        "directories searchable"
    ]


def test_an_unreadable_config_found_in_the_current_directory(
    tmp_path: Path, no_read_override: list[str]
) -> None:
    config = write(tmp_path / "channels.yaml", MANUAL)
    config.chmod(0)
    try:
        lines = run_cli(no_read_override, cwd=tmp_path)
    finally:
        config.chmod(0o600)
    assert len(lines) == 1
    assert lines[0].startswith(f"{config}: permission denied reading the configuration file;")


def test_a_config_in_a_directory_that_cannot_be_searched(
    tmp_path: Path, no_read_override: list[str]
) -> None:
    config = write(tmp_path / "locked" / "channels.yaml", MANUAL)
    config.parent.chmod(0o600)  # readable, not searchable: the file cannot even be looked at
    try:
        lines = run_cli(no_read_override, "--config", config, cwd=tmp_path)
    finally:
        config.parent.chmod(0o700)
    assert len(lines) == 1
    assert lines[0].startswith(
        f"{config}: permission denied reading the configuration file (from --config);"
    )


# -- a directory where the file should be ------------------------------------------------


def test_a_directory_given_as_the_config_says_so(tmp_path: Path) -> None:
    folder = tmp_path / "conf"
    folder.mkdir()
    assert check("--config", folder) == [
        f"{folder}: is a directory, not a configuration file (from --config); pass the file "
        f"itself, e.g. --config {folder}/channels.yaml"
    ]
    assert check(env={"CROSSPOST_CONFIG": str(folder)}) == [
        f"{folder}: is a directory, not a configuration file (from CROSSPOST_CONFIG); set "
        f"CROSSPOST_CONFIG to the file itself, e.g. {folder}/channels.yaml"
    ]
    # The lookup stops at ./channels.yaml rather than quietly reading another file.
    (tmp_path / "channels.yaml").mkdir()
    assert check() == [
        f"{tmp_path}/channels.yaml: is a directory, not a configuration file; rename the "
        "directory, or pass the file with --config"
    ]


def test_a_missing_config_is_still_no_such_file(tmp_path: Path) -> None:
    assert check("--config", tmp_path / "nope.yaml") == [
        f"{tmp_path}/nope.yaml: no such configuration file (from --config)"
    ]


# -- keys given twice ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "channels:\n  ebs-x:\n    network: manual\n  other:\n    network: manual\n"
            "  ebs-x:\n    network: manual\n",
            ["channels.yaml:6: channels.ebs-x is given twice (first at line 2); keep one"],
        ),
        (
            "channels:\n  x:\n    network: twitter\n    credentials:\n"
            "      consumer_key: ${X_KEY}\n      consumer_secret: ${X_SECRET}\n"
            "      consumer_key: ${OTHER_KEY}\n",
            [
                "channels.yaml:7: channels.x.credentials.consumer_key is given twice "
                "(first at line 5); keep one"
            ],
        ),
        (
            MANUAL + "feeds:\n  - name: blog\n    url: feed.xml\n    timeout: 5\n    timeout: 10\n",
            ["channels.yaml:8: feeds.blog.timeout is given twice (first at line 7); keep one"],
        ),
        (
            "defaults:\n  timezone: Europe/Paris\n  retries: 2\n  timezone: UTC\n" + MANUAL,
            ["channels.yaml:4: defaults.timezone is given twice (first at line 2); keep one"],
        ),
        (
            MANUAL + "channels:\n  b:\n    network: manual\ndefaults: {timeout: 5, timeout: 6}\n",
            [
                "channels.yaml:4: channels is given twice (first at line 1); keep one",
                "channels.yaml:7: defaults.timeout is given twice (first at line 7); keep one",
            ],
        ),
    ],
)
def test_a_key_given_twice_names_both_lines(tmp_path: Path, text: str, expected: list[str]) -> None:
    config = write(tmp_path / "channels.yaml", text)
    lines = check("--config", config)
    assert [line.replace(f"{tmp_path}/", "") for line in lines] == expected


def test_a_merge_key_may_be_overridden(tmp_path: Path) -> None:
    config = write(
        tmp_path / "channels.yaml",
        "channels:\n  a: &by-hand\n    network: manual\n    site: Xing\n"
        "  b:\n    <<: *by-hand\n    site: Viadeo\n",
    )
    result = run("--config", config, "check")
    assert result.exit_code == 0, result.stderr


# -- the wrong file altogether -------------------------------------------------------------


def test_a_file_over_one_megabyte_is_refused_unread(tmp_path: Path) -> None:
    log = tmp_path / "crosspost.log"
    line = "2026-11-03 08:12:44 INFO: sent to x\n"
    log.write_text(line * (1024 * 1024 // len(line) + 1), encoding="utf-8")
    assert check("--config", log) == [
        f"{log}: over 1 MB, too big for a channels.yaml; check that --config (or "
        "CROSSPOST_CONFIG) names the right file"
    ]


@pytest.mark.parametrize(
    ("text", "line"),
    [
        # A log's text is one long YAML string; the stray `: [` further down is never read.
        ("starting worker\n" * 2000 + "key: [\n", 1),
        ("# a list, not a mapping\n- a\n- b: [\n", 2),
    ],
)
def test_a_document_that_is_no_mapping_is_refused_at_once(
    tmp_path: Path, text: str, line: int
) -> None:
    config = write(tmp_path / "channels.yaml", text)
    assert check("--config", config) == [
        f"{config}:{line}: expected a mapping with a `channels:` section"
    ]


# -- many problems ----------------------------------------------------------------------


def test_at_most_twenty_validation_errors_then_how_many_more(tmp_path: Path) -> None:
    bogus = "".join(f"bogus{n:02}: 1\n" for n in range(25))
    config = write(tmp_path / "channels.yaml", "channels: {}\n" + bogus)
    lines = check("--config", config)
    assert len(lines) == 21
    assert lines[0].endswith(
        "channels.yaml:2: bogus00: unknown setting (check its spelling, "
        "or see the README's channels.yaml reference)"
    )
    assert lines[19].startswith(f"{config}:21: bogus19: unknown setting")
    assert lines[20] == "… and 5 more"


def test_at_most_twenty_channel_problems_then_how_many_more(tmp_path: Path) -> None:
    channels = "".join(f"  c{n:02}:\n    network: myspace\n" for n in range(22))
    config = write(tmp_path / "channels.yaml", "channels:\n" + channels)
    lines = check("--config", config)
    assert len(lines) == 21
    assert all("myspace" in line for line in lines[:20])
    assert lines[20] == "… and 2 more"
