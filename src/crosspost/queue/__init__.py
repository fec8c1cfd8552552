"""The queue: posts scheduled per channel, and the cron entry point that sends
what is due, exactly once, at each channel's pace.

when.py reads times, pacing.py holds the pacing rules, schedule.py queues,
edit.py lists and edits the queue, run.py sends what is due, cron.py writes
the crontab line and systemd units.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .edit import cancel, last_reason, move, open_deliveries, retry
from .when import NEXT_SLOT, local_text, parse_when, post_time

# run.py and schedule.py need the configuration models and the send pipeline:
# loaded on first use, so that `crosspost run` with nothing due never pays for them.
_LAZY = {
    "Runner": ".run",
    "backoff": ".run",
    "Scheduled": ".schedule",
    "Scheduler": ".schedule",
    "schedule_posts": ".schedule",
}

if TYPE_CHECKING:
    from .run import Runner, backoff
    from .schedule import Scheduled, Scheduler, schedule_posts


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "NEXT_SLOT",
    "Runner",
    "Scheduled",
    "Scheduler",
    "backoff",
    "cancel",
    "last_reason",
    "local_text",
    "move",
    "open_deliveries",
    "parse_when",
    "post_time",
    "retry",
    "schedule_posts",
]
