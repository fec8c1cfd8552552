"""Reading a Mastodon account's statuses back, and finding a delivery's parts among them.

Mastodon lists a status as HTML `content`, never the text that was sent: its
formatter wraps paragraphs in `<p>`, turns line breaks into `<br />`, escapes the
text, and makes each link an `<a>` holding the whole URL in `href` and a shortened
display (an invisible scheme, 30 shown characters, an invisible rest); hashtags
and mentions become links too, and a mention of another instance's account shows
only `@user`.  `status_text` undoes exactly that, so `matching.same_text` compares
like with like.  Imported only from inside `MastodonNetwork.find`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

from crosspost.networks.base import Answer, Finding, Outgoing
from crosspost.networks.matching import match_thread, same_text

PAGE_SIZE = 40  # Mastodon's largest page of an account's statuses
MAX_PAGES = 5


@dataclass(frozen=True)
class Listing:
    """The account's statuses since a moment, newest first, as far as they were read."""

    statuses: tuple[Mapping[str, Any], ...]
    complete: bool  # the listing reached `since` or its end: it covers the whole window
    pages: int


class _ContentReader(HTMLParser):
    """Status HTML back to the text that was posted."""

    def __init__(self, mentions: Mapping[str, str]) -> None:
        super().__init__(convert_charrefs=True)
        self.mentions = mentions  # a mention's href -> its acct (user@domain)
        self.paragraphs: list[list[str]] = []
        self.out: list[str] = []
        self.link: tuple[str, str] | None = None  # (href, class) of the open <a>
        self.link_text: list[str] = []
        self.skip = 0  # depth inside an element that is not the text (a quote's "RE:")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if self.skip or "quote-inline" in found.get("class", "").split():
            self.skip += tag not in ("br",)
            return
        if tag == "p":
            self._close_paragraph()
        elif tag == "br":
            (self.link_text if self.link else self.out).append("\n")
        elif tag == "a":
            self.link, self.link_text = (found.get("href", ""), found.get("class", "")), []

    def handle_endtag(self, tag: str) -> None:
        if self.skip:
            self.skip -= 1
            return
        if tag == "p":
            self._close_paragraph()
        elif tag == "a" and self.link is not None:
            self.out.append(self._link_as_text(*self.link, "".join(self.link_text)))
            self.link = None

    def handle_data(self, data: str) -> None:
        if not self.skip:
            (self.link_text if self.link else self.out).append(data)

    def _link_as_text(self, href: str, classes: str, shown: str) -> str:
        kinds = classes.split()
        if "hashtag" in kinds:
            return shown  # "#tag", as typed (the href is the instance's lower-cased tag page)
        if "mention" in kinds:
            acct = self.mentions.get(href)
            return f"@{acct}" if acct else shown
        # A plain link: the shown part is cut to 30 characters; the href is the URL.
        return href or shown

    def _close_paragraph(self) -> None:
        if self.out:
            self.paragraphs.append(self.out)
        self.out = []

    def text(self) -> str:
        self._close_paragraph()
        return "\n\n".join("".join(p) for p in self.paragraphs)


def status_text(status: Mapping[str, Any]) -> str:
    """The text a status was posted with, read back from its HTML `content`."""
    mentions = {
        str(m.get("url")): str(m.get("acct"))
        for m in status.get("mentions") or []
        if isinstance(m, Mapping) and m.get("url") and m.get("acct")
    }
    reader = _ContentReader(mentions)
    reader.feed(str(status.get("content") or ""))
    reader.close()
    return reader.text()


def created_at(status: Mapping[str, Any]) -> datetime | None:
    """The status's `created_at` as an aware UTC datetime (Mastodon.py parses it already)."""
    value = status.get("created_at")
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def settle(outgoing: Outgoing, listing: Listing, *, account: str, since: datetime) -> Finding:
    """What `listing` says about the parts of `outgoing` not yet recorded."""
    from crosspost.networks import _http

    found = match_parts(outgoing, listing.statuses)
    ids = tuple(str(s["id"]) for s in found)
    remaining = len(outgoing.parts) - len(outgoing.sent_parts)
    if len(ids) == remaining:
        answer = Answer.FOUND
    else:
        answer = Answer.ABSENT if listing.complete else Answer.UNSURE
    noun = "status" if len(listing.statuses) == 1 else "statuses"
    checked = f"read {len(listing.statuses)} {noun} of {account} since {_http.fmt_time(since)}"
    if not listing.complete:
        checked += (
            f", stopping after {listing.pages} pages of {PAGE_SIZE}: older statuses of that "
            "time were not read"
        )
    url = None
    if found and not outgoing.sent_parts:
        url = str(found[0].get("url") or "") or None
    return Finding(
        answer=answer,
        part_ids=ids,
        url=url,
        posted_at=created_at(found[0]) if found else None,
        checked=checked,
    )


def match_parts(
    outgoing: Outgoing, statuses: Sequence[Mapping[str, Any]]
) -> list[Mapping[str, Any]]:
    """The statuses that are the parts after `outgoing.sent_parts`, in order, as far as
    found (`matching.match_thread`): each later part must reply to the part before, as
    Mastodon always says what a status replies to."""

    def fits(status: Mapping[str, Any], index: int, previous: str | None) -> bool:
        if index > 0 and (previous is None or str(status.get("in_reply_to_id")) != previous):
            return False
        return same_text(outgoing.parts[index], status_text(status))

    return match_thread(outgoing, statuses, fits)
