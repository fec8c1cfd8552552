"""ledger info and ledger migrate: which store keeps the ledger, and moving it to PostgreSQL."""

from typing import Annotated

import typer

from .app import app, workspace

ledger_app = typer.Typer(
    help="The ledger itself: which store keeps it, and moving it to a shared PostgreSQL.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(ledger_app, name="ledger")


@ledger_app.command("info")
def info(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")] = False,
) -> None:
    """Say which store keeps the ledger (SQLite file or PostgreSQL), where, and its schema."""
    from .output import out, print_json

    found = workspace().ledger_info()
    if as_json:
        print_json(found.as_json())
        return
    server = f" (server {found.server_version})" if found.server_version else ""
    console = out()
    console.print(f"store: {found.kind}{server}", markup=False, highlight=False)
    console.print(f"location: {found.location}", markup=False, highlight=False)
    console.print(
        f"schema version: {found.schema_version} (this crosspost's latest: {found.latest_version})",
        markup=False,
        highlight=False,
    )
    console.print(f"deliveries: {found.deliveries:,}", markup=False, highlight=False)


@ledger_app.command("migrate")
def migrate(
    to: Annotated[
        str | None,
        typer.Option(
            "--to",
            metavar="URL",
            help="The empty PostgreSQL database (postgresql://...) [default: the one"
            " --ledger, CROSSPOST_LEDGER or `ledger:` names].",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Copy this home's SQLite ledger into an empty PostgreSQL database, in one transaction."""
    from .output import info as say
    from .output import table

    done = workspace().move_ledger(to)
    table(
        ["table", "rows"],
        [[name, f"{count:,}"] for name, count in done.counts.items()],
        title=f"copied {done.source} to {done.target} (schema version {done.schema_version})",
    )
    say(
        f"every count matches; {done.source} is unchanged.  Point every computer at the "
        "database: `ledger: postgresql://USER:${PASSWORD_NAME}@HOST/DATABASE` in "
        "channels.yaml (or CROSSPOST_LEDGER)"
    )
