"""Feed intake: new articles from the blog's RSS or Atom feed become posts.

`pull_feeds` reads each configured feed (over HTTP with a conditional GET, or
from a file), turns every entry it has not seen into a `Post`, and acts on it:
publish, schedule (through the queue) or list it for review.  The ledger
remembers every entry it was offered, so an entry is taken once however the
feed reorders or edits it.

Rules that keep a feed from flooding the networks:
- The first pull of a feed (or of a feed whose address changed) only
  remembers what is there: the backlog is never posted.  `--populate` does
  the same on purpose.
- An entry is known by its id, falling back to its link when the feed has no
  ids or gives the same id to different articles; its link is the post key,
  so an article already in the ledger (from a post file, or another feed) is
  never taken again.
- ETag and Last-Modified are stored in the same transaction as the entries of
  that answer, and only when the pull succeeded: a later 304 can never hide an
  entry that was not recorded.

Images in feeds are URLs: they go to the post's `image` for templates, and the
networks show the article's own preview image (og:image) in their link cards;
nothing is downloaded.

feedparser and requests are imported inside the functions that use them, so
`crosspost --help` does not pay for them.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from . import __version__
from .config import Config, Feed
from .errors import BadInput, CrosspostError, NotFound
from .ledger import EntryMark, FeedState, Ledger, SeenEntry, default_ledger_path
from .post import Post

FALLBACK_PROJECT_URL = "https://pypi.org/project/crosspost/"
ACCEPT = (
    "application/atom+xml, application/rss+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"
)
MAX_FEED_BYTES = 20 * 1024 * 1024  # a feed this big is a misconfigured URL, not a blog
SUMMARY_MAX = 300  # characters of plain text kept as the post's summary
# WordPress's default category would become a #Uncategorized hashtag.
IGNORED_TAGS = frozenset({"uncategorized", "uncategorised", "non classé", "sin categoría"})
# Yoast SEO's "The post X appeared first on Y" line, which it adds to every
# feed item, in the languages our schools write in.
_APPEARED_FIRST = re.compile(
    r"^(The post|L[’']article|Der Beitrag|El artículo|Il post) .+ "
    r"(appeared first on|est apparu en premier sur|erschien zuerst auf|"
    r"se publicó primero en|apparso prima su) .+$",
    re.MULTILINE,
)
_READ_MORE = re.compile(r"\s*\[(?:…|\.\.\.|&hellip;)\]\s*$")
# feedparser flags these, yet reads the document correctly.
_BENIGN_BOZO = ("CharacterEncodingOverride", "NonXMLContentType")

# Entries whose history means they are done with: never offered again unless named.
TAKEN = frozenset({"published", "scheduled", "known"})


class FeedUnavailable(CrosspostError):
    """A feed could not be read: unreachable, not a feed, or malformed."""


# -- results ---------------------------------------------------------------------------


@dataclass(frozen=True)
class EntryResult:
    """What one pull did with one entry."""

    feed: str
    key: str | None
    title: str
    link: str | None
    action: str  # populated, review, published, scheduled, known or skipped
    note: str | None = None
    published: datetime | None = None
    image: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "feed": self.feed,
            "entry": self.key,
            "title": self.title,
            "link": self.link,
            "action": self.action,
            "note": self.note,
            "published": self.published.isoformat() if self.published else None,
            "image": self.image,
        }


@dataclass(frozen=True)
class FeedPull:
    """One feed's pull: its answer, its entries, and what publishing them gave."""

    feed: str
    url: str
    status: str  # ok, not-modified or error
    error: str | None = None
    bad_input: bool = False  # the error is the user's to fix (config, credentials)
    populated: bool = False  # backlog remembered, nothing posted
    first_pull: bool = False  # populated because the feed was never read at this address
    entries: tuple[EntryResult, ...] = ()
    outcomes: tuple[Any, ...] = ()  # publish.Outcome of published entries
    warnings: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "feed": self.feed,
            "url": self.url,
            "status": self.status,
            "error": self.error,
            "populated": self.populated,
            "first_pull": self.first_pull,
            "entries": [e.to_json() for e in self.entries],
            "deliveries": [o.to_json() for o in self.outcomes],
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class PullResult:
    feeds: tuple[FeedPull, ...]

    @property
    def exit_code(self) -> int:
        """2 when a feed needs the user to fix its setup, 1 for any other failure, else 0."""
        if any(f.bad_input for f in self.feeds):
            return 2
        failed = any(f.status == "error" for f in self.feeds) or any(
            o.failed for f in self.feeds for o in f.outcomes
        )
        return 1 if failed else 0


@dataclass(frozen=True)
class PendingEntry:
    """An entry listed for review and not yet posted anywhere."""

    key: str
    title: str | None
    link: str | None
    first_seen: datetime


@dataclass(frozen=True)
class FeedSummary:
    """A configured feed, for `crosspost feed list`."""

    name: str
    url: str
    action: str  # publish, review, or "schedule (AT)"
    state: FeedState | None
    seen: int
    taken: int
    pending: tuple[PendingEntry, ...] = ()

    def to_json(self) -> dict[str, Any]:
        s = self.state
        return {
            "feed": self.name,
            "url": self.url,
            "action": self.action,
            "last_pull": s.last_pull.isoformat() if s else None,
            "last_ok": s.last_ok.isoformat() if s and s.last_ok else None,
            "status": s.status if s else None,
            "error": s.error if s else None,
            "seen": self.seen,
            "taken": self.taken,
            "pending": [
                {
                    "entry": p.key,
                    "title": p.title,
                    "link": p.link,
                    "first_seen": p.first_seen.isoformat(),
                }
                for p in self.pending
            ],
        }


# -- reading a feed ------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """A feed document as fetched: its bytes, or a 304."""

    location: str
    not_modified: bool = False
    content: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    url: str | None = None  # final http(s) address after redirects, for relative links
    etag: str | None = None
    modified: str | None = None


@dataclass(frozen=True)
class FeedItem:
    """One entry as read from a feed: a post, or why it cannot be one."""

    key: str | None
    link: str | None
    title: str
    post: Post | None = None
    problem: str | None = None
    published: datetime | None = None


@dataclass(frozen=True)
class ParsedFeed:
    items: tuple[FeedItem, ...]
    warnings: tuple[str, ...] = ()


@cache
def user_agent() -> str:
    """`crosspost/VERSION (+project URL)`: feed hosts can tell who reads them."""
    url = FALLBACK_PROJECT_URL
    try:
        from importlib.metadata import metadata

        meta = metadata("crosspost")
        urls = meta.get_all("Project-URL") or []
        home = next((u.split(",", 1)[1].strip() for u in urls if "," in u), None)
        url = home or meta["Home-page"] or url
    except Exception:  # metadata is a nicety here, never a reason to fail a pull
        pass
    return f"crosspost/{__version__} (+{url})"


def feed_location(feed: Feed, base_dir: Path) -> str:
    """The feed's http(s) address, or its file as an absolute path."""
    if re.match(r"^https?://", feed.url, re.IGNORECASE):
        return feed.url
    if feed.url.lower().startswith("file://"):
        from urllib.request import url2pathname

        return str(Path(url2pathname(urlsplit(feed.url).path)))
    return str((base_dir / Path(feed.url).expanduser()).resolve())


def fetch_feed(
    feed: Feed, *, location: str, etag: str | None = None, modified: str | None = None
) -> Answer:
    """Read the feed document; raises FeedUnavailable with one clear line."""
    if not re.match(r"^https?://", location, re.IGNORECASE):
        return _read_file(location)
    import requests

    headers = {"User-Agent": user_agent(), "Accept": ACCEPT}
    if etag:
        headers["If-None-Match"] = etag
    if modified:
        headers["If-Modified-Since"] = modified
    deadline = time.monotonic() + feed.timeout
    try:
        with requests.get(
            location, headers=headers, timeout=feed.timeout, stream=True, allow_redirects=True
        ) as response:
            if response.status_code == 304:
                return Answer(
                    location=location,
                    not_modified=True,
                    etag=response.headers.get("ETag"),
                    modified=response.headers.get("Last-Modified"),
                )
            if response.status_code >= 400:
                reason = f" {response.reason}" if response.reason else ""
                raise FeedUnavailable(f"{location} answered HTTP {response.status_code}{reason}")
            content = _read_body(
                response, location=location, deadline=deadline, timeout=feed.timeout
            )
            return Answer(
                location=location,
                content=content,
                headers={k.lower(): v for k, v in response.headers.items()},
                url=response.url,
                etag=response.headers.get("ETag"),
                modified=response.headers.get("Last-Modified"),
            )
    except requests.Timeout:
        raise FeedUnavailable(f"{location} did not answer within {feed.timeout:g} s") from None
    except requests.ConnectionError as exc:
        raise FeedUnavailable(f"cannot reach {location}: {_connection_reason(exc)}") from None
    except requests.RequestException as exc:
        raise FeedUnavailable(f"cannot read {location}: {type(exc).__name__}") from None


def _read_body(response: Any, *, location: str, deadline: float, timeout: float) -> bytes:
    # requests' timeout bounds each socket read, not the whole body: a server
    # dripping bytes would hold a cron run forever without this deadline.
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_content(64 * 1024):
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_FEED_BYTES:
            raise FeedUnavailable(
                f"{location} sent over {MAX_FEED_BYTES // (1024 * 1024)} MB: not a blog feed"
            )
        if time.monotonic() > deadline:
            raise FeedUnavailable(f"{location} did not finish answering within {timeout:g} s")
    return b"".join(chunks)


def _read_file(location: str) -> Answer:
    path = Path(location)
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        raise FeedUnavailable(f"{path}: no such feed file") from None
    except IsADirectoryError:
        raise FeedUnavailable(f"{path}: is a directory, not a feed file") from None
    except OSError as exc:
        raise FeedUnavailable(f"cannot read {path}: {exc.strerror or exc}") from None
    return Answer(location=location, content=content)


def _connection_reason(exc: Exception) -> str:
    text = str(exc)
    found = re.search(r"\[Errno -?\d+\] ([^'\")\]]+)", text)
    if found:
        return found.group(1).strip().rstrip(".")
    for hint in ("Name or service not known", "Connection refused", "Connection reset"):
        if hint in text:
            return hint.lower()
    return "connection failed"


def parse_feed(feed: Feed, answer: Answer) -> ParsedFeed:
    """The entries of a fetched feed document; raises FeedUnavailable if it is none."""
    import feedparser

    content_type = answer.headers.get("content-type") or "application/xml"
    headers = {"content-type": content_type}
    if answer.url:
        # feedparser resolves relative links in content against this address.
        headers["content-location"] = answer.url
    if answer.headers.get("content-language"):
        headers["content-language"] = answer.headers["content-language"]
    parsed = feedparser.parse(answer.content, response_headers=headers)
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if not parsed.get("version") and not parsed.entries:
        raise FeedUnavailable(_not_a_feed(answer, content_type, problem))
    warnings: list[str] = []
    if problem is not None and type(problem).__name__ not in _BENIGN_BOZO:
        if not parsed.entries:
            raise FeedUnavailable(f"{answer.location} is not a readable feed: {_bozo(problem)}")
        warnings.append(
            f"feed {feed.name}: {answer.location} is not well-formed ({_bozo(problem)}); "
            f"read {len(parsed.entries)} entries from it anyway"
        )
    base = answer.url or feed.base_url or _absolute(parsed.feed.get("link"))
    items = _items(feed, parsed, base=base, language=answer.headers.get("content-language"))
    return ParsedFeed(items=items, warnings=tuple(warnings))


def _bozo(exc: Any) -> str:
    """feedparser's reason, as one line a person can act on."""
    get_message = getattr(exc, "getMessage", None)
    get_line = getattr(exc, "getLineNumber", None)
    if callable(get_message) and callable(get_line):
        return f"{get_message()} at line {get_line()}"
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _not_a_feed(answer: Answer, content_type: str, problem: Any) -> str:
    head = answer.content[:512].lstrip().lower()
    reason = f" ({_bozo(problem)})" if problem is not None else ""
    if "html" in content_type.lower() or head.startswith((b"<!doctype html", b"<html")):
        message = f"{answer.location} is an HTML page, not an RSS or Atom feed{reason}"
        alternate = _announced_feed(answer)
        if alternate and _absolute(alternate):
            message += f"; the page names its feed: use `url: {alternate}`"
        elif alternate:
            message += f"; the page names its feed at {alternate}"
        return message
    return f"{answer.location} is not an RSS or Atom feed{reason}"


def _announced_feed(answer: Answer) -> str | None:
    """The feed a web page points to with <link rel="alternate" type="...rss/atom...">."""
    text = answer.content[:200_000].decode("utf-8", "replace")
    for tag in re.findall(r"<link\b[^>]*>", text, re.IGNORECASE):
        if re.search(r"rel=[\"']?alternate", tag, re.I) and re.search(
            r"type=[\"']?application/(rss|atom)\+xml", tag, re.I
        ):
            href = re.search(r"href=[\"']([^\"']+)", tag, re.I)
            if href:
                return urljoin(answer.url or answer.location, href.group(1))
    return None


# -- entries into posts ----------------------------------------------------------------


def _items(
    feed: Feed, parsed: Any, *, base: str | None, language: str | None
) -> tuple[FeedItem, ...]:
    feed_lang = parsed.feed.get("language") or language or feed.lang
    entries = list(parsed.entries)
    links = [_entry_link(e, base) for e in entries]
    # Some blogs give every entry the same id (a broken plugin, a template
    # placeholder): an id shared by different links identifies nothing.
    articles_by_id: dict[str, set[str | None]] = {}
    for entry, link in zip(entries, links, strict=True):
        guid = _text(entry.get("id"))
        if guid:
            articles_by_id.setdefault(guid, set()).add(link)
    items = []
    for entry, link in zip(entries, links, strict=True):
        guid = _text(entry.get("id"))
        usable_id = guid if guid and len(articles_by_id.get(guid, ())) == 1 else None
        items.append(
            _item(feed, entry, link=link, key=usable_id or link or guid, feed_lang=feed_lang)
        )
    return tuple(items)


def _item(
    feed: Feed, entry: Any, *, link: str | None, key: str | None, feed_lang: str | None
) -> FeedItem:
    extracted = _Extracted.of(entry)
    title = _title(entry) or _first_words(extracted.summary_text or extracted.content_text)
    published = _published(entry)
    if not title:
        return FeedItem(
            key=key, link=link, title="(untitled)", problem="has no title", published=published
        )
    if link is None:
        raw = _text(entry.get("link"))
        why = (
            (
                f"its link {raw!r} is relative and the feed gives no address to resolve it "
                "(set the feed's `base_url:`)"
            )
            if raw
            else "has no link"
        )
        return FeedItem(key=key, link=None, title=title, problem=why, published=published)
    summary = _summary(extracted.summary_text or extracted.content_text)
    body = extracted.content_text if extracted.content_differs else ""
    tags = _tags(entry, feed)
    image, image_alt = _image(entry, extracted, link)
    lang = _language(entry) or _primary_language(feed_lang)
    extra: dict[str, Any] = {"feed": feed.name, "entry_id": key, "published": published}
    author = _text(entry.get("author"))
    if author:
        extra["author"] = author
    post = Post(
        path=Path("feeds") / feed.name / f"{_slug(link, key)}.md",
        title=title,
        body=escape_markdown(body),
        url=link,
        summary=summary or None,
        tags=tags,
        image=image,
        image_alt=image_alt,
        lang=lang,
        audience=feed.audience,
        extra=extra,
        content_hash=hashlib.sha256(
            json.dumps([title, link, summary, body, list(tags), image], sort_keys=True).encode()
        ).hexdigest()[:16],
    )
    return FeedItem(key=key, link=link, title=title, post=post, published=published)


def _text(value: Any) -> str:
    return str(value).strip() if value else ""


def _absolute(url: Any) -> str | None:
    url = _text(url)
    return url if re.match(r"^https?://[^/\s]+", url, re.IGNORECASE) else None


def _entry_link(entry: Any, base: str | None) -> str | None:
    """The article's canonical address: absolute, without tracking parameters."""
    # FeedBurner-proxied feeds link to feedproxy; the original is kept aside.
    raw = _text(entry.get("feedburner_origlink")) or _text(entry.get("link"))
    if not raw:
        raw = next(
            (
                _text(link.get("href"))
                for link in entry.get("links", [])
                if link.get("rel") == "alternate" and link.get("href")
            ),
            "",
        )
    if not raw:
        return None
    url = _absolute(raw) or (_absolute(urljoin(base, raw)) if base else None)
    return _strip_tracking(url) if url else None


def _strip_tracking(url: str) -> str:
    # WordPress plugins add utm_* to feed links; crosspost adds each channel's
    # own, and parameters already in the URL would win (links.tag_url) and
    # credit every click to "rss".
    parts = urlsplit(url)
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith("utm_")
    ]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _title(entry: Any) -> str:
    detail = entry.get("title_detail") or {}
    title = _text(entry.get("title"))
    if "html" in str(detail.get("type", "")):
        title = html_to_text(title)
    return " ".join(title.split())


def _first_words(text: str, limit: int = 100) -> str:
    first = text.strip().split("\n", 1)[0] if text else ""
    return _cut(first, limit)


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:-–—(")
    return cut + "…"


def _summary(text: str) -> str:
    text = _APPEARED_FIRST.sub("", text).strip()
    if _READ_MORE.search(text):  # "… [&hellip;]": one ellipsis is enough
        text = _READ_MORE.sub("", text).rstrip()
        text = text if text.endswith(("…", ".", "!", "?")) else text + "…"
    paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    out = ""
    for paragraph in paragraphs:
        joined = f"{out}\n\n{paragraph}" if out else paragraph
        if len(joined) > SUMMARY_MAX:
            return out or _cut(paragraph, SUMMARY_MAX)
        out = joined
    return out


def _tags(entry: Any, feed: Feed) -> tuple[str, ...]:
    found: dict[str, str] = {}
    for tag in [*(t.get("term") or t.get("label") for t in entry.get("tags", [])), *feed.tags]:
        name = " ".join(_text(tag).split())
        if name and name.lower() not in IGNORED_TAGS:
            found.setdefault(name.lower(), name)
    return tuple(found.values())


def _published(entry: Any) -> datetime | None:
    moment = entry.get("published_parsed") or entry.get("updated_parsed")
    if not moment:
        return None
    try:
        year, month, day, hour, minute, second = moment[:6]
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except (TypeError, ValueError):
        return None


def _language(entry: Any) -> str | None:
    for detail in [
        *(entry.get("content") or []),
        entry.get("summary_detail"),
        entry.get("title_detail"),
    ]:
        if detail and detail.get("language"):
            return _primary_language(detail["language"])
    return None


def _primary_language(tag: str | None) -> str | None:
    """`fr-FR` -> `fr`: templates compare `post.lang` with a bare language."""
    if not tag:
        return None
    primary = re.split(r"[-_]", str(tag).strip(), maxsplit=1)[0].lower()
    return primary or None


def _image(entry: Any, extracted: _Extracted, link: str) -> tuple[str | None, str | None]:
    """media:content, media:thumbnail, an image enclosure, else the first <img>."""
    candidates: list[tuple[str | None, str | None]] = []
    for media in entry.get("media_content") or []:
        kind = f"{media.get('medium', '')} {media.get('type', '')}".lower()
        if "image" in kind or (not kind.strip() and _looks_like_image(media.get("url"))):
            candidates.append((media.get("url"), None))
    candidates += [(m.get("url"), None) for m in entry.get("media_thumbnail") or []]
    candidates += [
        (e.get("href"), None)
        for e in entry.get("enclosures") or []
        if str(e.get("type", "")).lower().startswith("image/")
        or (not e.get("type") and _looks_like_image(e.get("href")))
    ]
    candidates += extracted.images
    for url, alt in candidates:
        absolute = _absolute(urljoin(link, _text(url))) if url else None
        if absolute:
            return absolute, (alt or None)
    return None, None


def _looks_like_image(url: Any) -> bool:
    return bool(re.search(r"\.(jpe?g|png|gif|webp|avif)(\?|$)", _text(url), re.IGNORECASE))


def _slug(link: str, key: str | None) -> str:
    tail = urlsplit(link).path.rstrip("/").rsplit("/", 1)[-1]
    tail = re.sub(r"\.html?$", "", tail)
    tail = re.sub(r"[^A-Za-z0-9._-]+", "-", tail).strip("-.")
    return tail or hashlib.sha256((key or link).encode()).hexdigest()[:12]


@dataclass(frozen=True)
class _Extracted:
    """An entry's summary and content as plain text, and the images they show."""

    summary_text: str
    content_text: str
    content_differs: bool
    images: tuple[tuple[str | None, str | None], ...]

    @classmethod
    def of(cls, entry: Any) -> _Extracted:
        summary_html = _html_of(entry.get("summary_detail"), entry.get("summary"))
        contents = entry.get("content") or []
        content = next(
            (c for c in contents if "html" in str(c.get("type", ""))),
            contents[0] if contents else None,
        )
        content_html = _html_of(content, content.get("value") if content else None)
        summary = _Html.read(summary_html)
        body = _Html.read(content_html)
        return cls(
            summary_text=summary.text,
            content_text=body.text,
            # feedparser copies an Atom entry's content into its summary.
            content_differs=bool(body.text) and body.text != summary.text,
            images=body.images + summary.images,
        )


def _html_of(detail: Any, value: Any) -> str:
    """The value as HTML: plain-text values are escaped so the reader keeps them verbatim."""
    text = str(value or "")
    if detail is not None and "html" not in str(detail.get("type", "text/html")):
        import html

        return html.escape(text)
    return text


# -- HTML to text ------------------------------------------------------------------------

_BLOCK_TAGS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tr",
        "ul",
    }
)
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "iframe", "svg", "head"})


class _Html(HTMLParser):
    """Plain text and images from an HTML fragment; scripts and styles dropped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._chunks: list[str] = []
        self._skip = 0
        self._pre = 0
        self.images: list[tuple[str | None, str | None]] = []

    @classmethod
    def read(cls, html_text: str) -> _HtmlResult:
        parser = cls()
        parser.feed(html_text)
        parser.close()
        return _HtmlResult(text=parser.text(), images=tuple(parser.images))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skip += 1
        elif tag == "br":
            self._chunks.append("\n")
        elif tag == "img":
            found = dict(attrs)
            self.images.append((found.get("src"), found.get("alt")))
        elif tag == "li":  # the items of a list are lines of one block
            self._chunks.append("\n- ")
        elif tag in _BLOCK_TAGS:
            self._chunks.append("\n\n")
            if tag == "pre":
                self._pre += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _SKIP_TAGS:  # <br/>, <img/>: no end tag follows
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            if tag == "pre":
                self._pre = max(0, self._pre - 1)
            self._chunks.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        # Outside <pre>, line breaks in HTML source are spaces to a reader.
        self._chunks.append(data if self._pre else re.sub(r"\s+", " ", data))

    def text(self) -> str:
        text = "".join(self._chunks).replace("\u00a0", " ")
        text = re.sub(r"[ \t]*\n[ \t]*", "\n", text)
        text = re.sub(r"\n(- \n)+", "\n", text)
        text = re.sub(r"\n{3,}", "\n\n", text)
        return text.strip()


@dataclass(frozen=True)
class _HtmlResult:
    text: str
    images: tuple[tuple[str | None, str | None], ...]


def html_to_text(html_text: str) -> str:
    """Readable plain text from an HTML fragment: paragraphs kept, tags and scripts gone."""
    return _Html.read(html_text).text


_MD_INLINE = re.compile(r"([\\`*_\[\]<>])")
_MD_LINE_START = re.compile(r"^(\s*)([#>+-]|\d+[.)])", re.MULTILINE)


def escape_markdown(text: str) -> str:
    """Plain text made Markdown that reads back as the same text (Post.body is Markdown)."""
    return _MD_LINE_START.sub(
        lambda m: m.group(1) + re.sub(r"([#>+\-.)])", r"\\\1", m.group(2)),
        _MD_INLINE.sub(r"\\\1", text),
    )


# -- pulling ------------------------------------------------------------------------------

# Schedules a feed's new posts through the queue: (posts, channels, feed).
ScheduleFn = Callable[[Sequence[Post], Sequence[Any], Feed], Any]


def pull_feeds(
    config: Config,
    *,
    home: Path,
    names: Sequence[str] = (),
    populate: bool = False,
    action: str | None = None,
    entries: Sequence[str] = (),
    sandbox_url: str | None = None,
) -> PullResult:
    """Read the feeds (all, or those named) and act on their new entries.

    `action` overrides each feed's own action; with it, entries listed for
    review earlier are taken too.  `entries` (ids or links) restricts the pull
    to those entries and offers them again whatever their history: the ledger
    still sends each channel at most once.  `populate` remembers every entry
    without posting.  One feed's fault never stops the others.
    """
    feeds = select_feeds(config, names)
    if entries and not names:
        raise BadInput(
            "name the feed the entries come from: `crosspost feed pull NAME --entry ...`"
        )
    scheduler = None
    if not populate and any((action or f.action) == "schedule" for f in feeds):
        scheduler = schedule_through_queue(config=config, home=home)
    pulls = []
    with Ledger.open(default_ledger_path(home)) as ledger:
        for feed in feeds:
            pulls.append(
                _Pull(
                    config=config,
                    home=home,
                    ledger=ledger,
                    feed=feed,
                    populate=populate,
                    action=action,
                    wanted=tuple(entries),
                    sandbox_url=sandbox_url,
                    scheduler=scheduler,
                ).run()
            )
    return PullResult(tuple(pulls))


def select_feeds(config: Config, names: Sequence[str]) -> list[Feed]:
    """The feeds named (all when none), in file order; NotFound on a typo."""
    if not config.feeds:
        raise BadInput(
            f"{config.path} has no `feeds:` section; add one, e.g.\n"
            "feeds:\n  - name: blog\n    url: https://blog.example.com/feed/\n    action: review"
        )
    known = {f.name: f for f in config.feeds}
    for name in names:
        if name not in known:
            raise NotFound(f"no feed named {name!r} in {config.path} (known: {', '.join(known)})")
    return [f for f in config.feeds if not names or f.name in names]


def schedule_through_queue(*, config: Config, home: Path) -> ScheduleFn:
    """The queue's scheduling function: the one place feeds touch the queue."""
    from .queue import schedule_posts

    def schedule(posts: Sequence[Post], channels: Sequence[Any], feed: Feed) -> Any:
        return schedule_posts(config, posts, channels, home=home, at=feed.at)

    return schedule


@dataclass
class _Pull:
    """One feed's pull, from the conditional GET to the ledger."""

    config: Config
    home: Path
    ledger: Ledger
    feed: Feed
    populate: bool
    action: str | None
    wanted: tuple[str, ...]
    sandbox_url: str | None
    scheduler: ScheduleFn | None
    warnings: list[str] = field(default_factory=list)

    def run(self) -> FeedPull:
        feed = self.feed
        location = feed_location(feed, self.config.base_dir)
        state = self.ledger.feed_states().get(feed.name)
        # A feed never read successfully at this address: its backlog is only remembered.
        first = state is None or state.last_ok is None or state.url != location
        populate = self.populate or (first and not self.wanted)
        conditional = (
            state is not None
            and state.url == location
            and not (populate or self.wanted or self.action)
        )
        try:
            answer = fetch_feed(
                feed,
                location=location,
                etag=state.etag if conditional and state else None,
                modified=state.modified if conditional and state else None,
            )
            if answer.not_modified:
                self.ledger.record_pull(
                    feed.name,
                    url=location,
                    status="not-modified",
                    etag=answer.etag,
                    modified=answer.modified,
                )
                return FeedPull(feed=feed.name, url=location, status="not-modified")
            parsed = parse_feed(feed, answer)
            self.warnings.extend(parsed.warnings)
            results, marks, outcomes = self._act(parsed.items, populate=populate, first=first)
        except CrosspostError as exc:
            self.ledger.record_pull(feed.name, url=location, status="error", error=str(exc))
            return FeedPull(
                feed=feed.name,
                url=location,
                status="error",
                error=str(exc),
                bad_input=isinstance(exc, BadInput),
                warnings=tuple(self.warnings),
            )
        self.ledger.record_pull(
            feed.name,
            url=location,
            status="ok",
            etag=answer.etag,
            modified=answer.modified,
            entries=marks,
        )
        return FeedPull(
            feed=feed.name,
            url=location,
            status="ok",
            populated=populate,
            first_pull=populate and first and not self.populate,
            entries=tuple(results),
            outcomes=tuple(outcomes),
            warnings=tuple(dict.fromkeys(self.warnings)),
        )

    def _act(
        self, items: Sequence[FeedItem], *, populate: bool, first: bool
    ) -> tuple[list[EntryResult], list[EntryMark], list[Any]]:
        feed = self.feed
        seen = self.ledger.seen_entries(feed=feed.name)
        by_key = {s.entry_key: s for s in seen}
        by_post = {s.post_key: s for s in seen if s.post_key}
        action = self.action or feed.action
        results: list[EntryResult] = []
        marks: list[EntryMark] = []
        to_take: list[FeedItem] = []
        done_links: set[str] = set()
        matched: set[str] = set()
        for item in items:
            if self.wanted:
                hit = next((w for w in self.wanted if w in (item.key, item.link)), None)
                if hit is None:
                    if first and item.key is not None:
                        # The rest of a first pull is backlog: remember it, or the next
                        # pull would take it all.
                        marks.append(EntryMark(item.key, item.link, item.title, "populated"))
                    continue
                matched.add(hit)
            if item.link and item.link in done_links:
                continue  # the same article twice in one document
            if item.key is None or item.post is None or item.link is None:
                self._skip(item, by_key, results, marks)
                continue
            done_links.add(item.link)
            before = by_key.get(item.key) or by_post.get(item.link)
            if not self.wanted:
                if before is not None and (
                    before.action in TAKEN | {"skipped", "populated"}
                    or (before.action == "review" and self.action in (None, "review"))
                ):
                    if before.entry_key != item.key:  # the feed changed its id: learn the new one
                        marks.append(EntryMark(item.key, item.link, item.title, before.action))
                    continue
                if self._known_elsewhere(item):
                    note = (
                        "already in the ledger (a post file or another feed has it); "
                        "not taken again"
                    )
                    results.append(_result(feed, item, "known", note))
                    marks.append(EntryMark(item.key, item.link, item.title, "known"))
                    continue
            elif action == "review" and before is not None and before.action in TAKEN:
                # Listing an entry already taken must not make it look untaken.
                results.append(_result(feed, item, before.action, "already taken; not listed"))
                continue
            if populate:
                results.append(_result(feed, item, "populated"))
                marks.append(EntryMark(item.key, item.link, item.title, "populated"))
            else:
                to_take.append(item)
        missing = [w for w in self.wanted if w not in matched]
        if missing:
            raise NotFound(
                f"feed {feed.name} has no entry {missing[0]!r} (give an entry's id or link, "
                "as `crosspost feed list` or `feed pull --json` shows them)"
            )
        outcomes = self._take(to_take, action, results, marks) if to_take else []
        return results, marks, outcomes

    def _skip(
        self,
        item: FeedItem,
        by_key: dict[str, SeenEntry],
        results: list[EntryResult],
        marks: list[EntryMark],
    ) -> None:
        if item.key is not None and item.key in by_key:
            return  # warned about when it first appeared
        problem = item.problem or "cannot be read"
        self.warnings.append(f"feed {self.feed.name}: entry {item.title!r} {problem}: skipped")
        results.append(_result(self.feed, item, "skipped", problem))
        if item.key is not None:
            marks.append(EntryMark(item.key, item.link, item.title, "skipped"))

    def _known_elsewhere(self, item: FeedItem) -> bool:
        assert item.link is not None
        if self.ledger.deliveries(post_key=item.link):
            return True
        return any(
            s.feed != self.feed.name and s.action in TAKEN
            for s in self.ledger.seen_entries(post_key=item.link)
        )

    def _take(
        self, items: list[FeedItem], action: str, results: list[EntryResult], marks: list[EntryMark]
    ) -> list[Any]:
        """Publish, schedule or list the new entries; the ledger learns them after."""
        from .routing import select_channels

        feed = self.feed
        posts = [item.post for item in items if item.post is not None]
        outcomes: list[Any] = []
        queued: list[Any] = []
        if action == "review":
            taken_as = "review"
        else:
            channels = select_channels(self.config, feed.channels)
            if action == "publish":
                from .publish import Publisher

                result = Publisher(
                    config=self.config, home=self.home, sandbox_url=self.sandbox_url
                ).publish(posts, channels)
                outcomes = list(result.outcomes)
                self.warnings.extend(result.warnings)
                taken_as = "published"
            else:
                assert self.scheduler is not None  # resolved before any feed was read
                queued = list(self.scheduler(posts, channels, feed) or ())
                taken_as = "scheduled"
        for item in items:
            note = None
            if taken_as == "published":
                failed = [o.channel for o in outcomes if o.post_key == item.link and o.failed]
                if failed:
                    note = (
                        f"failed on {', '.join(failed)}: retry with `crosspost feed pull "
                        f"{feed.name} --entry {item.link}`"
                    )
            elif taken_as == "scheduled":
                due = [
                    f"{q.channel} {q.to_json().get('due_local') or q.state}"
                    for q in queued
                    if item.post is not None
                    and getattr(q, "post", None) == str(item.post.path)
                    and q.state != "skipped"
                ]
                note = "queued: " + ", ".join(due) if due else f"scheduled ({feed.at})"
            results.append(_result(feed, item, taken_as, note))
            marks.append(EntryMark(item.key or item.link or "", item.link, item.title, taken_as))
        return outcomes


def _result(feed: Feed, item: FeedItem, action: str, note: str | None = None) -> EntryResult:
    return EntryResult(
        feed=feed.name,
        key=item.key,
        title=item.title,
        link=item.link,
        action=action,
        note=note,
        published=item.published,
        image=item.post.image if item.post is not None else None,
    )


# -- listing ----------------------------------------------------------------------------------


def list_feeds(config: Config, *, home: Path) -> tuple[FeedSummary, ...]:
    """Every configured feed, its last pull, and the entries still waiting for review."""
    path = default_ledger_path(home)
    summaries = []
    with Ledger.open(path) as ledger:
        states = ledger.feed_states()
        for feed in config.feeds:
            seen = ledger.seen_entries(feed=feed.name)
            pending = tuple(
                PendingEntry(
                    key=s.entry_key, title=s.title, link=s.post_key, first_seen=s.first_seen
                )
                for s in seen
                if s.action == "review"
                and not (s.post_key and ledger.deliveries(post_key=s.post_key))
            )
            state = states.get(feed.name)
            summaries.append(
                FeedSummary(
                    name=feed.name,
                    url=feed.url,
                    action=f"schedule ({feed.at})" if feed.action == "schedule" else feed.action,
                    state=state,
                    seen=len(seen),
                    taken=sum(s.action in TAKEN for s in seen),
                    pending=pending,
                )
            )
    return tuple(summaries)
