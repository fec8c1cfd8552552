"""Showing a publish run: a live line per channel, then the result table."""

from pathlib import Path
from typing import Any

from ..states import DeliveryState, Route

S = DeliveryState
# Every state has its colour; a route `skipped` (not routed) shows like a skipped delivery.
STATE_STYLE: dict[str, str] = {
    S.SENT: "green",
    S.MANUAL: "cyan",
    S.RELAYED: "blue",
    S.SKIPPED: "dim",
    S.FAILED: "red",
    S.UNKNOWN: "bold red",
    S.PENDING: "yellow",
    S.SENDING: "yellow",
    S.CANCELLED: "dim",
}


def run_publish(
    ws: Any,
    posts: list[Any],
    channels: list[Any],
    *,
    force: bool,
    retry_unknown: bool,
    sandbox_url: str | None,
    as_json: bool,
    now: bool = False,
) -> Any:
    """Publish, show progress and results; return the exit status."""
    from .output import err, warn

    live = _LiveView() if err().is_terminal and not as_json else None

    def publish() -> Any:
        return ws.publish(
            posts,
            channels,
            force=force,
            retry_unknown=retry_unknown,
            sandbox_url=sandbox_url,
            on_progress=live.update if live else None,
            now=now,
            on_notice=warn,
        )

    if live:
        with live:
            result = publish()
    else:
        result = publish()
    show_result(result, as_json=as_json)
    return result.exit_status


def show_result(result: Any, *, as_json: bool) -> None:
    """A publish result: warnings to stderr, the outcomes as a table or JSON to stdout."""
    from .output import print_json, warn

    for w in result.warnings:
        warn(w)
    if as_json:
        print_json([o.publish_json() for o in result.outcomes])
    else:
        from .output import show_manual_tasks

        show_outcomes(result.outcomes)
        show_manual_tasks(
            (o.channel, o.text, f"then: crosspost done {o.delivery_id} --url URL")
            for o in result.manual_tasks
        )


def show_outcomes(outcomes: Any) -> None:
    """The publish result: one row per (post, channel); names and links never split."""
    from .output import Col, table

    rows = []
    for o in outcomes:
        style = STATE_STYLE.get(o.state, "")
        state = f"[{style}]{o.state}[/]" if style else str(o.state)
        if o.route == Route.REPOST and o.state == S.SENT:
            state += " [dim](repost)[/]"
        detail = o.url or ""
        if o.error:
            detail = o.error
            if o.retry_at:
                detail += f" (retry after {o.retry_local})"
        if o.note and not (o.url and o.state == S.SENT and o.sent_now):
            detail = f"{detail}\n{o.note}" if detail else o.note
        rows.append([o.channel, Path(o.post).name, state, detail])
    table(
        # The channel first: a link too long for its cell is printed under the table
        # after its row's first cell, and the channel is what tells the rows apart.
        [Col("channel", "key"), Col("post", clip=24), Col("state", "key"), Col("where / why")],
        rows,
        markup_columns={2},  # the others are escaped by the table
    )


class _LiveView:
    """One line per channel on stderr while a publish runs (terminals only)."""

    def __init__(self) -> None:
        self._rows: dict[tuple[str, str], str] = {}
        self._live: Any = None

    def __enter__(self) -> "_LiveView":
        from rich.live import Live

        from .output import err

        self._live = Live(self._render(), console=err(), transient=True, refresh_per_second=8)
        self._live.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._live.__exit__(*exc)

    def update(self, channel: str, post: str, status: str) -> None:
        self._rows[(post, channel)] = status
        if self._live is not None:
            self._live.update(self._render())

    def _render(self) -> Any:
        from rich.table import Table

        t = Table.grid(padding=(0, 2))
        for (post, channel), status in self._rows.items():
            style = STATE_STYLE.get(status, "yellow")
            t.add_row(Path(post).name, channel, f"[{style}]{status}[/]")
        return t
