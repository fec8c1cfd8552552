"""publish, check and channels: the commands around one post."""

from pathlib import Path
from typing import Annotated, Any

import typer

from .app import app, workspace

PostsArg = Annotated[list[Path], typer.Argument(help="Post files (Markdown with front matter).")]
ChannelOpt = Annotated[
    list[str] | None,
    typer.Option("--channel", "-C", help="Only this channel (repeatable)."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON on stdout instead of tables.")]


@app.command()
def publish(
    posts: PostsArg,
    channel: ChannelOpt = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", "-n", help="Show what each channel would get; send nothing."),
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Republish on purpose, even where already sent.")
    ] = False,
    retry_unknown: Annotated[
        bool,
        typer.Option(
            "--retry-unknown",
            help="Send again deliveries whose outcome is unknown (check the network first).",
        ),
    ] = False,
    sandbox: Annotated[
        str | None,
        typer.Option(
            "--sandbox",
            metavar="URL",
            help="Send every channel (and bit.ly) to a `crosspost sandbox` at URL (with "
            "--dry-run: bit.ly only).",
        ),
    ] = None,
    now: Annotated[
        bool,
        typer.Option("--now", help="Send a post queued for later now, without asking."),
    ] = False,
    no_shorten: Annotated[
        bool,
        typer.Option(
            "--no-shorten",
            help="With --dry-run: stay offline, show the long link (bit.ly is asked when sent).",
        ),
    ] = False,
    html: Annotated[
        Path | None,
        typer.Option(
            "--html",
            metavar="FILE",
            help="With --dry-run: also write each channel's copy, drawn as its network shows "
            "it, to one self-contained HTML file (- for stdout).",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> Any:
    """Publish posts to their channels, exactly once (or preview them with --dry-run)."""
    ws = workspace()
    selected = ws.channels(channel or [])
    loaded = ws.load_posts(posts)
    sandbox_url = sandbox.rstrip("/") if sandbox else None
    if html is not None and not dry_run:
        from ..errors import BadInput

        raise BadInput("--html draws a dry run: add --dry-run (nothing is sent with it)")
    if html is not None and str(html) == "-" and as_json:
        from ..errors import BadInput

        raise BadInput("--html - and --json both want stdout: give --html a file name")
    if dry_run:
        return _preview(
            ws,
            loaded,
            selected,
            as_json=as_json,
            shorten=not no_shorten,
            sandbox_url=sandbox_url,
            html=html,
        )
    if no_shorten:
        from ..errors import BadInput

        raise BadInput("--no-shorten is for --dry-run; to send long links, set shorten: false")
    import sys

    from ..errors import AlreadyScheduled
    from .sending import run_publish

    def go(now: bool) -> Any:
        return run_publish(
            ws,
            loaded,
            selected,
            force=force,
            retry_unknown=retry_unknown,
            sandbox_url=sandbox_url,
            as_json=as_json,
            now=now,
        )

    try:
        return go(now)
    except AlreadyScheduled as exc:
        if as_json or not sys.stdin.isatty():
            raise
        typer.confirm(f"{exc}\nSend it now anyway?", abort=True, err=True)
        return go(True)


def _preview(
    ws: Any,
    posts: list[Any],
    selected: list[Any],
    *,
    as_json: bool,
    shorten: bool,
    sandbox_url: str | None,
    html: Path | None = None,
) -> None:
    from .output import print_json, show_previews

    previews = ws.preview(posts, selected, shorten=shorten, sandbox_url=sandbox_url)
    if html is not None:
        from .preview_page import write_html_preview

        if write_html_preview(ws.config, posts, previews, html):
            return  # the page went to stdout: nothing else may
    if as_json:
        print_json([pv.to_json() for pv in previews])
    else:
        from .costs import show_costs

        show_previews(previews)
        show_costs([(pv.channel, pv.cost) for pv in previews])


@app.command()
def check(
    posts: Annotated[list[Path] | None, typer.Argument(help="Post files to check too.")] = None,
) -> None:
    """Validate channels.yaml, the templates and the posts; render nothing."""
    from .output import info, warn

    ws = workspace()
    warnings = ws.check(posts or [])
    for w in warnings:
        warn(w)
    n = len(posts or [])
    info(
        f"ok: {ws.config.path} ({len(ws.config.channels)} channels)"
        + (f", {n} post{'s' if n != 1 else ''}" if n else "")
        + (
            f"; {len(warnings)} warning{'s' if len(warnings) != 1 else ''} above"
            if warnings
            else ""
        )
    )


@app.command()
def channels(as_json: JsonOpt = False) -> None:
    """List the configured channels."""
    from ..views import channel_json
    from .output import print_json, table

    ws = workspace()
    config = ws.config
    notices = ws.channel_notices()
    rows = [
        {**channel_json(ch), "attention": notices.get(ch.name)} for ch in config.channels.values()
    ]
    if as_json:
        print_json(rows)
        return
    table(
        ["channel", "network", "audience", "template", "limit", "overflow", "hashtags", "relay"],
        (
            [
                r["channel"] + ("" if r["enabled"] else " (disabled)"),
                r["network"],
                ", ".join(r["audience"]) or "all",
                r["template"],
                r["max_length"],
                r["overflow"],
                "all" if r["hashtags"] is None else r["hashtags"],
                f"via {r['relayed_by']} ({r['relay']})" if r["relayed_by"] else "",
            ]
            for r in rows
        ),
        title=str(config.path),
    )
    from .output import warn

    for name, notice in notices.items():
        warn(f"channel {name}: {notice}")
