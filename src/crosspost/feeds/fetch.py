"""Reading a feed document: over HTTP with a conditional GET, or from a file."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .. import __version__
from ..config import Feed
from ..errors import FeedUnavailable

FALLBACK_PROJECT_URL = "https://pypi.org/project/crosspost/"
ACCEPT = (
    "application/atom+xml, application/rss+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"
)
MAX_FEED_BYTES = 20 * 1024 * 1024  # a feed this big is a misconfigured URL, not a blog
CHUNK_BYTES = 64 * 1024


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

    from .deadline import deadline_session

    headers = {"User-Agent": user_agent(), "Accept": ACCEPT}
    if etag:
        headers["If-None-Match"] = etag
    if modified:
        headers["If-Modified-Since"] = modified
    # `timeout` is the whole request's, connect to last byte, however slowly the
    # server sends: requests' own timeout bounds each socket read only.
    deadline = time.monotonic() + feed.timeout
    try:
        with (
            deadline_session(deadline) as session,
            session.get(
                location, headers=headers, timeout=feed.timeout, stream=True, allow_redirects=True
            ) as response,
        ):
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
            content = _read_body(response, location=location, timeout=feed.timeout)
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


def _read_body(response: Any, *, location: str, timeout: float) -> bytes:
    # Each socket read ends at the request's deadline (deadline_session), so a body
    # that trickles in past it meets a read timeout.  urllib3's own reads, not
    # iter_content: requests turns a read timeout there into a ConnectionError.
    import urllib3

    raw = response.raw
    chunks: list[bytes] = []
    size = 0
    try:
        while chunk := raw.read(CHUNK_BYTES, decode_content=True):
            chunks.append(chunk)
            size += len(chunk)
            _check_size(size, location)
    except urllib3.exceptions.ReadTimeoutError:
        raise FeedUnavailable(f"{location} did not finish answering within {timeout:g} s") from None
    except urllib3.exceptions.HTTPError as exc:  # dropped mid-body, bad gzip
        raise FeedUnavailable(f"cannot read {location}: {type(exc).__name__}") from None
    return b"".join(chunks)


def _check_size(size: int, location: str) -> None:
    if size > MAX_FEED_BYTES:
        raise FeedUnavailable(
            f"{location} sent over {MAX_FEED_BYTES // (1024 * 1024)} MB: not a blog feed"
        )


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
