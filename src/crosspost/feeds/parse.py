"""A fetched feed document read into `FeedItem`s: one `Post`, or why not, per entry."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from ..config import Feed
from ..errors import FeedUnavailable
from ..post import Post
from .fetch import Answer
from .html import escape_markdown, html_to_text, read_html

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
        summary = read_html(summary_html)
        body = read_html(content_html)
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
