"""`crosspost calendar`: sent, queued and by-hand deliveries per day and channel."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import time_machine
from rich.cells import cell_len

from browser import Web, needs_browser, seen
from helpers import X_CREDS, X_ENV, run, write_config, write_post

CHANNELS = (
    "  ebs-x:\n    network: twitter\n    audience: ebs\n    timezone: Europe/Paris\n" + X_CREDS
    + "  ginger-x:\n    network: twitter\n    audience: ginger\n"
    "    timezone: America/New_York\n" + X_CREDS
    + "  ebs-xing:\n    network: manual\n    audience: ebs\n"
)  # fmt: skip
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
SCRIPT = "<script>alert(1)</script> & co"


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in X_ENV.items():
        monkeypatch.setenv(k, v)


@pytest.fixture
def config(tmp_path: Path, sandbox: Any) -> Path:
    """One post sent on 1 December, one queued for the 10th (09:00 in each zone)."""
    path = write_config(tmp_path, CHANNELS)
    sent = write_post(tmp_path, "sent.md", title=SCRIPT, audience="ebs")
    later = write_post(tmp_path, "later.md", title="Later", url="https://blog.example.com/later")
    with time_machine.travel(NOW, tick=False):
        done = run("-c", path, "publish", "--sandbox", sandbox.url, "-C", "ebs-x", sent)
        assert done.exit_code == 0, done.stderr
        queued = run("-c", path, "schedule", later, "--at", "2026-12-10 09:00")
        assert queued.exit_code == 0, queued.stderr
    return path


def calendar(config: Path, *args: str, columns: int = 80) -> Any:
    with time_machine.travel(NOW, tick=False):
        return run("-c", config, "calendar", *args, env={"COLUMNS": str(columns)})


def test_month_as_json_in_each_channels_zone(config: Path) -> None:
    result = calendar(config, "--month", "2026-12", "--json")
    assert result.exit_code == 0, result.stderr
    days = {d["date"]: d["entries"] for d in json.loads(result.stdout)["days"]}
    assert len(days) == 31
    (sent,) = days["2026-12-01"]
    assert (sent["channel"], sent["kind"], sent["time"]) == ("ebs-x", "sent", "09:00")
    assert sent["title"] == SCRIPT and sent["audience_marker"] == "E"
    tenth = {e["channel"]: e for e in days["2026-12-10"]}
    assert tenth["ebs-x"]["kind"] == "queued" and tenth["ebs-x"]["time"] == "09:00"
    # 09:00 in New York, not in Paris: the day and time are the channel's own.
    assert tenth["ginger-x"]["time"] == "09:00" and tenth["ginger-x"]["timezone"] == (
        "America/New_York"
    )
    assert tenth["ginger-x"]["audience_marker"] == "G"
    assert tenth["ebs-xing"]["kind"] == "by_hand"  # a channel a person posts on


def test_the_grid_fits_80_columns_and_keeps_names_whole(config: Path) -> None:
    result = calendar(config, "--month", "2026-12")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert all(cell_len(line) <= 80 for line in lines), [ln for ln in lines if cell_len(ln) > 80]
    assert "E = ebs, G = ginger" in result.stdout
    assert any(ln.startswith("E ebs-x ") and "09:00✓" in ln for ln in lines)  # sent on the 1st
    week10 = lines[next(i for i, ln in enumerate(lines) if "Thu 10" in ln) :]
    row = {ln.split()[1]: ln for ln in week10[:5] if ln[:2] in ("E ", "G ")}
    assert "09:00·" in row["ebs-x"] and "09:00·" in row["ginger-x"]
    assert "09:00✋" in row["ebs-xing"]
    # The day columns line up: the 10th's entry sits under its heading.
    head = next(ln for ln in week10 if "Thu 10" in ln)
    assert row["ebs-x"].index("09:00·") == head.index("Thu 10")


def test_a_long_channel_name_gets_a_line_of_its_own(tmp_path: Path, sandbox: Any) -> None:
    path = write_config(
        tmp_path, "  ebs-a-very-long-channel-name:\n    network: manual\n    audience: ebs\n"
    )
    post = write_post(tmp_path)
    with time_machine.travel(NOW, tick=False):
        assert run("-c", path, "schedule", post, "--at", "2026-12-02 10:00").exit_code == 0
    result = calendar(path, "--week")
    lines = result.stdout.splitlines()
    assert "E ebs-a-very-long-channel-name" in lines  # whole, on its own line
    assert all(cell_len(line) <= 80 for line in lines)
    assert any("10:00✋" in ln for ln in lines)


def test_week_and_audience_filter(config: Path) -> None:
    week = json.loads(calendar(config, "--week", "--json").stdout)
    assert (week["from"], week["to"]) == ("2026-11-30", "2026-12-06")  # Monday to Sunday
    ginger = json.loads(calendar(config, "--month", "2026-12", "-a", "ginger", "--json").stdout)
    channels = {e["channel"] for d in ginger["days"] for e in d["entries"]}
    assert channels == {"ginger-x"}


def test_bad_month_and_unknown_audience_are_exit_2(config: Path) -> None:
    bad = calendar(config, "--month", "December")
    assert bad.exit_code == 2 and "YYYY-MM, like 2026-12" in bad.stderr
    assert calendar(config, "--month", "2026-13").exit_code == 2
    unknown = calendar(config, "-a", "ebz")
    assert unknown.exit_code == 2
    assert "did you mean 'ebs'" in unknown.stderr and "ebs, ginger" in unknown.stderr


@needs_browser
def test_the_html_calendar_in_a_browser(config: Path, tmp_path: Path, web: Web) -> None:
    out = tmp_path / "december.html"
    result = calendar(config, "--month", "2026-12", "--html", str(out))
    assert result.exit_code == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert "<script" not in text.replace("&lt;script", "") and "http" not in text.split("<body")[0]
    dom = web.check(out.as_uri(), name="calendar", expect=["table", ".entry"], content="body").dom
    page = seen(dom)
    assert "script" not in page.tags  # the title's <script> is text, never an element
    assert SCRIPT in page.text
    assert 'data-date="2026-12-10"' in dom and 'data-kind="by_hand"' in dom
    assert dom.count('class="entry ') >= 4  # the sent one and three queued
    assert "aud-1" in dom and "aud-2" in dom  # a colour per brand


def test_a_post_that_did_not_go_out_is_on_its_day(tmp_path: Path, sandbox: Any) -> None:
    """Failed and unknown deliveries stay on the day they were due, marked; a relayed
    one sits on the day its relay carried it."""
    path = write_config(
        tmp_path,
        CHANNELS + "  ebs-li:\n    network: linkedin\n    audience: ebs\n"
        "    relayed_by: ebs-x\n    author: urn:li:organization:42\n"
        "    credentials:\n      access_token: ${X_TOKEN}\n",
    )
    post = write_post(tmp_path, "p.md", title="Open day", audience="ebs")
    fine = write_post(tmp_path, "q.md", title="Fine", url="https://blog.example.com/q")
    with time_machine.travel(NOW, tick=False):
        carried = run("-c", path, "publish", "--sandbox", sandbox.url, fine)
    assert carried.exit_code == 0, carried.stderr
    # X refuses the post (400: nothing was made, it stays failed).
    sandbox.fault("twitter", status=400, count=1)
    with time_machine.travel(NOW, tick=False):
        sent = run("-c", path, "publish", "--sandbox", sandbox.url, "-C", "ebs-x", post)
    assert sent.exit_code == 1, sent.stderr
    with time_machine.travel(NOW, tick=False):
        result = run("-c", path, "calendar", "--json")
    assert result.exit_code == 0, result.stderr
    days = {d["date"]: d["entries"] for d in json.loads(result.stdout)["days"]}
    kinds = {(e["channel"], e["title"]): e["kind"] for e in days["2026-12-01"]}
    assert kinds[("ebs-x", "Open day")] == "failed"
    assert kinds[("ebs-li", "Fine")] == "relayed" and kinds[("ebs-x", "Fine")] == "sent"
    with time_machine.travel(NOW, tick=False):
        grid = run("-c", path, "calendar", env={"COLUMNS": "80"})
    assert "09:00✗" in grid.stdout and "✗ failed" in grid.stdout
