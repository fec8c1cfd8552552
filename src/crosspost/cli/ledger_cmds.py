"""status, done and reconcile: reading and settling the delivery ledger."""

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

from .app import app, workspace

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON on stdout instead of a table.")]


AudienceOpt = Annotated[
    str | None,
    typer.Option("--audience", "-a", help="Only channels of this audience (channels.yaml)."),
]
# `listing.DEFAULT_LIMIT`, spelled here so that `--help` loads no ledger code.
SHOWN_BY_DEFAULT = 100
LimitOpt = Annotated[
    int | None,
    typer.Option(
        "--limit", "-l", metavar="N", help=f"Show at most N [default: {SHOWN_BY_DEFAULT}]."
    ),
]
AllOpt = Annotated[bool, typer.Option("--all", help="Show every one, however many.")]


def listing_limit(limit: int | None, show_all: bool) -> int | None:
    """The limit a listing is read with: --limit N, else every one with --all, else
    the default; BadInput (exit 2) for a limit below 1."""
    from ..errors import BadInput
    from ..listing import DEFAULT_LIMIT

    if limit is not None and limit < 1:
        raise BadInput(f"--limit {limit}: show 1 or more (--all shows every one)")
    if limit is not None:
        return limit
    return None if show_all else DEFAULT_LIMIT


def say_if_more(found: Any, what: str) -> None:
    """On stderr, when a listing stopped at its limit: how many were left out."""
    from .output import info

    if found.truncated:
        which = "newest" if found.newest else "first"
        info(
            f"showing the {which} {found.shown:,} of {found.total:,} {what}; "
            "--limit N for more, --all for every one"
        )


@app.command()
def status(
    post: Annotated[Path | None, typer.Argument(help="Only this post's deliveries.")] = None,
    wide: Annotated[
        bool, typer.Option("--wide", "-w", help="Also the post, tries, where / why and links.")
    ] = False,
    audience: AudienceOpt = None,
    limit: LimitOpt = None,
    show_all: AllOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Show deliveries and their states, the newest last (times in each channel's zone)."""
    from ..views import Lens, delivery_json
    from .output import Col, info, listing_table, stream_json

    shown = listing_limit(limit, show_all)
    ws = workspace()
    lens = Lens.of_workspace(ws, need_config=audience is not None)
    with ws.status(post, audience=audience, limit=shown) as found:
        if as_json:
            stream_json(
                {**delivery_json(d), "edited": d.id in edited}
                for page, edited in _with_edits(ws, found)
                for d in page
            )
            say_if_more(found, "deliveries")
            return
        if not found.total:
            info("no deliveries yet" + (f" for {post}" if post else ""))
            return
        pages = (
            [(d, lens.local(lens.moment(d), d.channel) or "next run", d.id in edited) for d in page]
            for page, edited in _with_edits(ws, found)
        )
        if wide:
            show_blocks(pages)
        else:
            listing_table(
                [
                    Col("id", "key"),
                    Col("channel", "key"),
                    Col("state", "key"),
                    Col("when", "time"),
                    Col("post", clip=40, one_line=True),
                ],
                (
                    [d.id, d.channel, state_cell(d.state, edited=e), w, d.post_title or d.post_key]
                    for page in pages
                    for d, w, e in page
                ),
                count=found.shown,
                markup_columns={2},
            )
        say_if_more(found, "deliveries")


def _with_edits(ws: Any, found: Any) -> Iterator[tuple[list[Any], set[int]]]:
    """Each page of deliveries, with the ids of those whose post file was edited since."""
    for page in found.pages():
        yield page, ws.edited(page)


def show_blocks(pages: Iterable[list[tuple[Any, str, bool]]]) -> None:
    """`status --wide`: one block per delivery, so nothing is squeezed at 80 columns:
    a line of id, channel, state, time and tries, then the post, its file, its link
    (whole, on its own line) and what went wrong.  The first page sets the widths
    (a later, longer value pushes its line along, never cut)."""
    from rich.markup import escape
    from rich.padding import Padding
    from rich.text import Text

    from .output import out

    widths: tuple[int, int, int] | None = None
    for page in pages:
        if widths is None:
            widths = (
                max(len(str(d.id)) for d, _, _ in page),
                max(len(d.channel) for d, _, _ in page),
                max(len(d.state) for d, _, _ in page),
            )
        id_w, ch_w, st_w = widths
        for d, w, _ in page:
            state = state_cell(d.state) + " " * (st_w - len(d.state))
            tries = f"{d.attempts} {'try' if d.attempts == 1 else 'tries'}"
            out().print(
                f"[bold]{d.id:>{id_w}}[/]  {escape(d.channel):<{ch_w}}  {state}  {w}  {tries}"
            )
            indent = id_w + 2
            out().print(Padding(Text(d.post_title or d.post_key), (0, 0, 0, indent), expand=False))
            for line in (d.post_path, d.remote_url):
                if line:  # soft_wrap: a path or a link is never broken
                    out().print(" " * indent + line, soft_wrap=True, markup=False, highlight=False)
            if d.error:
                out().print(Padding(Text(d.error, style="red"), (0, 0, 0, indent), expand=False))


def state_cell(state: str, *, edited: bool = False) -> str:
    """A state in its colour (Rich markup); `edited`: its post file changed since."""
    from .sending import STATE_STYLE

    style = STATE_STYLE.get(state)
    cell = f"[{style}]{state}[/]" if style else state
    return cell + " [magenta](edited)[/]" if edited else cell


@app.command()
def done(
    delivery_id: Annotated[int, typer.Argument(help="The delivery id (see `crosspost status`).")],
    url: Annotated[str | None, typer.Option("--url", help="Where the post now lives.")] = None,
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            metavar="WHEN",
            help="When it really went out: 2026-11-29 14:30 (channel's time zone), "
            "2026-11-29, 14:30 (today) [default: now]; the report dates it so.",
        ),
    ] = None,
    part: Annotated[
        int | None,
        typer.Option(
            "--part",
            metavar="N",
            help="Only part N of a thread is out (with --url: that part's address); "
            "`crosspost queue retry ID` then sends the rest.",
        ),
    ] = None,
) -> None:
    """Mark a manual (or unknown) delivery as posted by hand."""
    from ..errors import BadInput
    from ..views import Lens
    from .output import info

    ws = workspace()
    if part is not None:
        if url is None or at is not None:
            raise BadInput("done --part N needs --url (the part's address), and takes no --at")
        d = ws.done_part(delivery_id, part=part, url=url)
        total = len(d.parts)
        if part == total:
            info(f"delivery {d.id} ({d.channel}): part {part} of {total} recorded: all sent")
        else:
            info(
                f"delivery {d.id} ({d.channel}): part {part} of {total} recorded; "
                f"`crosspost queue retry {d.id}` sends parts {part + 1}-{total}"
            )
        return
    d = ws.done(delivery_id, url=url, at=at)
    when = f" on {Lens.of_workspace(ws).local(d.sent_at, d.channel)}" if at else ""
    info(f"delivery {d.id} ({d.channel}) marked sent{when}" + (f": {url}" if url else ""))


@app.command()
def reconcile(
    ids: Annotated[
        list[int] | None, typer.Argument(help="Only these deliveries [default: every unknown one].")
    ] = None,
    channel: Annotated[
        list[str] | None, typer.Option("--channel", "-C", help="Only this channel (repeatable).")
    ] = None,
    sandbox: Annotated[
        str | None, typer.Option("--sandbox", metavar="URL", help="Ask a crosspost sandbox.")
    ] = None,
    as_json: JsonOpt = False,
) -> Any:
    """Ask the networks whether the posts whose outcome is unknown are out.

    Found: recorded as sent.  Certainly absent: back in the queue, sent by the next run.
    Otherwise still unknown, saying what was read.  Exit status 1 while any stays unknown.
    """
    from ..errors import ExitStatus
    from .output import Col, info, print_json, table

    ws = workspace()
    results = ws.reconcile(
        ids or (), channels=channel or (), sandbox_url=sandbox.rstrip("/") if sandbox else None
    )
    unsettled = any(r.delivery.state == "unknown" for r in results)
    status = ExitStatus.FAILED if unsettled else ExitStatus.OK
    if as_json:
        print_json([r.to_json() for r in results])
        return status
    if not results:
        info("no delivery is unknown: nothing to ask the networks")
        return status
    table(
        [Col("id", "key"), Col("channel", "key"), Col("now", "key"), Col("what the network said")],
        (
            [
                r.delivery.id,
                r.delivery.channel,
                r.delivery.state,
                r.note,
            ]
            for r in results
        ),
    )
    return status
