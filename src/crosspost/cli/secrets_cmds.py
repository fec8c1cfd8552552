"""secrets: your age key, the secrets channels.yaml references, and the team file."""

from typing import Annotated, Any

import typer

from .app import app, workspace

secrets_app = typer.Typer(
    help="Secrets: where each ${NAME} comes from, and the team's encrypted secrets.age.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(secrets_app, name="secrets")

# Where a secret goes; `crosspost auth` stores there too.
TargetOpt = Annotated[
    str | None,
    typer.Option(
        "--to",
        metavar="team|env",
        help="The team file, or HOME/env [default: team when the team has a file].",
    ),
]
StdinOpt = Annotated[
    bool,
    typer.Option("--stdin", help="Read the value as one line from a pipe (for scripts)."),
]


@secrets_app.command("init")
def init(
    name: Annotated[
        str | None,
        typer.Option("--name", help="Your name as a holder [default: your login name]."),
    ] = None,
) -> None:
    """Create your age key (HOME/identity.age.txt) and print its public key for the team."""
    from .output import info

    me = workspace().secrets().init(name=name)
    typer.echo(me.public)
    info(
        f"your public key: a holder runs `crosspost secrets add-holder {me.public} "
        f"--name {me.name}` to let you read the team file"
    )


@secrets_app.command("list")
def list_secrets(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")] = False,
) -> Any:
    """Every secret channels.yaml references or the team file holds: where from, how old."""
    from ..errors import ExitStatus
    from .output import Col, info, print_json, table, warn

    listing = workspace().secrets().listing()
    for w in listing.warnings:
        warn(w)
    if as_json:
        print_json(listing.to_json())
    else:
        table(
            [
                Col("name", "key"),
                Col("source", "time"),
                Col("changed", "time"),
                Col("by", "key"),
                "used by",
                Col("also in", "time"),
            ],
            [
                (
                    r.name,
                    r.source,
                    _changed(r.changed_at, r.days_old),
                    r.changed_by or "",
                    ", ".join(r.used_by) or "(nothing)",
                    ", ".join(r.also_in),
                )
                for r in listing.rows
            ],
        )
        held = ", ".join(f"{n} ({k})" for k, n in listing.holders.items()) or "nobody"
        there = "" if listing.team_exists else " (not created yet)"
        info(f"team file {listing.team_file}{there}, encrypted to: {held}")
    missing = [r.name for r in listing.rows if r.source == "missing" and r.used_by]
    if missing:
        warn("not set anywhere: " + ", ".join(missing) + " (`crosspost secrets set NAME`)")
        return ExitStatus.FAILED
    return None


@secrets_app.command("set")
def set_secret(
    name: Annotated[str, typer.Argument(help="The NAME channels.yaml references as ${NAME}.")],
    to: TargetOpt = None,
    stdin: StdinOpt = False,
) -> None:
    """Store a secret, typed at a prompt (never an argument, so never in shell history)."""
    from ..secrets.manage import as_target

    store = workspace().secrets()
    target = as_target(to) if to is not None else store.default_target()
    store.check_can_store(name, to=target)
    _said(store.set(name, _read_value(name, stdin=stdin), to=target))


@secrets_app.command("rotate")
def rotate(
    name: Annotated[str, typer.Argument(help="The secret to replace, where it is stored.")],
    stdin: StdinOpt = False,
) -> None:
    """Replace a secret with a new value, typed at a prompt, and record the date."""
    store = workspace().secrets()
    store.check_can_store(name, to=store.rotation_target(name))
    _said(store.rotate(name, _read_value(name, stdin=stdin)))


@secrets_app.command("add-holder")
def add_holder(
    key: Annotated[str, typer.Argument(metavar="AGE_PUBLIC_KEY", help="Their age1... key.")],
    name: Annotated[
        str | None, typer.Option("--name", help="Their name in the holders list.")
    ] = None,
) -> None:
    """Let another manager decrypt the team file: it is re-encrypted to her key too."""
    _said(workspace().secrets().add_holder(key, name=name))


@secrets_app.command("remove-holder")
def remove_holder(
    holder: Annotated[str, typer.Argument(metavar="KEY_OR_NAME", help="A holder's key or name.")],
) -> None:
    """Re-encrypt the team file without one holder, so the new file is closed to her."""
    _said(workspace().secrets().remove_holder(holder))


def _changed(when: str | None, days: int | None) -> str:
    if when is None:
        return ""
    return f"{when[:10]} ({'today' if not days else f'{days}d ago'})"


def _read_value(name: str, *, stdin: bool) -> str:
    """The value: typed twice without echo, or one line from a pipe with --stdin."""
    import sys

    from ..errors import BadInput

    if stdin:
        if sys.stdin.isatty():
            raise BadInput("--stdin reads a pipe; on a terminal, leave it out to be prompted")
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise BadInput(
            f"the value of {name} is typed at a prompt, never given as an argument; "
            "from a script, pipe it in with --stdin"
        )
    import getpass

    first = getpass.getpass(f"{name} (not shown): ")
    if getpass.getpass(f"{name} again: ") != first:
        raise BadInput("the two values differ: nothing was stored")
    return first


def _said(changed: Any) -> None:
    from .output import info, warn

    info(changed.said)
    for w in changed.warnings:
        warn(w)
