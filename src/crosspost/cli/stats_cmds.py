"""stats: read each channel's followers and its posts' engagement, for the report."""

from typing import Annotated, Any

import typer

from .app import app, workspace


@app.command()
def stats(
    channel: Annotated[
        list[str] | None,
        typer.Option(
            "--channel", "-C", metavar="NAME", help="Only this channel (repeatable) [default: all]."
        ),
    ] = None,
    sandbox: Annotated[
        str | None, typer.Option("--sandbox", metavar="URL", help="Read a crosspost sandbox.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")] = False,
) -> Any:
    """Record each channel's followers and its last 30 days' engagement (run daily).

    X bills every read, so an X channel is read at most once a day; `stats: false`
    in channels.yaml turns a channel off.  A network that cannot be read is recorded
    as unavailable for the day, and the others are still read: exit status 1 then.
    """
    from ..errors import ExitStatus
    from ..stats.read import Outcome
    from .output import Col, print_json, table, warn

    ws = workspace()
    readings = ws.stats(
        channels=channel or (), sandbox_url=sandbox.rstrip("/") if sandbox else None
    )
    failed = any(r.outcome is Outcome.UNAVAILABLE for r in readings)
    if as_json:
        print_json([r.to_json() for r in readings])
    else:
        table(
            [
                Col("channel", "key"),
                Col("read", "key"),
                Col("followers", "key", align="right"),
                Col("posts", "key", align="right"),
            ],
            (
                [
                    r.channel,
                    str(r.outcome),
                    "" if r.followers is None else f"{r.followers:,}",
                    str(r.posts) if r.posts else "",
                ]
                for r in readings
            ),
        )
        for r in readings:
            for note in r.notes:
                warn(f"{r.channel}: {note}")
    return ExitStatus.FAILED if failed else ExitStatus.OK
