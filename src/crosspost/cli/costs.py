"""The estimated X API cost under a dry run or a `schedule`: a line per X channel, a total."""

from collections.abc import Sequence
from typing import Any


def show_costs(items: Sequence[tuple[str, Any]]) -> None:
    """`ebs-x · X API: about $0.21 (1 post with a link, 1 alt text)` per priced channel
    of the (channel, Cost | None) pairs, then the total when there are several."""
    from rich.markup import escape

    from ..pricing import add_costs, costs_by_channel
    from .output import out

    per_channel = costs_by_channel(items)
    for channel, cost in per_channel.items():
        out().print(f"[bold]{escape(channel)}[/] · X API: {escape(cost.describe())}")
    total = add_costs(list(per_channel.values()))
    if total is not None and len(per_channel) > 1:
        out().print(f"[bold]X API in total[/]: {escape(total.describe())}")
