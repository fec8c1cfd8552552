"""chain, demo, sandbox and cron, end to end."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import requests

from helpers import EXAMPLE_CONFIG, run, write_config, write_post


def test_chain_draws_direct_relayed_and_broken() -> None:
    result = run("-c", EXAMPLE_CONFIG, "chain")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "blog"
    tree = "\n".join(lines)
    assert "ebs-twitter (twitter) · direct" in tree
    # ebs-linkedin hangs under ebs-twitter: the relay works.
    x_line = next(i for i, line in enumerate(lines) if "ebs-twitter (twitter)" in line)
    assert "ebs-linkedin (linkedin) · relayed by ebs-twitter" in lines[x_line + 1]
    assert "ebs-xing (manual) · broken: ebs-twitter does not feed it" in tree


def test_demo_runs_the_whole_job_without_accounts() -> None:
    result = run("demo", "--no-serve", "--json")
    assert result.exit_code == 0, result.stderr
    rows = {r["channel"]: r for r in json.loads(result.stdout)}
    assert rows["demo-x"]["state"] == "sent" and rows["demo-x"]["url"].startswith("https://x.com/")
    assert rows["demo-facebook"]["state"] == "sent"
    assert rows["demo-linkedin"]["state"] == "sent" and rows["demo-linkedin"]["route"] == "repost"
    assert rows["demo-xing"]["state"] == "manual"
    bluesky = rows["demo-bluesky"]
    assert bluesky["state"] == "sent"
    assert bluesky["url"].startswith("https://bsky.app/profile/robotics-lab.bsky.social/post/")
    assert "https://bit.ly/" in rows["demo-x"]["text"]
    assert "sandbox page: http://127.0.0.1:" in result.stderr


def test_demo_leaves_the_real_home_alone(isolated_home: Path) -> None:
    run("demo", "--no-serve")
    assert not isolated_home.exists()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_sandbox_command_serves_and_publish_uses_it(tmp_path: Path) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "crosspost", "sandbox", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                requests.get(url + "/_sandbox/state", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.05)
        config = write_config(
            tmp_path,
            "  fb:\n    network: facebook\n    page_id: '7'\n"
            "    credentials:\n      page_token: ${UNSET_IN_TESTS}\n",
        )
        result = run("-c", config, "publish", "--sandbox", url, write_post(tmp_path))
        assert result.exit_code == 0, result.stderr
        page = requests.get(url + "/", timeout=5)
        assert page.status_code == 200 and "A title" in page.text
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_cron_prints_absolute_paths_on_one_crontab_line(isolated_home: Path) -> None:
    result = run("-c", EXAMPLE_CONFIG, "cron")
    assert result.exit_code == 0
    (line,) = [ln for ln in result.stdout.splitlines() if ln.startswith("* * * * *")]
    assert f"--config {EXAMPLE_CONFIG}" in line
    assert f"--home {isolated_home.resolve()}" in line and line.endswith("2>&1")
    assert "OnCalendar=*:0/1" in result.stdout and "EnvironmentFile=" in result.stdout


def test_linkedin_token_about_to_expire_is_a_warning(tmp_path: Path, sandbox: object) -> None:
    soon = (date.today() + timedelta(days=3)).isoformat()
    config = write_config(
        tmp_path,
        "  li:\n    network: linkedin\n    author: urn:li:organization:42\n"
        f"    token_expires: {soon}\n    credentials:\n      access_token: ${{LI}}\n",
    )
    env = {**os.environ, "LI": "token"}
    result = run(
        "-c",
        config,
        "publish",
        "--sandbox",
        sandbox.url,  # type: ignore[attr-defined]
        write_post(tmp_path),
        env=env,
    )
    assert result.exit_code == 0
    assert "expires in 3 days" in result.stderr
