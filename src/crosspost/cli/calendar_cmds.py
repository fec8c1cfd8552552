"""calendar: what was sent and what is queued, day by day, as a grid or an HTML page."""

from pathlib import Path
from typing import Annotated, Any

import typer

from .app import app, workspace
from .ledger_cmds import AudienceOpt

# Mon-Sun day columns: 7 cells of "09:00✋" (the hand is two cells wide) and a space.
_DAY_W = 7
_MARKS = {
    "sent": "✓",
    "relayed": "↪",
    "queued": "·",
    "by_hand": "✋",
    "failed": "✗",
    "unknown": "?",
}
_LEGEND = "✓ sent, ↪ relayed, · queued, ✋ by hand, ✗ failed, ? unknown (reconcile)"


@app.command()
def calendar(
    month: Annotated[
        str | None, typer.Option("--month", help="The month, like 2026-12 [default: this one].")
    ] = None,
    week: Annotated[
        bool, typer.Option("--week", help="Only this week (Monday to Sunday), not the month.")
    ] = False,
    audience: AudienceOpt = None,
    html: Annotated[
        Path | None, typer.Option("--html", metavar="FILE", help="Write a self-contained page.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")] = False,
) -> None:
    """Show what was sent and what is queued, per day and channel (each channel's zone)."""
    from ..queue.month import calendar_of, now_local, parse_month, week_around
    from ..views import Lens

    ws = workspace()
    today = now_local(Lens.of(ws.config))
    first, last = week_around(today) if week else parse_month(month, today=today)
    found = calendar_of(ws, first=first, last=last, audience=audience)
    if html is not None:
        from ..queue.calendar_html import render_calendar_html
        from .output import info

        html.write_text(render_calendar_html(found), encoding="utf-8")
        info(f"calendar written to {html}")
        return
    if as_json:
        from .output import print_json

        print_json(found.to_json())
        return
    show_calendar(found)


def show_calendar(cal: Any) -> None:
    """Week by week: a row per channel (its audience marker first), a column per day,
    each entry `09:00✓` (sent), `09:00·` (queued), `09:00✋` (by hand), `09:00✗`
    (failed) and so on (`_MARKS`)."""
    from datetime import timedelta

    from rich.markup import escape

    from .output import out

    console = out()
    legend = ", ".join(f"{m} = {a}" for m, a in cal.markers)
    console.print(f"[bold]{cal.first:%d %B %Y} to {cal.last:%d %B %Y}[/]", soft_wrap=True)
    console.print(f"[dim]{escape(legend)}; {_LEGEND}[/]")
    by_date = {d.day: d for d in cal.days}
    monday = cal.first - timedelta(days=cal.first.weekday())
    while monday <= cal.last:
        days = [monday + timedelta(days=n) for n in range(7)]
        _week_grid(console, days, by_date)
        monday += timedelta(days=7)


def _week_grid(console: Any, days: list[Any], by_date: dict[Any, Any]) -> None:
    from rich.cells import cell_len
    from rich.markup import escape

    rows: dict[str, list[list[str]]] = {}
    for n, day in enumerate(days):
        for e in by_date[day].entries if day in by_date else ():
            name = f"{e.marker} {e.delivery.channel}"
            rows.setdefault(name, [[] for _ in days])[n].append(f"{e.clock}{_MARKS[e.kind]}")
    name_w = max([cell_len(n) for n in rows] + [7])
    room = console.width - 7 * (_DAY_W + 1)
    inline = name_w <= room - 1  # else each channel's name has a line of its own
    lead = name_w + 1 if inline else 0
    heads = [f"{d:%a} {d.day}" if d in by_date else "" for d in days]
    console.print(
        escape(" " * lead + " ".join(h.ljust(_DAY_W) for h in heads).rstrip()), style="bold"
    )
    if not rows:
        console.print(escape(" " * lead + "nothing"), style="dim")
    for name, cells in sorted(rows.items(), key=lambda r: r[0]):
        if not inline:
            console.print(escape(name), soft_wrap=True)
        for line in range(max(len(c) for c in cells)):
            parts = [c[line] if line < len(c) else "" for c in cells]
            shown = " ".join(p + " " * (_DAY_W - cell_len(p)) for p in parts).rstrip()
            head = (name if line == 0 else "").ljust(name_w) + " " if inline else ""
            console.print(escape(head + shown), soft_wrap=True)
