"""The monthly report as Markdown, CSV, HTML or JSON text.

The HTML is one self-contained file (inline CSS, inline SVG charts, no script,
no font or image to fetch), so it reads the same opened from an e-mail
attachment.  Markdown pastes into a wiki; the CSV is one table with a
`section` column, so a spreadsheet can filter and pivot it.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from .report import ChannelFigures, MonthFigures, Report

FORMATS = ("md", "csv", "html", "json")

# (heading, ChannelFigures attribute), in the order every format shows them.
COLUMNS = (
    ("Posted", "posted"),
    ("Sent", "sent"),
    ("By hand", "by_hand"),
    ("Relayed", "relayed"),
    ("Reposts", "reposts"),
    ("Failed", "failed"),
    ("Unknown", "unknown"),
    ("Waiting", "waiting"),
    ("Retries", "retries"),
    ("Notes", "notes"),
)
# Okabe-Ito: told apart by colour-blind readers, and printable.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
LEGEND = (
    "Posted = sent by crosspost + posted by hand. Relayed: carried by another channel. "
    "Reposts: posted directly because the relay chain was broken. Failed, Unknown and "
    "Waiting (for someone to post by hand) are as at the end of the month. Retries: attempts "
    "after the first."
)


def render(report: Report, fmt: str) -> str:
    """The report in `fmt` (one of FORMATS)."""
    renderers: dict[str, Callable[[Report], str]] = {
        "md": render_markdown,
        "csv": render_csv,
        "html": render_html,
        "json": render_json,
    }
    return renderers[fmt](report)


def render_json(report: Report) -> str:
    return json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n"


def clicks_text(value: int | None, report: Report) -> str:
    """A click count as shown: a number, or a dash where there is nothing to count."""
    if value is None:
        return "unavailable" if report.clicks.startswith("unavailable") else "—"
    return str(value)


def clicks_caption(report: Report) -> str:
    if report.clicks == "bit.ly":
        return "clicks from bit.ly: all clicks so far on the links sent in each month"
    if report.clicks.startswith("unavailable"):
        return f"clicks {report.clicks}"
    return ""


def empty_message(report: Report) -> str:
    return f"No activity in {report.month.title}: nothing was posted, failed or noted."


def _local(moment: datetime | None, report: Report) -> str:
    if moment is None:
        return ""
    return f"{moment.astimezone(ZoneInfo(report.timezone)):%Y-%m-%d %H:%M}"


def _with_clicks(report: Report) -> bool:
    return report.clicks != "not requested"


def copy_state(state: str, route: str) -> str:
    return f"{state} (repost)" if route == "repost" and state == "sent" else state


# -- Markdown --------------------------------------------------------------------------


def _md(text: object) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _md_table(headings: Sequence[str], rows: Sequence[Sequence[object]], numeric: int) -> str:
    """A pipe table; columns from `numeric` on are right-aligned."""
    align = ["---" if i < numeric else "--:" for i in range(len(headings))]
    lines = ["| " + " | ".join(headings) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(_md(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def render_markdown(report: Report) -> str:
    clicks = _with_clicks(report)
    out = [f"# Social presence: {report.month.title}", ""]
    meta = [report.timezone, f"generated {_local(report.generated_at, report)}"]
    if clicks_caption(report):
        meta.append(clicks_caption(report))
    out += ["_" + " · ".join(meta) + "_", ""]
    if report.empty:
        out += [f"> {empty_message(report)}", ""]
    else:
        out += [
            "## Channels",
            "",
            _md_table(*channel_table(report.figures, report)),
            "",
            f"_{LEGEND}_",
            "",
        ]
        if report.posts:
            rows = []
            for post in report.posts:
                title = f"[{_md(post.title)}]({post.url})" if post.url else _md(post.title)
                for i, cp in enumerate(post.copies):
                    state = copy_state(cp.state, cp.route)
                    if cp.error:
                        state += f": {cp.error}"
                    row: list[object] = [
                        title if i == 0 else "",
                        cp.channel,
                        state,
                        _local(cp.at, report),
                        f"[link]({cp.url})" if cp.url else "",
                    ]
                    if clicks:
                        row.append(clicks_text(cp.clicks, report) if cp.state == "sent" else "")
                    rows.append(row)
            headings = ["Post", "Channel", "State", "Sent", "Copy"] + (["Clicks"] if clicks else [])
            out += ["## Posts", "", _md_table(headings, rows, numeric=5), ""]
        if report.notes:
            out += ["## Notes", ""]
            out += [
                f"- {_local(n.at, report)}"
                + (f" · **{_md(n.channel)}**" if n.channel else "")
                + f" · {_md(n.text)}"
                for n in report.notes
            ]
            out.append("")
    if report.history:
        out += ["## History", "", _md_table(*history_table(report)), ""]
        out += ["Posted per channel:", "", _md_table(*history_by_channel(report)), ""]
    for w in report.warnings:
        out.append(f"> ⚠ {_md(w)}")
    return "\n".join(out).rstrip() + "\n"


def channel_table(
    figures: MonthFigures, report: Report
) -> tuple[list[str], list[list[object]], int]:
    clicks = _with_clicks(report)
    headings = ["Channel", "Network"] + [h for h, _ in COLUMNS] + (["Clicks"] if clicks else [])
    rows: list[list[object]] = []
    for c in figures.channels:
        rows.append(_figure_row([c.channel, c.network], c, clicks, report))
    total: list[object] = ["Total", ""] + [figures.total(name) for _, name in COLUMNS]
    if clicks:
        total.append(clicks_text(figures.clicks, report))
    rows.append(total)
    return headings, rows, 2


def _figure_row(
    lead: list[object], c: ChannelFigures, clicks: bool, report: Report
) -> list[object]:
    row = lead + [getattr(c, name) for _, name in COLUMNS]
    if clicks:
        row.append(clicks_text(c.clicks, report))
    return row


def history_table(report: Report) -> tuple[list[str], list[list[object]], int]:
    clicks = _with_clicks(report)
    shown = ("posted", "by_hand", "relayed", "reposts", "failed", "unknown", "retries", "notes")
    names = dict((n, h) for h, n in COLUMNS)
    headings = ["Month"] + [names[n] for n in shown] + (["Clicks"] if clicks else [])
    rows: list[list[object]] = []
    for m in report.months:
        row: list[object] = [m.month.label] + [m.total(n) for n in shown]
        if clicks:
            row.append(clicks_text(m.clicks, report))
        rows.append(row)
    return headings, rows, 1


def history_by_channel(report: Report) -> tuple[list[str], list[list[object]], int]:
    headings = ["Channel"] + [m.month.label for m in report.months]
    rows: list[list[object]] = []
    for name in report.channel_names():
        row: list[object] = [name]
        for m in report.months:
            c = m.channel(name)
            row.append(c.posted if c else 0)
        rows.append(row)
    return headings, rows, 1


# -- CSV -----------------------------------------------------------------------------------

CSV_FIELDS = (
    "section", "month", "channel", "network", *(n for _, n in COLUMNS), "clicks",
    "post_title", "post_url", "state", "at", "copy_url", "text",
)  # fmt: skip


def render_csv(report: Report) -> str:
    """One table: `channel` rows (every month shown), then `post` and `note` rows."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS, extrasaction="raise")
    writer.writeheader()
    for m in report.months:
        for c in m.channels:
            row: dict[str, object] = {
                "section": "channel",
                "month": m.month.label,
                "channel": c.channel,
                "network": c.network,
                "clicks": "" if c.clicks is None else c.clicks,
            }
            row.update({name: getattr(c, name) for _, name in COLUMNS})
            writer.writerow(row)
    month = report.month.label
    for post in report.posts:
        for cp in post.copies:
            writer.writerow(
                {
                    "section": "post",
                    "month": month,
                    "channel": cp.channel,
                    "network": cp.network,
                    "clicks": "" if cp.clicks is None else cp.clicks,
                    "post_title": post.title,
                    "post_url": post.url or "",
                    "state": copy_state(cp.state, cp.route),
                    "at": _local(cp.at, report),
                    "copy_url": cp.url or "",
                    "text": cp.error or "",
                }
            )
    for n in report.notes:
        writer.writerow(
            {
                "section": "note",
                "month": month,
                "channel": n.channel or "",
                "at": _local(n.at, report),
                "text": n.text,
            }
        )
    return buffer.getvalue()


# -- HTML ----------------------------------------------------------------------------------

_CSS = """
body{font:15px/1.45 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#1d1d1f;
margin:0;padding:24px;background:#fff}
main{max-width:980px;margin:0 auto}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;
border-bottom:1px solid #ddd;padding-bottom:4px}
.meta,.legend{color:#555;font-size:13px}
table{border-collapse:collapse;width:100%;margin:8px 0}
th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f4f4f6}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
tr.total td{font-weight:bold;background:#fafafa}
.empty{padding:12px 16px;background:#f4f4f6;border-left:4px solid #0072B2}
.warn{color:#8a4b00}.failed,.unknown{color:#b00020}.chart{margin:8px 0 16px}
a{color:#0060a0}
""".replace("\n", "")


def render_html(report: Report) -> str:
    clicks = _with_clicks(report)
    title = f"Social presence: {report.month.title}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body><main>",
        f"<h1>{escape(title)}</h1>",
    ]
    meta = [report.timezone, f"generated {_local(report.generated_at, report)}"]
    if clicks_caption(report):
        meta.append(clicks_caption(report))
    parts.append(f'<p class="meta">{escape(" · ".join(meta))}</p>')
    if report.empty:
        parts.append(f'<p class="empty">{escape(empty_message(report))}</p>')
    else:
        headings, rows, numeric = channel_table(report.figures, report)
        parts += [
            "<h2>Channels</h2>",
            _html_table(headings, rows, numeric, total_row=True),
            f'<p class="legend">{escape(LEGEND)}</p>',
        ]
    if len(report.months) > 1 or not report.empty:
        parts.append("<h2>Over the months</h2>")
        parts.append(_bar_chart(report, value=lambda c: c.posted, caption="Posts per channel"))
        if report.clicks_available:
            parts.append(_bar_chart(report, value=lambda c: c.clicks, caption="Clicks per channel"))
    if not report.empty and report.posts:
        parts += ["<h2>Posts</h2>", _posts_html(report, clicks)]
    if not report.empty and report.notes:
        parts.append("<h2>Notes</h2><table><tr><th>When</th><th>Channel</th><th>Note</th></tr>")
        parts += [
            f"<tr><td>{escape(_local(n.at, report))}</td><td>{escape(n.channel or '')}</td>"
            f"<td>{escape(n.text)}</td></tr>"
            for n in report.notes
        ]
        parts.append("</table>")
    if report.history:
        parts += [
            "<h2>History</h2>",
            _html_table(*history_table(report)),
            _html_table(*history_by_channel(report)),
        ]
    parts += [f'<p class="warn">⚠ {escape(w)}</p>' for w in report.warnings]
    parts.append("</main></body></html>")
    return "\n".join(parts) + "\n"


def _html_table(
    headings: Sequence[str],
    rows: Sequence[Sequence[object]],
    numeric: int,
    *,
    total_row: bool = False,
) -> str:
    out = ["<table><tr>"]
    out += [
        f"<th{' class=n' if i >= numeric else ''}>{escape(h)}</th>" for i, h in enumerate(headings)
    ]
    out.append("</tr>")
    for r, row in enumerate(rows):
        total = total_row and r == len(rows) - 1
        out.append('<tr class="total">' if total else "<tr>")
        out += [
            f"<td{' class=n' if i >= numeric else ''}>{escape(str(c))}</td>"
            for i, c in enumerate(row)
        ]
        out.append("</tr>")
    out.append("</table>")
    return "".join(out)


def _posts_html(report: Report, clicks: bool) -> str:
    out = ["<table><tr><th>Post</th><th>Channel</th><th>State</th><th>Sent</th><th>Copy</th>"]
    if clicks:
        out.append("<th class=n>Clicks</th>")
    out.append("</tr>")
    for post in report.posts:
        for i, cp in enumerate(post.copies):
            cell = ""
            if i == 0:
                label = escape(post.title)
                cell = f'<a href="{escape(post.url)}">{label}</a>' if post.url else label
            state = escape(copy_state(cp.state, cp.route))
            if cp.error:
                state += f"<br><small>{escape(cp.error)}</small>"
            link = f'<a href="{escape(cp.url)}">view</a>' if cp.url else ""
            out.append(
                f"<tr><td>{cell}</td><td>{escape(cp.channel)}</td>"
                f'<td class="{escape(cp.state)}">{state}</td>'
                f"<td>{escape(_local(cp.at, report))}</td><td>{link}</td>"
            )
            if clicks:
                shown = clicks_text(cp.clicks, report) if cp.state == "sent" else ""
                out.append(f"<td class=n>{escape(shown)}</td>")
            out.append("</tr>")
    out.append("</table>")
    return "".join(out)


def _bar_chart(
    report: Report, *, value: Callable[[ChannelFigures], int | None], caption: str
) -> str:
    """Grouped bars: one group per month, one bar per channel; inline SVG, no script."""
    months = report.months
    names = report.channel_names()
    width, height = 760, 260
    left, right, top, bottom = 44, 12, 30, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    values = {
        (m.month.label, n): (value(c) if (c := m.channel(n)) is not None else 0) or 0
        for m in months
        for n in names
    }
    peak = max(values.values(), default=0)
    scale_max = _nice_ceiling(peak)
    group_w = plot_w / max(1, len(months))
    bar_w = max(2.0, min(28.0, (group_w * 0.8) / max(1, len(names))))
    out = [
        f'<svg class="chart" role="img" aria-label="{escape(caption)}" '
        f'xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" style="max-width:{width}px" font-family="Helvetica,Arial,sans-serif" '
        'font-size="11">',
        f"<title>{escape(caption)}</title>",
        f'<text x="{left}" y="14" font-weight="bold">{escape(caption)}</text>',
    ]
    for i in range(5):  # horizontal grid lines and their values
        v = scale_max * i / 4
        y = top + plot_h - plot_h * i / 4
        out.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e3e3e3"/>'
        )
        out.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#555">{v:g}</text>'
        )
    for g, m in enumerate(months):
        x0 = left + g * group_w + (group_w - bar_w * len(names)) / 2
        for b, name in enumerate(names):
            v = values[(m.month.label, name)]
            h = plot_h * v / scale_max if scale_max else 0
            x, y = x0 + b * bar_w, top + plot_h - h
            colour = PALETTE[b % len(PALETTE)]
            out.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w - 1:.1f}" height="{h:.1f}" '
                f'fill="{colour}"><title>{escape(name)} {m.month.label}: {v}</title></rect>'
            )
        out.append(
            f'<text x="{left + g * group_w + group_w / 2:.1f}" y="{height - 10}" '
            f'text-anchor="middle" fill="#333">{m.month.label}</text>'
        )
    out.append("</svg>")
    legend = " ".join(
        f'<span style="white-space:nowrap"><span style="display:inline-block;width:10px;'
        f'height:10px;background:{PALETTE[i % len(PALETTE)]}"></span> {escape(n)}</span>'
        for i, n in enumerate(names)
    )
    return "".join(out) + f'<p class="legend">{legend}</p>'


def _nice_ceiling(value: int) -> float:
    """A round axis maximum at or above `value` (4 grid steps of 1, 2, 2.5 or 5 × 10^n)."""
    if value <= 0:
        return 4
    step = value / 4
    magnitude = 10 ** len(str(int(step))) / 10 if step >= 1 else 1
    for factor in (1, 2, 2.5, 5, 10):
        if magnitude * factor >= step:
            return magnitude * factor * 4
    return value
