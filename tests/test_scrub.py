"""Secrets never leak, even when a network echoes our request headers back (issue 10,
item 1): not in the output, not in the ledger, not in the report."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from crosspost.secrets import scrub
from helpers import X_CREDS, run, write_config, write_post

SECRETS = {
    "X_KEY": "ck-SECRET-1111",
    "X_SECRET": "cs-SECRET-2222",
    "X_TOKEN": "at-SECRET-3333",
    "X_TOKEN_SECRET": "ats-SECRET-4444",
    "FB_TOKEN": "EAAB-SECRET-5555",
    "LI_TOKEN": "AQV-SECRET-6666",
    "BITLY_TOKEN": "bitly-SECRET-7777",
}


@pytest.fixture(autouse=True)
def secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in SECRETS.items():
        monkeypatch.setenv(k, v)


def config(tmp: Path, sandbox: Any) -> Path:
    """A real run (no stand-in credentials): every channel pointed at the sandbox."""
    api = f"    api_url: {sandbox.url}\n"
    path = write_config(
        tmp,
        "  x:\n    network: twitter\n" + api + X_CREDS
        + "  fb:\n    network: facebook\n    page_id: '111'\n" + api
        + "    credentials:\n      page_token: ${FB_TOKEN}\n"
        "  li:\n    network: linkedin\n    author: urn:li:organization:42\n" + api
        + "    credentials:\n      access_token: ${LI_TOKEN}\n",
    )  # fmt: skip
    path.write_text(
        f"shortener:\n  service: bitly\n  token: ${{BITLY_TOKEN}}\n  api_url: {sandbox.url}\n"
        "defaults:\n  timeout: 2\n" + path.read_text()
    )
    return path


def leaks(text: str) -> list[str]:
    found = [name for name, value in SECRETS.items() if value in text]
    for marker in ("oauth_signature=", "oauth_nonce=", "Bearer ", "OAuth oauth"):
        if marker in text:
            found.append(marker)
    return found


def ledger_dump(home: Path) -> str:
    with sqlite3.connect(home / "ledger.sqlite3") as db:
        return "\n".join(str(row) for row in db.iterdump())


@pytest.mark.parametrize("network", ["twitter", "facebook", "linkedin", "bitly"])
def test_an_error_that_echoes_our_headers_leaks_no_secret(
    tmp_path: Path, sandbox: Any, isolated_home: Path, network: str
) -> None:
    cfg = config(tmp_path, sandbox)
    sandbox.fault(network, status=400, echo=True)
    result = run("-c", cfg, "publish", "--json", write_post(tmp_path))
    # bit.ly down: the posts go out with the long link (on_error: long); else one fails.
    assert result.exit_code == (0 if network == "bitly" else 1), result.stderr
    said = result.stdout + result.stderr
    assert "request headers" in said  # the premise: the echo reached crosspost
    assert leaks(said) == []
    assert leaks(ledger_dump(isolated_home)) == []
    report = run("-c", cfg, "report", "--format", "md")
    assert report.exit_code == 0 and leaks(report.stdout + report.stderr) == []


def test_the_scrubber_removes_header_values_tokens_and_known_secrets() -> None:
    text = (
        'Authorization: OAuth oauth_consumer_key="ck", oauth_nonce="abc123", '
        'oauth_signature="s%2Fg%3D", oauth_token="tok"; '
        "authorization: Bearer bitly-SECRET-7777; "
        "see https://graph.example/v21.0/me?access_token=EAAB-SECRET-5555&fields=id"
    )
    cleaned = scrub(text)
    assert "abc123" not in cleaned and "s%2Fg%3D" not in cleaned and '"tok"' not in cleaned
    assert "bitly-SECRET-7777" not in cleaned and "EAAB-SECRET-5555" not in cleaned
    assert "fields=id" in cleaned and "graph.example" in cleaned  # the rest stays readable
    assert json.dumps(scrub("no secret here")) == '"no secret here"'


def test_clicks_that_echo_our_headers_leak_no_secret_into_the_report(
    tmp_path: Path, sandbox: Any, isolated_home: Path
) -> None:
    cfg = config(tmp_path, sandbox)
    assert run("-c", cfg, "publish", "-C", "x", write_post(tmp_path)).exit_code == 0
    sandbox.fault("bitly", status=400, echo=True, reads=True)
    out = tmp_path / "report.md"
    result = run(
        "-c", cfg, "report", "--clicks", "--sandbox", sandbox.url, "--format", "md", "--out", out
    )
    assert result.exit_code == 0, result.stderr
    written = out.read_text(encoding="utf-8")
    assert "request headers" in written + result.stderr  # the premise: bit.ly echoed them
    assert leaks(written + result.stdout + result.stderr) == []
    assert leaks(ledger_dump(isolated_home)) == []
