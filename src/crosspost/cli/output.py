"""Rich rendering of the core's results.  Data to stdout, diagnostics to stderr."""

import json
import sys
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any


@cache
def out() -> Any:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False)


@cache
def err() -> Any:
    from rich.console import Console

    # soft_wrap: a long message stays one line, so it can be grepped and copied.
    return Console(stderr=True, highlight=False, soft_wrap=True)


def error(message: str) -> None:
    from rich.markup import escape

    lines = message.splitlines() or [""]
    err().print(f"[bold red]error:[/] {escape(lines[0])}")
    for line in lines[1:]:
        err().print(f"  {escape(line)}")


def warn(message: str) -> None:
    from rich.markup import escape

    err().print(f"[yellow]warning:[/] {escape(message)}")


def info(message: str) -> None:
    from rich.markup import escape

    err().print(escape(message))


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
    sys.stdout.flush()


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
    """The paste-ready text of each by-hand delivery: (channel, text, what to do)."""
    from rich.panel import Panel
    from rich.text import Text

    for channel, text, how in tasks:
        out().print(
            Panel(
                Text(text),
                title=f"[bold]to post by hand: {channel}[/]",
                subtitle=how,
                title_align="left",
                expand=False,
                width=min(out().width, 88),
            )
        )


def table(
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    title: str | None = None,
    markup_columns: set[int] = frozenset(),  # type: ignore[assignment]
) -> None:
    """A table on stdout; cells are plain text except in `markup_columns`."""
    from rich.markup import escape
    from rich.table import Table

    t = Table(title=title, show_lines=False, header_style="bold")
    for c in columns:
        t.add_column(c, overflow="fold")
    for row in rows:
        cells = ["" if v is None else str(v) for v in row]
        t.add_row(*(c if i in markup_columns else escape(c) for i, c in enumerate(cells)))
    out().print(t)
