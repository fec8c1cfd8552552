"""`crosspost doctor` over the sandbox: each problem it exists to catch, detected and
said with its fix; "could not check" when a network is down, never "broken"; no
secret in what it prints; and `run` recording itself and saying what it found."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from helpers import X_CREDS, run, write_config, write_post

SECRETS = {
    "X_KEY": "ck-SECRET-1111",
    "X_SECRET": "cs-SECRET-2222",
    "X_TOKEN": "4242-SECRET-3333",  # the sandbox's X user is the token's leading number
    "X_TOKEN_SECRET": "ats-SECRET-4444",
    "FB_TOKEN": "EAAB-SECRET-5555",
    "LI_TOKEN": "AQV-SECRET-6666",
    "BITLY_TOKEN": "5ec2e75ec2e75ec2e75ec2e75ec2e75ec2e77777",  # 40 hex, as bit.ly makes them
}
# What each channel's account is called in the sandbox, as `auth` would record it.
ACCOUNTS = {
    "x": ("twitter", "@sandbox_4242"),
    "fb": ("facebook", "Page École Sandbox"),  # the name /me/accounts lists it by
    "li": ("linkedin", "Sandbox Org 42 (urn:li:organization:42)"),
}


def channels(li_extra: str = "") -> str:
    return (
        "  x:\n    network: twitter\n"
        + X_CREDS
        + "  fb:\n    network: facebook\n    page_id: '111'\n"
        "    credentials:\n      page_token: ${FB_TOKEN}\n"
        "  li:\n    network: linkedin\n    author: urn:li:organization:42\n"
        + li_extra
        + "    credentials:\n      access_token: ${LI_TOKEN}\n"
        "  xing:\n    network: manual\n    site: Xing\n"
    )


@pytest.fixture(autouse=True)
def secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in SECRETS.items():
        monkeypatch.setenv(k, v)


@pytest.fixture(autouse=True)
def no_systemd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the fake crontab says whether `run` is installed, not this machine's timers."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = write_config(tmp_path, channels())
    path.write_text("shortener:\n  service: bitly\n  token: ${BITLY_TOKEN}\n" + path.read_text())
    return path


def crontab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lines: str) -> None:
    """A `crontab` on PATH whose `-l` lists `lines`."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    listed = bin_dir / "crontab.txt"
    listed.write_text(lines)
    script = bin_dir / "crontab"
    script.write_text(f"#!/bin/sh\ncat {listed}\n")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")


def healthy(tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Everything the machine checks in order: cron installed, a run a minute ago, the
    figures read this morning, the accounts recorded at sign-in."""
    from crosspost.ledger import open_store

    crontab(
        tmp_path,
        monkeypatch,
        f"* * * * * /venv/bin/crosspost --config /c.yaml --home {home.resolve()} run\n",
    )
    with open_store(home) as ledger:
        ledger.set_mark("run", datetime.now(UTC) - timedelta(minutes=1))
        ledger.set_mark("stats:x", datetime.now(UTC) - timedelta(hours=3))
        for name, (network, account) in ACCOUNTS.items():
            ledger.record_account(name, network=network, account=account)


def signed_in_elsewhere(home: Path, *, doctor_days_ago: int | None = None) -> None:
    """Channel x signed in as another account than its token's, as `auth` records it."""
    from crosspost.ledger import open_store

    with open_store(home) as ledger:
        ledger.record_account("x", network="twitter", account="@school_official")
        if doctor_days_ago is not None:
            ledger.set_mark("doctor", datetime.now(UTC) - timedelta(days=doctor_days_ago))


def doctor(config: Path, sb: Any, *args: str, expect: int) -> dict[tuple[str, str], dict[str, Any]]:
    """`crosspost doctor --json`'s findings by (subject, check), after checking it
    exited with `expect` (1: something fails; 0: warnings or unchecked only)."""
    result = run("-c", config, "doctor", "--sandbox", sb.url, "--json", *args)
    body = json.loads(result.stdout) if result.stdout.strip() else {}
    failing = [f for f in body.get("findings", []) if f["status"] != "ok"]
    assert result.exit_code == expect, (result.stderr, failing)
    return {(f["subject"], f["what"]): f for f in body["findings"]}


def statuses(found: dict[tuple[str, str], dict[str, Any]]) -> dict[tuple[str, str], str]:
    return {k: f["status"] for k, f in found.items()}


def test_all_ok_names_every_account_and_exits_0(
    tmp_path: Path, isolated_home: Path, config: Path, sandbox: Any, monkeypatch: Any
) -> None:
    healthy(tmp_path, isolated_home, monkeypatch)
    found = doctor(config, sandbox, expect=0)
    assert set(statuses(found).values()) == {"ok"}, statuses(found)
    for name, (_, account) in ACCOUNTS.items():
        assert account in found[(f"channel {name}", "credentials")]["detail"]
    assert "channel xing" not in {s for s, _ in found}  # by hand: nothing to check
    assert "1000 of 1000" in found[("bit.ly", "quota")]["detail"]
    assert found[("secret LI_TOKEN", "age")]["detail"].endswith("its age is unknown")
    # The Page token went in a header, and the one query that carries it is redacted.
    fb = [r for r in sandbox.requests("facebook") if r["path"].endswith("/debug_token")]
    assert fb and fb[0]["query"]["input_token"] == "<redacted>"


def test_figures_not_read_for_days_are_a_warning(
    tmp_path: Path, isolated_home: Path, config: Path, sandbox: Any, monkeypatch: Any
) -> None:
    from crosspost.ledger import open_store

    healthy(tmp_path, isolated_home, monkeypatch)
    with open_store(isolated_home) as ledger:
        ledger.set_mark("stats:x", datetime.now(UTC) - timedelta(days=5))
    found = doctor(config, sandbox, expect=0)  # a warning: the report lacks figures
    stats = found[("machine", "stats")]
    assert stats["status"] == "warn" and "5 day(s) ago" in stats["detail"]
    assert "crosspost cron" in stats["fix"]


def test_a_token_of_the_wrong_account_fails(
    tmp_path: Path, isolated_home: Path, config: Path, sandbox: Any, monkeypatch: Any
) -> None:
    healthy(tmp_path, isolated_home, monkeypatch)
    signed_in_elsewhere(isolated_home)
    sandbox.memory("facebook")["page_names"] = {"111": "Someone Else's Page"}
    found = doctor(config, sandbox, expect=1)
    x = found[("channel x", "account")]
    assert x["status"] == "fail" and "@sandbox_4242" in x["detail"]
    assert "@school_official" in x["detail"] and "wrong account" in x["detail"]
    fb = found[("channel fb", "account")]
    assert fb["status"] == "fail" and "Someone Else's Page" in fb["detail"]
    assert found[("channel li", "account")]["status"] == "ok"


def test_a_linkedin_token_of_another_member_fails(
    tmp_path: Path, isolated_home: Path, sandbox: Any
) -> None:
    config = write_config(
        tmp_path,
        "  me:\n    network: linkedin\n    author: urn:li:person:ada\n"
        "    credentials:\n      access_token: ${LI_TOKEN}\n",
    )
    sandbox.memory("linkedin")["member"] = {"sub": "grace", "name": "Grace Hopper"}
    found = doctor(config, sandbox, "me", expect=1)
    said = found[("channel me", "credentials")]
    assert said["status"] == "fail" and "urn:li:person:grace" in said["detail"]
    sandbox.memory("linkedin")["member"] = {"sub": "ada", "name": "Ada Lovelace"}
    found = doctor(config, sandbox, "me", expect=0)
    assert found[("channel me", "credentials")]["status"] == "ok"
    assert "Ada Lovelace" in found[("channel me", "credentials")]["detail"]


def test_expired_and_expiring_tokens(
    tmp_path: Path, isolated_home: Path, sandbox: Any, monkeypatch: Any
) -> None:
    soon = date.today() + timedelta(days=3)
    config = write_config(tmp_path, channels(f"    token_expires: {soon.isoformat()}\n"))
    healthy(tmp_path, isolated_home, monkeypatch)
    found = doctor(config, sandbox, expect=0)
    li = found[("channel li", "expiry")]
    assert li["status"] == "warn" and "in 3 days" in li["detail"]
    # Graph says when the Page token ends: yesterday.
    yesterday = datetime.now(UTC) - timedelta(days=1)
    sandbox.memory("facebook")["token"] = {"expires_at": int(yesterday.timestamp())}
    found = doctor(config, sandbox, expect=1)
    fb = found[("channel fb", "expiry")]
    assert fb["status"] == "fail" and "expired on" in fb["detail"]
    assert "crosspost auth fb" in fb["fix"]


def test_a_missing_scope_fails_and_names_it(
    tmp_path: Path, isolated_home: Path, config: Path, sandbox: Any, monkeypatch: Any
) -> None:
    healthy(tmp_path, isolated_home, monkeypatch)
    sandbox.memory("facebook")["token"] = {"scopes": ["pages_show_list", "pages_read_engagement"]}
    found = doctor(config, sandbox, "fb", expect=1)
    scopes = found[("channel fb", "scopes")]
    assert scopes["status"] == "fail"
    assert "pages_manage_posts" in scopes["detail"] and "pages_manage_posts" in scopes["fix"]


def test_an_invalid_page_token_and_a_spent_quota(
    tmp_path: Path, isolated_home: Path, config: Path, sandbox: Any, monkeypatch: Any
) -> None:
    healthy(tmp_path, isolated_home, monkeypatch)
    sandbox.memory("facebook")["token"] = {"is_valid": False}
    sandbox.memory("bitly")["limits"] = {"limit": 100, "count": 95}
    found = doctor(config, sandbox, "fb", expect=1)
    assert found[("channel fb", "credentials")]["status"] == "fail"
    assert found[("bit.ly", "quota")]["status"] == "warn"
    assert "5 of 100" in found[("bit.ly", "quota")]["detail"]


def test_a_secret_older_than_rotate_after_warns(
    tmp_path: Path, isolated_home: Path, sandbox: Any, monkeypatch: Any
) -> None:
    import time_machine

    config = write_config(
        tmp_path,
        "  li:\n    network: linkedin\n    author: urn:li:organization:42\n"
        "    credentials:\n      access_token: ${LI_TOKEN}\n",
    )
    config.write_text("defaults:\n  rotate_after: 30d\n" + config.read_text())
    monkeypatch.delenv("LI_TOKEN")  # in the team file only
    assert run("-c", config, "secrets", "init", "--name", "alice").exit_code == 0
    with time_machine.travel(datetime.now(UTC) - timedelta(days=45), tick=False):
        told = run(
            "-c", config, "secrets", "set", "LI_TOKEN", "--to", "team", "--stdin", input="t" * 16
        )
        assert told.exit_code == 0, told.stderr
    healthy(tmp_path, isolated_home, monkeypatch)
    found = doctor(config, sandbox, "li", expect=0)
    age = found[("secret LI_TOKEN", "age")]
    assert age["status"] == "warn"
    assert "45 days old" in age["detail"] and "rotate_after: 30d" in age["detail"]
    assert "crosspost secrets rotate LI_TOKEN" in age["fix"]
    assert found[("machine", "file modes")]["status"] == "ok"  # secrets.age, 0600
    # Named channels: only their secrets (and the shortener's) are looked at.
    assert ("secret X_KEY", "age") not in doctor(config, sandbox, "li", expect=0)


def test_cron_not_installed_and_a_stale_last_run_fail(
    tmp_path: Path, isolated_home: Path, config: Path, sandbox: Any, monkeypatch: Any
) -> None:
    from crosspost.ledger import open_store

    healthy(tmp_path, isolated_home, monkeypatch)
    crontab(tmp_path, monkeypatch, "# crosspost --home /elsewhere run\n0 3 * * * backup\n")
    with open_store(isolated_home) as ledger:
        ledger.set_mark("run", datetime.now(UTC) - timedelta(minutes=30))
    found = doctor(config, sandbox, expect=1)
    cron = found[("machine", "cron")]
    assert cron["status"] == "fail" and "crosspost cron" in cron["fix"]
    last = found[("machine", "last run")]
    assert last["status"] == "fail" and "30 minute(s) ago" in last["detail"]
    # A run (here the full command line, with nothing due) records itself.
    assert run("-c", config, "run").exit_code == 0
    found = doctor(config, sandbox, expect=1)
    assert found[("machine", "last run")]["status"] == "ok"


def test_no_crontab_command_is_could_not_check(
    tmp_path: Path, isolated_home: Path, config: Path, sandbox: Any, monkeypatch: Any
) -> None:
    healthy(tmp_path, isolated_home, monkeypatch)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    found = doctor(config, sandbox, "x", expect=0)
    assert found[("machine", "cron")]["status"] == "unchecked"


def test_secrets_readable_by_others_fail(
    tmp_path: Path, isolated_home: Path, config: Path, sandbox: Any, monkeypatch: Any
) -> None:
    healthy(tmp_path, isolated_home, monkeypatch)
    env = isolated_home / "env"
    env.write_text("")
    env.chmod(0o644)
    found = doctor(config, sandbox, "x", expect=1)
    modes = found[("machine", "file modes")]
    assert modes["status"] == "fail" and f"chmod 600 {env}" in modes["fix"]
    env.chmod(stat.S_IRUSR | stat.S_IWUSR)
    doctor(config, sandbox, "x", expect=0)


def test_a_private_key_readable_by_others_fails(
    tmp_path: Path, isolated_home: Path, config: Path, sandbox: Any, monkeypatch: Any
) -> None:
    healthy(tmp_path, isolated_home, monkeypatch)
    assert run("-c", config, "secrets", "init", "--name", "alice").exit_code == 0
    identity = isolated_home / "identity.age.txt"
    identity.chmod(0o644)
    result = run("-c", config, "doctor", "--sandbox", sandbox.url, "x", "--json")
    assert result.exit_code == 1, result.stderr
    modes = [f for f in json.loads(result.stdout)["findings"] if f["what"] == "file modes"]
    assert [f["status"] for f in modes if str(identity) in f["detail"]] == ["fail"]
    assert "AGE-SECRET-KEY" not in result.stdout + result.stderr


def test_a_network_down_is_could_not_check_not_broken(
    tmp_path: Path, isolated_home: Path, config: Path, sandbox: Any, monkeypatch: Any
) -> None:
    healthy(tmp_path, isolated_home, monkeypatch)
    sandbox.stop()  # nothing listens there any more
    result = run("-c", config, "doctor", "--sandbox", sandbox.url)
    assert result.exit_code == 0, result.stdout  # nothing known to be broken
    found = doctor(config, sandbox, expect=0)
    for name in ACCOUNTS:
        said = found[(f"channel {name}", "credentials")]
        assert said["status"] == "unchecked" and said["detail"].startswith("could not check")
    assert found[("bit.ly", "token")]["status"] == "unchecked"
    assert found[("machine", "clock")]["status"] == "unchecked"
    assert "could not check" in result.stdout and "FAIL" not in result.stdout


def test_refused_credentials_fail_and_no_secret_is_printed(
    tmp_path: Path, isolated_home: Path, config: Path, sandbox: Any, monkeypatch: Any
) -> None:
    healthy(tmp_path, isolated_home, monkeypatch)
    # The refusal echoes the request's headers, Authorization included.
    for network in ("twitter", "linkedin"):
        sandbox.fault(network, status=401, echo=True, reads=True, count=2)
    table = run("-c", config, "doctor", "--sandbox", sandbox.url)
    assert table.exit_code == 1
    found = doctor(config, sandbox, expect=1)
    assert found[("channel x", "credentials")]["status"] == "fail"
    assert found[("channel li", "credentials")]["status"] == "fail"
    said = table.stdout + table.stderr + json.dumps(list(found.values()))
    for value in SECRETS.values():
        assert value not in said
        assert value.split("-SECRET-")[-1] not in said


def test_run_says_what_the_daily_live_check_found(
    tmp_path: Path, isolated_home: Path, config: Path, sandbox: Any, monkeypatch: Any
) -> None:
    healthy(tmp_path, isolated_home, monkeypatch)
    signed_in_elsewhere(isolated_home, doctor_days_ago=2)
    post = write_post(tmp_path)
    queued = run("-c", config, "schedule", "--at", "now", "-C", "xing", post)
    assert queued.exit_code == 0, queued.stderr
    ran = run("-c", config, "run", "--sandbox", sandbox.url)
    assert ran.exit_code == 0, ran.stderr
    assert "doctor: channel x: account:" in ran.stderr and "@school_official" in ran.stderr
    # Once a day: the next run asks the networks nothing.
    before = len(sandbox.requests("twitter"))
    run("-c", config, "schedule", "--at", "now", "-C", "xing", write_post(tmp_path, "b.md"))
    again = run("-c", config, "run", "--sandbox", sandbox.url)
    assert "doctor: channel x" not in again.stderr
    assert len(sandbox.requests("twitter")) == before


def test_crons_run_with_nothing_due_records_the_run(
    tmp_path: Path, isolated_home: Path, config: Path
) -> None:
    from crosspost.ledger import open_store

    with open_store(isolated_home) as ledger:
        ledger.set_mark("run", datetime.now(UTC) - timedelta(hours=1))
    env = {**os.environ, "CROSSPOST_HOME": str(isolated_home)}
    done = subprocess.run(
        [sys.executable, "-c", "from crosspost.cli import main; main()", "run"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    with open_store(isolated_home) as ledger:
        last = ledger.mark("run")
    assert last is not None and datetime.now(UTC) - last < timedelta(minutes=1)
