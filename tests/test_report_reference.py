"""Every report format against reference outputs written by the string-built renderer.

The references in tests/data/report/ were produced by crosspost at commit
0794f72 (before the report moved to templates) from `write_awkward_story`,
through the CLI, at a fixed instant.  Markdown, CSV, JSON and the terminal
table must stay byte for byte the same; HTML must parse to the same elements,
attributes and text (only insignificant whitespace may differ).

To rewrite them after an intended change: CROSSPOST_WRITE_REFERENCE=1 pytest
tests/test_report_reference.py, then read the diff.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import time_machine

from crosspost.ledger import Ledger, default_ledger_path
from helpers import run
from report_story import (
    AWKWARD_CLICKS,
    CONFIG,
    ODD_CHANNEL,
    ODD_ERROR,
    ODD_KEY,
    SCRIPT_TITLE,
    utc,
    write_awkward_story,
)

DATA = Path(__file__).parent / "data" / "report"
WRITE = bool(os.environ.get("CROSSPOST_WRITE_REFERENCE"))
FORMATS = {"table": "txt", "md": "md", "csv": "csv", "html": "html", "json": "json"}
VARIANTS = ("plain", "clicks", "unavailable", "empty")


@pytest.fixture
def awkward(isolated_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("BITLY_TOKEN", "bitly-SECRET-1234")
    with Ledger.open(default_ledger_path(isolated_home)) as ledger:
        write_awkward_story(ledger)
    config = tmp_path / "channels.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    yield config


def produce(config: Path, variant: str, fmt: str, sandbox: Any, tmp_path: Path) -> str:
    """One report through the CLI, as the user gets it, at a fixed instant."""
    args: list[str | Path] = ["-c", config, "report", "--month", "2026-11"]
    if variant == "empty":
        args[-1] = "2027-02"
    elif variant == "clicks":
        for code, n in AWKWARD_CLICKS.items():
            sandbox.set_clicks(f"bit.ly/{code}", n)
        args += ["--clicks", "--sandbox", sandbox.url]
    elif variant == "unavailable":
        args += ["--clicks", "--sandbox", "http://127.0.0.1:9"]
    out = tmp_path / "report.txt"
    args += ["--format", fmt] + (["--out", out] if fmt == "table" else [])
    with time_machine.travel(utc("2026-12-15T09:30:00"), tick=False):
        result = run(*args)
    assert result.exit_code == 0, result.stderr
    return out.read_text(encoding="utf-8") if fmt == "table" else result.stdout


class _Structure(HTMLParser):
    """Start tags with their attributes, end tags and text with whitespace collapsed."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.items: list[tuple[Any, ...]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.items.append(("start", tag, tuple(attrs)))

    def handle_endtag(self, tag: str) -> None:
        self.items.append(("end", tag))

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if text:
            self.items.append(("text", text))

    def handle_decl(self, decl: str) -> None:
        self.items.append(("decl", decl.lower()))


def html_structure(html: str) -> list[tuple[Any, ...]]:
    parser = _Structure()
    parser.feed(html)
    parser.close()
    return parser.items


@pytest.mark.parametrize("fmt", list(FORMATS))
@pytest.mark.parametrize("variant", VARIANTS)
def test_output_matches_the_reference(
    awkward: Path, sandbox: Any, tmp_path: Path, variant: str, fmt: str
) -> None:
    text = produce(awkward, variant, fmt, sandbox, tmp_path)
    reference = DATA / f"{variant}.{FORMATS[fmt]}"
    if WRITE:
        with reference.open("w", encoding="utf-8", newline="") as f:
            f.write(text)
        pytest.skip(f"wrote {reference}")
    with reference.open(encoding="utf-8", newline="") as f:
        expected = f.read()
    if fmt == "html":
        assert html_structure(text) == html_structure(expected)
    else:
        assert text == expected


def test_markup_in_a_title_is_escaped_in_html_and_markdown(
    awkward: Path, sandbox: Any, tmp_path: Path
) -> None:
    html = produce(awkward, "plain", "html", sandbox, tmp_path)
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;x&#34; | y" in html
    structure = html_structure(html)
    assert ("text", SCRIPT_TITLE) in structure  # what a browser shows: the title, as text
    assert not any(item[:2] == ("start", "script") for item in structure)
    assert ("start", "a", (("href", ODD_KEY),)) in structure  # the link survives, escaped
    assert ("text", ODD_CHANNEL) in structure
    assert ("text", " ".join(ODD_ERROR.split())) in structure  # in its <small>, as text

    md = produce(awkward, "plain", "md", sandbox, tmp_path)
    assert "<script" not in md and "<b>" not in md  # no raw HTML for a wiki to run
    (row,) = [line for line in md.splitlines() if "alert(1)" in line]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in row
    # Split on the pipes that are not escaped: the title's own pipe stays in its cell.
    cells = re.split(r"(?<!\\)\|", row.strip().strip("|"))
    assert len(cells) == 5 and cells[1].strip() == "x"  # Post, Channel, State, Sent, Copy
    (failed,) = [line for line in md.splitlines() if "HTTP 500" in line]
    assert "retry later" in failed  # the error's newline cannot end the row
    assert len(re.split(r"(?<!\\)\|", failed.strip().strip("|"))) == 5
