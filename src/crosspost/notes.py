"""Notes: what the community manager did outside crosspost, kept for the monthly report."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from .config import Config
from .errors import BadInput
from .ledger import Note, open_store

# A date without a time is put at noon: it stays on its day in any report
# time zone a few hours away, where midnight would slip into the day before.
DATE_ONLY_HOUR = 12


def note_time(value: str | None, *, timezone: str, now: datetime | None = None) -> datetime:
    """When a note happened: `--date` read in the report's time zone (default now)."""
    tz = ZoneInfo(timezone)
    current = now or datetime.now(tz)
    if value is None:
        return current
    text = value.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            moment = datetime.combine(date.fromisoformat(text), time(DATE_ONLY_HOUR), tz)
        else:
            moment = datetime.fromisoformat(text.replace(" ", "T", 1))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=tz)
    except ValueError:
        raise BadInput(
            f"--date {value}: not a date; write it like 2026-11-03 or 2026-11-03T14:30 "
            f"({timezone} time)"
        ) from None
    # Notes record what was done; a date in the future is a typo.
    if moment > current + timedelta(hours=12):
        raise BadInput(f"--date {value} is in the future; a note records something done")
    return moment


def add_note(
    config: Config,
    *,
    home: Path,
    text: str,
    channel: str | None = None,
    when: str | None = None,
    now: datetime | None = None,
) -> Note:
    """Record a manual action in the ledger; `channel` must be a configured channel."""
    if not text.strip():
        raise BadInput('a note needs some text, e.g. crosspost note "Replied to 12 comments"')
    if channel is not None and channel not in config.channels:
        known = ", ".join(config.channels) or "none"
        raise BadInput(
            f"no channel named {channel!r} in {config.path} (known: {known}); leave out "
            "--channel for work on a network crosspost does not post to"
        )
    at = note_time(when, timezone=config.defaults.timezone, now=now)
    with open_store(home) as ledger:
        return ledger.add_note(text=text, channel=channel, at=at)
