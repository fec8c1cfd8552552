"""publish, check and channels: the commands around one post."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from .app import app, home, load_config

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
            help="Send every channel (and bit.ly) to a `crosspost sandbox` at URL.",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Publish posts to their channels, exactly once (or preview them with --dry-run)."""
    from ..post import load_post
    from ..routing import select_channels

    config = load_config()
    selected = select_channels(config, channel or [])
    loaded = [load_post(p) for p in posts]
    if dry_run:
        _preview(config, loaded, selected, as_json=as_json)
        return
    from .sending import run_publish

    code = run_publish(
        config,
        loaded,
        selected,
        home=home(),
        force=force,
        retry_unknown=retry_unknown,
        sandbox_url=sandbox.rstrip("/") if sandbox else None,
        as_json=as_json,
    )
    raise typer.Exit(code)


def _preview(config: Any, posts: list[Any], selected: list[Any], *, as_json: bool) -> None:
    from ..preview import preview_post
    from ..routing import audience_warning
    from .output import print_json, show_previews, warn

    for post in posts:
        warning = audience_warning(config, post)
        if warning:
            warn(warning)

    with _short_link_cache() as cached:
        previews = [
            pv for post in posts for pv in preview_post(config, post, selected, resolve_link=cached)
        ]
    if as_json:
        print_json([pv.to_json() for pv in previews])
    else:
        show_previews(previews)


@contextmanager
def _short_link_cache() -> Iterator[Any]:
    """A link resolver reading the ledger's short links (None before the first publish):
    the preview then shows the very link that will be sent."""
    from ..ledger import Ledger, default_ledger_path

    path = default_ledger_path(home())
    if not path.exists():
        yield None
        return
    with Ledger.open(path) as ledger:

        def resolve(_channel: Any, long_url: str) -> str | None:
            hit = ledger.get_short_link(long_url)
            return hit[0] if hit else None

        yield resolve


@app.command()
def check(
    posts: Annotated[list[Path] | None, typer.Argument(help="Post files to check too.")] = None,
) -> None:
    """Validate channels.yaml, the templates and the posts; render nothing."""
    from ..errors import BadInput
    from ..post import load_post
    from ..preview import preview_post
    from ..render import check_template
    from ..routing import select_channels
    from .output import info

    config = load_config()
    for ch in config.channels.values():
        check_template(config, ch)
    problems: list[str] = []
    for path in posts or []:
        try:
            post = load_post(path)
            # Rendering is the only full check of a template against a post; nothing is shown.
            preview_post(config, post, select_channels(config))
        except BadInput as exc:
            problems.append(str(exc))
    if problems:
        raise BadInput("\n".join(problems))
    n = len(posts or [])
    info(
        f"ok: {config.path} ({len(config.channels)} channels)"
        + (f", {n} post{'s' if n != 1 else ''}" if n else "")
    )


@app.command()
def channels(as_json: JsonOpt = False) -> None:
    """List the configured channels."""
    from .output import print_json, table

    config = load_config()
    rows = []
    for ch in config.channels.values():
        rows.append(
            {
                "channel": ch.name,
                "network": ch.network,
                "audience": list(ch.spec.audience),
                "template": ch.template,
                "max_length": ch.max_length,
                "overflow": ch.spec.overflow,
                "hashtags": ch.spec.hashtags,
                "relayed_by": ch.spec.relayed_by,
                "relay": ch.spec.relay if ch.spec.relayed_by else None,
                "shorten": ch.shorten,
                "pacing": ch.pacing.describe(),
                "enabled": ch.spec.enabled,
            }
        )
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
