"""report: the month on the networks, from the ledger."""

from pathlib import Path
from typing import Annotated, Any

import typer

from .app import app, home, load_config

REPORT_FORMATS = ("table", "md", "csv", "html", "json")
_BY_SUFFIX = {
    ".md": "md",
    ".markdown": "md",
    ".csv": "csv",
    ".html": "html",
    ".htm": "html",
    ".json": "json",
    ".txt": "table",
}


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
) -> None:
    """The monthly report: per channel, per post, notes and history; clicks with --clicks."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from ..errors import BadInput
    from ..ledger import Ledger, default_ledger_path
    from ..report import Month, add_clicks, build_report, clicks_token, clicks_unavailable
    from .output import info, warn

    chosen = _format(fmt, out, as_json)
    config = load_config()
    tz = config.defaults.timezone
    wanted = Month.parse(month, today=datetime.now(ZoneInfo(tz)))
    networks = {name: ch.network for name, ch in config.channels.items()}
    with Ledger.open(default_ledger_path(home())) as ledger:
        result = build_report(ledger, month=wanted, timezone=tz, channels=networks, history=history)
        if clicks:
            try:
                token = clicks_token(config, sandbox_url=sandbox)
            except BadInput as exc:
                result = clicks_unavailable(result, str(exc))
            else:
                shortener = config.shortener
                result = add_clicks(
                    result,
                    ledger=ledger,
                    token=token,
                    api_url=(sandbox.rstrip("/") if sandbox else None) or shortener.api_url,
                    timeout=shortener.timeout,
                )
    for w in result.warnings:
        warn(w)
    if chosen == "table":
        _write_tables(result, out)
    else:
        from ..report_render import render

        text = render(result, chosen)
        if out is None:
            typer.echo(text, nl=False)
        else:
            # A byte-order mark lets Excel open an accented CSV as UTF-8.
            _write(out, text, encoding="utf-8-sig" if chosen == "csv" else "utf-8")
    if out is not None:
        info(f"report for {wanted.title} written to {out}")


def _format(fmt: str | None, out: Path | None, as_json: bool) -> str:
    from ..errors import BadInput

    if as_json:
        if fmt not in (None, "json"):
            raise BadInput(f"--json and --format {fmt} disagree; keep one")
        return "json"
    if fmt is None:
        return _BY_SUFFIX.get(out.suffix.lower(), "table") if out is not None else "table"
    if fmt not in REPORT_FORMATS:
        raise BadInput(f"--format {fmt}: choose one of {', '.join(REPORT_FORMATS)}")
    return fmt


def _write(path: Path, text: str, *, encoding: str) -> None:
    from ..errors import BadInput

    try:
        path.write_text(text, encoding=encoding, newline="")
    except OSError as exc:
        raise BadInput(f"cannot write the report to {path}: {exc.strerror or exc}") from None


def _write_tables(report: Any, out: Path | None) -> None:
    """The report as terminal tables, on stdout or as plain text in a file."""
    if out is None:
        from .output import out as stdout_console

        _print_tables(report, stdout_console())
        return
    import io

    from rich.console import Console

    buffer = io.StringIO()
    _print_tables(report, Console(file=buffer, width=120, color_system=None, highlight=False))
    _write(out, buffer.getvalue(), encoding="utf-8")


def _print_tables(report: Any, console: Any) -> None:
    from rich.markup import escape
    from rich.table import Table

    from ..report_render import (
        LEGEND,
        channel_table,
        clicks_caption,
        clicks_text,
        copy_state,
        empty_message,
        history_by_channel,
        history_table,
    )

    def show(headings: list[str], rows: list[list[Any]], numeric: int, title: str = "") -> None:
        t = Table(title=title or None, header_style="bold", title_justify="left")
        for i, h in enumerate(headings):
            t.add_column(h, justify="right" if i >= numeric else "left", overflow="fold")
        for row in rows:
            t.add_row(*(escape(str(c)) for c in row))
        console.print(t)

    generated = report.generated_at.astimezone(_zone(report.timezone))
    caption = f"{report.timezone} · generated {generated:%Y-%m-%d %H:%M}"
    if clicks_caption(report):
        caption += f" · {clicks_caption(report)}"
    console.print(f"[bold]Social presence: {escape(report.month.title)}[/]")
    console.print(f"[dim]{escape(caption)}[/]")
    if report.empty:
        console.print(escape(empty_message(report)))
    else:
        show(*channel_table(report.figures, report), title="Channels")
        console.print(f"[dim]{escape(LEGEND)}[/]")
        with_clicks = report.clicks != "not requested"
        rows: list[list[Any]] = []
        for post in report.posts:
            for i, cp in enumerate(post.copies):
                label = f"{post.title}\n{post.url}" if post.url else post.title
                state = copy_state(cp.state, cp.route) + (f": {cp.error}" if cp.error else "")
                sent = f"{cp.at:%Y-%m-%d %H:%M}" if cp.at else ""
                row = [label if i == 0 else "", cp.channel, state, sent, cp.url or ""]
                if with_clicks:
                    row.append(clicks_text(cp.clicks, report) if cp.state == "sent" else "")
                rows.append(row)
        if rows:
            headings = ["post", "channel", "state", "sent", "copy"]
            show(headings + (["clicks"] if with_clicks else []), rows, 5, title="Posts")
        if report.notes:
            show(
                ["when", "channel", "note"],
                [[f"{n.at:%Y-%m-%d %H:%M}", n.channel or "", n.text] for n in report.notes],
                3,
                title="Notes",
            )
    if report.history:
        show(*history_table(report), title="History")
        show(*history_by_channel(report), title="Posted per channel")


def _zone(name: str) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)
