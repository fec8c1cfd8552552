"""The monthly report: figures from a ledger with known contents, every format, clicks."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.dom.minidom
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from crosspost.ledger import Ledger, default_ledger_path
from crosspost.report import Month, add_clicks, build_report, render
from helpers import run
from report_story import CHANNELS, CONFIG, Story, utc

PARIS = "Europe/Paris"
TOKEN = "bitly-SECRET-9999"
# The clicks the sandbox holds for each short link of the story below.
CLICKS = {"xa": 1, "fa": 1, "xb": 3, "fb": 2, "xc": 5, "xd": 7, "ld": 4}


def write_story(ledger: Ledger) -> None:
    """September to early December 2026; the comments give the figures November must show."""
    s = Story(ledger)
    # September: A on X and Facebook.
    s.sent("2026-09-10T08:00:00", s.delivery("2026-09-10T08:00:00", "a", "x", short="xa"))
    s.sent("2026-09-10T08:00:01", s.delivery("2026-09-10T08:00:00", "a", "fb", short="fa"))
    # October: B on X; Facebook refuses the token; X relays to LinkedIn; Xing by hand.
    s.sent("2026-10-05T08:00:00", s.delivery("2026-10-05T08:00:00", "b", "x", short="xb"))
    fb_b = s.delivery("2026-10-05T08:00:00", "b", "fb", short="fb")
    s.failed("2026-10-05T08:00:01", fb_b, kind="auth")
    s.call(
        "2026-10-05T08:00:02", "mark_relayed", s.delivery("2026-10-05T08:00:00", "b", "li"), via="x"
    )
    xing_b = s.delivery("2026-10-05T08:00:00", "b", "xing")
    s.call("2026-10-05T08:00:03", "mark_manual", xing_b)
    s.call("2026-10-06T10:00:00", "mark_done", xing_b, url="https://xing.example/b")
    # 23:30 UTC on 31 October is 00:30 on 1 November in Paris: a November post.
    s.sent("2026-10-31T23:30:00", s.delivery("2026-10-31T23:30:00", "c", "x", short="xc"))
    # November: Facebook's B is retried and goes out (a retry, sent in November).
    s.call("2026-11-02T09:00:00", "reset_for_retry", fb_b, reason="token renewed")
    s.sent("2026-11-02T09:00:01", fb_b)
    # D: X fails once then goes; Facebook never answers; LinkedIn reposted directly
    # (the chain is broken); Xing waits for someone.
    x_d = s.delivery("2026-11-10T09:00:00", "d", "x", short="xd")
    s.failed("2026-11-10T09:00:01", x_d)
    s.sent("2026-11-10T09:05:00", x_d)
    s.unknown("2026-11-10T09:00:02", s.delivery("2026-11-10T09:00:00", "d", "fb", short="fd"))
    s.sent(
        "2026-11-10T09:00:03",
        s.delivery("2026-11-10T09:00:00", "d", "li", route="repost", short="ld"),
    )
    s.call("2026-11-10T09:00:04", "mark_manual", s.delivery("2026-11-10T09:00:00", "d", "xing"))
    s.call(
        "2026-11-12T12:00:00",
        "add_note",
        text="Replied to 12 comments",
        channel="fb",
        at=utc("2026-11-03T11:00:00"),
    )
    # 22:30 UTC on 30 November is 23:30 in Paris: still November; an hour later is not.
    s.call("2026-11-30T22:30:00", "add_note", text="Newsletter | sent to alumni")
    s.call("2026-11-30T23:30:00", "add_note", text="December already")
    # December: E, and D's Facebook copy confirmed. Neither changes November.
    s.sent("2026-12-01T08:00:00", s.delivery("2026-12-01T08:00:00", "e", "x", short="xe"))
    fb_d = ledger.find(post_key="https://blog.example.com/d", channel="fb")
    assert fb_d is not None
    s.call("2026-12-02T08:00:00", "mark_done", fb_d.id, url="https://facebook.example/d")


@pytest.fixture
def ledger_path(isolated_home: Path) -> Iterator[Path]:
    path = default_ledger_path(isolated_home)
    with Ledger.open(path) as ledger:
        write_story(ledger)
    yield path


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BITLY_TOKEN", TOKEN)
    path = tmp_path / "channels.yaml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


def november(path: Path, **kwargs: Any) -> Any:
    with Ledger.open(path) as ledger:
        return build_report(
            ledger, month=Month(2026, 11), timezone=PARIS, channels=CHANNELS, **kwargs
        )


def figures(month: Any) -> dict[str, dict[str, int]]:
    return {
        c.channel: {
            k: v
            for k, v in c.to_json().items()
            if k not in ("channel", "network", "x_cost_usd") and v
        }
        for c in month.channels
    }


# -- the figures ---------------------------------------------------------------------------


def test_figures_per_channel_from_the_ledger(ledger_path: Path) -> None:
    report = november(ledger_path)
    assert figures(report.figures) == {
        "x": {"posted": 2, "sent": 2, "retries": 1},
        "fb": {"posted": 1, "sent": 1, "retries": 1, "unknown": 1, "notes": 1},
        "li": {"posted": 1, "sent": 1, "reposts": 1},
        "xing": {"waiting": 1},
    }
    (october,) = [m for m in report.history if m.month == Month(2026, 10)]
    assert figures(october) == {
        "x": {"posted": 1, "sent": 1},
        "fb": {"failed": 1},
        "li": {"relayed": 1},
        "xing": {"posted": 1, "by_hand": 1},
    }
    # History goes back to the ledger's first month, not to empty months before it.
    assert [m.month.label for m in report.history] == ["2026-09", "2026-10"]
    assert report.figures.total("posted") == 4 and not report.empty


def test_posts_show_each_copy_as_it_stood_at_month_end(ledger_path: Path) -> None:
    report = november(ledger_path)
    assert [p.title for p in report.posts] == ["Article C", "Article B", "Article D"]
    b = {c.channel: c for c in report.posts[1].copies}
    assert b["fb"].state == "sent" and b["fb"].url == "https://social.example/4"
    assert b["li"].state == "relayed" and b["li"].url is None
    assert b["xing"].state == "sent" and b["xing"].url == "https://xing.example/b"
    d = {c.channel: c for c in report.posts[2].copies}
    assert (d["x"].state, d["fb"].state, d["li"].state, d["xing"].state) == (
        "sent",
        "unknown",
        "sent",
        "manual",
    )
    assert d["fb"].error == "no answer" and d["fb"].url is None  # confirmed only in December
    assert d["li"].route == "repost"
    assert f"{d['x'].at:%Y-%m-%d %H:%M %z}" == "2026-11-10 10:05 +0100"  # local time
    assert report.posts[0].url == "https://blog.example.com/c"


def test_notes_and_month_boundaries_in_the_configured_time_zone(ledger_path: Path) -> None:
    report = november(ledger_path)
    assert [(n.channel, n.text) for n in report.notes] == [
        ("fb", "Replied to 12 comments"),
        (None, "Newsletter | sent to alumni"),
    ]
    assert f"{report.notes[1].at:%Y-%m-%d %H:%M}" == "2026-11-30 23:30"
    with Ledger.open(ledger_path) as ledger:
        in_utc = build_report(ledger, month=Month(2026, 11), timezone="UTC", channels=CHANNELS)
        october = build_report(ledger, month=Month(2026, 10), timezone=PARIS)
    # Read in UTC, C (23:30 UTC on 31 October) belongs to October and the last note to November.
    assert in_utc.figures.channel("x").sent == 1
    assert len(in_utc.notes) == 3
    assert october.figures.channel("x").sent == 1  # B only; C is November in Paris


def test_month_boundary_across_a_dst_change(tmp_path: Path) -> None:
    with Ledger.open(tmp_path / "l.sqlite3") as ledger:
        s = Story(ledger)
        # Paris is UTC+2 from 29 March 2026: April starts at 22:00 UTC on 31 March.
        s.sent("2026-03-31T21:59:00", s.delivery("2026-03-31T21:59:00", "m", "x"))
        s.sent("2026-03-31T22:00:00", s.delivery("2026-03-31T22:00:00", "n", "x"))
        march = build_report(ledger, month=Month(2026, 3), timezone=PARIS)
        april = build_report(ledger, month=Month(2026, 4), timezone=PARIS)
    assert [p.title for p in march.posts] == ["Article M"]
    assert [p.title for p in april.posts] == ["Article N"]


def test_history_keeps_six_months_by_default(tmp_path: Path) -> None:
    with Ledger.open(tmp_path / "l.sqlite3") as ledger:
        s = Story(ledger)
        for month in range(1, 11):
            when = f"2026-{month:02d}-15T10:00:00"
            s.sent(when, s.delivery(when, f"p{month}", "x"))
        report = build_report(ledger, month=Month(2026, 10), timezone=PARIS)
        longer = build_report(ledger, month=Month(2026, 10), timezone=PARIS, history=12)
    assert [m.month.label for m in report.history] == [f"2026-{m:02d}" for m in range(4, 10)]
    assert [m.total("posted") for m in report.history] == [1] * 6
    assert len(longer.history) == 9  # back to January, where the ledger starts


def test_month_parsing() -> None:
    today = datetime(2026, 1, 15, tzinfo=UTC)
    assert Month.parse("2026-11", today=today) == Month(2026, 11)
    assert Month.parse("last", today=today) == Month(2025, 12)
    assert Month.parse("this", today=today) == Month(2026, 1)
    for bad in ("2026-13", "11/2026", "november"):
        with pytest.raises(Exception, match="write a month like 2026-11"):
            Month.parse(bad, today=today)


# -- every format, through the CLI -----------------------------------------------------------


def report_cli(config: Path, *args: str) -> Any:
    return run("-c", config, "report", "--month", "2026-11", *args)


def test_markdown(ledger_path: Path, config: Path) -> None:
    result = report_cli(config, "--format", "md")
    assert result.exit_code == 0, result.stderr
    md = result.stdout
    assert md.startswith("# Social presence: November 2026\n")
    assert "| x | twitter | 2 | 2 | 0 | 0 | 0 | 0 | 0 | 0 | 1 | 0 |" in md
    assert "| fb | facebook | 1 | 1 | 0 | 0 | 0 | 0 | 1 | 0 | 1 | 1 |" in md
    assert "| Total |  | 4 | 4 | 0 | 0 | 1 | 0 | 1 | 1 | 2 | 1 |" in md
    assert "| [Article D](https://blog.example.com/d) | x | sent | 2026-11-10 10:05 |" in md
    assert "| li | sent (repost) |" in md
    assert "Newsletter \\| sent to alumni" in md  # a pipe cannot break the table
    # History: posted, by hand, relayed, reposts, failed, unknown, retries, notes.
    assert "| 2026-10 | 2 | 1 | 1 | 0 | 1 | 0 | 0 | 0 |" in md
    assert "| xing | 0 | 1 | 0 |" in md  # posted per channel, Sep to Nov
    assert "Clicks" not in md  # not asked for


def test_csv_fits_a_spreadsheet(ledger_path: Path, config: Path, tmp_path: Path) -> None:
    out = tmp_path / "november.csv"
    result = report_cli(config, "--out", out)
    assert result.exit_code == 0 and result.stdout == ""
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with a BOM
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    channel_rows = {(r["month"], r["channel"]): r for r in rows if r["section"] == "channel"}
    assert channel_rows[("2026-11", "fb")]["unknown"] == "1"
    assert channel_rows[("2026-10", "fb")]["failed"] == "1"
    assert channel_rows[("2026-09", "x")]["posted"] == "1"
    assert len(channel_rows) == 12  # 4 channels × 3 months
    copies = [r for r in rows if r["section"] == "post"]
    assert len(copies) == 9 and copies[0]["post_title"] == "Article C"
    assert [r["text"] for r in rows if r["section"] == "note"] == [
        "Replied to 12 comments",
        "Newsletter | sent to alumni",
    ]


def test_html_is_one_self_contained_file(ledger_path: Path, config: Path, tmp_path: Path) -> None:
    out = tmp_path / "november.html"
    assert report_cli(config, "--out", out).exit_code == 0
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<svg" in html and "Posts per channel" in html
    # Nothing to fetch when opened from an e-mail: no script, stylesheet, font or image link.
    assert not re.search(r"<script|<link|<img|@import|url\(", html, re.IGNORECASE)
    assert not re.search(r"\ssrc=", html)
    hrefs = re.findall(r'href="([^"]+)"', html)
    assert hrefs and all(
        h.startswith(
            ("https://blog.example.com/", "https://social.example/", "https://xing.example/")
        )
        for h in hrefs
    )
    for svg in re.findall(r"<svg.*?</svg>", html, re.DOTALL):
        xml.dom.minidom.parseString(svg)  # well-formed, so mail clients can show it
    assert "<title>x 2026-11: 2</title>" in html
    assert "Article D" in html and "Newsletter | sent to alumni" in html


def test_json_and_table(ledger_path: Path, config: Path, tmp_path: Path) -> None:
    data = json.loads(report_cli(config, "--json").stdout)
    assert data["month"] == "2026-11" and data["timezone"] == PARIS and not data["empty"]
    assert data["channels"]["totals"]["posted"] == 4
    assert [m["month"] for m in data["history"]] == ["2026-09", "2026-10"]
    assert data["clicks"] == "not requested"
    table = report_cli(config)
    assert table.exit_code == 0
    assert "Social presence: November 2026" in table.stdout and "Article D" in table.stdout
    out = tmp_path / "november.txt"
    assert report_cli(config, "--out", out).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert "Social presence: November 2026" in text and "\x1b[" not in text


@pytest.mark.parametrize("fmt", ["table", "md", "csv", "html", "json"])
def test_a_month_without_activity_is_an_empty_report_not_an_error(
    ledger_path: Path, config: Path, fmt: str
) -> None:
    result = run("-c", config, "report", "--month", "2027-02", "--format", fmt)
    assert result.exit_code == 0, result.stderr
    if fmt == "json":
        assert json.loads(result.stdout)["empty"] is True
    elif fmt == "csv":
        assert all(
            r["posted"] == "0"
            for r in csv.DictReader(io.StringIO(result.stdout))
            if r["month"] == "2027-02"
        )
    else:
        assert "No activity in February 2027" in result.stdout


def test_an_empty_ledger_reports_nothing_without_error(config: Path) -> None:
    result = run("-c", config, "report", "--format", "md")
    assert result.exit_code == 0 and "No activity in" in result.stdout
    assert "## History" not in result.stdout


def test_bad_report_arguments(config: Path) -> None:
    assert run("-c", config, "report", "--month", "2026-13").exit_code == 2
    result = run("-c", config, "report", "--format", "pdf")
    assert result.exit_code == 2 and "choose one of table, md, csv, html, json" in result.stderr
    assert run("-c", config, "report", "--json", "--format", "md").exit_code == 2


# -- clicks ------------------------------------------------------------------------------------


def set_clicks(sandbox: Any) -> None:
    for code, n in CLICKS.items():
        sandbox.set_clicks(f"bit.ly/{code}", n)


def test_clicks_per_channel_from_the_sandbox(ledger_path: Path, config: Path, sandbox: Any) -> None:
    set_clicks(sandbox)
    result = report_cli(config, "--clicks", "--sandbox", sandbox.url, "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["clicks"] == "bit.ly"
    clicks = {c["channel"]: c["clicks"] for c in data["channels"]["channels"]}
    # Each channel's own tagged link: X brought 12 (C 5 + D 7), LinkedIn 4, Facebook 2
    # (B, sent in November; D's copy is unknown and not counted).
    assert clicks == {"x": 12, "fb": 2, "li": 4, "xing": 0}
    october = {c["channel"]: c["clicks"] for c in data["history"][1]["channels"]}
    assert october == {"x": 3, "fb": 0, "li": 0, "xing": None}  # Xing's link is not shortened
    d = {c["channel"]: c["clicks"] for c in data["posts"][2]["copies"]}
    assert d == {"x": 7, "fb": None, "li": 4, "xing": None}
    asked = [r["path"] for r in sandbox.requests("bitly")]
    assert "/v4/bitlinks/bit.ly/xd/clicks/summary" in asked
    # One request per link sent in the three months; December's and D's unknown one left out.
    assert len(asked) == len(set(asked)) == 7
    assert all(TOKEN not in json.dumps(r) for r in sandbox.requests("bitly"))
    assert TOKEN not in result.stdout + result.stderr

    md = report_cli(config, "--clicks", "--sandbox", sandbox.url, "--format", "md").stdout
    assert "| x | twitter | 2 | 2 | 0 | 0 | 0 | 0 | 0 | 0 | 1 | 0 | 12 |" in md
    html = report_cli(config, "--clicks", "--sandbox", sandbox.url, "--format", "html").stdout
    assert "Clicks per channel" in html and "<title>x 2026-11: 12</title>" in html


def test_bitly_failing_leaves_clicks_unavailable_and_the_report_written(
    ledger_path: Path, config: Path, sandbox: Any, tmp_path: Path
) -> None:
    out = tmp_path / "r.md"
    result = report_cli(config, "--clicks", "--sandbox", "http://127.0.0.1:9", "--out", out)
    assert result.exit_code == 0
    assert "clicks unavailable: cannot reach bit.ly" in result.stderr
    md = out.read_text(encoding="utf-8")
    assert "| x | twitter | 2 | 2 | 0 | 0 | 0 | 0 | 0 | 0 | 1 | 0 | unavailable |" in md
    set_clicks(sandbox)
    sandbox.latency("bitly", 1.0)  # the shortener's timeout is 0.5 s
    result = report_cli(config, "--clicks", "--sandbox", sandbox.url, "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["clicks"] == "unavailable: bit.ly did not answer within 0.5 s"
    assert len(sandbox.requests("bitly")) == 1  # it stops asking at the first failure


def test_missing_token_marks_clicks_unavailable(
    ledger_path: Path, config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BITLY_TOKEN")
    result = report_cli(config, "--clicks", "--format", "json")
    assert result.exit_code == 0
    assert "BITLY_TOKEN" in json.loads(result.stdout)["clicks"]


def test_a_link_bitly_does_not_know_is_left_out(ledger_path: Path, sandbox: Any) -> None:
    for code, n in CLICKS.items():
        if code != "xa":  # deleted on bit.ly since
            sandbox.set_clicks(f"bit.ly/{code}", n)
    with Ledger.open(ledger_path) as ledger:
        report = add_clicks(november(ledger_path), ledger=ledger, token=TOKEN, api_url=sandbox.url)
    assert report.clicks == "bit.ly"
    assert report.figures.channel("x").clicks == 12
    september = report.history[0]
    assert september.channel("x").clicks is None and september.channel("fb").clicks == 1
    assert any("does not know 1 link(s) (e.g. bit.ly/xa)" in w for w in report.warnings)
    assert "| 2026-09 | 2 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 1 |" in render(report, "md")
