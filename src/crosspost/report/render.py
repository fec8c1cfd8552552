"""The monthly report as Markdown, CSV, HTML or JSON text, and as lines for the terminal.

HTML and Markdown come from the Jinja templates in `templates/`, each from
its own environment: the HTML one autoescapes everything, the Markdown one
escapes table cells (pipes, newlines) through the `md` filters.  The HTML is
one self-contained file (inline CSS, inline SVG charts, no script, no font or
image to fetch), so it reads the same opened from an e-mail attachment.
Markdown pastes into a wiki; the CSV is one table with a `section` column,
so a spreadsheet can filter and pivot it.  The terminal's tables are drawn by
the CLI (with rich) from `terminal_view`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from jinja2 import Environment, PackageLoader, StrictUndefined

from .audience_tables import (
    ENGAGEMENT_FIELDS,
    audience_table,
    count_cell,
    followers_history,
)
from .chart import bar_chart, line_chart
from .labels import CATALOGUES, format_number
from .model import Cell, Column, Report, Row, Table
from .tables import (
    COLUMNS,
    channel_label,
    channel_table,
    empty_message,
    history_by_channel,
    history_table,
    legend,
    meta,
    notes_table,
    posts_table,
    title,
    w,
    x_cost_line,
)

FORMATS = ("md", "csv", "html", "json")


def render(report: Report, fmt: str, *, csv_sep: str | None = None) -> str:
    """The report in `fmt` (one of FORMATS); the terminal table is the CLI's to draw.
    `csv_sep`: the CSV's separator (default: `;` in French, `,` in English)."""
    renderers: dict[str, Callable[[Report], str]] = {
        "md": render_markdown,
        "csv": lambda r: render_csv(r, sep=csv_sep),
        "html": render_html,
        "json": render_json,
    }
    if fmt not in renderers:
        raise ValueError(f"no text rendering for format {fmt!r} (one of {', '.join(FORMATS)})")
    return renderers[fmt](report)


def render_json(report: Report) -> str:
    return json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n"


def render_markdown(report: Report) -> str:
    text = _environment("md").get_template("report.md.j2").render(_context(report))
    return text.rstrip() + "\n"


def render_html(report: Report) -> str:
    context = _context(report)
    charts = []
    if len(report.months) > 1 or not report.empty:
        posts = w(report, "chart_posts")
        # A relayed channel's copies went out on its network too: they are its posts.
        charts.append(
            bar_chart(
                report,
                value=lambda c: c.posted + c.relayed,
                caption=posts,
                ident="posts",
                label=lambda name: channel_label(name, report),
            )
        )
        if report.clicks_available:
            clicks = w(report, "chart_clicks")
            charts.append(
                bar_chart(
                    report,
                    value=lambda c: c.clicks,
                    caption=clicks,
                    ident="clicks",
                    label=lambda name: channel_label(name, report),
                )
            )
    if report.stats and len(report.months) > 1:
        charts.append(
            line_chart(
                report,
                value=lambda c: c.followers_end.value,
                caption=w(report, "chart_followers"),
                ident="followers",
                label=lambda name: channel_label(name, report),
            )
        )
    return _environment("html").get_template("report.html.j2").render(context, charts=charts)


def _context(report: Report) -> dict[str, Any]:
    """What both templates show: the same tables, captions and warnings."""
    shown = not report.empty
    return {
        "report": report,
        "title": title(report),
        "meta": meta(report),
        "empty_message": empty_message(report),
        "legend": legend(report),
        "words": CATALOGUES[report.lang],
        "lang": report.lang,
        "channels": channel_table(report.figures, report),
        "posts": posts_table(report).shown() if shown and report.posts else None,
        "notes": notes_table(report) if shown and report.notes else None,
        "history": history_table(report) if report.history else None,
        "by_channel": history_by_channel(report) if report.history else None,
        "audience": audience_table(report) if report.stats else None,
        "audience_legend": w(report, "audience_legend"),
        "engagement_legend": w(report, "engagement_legend") if report.stats else "",
        "followers": followers_history(report) if report.stats and report.history else None,
        "warnings": report.warnings,
    }


def template_environment(package: str, kind: Literal["md", "html"]) -> Environment:
    """The Jinja environment for `package`'s templates/ in one format: the HTML one
    autoescapes everything; both refuse an undefined name.  The handbook's too."""
    env = Environment(
        loader=PackageLoader(package, "templates"),
        autoescape=kind == "html",
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = md_escape
    return env


@cache
def _environment(kind: Literal["md", "html"]) -> Environment:
    env = template_environment("crosspost.report", kind)
    env.filters["md_cells"] = md_cells
    return env


# -- Markdown cells ---------------------------------------------------------------------------


def md_escape(text: object) -> str:
    """Text safe in a pipe-table cell or a list item: one line, pipes escaped, and no
    raw HTML (a wiki that renders it would run a `<script>` title)."""
    line = " ".join(str(text).split()).replace("|", "\\|")
    return line.replace("<", "&lt;").replace(">", "&gt;")


def md_cells(row: Row, table: Table, link: str = "link") -> list[str]:
    """A row's cells as Markdown, in column order (`link`: a bare link's text)."""
    return [
        _md_cell(cell, column, row, link)
        for cell, column in zip(row.cells, table.columns, strict=True)
    ]


def _md_cell(cell: Cell, column: Column, row: Row, link: str) -> str:
    if column.grouped:
        if not row.first:
            return ""
        # The title is escaped inside its link and then with the cell, as the
        # report always did: `\\|` reads as `|` in GitHub's tables, and the
        # Markdown stays byte for byte what it was.
        inner = md_escape(cell.text)
        return md_escape(f"[{inner}]({cell.link})" if cell.link else inner)
    text = f"{cell.text}: {cell.note}" if cell.note else cell.text
    if cell.link:
        text = f"[{text or link}]({cell.link})"
    return md_escape(text)


# -- CSV ----------------------------------------------------------------------------------

CSV_FIELDS = (
    "section", "month", "channel", "network", *(n for _, n in COLUMNS), "clicks",
    "post_title", "post_url", "state", "at", "copy_url", "text", "x_cost",
)  # fmt: skip
# A CSV field of a `post` row: (the posts table's column, the part of its cell).
_POST_FIELDS = {
    "channel": ("channel", "data"),
    "network": ("network", "data"),
    "clicks": ("clicks", "data"),
    "post_title": ("post", "text"),
    "post_url": ("post", "link"),
    "state": ("state", "text"),
    "at": ("at", "text"),
    "copy_url": ("copy", "link"),
    "text": ("state", "note"),
}


def render_csv(report: Report, *, sep: str | None = None) -> str:
    """One table: `channel` rows (every month shown), then `post` and `note` rows.

    In the report's language: its headings and sections, and its spreadsheets' custom
    (French: `;` between fields, a decimal comma); `sep` overrides the separator, and
    the csv module quotes any field that holds it."""
    buffer = io.StringIO()
    # The audience's fields come after the others, and only once there are figures.
    fieldnames = CSV_FIELDS + (_AUDIENCE_FIELDS if report.stats else ())
    writer = csv.DictWriter(
        buffer, fieldnames=fieldnames, extrasaction="raise", delimiter=sep or _SEP[report.lang]
    )
    # English keeps the field names it always had (scripts read them); French is for people.
    english = report.lang == "en"
    writer.writerow({name: name if english else _csv_heading(name, report) for name in fieldnames})
    section = {s: w(report, f"section_{s}") for s in ("channel", "post", "note")}
    for m in report.months:
        figures = channel_table(m, report, clicks=True)
        # One row per channel, in order, then the total (left out: zip stops before it).
        for row, c in zip(figures.rows, m.channels, strict=False):
            per_channel: dict[str, object] = {"section": section["channel"], "month": m.month.label}
            if report.stats:
                per_channel |= {
                    "followers_start": count_cell(c.followers_start, report, c.channel).data,
                    "followers_end": count_cell(c.followers_end, report, c.channel).data,
                    "followers_change": c.followers_change,
                }
            writer.writerow(per_channel | _data(figures, row, report.lang))
    month = report.month.label
    posts = posts_table(report)
    keys = {c.key for c in posts.columns}
    for row in posts.rows:
        fields: dict[str, object] = {"section": section["post"], "month": month}
        for name, (key, part) in _POST_FIELDS.items():
            value = getattr(posts.cell(row, key), part) if key in keys else None
            fields[name] = "" if value is None else value
        for name in ENGAGEMENT_FIELDS if report.stats else ():
            fields[name] = _csv_value(posts.cell(row, name).data, report.lang)
        writer.writerow(fields)
    notes = notes_table(report)
    for row in notes.rows:
        writer.writerow({"section": section["note"], "month": month} | _data(notes, row))
    return buffer.getvalue()


_AUDIENCE_FIELDS = ("followers_start", "followers_end", "followers_change", *ENGAGEMENT_FIELDS)


def _csv_heading(name: str, report: Report) -> str:
    """A field's heading in a French CSV: its word, or for a metric "engagement_" + its word."""
    metric = name.removeprefix("engagement_")
    if metric != name:
        return f"engagement_{w(report, 'network_clicks' if metric == 'clicks' else metric)}"
    return w(report, name)


# Each language's spreadsheet separator: French Excel reads `;` (its decimal mark is `,`).
_SEP = {"en": ",", "fr": ";"}


def _data(table: Table, row: Row, lang: str = "en") -> dict[str, object]:
    return {
        c.key: _csv_value(cell.data, lang) for c, cell in zip(table.columns, row.cells, strict=True)
    }


def _csv_value(value: object, lang: str) -> object:
    """A cell's data for the CSV: a fractional number with the language's decimal mark
    (never grouped, so a spreadsheet reads it as a number)."""
    if value is None:
        return ""
    if isinstance(value, float):
        return format_number(value, lang, grouped=False)
    return value


# -- the terminal -------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """A line of text in the terminal view; `style` is `bold`, `dim` or empty."""

    text: str
    style: str = ""


def terminal_view(report: Report) -> Iterator[Line | Table]:
    """The report as the terminal shows it: lines and tables, in order."""
    yield Line(title(report), "bold")
    yield Line(meta(report), "dim")
    if report.empty:
        yield Line(empty_message(report))
    else:
        # The terminal's table is as wide as it can be: the X spend gets a line of its own.
        yield channel_table(report.figures, report, x_cost=False)
        if x_cost_line(report.figures):
            yield Line(x_cost_line(report.figures))
        yield Line(legend(report), "dim")
        if report.stats:
            yield audience_table(report)
        if report.posts:
            yield posts_table(report).shown()
            if report.stats:
                yield Line(w(report, "engagement_legend"), "dim")
        if report.notes:
            yield notes_table(report)
    if report.history:
        yield history_table(report)
        yield history_by_channel(report)
        if report.stats:
            yield followers_history(report)


def terminal_cells(table: Table) -> list[list[str]]:
    """Each row's cells as plain text for a terminal table (links spelled out)."""
    return [
        [
            _terminal_cell(cell, column, row)
            for cell, column in zip(row.cells, table.columns, strict=True)
        ]
        for row in table.rows
    ]


def _terminal_cell(cell: Cell, column: Column, row: Row) -> str:
    if column.grouped and not row.first:
        return ""
    text = f"{cell.text}: {cell.note}" if cell.note else cell.text
    if cell.link:
        return f"{text}\n{cell.link}" if text else cell.link
    return text
