"""`publish --dry-run --html`: each channel's copy drawn as its network shows it, opened in
a real headless browser.  What the browser built must hold each network's card, load
nothing from outside, run no script but the copy buttons', and log no console error."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from browser import Node, Web, needs_browser, tree
from crosspost.preview_html import fold
from helpers import EXAMPLES, X_ENV, X_FB_LI, run, write_config, write_post

SCRIPT_TITLE = '<script>alert("pwned")</script> & co'
ALT = 'Two students at a "cobot" arm'
# Long enough to thread on X and to fold on LinkedIn.
SUMMARY = (
    "Twelve collaborative robot arms, a motion-capture room with sixteen cameras, a "
    "machine shop with a laser cutter and two 3D printers, and open hours every Wednesday "
    "afternoon for every engineering student, with safety training on the first visit."
)
BODY = (
    "The robotics lab opens on 1 December with twelve collaborative robot arms, a "
    "motion-capture room with sixteen cameras, a small machine shop with a laser cutter "
    "and two 3D printers, and open hours every Wednesday afternoon for every student.\n"
) * 3

CHANNELS = (
    X_FB_LI + "  toot:\n    network: mastodon\n    api_url: https://mastodon.example\n"
    "    credentials:\n      access_token: ${MASTODON_TOKEN}\n"
    "  bsky:\n    network: bluesky\n    handle: school.bsky.social\n"
    "    credentials:\n      app_password: ${BSKY_APP_PASSWORD}\n"
    "  xing:\n    network: manual\n    site: Xing\n"
    "    url: https://www.xing.com/communities/groups/alumni\n"
    "    instructions: Post in the alumni group, not on the timeline\n"
)
ENV = {
    **X_ENV,
    "FB_TOKEN": "fb",
    "LI_TOKEN": "li",
    "MASTODON_TOKEN": "m",
    "BSKY_APP_PASSWORD": "a-b-c-d",
}


def _post(tmp_path: Path, **fields: object) -> Path:
    shutil.copy(EXAMPLES / "images" / "robotics-lab.png", tmp_path / "lab.png")
    values: dict[str, object] = {
        "title": SCRIPT_TITLE,
        "url": "https://blog.example.edu/2026/11/robotics-lab",
        "summary": SUMMARY,
        "image": "lab.png",
        "image_alt": ALT,
        "body": BODY,
    }
    values.update(fields)
    return write_post(tmp_path, **values)


def _preview(
    tmp_path: Path, web: Web, post: Path, *extra: str, check: bool = False
) -> tuple[Node, list[str], str]:
    config = write_config(tmp_path, CHANNELS)
    out = tmp_path / "preview.html"
    result = run("-c", config, "publish", "--dry-run", "--html", out, *extra, post, env=ENV)
    assert result.exit_code == 0, result.stderr
    assert "x · twitter" in result.stdout  # the terminal preview is still printed
    html = out.read_text(encoding="utf-8")
    if check:  # at 1280 and 400 px, screenshots and all
        opened = web.check(out.as_uri(), name="preview", expect=["section.channel", "img.media"])
    else:
        opened = web.open(out.as_uri())
    return tree(opened.dom), opened.console, html


def _cards(page: Node) -> dict[str, Node]:
    return {s.attrs["data-channel"] or "": s for s in page.all("section", "channel")}


@needs_browser
def test_each_network_drawn_as_it_shows_the_post(tmp_path: Path, web: Web) -> None:
    page, console, html = _preview(tmp_path, web, _post(tmp_path), check=True)
    assert console == []  # no uncaught error, no console.error, no blocked resource
    cards = _cards(page)
    assert set(cards) == {"x", "fb", "li", "toot", "bsky", "xing"}

    # X: the thread's parts stacked, the image on the first (X shows no card under media).
    x = cards["x"]
    posts = x.all("article", "post")
    assert len(posts) >= 2 and "reply" in posts[1].classes
    assert posts[0].one("img", "media").attrs["title"] == ALT
    assert posts[1].all("img") == []

    # Facebook: a photo post (as the adapter sends an image), without a link card.
    fb = cards["fb"]
    assert fb.one("img", "media").attrs["alt"] == ALT and fb.all(cls="linkcard") == []

    # LinkedIn: the article card with its thumbnail, the text folded with "…see more".
    li = cards["li"]
    card = li.one(cls="linkcard")
    assert card.one("img", "thumb").attrs["title"] == ALT
    assert card.one(cls="linkcard-title").text == SCRIPT_TITLE
    assert card.one(cls="domain").text == "blog.example.edu"
    text = li.one(cls="folded")
    assert text.one(cls="more").text == "…see more"
    assert len(text.one(cls="shown").text) <= 210 and text.one(cls="rest").text

    # Mastodon: the status with its image; Bluesky: the external card, the image its thumb.
    assert cards["toot"].one("img", "media").attrs["title"] == ALT
    bsky_card = cards["bsky"].one(cls="linkcard")
    assert bsky_card.one("img", "thumb").attrs["title"] == ALT
    assert bsky_card.one(cls="linkcard-desc").text == SUMMARY

    # By hand: the text block, the copy button (revealed by the page's one script), where to post.
    xing = cards["xing"]
    block = xing.one("pre", "copytext")
    assert block.text.startswith(SCRIPT_TITLE)
    button = xing.one("button", "copy")
    assert "hidden" not in button.attrs and button.attrs["data-target"] == block.attrs["id"]
    assert xing.one(cls="instructions").text == "Post in the alumni group, not on the timeline"
    assert xing.one("a").attrs["href"] == "https://www.xing.com/communities/groups/alumni"

    # On every card: the length gauge and the link; the warnings where there are some.
    for name, node in cards.items():
        count = node.one(cls="count").text
        length, limit = count.split("/")
        assert int(length) > 0 and int(limit) > 0, name
        assert "blog.example.edu/2026/11/robotics-lab" in node.one(cls="link").text, name

    # Self-contained: the image inlined, nothing to fetch, the title's <script> only text.
    images = page.all("img")
    assert len(images) == 6  # five networks and the by-hand channel
    assert all((i.attrs["src"] or "").startswith("data:image/png;base64,") for i in images)
    assert SCRIPT_TITLE in page.one("h1", "posttitle").text
    assert len(page.all("script")) == 1 and "alert(" not in page.all("script")[0].text
    for node in page.all():
        for attr in ("src", "srcset", "poster", "data"):
            value = node.attrs.get(attr)
            assert value is None or value.startswith("data:"), (node.tag, attr, value)
        if node.tag == "link":
            pytest.fail(f"a <link> element: {node.attrs}")
    # The browser itself refuses any other load or script (and would log it above).
    csp = [m for m in page.all("meta") if m.attrs.get("http-equiv") == "Content-Security-Policy"]
    assert (csp[0].attrs["content"] or "").startswith("default-src 'none'; img-src data:;")
    assert "https://blog.example.edu" not in html.split("<body>")[0]


@needs_browser
def test_without_an_image_the_cards_carry_the_link(tmp_path: Path, web: Web) -> None:
    page, console, _ = _preview(tmp_path, web, _post(tmp_path, image=None, image_alt=None))
    assert console == []
    cards = _cards(page)
    for name in ("x", "fb", "li", "toot", "bsky"):
        card = cards[name].one(cls="linkcard")
        assert card.one(cls="linkcard-title").text == SCRIPT_TITLE, name
        assert card.one("a").attrs["href"].startswith("https://blog.example.edu/"), name  # type: ignore[union-attr]
    assert cards["x"].all("article", "post")[1].all(cls="linkcard") == []  # on the first only
    assert page.all("img") == []


@needs_browser
def test_a_missing_image_is_a_visible_placeholder_with_the_warning(
    tmp_path: Path, web: Web
) -> None:
    page, console, _ = _preview(tmp_path, web, _post(tmp_path, image="gone.png"))
    assert console == []
    placeholder = _cards(page)["fb"].one(cls="placeholder")
    assert placeholder.attrs["title"] == ALT
    assert "gone.png" in placeholder.text
    assert page.all("img") == []


@needs_browser
def test_the_link_still_to_be_shortened_says_so(tmp_path: Path, web: Web) -> None:
    config = write_config(tmp_path, CHANNELS)
    config.write_text(
        "shortener:\n  service: bitly\n  token: ${BITLY_TOKEN}\n" + config.read_text(),
        encoding="utf-8",
    )
    out = tmp_path / "p.html"
    post = _post(tmp_path)
    result = run("-c", config, "publish", "-n", "--no-shorten", "--html", out, post, env=ENV)
    assert result.exit_code == 0, result.stderr
    opened = web.open(out.as_uri())
    assert opened.console == []
    fb = _cards(tree(opened.dom))["fb"]
    assert fb.one(cls="pending").text == "will be shortened"
    assert any("not shortened (--no-shorten)" in w.text for w in fb.all(cls="warn"))


def test_html_needs_the_dry_run(tmp_path: Path) -> None:
    config = write_config(tmp_path, CHANNELS)
    result = run("-c", config, "publish", "--html", tmp_path / "p.html", _post(tmp_path), env=ENV)
    assert result.exit_code == 2
    assert "--dry-run" in result.stderr
    assert not (tmp_path / "p.html").exists()


def test_html_to_stdout_prints_only_the_page(tmp_path: Path) -> None:
    config = write_config(tmp_path, CHANNELS)
    result = run("-c", config, "publish", "-n", "--html", "-", _post(tmp_path), env=ENV)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("<!doctype html>") and result.stdout.endswith("</html>\n")
    both = run("-c", config, "publish", "-n", "--html", "-", "--json", _post(tmp_path), env=ENV)
    assert both.exit_code == 2 and "stdout" in both.stderr


def test_an_unwritable_html_file_is_exit_2(tmp_path: Path) -> None:
    config = write_config(tmp_path, CHANNELS)
    out = tmp_path / "no-such-dir" / "p.html"
    result = run("-c", config, "publish", "-n", "--html", out, _post(tmp_path), env=ENV)
    assert result.exit_code == 2 and "no-such-dir" in result.stderr


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("short", None),
        ("one\ntwo\nthree", None),
        ("one\ntwo\nthree\nfour", "one\ntwo\nthree"),
        ("word " * 60, ("word " * 42).strip()),
    ],
)
def test_the_linkedin_fold(text: str, shown: str | None) -> None:
    folded = fold(text, 210, 3)
    assert (folded[0] if folded else None) == shown


def test_the_dry_run_says_bluesky_drops_the_alt_text_beside_a_link(tmp_path: Path) -> None:
    """Bluesky makes the image of a post with a link the card's thumbnail, which has no
    alt text: she is told before sending, and only on Bluesky."""
    config = write_config(tmp_path, CHANNELS)
    result = run("-c", config, "publish", "--dry-run", "--json", _post(tmp_path), env=ENV)
    assert result.exit_code == 0, result.stderr
    warnings = {p["channel"]: p["warnings"] for p in json.loads(result.stdout)}
    assert any("thumbnail, which has no alt text" in w for w in warnings["bsky"])
    assert not any("thumbnail" in w for name, ws in warnings.items() if name != "bsky" for w in ws)


def test_the_html_preview_shows_xs_cost_on_its_card(tmp_path: Path) -> None:
    config = write_config(tmp_path, CHANNELS)
    page = tmp_path / "preview.html"
    result = run("-c", config, "publish", "--dry-run", "--html", page, _post(tmp_path), env=ENV)
    assert result.exit_code == 0, result.stderr
    html = page.read_text(encoding="utf-8")
    x_card = html.split('data-channel="x"', 1)[1].split("</section>", 1)[0]
    # A thread of two on X: the first part with the link, a reply, and the alt text.
    assert "API cost: about $0.215 (1 post with a link, 1 reply, 1 alt text)" in x_card
    fb_card = html.split('data-channel="fb"', 1)[1].split("</section>", 1)[0]
    assert "API cost" not in fb_card  # Facebook bills nothing per post
