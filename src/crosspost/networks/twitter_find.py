"""Reading an X account's recent posts back, and finding a delivery's parts among them.

Used by `TwitterNetwork.find` (reconciling a delivery whose outcome is not
known).  X changes a post's text on the way back, so every comparison goes
through `matching.same_text` with the t.co links of the post's `entities`.
Imported only from inside `find`; tweepy is the caller's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from crosspost.networks.base import Answer, Finding, Outgoing
from crosspost.networks.matching import match_thread, same_text

if TYPE_CHECKING:
    import tweepy

# X's largest page for GET /2/users/:id/tweets; MAX_PAGES of them bound one look
# (reads are billed on pay-per-use, and a delivery's window is short).
PAGE_SIZE = 100
MAX_PAGES = 5
TWEET_FIELDS = ("created_at", "entities", "referenced_tweets", "in_reply_to_user_id")


class UnreadableAnswer(ValueError):
    """X answered a read with a shape crosspost does not know (no `data` list...)."""


@dataclass(frozen=True)
class Listing:
    """The account's posts since a moment, as far as they were read."""

    posts: tuple[dict[str, Any], ...]  # newest first, as X lists them
    complete: bool  # the listing ended by itself, so it covers the whole window
    pages: int


def read_me(client: tweepy.Client) -> tuple[str, str]:
    """The (user id, username) the client's tokens belong to."""
    answer = client.get_me(user_auth=True)
    data = answer.get("data") if isinstance(answer, dict) else None
    if not isinstance(data, dict) or not data.get("id"):
        raise UnreadableAnswer("GET /2/users/me gave no user id")
    return str(data["id"]), str(data.get("username") or data["id"])


def read_posts(client: tweepy.Client, user_id: str, *, since: datetime) -> Listing:
    """The account's posts created since `since`, newest first, up to MAX_PAGES pages."""
    posts: list[dict[str, Any]] = []
    token: str | None = None
    for page in range(1, MAX_PAGES + 1):
        answer = client.get_users_tweets(
            user_id,
            start_time=since,
            max_results=PAGE_SIZE,
            tweet_fields=list(TWEET_FIELDS),
            pagination_token=token,
            user_auth=True,
        )
        found, token = _page(answer)
        posts.extend(found)
        if token is None:
            return Listing(tuple(posts), complete=True, pages=page)
    return Listing(tuple(posts), complete=False, pages=MAX_PAGES)


def _page(answer: Any) -> tuple[list[dict[str, Any]], str | None]:
    """One page's posts and its next_token (None on the last page)."""
    if not isinstance(answer, dict):
        raise UnreadableAnswer("a page of posts that is not a JSON object")
    data = answer.get("data", [])
    meta = answer.get("meta", {})
    if not isinstance(data, list) or not all(isinstance(p, dict) and p.get("id") for p in data):
        raise UnreadableAnswer("a page of posts whose data is not a list of posts")
    if not isinstance(meta, dict):
        raise UnreadableAnswer("a page of posts whose meta is not an object")
    token = meta.get("next_token")
    return data, str(token) if token else None


def settle(
    outgoing: Outgoing,
    listing: Listing,
    *,
    account: str,
    since: datetime,
    status_url: str,
) -> Finding:
    """What `listing` says about the parts of `outgoing` not yet recorded."""
    from crosspost.networks import _http

    found = match_parts(outgoing, listing.posts)
    ids = tuple(str(post["id"]) for post in found)
    remaining = len(outgoing.parts) - len(outgoing.sent_parts)
    if len(ids) == remaining:
        answer = Answer.FOUND
    else:
        answer = Answer.ABSENT if listing.complete else Answer.UNSURE
    noun = "post" if len(listing.posts) == 1 else "posts"
    checked = f"read {len(listing.posts)} {noun} of {account} since {_http.fmt_time(since)}"
    if not listing.complete:
        checked += (
            f", stopping after {listing.pages} pages of {PAGE_SIZE}: older posts of that "
            "time were not read"
        )
    return Finding(
        answer=answer,
        part_ids=ids,
        url=status_url.format(id=(outgoing.sent_parts or ids)[0]) if ids else None,
        posted_at=created_at(found[0]) if found else None,
        checked=checked,
    )


def already_recorded(outgoing: Outgoing, *, status_url: str) -> Finding:
    """Every part is in the ledger already: nothing to look for, nothing read."""
    return Finding(
        answer=Answer.FOUND,
        url=status_url.format(id=outgoing.sent_parts[0]) if outgoing.sent_parts else None,
        checked=f"nothing read: all {len(outgoing.parts)} parts are recorded already",
    )


def match_parts(outgoing: Outgoing, posts: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The posts that are the parts after `outgoing.sent_parts`, in order, as far as found
    (`matching.match_thread`): each its exact text and, after the first part, a reply to
    the part before when the post says what it replies to."""

    def fits(post: dict[str, Any], index: int, previous: str | None) -> bool:
        text = str(post.get("text") or "")
        if not same_text(outgoing.parts[index], text, links=_links(post)):
            return False
        return index == 0 or _replies_to(post, previous)

    return match_thread(outgoing, posts, fits)


def _links(post: Mapping[str, Any]) -> dict[str, str]:
    """t.co link → the link it stands for, from the post's `entities.urls`."""
    entities = post.get("entities")
    urls = entities.get("urls") if isinstance(entities, dict) else None
    links: dict[str, str] = {}
    for url in urls if isinstance(urls, list) else []:
        if isinstance(url, dict) and url.get("url") and url.get("expanded_url"):
            links[str(url["url"])] = str(url["expanded_url"])
    return links


def _replies_to(post: Mapping[str, Any], previous: str | None) -> bool:
    """False when the post says it replies to something other than `previous`."""
    references = post.get("referenced_tweets")
    if not isinstance(references, list):
        return True  # the listing does not say; the text decides
    replied = [
        str(ref.get("id"))
        for ref in references
        if isinstance(ref, dict) and ref.get("type") == "replied_to"
    ]
    return previous is not None and previous in replied


def created_at(post: Mapping[str, Any]) -> datetime | None:
    """The post's `created_at` as an aware UTC datetime, or None when absent or unreadable."""
    value = post.get("created_at")
    if not isinstance(value, str):
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None
    return when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)
