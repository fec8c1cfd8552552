"""When a channel may post: slots, daily caps, minimum gaps, quiet hours, days.

Pure functions over timezone-aware datetimes.  Wall-clock rules (a 09:00 slot,
22:00-07:00 quiet hours) are read in the channel's own time zone, so they stay
at 09:00 across daylight-saving changes; the ledger stores UTC.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .errors import NonexistentTime, PacingError

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DURATION = re.compile(r"^(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m(?:in)?)?\s*(?:(\d+)s)?$")
# How far ahead we look for an allowed time before declaring the rules impossible.
SEARCH_DAYS = 370


def parse_clock(text: str) -> time:
    match = re.match(r"^([01]?\d|2[0-3]):([0-5]\d)$", text.strip())
    if not match:
        raise PacingError(f"{text!r} is not a time of day; write it like 09:00 or 18:30")
    return time(int(match.group(1)), int(match.group(2)))


def parse_duration(text: str) -> timedelta:
    match = _DURATION.match(text.strip().lower())
    if not text.strip() or not match or not any(match.groups()):
        raise PacingError(f"{text!r} is not a duration; write it like 90m, 2h or 1h30m")
    d, h, m, s = (int(g) if g else 0 for g in match.groups())
    return timedelta(days=d, hours=h, minutes=m, seconds=s)


def parse_window(text: str) -> tuple[time, time]:
    parts = text.split("-")
    if len(parts) != 2:
        raise PacingError(f"{text!r} is not a time window; write it like 22:00-07:00")
    return parse_clock(parts[0]), parse_clock(parts[1])


def parse_days(text: str) -> frozenset[int]:
    """`mon-fri`, `mon,wed,fri`, `sat-sun`, `mon-sun` → weekday numbers (Monday 0)."""
    out: set[int] = set()
    for chunk in text.lower().replace(" ", "").split(","):
        ends = chunk.split("-")
        try:
            idx = [DAY_NAMES.index(e[:3]) for e in ends if e]
        except ValueError:
            raise PacingError(
                f"{text!r}: days are written mon, tue, wed, thu, fri, sat, sun, "
                "as ranges (mon-fri) or lists (mon,wed)"
            ) from None
        if len(idx) == 1 and len(ends) == 1:
            out.add(idx[0])
        elif len(idx) == 2:
            start, end = idx
            span = (end - start) % 7
            out.update((start + i) % 7 for i in range(span + 1))
        else:
            raise PacingError(f"{text!r}: cannot read {chunk!r} as a day or a range of days")
    return frozenset(out)


@dataclass(frozen=True)
class Pacing:
    timezone: str = "UTC"
    slots: tuple[time, ...] = ()
    max_per_day: int | None = None
    min_interval: timedelta | None = None
    quiet_hours: tuple[tuple[time, time], ...] = ()
    days: frozenset[int] = field(default_factory=lambda: frozenset(range(7)))

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def describe(self) -> str:
        bits = []
        if self.slots:
            bits.append("slots " + ", ".join(t.strftime("%H:%M") for t in self.slots))
        if self.max_per_day:
            bits.append(f"≤{self.max_per_day}/day")
        if self.min_interval:
            bits.append(f"≥{_fmt_duration(self.min_interval)} apart")
        if self.quiet_hours:
            bits.append("quiet " + ", ".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in self.quiet_hours))
        if self.days != frozenset(range(7)):
            bits.append("days " + ",".join(DAY_NAMES[d] for d in sorted(self.days)))
        return "; ".join(bits) or "any time"


def _fmt_duration(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    h, m = divmod(minutes, 60)
    return f"{h}h{m:02d}" if h and m else f"{h}h" if h else f"{m}m"


# -- local wall-clock time --------------------------------------------------------


def localize(naive: datetime, tz: ZoneInfo, *, strict: bool = True) -> datetime:
    """A wall-clock time in `tz`, as an aware datetime in UTC.

    In the doubled hour (autumn) the first occurrence is taken, so a post goes
    out once.  In the spring gap: NonexistentTime when `strict`, else the first
    valid instant after the gap (what cron does with a 02:30 job).  UTC, because
    Python never finds two aware datetimes equal across zones inside a fold.
    """
    aware = naive.replace(tzinfo=tz, fold=0)
    round_trip = aware.astimezone(UTC).astimezone(tz)
    if round_trip.replace(tzinfo=None) == naive:
        return aware.astimezone(UTC)
    next_valid = _gap_end(naive, tz)
    if strict:
        raise NonexistentTime(naive.replace(tzinfo=tz), next_valid)
    return next_valid.astimezone(UTC)


def _gap_end(naive: datetime, tz: ZoneInfo) -> datetime:
    """The first wall-clock minute after a spring-forward gap that contains `naive`."""
    probe = naive
    for _ in range(24 * 60):
        probe += timedelta(minutes=1)
        aware = probe.replace(tzinfo=tz)
        if aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == probe:
            return aware
    raise AssertionError("no end to a daylight-saving gap within a day")  # pragma: no cover


# -- the rules --------------------------------------------------------------------


def violation(pacing: Pacing, when: datetime, others: Sequence[datetime]) -> str | None:
    """Why posting at `when` breaks the channel's pacing, or None if it is allowed.

    `others` are the channel's other posts (sent or queued), as aware datetimes.
    """
    local = when.astimezone(pacing.tz)
    if local.weekday() not in pacing.days:
        return f"{DAY_NAMES[local.weekday()]} is not a posting day"
    for start, end in pacing.quiet_hours:
        if _in_window(local.time(), start, end):
            return f"{local:%H:%M} is in quiet hours {start:%H:%M}-{end:%H:%M}"
    if pacing.min_interval:
        for other in others:
            if abs(other - when) < pacing.min_interval:
                return (
                    f"another post at {other.astimezone(pacing.tz):%H:%M} is less than "
                    f"{_fmt_duration(pacing.min_interval)} away"
                )
    if pacing.max_per_day:
        same_day = [o for o in others if o.astimezone(pacing.tz).date() == local.date()]
        if len(same_day) >= pacing.max_per_day:
            return f"{local:%Y-%m-%d} already has {len(same_day)} posts (max_per_day)"
    return None


def _in_window(t: time, start: time, end: time) -> bool:
    if start <= end:
        return start <= t < end
    return t >= start or t < end  # wraps past midnight


def next_allowed(
    pacing: Pacing, earliest: datetime, others: Iterable[datetime], *, slots_only: bool = False
) -> datetime:
    """The first time ≥ `earliest` at which the channel may post.

    With `slots_only` (next-slot scheduling) only the channel's slots are
    candidates; otherwise any minute is, moving forward past each rule.
    """
    others = sorted(others)
    if slots_only and pacing.slots:
        for candidate in _slot_times(pacing, earliest):
            if violation(pacing, candidate, others) is None and candidate not in others:
                return candidate
        raise PacingError(f"no free slot in the next {SEARCH_DAYS} days")
    candidate = earliest
    limit = earliest + timedelta(days=SEARCH_DAYS)
    while candidate <= limit:
        reason = violation(pacing, candidate, others)
        if reason is None:
            return candidate
        candidate = _step_past(pacing, candidate, others)
    raise PacingError(f"the pacing rules allow no time in the next {SEARCH_DAYS} days")


def _step_past(pacing: Pacing, when: datetime, others: Sequence[datetime]) -> datetime:
    """A later candidate that may satisfy the rule `when` breaks (never earlier than needed)."""
    tz = pacing.tz
    local = when.astimezone(tz)
    if local.weekday() not in pacing.days or _day_full(pacing, local.date(), others):
        return _start_of_day(local.date() + timedelta(days=1), tz)
    for start, end in pacing.quiet_hours:
        if _in_window(local.time(), start, end):
            day = local.date() if local.time() < end else local.date() + timedelta(days=1)
            return localize(datetime.combine(day, end), tz, strict=False)
    if pacing.min_interval:
        blocking = [o for o in others if abs(o - when) < pacing.min_interval]
        if blocking:
            return max(blocking) + pacing.min_interval
    return when + timedelta(minutes=1)


def _day_full(pacing: Pacing, day: date, others: Sequence[datetime]) -> bool:
    if not pacing.max_per_day:
        return False
    return sum(1 for o in others if o.astimezone(pacing.tz).date() == day) >= pacing.max_per_day


def day_around(pacing: Pacing, when: datetime) -> tuple[datetime, datetime]:
    """The channel's local day that `when` falls in: its start and the next day's, aware."""
    day = when.astimezone(pacing.tz).date()
    return _start_of_day(day, pacing.tz), _start_of_day(day + timedelta(days=1), pacing.tz)


def _start_of_day(day: date, tz: ZoneInfo) -> datetime:
    return localize(datetime.combine(day, time(0, 0)), tz, strict=False)


def _slot_times(pacing: Pacing, earliest: datetime) -> Iterable[datetime]:
    tz = pacing.tz
    day = earliest.astimezone(tz).date()
    for offset in range(SEARCH_DAYS):
        current = day + timedelta(days=offset)
        for slot in sorted(pacing.slots):
            at = localize(datetime.combine(current, slot), tz, strict=False)
            if at >= earliest:
                yield at
