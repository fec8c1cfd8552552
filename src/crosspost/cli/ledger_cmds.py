"""status and done: reading and settling the delivery ledger."""

from pathlib import Path
from typing import Annotated, Any

import typer

from .app import app, workspace

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON on stdout instead of a table.")]


@app.command()
def status(
    post: Annotated[Path | None, typer.Argument(help="Only this post's deliveries.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Show deliveries and their states."""
    from ..views import delivery_json
    from .output import print_json, table
    from .sending import STATE_STYLE

    rows = workspace().status(post)
    if as_json:
        print_json([delivery_json(d) for d in rows])
        return
    if not rows:
        from .output import info

        info("no deliveries yet" + (f" for {post}" if post else ""))
        return

    def state(d: Any) -> str:
        style = STATE_STYLE.get(d.state)
        return f"[{style}]{d.state}[/]" if style else d.state

    table(
        ["id", "post", "channel", "state", "tries", "updated (UTC)", "where / why"],
        (
            [
                d.id,
                d.post_title or d.post_key,
                d.channel,
                state(d),
                d.attempts,
                f"{d.updated_at:%Y-%m-%d %H:%M}",
                d.remote_url or d.error or "",
            ]
            for d in rows
        ),
        markup_columns={3},
    )


@app.command()
def done(
    delivery_id: Annotated[int, typer.Argument(help="The delivery id (see `crosspost status`).")],
    url: Annotated[str | None, typer.Option("--url", help="Where the post now lives.")] = None,
) -> None:
    """Mark a manual (or unknown) delivery as posted by hand."""
    from .output import info

    d = workspace().done(delivery_id, url=url)
    info(f"delivery {d.id} ({d.channel}) marked sent" + (f": {url}" if url else ""))
