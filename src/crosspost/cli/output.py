"""Rich rendering of the core's results.  Data to stdout, diagnostics to stderr."""

import json
import os
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import islice
from json.encoder import encode_basestring
from typing import Any, Literal

# -- tables: columns that keep names and links whole ----------------------------------

URL = re.compile(r"https?://\S+")
# Rich's box: a border between columns and at each edge, and one space of padding each side.
_PER_COLUMN = 3
_MIN_TEXT = 8  # narrowest a folding text column is made before URLs move out of the table
_READABLE = 24  # what a text column gets before a time is given a single line


@dataclass(frozen=True)
class Col:
    """A table column, and what its cells may do when the width is short.

    `key` (ids, channel names, states, counts): never broken.  `time`: breaks at
    its spaces only (`2026-12-24` over `09:00 CET`).  `text` (titles, notes,
    errors): folds, and takes what width is left; `clip` cuts it to that many
    characters, `one_line` to the width it gets.  URLs in any cell stay whole.
    """

    header: str
    kind: Literal["key", "time", "text"] = "text"
    clip: int | None = None
    one_line: bool = False
    align: Literal["left", "right"] = "left"  # figures are right-aligned


def out() -> Any:
    # Rich reads COLUMNS once, when the console is made: one console per width, so
    # that the width follows COLUMNS (a test, or a program calling the CLI twice).
    return _console(os.environ.get("COLUMNS"), stderr=False)


def err() -> Any:
    return _console(os.environ.get("COLUMNS"), stderr=True)


@cache
def _console(columns: str | None, *, stderr: bool) -> Any:
    from rich.console import Console

    # soft_wrap on stderr: a long message stays one line, so it can be grepped and copied.
    return Console(stderr=stderr, highlight=False, soft_wrap=stderr)


def error(message: str) -> None:
    from rich.markup import escape

    from ..secrets import scrub  # the last guard: nothing printed carries a secret

    lines = scrub(message).splitlines() or [""]
    err().print(f"[bold red]error:[/] {escape(lines[0])}")
    for line in lines[1:]:
        err().print(f"  {escape(line)}")


def warn(message: str) -> None:
    from rich.markup import escape

    from ..secrets import scrub

    err().print(f"[yellow]warning:[/] {escape(scrub(message))}")


def info(message: str) -> None:
    from rich.markup import escape

    err().print(escape(message))


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
    sys.stdout.flush()


def stream_json(items: Iterable[Any]) -> None:
    """A JSON array on stdout written item by item, as `print_json` would write the
    list (the same bytes), without holding the list: `--all` of a large ledger."""
    write = sys.stdout.write
    first = True
    for item in items:
        write(("[\n  " if first else ",\n  ") + _item_json(item))
        first = False
    write("[]\n" if first else "\n]\n")
    sys.stdout.flush()


def _item_json(item: Any) -> str:
    """One item of a top-level array, indented as `json.dumps(indent=2)` would.

    A flat object (every listing's rows) is written field by field, each value
    as `json` writes it: indent=2 makes `json` encode in pure Python, which was
    most of the time of `status --all --json`."""
    if (
        isinstance(item, dict)
        and item
        and all(isinstance(k, str) for k in item)
        and not any(isinstance(v, dict | list | tuple) for v in item.values())
    ):
        fields = ",\n".join(f"    {_quote(k)}: {_scalar(v)}" for k, v in item.items())
        return "{\n" + fields + "\n  }"
    return json.dumps(item, ensure_ascii=False, indent=2, default=str).replace("\n", "\n  ")


def _quote(text: str) -> str:
    return str(encode_basestring(text))  # json's own (C) quoting, ensure_ascii=False


def _scalar(value: Any) -> str:
    """A value that is no container, as `json.dumps(value, default=str)` writes it."""
    if isinstance(value, str):
        return _quote(value)
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return json.dumps(value)  # its rules for NaN and infinities
    return _quote(str(value))


def clip(text: str | None, width: int = 36) -> str:
    """One table cell's worth of a long title."""
    text = (text or "").replace("\n", " ")
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def gauge(length: int, limit: int) -> str:
    ratio = length / limit if limit else 0
    colour = "green" if ratio <= 0.9 else "yellow" if ratio <= 1 else "red"
    return f"[{colour}]{length}/{limit}[/]"


def show_previews(previews: Iterable[Any]) -> None:
    """One panel per channel: the exact text, its length gauge, its warnings."""
    from rich.console import Group
    from rich.markup import escape
    from rich.panel import Panel
    from rich.text import Text

    from ..states import Route

    current_post = None
    for p in previews:
        if p.post != current_post:
            current_post = p.post
            out().rule(f"[bold]{escape(str(p.post))}", align="left")
        title = f"[bold]{escape(p.channel)}[/] · {escape(p.network)}"
        if p.lang:
            title += f" · {escape(p.lang)}"
        if p.skipped:
            label = str(p.route) if p.route == Route.RELAYED else str(Route.SKIPPED)
            out().print(
                f"  [dim]⏭  {escape(p.channel)} · {p.network}: {label}: {escape(p.skipped)}[/]"
            )
            continue
        body: list[Any] = []
        for i, part in enumerate(p.parts, 1):
            if len(p.parts) > 1:
                body.append(Text(f"── part {i}/{len(p.parts)} ──", style="dim"))
            body.append(Text(part))
        for w in p.warnings:
            body.append(Text(f"⚠ {w}", style="yellow"))
        subtitle = gauge(p.length, p.limit)
        if len(p.parts) > 1:
            subtitle += f" · thread of {len(p.parts)}"
        out().print(
            Panel(
                Group(*body),
                title=title,
                subtitle=subtitle,
                title_align="left",
                subtitle_align="right",
                expand=False,
                width=min(out().width, 88),
            )
        )


def show_manual_tasks(tasks: Iterable[tuple[str, str, str | None]]) -> None:
    """The paste-ready text of each by-hand delivery: (channel, text, what to do).

    Between two rules, not in a panel: the text is printed exactly as it is to be
    pasted (no border, no line breaks added), so a copy from the terminal or from
    `run.log` is the post itself and its link stays whole and clickable.
    """
    from rich.markup import escape

    for channel, text, how in tasks:
        out().rule(f"[bold]to post by hand: {escape(channel)}[/]", align="left")
        out().print(escape(text), soft_wrap=True)
        out().rule(escape(how) if how else "", align="right")


def table(
    columns: Sequence[str | Col],
    rows: Iterable[Sequence[Any]],
    *,
    title: str | None = None,
    markup_columns: set[int] = frozenset(),  # type: ignore[assignment]
    console: Any = None,
) -> None:
    """A table on stdout (or `console`); cells are plain text except in `markup_columns`.

    Laid out for the terminal's width (or `COLUMNS`, 80 in a log): see `Col` for
    what each kind of column may do.  A URL is never broken: it gets a line of
    its own in its cell, or, when the terminal is too narrow for it, a line of
    its own under the table, after its row's first cell.
    """
    specs = [c if isinstance(c, Col) else Col(c) for c in columns]
    target = console or out()
    built, below = _layout(
        specs, rows, width=target.width, title=title, markup_columns=markup_columns
    )
    target.print(built)
    pad = max((len(key) for key, _ in below), default=0)
    for key, url in below:
        # soft_wrap: one line however long, so it stays clickable and greppable.
        target.print(f"  {key:>{pad}}  {url}", soft_wrap=True, markup=False, highlight=False)


# Rows a listing prints as a Rich table.  The table lays out every row at once to
# size its columns (all of them in memory, and slow past a few hundred), so a
# longer listing (`--all`, a large `--limit`) prints plain lines instead: one a
# row, read a page at a time, flat in memory whatever the count.
TABLE_ROWS = 500


def listing_table(
    columns: Sequence[str | Col],
    rows: Iterable[Sequence[Any]],
    *,
    count: int,
    markup_columns: set[int] = frozenset(),  # type: ignore[assignment]
) -> None:
    """A listing of `count` rows: a `table` up to `TABLE_ROWS`, else `plain_lines`."""
    if count <= TABLE_ROWS:
        table(columns, list(rows), markup_columns=markup_columns)
    else:
        plain_lines(columns, rows, markup_columns=markup_columns)


def plain_lines(
    columns: Sequence[str | Col],
    rows: Iterable[Sequence[Any]],
    *,
    markup_columns: set[int] = frozenset(),  # type: ignore[assignment]
    sample: int = TABLE_ROWS,
) -> None:
    """One line a row, columns two spaces apart, for listings too long for a table.

    The first `sample` rows set each column's width (the last column is not
    padded); a later, wider cell pushes the rest of its line along, never cut,
    so names and URLs stay whole, and a line is one row for grep and less.
    Cells are plain text (markup dropped, a cell's lines joined), `clip` applies."""
    specs = [c if isinstance(c, Col) else Col(c) for c in columns]
    rows = iter(rows)
    header = [s.header for s in specs]
    widths: list[int] | None = None
    while True:
        chunk = [_plain_row(specs, row, markup_columns) for row in islice(rows, sample)]
        shown = chunk
        if widths is None:
            shown = [header, *chunk]
            widths = [max(len(r[i]) for r in shown) for i in range(len(specs))]
        sys.stdout.write("".join(_plain_line(row, widths) for row in shown))
        if len(chunk) < sample:
            break
    sys.stdout.flush()


def _plain_row(specs: Sequence[Col], row: Sequence[Any], markup_columns: set[int]) -> list[str]:
    cells = []
    for i, (spec, value) in enumerate(zip(specs, row, strict=True)):
        cell = "" if value is None else str(value)
        if i in markup_columns:
            cell = _without_markup(cell)
        cell = " ".join(cell.split("\n"))
        cells.append(clip(cell, spec.clip) if spec.clip else cell)
    return cells


@cache
def _without_markup(cell: str) -> str:
    # Markup cells are states and their notes: a handful of distinct values, each
    # parsed once however many rows show it.
    from rich.text import Text

    return Text.from_markup(cell).plain


def _plain_line(cells: Sequence[str], widths: Sequence[int]) -> str:
    padded = [cell.ljust(width) for cell, width in zip(cells[:-1], widths, strict=False)]
    return "  ".join([*padded, cells[-1]]).rstrip() + "\n"


# -- tables: columns that keep names and links whole ----------------------------------


def _layout(
    specs: Sequence[Col],
    rows: Iterable[Sequence[Any]],
    *,
    width: int,
    title: str | None,
    markup_columns: set[int],
) -> tuple[Any, list[tuple[str, str]]]:
    """The Rich table for `width`, and the (row key, URL) pairs printed under it."""
    from rich.markup import escape
    from rich.table import Table

    plain = [["" if v is None else str(v) for v in row] for row in rows]
    for row in plain:
        for i, spec in enumerate(specs):
            if spec.clip and i not in markup_columns:
                row[i] = clip(row[i], spec.clip)
    budget = width - _PER_COLUMN * len(specs) - 1
    visible = [[_shown(c, i in markup_columns) for i, c in enumerate(row)] for row in plain]
    widths = _widths(specs, visible, budget, urls_inside=True)
    below: list[tuple[str, str]] = []
    if widths is None:  # too narrow for the URLs: they go under the table
        # Named by the row's first key cell (its id, its channel) that is not blank.
        keys = [i for i, s in enumerate(specs) if s.kind == "key"] or [0]
        below = [
            (next((row[k] for k in keys if row[k]), row[0]), url)
            for row in plain
            for i, c in enumerate(row)
            if i not in keys[:1]
            for url in URL.findall(c)
        ]
        plain = [[URL.sub("↓ link below", c) for c in row] for row in plain]
        visible = [[_shown(c, i in markup_columns) for i, c in enumerate(row)] for row in plain]
        widths = _widths(specs, visible, budget, urls_inside=False)
    t = Table(title=title, show_lines=False, header_style="bold", title_justify="left")
    for i, spec in enumerate(specs):
        w = widths[i] if widths else None
        t.add_column(
            spec.header,
            width=w,
            no_wrap=spec.kind == "key",
            overflow="fold",
            justify=spec.align,
        )
    for row in plain:
        cells = []
        for i, c in enumerate(row):
            if i in markup_columns:
                cells.append(c)
                continue
            c = _own_lines(c)
            if specs[i].one_line and widths:
                c = clip(c, widths[i])
            cells.append(escape(c))
        t.add_row(*cells)
    return t, below


def _shown(cell: str, markup: bool) -> str:
    """What a cell shows: markup stripped, each URL on a line of its own."""
    if markup:
        from rich.text import Text

        return Text.from_markup(cell).plain
    return _own_lines(cell)


def _own_lines(cell: str) -> str:
    """Each URL of a text on a line of its own, so that wrapping never cuts it."""
    if not URL.search(cell):
        return cell
    return "\n".join(
        line.strip() for line in URL.sub(lambda m: f"\n{m.group()}\n", cell).splitlines()
    ).strip("\n")


def _widths(
    specs: Sequence[Col], rows: list[list[str]], budget: int, *, urls_inside: bool
) -> list[int] | None:
    """Each column's width within `budget`; None when the URLs do not fit in their cells."""
    from rich.cells import cell_len

    def lines(i: int) -> list[str]:
        return [ln for row in rows for ln in row[i].splitlines()]

    natural, least = [], []
    for i, spec in enumerate(specs):
        head_words = spec.header.split() or [""]
        cells = lines(i)
        full = max([cell_len(ln) for ln in cells] + [cell_len(spec.header)])
        natural.append(full)
        words = [w for ln in cells for w in ln.split()]
        longest_word = max([cell_len(w) for w in words + head_words] or [1])
        urls = [cell_len(u) for ln in cells for u in URL.findall(ln)] if urls_inside else []
        if spec.kind == "key":
            least.append(max([cell_len(ln) for ln in cells] + [longest_word]))
        elif spec.kind == "time":
            least.append(min(full, longest_word))
        else:
            least.append(max([min(full, max(_MIN_TEXT, min(longest_word, 14))), *urls]))
    if sum(least) > budget:
        if urls_inside and any(URL.search(c) for row in rows for c in row):
            return None
        return []  # narrower than the ids and names themselves: Rich does what it can
    widths = list(least)
    # Text columns first up to a readable width, then times on one line, then text
    # columns to their full width; each text column takes at most its share.
    texts = sorted(
        (i for i, s in enumerate(specs) if s.kind == "text"), key=lambda i: natural[i] - least[i]
    )
    folding = [i for i in texts if not specs[i].one_line]  # one-line cells are clipped
    _grow(widths, folding, [min(natural[i], _READABLE) for i in range(len(specs))], budget)
    _grow(widths, [i for i, s in enumerate(specs) if s.kind == "time"], natural, budget)
    _grow(widths, texts, natural, budget)
    return widths


def _grow(widths: list[int], columns: list[int], target: list[int], budget: int) -> None:
    """Widen `columns` towards `target`, sharing what is left of `budget` evenly."""
    for n, i in enumerate(columns):
        spare = (budget - sum(widths)) // (len(columns) - n)
        widths[i] += max(0, min(target[i] - widths[i], spare))
