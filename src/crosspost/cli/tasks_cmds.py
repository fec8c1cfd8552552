"""tasks: the by-hand to-do list (Xing, Viadeo: networks without an API)."""

from typing import Annotated, Any

import typer

from .app import app, workspace
from .ledger_cmds import AllOpt, LimitOpt, listing_limit, say_if_more


@app.command()
def tasks(
    audience: Annotated[
        str | None,
        typer.Option("--audience", "-a", help="Only the channels of this audience (brand)."),
    ] = None,
    limit: LimitOpt = None,
    show_all: AllOpt = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")] = False,
) -> None:
    """What waits to be posted by hand: where, the text to paste, the image, since when."""
    from .output import info, stream_json

    shown = listing_limit(limit, show_all)
    with workspace().tasks(audience=audience, limit=shown) as waiting:
        if as_json:
            stream_json(t.to_json() for t in waiting)
            say_if_more(waiting, "tasks")
            return
        if not waiting.total:
            info("nothing to post by hand" + (f" for {audience}" if audience else ""))
            return
        for page in waiting.pages():
            for t in page:
                _show_task(t)
        say_if_more(waiting, "tasks")
        info(f"{waiting.total} to post by hand")


def _show_task(t: Any) -> None:
    from rich.markup import escape

    from .output import out

    console = out()
    d = t.delivery
    console.rule(f"[bold]{d.id} · {escape(d.channel)}[/]", align="left")
    # soft_wrap: the address stays whole on its line, clickable.
    console.print(f"where: {escape(t.where)}", soft_wrap=True)
    if t.instructions:
        console.print(f"how: {escape(t.instructions)}")
    console.print(f"[dim]{escape(d.post_title or d.post_key)}[/]")
    console.print(f"[dim]waiting since {t.since}[/]")
    if t.problem:
        console.print(f"[red]the edited post fails a check:[/] {escape(t.problem)}")
    # Printed as is, no wrapping added: a copy from the terminal is the post itself.
    console.print(escape(t.text), soft_wrap=True)
    if t.image:
        alt = f" (alt text: {t.image_alt})" if t.image_alt else " (no alt text)"
        console.print(f"attach: {escape(t.image)}{escape(alt)}", soft_wrap=True)
    console.rule(f"then: {escape(t.done_command)}", align="right")
