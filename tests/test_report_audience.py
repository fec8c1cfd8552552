"""Followers and engagement in the monthly report, from what `crosspost stats` recorded."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from crosspost.config import load_config
from crosspost.ledger import Ledger
from crosspost.report import Month, make_report, render, terminal_cells, terminal_view
from crosspost.report.model import Table
from report_story import Story, utc

CONFIG = """\
defaults:
  timezone: UTC
channels:
  x:
    network: twitter
    credentials:
      consumer_key: "${K}"
      consumer_secret: "${K}"
      access_token: "${K}"
      access_token_secret: "${K}"
  fb:
    network: facebook
    page_id: "1234"
    credentials: {page_token: "${K}"}
  xing:
    network: manual
    site: Xing
"""
NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    with Ledger.open(tmp_path / "l.sqlite3") as opened:
        yield opened


def config(tmp_path: Path) -> Any:
    path = tmp_path / "channels.yaml"
    path.write_text(CONFIG, encoding="utf-8")
    return load_config(path)


def read(ledger: Ledger, when: str, channel: str, followers: int | None, **posts: Any) -> None:
    ledger.record_figures(
        channel, followers=followers, posts={int(k[1:]): v for k, v in posts.items()}, at=utc(when)
    )


def story(ledger: Ledger) -> dict[str, int]:
    s = Story(ledger)
    october = s.delivery("2026-10-20T10:00:00", "o", "x")
    s.sent("2026-10-20T10:00:01", october)
    a = s.delivery("2026-11-04T10:00:00", "a", "x")
    s.sent("2026-11-04T10:00:01", a)
    b = s.delivery("2026-11-04T10:00:00", "a", "fb")
    s.sent("2026-11-04T10:00:02", b)
    # October ends at 3,100 on X; November reads 3,150 then 3,240; fb never answers.
    read(ledger, "2026-10-29T06:17:00", "x", 3100)
    read(ledger, "2026-11-05T06:17:00", "x", 3150, **{f"d{a}": {"likes": 4, "impressions": 80}})
    read(ledger, "2026-11-28T06:17:00", "x", 3240, **{f"d{a}": {"likes": 9, "impressions": None}})
    read(ledger, "2026-11-05T06:17:00", "fb", None)
    return {"x": a, "fb": b}


def test_followers_at_the_months_start_and_end_and_the_change(
    tmp_path: Path, ledger: Ledger
) -> None:
    ids = story(ledger)
    report = make_report(config(tmp_path), ledger, month=Month(2026, 11), now=NOW)
    assert report.stats
    x, fb = report.figures.channel("x"), report.figures.channel("fb")
    assert x is not None and fb is not None
    assert (x.followers_start.value, x.followers_end.value, x.followers_change) == (3100, 3240, 140)
    assert (fb.followers_start.status, fb.followers_end.status) == ("unavailable", "unavailable")
    assert fb.followers_change is None
    # October: read once, on the 29th (before it, nothing: not recorded, never 0).
    [october] = report.history
    ox = october.channel("x")
    assert ox is not None and ox.followers_end.value == 3100 and ox.followers_start.value == 3100
    # The last known impressions stay: the tier hid them on the 28th, not the post.
    [post] = report.posts
    copies = {c.channel: c for c in post.copies}
    assert copies["x"].engagement == {"likes": 9, "impressions": 80}
    assert copies["fb"].engagement is None and copies["x"].id == ids["x"]
    data = json.loads(render(report, "json"))
    by_name = {c["channel"]: c for c in data["channels"]["channels"]}
    assert by_name["x"]["followers"] == {"start": 3100, "end": 3240, "change": 140}
    assert by_name["fb"]["followers"] == {
        "start": "unavailable",
        "end": "unavailable",
        "change": None,
    }
    assert data["posts"][0]["copies"][0]["engagement"] == {"likes": 9, "impressions": 80}


def tables(report: Any) -> dict[str, Table]:
    return {t.title: t for t in terminal_view(report) if isinstance(t, Table)}


def test_the_terminal_shows_audience_and_engagement_in_words(
    tmp_path: Path, ledger: Ledger
) -> None:
    story(ledger)
    report = make_report(config(tmp_path), ledger, month=Month(2026, 11), now=NOW)
    shown = tables(report)
    audience = terminal_cells(shown["Audience"])
    assert audience == [
        ["x", "3,100", "3,240", "+140"],
        ["fb", "unavailable", "unavailable", "—"],
        ["xing", "—", "—", "—"],  # by hand: no figures to read, so none to miss
    ]
    posts = shown["Posts"]
    engagement = [c.key for c in posts.columns].index("engagement")
    cells = terminal_cells(posts)
    assert cells[0][engagement] == "9 / 80"  # interactions / impressions
    assert cells[1][engagement] == "not recorded"
    followers = terminal_cells(shown["Followers at the end of each month"])
    assert followers == [
        ["x", "3,100", "3,240"],
        ["fb", "not recorded", "unavailable"],
        ["xing", "—", "—"],
    ]


def test_french_csv_carries_followers_and_each_metric(tmp_path: Path, ledger: Ledger) -> None:
    story(ledger)
    report = make_report(config(tmp_path), ledger, month=Month(2026, 11), now=NOW, lang="fr")
    rows = list(csv.reader(io.StringIO(render(report, "csv")), delimiter=";"))
    head = rows[0]
    assert {"Abonnés au début", "Abonnés à la fin", "Évolution", "engagement_j'aime"} <= set(head)
    november = [r for r in rows if r[0] == "canal" and r[1] == "2026-11"]
    x = dict(zip(head, next(r for r in november if r[2] == "x"), strict=True))
    assert (x["Abonnés au début"], x["Abonnés à la fin"], x["Évolution"]) == ("3100", "3240", "140")
    fb = dict(zip(head, next(r for r in november if r[2] == "fb"), strict=True))
    assert (fb["Abonnés au début"], fb["Abonnés à la fin"]) == ("indisponible", "indisponible")
    post_x = dict(
        zip(head, next(r for r in rows if r[0] == "publication" and r[2] == "x"), strict=True)
    )
    assert post_x["engagement_j'aime"] == "9" and post_x["engagement_impressions"] == "80"
    assert post_x["engagement_partages"] == ""  # not among its figures: empty, not 0
    shown = tables(report)
    assert terminal_cells(shown["Audience"])[0] == ["x", "3\u202f100", "3\u202f240", "+140"]
    assert terminal_cells(shown["Audience"])[1][1:3] == ["indisponible", "indisponible"]
    followers = terminal_cells(shown["Abonnés à la fin de chaque mois"])
    assert followers[1] == ["fb", "non relevé", "indisponible"]


def test_the_html_draws_the_follower_curve(tmp_path: Path, ledger: Ledger) -> None:
    story(ledger)
    report = make_report(config(tmp_path), ledger, month=Month(2026, 11), now=NOW)
    html = render(report, "html")
    assert "<h2>Audience</h2>" in html and "Followers per channel" in html
    # One line, for x (fb has no count in any month), through its two month ends.
    assert html.count('<polyline class="line"') == 1
    assert "x 2026-10: 3100" in html and "x 2026-11: 3240" in html


def test_a_report_without_any_reading_is_as_it_always_was(tmp_path: Path, ledger: Ledger) -> None:
    s = Story(ledger)
    d = s.delivery("2026-11-04T10:00:00", "a", "x")
    s.sent("2026-11-04T10:00:01", d)
    report = make_report(config(tmp_path), ledger, month=Month(2026, 11), now=NOW)
    assert not report.stats
    assert "Audience" not in tables(report)
    assert "followers" not in json.loads(render(report, "json"))["channels"]["channels"][0]
    assert "engagement" not in render(report, "csv").splitlines()[0]
