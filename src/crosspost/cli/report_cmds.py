"""report: the month on the networks, from the ledger."""

from pathlib import Path
from typing import Annotated, Any

import typer

from .app import app, workspace


@app.command()
def report(
    month: Annotated[
        str,
        typer.Option(
            "--month", "-m", metavar="YYYY-MM", help="The month: 2026-11, `this` or `last`."
        ),
    ] = "this",
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            metavar="table|md|csv|html|json",
            help="Output format [default: from --out's extension, else table].",
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", metavar="FILE", help="Write the report to FILE.")
    ] = None,
    clicks: Annotated[
        bool, typer.Option("--clicks", help="Add each channel's clicks from bit.ly.")
    ] = False,
    history: Annotated[
        int,
        typer.Option("--history", min=0, max=60, metavar="N", help="Months of history to include."),
    ] = 6,
    sandbox: Annotated[
        str | None,
        typer.Option(
            "--sandbox",
            metavar="URL",
            help="Read clicks from a `crosspost sandbox` at URL instead of bit.ly.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Same as --format json.")] = False,
    audience: Annotated[
        str | None,
        typer.Option(
            "--audience", "-a", metavar="BRAND", help="Only BRAND's channels (and `all` ones)."
        ),
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option("--lang", metavar="fr|en", help="Its language [default: defaults.lang]."),
    ] = None,
    csv_sep: Annotated[
        str | None,
        typer.Option(
            "--csv-sep", metavar="CHAR", help="The CSV's separator [default: ; in French, else ,]."
        ),
    ] = None,
    split_audience: Annotated[
        bool,
        typer.Option(
            "--split-audience",
            help="One file per audience: --out DIR, or a name like report-{audience}.html.",
        ),
    ] = False,
) -> None:
    """The monthly report: per channel, per post, notes and history; clicks with --clicks."""
    from ..errors import BadInput
    from ..report import format_for

    if as_json and fmt not in (None, "json"):
        raise BadInput(f"--json and --format {fmt} disagree; keep one")
    if csv_sep is not None and (len(csv_sep) != 1 or csv_sep in "\r\n\"'"):
        raise BadInput(f"--csv-sep {csv_sep!r}: give one character, such as ; or , or a tab")
    ws = workspace()
    options = {"month": month, "history": history, "clicks": clicks, "sandbox_url": sandbox}
    options |= {"lang": lang}
    if split_audience:
        _split(ws, out, "json" if as_json else fmt, audience, options, csv_sep)
        return
    chosen = format_for(out, "json" if as_json else fmt)
    _write(ws.report(audience=audience, **options), chosen, out, csv_sep)


def _split(
    ws: Any,
    out: Path | None,
    fmt: str | None,
    audience: str | None,
    options: dict[str, Any],
    csv_sep: str | None,
) -> None:
    """`--split-audience`: each audience's report into its own file."""
    from ..errors import BadInput
    from ..report import split_paths

    if audience is not None:
        raise BadInput("--split-audience writes every audience's report; drop --audience")
    if out is None:
        raise BadInput(
            "--split-audience writes one file per audience: give --out DIR "
            "or --out report-{audience}.html"
        )
    brands = ws.config.audiences
    if not brands:
        raise BadInput(
            f"--split-audience: no channel in {ws.config.path} has an `audience:`; "
            "leave it out for the one report"
        )
    for path, chosen, brand in split_paths(out, fmt, brands):
        _write(ws.report(audience=brand, **options), chosen, path, csv_sep)


def _write(result: Any, chosen: str, out: Path | None, csv_sep: str | None) -> None:
    from ..report import render, write_report
    from .output import info, warn

    for w in result.warnings:
        warn(w)
    if chosen == "table" and out is None:
        from .output import out as stdout_console

        _print_tables(result, stdout_console())
        return
    text = _plain_tables(result) if chosen == "table" else render(result, chosen, csv_sep=csv_sep)
    if out is None:
        typer.echo(text, nl=False)
        return
    write_report(out, text, chosen)
    brand = f" ({result.audience})" if result.audience else ""
    info(f"report for {result.month.title}{brand} written to {out}")


def _plain_tables(report: Any) -> str:
    """The terminal tables as plain text, for a file."""
    import io

    from rich.console import Console

    buffer = io.StringIO()
    # A file is read at any width: Rich's own layout, 120 columns (the reference files).
    _print_tables(
        report,
        Console(file=buffer, width=120, color_system=None, highlight=False),
        listing=False,
    )
    return buffer.getvalue()


def _print_tables(report: Any, console: Any, *, listing: bool = True) -> None:
    from rich.markup import escape
    from rich.table import Table

    from ..report import Line, terminal_cells, terminal_view

    for block in terminal_view(report):
        if isinstance(block, Line):
            text = escape(block.text)
            console.print(f"[{block.style}]{text}[/]" if block.style else text)
            continue
        if listing and len(block.columns) <= NARROW_COLUMNS:
            # Laid out like every listing: names and URLs whole, a URL under the
            # table when the width is short for it.
            _listing(block, terminal_cells(block), console)
            continue
        dropped: list[str] = []
        if listing:
            block, dropped = _without_zero_columns(block)
        # A table of figures (a dozen columns): Rich folds what does not fit.
        t = Table(title=block.title, header_style="bold", title_justify="left")
        for column in block.columns:
            t.add_column(column.terminal_label, justify=column.align, overflow="fold")
        for row in terminal_cells(block):
            t.add_row(*(escape(c) for c in row))
        console.print(t)
        if dropped:
            console.print(f"[dim]{escape(', '.join(dropped))}: 0 throughout[/]")


def _without_zero_columns(block: Any) -> tuple[Any, list[str]]:
    """On a terminal, a table of figures without the columns that are 0 on every row:
    at 80 columns a dozen columns break every name, and a column of zeros says
    nothing (the legend and the file outputs keep them all)."""
    from ..report import terminal_cells

    cells = terminal_cells(block)
    keep = [
        i
        for i, column in enumerate(block.columns)
        if column.align != "right" or any(row[i] not in ("0", "") for row in cells)
    ]
    if len(keep) == len(block.columns):
        return block, []
    dropped = [c.terminal_label for i, c in enumerate(block.columns) if i not in keep]
    return block.only(keep), dropped


# The report tables with at most this many columns are laid out as listings.
NARROW_COLUMNS = 6
# Their columns that hold a name or a state: never broken.
_KEY_COLUMNS = frozenset({"channel", "state", "month", "engagement"})


def _listing(block: Any, rows: list[list[str]], console: Any) -> None:
    from .output import Col, table

    columns = [
        Col(
            c.terminal_label,
            kind="key" if c.key in _KEY_COLUMNS else "time" if c.key == "at" else "text",
            align=c.align,
        )
        for c in block.columns
    ]
    table(columns, rows, title=block.title, console=console)
