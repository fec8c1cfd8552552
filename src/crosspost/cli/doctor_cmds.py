"""doctor: every channel's credentials checked live, and the machine crosspost runs on."""

from typing import Annotated, Any

import typer

from .app import app, workspace

# How each status reads in the table: "could not check" must never look like "broken".
_SHOWN = {
    "ok": "[green]ok[/]",
    "warn": "[yellow]warn[/]",
    "fail": "[bold red]FAIL[/]",
    "unchecked": "[cyan]unchecked[/]",
}


@app.command()
def doctor(
    channels: Annotated[
        list[str] | None, typer.Argument(metavar="[CHANNEL]...", help="Only these channels.")
    ] = None,
    sandbox: Annotated[
        str | None, typer.Option("--sandbox", metavar="URL", help="Check against a sandbox.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")] = False,
) -> Any:
    """Check every channel live (credentials, account, expiry, scopes) and the machine."""
    from rich.markup import escape

    from ..doctor import Status
    from ..errors import ExitStatus
    from ..secrets import scrub
    from .output import Col, info, print_json, table

    diagnosis = (
        workspace()
        .doctor()
        .diagnose(channels or [], sandbox_url=sandbox.rstrip("/") if sandbox else None)
    )
    if as_json:
        print_json(diagnosis.to_json())
    else:
        table(
            [Col("where", "key"), Col("check", "key"), Col("status", "key"), Col("detail")],
            (
                [
                    f.subject,
                    f.what,
                    _SHOWN[str(f.status)],
                    escape(scrub(f.detail + (f"\n→ {f.fix}" if f.fix else ""))),
                ]
                for f in diagnosis.findings
            ),
            markup_columns={2, 3},
        )
        counts = ", ".join(f"{diagnosis.count(s)} {s}" for s in Status)
        info(counts + ("; something will fail" if diagnosis.failed else ""))
    return ExitStatus.FAILED if diagnosis.failed else None
