"""tasks: the by-hand to-do list (Xing, Viadeo: networks without an API)."""

from typing import Annotated

import typer

from .app import app, workspace


@app.command()
def tasks(
    audience: Annotated[
        str | None,
        typer.Option("--audience", "-a", help="Only the channels of this audience (brand)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")] = False,
) -> None:
    """What waits to be posted by hand: where, the text to paste, the image, since when."""
    from rich.markup import escape

    from .output import info, out, print_json

    waiting = workspace().tasks(audience=audience)
    if as_json:
        print_json([t.to_json() for t in waiting])
        return
    if not waiting:
        info("nothing to post by hand" + (f" for {audience}" if audience else ""))
        return
    console = out()
    for t in waiting:
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
    info(f"{len(waiting)} to post by hand")
