"""The calendar as one self-contained HTML page: inline CSS, no script, autoescaped."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from jinja2 import Environment

if TYPE_CHECKING:
    from .month import Calendar

# One colour per audience marker, in the legend's order; `*` (every audience) is grey.
_COLOURS = ("#1f6feb", "#d9480f", "#2f9e44", "#9c36b5", "#e8590c", "#0c8599")
_MARKS = {
    "sent": "✓ sent",
    "relayed": "↪ relayed",
    "queued": "· queued",
    "by_hand": "✋ by hand",
    "failed": "✗ failed",
    "unknown": "? unknown",
}

_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>crosspost calendar {{ cal.first }} to {{ cal.last }}</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 1.5em; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; }
th, td { border: 1px solid #ccc; vertical-align: top; padding: 4px; }
td.out { background: #f6f6f6; }
.day { font-weight: bold; }
small { font-size: 12px; } /* the zone under each entry: smaller, but still readable */
.entry { border-left: 4px solid; padding-left: 4px; margin: 3px 0; }
.entry.queued { font-style: italic; }
.entry.by_hand { background: #fff3bf; }
.entry.failed, .entry.unknown { background: #ffe3e3; }
.entry.relayed { color: #555; }
{% for marker, colour in colours.items() %}.aud-{{ loop.index }} { border-color: {{ colour }}; }
{% endfor %}
</style></head><body>
<h1>crosspost calendar: {{ cal.first }} to {{ cal.last }}{% if cal.audience %}
 ({{ cal.audience }}){% endif %}</h1>
<p class="legend">{% for marker, name in cal.markers %}<span class="entry aud-{{ loop.index }}">
{{ marker }} = {{ name }}</span> {% endfor %} · {{ marks.values()|join(" · ") }}</p>
<table><thead><tr>{% for name in weekdays %}<th>{{ name }}</th>{% endfor %}</tr></thead>
<tbody>{% for week in weeks %}<tr>{% for day in week %}{% if day %}
<td data-date="{{ day.day.isoformat() }}"><div class="day">{{ day.day.day }}</div>
{% for e in day.entries %}<div class="entry {{ e.kind }} aud-{{ index[e.marker] }}"
 data-channel="{{ e.delivery.channel }}" data-kind="{{ e.kind }}">
{{ e.clock }} {{ e.marker }} {{ e.delivery.channel }} {{ marks[e.kind] }}<br>
<span class="title">{{ e.delivery.post_title or e.delivery.post_key }}</span>
<small>{{ e.zone }}</small></div>{% endfor %}</td>{% else %}<td class="out"></td>{% endif %}
{% endfor %}</tr>{% endfor %}</tbody></table>
</body></html>
"""


def render_calendar_html(cal: Calendar) -> str:
    """The page: a Monday-to-Sunday grid, each entry coloured by its audience."""
    env = Environment(autoescape=True, keep_trailing_newline=True)
    index = {marker: i for i, (marker, _) in enumerate(cal.markers, 1)}
    colours = {
        marker: "#868e96" if marker == "*" else _COLOURS[(i - 1) % len(_COLOURS)]
        for marker, i in index.items()
    }
    return env.from_string(_TEMPLATE).render(
        cal=cal,
        weeks=_weeks(cal),
        weekdays=("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
        colours=colours,
        index=index,
        marks=_MARKS,
    )


def _weeks(cal: Calendar) -> list[list[object]]:
    """The days in rows of seven, Monday first; None for a day outside the range."""
    by_date = {d.day: d for d in cal.days}
    start = cal.first - timedelta(days=cal.first.weekday())
    weeks: list[list[object]] = []
    day = start
    while day <= cal.last:
        weeks.append([by_date.get(day + timedelta(days=n)) for n in range(7)])
        day += timedelta(days=7)
    return weeks
