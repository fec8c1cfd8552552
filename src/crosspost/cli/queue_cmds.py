"""schedule, queue, run, cron and channel: the queue and the cron job that drains it."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from .app import STATE, app, home, load_config

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON on stdout instead of a table.")]
queue_app = typer.Typer(help="List and edit queued deliveries.", no_args_is_help=False)
channel_app = typer.Typer(help="Pause or resume a channel.", no_args_is_help=True)
app.add_typer(queue_app, name="queue")
app.add_typer(channel_app, name="channel")


def _now() -> datetime:
    return datetime.now(UTC)


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
    as_json: JsonOpt = False,
) -> None:
    """Queue posts for their channels; `crosspost run` sends them when due."""
    import sys

    from ..errors import PastTime
    from ..post import load_post
    from ..queue import Scheduler
    from ..routing import select_channels
    from .output import print_json

    config = load_config()
    selected = select_channels(config, channel or [])
    loaded = [load_post(p) for p in posts]
    scheduler = Scheduler(config=config, home=home(), allow_past=now)
    try:
        result = scheduler.schedule(loaded, selected, at=at)
    except PastTime as exc:
        if as_json or not sys.stdin.isatty():
            raise
        typer.confirm(f"{exc}\nSend at the next run anyway?", abort=True, err=True)
        scheduler.allow_past = True
        result = scheduler.schedule(loaded, selected, at=at)
    if as_json:
        print_json([s.to_json() for s in result])
        return
    from .output import info, table

    shown = [s for s in result if s.state != "skipped"]
    table(
        ["id", "post", "channel", "state", "due (local)", "note"],
        (
            [s.delivery_id, Path(s.post).name, s.channel, s.state, s.to_json()["due_local"], s.note]
            for s in shown
        ),
    )
    skipped = len(result) - len(shown)
    if skipped:
        info(
            f"{skipped} (post, channel) pairs skipped: other audience or `channels: false`"
            " (see --json)"
        )


@queue_app.callback(invoke_without_command=True)
def queue_list(
    ctx: typer.Context,
    show_all: Annotated[bool, typer.Option("--all", help="Also sent and cancelled ones.")] = False,
    limit: Annotated[int, typer.Option("--limit", "-l", help="Show at most this many.")] = 100,
    as_json: JsonOpt = False,
) -> None:
    """List queued deliveries (due time in each channel's time zone)."""
    if ctx.invoked_subcommand is not None:
        return
    from ..queue import last_reason, local_text, open_deliveries
    from .ledger_cmds import delivery_json, open_ledger
    from .output import clip, info, print_json, table

    zones = _channel_zones()
    with open_ledger() as ledger:
        head = open_deliveries(ledger, include_done=show_all, limit=limit + 1)
        rows = [(d, last_reason(ledger, d)) for d in head[:limit]]
    if as_json:
        print_json(
            [
                {
                    **delivery_json(d),
                    "due_local": local_text(d.due_at, zones.get(d.channel, "UTC")),
                    "reason": why,
                }
                for d, why in rows
            ]
        )
        return
    if not rows:
        info("the queue is empty")
        return
    table(
        ["id", "due (local)", "channel", "post", "state", "tries", "why"],
        (
            [
                d.id,
                local_text(d.due_at, zones.get(d.channel, "UTC")) or "now",
                d.channel,
                clip(d.post_title or d.post_key),
                d.state,
                d.attempts,
                why,
            ]
            for d, why in rows
        ),
    )
    if len(head) > limit:
        info(f"showing the first {limit}; --limit N for more, --json for data")


def _channel_zones() -> dict[str, str]:
    try:
        config = load_config()
    except Exception:  # the queue is readable without a valid config
        return {}
    return {name: ch.timezone for name, ch in config.channels.items()}


@queue_app.command("cancel")
def queue_cancel(delivery_id: Annotated[int, typer.Argument(help="Delivery id.")]) -> None:
    """Cancel a queued delivery."""
    from ..queue import cancel
    from .ledger_cmds import open_ledger
    from .output import info

    with open_ledger() as ledger:
        d = cancel(ledger, delivery_id)
    info(f"delivery {d.id} ({d.channel}) cancelled")


@queue_app.command("retry")
def queue_retry(delivery_id: Annotated[int, typer.Argument(help="Delivery id.")]) -> None:
    """Queue a failed, unknown or cancelled delivery again, due now."""
    from ..queue import retry
    from .ledger_cmds import open_ledger
    from .output import info

    with open_ledger() as ledger:
        d = retry(ledger, delivery_id, now=_now())
    info(f"delivery {d.id} ({d.channel}) queued again; `crosspost run` sends it")


@queue_app.command("move")
def queue_move(
    delivery_id: Annotated[int, typer.Argument(help="Delivery id.")],
    at: Annotated[str, typer.Option("--at", help="The new time (as for `schedule --at`).")],
) -> None:
    """Move a queued delivery to another time."""
    from ..errors import BadInput
    from ..queue import local_text, move, parse_when
    from .ledger_cmds import open_ledger
    from .output import info

    zones = _channel_zones()
    with open_ledger() as ledger:
        zone = zones.get(ledger.get(delivery_id).channel, "UTC")
        when = parse_when(at, timezone=zone, now=_now())
        if not isinstance(when, datetime):
            raise BadInput("queue move needs a time, not next-slot")
        d = move(ledger, delivery_id, when=when)
    info(f"delivery {d.id} ({d.channel}) now due {local_text(d.due_at, zone)}")


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
) -> None:
    """Send every due delivery once, then exit (the cron entry point)."""
    import time

    while True:
        code = _run_once(sandbox.rstrip("/") if sandbox else None, as_json=as_json)
        if not loop:
            raise typer.Exit(code)
        try:
            time.sleep(every)
        except KeyboardInterrupt:
            raise typer.Exit(code) from None


def _run_once(sandbox_url: str | None, *, as_json: bool) -> int:
    from .output import print_json, warn

    now = _now()
    if not _has_work(now):  # every minute from cron: no config, no network, no pydantic
        if as_json:
            print_json([])
        return 0
    from ..queue import Runner

    result = Runner(config=load_config(), home=home(), now=now, sandbox_url=sandbox_url).run()
    for name, reason in result.paused.items():
        warn(f"channel {name} is PAUSED: {reason} Then run `crosspost channel resume {name}`.")
    for w in result.warnings:
        warn(w)
    if as_json:
        print_json([i.to_json() for i in result.items])
    elif result.items:
        from .output import clip, show_manual_tasks, table

        table(
            ["id", "channel", "post", "result", "where / why"],
            (
                [
                    i.delivery.id,
                    i.delivery.channel,
                    clip(i.delivery.post_title),
                    i.action,
                    i.delivery.remote_url or i.note or i.delivery.error or "",
                ]
                for i in result.items
            ),
        )
        show_manual_tasks(
            (i.delivery.channel, i.delivery.text, f"then: crosspost done {i.delivery.id} --url URL")
            for i in result.items
            if i.action == "manual"
        )
    return result.exit_code


def _has_work(now: datetime) -> bool:
    from ..ledger import Ledger, default_ledger_path

    path = default_ledger_path(home())
    if not path.exists():
        return False
    with Ledger.open(path) as ledger:
        return ledger.has_work(now=now)


@channel_app.command("resume")
def channel_resume(name: Annotated[str, typer.Argument(help="Channel name.")]) -> None:
    """Resume a channel paused after an authentication failure."""
    from .ledger_cmds import open_ledger
    from .output import info

    load_config().channel(name)  # NotFound for a typo
    with open_ledger() as ledger:
        ledger.set_paused(name, paused=False)
    info(f"channel {name} resumed; its queued deliveries go out at the next run")


@channel_app.command("pause")
def channel_pause(name: Annotated[str, typer.Argument(help="Channel name.")]) -> None:
    """Hold a channel's queued deliveries until `channel resume`."""
    from .ledger_cmds import open_ledger
    from .output import info

    load_config().channel(name)
    with open_ledger() as ledger:
        ledger.set_paused(name, paused=True, reason="paused by hand.")
    info(f"channel {name} paused")


@app.command()
def cron(
    every: Annotated[int, typer.Option("--every", help="Minutes between runs.")] = 1,
) -> None:
    """Print a crontab line and a systemd service + timer for `crosspost run`."""
    import shlex
    import shutil
    import sys

    from ..home import find_config

    beside = Path(sys.executable).parent / "crosspost"  # this virtualenv's script
    exe = (
        str(beside)
        if beside.exists()
        else shutil.which("crosspost") or (f"{sys.executable} -m crosspost")
    )
    config = find_config(STATE.config_path).resolve()
    state = home().resolve()
    env_file = state / "env"
    log = state / "run.log"
    command = f"{exe} --config {shlex.quote(str(config))} --home {shlex.quote(str(state))} run"
    minute = "*" if every == 1 else f"*/{every}"
    cron_line = (
        f"{minute} * * * * set -a && . {shlex.quote(str(env_file))} && set +a && "
        f"{command} >> {shlex.quote(str(log))} 2>&1"
    )
    text = f"""\
# crosspost needs its channels' secrets in the environment: put them in
# {env_file}, one NAME=value line each (EBS_X_CONSUMER_KEY=...), and `chmod 600` it.
# Both cron and systemd below read that one file.

# --- crontab -e  (every day, weekends included) ---
{cron_line}

# --- or systemd: ~/.config/systemd/user/crosspost.service ---
[Unit]
Description=crosspost: send due social posts

[Service]
Type=oneshot
EnvironmentFile={env_file}
ExecStart={command}

# --- ~/.config/systemd/user/crosspost.timer ---
[Unit]
Description=Run crosspost every {every} minute(s)

[Timer]
OnCalendar=*:0/{every}
Persistent=true

[Install]
WantedBy=timers.target

# then: systemctl --user daemon-reload && systemctl --user enable --now crosspost.timer
# Output goes to `journalctl --user -u crosspost` with systemd, to {log} with cron.
"""
    # Plain write: a terminal-width wrap would break the crontab line.
    sys.stdout.write(text)
