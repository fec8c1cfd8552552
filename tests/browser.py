"""A real headless browser for the HTML pages: Debian's Chromium driven by Playwright.

One browser for the whole session (the `chromium` fixture in conftest.py), a fresh
context and page for each opening (the `web` fixture): every console message and
uncaught page error is collected, and a test that leaves any fails.  `Web.check` opens a
page at 1280 and at 400 CSS pixels wide, saves a full-page screenshot of each in the
test's tmp dir, and asserts what every page crosspost writes must hold there: no console
message, the expected elements, no sideways scroll, no main-content text under 12 px.
"""

from __future__ import annotations

import importlib.util
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")
HAS_PLAYWRIGHT = importlib.util.find_spec("playwright") is not None
SKIP_REASON = (
    "no Chromium on this machine (.ci/run installs Debian's chromium)"
    if BROWSER is None
    else "Playwright is not installed (pip install -e '.[test]')"
)
needs_browser = pytest.mark.skipif(BROWSER is None or not HAS_PLAYWRIGHT, reason=SKIP_REASON)

# Root has no sandbox; this closed network refuses Chromium's own calls home, which
# would log errors (and slow every start) without the background-networking flags.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WIDTHS = (1280, 400)  # a desktop and a phone
HEIGHT = 900
MIN_FONT_PX = 12

# Every piece of text under `selector` drawn smaller than `min` px (what and how small).
# Text the reader cannot see (in a closed <details>, under display:none) is left out, and
# so are an SVG chart's labels, which scale with the chart (viewBox units).
SMALL_TEXT = """([selector, min]) => {
  const small = [];
  for (const root of document.querySelectorAll(selector)) {
    const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walk.nextNode(); node; node = walk.nextNode()) {
      const el = node.parentElement;
      if (!node.textContent.trim() || el.closest("svg") || !el.checkVisibility()) continue;
      const size = parseFloat(getComputedStyle(el).fontSize);
      if (size < min) small.push(`${el.tagName.toLowerCase()}.${el.className}: ${size}px `
        + JSON.stringify(node.textContent.trim().slice(0, 40)));
    }
  }
  return small;
}"""


def launch() -> tuple[Any, Browser]:
    """(Playwright, its Chromium): the system's browser, never one Playwright downloads."""
    from playwright.sync_api import sync_playwright

    assert BROWSER is not None
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=BROWSER, args=CHROMIUM_ARGS)
    except Exception:
        playwright.stop()
        raise
    return playwright, browser


@dataclass
class Opened:
    """One page as the browser built it: the live page, its DOM serialised after its
    scripts ran, and what it logged while loading."""

    page: Page
    dom: str
    console: list[str]


@dataclass
class Web:
    """Pages opened in the session's browser for one test; every message they log is kept."""

    browser: Browser
    shots: Path
    console: list[str] = field(default_factory=list)
    _contexts: list[Any] = field(default_factory=list)

    def open(self, url: str, *, width: int = WIDTHS[0]) -> Opened:
        context = self.browser.new_context(viewport={"width": width, "height": HEIGHT})
        self._contexts.append(context)
        page = context.new_page()
        logged: list[str] = []
        page.on("console", lambda message: logged.append(f"{message.type}: {message.text}"))
        page.on("pageerror", lambda error: logged.append(f"page error: {error}"))
        page.goto(url, wait_until="load")
        self.console.extend(f"{url}: {line}" for line in logged)
        return Opened(page=page, dom=page.content(), console=logged)

    def check(
        self, url: str, *, name: str, expect: Iterable[str] = (), content: str = "main"
    ) -> Opened:
        """`url` at each of WIDTHS: a full-page screenshot (`name`-WIDTH.png in the test's
        tmp dir), no console message, every `expect` selector found, the page no wider
        than the window, and no text under `content` below MIN_FONT_PX.  The 1280 px one
        is returned for a closer look."""
        expected = list(expect)
        first: Opened | None = None
        for width in WIDTHS:
            opened = self.open(url, width=width)
            first = first or opened
            shot = self.shots / f"{name}-{width}.png"
            opened.page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 1000, f"{shot} is empty"
            assert opened.console == [], f"{name} at {width} px logged: {opened.console}"
            missing = [s for s in expected if opened.page.locator(s).count() == 0]
            assert missing == [], f"{name} at {width} px has no {missing}"
            scroll = opened.page.evaluate("document.scrollingElement.scrollWidth")
            assert scroll <= width, f"{name} scrolls sideways at {width} px ({scroll} px wide)"
            small = opened.page.evaluate(SMALL_TEXT, [content, MIN_FONT_PX])
            assert small == [], f"{name} at {width} px has text under {MIN_FONT_PX} px: {small}"
        assert first is not None
        return first

    def close(self) -> None:
        for context in self._contexts:
            context.close()
        self._contexts.clear()


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
    """The elements of `dom` in order, and its pieces of text, whitespace folded."""
    parser = _Seen()
    parser.feed(dom)
    return parser


VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)


class Node:
    """One element of a DOM the browser built: its tag, attributes, children and text."""

    def __init__(self, tag: str, attrs: dict[str, str | None]) -> None:
        self.tag = tag
        self.attrs = attrs
        self.children: list[Node | str] = []

    @property
    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()

    @property
    def text(self) -> str:
        """Its text as written, whitespace kept (pre-wrap texts keep their newlines)."""
        return "".join(c if isinstance(c, str) else c.text for c in self.children)

    def all(self, tag: str | None = None, cls: str | None = None) -> list[Node]:
        """Every element under this one (itself excluded) with `tag` and class `cls`."""
        found = []
        for child in self.children:
            if isinstance(child, Node):
                if (tag is None or child.tag == tag) and (cls is None or cls in child.classes):
                    found.append(child)
                found.extend(child.all(tag, cls))
        return found

    def one(self, tag: str | None = None, cls: str | None = None) -> Node:
        found = self.all(tag, cls)
        assert len(found) == 1, f"{len(found)} <{tag or '*'} class={cls}> under <{self.tag}>"
        return found[0]


class _Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        node = Node(tag, dict(attrs))
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def tree(dom: str) -> Node:
    """`dom` as a tree of `Node`s, to look for elements by tag and class."""
    parser = _Tree()
    parser.feed(dom)
    parser.close()
    return parser.root
