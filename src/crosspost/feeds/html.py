"""HTML to plain text, and plain text to Markdown that reads back the same."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

# -- HTML to text ------------------------------------------------------------------------

_BLOCK_TAGS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tr",
        "ul",
    }
)
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "iframe", "svg", "head"})


class _Html(HTMLParser):
    """Plain text and images from an HTML fragment; scripts and styles dropped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._chunks: list[str] = []
        self._skip = 0
        self._pre = 0
        self.images: list[tuple[str | None, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skip += 1
        elif tag == "br":
            self._chunks.append("\n")
        elif tag == "img":
            found = dict(attrs)
            self.images.append((found.get("src"), found.get("alt")))
        elif tag == "li":  # the items of a list are lines of one block
            self._chunks.append("\n- ")
        elif tag in _BLOCK_TAGS:
            self._chunks.append("\n\n")
            if tag == "pre":
                self._pre += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _SKIP_TAGS:  # <br/>, <img/>: no end tag follows
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            if tag == "pre":
                self._pre = max(0, self._pre - 1)
            self._chunks.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        # Outside <pre>, line breaks in HTML source are spaces to a reader.
        self._chunks.append(data if self._pre else re.sub(r"\s+", " ", data))

    def text(self) -> str:
        text = "".join(self._chunks).replace("\u00a0", " ")
        text = re.sub(r"[ \t]*\n[ \t]*", "\n", text)
        text = re.sub(r"\n(- \n)+", "\n", text)
        text = re.sub(r"\n{3,}", "\n\n", text)
        return text.strip()


@dataclass(frozen=True)
class HtmlText:
    """An HTML fragment as plain text, and the images (src, alt) it shows."""

    text: str
    images: tuple[tuple[str | None, str | None], ...]


def read_html(html_text: str) -> HtmlText:
    """The plain text and the images of an HTML fragment."""
    parser = _Html()
    parser.feed(html_text)
    parser.close()
    return HtmlText(text=parser.text(), images=tuple(parser.images))


def html_to_text(html_text: str) -> str:
    """Readable plain text from an HTML fragment: paragraphs kept, tags and scripts gone."""
    return read_html(html_text).text


_MD_INLINE = re.compile(r"([\\`*_\[\]<>])")
_MD_LINE_START = re.compile(r"^(\s*)([#>+-]|\d+[.)])", re.MULTILINE)


def escape_markdown(text: str) -> str:
    """Plain text made Markdown that reads back as the same text (Post.body is Markdown)."""
    return _MD_LINE_START.sub(
        lambda m: m.group(1) + re.sub(r"([#>+\-.)])", r"\\\1", m.group(2)),
        _MD_INLINE.sub(r"\\\1", text),
    )
