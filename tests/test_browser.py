"""Every HTML page crosspost makes, opened in a real headless browser: the monthly report
and the sandbox's page.  What the browser builds (its DOM after scripts ran) must show
the awkward titles as text, run none of them, and keep the tables and charts."""

from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import time_machine

from crosspost.ledger import Ledger, default_ledger_path
from helpers import run, write_post
from report_story import CONFIG, SCRIPT_TITLE, utc, write_awkward_story

BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    BROWSER is None, reason="no Chromium on this machine (.ci/run installs Debian's chromium)"
)


def dump_dom(url: str, profile: Path) -> str:
    """The DOM the browser built for `url`, serialised, after its scripts ran."""
    assert BROWSER is not None
    done = subprocess.run(
        [
            BROWSER,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--virtual-time-budget=2000",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout


class _Seen(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.text.append(" ".join(data.split()))


def seen(dom: str) -> _Seen:
    parser = _Seen()
    parser.feed(dom)
    return parser


def test_the_html_report_in_a_browser(
    tmp_path: Path, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BITLY_TOKEN", "bitly-SECRET-1234")
    with Ledger.open(default_ledger_path(isolated_home)) as ledger:
        write_awkward_story(ledger)
    config = tmp_path / "channels.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    out = tmp_path / "november.html"
    with time_machine.travel(utc("2026-12-15T09:30:00"), tick=False):
        result = run("-c", config, "report", "--month", "2026-11", "--out", out)
    assert result.exit_code == 0, result.stderr
    page = seen(dump_dom(out.as_uri(), tmp_path / "profile"))
    assert "script" not in page.tags  # the title's <script> is text, never an element
    assert SCRIPT_TITLE in page.text  # and the reader sees it as typed
    assert page.tags.count("table") >= 2 and "svg" in page.tags  # tables and charts built
    assert any(t.startswith("Social presence") for t in page.text)


def test_the_sandbox_page_in_a_browser(tmp_path: Path, sandbox: Any) -> None:
    cfg = tmp_path / "channels.yaml"
    cfg.write_text(
        "channels:\n  x:\n    network: twitter\n    credentials:\n"
        "      consumer_key: ${K}\n      consumer_secret: ${S}\n"
        "      access_token: ${T}\n      access_token_secret: ${TS}\n",
        encoding="utf-8",
    )
    post = write_post(tmp_path, title="<img src=x onerror=alert(1)> & co")
    assert run("-c", cfg, "publish", "--sandbox", sandbox.url, post).exit_code == 0
    page = seen(dump_dom(sandbox.url + "/", tmp_path / "profile"))
    assert "img" not in page.tags  # what the network received is shown as text
    assert any("<img src=x onerror=alert(1)> & co" in t for t in page.text)
