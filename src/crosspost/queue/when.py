"""Reading the times a user types (`--at`, `publish_at`) and showing them in local time.

One grammar for every command: an ISO date-time (with or without offset; a
naive one is read in the channel's time zone), `HH:MM` (the next one), `now`,
or `next-slot`.  Times are stored in UTC and shown in the channel's zone.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from ..errors import BadInput, NonexistentTime
from ..pacing import localize

if TYPE_CHECKING:
    from ..post import Post

NEXT_SLOT = "next-slot"
# A time this close to now is "now", not "in the past" (the user typed it a moment ago).
PAST_GRACE = timedelta(minutes=2)


def local_text(when: datetime | None, timezone: str) -> str | None:
    if when is None:
        return None
    return when.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M %Z")


# -- reading times ----------------------------------------------------------------


def parse_when(text: str, *, timezone: str, now: datetime) -> datetime | str:
    """`--at`: an ISO date-time (with or without offset), `HH:MM` (the next one), `now`,
    or `next-slot`.  A time without an offset is read in the channel's time zone."""
    value = text.strip()
    if value.lower() in (NEXT_SLOT, "next"):
        return NEXT_SLOT
    if value.lower() == "now":
        return now
    tz = ZoneInfo(timezone)
    clock = re.fullmatch(r"(\d{1,2}):(\d{2})", value)
    try:
        if clock:
            today = now.astimezone(tz).date()
            naive = datetime(today.year, today.month, today.day, int(clock[1]), int(clock[2]))
            when = localize(naive, tz, strict=False)
            return when if when >= now - PAST_GRACE else localize(naive + timedelta(days=1), tz)
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise BadInput(
            f"cannot read the time {text!r}: write 2026-12-01 09:00 (in the channel's time "
            "zone), 2026-12-01T09:00+01:00, 09:00 (the next one), now or next-slot"
        ) from None
    except NonexistentTime as exc:
        raise BadInput(f"--at {text}: {exc}") from None
    if parsed.tzinfo is not None:
        return parsed.astimezone(UTC)
    try:
        return localize(parsed, tz)
    except NonexistentTime as exc:
        raise BadInput(f"--at {text}: {exc}") from None


def parse_past(text: str, *, timezone: str, now: datetime) -> datetime:
    """When something already happened (`done --at`): `2026-11-29 14:30` or
    `2026-11-29` (noon: the day is what counts) in the channel's zone, an ISO time
    with offset, `HH:MM` (today), or `now`."""
    value = text.strip()
    tz = ZoneInfo(timezone)
    clock = re.fullmatch(r"(\d{1,2}):(\d{2})", value)
    day = re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)
    try:
        if value.lower() == "now":
            return now
        if clock:
            today = now.astimezone(tz).date()
            naive = datetime(today.year, today.month, today.day, int(clock[1]), int(clock[2]))
        else:
            naive = datetime.fromisoformat(f"{value} 12:00" if day else value)
        if naive.tzinfo is not None:
            return naive.astimezone(UTC)
        return localize(naive, tz, strict=False)
    except ValueError:
        raise BadInput(
            f"cannot read the time {text!r}: write 2026-11-29 14:30 (in the channel's time "
            "zone), 2026-11-29, 14:30 (today) or now"
        ) from None


def post_time(post: Post, timezone: str) -> datetime | None:
    """The post's own `publish_at`, a naive one read in the channel's time zone."""
    if post.publish_at is None:
        return None
    if post.publish_at.tzinfo is not None:
        return post.publish_at.astimezone(UTC)
    try:
        return localize(post.publish_at, ZoneInfo(timezone))
    except NonexistentTime as exc:
        raise BadInput(f"{post.path}: publish_at: {exc}") from None
