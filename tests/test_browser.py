"""Every HTML page crosspost makes, opened in a real headless browser: the monthly report
and the sandbox's page.  What the browser builds (its DOM after scripts ran) must show
the awkward titles as text, run none of them, and keep the tables and charts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import time_machine

from browser import Web, needs_browser, seen
from crosspost.ledger import Ledger, default_ledger_path
from helpers import run, write_post
from report_story import CONFIG, SCRIPT_TITLE, utc, write_awkward_story

pytestmark = needs_browser


def test_the_html_report_in_a_browser(
    tmp_path: Path, isolated_home: Path, monkeypatch: pytest.MonkeyPatch, web: Web
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
    page = seen(web.check(out.as_uri(), name="report", expect=["main", "table", "svg"]).dom)
    assert "script" not in page.tags  # the title's <script> is text, never an element
    assert SCRIPT_TITLE in page.text  # and the reader sees it as typed
    assert page.tags.count("table") >= 2 and "svg" in page.tags  # tables and charts built
    assert any(t.startswith("Social presence") for t in page.text)


def test_the_sandbox_page_in_a_browser(tmp_path: Path, sandbox: Any, web: Web) -> None:
    cfg = tmp_path / "channels.yaml"
    cfg.write_text(
        "channels:\n  x:\n    network: twitter\n    credentials:\n"
        "      consumer_key: ${K}\n      consumer_secret: ${S}\n"
        "      access_token: ${T}\n      access_token_secret: ${TS}\n",
        encoding="utf-8",
    )
    post = write_post(tmp_path, title="<img src=x onerror=alert(1)> & co")
    assert run("-c", cfg, "publish", "--sandbox", sandbox.url, post).exit_code == 0
    opened = web.check(sandbox.url + "/", name="sandbox", expect=["section.twitter .style-x"])
    page = seen(opened.dom)
    assert "img" not in page.tags  # what the network received is shown as text
    assert any("<img src=x onerror=alert(1)> & co" in t for t in page.text)
    assert "script" not in page.tags
