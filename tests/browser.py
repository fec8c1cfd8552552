"""A real headless browser for the HTML pages: the DOM it built, and the text it shows."""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")
needs_browser = pytest.mark.skipif(
    BROWSER is None, reason="no Chromium on this machine (.ci/run installs Debian's chromium)"
)


def dump_dom(url: str, profile: Path) -> str:
    """The DOM the browser built for `url`, serialised, after its scripts ran; every
    page is checked to render without a console message (an error, a blocked or
    failed load), so each HTML test asserts that too."""
    dom, console = open_page(url, profile)
    assert console == [], f"{url} logged to the console: {console}"
    return dom


def open_page(url: str, profile: Path) -> tuple[str, list[str]]:
    """(the DOM after scripts ran, every console message): an uncaught error, a
    console.error and a resource the page's Content-Security-Policy blocked each
    leave one, which Chromium logs to stderr as `CONSOLE` lines."""
    assert BROWSER is not None
    done = subprocess.run(
        [
            BROWSER,
            "--headless",
            "--enable-logging=stderr",
            "--v=0",
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
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    return done.stdout, console


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


def page_widths(page: Path, width: int, profile: Path) -> tuple[int, int]:
    """(scrollWidth, clientWidth) of `page` laid out `width` CSS pixels wide.

    The page is framed by a small one of ours whose script reads the framed
    document's widths (file pages may read each other only with
    --allow-file-access-from-files, given here): a scrollWidth past the
    clientWidth is a page that scrolls sideways on a phone.
    """
    assert BROWSER is not None
    frame = profile.parent / f"{page.stem}-at-{width}.html"
    frame.write_text(
        f'<html><body style="margin:0"><iframe id="f" src="{page.resolve().as_uri()}" '
        f'style="width:{width}px;height:900px;border:0"></iframe><pre id="out">-</pre><script>'
        "document.getElementById('f').onload=function(){var d=this.contentDocument"
        ".documentElement;document.getElementById('out').textContent=d.scrollWidth+' '+"
        "d.clientWidth;};</script></body></html>",
        encoding="utf-8",
    )
    done = subprocess.run(
        [
            BROWSER,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--allow-file-access-from-files",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--virtual-time-budget=3000",
            "--dump-dom",
            frame.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    found = re.search(r'<pre id="out">(\d+) (\d+)</pre>', done.stdout)
    assert found, f"the frame read no widths of {page}"
    return int(found.group(1)), int(found.group(2))
