"""The sandbox's one HTML page: what each network received, drawn as its readers see it.

Each post is the network's card (`crosspost.cards`, shared with the dry run's preview),
picked by its API's `style`; a plugin API without one gets the generic card.
Self-contained (inline CSS, no script at all, a Content-Security-Policy that lets the
browser load nothing) so it works offline. Every value is autoescaped; hrefs are only
ever http(s) URLs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from crosspost.cards import Card, card_environment
from crosspost.sandbox.received import received_cards
from crosspost.sandbox.wire import Api

CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'"
)
# A plugin's accent goes into a style attribute: a colour and nothing else.
_COLOUR = re.compile(r"^#[0-9a-fA-F]{3,8}$")


@dataclass(frozen=True)
class Bitlink:
    meta: str
    url: str
    long_url: str


@dataclass(frozen=True)
class Section:
    network: str
    title: str
    counts: str
    accent: str
    state: str
    cards: tuple[Card, ...] = ()
    links: tuple[Bitlink, ...] = ()


def render(snapshot: dict[str, Any], apis: Sequence[Api], *, refresh: int = 0) -> str:
    """The whole page for one `Store.snapshot()`, a section per API in `apis`;
    `refresh` reloads it every N seconds."""
    shown = [api for api in apis if api.network in snapshot["posts"]]
    return (
        card_environment("crosspost.sandbox")
        .get_template("page.html.j2")
        .render(
            csp=CSP,
            refresh=max(refresh, 0),
            chips=[_chip(api, snapshot) for api in shown],
            sections=[_section(api, snapshot) for api in shown],
        )
    )


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _chip(api: Api, snapshot: dict[str, Any]) -> str:
    posts = snapshot["posts"][api.network]
    chip = f"{api.title or api.network}: {_plural(len(posts), api.noun)}"
    cut = sum(1 for p in posts if p.get("truncated"))
    return chip + (f" ({cut} cut short)" if cut else "")


def _section(api: Api, snapshot: dict[str, Any]) -> Section:
    network = api.network
    posts = snapshot["posts"][network]
    section = Section(
        network=network,
        title=api.title or network,
        counts=_plural(len(posts), api.noun)
        + f" · {_plural(snapshot['requests'][network], 'request')}",
        accent=api.accent if _COLOUR.match(api.accent) else "#5b6b7f",
        state=_state_line(snapshot["faults"][network], snapshot["latency"][network]),
    )
    if posts and all("long_url" in p for p in posts):  # a link shortener's links
        links = tuple(_bitlink(p, snapshot["clicks"]) for p in posts)
        return replace(section, links=links)
    return replace(section, cards=tuple(received_cards(posts, api)))


def _state_line(faults: list[dict[str, Any]], latency: float) -> str:
    notes = []
    for fault in faults:
        what = []
        if fault["status"] is not None:
            after = " after creating the post" if fault.get("created") else ""
            what.append(f"answers {fault['status']}{after}")
        if fault["delay"]:
            what.append(f"answers {fault['delay']:g} s late")
        notes.append(f"next {fault['remaining']} request(s) {' and '.join(what)}")
    if latency:
        notes.append(f"every request takes {latency:g} s more")
    return "; ".join(notes)


def _bitlink(link: dict[str, Any], clicks: dict[str, int]) -> Bitlink:
    count = clicks.get(link["id"], 0)
    times = link.get("shortened", 1)
    meta = f"{_time(link['at'])} · {_plural(count, 'click')}"
    if times > 1:
        meta += f" · shortened {times} times"
    return Bitlink(meta=meta, url=str(link["url"]), long_url=str(link["long_url"]))


def _time(iso: str) -> str:
    found = re.search(r"T(\d\d:\d\d:\d\d)", iso)
    return f"{found.group(1)} UTC" if found else iso
