"""feed pull, feed list and note: the blog's feed in, the by-hand work recorded."""

from datetime import datetime
from typing import Annotated, Any

import typer

from .app import app, workspace

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON on stdout instead of tables.")]

feed_app = typer.Typer(
    help="Blog feeds (RSS or Atom): pull new articles into posts, list the feeds.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(feed_app, name="feed")


@feed_app.command("pull")
def pull(
    names: Annotated[
        list[str] | None, typer.Argument(metavar="NAME", help="Only these feeds.")
    ] = None,
    populate: Annotated[
        bool,
        typer.Option(
            "--populate",
            help="Remember every entry now in the feed without posting any (the backlog).",
        ),
    ] = False,
    action: Annotated[
        str | None,
        typer.Option(
            "--action",
            metavar="publish|schedule|review",
            help="Instead of the feed's own action; also takes entries listed for review.",
        ),
    ] = None,
    entry: Annotated[
        list[str] | None,
        typer.Option(
            "--entry",
            metavar="ID_OR_LINK",
            help="Act on this entry only, whatever its history (repeatable; needs NAME).",
        ),
    ] = None,
    sandbox: Annotated[
        str | None,
        typer.Option(
            "--sandbox",
            metavar="URL",
            help="Publish to a `crosspost sandbox` at URL instead of the networks.",
        ),
    ] = None,
    quiet: Annotated[
        bool,
        typer.Option("--quiet", "-q", help="Say nothing when nothing changed (for cron)."),
    ] = False,
    as_json: JsonOpt = False,
) -> Any:
    """Read the feeds and act on new entries: publish, schedule, or list them for review."""
    from ..errors import BadInput

    if action is not None and action not in ("publish", "schedule", "review"):
        raise BadInput(f"--action {action}: choose publish, schedule or review")
    if populate and (entry or action):
        raise BadInput("--populate posts nothing: it does not combine with --entry or --action")
    result = workspace().pull_feeds(
        names or (),
        populate=populate,
        action=action,
        entries=entry or (),
        sandbox_url=sandbox.rstrip("/") if sandbox else None,
    )
    for pulled in result.feeds:
        _say_how_it_went(pulled, quiet=quiet)
    if as_json:
        from .output import print_json

        print_json([p.to_json() for p in result.feeds])
    else:
        _show_entries(result)
    return result.exit_status


def _say_how_it_went(pulled: Any, *, quiet: bool) -> None:
    """One feed's warnings and status line, on stderr."""
    from .output import error, info, warn

    for w in pulled.warnings:
        warn(w)
    if pulled.status == "error":
        error(f"feed {pulled.feed}: {pulled.error}")
    elif pulled.status == "not-modified":
        if not quiet:
            info(f"feed {pulled.feed}: not modified since the last pull")
    elif not pulled.entries:
        if not quiet:
            info(f"feed {pulled.feed}: nothing new")
    elif pulled.first_pull:
        info(
            f"feed {pulled.feed}: first pull from {pulled.url}: its {len(pulled.entries)} "
            "entries are remembered, none posted; new entries from now on will be acted on"
        )
    elif pulled.populated:
        info(f"feed {pulled.feed}: {len(pulled.entries)} entries remembered, none posted")


def _show_entries(result: Any) -> None:
    """Each new entry, what was done with it, and on which channels."""
    from .output import table
    from .sending import STATE_STYLE

    rows = []
    for pulled in result.feeds:
        if pulled.populated:
            continue
        by_post: dict[str, list[Any]] = {}
        for o in pulled.outcomes:
            by_post.setdefault(o.post_key, []).append(o)
        for e in pulled.entries:
            title = f"{e.title}\n{e.link}" if e.link else e.title
            outcomes = by_post.get(e.link or "", [])
            if not outcomes:
                rows.append([pulled.feed, title, e.action, "", "", e.note or ""])
                continue
            for o in outcomes:
                style = STATE_STYLE.get(o.state, "")
                state = f"[{style}]{o.state}[/]" if style else o.state
                detail = o.url or o.error or o.note or ""
                rows.append([pulled.feed, title, e.action, o.channel, state, detail])
                title = ""
            if e.note:
                rows.append([pulled.feed, "", "", "", "", e.note])
    if rows:
        table(
            ["feed", "entry", "action", "channel", "state", "where / why"],
            rows,
            markup_columns={4},
        )


@feed_app.command("list")
def list_cmd(as_json: JsonOpt = False) -> None:
    """Show the feeds, their last pull, and the entries waiting for review."""
    from .output import info, print_json, table

    ws = workspace()
    config = ws.config
    summaries = ws.feeds()
    if as_json:
        print_json([s.to_json() for s in summaries])
        return
    if not summaries:
        info(f"no feeds in {config.path}; add a `feeds:` section")
        return
    tz = config.defaults.timezone

    def when(moment: datetime | None) -> str:
        return _local(moment, tz) if moment else "never"

    table(
        ["feed", "url", "action", f"last pull ({tz})", "status", "seen", "taken", "pending"],
        (
            [
                s.name,
                s.url,
                s.action,
                when(s.state.last_pull if s.state else None),
                (s.state.status + (f": {s.state.error}" if s.state.error else ""))
                if s.state
                else "",
                s.seen,
                s.taken,
                len(s.pending),
            ]
            for s in summaries
        ),
        title=str(config.path),
    )
    pending = [(s.name, p) for s in summaries for p in s.pending]
    if pending:
        table(
            ["feed", "waiting for review", "link", f"first seen ({tz})"],
            ([name, p.title or "", p.link or p.key, when(p.first_seen)] for name, p in pending),
            title="publish one with: crosspost feed pull FEED --entry LINK --action publish",
        )


def _local(moment: datetime, timezone: str) -> str:
    from zoneinfo import ZoneInfo

    return f"{moment.astimezone(ZoneInfo(timezone)):%Y-%m-%d %H:%M}"


@app.command()
def note(
    text: Annotated[str, typer.Argument(help='What was done, e.g. "Replied to 12 comments".')],
    channel: Annotated[
        str | None, typer.Option("--channel", "-C", help="The channel it was done on.")
    ] = None,
    date: Annotated[
        str | None,
        typer.Option(
            "--date",
            metavar="WHEN",
            help="When it was done: 2026-11-03 or 2026-11-03T14:30 [default: now].",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the note as JSON.")] = False,
) -> None:
    """Record something done by hand, outside crosspost, for the monthly report."""
    from .output import info, print_json

    ws = workspace()
    config = ws.config
    recorded = ws.add_note(text, channel=channel, when=date)
    if as_json:
        from ..views import note_json

        print_json(note_json(recorded))
        return
    where = f" on {recorded.channel}" if recorded.channel else ""
    info(f"noted{where} at {_local(recorded.at, config.defaults.timezone)}: {recorded.text}")
