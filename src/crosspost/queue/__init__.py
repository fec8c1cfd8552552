"""The queue: posts scheduled per channel, and the cron entry point that sends
what is due, exactly once, at each channel's pace.

when.py reads times, pacing.py holds the pacing rules, schedule.py queues,
edit.py lists and edits the queue, run.py sends what is due, cron.py writes
the crontab line and systemd units.
"""

from __future__ import annotations

from .edit import cancel, last_reason, move, open_deliveries, retry
from .run import Runner, backoff
from .schedule import Scheduled, Scheduler, schedule_posts
from .when import NEXT_SLOT, local_text, parse_when, post_time

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
