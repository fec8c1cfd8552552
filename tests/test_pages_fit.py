"""Every HTML page crosspost writes, at 1280 and 400 px wide in a real browser: a full-page
screenshot of each (in the test's tmp dir), no console message, the elements it is for,
nothing scrolling sideways (a wide table scrolls inside its own box), no text under
12 px (`browser.Web.check`).  The report with followers and engagement, and the sandbox's
page with a post on every network, are among them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from browser import Web, needs_browser
from crosspost.ledger import Ledger
from crosspost.report import Month, make_report, render
from helpers import ROOT, X_CREDS, X_ENV, run, write, write_post

DEMO = ROOT / "src" / "crosspost" / "demo"
CONFIG = (
    "defaults:\n  timezone: Europe/Paris\nchannels:\n"
    "  school-x:\n    network: twitter\n    audience: school\n" + X_CREDS + "  school-xing:\n"
    "    network: manual\n    audience: school\n    url: https://www.xing.com/pages/school\n"
    "    instructions: paste it as a company-page update, then add the picture\n"
)
pytestmark = needs_browser


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name, value in X_ENV.items():
        monkeypatch.setenv(name, value)
    return write(tmp_path / "channels.yaml", CONFIG)


@pytest.mark.parametrize(
    ("page", "expect"),
    [
        ("preview", ["section.channel.style-x", "section.channel.style-manual", ".gauge"]),
        ("calendar", ["table", ".entry"]),
        ("handbook", ["main", "main table"]),
    ],
)
def test_the_page_fits_400_and_1280_pixels(
    config: Path, tmp_path: Path, web: Web, page: str, expect: list[str]
) -> None:
    out = tmp_path / f"{page}.html"
    post = write_post(
        tmp_path,
        title="A rather long title for a post that the school and the group both share",
        body="Some text. " * 40,
    )
    commands = {
        "preview": ("publish", "--dry-run", "--no-shorten", "--html", out, post),
        "calendar": ("calendar", "--html", out),
        "handbook": ("handbook", "--format", "html", "--out", out),
    }
    done = run("-c", config, *commands[page])
    assert done.exit_code == 0, done.stderr
    # The calendar is a table on the page's body; the others put theirs in <main>.
    web.check(
        out.as_uri(), name=page, expect=expect, content="body" if page == "calendar" else "main"
    )


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_report_with_followers_and_engagement_fits(tmp_path: Path, web: Web, lang: str) -> None:
    from test_report_audience import NOW, story
    from test_report_audience import config as audience_config

    with Ledger.open(tmp_path / "ledger.sqlite3") as ledger:
        story(ledger)
        report = make_report(
            audience_config(tmp_path), ledger, month=Month(2026, 11), now=NOW, lang=lang
        )
    assert report.stats
    out = tmp_path / f"report-{lang}.html"
    out.write_text(render(report, "html"), encoding="utf-8")
    # The audience table and the follower curve are there, and fit a phone too.
    opened = web.check(
        out.as_uri(), name=f"report-{lang}", expect=["main table", "svg polyline.line"]
    )
    assert "3,240" in opened.page.inner_text("main") or "3\u202f240" in opened.page.inner_text(
        "main"
    )


def test_the_sandbox_page_draws_each_network_as_it_shows_posts(
    tmp_path: Path, sandbox: Any, web: Web
) -> None:
    # The demo's channels (X and Bluesky threads, a Facebook photo, LinkedIn's article
    # card, Mastodon, bit.ly), sent to the sandbox with its stand-in credentials.
    done = run(
        "-c", DEMO / "channels.yaml", "publish", "--sandbox", sandbox.url, DEMO / "robotics-lab.md"
    )
    assert done.exit_code == 0, done.stderr
    opened = web.check(
        sandbox.url + "/",
        name="sandbox",
        expect=[
            "section.twitter .received.style-x article.post article.post.reply",
            "section.facebook .received.style-facebook .placeholder.media",
            "section.linkedin .received.style-linkedin .linkcard-linkedin .linkcard-title",
            "section.mastodon .received.style-mastodon article.post",
            "section.bluesky .received.style-bluesky .linkcard-bluesky .linkcard-desc",
            "section.bitly article.bitlink a[href^='https://bit.ly/']",
        ],
    )
    page = opened.page
    # The image arrived as bytes the sandbox does not keep: its type and size are said.
    assert "image/png" in page.inner_text("section.facebook .placeholder")
    # Each post links to itself on its network, and only over http(s).
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    assert hrefs and all(h.startswith(("http://", "https://")) for h in hrefs)
    assert page.locator("script").count() == 0
