"""The report per brand (`--audience`, `--split-audience`): a brand's report holds its own
channels' figures, posts and notes, and none of the other brand's."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import time_machine

from crosspost.ledger import Ledger
from helpers import run
from report_story import Story, utc

# Two brands, a channel that serves both, and a relay (LinkedIn gets EBS's X posts).
BRANDS_CONFIG = """\
defaults:
  timezone: Europe/Paris
channels:
  ebs-x:
    network: twitter
    audience: ebs
    credentials:
      consumer_key: ${X_KEY}
      consumer_secret: ${X_SECRET}
      access_token: ${X_TOKEN}
      access_token_secret: ${X_TOKEN_SECRET}
  ebs-li:
    network: linkedin
    audience: ebs
    author: urn:li:organization:42
    relayed_by: ebs-x
    credentials:
      access_token: ${LI_TOKEN}
  ginger-fb:
    network: facebook
    audience: ginger
    page_id: "111"
    credentials:
      page_token: ${FB_TOKEN}
  campus-news:
    network: manual
    site: Intranet
    audience: all
"""
EBS_TITLE = "Open day at the business school"
GINGER_TITLE = "Bridge inspection robots"


def write_brands_story(ledger: Ledger) -> None:
    """November 2026: EBS sends 2 posts on X (one relayed to LinkedIn), Ginger 5 on
    Facebook, 1 of which failed; the shared channel carries one post of each brand, by
    hand, and one post that went nowhere else (whose brand nothing tells)."""
    s = Story(ledger)
    for i in range(2):
        when = f"2026-11-0{i + 2}T08:00:00"
        s.sent(when, s.delivery(when, f"ebs{i}", "ebs-x", title=EBS_TITLE, network="twitter"))
    li = s.delivery("2026-11-02T08:00:00", "ebs0", "ebs-li", title=EBS_TITLE, network="linkedin")
    s.call("2026-11-02T08:00:02", "mark_relayed", li, via="ebs-x")
    for i in range(5):
        when = f"2026-11-1{i}T08:00:00"
        d = s.delivery(when, f"gin{i}", "ginger-fb", title=GINGER_TITLE, network="facebook")
        if i == 4:
            s.failed(when, d, kind="permanent", error="ginger token refused")
        else:
            s.sent(when, d)
    for post, title in (("ebs0", EBS_TITLE), ("gin0", GINGER_TITLE)):
        d = s.delivery("2026-11-20T08:00:00", post, "campus-news", title=title, network="manual")
        s.call("2026-11-20T08:00:01", "mark_manual", d)
        s.call("2026-11-21T08:00:00", "mark_done", d, url=f"https://intranet.example/{post}")
    d = s.delivery("2026-11-22T08:00:00", "gala", "campus-news", title="Gala", network="manual")
    s.call("2026-11-22T08:00:01", "mark_manual", d)
    s.call(
        "2026-11-05T10:00:00", "add_note", text="EBS note: LinkedIn page renamed", channel="ebs-li"
    )
    s.call("2026-11-06T10:00:00", "add_note", text="Ginger note: new FB admin", channel="ginger-fb")
    s.call("2026-11-07T10:00:00", "add_note", text="Team note: holidays")


def report(config: Path, *args: str | Path) -> object:
    with time_machine.travel(utc("2026-12-15T09:30:00"), tick=False):
        return run("-c", config, "report", "--month", "2026-11", *args)


def figures(config: Path, *args: str) -> dict[str, dict[str, int]]:
    result = report(config, "--json", *args)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    return {c["channel"]: c for c in data["channels"]["channels"]} | {
        "_total": data["channels"]["totals"]
    }


OTHER = {
    "ebs": ("ginger-fb", GINGER_TITLE, "ginger token refused", "Ginger note"),
    "ginger": ("ebs-x", "ebs-li", EBS_TITLE, "EBS note"),
}


@pytest.mark.parametrize("brand", ["ebs", "ginger"])
@pytest.mark.parametrize("fmt", ["md", "html", "csv", "json"])
def test_a_brand_report_holds_nothing_of_the_other_brand(
    brands: Path, brand: str, fmt: str
) -> None:
    result = report(brands, "--audience", brand, "--format", fmt)
    assert result.exit_code == 0, result.stderr
    for foreign in OTHER[brand]:
        assert foreign not in result.stdout, f"{foreign!r} in the {brand} {fmt} report"
    assert "campus-news" in result.stdout  # the shared channel is in both
    assert "Team note: holidays" in result.stdout  # as is a note naming no channel
    assert "Gala" in result.stdout  # and a post whose brand nothing tells


def test_a_brand_report_counts_its_own_figures(brands: Path) -> None:
    ebs = figures(brands, "--audience", "ebs")
    assert set(ebs) == {"ebs-x", "ebs-li", "campus-news", "_total"}
    assert ebs["ebs-x"]["sent"] == 2 and ebs["ebs-li"]["relayed"] == 1
    # The shared channel counts, for each brand, the posts that are that brand's.
    assert ebs["campus-news"]["by_hand"] == 1
    assert ebs["_total"]["posted"] == 3 and ebs["_total"]["failed"] == 0
    ginger = figures(brands, "--audience", "ginger")
    assert set(ginger) == {"ginger-fb", "campus-news", "_total"}
    assert ginger["ginger-fb"]["sent"] == 4 and ginger["ginger-fb"]["failed"] == 1
    assert ginger["campus-news"]["by_hand"] == 1
    assert ginger["_total"]["posted"] == 5 and ginger["_total"]["notes"] == 1
    whole = figures(brands)
    assert whole["_total"]["posted"] == 8 and whole["_total"]["waiting"] == 1
    assert ebs["_total"]["waiting"] == 1 and ginger["_total"]["waiting"] == 1


def test_the_shared_channel_is_marked_in_a_brand_report(brands: Path) -> None:
    md = report(brands, "--audience", "ginger", "--format", "md")
    assert "| campus-news (all brands) | manual |" in md.stdout
    assert "Social presence: November 2026 · ginger" in md.stdout
    whole = report(brands, "--format", "md")
    assert "(all brands)" not in whole.stdout  # the whole report has no brand to mark
    data = csv.DictReader(io.StringIO(report(brands, "-a", "ebs", "-f", "csv").stdout))
    assert {r["channel"] for r in data if r["section"] == "channel"} == {
        "ebs-x", "ebs-li", "campus-news",
    }  # fmt: skip


def test_split_audience_writes_one_file_per_brand(brands: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    result = report(brands, "--split-audience", "--out", out)
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["report-ebs.html", "report-ginger.html"]
    ebs = (out / "report-ebs.html").read_text(encoding="utf-8")
    ginger = (out / "report-ginger.html").read_text(encoding="utf-8")
    assert EBS_TITLE in ebs and GINGER_TITLE not in ebs
    assert GINGER_TITLE in ginger and EBS_TITLE not in ginger
    assert "report-ebs.html" in result.stderr and "(ginger)" in result.stderr
    # A name with {audience}, or a plain name that gets -AUDIENCE before its suffix.
    assert report(brands, "--split-audience", "-o", tmp_path / "{audience}-11.md").exit_code == 0
    assert (tmp_path / "ebs-11.md").exists() and (tmp_path / "ginger-11.md").exists()
    assert report(brands, "--split-audience", "-o", tmp_path / "nov.csv").exit_code == 0
    assert EBS_TITLE not in (tmp_path / "nov-ginger.csv").read_text(encoding="utf-8-sig")


def test_bad_audience_arguments_are_exit_2_naming_the_audiences(brands: Path) -> None:
    result = report(brands, "--audience", "ebz")
    assert result.exit_code == 2
    assert "ebz" in result.stderr and "ebs, ginger" in result.stderr
    result = report(brands, "--split-audience")
    assert result.exit_code == 2 and "--out" in result.stderr
    result = report(brands, "--split-audience", "--audience", "ebs", "--out", "x.md")
    assert result.exit_code == 2 and "--audience" in result.stderr
