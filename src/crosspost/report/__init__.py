"""The monthly report on the social presence, computed from the ledger.

`make_report` builds a month's `Report` (figures per channel, posts, notes,
history, bit.ly clicks); `render` turns it into Markdown, CSV, HTML or JSON,
and `terminal_view` into the lines and tables the CLI draws.  Where things
live: the data in `model`, the replay of the ledger's events in `build`,
clicks in `clicks`, the tables every format shares in `tables`, the charts'
geometry in `chart`, the formats in `render` and `templates/`, the whole
command's steps in `make`.
"""

from __future__ import annotations

from .build import ReportLedger, build_report, replay
from .clicks import add_clicks, clicks_token, clicks_unavailable
from .make import REPORT_FORMATS, format_for, make_report, split_paths, write_report
from .model import (
    HISTORY_MONTHS,
    Cell,
    ChannelFigures,
    Column,
    Copy,
    Month,
    MonthFigures,
    NoteLine,
    PostLine,
    Report,
    Row,
    Table,
)
from .render import FORMATS, Line, render, terminal_cells, terminal_view

__all__ = [
    "FORMATS",
    "HISTORY_MONTHS",
    "REPORT_FORMATS",
    "Cell",
    "ChannelFigures",
    "Column",
    "Copy",
    "Line",
    "Month",
    "MonthFigures",
    "NoteLine",
    "PostLine",
    "Report",
    "ReportLedger",
    "Row",
    "Table",
    "add_clicks",
    "build_report",
    "clicks_token",
    "clicks_unavailable",
    "format_for",
    "make_report",
    "render",
    "replay",
    "split_paths",
    "terminal_cells",
    "terminal_view",
    "write_report",
]
