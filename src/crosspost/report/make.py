"""Making a report end to end: the month asked for, its figures, clicks, the format, the file.

What `crosspost report` does, as plain functions a caller (the CLI, a
Workspace) strings together: `make_report`, then `render` (or the CLI's own
terminal tables), then `write_report` when the report goes to a file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from ..errors import BadInput
from .audience import add_audience
from .brands import brand_of
from .build import ReportLedger, build_report
from .clicks import add_clicks, clicks_token, clicks_unavailable
from .labels import report_language
from .model import HISTORY_MONTHS, Month, Report

if TYPE_CHECKING:
    from ..config import Config

# Every format, `table` being the terminal's (drawn by the CLI).
REPORT_FORMATS = ("table", "md", "csv", "html", "json")
_BY_SUFFIX = {
    ".md": "md",
    ".markdown": "md",
    ".csv": "csv",
    ".html": "html",
    ".htm": "html",
    ".json": "json",
    ".txt": "table",
}
_SUFFIX = {"md": "md", "csv": "csv", "html": "html", "json": "json", "table": "txt"}


def make_report(
    config: Config,
    ledger: ReportLedger,
    *,
    month: Month | str = "this",
    history: int = HISTORY_MONTHS,
    clicks: bool = False,
    sandbox_url: str | None = None,
    now: datetime | None = None,
    audience: str | None = None,
    lang: str | None = None,
) -> Report:
    """The monthly report for `month`, read from `ledger`, as `config` shows the channels.

    `month` is a `Month` or what `--month` takes (`2026-11`, `this`, `last`,
    read in the configured time zone at `now`); `history` months before it
    are included.  With `clicks`, each channel's clicks come from bit.ly (or
    from the `crosspost sandbox` at `sandbox_url`); a missing token or a bit.ly
    fault leaves them unavailable, with the reason in `Report.clicks` and
    `Report.warnings`, and never fails the report.  `now` (default: the
    current time) is when the report says it was generated.  With `audience`
    (a brand), the report is that brand's channels alone, those of `audience:
    all` included and marked shared; before any click is asked for.  `lang`
    (`--lang`, default `defaults.lang`, else English) is the language it is
    written in.

    Raises BadInput for a month that cannot be read, an audience channels.yaml
    does not name, or a language the report has no words for.
    """
    timezone = config.defaults.timezone
    moment = now or datetime.now(UTC)
    if not isinstance(month, Month):
        month = Month.parse(month, today=moment.astimezone(ZoneInfo(timezone)))
    language = report_language(lang, fallback=config.defaults.lang)
    brand = brand_of(config, audience) if audience is not None else None
    names = brand.channels if brand is not None else tuple(config.channels)
    report = build_report(
        ledger,
        month=month,
        timezone=timezone,
        channels={name: config.channels[name].network for name in names},
        history=history,
        now=moment,
        prices=config.x_prices,
        brand=brand,
    )
    relays = {
        name: source
        for name in names
        if (source := config.channels[name].spec.relayed_by)
        and config.channels[name].spec.relay != "broken"
    }
    without = tuple(
        name
        for name in names
        if config.channels[name].manual or not config.channels[name].spec.stats
    )
    report = replace(report, lang=language, relays=relays, without_figures=without)
    report = add_audience(report, ledger)
    if not clicks:
        return report
    try:
        token = clicks_token(config, sandbox_url=sandbox_url)
    except BadInput as exc:
        return clicks_unavailable(report, str(exc))
    shortener = config.shortener
    assert shortener is not None  # clicks_token refuses a config without one
    return add_clicks(
        report,
        ledger=ledger,
        token=token,
        api_url=(sandbox_url.rstrip("/") if sandbox_url else None) or shortener.api_url,
        timeout=shortener.timeout,
    )


def format_for(path: Path | None, fmt: str | None) -> str:
    """The format to write: `fmt` when given (checked), else from `path`'s suffix, else `table`."""
    if fmt is None:
        return _BY_SUFFIX.get(path.suffix.lower(), "table") if path is not None else "table"
    if fmt not in REPORT_FORMATS:
        raise BadInput(f"--format {fmt}: choose one of {', '.join(REPORT_FORMATS)}")
    return fmt


def split_paths(
    out: Path, fmt: str | None, audiences: Sequence[str]
) -> list[tuple[Path, str, str]]:
    """Where `--split-audience --out OUT` writes each audience's report: (path, format,
    audience).  OUT is a directory (one that exists, or written with a trailing slash):
    `report-{audience}.EXT` in it, EXT from `fmt` (default html); a name holding
    `{audience}`: that name filled in; any other name: `-AUDIENCE` before its suffix."""
    text = str(out)
    if out.is_dir() or text.endswith(("/", "\\")):
        chosen = format_for(None, fmt or "html")
        pattern = str(out / f"report-{{audience}}.{_SUFFIX[chosen]}")
    elif "{audience}" in text:
        pattern = text
        chosen = format_for(out, fmt)
    else:
        pattern = str(out.with_name(f"{out.stem}-{{audience}}{out.suffix}"))
        chosen = format_for(out, fmt)
    return [(Path(pattern.replace("{audience}", a)), chosen, a) for a in audiences]


def write_report(path: Path, text: str, fmt: str) -> None:
    """The rendered report into `path`; BadInput when the file cannot be written."""
    # A byte-order mark lets Excel open an accented CSV as UTF-8.
    encoding = "utf-8-sig" if fmt == "csv" else "utf-8"
    try:
        path.write_text(text, encoding=encoding, newline="")
    except OSError as exc:
        raise BadInput(f"cannot write the report to {path}: {exc.strerror or exc}") from None
