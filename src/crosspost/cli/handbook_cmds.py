"""handbook: the hand-over document, from channels.yaml, the ledger and the secret store."""

from pathlib import Path
from typing import Annotated

import typer

from .app import app, workspace

# Without --format, the extension of --out decides (as for `report`); else Markdown.
_BY_SUFFIX = {".html": "html", ".htm": "html"}


@app.command()
def handbook(
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            metavar="md|html",
            help="Output format [default: from --out's extension, else md].",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", metavar="FILE", help="Write the handbook to FILE."),
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option("--lang", metavar="en|fr", help="Language [default: defaults.lang, else en]."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite FILE if it exists.")] = False,
) -> None:
    """The hand-over document: channels, chain, cron, where secrets live, last month."""
    from ..errors import BadInput
    from ..handbook import FORMATS, render_handbook
    from .output import info

    chosen = fmt or (_BY_SUFFIX.get(out.suffix.lower(), "md") if out is not None else "md")
    if chosen not in FORMATS:
        raise BadInput(f"--format {chosen}: choose one of {', '.join(FORMATS)}")
    # A handbook is often annotated by hand once written: never lose that silently.
    if out is not None and out.exists() and not force:
        raise BadInput(f"{out} exists already: --force replaces it, or choose another --out")
    text = render_handbook(workspace().handbook(lang=lang), chosen)
    if out is None:
        typer.echo(text, nl=False)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise BadInput(f"cannot write the handbook to {out}: {exc.strerror or exc}") from None
    info(f"handbook written to {out}")
