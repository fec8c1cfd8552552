"""The handbook as Markdown or HTML, worded in its language.

The wording is done here, in Python (`_Words`), into plain strings and small
tables; the templates only lay them out.  As in the monthly report, each format
has its own Jinja environment: the HTML one autoescapes everything, so a
`<script>` in a channel's instructions or a post's title is text; the Markdown
one sends every value through `md` (one line, pipes and `<`, `>` escaped).  The
HTML is one self-contained file: inline CSS, no script, nothing to fetch.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, Literal
from zoneinfo import ZoneInfo

from jinja2 import Environment
from markupsafe import Markup, escape

from ..languages import MONTHS
from ..report import Copy
from ..report.render import md_escape, template_environment
from ..states import DeliveryState, Route
from .labels import CATALOGUES, DAYS, WEEK
from .model import ChainBranch, ChannelSheet, Handbook, PacingSheet

FORMATS = ("md", "html")
_FIGURES = (
    "posted", "sent", "by_hand", "relayed", "reposts", "failed", "unknown", "waiting", "notes",
)  # fmt: skip
_PLAIN_NAME = re.compile(r"^[\w.-]+$")
# The characters that would end a Markdown link or a table cell, or open raw HTML.
_MD_URL = str.maketrans({" ": "%20", "(": "%28", ")": "%29", "<": "%3C", ">": "%3E", "|": "%7C"})


@dataclass(frozen=True)
class Cell:
    text: str
    link: str | None = None  # only ever an http(s) address (see `_web`)


@dataclass(frozen=True)
class Grid:
    """A table as the templates draw it: headings, then rows of cells."""

    headings: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    total: bool = False  # the last row is a total


def render_handbook(handbook: Handbook, fmt: str) -> str:
    """The handbook in `fmt` (`md` or `html`)."""
    if fmt not in FORMATS:
        raise ValueError(f"no handbook in format {fmt!r} (one of {', '.join(FORMATS)})")
    words = _Words(handbook)
    kind: Literal["md", "html"] = "html" if fmt == "html" else "md"
    text = _environment(kind).get_template(f"handbook.{fmt}.j2").render(words.context())
    return text.rstrip() + "\n"


class _Words:
    """Everything the handbook says, in its language, from the gathered data."""

    def __init__(self, handbook: Handbook) -> None:
        self.hb = handbook
        self.lang = handbook.lang
        self.words = CATALOGUES[handbook.lang]
        self.zone = ZoneInfo(handbook.timezone)

    def t(self, key: str, **fields: object) -> str:
        return self.words[key].format(**fields)

    def context(self) -> dict[str, Any]:
        hb, t = self.hb, self.t
        secrets = hb.secrets
        return {
            "hb": hb,
            "t": t,
            "generated": t(
                "generated",
                when=self.when(hb.generated_at),
                zone=hb.timezone,
                config=hb.config_path,
                home=hb.home,
            ),
            "last_run": t("last_run", when=self.when(hb.last_run)) if hb.last_run else t("no_run"),
            "channels": self.channel_grid(),
            "chain": [self.branch(b) for b in hb.chain],
            "manual": self.manual_grid(),
            "secret_grid": self.secret_grid(),
            "secret_notes": self.secret_notes(),
            "figures_title": t("figures", month=self.month_title()) if hb.report else None,
            "figures": self.figures_grid(),
            "posts": self.posts_grid(),
            "no_activity": t("no_activity", month=self.month_title())
            if hb.report and hb.report.empty
            else None,
            "week": [(cmd.format(audience=self.audience()), t(key)) for cmd, key in WEEK],
            "sep": t("sep"),
            "problem": secrets.problem,
        }

    # -- times --------------------------------------------------------------------------

    def when(self, moment: datetime | None) -> str:
        if moment is None:
            return self.t("none")
        local = moment.astimezone(self.zone)
        return self.t(
            "datetime",
            day=local.day,
            month=MONTHS[self.lang][local.month - 1],
            year=local.year,
            time=f"{local:%H:%M}",
        )

    def date(self, iso: str | None) -> str:
        if not iso:
            return self.t("not_recorded")
        try:
            moment = datetime.fromisoformat(iso)
        except ValueError:
            return iso
        if moment.tzinfo is not None:
            moment = moment.astimezone(self.zone)
        return self.t(
            "date", day=moment.day, month=MONTHS[self.lang][moment.month - 1], year=moment.year
        )

    def month_title(self) -> str:
        assert self.hb.report is not None
        month = self.hb.report.month
        return f"{MONTHS[self.lang][month.month - 1]} {month.year}"

    # -- channels and the chain ---------------------------------------------------------

    def channel_grid(self) -> Grid:
        t = self.t
        headings = ("channel", "network", "account", "audience", "lang", "pacing", "relay")
        rows = tuple(
            (
                Cell(ch.name),
                Cell(ch.network),
                Cell(self.account(ch)),
                Cell(self.audience_of(ch.audience)),
                Cell(", ".join(ch.langs) or t("any_lang")),
                Cell(self.pacing(ch.pacing)),
                Cell(self.relay(ch.link, ch.relayed_by)),
                Cell(self.state(ch)),
            )
            for ch in self.hb.channels
        )
        return Grid(tuple(t(f"col_{h}") for h in (*headings, "state")), rows)

    def account(self, ch: ChannelSheet) -> str:
        acc = ch.account
        if acc is None and ch.manual:
            return self.t("no_sign_in")  # no API: the person posting signs in there
        if acc is None:
            return self.t("not_signed_in")
        date = self.date(acc.recorded_at.isoformat())
        if acc.recorded_by:
            return self.t("account_by", account=acc.name, date=date, by=acc.recorded_by)
        return self.t("account", account=acc.name, date=date)

    def audience_of(self, audience: tuple[str, ...]) -> str:
        return ", ".join(audience) if audience and "all" not in audience else self.t("every_post")

    def pacing(self, p: PacingSheet) -> str:
        t = self.t
        bits = []
        if p.slots:
            bits.append(t("slots", times=", ".join(p.slots)))
        if p.max_per_day:
            bits.append(t("max_per_day", n=p.max_per_day))
        if p.min_interval_minutes:
            hours, minutes = divmod(p.min_interval_minutes, 60)
            gap = f"{hours}h{minutes:02d}" if hours and minutes else f"{hours}h" if hours else ""
            bits.append(t("min_interval", gap=gap or f"{minutes} min"))
        if p.quiet_hours:
            bits.append(t("quiet", windows=", ".join(p.quiet_hours)))
        if len(p.days) < 7:
            bits.append(t("days", days=", ".join(DAYS[self.lang][d] for d in p.days)))
        return "; ".join(bits) or t("any_time")

    def relay(self, link: str, source: str | None) -> str:
        return self.t(link, source=source or "")

    def state(self, ch: ChannelSheet) -> str:
        bits = [self.t("active" if ch.enabled else "disabled")]
        if ch.paused is not None:
            bits = [self.t("paused_why", why=ch.paused) if ch.paused else self.t("paused")]
        if ch.manual:
            bits.append(self.t("by_hand"))
        return ", ".join(bits)

    def branch(self, b: ChainBranch) -> dict[str, Any]:
        """One node of the tree: its line's parts, and its children's."""
        how = self.relay(b.link, b.relayed_by)
        if b.manual:
            how += ", " + self.t("by_hand")
        if not b.enabled:
            how += ", " + self.t("disabled")
        return {
            "name": b.channel,
            "detail": f"({b.network}) · {how} · "
            + self.t("audience", audience=self.audience_of(b.audience)),
            "children": [self.branch(c) for c in b.children],
        }

    # -- by hand, secrets -----------------------------------------------------------------

    def manual_grid(self) -> Grid | None:
        if not self.hb.manual:
            return None
        none = self.t("none")
        rows = tuple(
            (
                Cell(m.channel),
                Cell(m.site or none),
                Cell(m.url or none, link=_web(m.url)),
                Cell(m.instructions or none),
                Cell(self.audience_of(m.audience)),
            )
            for m in self.hb.manual
        )
        keys = ("channel", "site", "url", "instructions", "audience")
        return Grid(tuple(self.t(f"col_{k}") for k in keys), rows)

    def secret_grid(self) -> Grid | None:
        rows = self.hb.secrets.rows
        if not rows:
            return None
        t = self.t
        sources = {
            "environment": "src_environment",
            "HOME/env": "src_env_file",
            "team file": "src_team",
            "missing": "src_missing",
        }
        grid_rows = tuple(
            (
                Cell(r.name),
                Cell(t(sources.get(r.source, "src_unreadable"))),
                Cell(self.date(r.changed_at)),
                Cell(r.changed_by or t("none")),
                Cell("; ".join(r.used_by) or t("unused")),
            )
            for r in rows
        )
        keys = ("name", "where", "changed", "by", "used_by")
        return Grid(tuple(t(f"col_{k}") for k in keys), grid_rows)

    def secret_notes(self) -> list[str]:
        s, t = self.hb.secrets, self.t
        notes = [t("team_file" if s.team_exists else "team_missing", path=s.team_file)]
        names = ", ".join(f"{h.name} ({h.key})" for h in s.holders)
        notes.append(t("holders", names=names) if names else t("no_holders"))
        notes.append(t("env_file", path=s.env_file))
        notes.append(t("identity", path=s.identity_file) if s.has_identity else t("no_identity"))
        return notes

    # -- last month -------------------------------------------------------------------------

    def figures_grid(self) -> Grid | None:
        report = self.hb.report
        if report is None or report.empty:
            return None
        figures = report.figures
        rows = [
            (Cell(c.channel), Cell(c.network), *(Cell(str(getattr(c, f))) for f in _FIGURES))
            for c in figures.channels
        ]
        rows.append(
            (Cell(self.t("total")), Cell(""), *(Cell(str(figures.total(f))) for f in _FIGURES))
        )
        keys = ("channel", "network", *_FIGURES)
        return Grid(tuple(self.t(f"col_{k}") for k in keys), tuple(rows), total=True)

    def posts_grid(self) -> Grid | None:
        report = self.hb.report
        if report is None or report.empty or not report.posts:
            return None
        rows = tuple(
            (
                Cell(p.title, link=_web(p.url)),
                Cell(", ".join(self.copy(c) for c in p.copies)),
            )
            for p in report.posts
        )
        return Grid((self.t("col_post"), self.t("col_copies")), rows)

    def copy(self, c: Copy) -> str:
        """`x: sent`: where a copy went and how it stood at the end of the month."""
        if c.state is DeliveryState.SENT and c.route is Route.REPOST:
            state = self.t("state_repost")
        else:
            key = f"state_{c.state}"
            state = self.t(key) if key in self.words else str(c.state)
        return f"{c.channel}{self.t('sep')}{state}"

    def audience(self) -> str:
        """The week's `queue --audience` example: a real audience when it reads plainly."""
        first = next(iter(self.hb.audiences), "")
        return first if _PLAIN_NAME.match(first) else "A"


def _web(url: str | None) -> str | None:
    """`url` when it is a web address: anything else (`javascript:`) is shown, never linked."""
    if url and url.lower().startswith(("http://", "https://")):
        return url
    return None


# -- the two environments -----------------------------------------------------------------


@cache
def _environment(kind: Literal["md", "html"]) -> Environment:
    env = template_environment("crosspost.handbook", kind)
    env.filters["md_cell"] = md_cell
    env.filters["fence"] = fence
    env.filters["code_spans"] = code_spans
    return env


def md_cell(cell: Cell) -> str:
    """A cell in a Markdown table: escaped, its link (percent-encoded) around it."""
    text = md_escape(cell.text)
    if cell.link is None:
        return text
    return f"[{text}]({_md_url(cell.link)})"


def _md_url(url: str) -> str:
    return url.translate(_MD_URL)


def fence(text: str) -> str:
    """A fenced code block around `text`, its fence longer than any run of backticks in
    it: a path holding ``` cannot close the block early."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    bar = "`" * max(3, longest + 1)
    return f"{bar}\n{text}\n{bar}"


def code_spans(text: str) -> Markup:
    """HTML prose: escaped first, then the catalogue's `command` spans as <code>."""
    return Markup(re.sub(r"`([^`]+)`", r"<code>\1</code>", str(escape(text))))
