"""The report's core API, as the CLI (and later a Workspace) calls it, and its table model."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from crosspost.config import load_config
from crosspost.errors import BadInput
from crosspost.ledger import Ledger
from crosspost.report import (
    Month,
    format_for,
    make_report,
    render,
    terminal_cells,
    terminal_view,
    write_report,
)
from crosspost.report.tables import posts_table
from report_story import Story

CONFIG = (
    "defaults:\n  timezone: Europe/Paris\nchannels:\n  xing:\n    network: manual\n    site: Xing\n"
)
NOW = datetime(2026, 12, 15, 9, 30, tzinfo=UTC)


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    with Ledger.open(tmp_path / "l.sqlite3") as opened:
        s = Story(opened)
        d = s.delivery("2026-11-05T10:00:00", "p", "xing")
        s.call("2026-11-05T10:00:01", "mark_manual", d)
        s.call("2026-11-06T10:00:00", "mark_done", d, url="https://xing.example/p")
        yield opened


def config(tmp_path: Path, text: str = CONFIG) -> Any:
    path = tmp_path / "channels.yaml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def test_make_report_reads_the_month_in_the_configured_zone(tmp_path: Path, ledger: Ledger) -> None:
    report = make_report(config(tmp_path), ledger, month="last", now=NOW)
    assert report.month == Month(2026, 11) and report.timezone == "Europe/Paris"
    assert report.generated_at == NOW and report.clicks == "not requested"
    assert report.figures.channel("xing").by_hand == 1
    # 23:30 UTC on 30 November is already December in Paris.
    late = make_report(
        config(tmp_path), ledger, month="this", now=datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
    )
    assert late.month == Month(2026, 12)
    with pytest.raises(BadInput, match="write a month like 2026-11"):
        make_report(config(tmp_path), ledger, month="2026-13", now=NOW)


def test_clicks_without_a_shortener_are_unavailable_not_an_error(
    tmp_path: Path, ledger: Ledger
) -> None:
    report = make_report(config(tmp_path), ledger, month=Month(2026, 11), clicks=True, now=NOW)
    assert report.clicks.startswith("unavailable: ") and "no `shortener:` section" in report.clicks
    assert report.warnings == (f"clicks {report.clicks}",)


def test_format_for_an_output_file() -> None:
    assert format_for(None, None) == "table"
    assert format_for(Path("r.HTML"), None) == "html"
    assert format_for(Path("r.markdown"), None) == "md"
    assert format_for(Path("r.txt"), None) == "table"
    assert format_for(Path("r.pdf"), None) == "table"
    assert format_for(Path("r.html"), "csv") == "csv"  # an explicit format wins
    with pytest.raises(BadInput, match="choose one of table, md, csv, html, json"):
        format_for(None, "pdf")


def test_write_report_gives_csv_a_byte_order_mark(tmp_path: Path) -> None:
    write_report(tmp_path / "r.csv", "é\n", "csv")
    write_report(tmp_path / "r.md", "é\n", "md")
    assert (tmp_path / "r.csv").read_bytes() == b"\xef\xbb\xbf\xc3\xa9\n"
    assert (tmp_path / "r.md").read_bytes() == b"\xc3\xa9\n"
    with pytest.raises(BadInput, match="cannot write the report to"):
        write_report(tmp_path / "missing" / "r.md", "x", "md")


def test_one_posts_table_feeds_every_format(tmp_path: Path, ledger: Ledger) -> None:
    report = make_report(config(tmp_path), ledger, month=Month(2026, 11), now=NOW)
    table = posts_table(report)
    people = table.shown()
    labels = [c.label for c in people.columns]
    assert labels == ["Post", "Channel", "State", "Sent", "Copy"]
    assert "| " + " | ".join(labels) + " |" in render(report, "md")
    assert "".join(f"<th>{label}</th>" for label in labels) in render(report, "html")
    (shown,) = [b for b in terminal_view(report) if getattr(b, "title", None) == "Posts"]
    assert [c.terminal_label for c in shown.columns] == [label.lower() for label in labels]
    assert terminal_cells(shown) == [
        [
            "Article P\nhttps://blog.example.com/p",
            "xing",
            "sent",
            "2026-11-06 11:00",
            "https://xing.example/p",
        ]
    ]
    # The CSV keeps what people's tables leave out (the network) and splits links out.
    (row,) = [
        r for r in csv.DictReader(io.StringIO(render(report, "csv"))) if r["section"] == "post"
    ]
    assert (row["network"], row["post_url"], row["copy_url"]) == (
        "manual",
        "https://blog.example.com/p",
        "https://xing.example/p",
    )


def test_render_leaves_the_terminal_table_to_the_cli(tmp_path: Path, ledger: Ledger) -> None:
    report = make_report(config(tmp_path), ledger, month=Month(2026, 11), now=NOW)
    with pytest.raises(ValueError, match="no text rendering for format 'table'"):
        render(report, "table")
