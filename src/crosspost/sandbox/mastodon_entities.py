"""What the Mastodon sandbox hands back: accounts, the instance, statuses with HTML
`content`, media attachments, and the length rule it checks statuses against.

Content is rendered as Mastodon's TextFormatter does (app/lib/text_formatter.rb):
paragraphs in `<p>`, line breaks as `<br />`, text HTML-escaped, each link an
`<a>` whose href is the whole URL and whose text is split into an invisible
scheme, at most 30 shown characters and an invisible rest; hashtags and mentions
as links too, a remote mention showing only `@user`.  So a client reading its
posts back has to undo all of that, as with the real thing.
"""

from __future__ import annotations

import html
import re
import zlib
from typing import Any

from crosspost.xlength.urls import url_spans

URL_PLACEHOLDER = "x" * 23  # every URL counts 23, whatever its length
SHOWN_URL_CHARS = 30
_URL_PREFIX = re.compile(r"^(https?://(www\.)?)", re.IGNORECASE)
# Account::MENTION_RE: `@user` or `@user@domain`, not after a word character, `=` or `/`.
MENTION = re.compile(
    r"(?<![=/\w])@([a-z0-9_]+(?:[.-]+[a-z0-9_]+)*)(?:@(\w+(?:[.-]+\w+)*))?(?!@|://)",
    re.IGNORECASE,
)
HASHTAG = re.compile(r"(?<![\w/#])#(\w*[^\W\d_]\w*)")
LINK_REL = "nofollow noopener"
INSTANCE_VERSION = "4.3.2"


def _entities(text: str) -> list[tuple[int, int, str, re.Match[str] | None]]:
    """URLs (with a scheme), mentions and hashtags, leftmost first, none overlapping."""
    found: list[tuple[int, int, str, re.Match[str] | None]] = [
        (start, end, "url", None)
        for start, end in url_spans(text)
        if text[start:end].lower().startswith(("http://", "https://"))
    ]
    found += [(m.start(), m.end(), "mention", m) for m in MENTION.finditer(text)]
    found += [(m.start(), m.end(), "tag", m) for m in HASHTAG.finditer(text)]
    kept: list[tuple[int, int, str, re.Match[str] | None]] = []
    for entity in sorted(found, key=lambda e: (e[0], -e[1])):
        if not kept or entity[0] >= kept[-1][1]:
            kept.append(entity)
    return kept


def countable_length(text: str) -> int:
    """The length Mastodon checks against max_characters: each URL as 23 characters,
    `@user@domain` as `@user`, everything else one per grapheme cluster (Ruby's
    `each_grapheme_cluster`, as Mastodon's StatusLengthValidator counts)."""
    from wcwidth import iter_graphemes

    out, pos = [], 0
    for start, end, kind, match in _entities(text):
        if kind == "tag":
            continue
        out.append(text[pos:start])
        out.append(URL_PLACEHOLDER if kind == "url" else "@" + match.group(1))  # type: ignore[union-attr]
        pos = end
    out.append(text[pos:])
    return sum(1 for _ in iter_graphemes("".join(out)))


def render_content(text: str, base_url: str) -> tuple[str, list[dict[str, Any]], list[str]]:
    """(HTML content, mentions, tags) of a status text, as Mastodon formats it."""
    mentions: list[dict[str, Any]] = []
    tags: list[str] = []
    paragraphs = []
    for paragraph in re.split(r"\n\n+", text.strip("\n")):
        lines = [_render_line(line, base_url, mentions, tags) for line in paragraph.split("\n")]
        paragraphs.append("<p>" + "<br />".join(lines) + "</p>")
    return "".join(paragraphs), mentions, tags


def _render_line(line: str, base_url: str, mentions: list[dict[str, Any]], tags: list[str]) -> str:
    out, pos = [], 0
    for start, end, kind, match in _entities(line):
        out.append(html.escape(line[pos:start], quote=False))
        if kind == "url":
            out.append(_shortened_link(line[start:end]))
        elif kind == "mention" and match is not None:
            out.append(_mention_link(match, base_url, mentions))
        elif match is not None:
            name = match.group(1)
            tags.append(name.lower())
            href = html.escape(f"{base_url}/tags/{name.lower()}")
            out.append(
                f'<a href="{href}" class="mention hashtag" rel="tag">#<span>{name}</span></a>'
            )
        pos = end
    out.append(html.escape(line[pos:], quote=False))
    return "".join(out)


def _shortened_link(url: str) -> str:
    prefix = _URL_PREFIX.match(url)
    cut = prefix.end() if prefix else 0
    rest = url[cut:]
    shown, hidden = rest[:SHOWN_URL_CHARS], rest[SHOWN_URL_CHARS:]
    shown_class = "ellipsis" if hidden else ""
    return (
        f'<a href="{html.escape(url)}" target="_blank" rel="{LINK_REL}" translate="no">'
        f'<span class="invisible">{html.escape(url[:cut])}</span>'
        f'<span class="{shown_class}">{html.escape(shown)}</span>'
        f'<span class="invisible">{html.escape(hidden)}</span></a>'
    )


def _mention_link(match: re.Match[str], base_url: str, mentions: list[dict[str, Any]]) -> str:
    user, domain = match.group(1), match.group(2)
    acct = f"{user}@{domain}" if domain else user
    url = f"https://{domain}/@{user}" if domain else f"{base_url}/@{user}"
    mentions.append(
        {"id": str(zlib.crc32(acct.encode())), "username": user, "url": url, "acct": acct}
    )
    return (
        f'<span class="h-card" translate="no"><a href="{html.escape(url)}" '
        f'class="u-url mention">@<span>{html.escape(user)}</span></a></span>'
    )


def account_entity(account: dict[str, Any], base_url: str) -> dict[str, Any]:
    """An Account as GET /api/v1/accounts/verify_credentials shows it (with `source`)."""
    username = account["username"]
    return {
        "id": account["id"],
        "username": username,
        "acct": username,
        "display_name": "crosspost sandbox",
        "locked": False,
        "bot": False,
        "discoverable": True,
        "group": False,
        "created_at": "2026-01-05T00:00:00.000Z",
        "note": "<p>An account of the crosspost sandbox.</p>",
        "url": f"{base_url}/@{username}",
        "uri": f"{base_url}/users/{username}",
        "avatar": f"{base_url}/avatars/original/missing.png",
        "avatar_static": f"{base_url}/avatars/original/missing.png",
        "header": f"{base_url}/headers/original/missing.png",
        "header_static": f"{base_url}/headers/original/missing.png",
        "followers_count": account.get("followers_count", 0),
        "following_count": 0,
        "statuses_count": account.get("statuses_count", 0),
        "last_status_at": None,
        "emojis": [],
        "fields": [],
        "source": {"privacy": "public", "sensitive": False, "language": None, "note": ""},
    }


def instance_entity(base_url: str, max_characters: int, *, v2: bool) -> dict[str, Any]:
    """GET /api/v2/instance (or the older /api/v1/instance) of the sandbox."""
    host = base_url.split("://", 1)[-1]
    statuses = {
        "max_characters": max_characters,
        "max_media_attachments": 4,
        "characters_reserved_per_url": len(URL_PLACEHOLDER),
    }
    media = {
        "supported_mime_types": ["image/jpeg", "image/png", "image/gif", "image/webp"],
        "image_size_limit": 16_777_216,
        "image_matrix_limit": 33_177_600,
        "description_limit": 1500,
    }
    common = {"title": "crosspost sandbox", "version": INSTANCE_VERSION, "languages": ["en"]}
    if not v2:
        return {
            **common,
            "uri": host,
            "short_description": "",
            "description": "",
            "urls": {"streaming_api": base_url.replace("http", "ws", 1)},
            "configuration": {"statuses": statuses, "media_attachments": media},
        }
    return {
        **common,
        "domain": host,
        "source_url": "https://github.com/mastodon/mastodon",
        "description": "A local stand-in for a Mastodon instance.",
        "usage": {"users": {"active_month": 1}},
        "thumbnail": {"url": f"{base_url}/packs/media/images/preview.png"},
        "configuration": {
            "urls": {"streaming": base_url.replace("http", "ws", 1)},
            "accounts": {"max_featured_tags": 10},
            "statuses": statuses,
            "media_attachments": media,
            "polls": {"max_options": 4, "max_characters_per_option": 50},
            "translation": {"enabled": False},
        },
        "registrations": {"enabled": False, "approval_required": False, "message": None},
        "contact": {"email": "", "account": None},
        "rules": [],
        "api_versions": {"mastodon": 2},
    }


def media_entity(media: dict[str, Any], base_url: str) -> dict[str, Any]:
    """A MediaAttachment; `url` stays null until processing is over, as in Mastodon."""
    done = media["processed"]
    url = f"{base_url}/system/media_attachments/{media['id']}/original.png" if done else None
    return {
        "id": media["id"],
        "type": "image",
        "url": url,
        "preview_url": f"{base_url}/system/media_attachments/{media['id']}/small.png",
        "remote_url": None,
        "description": media["description"],
        "blurhash": "UFBWY:8_0Jxv4mx]t8t64:%2aet7~qofWBj[",
        "meta": {"original": {"size": media["size"]}} if done else {},
    }
