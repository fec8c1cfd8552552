"""Reading a LinkedIn author's posts back (for `find`): which listed element is a
published post of a text, and where the author finder's next page starts."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from crosspost.networks.little import unescape_little
from crosspost.networks.matching import same_text


def is_sent(element: dict[str, Any], text: str) -> bool:
    """Whether `element` (from the author finder) is a published post of `text`."""
    commentary = element.get("commentary")
    if not isinstance(commentary, str) or not element.get("id"):
        return False
    if element.get("lifecycleState", "PUBLISHED") != "PUBLISHED":
        return False  # a draft is not on the feed
    return same_text(text, unescape_little(commentary))


def next_start(paging: Any, *, default: int) -> int | None:
    """The `start` of the `next` link in a Rest.li `paging` (`default` when its href
    names none), or None when there is no such link."""
    links = paging.get("links") if isinstance(paging, dict) else None
    for link in links if isinstance(links, list) else []:
        if isinstance(link, dict) and link.get("rel") == "next":
            start = parse_qs(urlsplit(str(link.get("href", ""))).query).get("start", [""])[0]
            return int(start) if start.isdigit() else default
    return None
