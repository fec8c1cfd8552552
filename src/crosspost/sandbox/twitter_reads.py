"""X as a reader sees it: the account behind a token, and its posts as X lists them.

The posting side (`twitter.py`) stores posts as they were sent; this module
answers `GET /2/users/me` and `GET /2/users/{id}/tweets` from them the way X
does, so a client that reads its own posts back meets X's changes: `&`, `<`
and `>` come back as HTML entities, every link is a t.co link (its
`entities.urls` give the link back), posts come newest first in pages.
Query mistakes raise `BadQuery`, which `twitter.py` answers as X's 400.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import html
import re
import string
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

# An X access token starts with the id of the user it belongs to ("4242-abc...").
_TOKEN_USER = re.compile(r"^(\d+)-")
# Ids for tokens not shaped like that, derived from the token so they stay stable.
USER_ID_BASE = 1_500_000_000_000_000_000
# A link as X's autolinker takes it: trailing punctuation stays out of the URL.
LINK = re.compile(r"https?://\S+?(?=[.,;:!?)\]}'\"]*(?:\s|$))")
TCO = "https://t.co/"
TCO_CODE_LENGTH = 10
DISPLAY_URL_MAX = 26
BASE62 = string.digits + string.ascii_letters

MAX_RESULTS = (5, 100)
DEFAULT_MAX_RESULTS = 10
QUERY_PARAMETERS = frozenset(
    {
        "end_time",
        "exclude",
        "expansions",
        "max_results",
        "media.fields",
        "pagination_token",
        "place.fields",
        "poll.fields",
        "since_id",
        "start_time",
        "tweet.fields",
        "until_id",
        "user.fields",
    }
)
# Every `tweet.fields` value X accepts; those the sandbox has data for are filled in.
TWEET_FIELDS = frozenset(
    {
        "article",
        "attachments",
        "author_id",
        "card_uri",
        "community_id",
        "context_annotations",
        "conversation_id",
        "created_at",
        "display_text_range",
        "edit_controls",
        "edit_history_tweet_ids",
        "entities",
        "geo",
        "id",
        "in_reply_to_user_id",
        "lang",
        "media_metadata",
        "non_public_metrics",
        "note_tweet",
        "organic_metrics",
        "possibly_sensitive",
        "promoted_metrics",
        "public_metrics",
        "referenced_tweets",
        "reply_settings",
        "scopes",
        "source",
        "text",
        "withheld",
    }
)
EXCLUDES = frozenset({"replies", "retweets"})


class BadQuery(ValueError):
    """A query parameter X would refuse with a 400 naming it."""

    def __init__(self, message: str, parameter: str, value: Any) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.value = value


def user_id_for(token: str) -> str:
    """The numeric user id behind an access token, the same every time."""
    prefix = _TOKEN_USER.match(token)
    if prefix:
        return prefix.group(1)
    digest = hashlib.sha256(token.encode("utf-8")).hexdigest()
    return str(USER_ID_BASE + int(digest[:12], 16))


def user_for(token: str) -> dict[str, str]:
    """`GET /2/users/me`'s `data`: id, name and username (never the token itself)."""
    user_id = user_id_for(token)
    return {"id": user_id, "name": f"Sandbox user {user_id}", "username": f"sandbox_{user_id[-7:]}"}


def x_time(when: datetime) -> str:
    """A time as X writes `created_at`: UTC, milliseconds, a Z."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def timeline(posts: Iterable[dict[str, Any]], user_id: str, query: Mapping[str, str]) -> Any:
    """The body of `GET /2/users/{user_id}/tweets` for `query`, from the stored posts."""
    unknown = sorted(set(query) - QUERY_PARAMETERS)
    if unknown:
        raise BadQuery(
            f"The query parameters [{','.join(unknown)}] is not one of "
            f"[id,{','.join(sorted(QUERY_PARAMETERS))}]",
            unknown[0],
            query[unknown[0]],
        )
    fields = _tweet_fields(query.get("tweet.fields"))
    size = _max_results(query.get("max_results"))
    wanted = _window(query)
    below = _below(query.get("pagination_token"))
    every = list(posts)
    by_id = {p["id"]: p for p in every}
    chosen = [p for p in every if p.get("author_id") == user_id and wanted(p)]
    chosen.sort(key=lambda p: int(p["id"]), reverse=True)  # newest first, as X lists them
    if below is not None:
        chosen = [p for p in chosen if int(p["id"]) < below]
    page, rest = chosen[:size], chosen[size:]
    if not page:
        return {"meta": {"result_count": 0}}
    meta: dict[str, Any] = {
        "result_count": len(page),
        "newest_id": page[0]["id"],
        "oldest_id": page[-1]["id"],
    }
    if rest:
        meta["next_token"] = _token(int(page[-1]["id"]))
    return {"data": [render(p, fields, by_id) for p in page], "meta": meta}


def render(post: dict[str, Any], fields: frozenset[str], by_id: Mapping[str, Any]) -> Any:
    """One stored post as X lists it, with the `tweet.fields` asked for."""
    text, urls = wrap_links(post["text"], post["id"])
    tweet: dict[str, Any] = {
        "id": post["id"],
        "text": text,
        "edit_history_tweet_ids": [post["id"]],
    }
    parent = by_id.get(post.get("reply_to") or "")
    if "created_at" in fields:
        tweet["created_at"] = post["created_at"]
    if "author_id" in fields:
        tweet["author_id"] = post["author_id"]
    if "conversation_id" in fields:
        tweet["conversation_id"] = _root(post, by_id)
    if "entities" in fields and urls:
        tweet["entities"] = {"urls": urls}
    if "referenced_tweets" in fields and post.get("reply_to"):
        tweet["referenced_tweets"] = [{"type": "replied_to", "id": post["reply_to"]}]
    if "in_reply_to_user_id" in fields and parent is not None:
        tweet["in_reply_to_user_id"] = parent["author_id"]
    if "attachments" in fields and post.get("media"):
        tweet["attachments"] = {"media_keys": [m["media_key"] for m in post["media"]]}
    return tweet


def wrap_links(text: str, post_id: str) -> tuple[str, list[dict[str, Any]]]:
    """`text` as X shows it (entities escaped, links wrapped in t.co) and its url entities.

    `start` and `end` count characters (code points) of the text returned.
    """
    shown: list[str] = []
    urls: list[dict[str, Any]] = []
    length = 0
    position = 0
    for index, found in enumerate(LINK.finditer(text)):
        before = html.escape(text[position : found.start()], quote=False)
        shown.append(before)
        length += len(before)
        wrapped = TCO + _code(f"{post_id}:{index}:{found.group()}")
        urls.append(
            {
                "start": length,
                "end": length + len(wrapped),
                "url": wrapped,
                "expanded_url": found.group(),
                "display_url": _display(found.group()),
            }
        )
        shown.append(wrapped)
        length += len(wrapped)
        position = found.end()
    shown.append(html.escape(text[position:], quote=False))
    return "".join(shown), urls


def _code(seed: str) -> str:
    number = int(hashlib.sha256(seed.encode("utf-8")).hexdigest(), 16)
    code = []
    for _ in range(TCO_CODE_LENGTH):
        number, digit = divmod(number, len(BASE62))
        code.append(BASE62[digit])
    return "".join(code)


def _display(url: str) -> str:
    shown = re.sub(r"^https?://(www\.)?", "", url)
    return shown if len(shown) <= DISPLAY_URL_MAX else shown[: DISPLAY_URL_MAX - 1] + "…"


def _root(post: dict[str, Any], by_id: Mapping[str, Any]) -> str:
    """The conversation's first post: the oldest ancestor the sandbox knows."""
    seen = {post["id"]}
    while post.get("reply_to") in by_id and post["reply_to"] not in seen:
        post = by_id[post["reply_to"]]
        seen.add(post["id"])
    return str(post["id"])


def _window(query: Mapping[str, str]) -> Callable[[dict[str, Any]], bool]:
    """Whether a post falls in the time window and the id bounds `query` asks for."""
    start = _time(query, "start_time")
    end = _time(query, "end_time")
    if start is not None and end is not None and end <= start:
        raise BadQuery(
            f"Invalid 'start_time':'{query['start_time']}'. 'start_time' must be before "
            f"'end_time':'{query['end_time']}'",
            "start_time",
            query["start_time"],
        )
    since_id, until_id = _id(query, "since_id"), _id(query, "until_id")
    no_replies = "replies" in _excluded(query.get("exclude"))

    def wanted(post: dict[str, Any]) -> bool:
        created = datetime.fromisoformat(post["created_at"])
        number = int(post["id"])
        # Both bounds are whole seconds, and both include their second.
        return not (
            (start is not None and created < start)
            or (end is not None and created >= end + timedelta(seconds=1))
            or (since_id is not None and number <= since_id)
            or (until_id is not None and number >= until_id)
            or (no_replies and post.get("reply_to"))
        )

    return wanted


def _time(query: Mapping[str, str], name: str) -> datetime | None:
    value = query.get(name)
    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        raise BadQuery(
            f"Invalid '{name}':'{value}'. '{name}' must be a valid RFC 3339 date-time "
            "(YYYY-MM-DDTHH:mm:ssZ)",
            name,
            value,
        )
    return when.replace(microsecond=0)


def _id(query: Mapping[str, str], name: str) -> int | None:
    value = query.get(name)
    if value is None:
        return None
    if not value.isdigit():
        raise BadQuery(f"The `{name}` query parameter value [{value}] is not valid", name, value)
    return int(value)


def _excluded(value: str | None) -> set[str]:
    names = {v for v in (value or "").split(",") if v}
    bad = sorted(names - EXCLUDES)
    if bad:
        raise BadQuery(
            f"The `exclude` query parameter value [{bad[0]}] is not one of "
            f"[{','.join(sorted(EXCLUDES))}]",
            "exclude",
            value,
        )
    return names


def _tweet_fields(value: str | None) -> frozenset[str]:
    names = frozenset(v for v in (value or "").split(",") if v)
    bad = sorted(names - TWEET_FIELDS)
    if bad:
        raise BadQuery(
            f"The `tweet.fields` query parameter value [{bad[0]}] is not one of "
            f"[{','.join(sorted(TWEET_FIELDS))}]",
            "tweet.fields",
            value,
        )
    return names


def _max_results(value: str | None) -> int:
    if value is None:
        return DEFAULT_MAX_RESULTS
    low, high = MAX_RESULTS
    if not value.isdigit() or not low <= int(value) <= high:
        raise BadQuery(
            f"The `max_results` query parameter value [{value}] is not between {low} and {high}",
            "max_results",
            value,
        )
    return int(value)


def _token(oldest_id: int) -> str:
    """An opaque next_token: the listing goes on below the last id shown."""
    raw = f"below:{oldest_id}".encode()
    return base64.b32encode(raw).decode("ascii").rstrip("=").lower()


def _below(token: str | None) -> int | None:
    if token is None:
        return None
    try:
        padded = token.upper() + "=" * (-len(token) % 8)
        kind, _, number = base64.b32decode(padded).decode("ascii").partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        kind, number = "", ""
    if kind != "below" or not number.isdigit():
        raise BadQuery(
            f"The `pagination_token` query parameter value [{token}] is not valid",
            "pagination_token",
            token,
        )
    return int(number)
