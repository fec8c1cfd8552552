"""schedule, queue, run, cron and channel: the queue and the cron job that drains it."""

from pathlib import Path
from typing import Annotated, Any

import typer

from .app import app, workspace
from .ledger_cmds import AudienceOpt, LimitOpt, listing_limit, say_if_more, state_cell

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON on stdout instead of a table.")]
queue_app = typer.Typer(help="List and edit queued deliveries.", no_args_is_help=False)
channel_app = typer.Typer(help="Pause or resume a channel.", no_args_is_help=True)
app.add_typer(queue_app, name="queue")
app.add_typer(channel_app, name="channel")


@app.command()
def schedule(
    posts: Annotated[list[Path], typer.Argument(help="Post files to queue.")],
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            help="When: 2026-12-01 09:00 (in each channel's time zone), an ISO time with "
            "offset, 09:00 (the next one), or next-slot [default: the post's publish_at, "
            "else next-slot].",
        ),
    ] = None,
    channel: Annotated[
        list[str] | None, typer.Option("--channel", "-C", help="Only this channel (repeatable).")
    ] = None,
    now: Annotated[
        bool, typer.Option("--now", help="A time in the past is fine: send at the next run.")
    ] = False,
    sandbox: Annotated[
        str | None,
        typer.Option("--sandbox", metavar="URL", help="Make the short links on a sandbox."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Queue posts for their channels; `crosspost run` sends them when due."""
    import sys

    from ..errors import PastTime
    from .output import print_json

    ws = workspace()
    selected = ws.channels(channel or [])
    loaded = ws.load_posts(posts)
    sandbox_url = sandbox.rstrip("/") if sandbox else None
    try:
        result = ws.schedule(loaded, selected, at=at, allow_past=now, sandbox_url=sandbox_url)
    except PastTime as exc:
        if as_json or not sys.stdin.isatty():
            raise
        typer.confirm(f"{exc}\nSend at the next run anyway?", abort=True, err=True)
        result = ws.schedule(loaded, selected, at=at, allow_past=True, sandbox_url=sandbox_url)
    if as_json:
        print_json([s.to_json() for s in result])
        return
    from ..states import Route
    from .output import Col, info, table

    shown = [s for s in result if s.state != Route.SKIPPED]
    table(
        [
            Col("id", "key"),
            Col("post"),
            Col("channel", "key"),
            Col("state", "key"),
            Col("due", "time"),
            Col("note"),
        ],
        (
            [s.delivery_id, Path(s.post).name, s.channel, s.state, s.to_json()["due_local"], s.note]
            for s in shown
        ),
    )
    from .costs import show_costs

    show_costs([(s.channel, s.cost) for s in shown])
    skipped = len(result) - len(shown)
    if skipped:
        info(
            f"{skipped} (post, channel) pairs skipped: other audience or `channels: false`"
            " (see --json)"
        )


@queue_app.callback(invoke_without_command=True)
def queue_list(
    ctx: typer.Context,
    show_all: Annotated[
        bool,
        typer.Option(
            "--all", help="Every delivery, sent and cancelled too, however many (or --limit N)."
        ),
    ] = False,
    week: Annotated[
        bool, typer.Option("--week", help="The coming seven days, day by day, by-hand posts too.")
    ] = False,
    audience: AudienceOpt = None,
    limit: LimitOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List queued deliveries, soonest first (times in each channel's time zone)."""
    if ctx.invoked_subcommand is not None:
        return
    from ..views import Lens
    from .output import Col, info, listing_table, print_json, stream_json

    shown = listing_limit(limit, show_all)
    ws = workspace()
    if week:
        found = ws.week(audience=audience)
        if as_json:
            print_json(found.to_json())
        else:
            show_week(found)
        return
    lens = Lens.of_workspace(ws, need_config=audience is not None)
    with ws.queue(include_done=show_all, audience=audience, limit=shown) as head:
        pages = ((page, ws.edited(e.delivery for e in page)) for page in head.pages())
        if as_json:
            stream_json(
                {**e.to_json(), "edited": e.delivery.id in edited}
                for page, edited in pages
                for e in page
            )
            say_if_more(head, "deliveries")
            return
        if not head.total:
            info("the queue is empty")
            return
        listing_table(
            [
                Col("id", "key"),
                Col("when", "time"),
                Col("channel", "key"),
                Col("post", clip=40),
                Col("state", "key"),
                Col("why"),
            ],
            (
                [
                    e.delivery.id,
                    lens.local(lens.moment(e.delivery), e.delivery.channel) or "next run",
                    e.delivery.channel,
                    e.delivery.post_title or e.delivery.post_key,
                    state_cell(e.delivery.state, edited=e.delivery.id in edited)
                    + _tries(e.delivery.attempts),
                    e.reason,
                ]
                for page, edited in pages
                for e in page
            ),
            count=head.shown,
            markup_columns={4},
        )
        say_if_more(head, "deliveries")


def _tries(attempts: int) -> str:
    return f"\n{attempts} {'try' if attempts == 1 else 'tries'}" if attempts else ""


def show_week(week: Any) -> None:
    """What waits for a person, then each day a heading and each delivery a line:
    time (in its channel's zone), channel, title, and what is special about it."""
    from .output import out

    entries = [*week.waiting, *(e for d in week.days for e in d.entries)]
    ch_w = max((len(e.delivery.channel) for e in entries), default=0)
    if week.waiting:
        out().print("[bold]Waiting for you[/] [dim](by hand, unknown, failed or overdue)[/]")
        _week_lines(week.waiting, ch_w, full=True)
    today = week.days[0].day if week.days else None
    for day in week.days:
        mark = " [dim](today)[/]" if day.day == today else ""
        out().print(f"[bold]{day.day:%A} {day.day.day} {day.day:%B %Y}[/]{mark}")
        if not day.entries:
            out().print("  [dim]nothing[/]")
        _week_lines(day.entries, ch_w, full=False)
    if week.later:
        out().print(f"[dim]and {week.later} more after {week.days[-1].day:%Y-%m-%d}[/]")


def _week_lines(entries: Any, ch_w: int, *, full: bool) -> None:
    from rich.markup import escape

    from .output import clip, out

    def when(e: Any) -> str:
        return (e.local or "next run") if full else (e.clock or "")

    def mark(e: Any) -> str:
        d = e.delivery
        if d.state == "manual":
            return f"by hand: done {d.id}"
        if d.state != "pending":
            return str(d.state)
        return "by hand" if e.by_hand else ""

    clock_w = max((len(when(e)) for e in entries), default=0)
    for e in entries:
        d, note = e.delivery, mark(e)
        room = out().width - 2 - clock_w - 2 - ch_w - 2 - (len(note) + 3 if note else 0)
        title = escape(clip(d.post_title or d.post_key, max(room, 12)))
        tail = f" [cyan]· {escape(note)}[/]" if note else ""
        out().print(f"  {when(e):<{clock_w}}  {escape(d.channel):<{ch_w}}  {title}{tail}")


@queue_app.command("cancel")
def queue_cancel(delivery_id: Annotated[int, typer.Argument(help="Delivery id.")]) -> None:
    """Cancel a queued delivery."""
    from .output import info

    d = workspace().cancel(delivery_id)
    info(f"delivery {d.id} ({d.channel}) cancelled")


@queue_app.command("retry")
def queue_retry(delivery_id: Annotated[int, typer.Argument(help="Delivery id.")]) -> None:
    """Queue a failed, unknown or cancelled delivery again, due now."""
    from .output import info

    d = workspace().retry(delivery_id)
    info(f"delivery {d.id} ({d.channel}) queued again; `crosspost run` sends it")


@queue_app.command("move")
def queue_move(
    delivery_id: Annotated[int, typer.Argument(help="Delivery id.")],
    at: Annotated[str, typer.Option("--at", help="The new time (as for `schedule --at`).")],
) -> None:
    """Move a queued delivery to another time."""
    from .output import info

    e = workspace().move(delivery_id, at)
    info(f"delivery {e.delivery.id} ({e.delivery.channel}) now due {e.due_local}")


@app.command()
def run(
    loop: Annotated[
        bool, typer.Option("--loop", help="Keep running, checking the queue every --every seconds.")
    ] = False,
    every: Annotated[int, typer.Option("--every", help="Seconds between checks with --loop.")] = 60,
    sandbox: Annotated[
        str | None, typer.Option("--sandbox", metavar="URL", help="Send to a crosspost sandbox.")
    ] = None,
    as_json: JsonOpt = False,
) -> Any:
    """Send every due delivery once, then exit (the cron entry point)."""
    import time

    ws = workspace()
    while True:
        status = _run_once(ws, sandbox.rstrip("/") if sandbox else None, as_json=as_json)
        if not loop:
            return status
        try:
            time.sleep(every)
        except KeyboardInterrupt:
            return status


def _run_once(ws: Any, sandbox_url: str | None, *, as_json: bool) -> Any:
    from .output import print_json, warn

    result = ws.run(sandbox_url=sandbox_url, on_notice=warn)
    doctor = ws.doctor()
    doctor.record_run()
    if result.outcomes:  # a run with nothing due reads no config: it checks nothing either
        for said in doctor.on_run(sandbox_url=sandbox_url):
            warn(f"doctor: {said}")
    for name, reason in result.paused.items():
        warn(f"channel {name} is PAUSED: {reason} Then run `crosspost channel resume {name}`.")
    for name, reason in result.held.items():
        warn(f"channel {name}: its due deliveries stay queued: {reason}")
    for w in result.warnings:
        warn(w)
    if as_json:
        print_json([o.run_json() for o in result.outcomes])
    elif result.outcomes:
        from .output import Col, show_manual_tasks, table

        table(
            [
                Col("id", "key"),
                Col("channel", "key"),
                Col("post", clip=40),
                Col("result", "key"),
                Col("where / why"),
            ],
            (
                [
                    o.delivery.id,
                    o.channel,
                    o.delivery.post_title,
                    o.action,
                    o.url or o.note or o.error or "",
                ]
                for o in result.outcomes
            ),
        )
        show_manual_tasks(
            (o.channel, o.text, f"then: crosspost done {o.delivery_id} --url URL")
            for o in result.manual_tasks
        )
    return result.exit_status


@channel_app.command("resume")
def channel_resume(name: Annotated[str, typer.Argument(help="Channel name.")]) -> None:
    """Resume a channel paused after an authentication failure."""
    from .output import info

    workspace().resume(name)
    info(f"channel {name} resumed; its queued deliveries go out at the next run")


@channel_app.command("pause")
def channel_pause(name: Annotated[str, typer.Argument(help="Channel name.")]) -> None:
    """Hold a channel's queued deliveries until `channel resume`."""
    from .output import info

    workspace().pause(name)
    info(f"channel {name} paused")


@app.command()
def cron(
    every: Annotated[int, typer.Option("--every", help="Minutes between runs.")] = 1,
) -> None:
    """Print a crontab line and a systemd service + timer for `crosspost run`."""
    import sys

    # Plain write: a terminal-width wrap would break the crontab line.
    sys.stdout.write(workspace().cron_text(every=every))
