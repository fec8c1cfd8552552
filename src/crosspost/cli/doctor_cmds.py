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
    from ..doctor import Status
    from ..errors import ExitStatus
    from .output import info, print_json

    diagnosis = (
        workspace()
        .doctor()
        .diagnose(channels or [], sandbox_url=sandbox.rstrip("/") if sandbox else None)
    )
    if as_json:
        print_json(diagnosis.to_json())
    else:
        _show(diagnosis.findings)
        counts = ", ".join(f"{diagnosis.count(s)} {s}" for s in Status)
        info(counts + ("; something will fail" if diagnosis.failed else ""))
    return ExitStatus.FAILED if diagnosis.failed else None


def _show(findings: Any) -> None:
    """Findings grouped by what they are about, a line each: status, check, then the
    detail and its fix wrapped under it.  Read at 80 columns and in cron's log, where a
    five-column table would fold every word."""
    import textwrap

    from rich.markup import escape

    from ..secrets import scrub
    from .output import out

    console = out()
    width = max(console.width, 60)
    subject = None
    for f in findings:
        if f.subject != subject:
            subject = f.subject
            console.print(f"[bold]{escape(subject)}[/]", highlight=False)
        status = str(f.status)
        head = f"  {_SHOWN[status]}{' ' * (9 - len(status))} {escape(f.what)}"
        console.print(head, highlight=False)
        lines = [scrub(f.detail)] + ([f"→ {scrub(f.fix)}"] if f.fix else [])
        for line in lines:
            # Words (ids, URLs, commands) are never cut: a long one overflows its line.
            for piece in textwrap.wrap(
                line, width - 6, break_long_words=False, break_on_hyphens=False
            ) or [""]:
                console.print(f"      {escape(piece)}", highlight=False, soft_wrap=True)
