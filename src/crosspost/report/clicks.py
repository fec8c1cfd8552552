"""bit.ly clicks for the report: one request per short link sent in the months shown.

Every channel sends its own UTM-tagged link, so its clicks tell which network
brought readers.  Clicks are bit.ly's count so far for each link, credited to
the month the link went out.  A bit.ly fault never fails the report: the
clicks are marked unavailable and the report says why.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Protocol

from ..bitly import Bitly
from ..errors import BadInput, ClicksUnavailable
from ..states import DeliveryState
from .model import MonthFigures, Report

if TYPE_CHECKING:
    from ..config import Config


class BitlinkSource(Protocol):
    def bitlink_ids(self) -> Mapping[str, str]: ...


def add_clicks(
    report: Report,
    *,
    ledger: BitlinkSource,
    token: str,
    api_url: str | None = None,
    timeout: float = 5.0,
) -> Report:
    """The report with each channel's clicks from bit.ly; never raises for a bit.ly fault.

    A channel-month whose links were not shortened has no clicks to count
    (None).  When bit.ly fails, the clicks stay unavailable and the report
    says why.  The token goes in a header only; no message ever holds it.
    """
    bitlinks = ledger.bitlink_ids()
    wanted = sorted(
        {
            bitlinks[link]
            for m in report.months
            for c in m.channels
            for link in c.links
            if link in bitlinks
        }
        | {
            bitlinks[cp.link]
            for p in report.posts
            for cp in p.copies
            if cp.link and cp.link in bitlinks and cp.state is DeliveryState.SENT
        }
    )
    totals: dict[str, int] = {}
    problem: str | None = None
    if wanted:
        with Bitly(token, api_url=api_url, timeout=timeout) as bitly:
            try:
                for bitlink in wanted:
                    total = bitly.clicks(bitlink)
                    if total is not None:
                        totals[bitlink] = total
            except ClicksUnavailable as exc:
                problem = str(exc)
    if problem is not None:
        return clicks_unavailable(report, problem)
    return _with_totals(report, bitlinks, totals, wanted)


def _with_totals(
    report: Report, bitlinks: Mapping[str, str], totals: Mapping[str, int], wanted: list[str]
) -> Report:
    warnings = list(report.warnings)
    missing = [b for b in wanted if b not in totals]
    if missing:
        warnings.append(
            f"bit.ly does not know {len(missing)} link(s) (e.g. {missing[0]}): "
            "their clicks are left out"
        )
    shared = _shared_links(report, bitlinks)
    if shared:
        warnings.append(
            f"{shared[0][0]} was sent by {', '.join(shared[0][1])}: without UTM tags the "
            "channels share a link, and its clicks are counted for each of them"
        )

    def count(links: Iterable[str]) -> int | None:
        ids = [bitlinks[link] for link in links if link in bitlinks]
        if not ids or any(b not in totals for b in ids):
            return None
        return sum(totals[b] for b in ids)

    def with_clicks(figures: MonthFigures) -> MonthFigures:
        channels = tuple(
            replace(c, clicks=count(c.links) if c.links else (0 if c.posted == 0 else None))
            for c in figures.channels
        )
        return replace(figures, channels=channels)

    posts = tuple(
        replace(
            p,
            copies=tuple(
                replace(
                    cp,
                    clicks=count([cp.link]) if cp.link and cp.state is DeliveryState.SENT else None,
                )
                for cp in p.copies
            ),
        )
        for p in report.posts
    )
    return replace(
        report,
        figures=with_clicks(report.figures),
        history=tuple(with_clicks(m) for m in report.history),
        posts=posts,
        clicks="bit.ly",
        warnings=tuple(warnings),
    )


def clicks_unavailable(report: Report, why: str) -> Report:
    """The report with its clicks marked unavailable, saying why."""
    return replace(
        report,
        clicks=f"unavailable: {why}",
        warnings=(*report.warnings, f"clicks unavailable: {why}"),
    )


def _shared_links(report: Report, bitlinks: Mapping[str, str]) -> list[tuple[str, list[str]]]:
    users: dict[str, set[str]] = defaultdict(set)
    for m in report.months:
        for c in m.channels:
            for link in c.links:
                if link in bitlinks:
                    users[link].add(c.channel)
    return [(link, sorted(chs)) for link, chs in users.items() if len(chs) > 1]


def clicks_token(config: Config, *, sandbox_url: str | None = None) -> str:
    """The shortener's token for reading clicks; CredentialError (BadInput) when unset."""
    from ..sending.credentials import resolve_credential

    if config.shortener is None:
        raise BadInput(
            f"{config.path} has no `shortener:` section, so no link was shortened and there "
            "are no clicks to count"
        )
    return resolve_credential(
        config.shortener.token, channel="shortener", field="token", sandbox=sandbox_url is not None
    )
