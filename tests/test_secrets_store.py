"""The secret store several managers share (issue 13, item 2): `crosspost secrets`,
the age-encrypted team file beside channels.yaml, and the lookup order
environment, HOME/env, team file.  Each manager is her own home directory."""

from __future__ import annotations

import json
import os
import select
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from helpers import run, write_config, write_post

TOKEN = "AQV-team-SECRET-9f8e7d6c"  # long enough for the scrubber to know it


@pytest.fixture(autouse=True)
def environment() -> Iterator[None]:
    """HOME/env is read into os.environ itself (as in a real process): put it back."""
    saved = dict(os.environ)
    os.environ.pop("LI_TOKEN", None)
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """A LinkedIn channel whose token is `${LI_TOKEN}`, in a folder the team shares."""
    shared = tmp_path / "shared"
    shared.mkdir()
    return write_config(
        shared,
        "  li:\n    network: linkedin\n    author: urn:li:organization:42\n"
        "    credentials:\n      access_token: ${LI_TOKEN}\n",
    )


def secrets(home: Path, config: Path, *args: str, input: str | None = None) -> Any:
    return run("--home", home, "-c", config, "secrets", *args, input=input)


def init(home: Path, config: Path, name: str) -> str:
    """A manager's new identity; her public key, as she would send it to the others."""
    result = secrets(home, config, "init", "--name", name)
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def listing(home: Path, config: Path) -> dict[str, Any]:
    result = secrets(home, config, "list", "--json")
    assert result.exit_code in (0, 1), result.stderr
    return json.loads(result.stdout)


def source_of(home: Path, config: Path, name: str) -> str:
    (row,) = [r for r in listing(home, config)["secrets"] if r["name"] == name]
    return row["source"]


def one_line(result: Any) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def files_holding(root: Path, value: str) -> list[str]:
    return sorted(
        str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and value in _text(p)
    )


def _text(path: Path) -> str:
    return path.read_bytes().decode("utf-8", errors="replace")


# -- the identity ---------------------------------------------------------------------


def test_init_makes_a_private_key_once_and_prints_the_public_half(
    isolated_home: Path, config: Path
) -> None:
    key = init(isolated_home, config, "alice")
    assert key.startswith("age1") and len(key) == 62
    identity = isolated_home / "identity.age.txt"
    assert identity.stat().st_mode & 0o777 == 0o600
    assert "AGE-SECRET-KEY-1" in identity.read_text() and key in identity.read_text()
    before = identity.read_bytes()
    again = secrets(isolated_home, config, "init")
    assert again.exit_code == 2
    assert "never overwritten" in one_line(again) and key in again.stderr
    assert identity.read_bytes() == before


# -- setting a value ------------------------------------------------------------------


def test_set_prompts_twice_without_echo(tmp_path: Path, isolated_home: Path, config: Path) -> None:
    """On a real terminal: the value typed is never shown, nor written in clear."""
    init(isolated_home, config, "alice")
    command = ["secrets", "set", "LI_TOKEN", "--to", "team"]
    said = _on_a_terminal(
        [
            sys.executable,
            "-m",
            "crosspost",
            "--home",
            str(isolated_home),
            "-c",
            str(config),
            *command,
        ],
        answers=[("(not shown): ", TOKEN), ("again: ", TOKEN)],
    )
    assert "LI_TOKEN set in the team file" in said
    assert TOKEN not in said  # the terminal did not echo it
    assert (config.parent / "secrets.age").exists()
    assert files_holding(tmp_path, TOKEN) == []
    assert source_of(isolated_home, config, "LI_TOKEN") == "team file"


def test_set_refuses_a_value_it_cannot_prompt_for(isolated_home: Path, config: Path) -> None:
    """No terminal and no --stdin (a value would have to come some other way): refused."""
    init(isolated_home, config, "alice")
    result = secrets(isolated_home, config, "set", "LI_TOKEN", input=TOKEN + "\n")
    assert result.exit_code == 2
    assert "--stdin" in one_line(result)
    assert not (config.parent / "secrets.age").exists()
    assert not (isolated_home / "env").exists()


def test_values_are_written_only_to_the_store_asked_for(
    tmp_path: Path, isolated_home: Path, config: Path
) -> None:
    init(isolated_home, config, "alice")
    team = secrets(isolated_home, config, "set", "LI_TOKEN", "--to", "team", "--stdin", input=TOKEN)
    local_value = "bitly-local-SECRET-1234"
    local = secrets(
        isolated_home, config, "set", "BITLY_TOKEN", "--to", "env", "--stdin", input=local_value
    )
    assert team.exit_code == 0 and local.exit_code == 0, team.stderr + local.stderr
    for result in (team, local):
        assert TOKEN not in result.output and local_value not in result.output
    assert files_holding(tmp_path, TOKEN) == []  # encrypted: in clear nowhere
    assert files_holding(tmp_path, local_value) == ["crosspost-home/env"]
    assert (isolated_home / "env").stat().st_mode & 0o777 == 0o600
    assert (config.parent / "secrets.age").stat().st_mode & 0o777 == 0o600
    shown = secrets(isolated_home, config, "list")
    assert shown.exit_code == 0
    assert TOKEN not in shown.output and local_value not in shown.output
    rows = {r["name"]: r for r in listing(isolated_home, config)["secrets"]}
    assert rows["LI_TOKEN"]["source"] == "team file"
    assert rows["LI_TOKEN"]["changed_by"] == "alice"
    assert rows["LI_TOKEN"]["used_by"] == ["channel li: access_token"]
    assert rows["BITLY_TOKEN"]["source"] == "HOME/env" and rows["BITLY_TOKEN"]["used_by"] == []
    assert TOKEN not in json.dumps(rows) and local_value not in json.dumps(rows)


def test_a_missing_secret_is_listed_and_named_with_its_fix(
    tmp_path: Path, isolated_home: Path, config: Path
) -> None:
    shown = secrets(isolated_home, config, "list")
    assert shown.exit_code == 1  # a channel cannot send: it needs attention
    assert "LI_TOKEN" in shown.stdout and "missing" in shown.stdout
    result = run("--home", isolated_home, "-c", config, "publish", write_post(tmp_path))
    assert result.exit_code == 2
    for place in (
        "the environment",
        str(isolated_home / "env"),
        str(config.parent / "secrets.age"),
    ):
        assert place in result.stderr
    assert "crosspost secrets set LI_TOKEN" in result.stderr


def test_rotate_replaces_the_value_where_it_is_and_dates_it(
    isolated_home: Path, config: Path
) -> None:
    import time_machine

    init(isolated_home, config, "alice")
    with time_machine.travel(datetime(2026, 1, 10, 9, tzinfo=UTC), tick=False):
        secrets(
            isolated_home, config, "set", "LI_TOKEN", "--to", "team", "--stdin", input="old" * 4
        )
    (row,) = listing(isolated_home, config)["secrets"]
    assert row["changed_at"].startswith("2026-01-10") and row["days_old"] > 0
    rotated = secrets(isolated_home, config, "rotate", "LI_TOKEN", "--stdin", input=TOKEN)
    assert rotated.exit_code == 0, rotated.stderr
    assert "rotated in the team file" in rotated.stderr and "2026-01-10" in rotated.stderr
    (row,) = listing(isolated_home, config)["secrets"]
    assert row["days_old"] == 0 and not row["changed_at"].startswith("2026-01-10")
    unknown = secrets(isolated_home, config, "rotate", "NO_SUCH", "--stdin", input=TOKEN)
    assert unknown.exit_code == 2 and "secrets set NO_SUCH" in one_line(unknown)


# -- two holders ----------------------------------------------------------------------


def test_two_holders_read_it_and_one_removed_cannot_read_the_new_file(
    tmp_path: Path, config: Path
) -> None:
    alice, bob = tmp_path / "alice", tmp_path / "bob"
    init(alice, config, "alice")
    bob_key = init(bob, config, "bob")
    secrets(alice, config, "set", "LI_TOKEN", "--to", "team", "--stdin", input=TOKEN)
    added = secrets(alice, config, "add-holder", bob_key, "--name", "bob")
    assert added.exit_code == 0 and "2 holders" in added.stderr
    holders = (config.parent / "secrets.holders").read_text()
    assert bob_key in holders and "bob" in holders
    for home in (alice, bob):
        assert source_of(home, config, "LI_TOKEN") == "team file"
    old_copy = tmp_path / "old.age"  # what a synced folder or a repository's history keeps
    old_copy.write_bytes((config.parent / "secrets.age").read_bytes())

    removed = secrets(alice, config, "remove-holder", "bob")
    assert removed.exit_code == 0, removed.stderr
    assert "rotate" in removed.stderr  # bob saw every value until now
    refused = secrets(bob, config, "list")
    assert refused.exit_code == 2
    line = one_line(refused)
    assert f"is not encrypted to your key {bob_key}" in line
    assert f"crosspost secrets add-holder {bob_key}" in line
    assert source_of(alice, config, "LI_TOKEN") == "team file"
    assert bob_key not in (config.parent / "secrets.holders").read_text()
    # The old file was encrypted to bob: the removal is the new file's, and only that.
    (tmp_path / "old").mkdir()
    old = write_config(tmp_path / "old", config.read_text().removeprefix("channels:\n"))
    old.write_text(f"secrets_file: {old_copy}\n" + old.read_text())
    assert source_of(bob, old, "LI_TOKEN") == "team file"

    last = secrets(alice, config, "remove-holder", "alice")
    assert last.exit_code == 2 and "last holder" in one_line(last)


def test_a_bad_holder_key_is_refused_by_name(isolated_home: Path, config: Path) -> None:
    init(isolated_home, config, "alice")
    secrets(isolated_home, config, "set", "LI_TOKEN", "--to", "team", "--stdin", input=TOKEN)
    before = (config.parent / "secrets.age").read_bytes()
    for bad in ("age1notakeyatall", "ssh-ed25519 AAAAC3Nza bob@host"):
        result = secrets(isolated_home, config, "add-holder", bad)
        assert result.exit_code == 2
        assert bad in one_line(result) and "not an age public key" in result.stderr
    assert (config.parent / "secrets.age").read_bytes() == before


def test_a_team_file_not_encrypted_to_you_is_one_line_everywhere(
    tmp_path: Path, config: Path, sandbox: Any
) -> None:
    alice, carol = tmp_path / "alice", tmp_path / "carol"
    init(alice, config, "alice")
    secrets(alice, config, "set", "LI_TOKEN", "--to", "team", "--stdin", input=TOKEN)
    carol_key = init(carol, config, "carol")
    post = write_post(tmp_path)
    for args in (
        ("secrets", "list"),
        ("secrets", "set", "OTHER", "--to", "team", "--stdin"),
        # Against the sandbox too: a stand-in value would hide what is hers to fix.
        ("publish", "--sandbox", sandbox.url, post),
    ):
        result = run("--home", carol, "-c", config, *args, input="x" * 12)
        assert result.exit_code == 2, (args, result.stderr)
        assert f"not encrypted to your key {carol_key}" in one_line(result)
    assert sandbox.requests("linkedin") == []
    nobody = run("--home", tmp_path / "dave", "-c", config, "secrets", "list")
    assert nobody.exit_code == 2 and "crosspost secrets init" in one_line(nobody)


# -- where a value comes from ---------------------------------------------------------


def test_the_environment_beats_home_env_which_beats_the_team_file(
    isolated_home: Path, config: Path
) -> None:
    from crosspost import Workspace
    from crosspost.secrets import resolve_secret

    def resolved() -> str:
        ws = Workspace(isolated_home, config_path=config)
        ws.load_env()  # as the CLI does at start
        return resolve_secret("${LI_TOKEN}", channel="li", field="access_token")

    init(isolated_home, config, "alice")
    secrets(isolated_home, config, "set", "LI_TOKEN", "--to", "team", "--stdin", input="team" * 3)
    assert resolved() == "team" * 3
    secrets(isolated_home, config, "set", "LI_TOKEN", "--to", "env", "--stdin", input="file" * 3)
    os.environ.pop("LI_TOKEN", None)  # what loading HOME/env just put there
    assert resolved() == "file" * 3
    os.environ["LI_TOKEN"] = "environ" * 2
    assert resolved() == "environ" * 2
    (row,) = listing(isolated_home, config)["secrets"]
    assert row["source"] == "environment" and row["also_in"] == ["HOME/env", "team file"]
    told = secrets(isolated_home, config, "set", "LI_TOKEN", "--to", "team", "--stdin", input=TOKEN)
    assert "is read first" in told.stderr  # her new value would not be the one used


# -- sending with it ------------------------------------------------------------------


def _publish_with_team_token(tmp_path: Path, home: Path, sandbox: Any) -> Any:
    """A real publish (no stand-in credentials) to the sandbox, LI_TOKEN only in the team file."""
    (tmp_path / "team").mkdir()
    config = write_config(
        tmp_path / "team",
        "  li:\n    network: linkedin\n    author: urn:li:organization:42\n"
        f"    api_url: {sandbox.url}\n    credentials:\n      access_token: ${{LI_TOKEN}}\n",
    )
    init(home, config, "alice")
    secrets(home, config, "set", "LI_TOKEN", "--to", "team", "--stdin", input=TOKEN)
    return run("--home", home, "-c", config, "publish", "--json", write_post(tmp_path))


def test_publish_reads_a_token_from_the_team_file(
    tmp_path: Path, isolated_home: Path, sandbox: Any
) -> None:
    result = _publish_with_team_token(tmp_path, isolated_home, sandbox)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)[0]["state"] == "sent"
    assert len(sandbox.posts("linkedin")) == 1


def test_a_team_secret_a_network_echoes_is_scrubbed(
    tmp_path: Path, isolated_home: Path, sandbox: Any
) -> None:
    from crosspost.secrets import scrub

    sandbox.fault("linkedin", status=400, echo=True)
    result = _publish_with_team_token(tmp_path, isolated_home, sandbox)
    assert result.exit_code == 1
    said = result.stdout + result.stderr
    assert "request headers" in said  # the premise: the echo reached crosspost
    assert TOKEN not in said
    with sqlite3.connect(isolated_home / "ledger.sqlite3") as db:
        assert TOKEN not in "\n".join(str(row) for row in db.iterdump())
    # Read from the team file, the value is known to the scrubber for any text at all.
    assert TOKEN not in scrub(f"a plugin's message quoting {TOKEN} in its own words")


def test_secrets_file_setting_moves_the_team_file(
    tmp_path: Path, isolated_home: Path, config: Path
) -> None:
    config.write_text("secrets_file: vault/team.age\n" + config.read_text())
    init(isolated_home, config, "alice")
    secrets(isolated_home, config, "set", "LI_TOKEN", "--stdin", "--to", "team", input=TOKEN)
    assert (config.parent / "vault" / "team.age").exists()
    assert (config.parent / "vault" / "team.holders").exists()
    assert not (config.parent / "secrets.age").exists()
    assert listing(isolated_home, config)["team_file"] == str(config.parent / "vault/team.age")
    # With a team file, `set` stores there unless told otherwise.
    secrets(isolated_home, config, "set", "OTHER_TOKEN", "--stdin", input="other" * 3)
    assert source_of(isolated_home, config, "OTHER_TOKEN") == "team file"


# -- a terminal, for the prompt -------------------------------------------------------


def _on_a_terminal(argv: list[str], answers: list[tuple[str, str]]) -> str:
    """Run `argv` on a pseudo-terminal, typing each answer after its prompt; all it showed."""
    master, slave = os.openpty()
    proc = subprocess.Popen(
        argv, stdin=slave, stdout=slave, stderr=slave, start_new_session=True, close_fds=True
    )
    os.close(slave)
    shown = ""
    try:
        for prompt, answer in answers:
            shown += _read_until(master, prompt, shown)
            os.write(master, answer.encode() + b"\n")
        shown += _read_until(master, None, shown)
    finally:
        os.close(master)
        proc.wait(timeout=30)
    assert proc.returncode == 0, shown
    return shown


def _read_until(fd: int, wanted: str | None, before: str) -> str:
    """What `fd` shows until `wanted` appears (None: until the other end closes)."""
    got = ""
    deadline = time.monotonic() + 30
    while wanted is None or wanted not in before + got:
        assert time.monotonic() < deadline, f"no {wanted!r} in {before + got!r}"
        ready, _, _ = select.select([fd], [], [], 1)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the terminal's other end closed
            break
        if not chunk:
            break
        got += chunk.decode("utf-8", errors="replace")
    return got


@pytest.mark.parametrize("args", [["--help"], ["secrets", "--help"], ["secrets", "set", "--help"]])
def test_help_does_not_load_age(args: list[str]) -> None:
    # A sub-command's --help already loads pydantic (as `feed --help` does): Typer's.
    watched = ("pyrage", "pydantic", "jinja2", "requests") if args == ["--help"] else ("pyrage",)
    code = (
        "import sys\n"
        "from crosspost.cli.commands import app\n"
        "try:\n"
        f"    app({args!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        f"heavy = [m for m in {watched!r} if m in sys.modules]\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert "HEAVY []" in proc.stderr, proc.stderr
