"""Is this post on the network the one we sent?  The comparison every `find` uses.

Networks hand text back a little changed: X escapes `&`, `<` and `>` as HTML
entities and wraps every link in t.co (the listing's `entities` give the link
back); some trim or fold whitespace.  None of that makes it another post, but a
different word or link does.  So texts are compared after undoing exactly
those changes, and nothing looser: a wrong "found" would lose a post.
"""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from crosspost.networks.base import Outgoing

Post = TypeVar("Post", bound=Mapping[str, Any])


def normalized(text: str) -> str:
    """`text` as compared: HTML entities decoded, NFC, runs of whitespace as one space."""
    text = unicodedata.normalize("NFC", html.unescape(text))
    return " ".join(text.split())


def same_text(sent: str, seen: str, *, links: Mapping[str, str] | None = None) -> bool:
    """Whether `seen` (a listing's text) is `sent` (the text we posted).

    `links` maps a wrapped link in `seen` (t.co) to the link it stands for, as
    the listing says; each is put back before comparing, so the links we sent
    (after shortening) are compared too.
    """
    for wrapped, expanded in (links or {}).items():
        if wrapped and expanded:
            seen = seen.replace(wrapped, expanded)
    return normalized(sent) == normalized(seen)


def match_thread(
    outgoing: Outgoing,
    newest_first: Sequence[Post],
    fits: Callable[[Post, int, str | None], bool],
) -> list[Post]:
    """The listed posts that are the parts after `outgoing.sent_parts`, in order, as far
    as found: `fits(post, index, previous_id)` says whether a post can be part `index`
    (its text, and a reply to the part before where the network says so).

    The first part looked for may match more than one post (the same words sent
    twice in the window): the one that carries the thread furthest wins, the oldest
    among equals.
    """
    start = len(outgoing.sent_parts)
    oldest_first = list(reversed(newest_first))

    def candidates(index: int, previous: str | None, used: set[str]) -> Iterator[Post]:
        if index >= len(outgoing.parts):
            return
        for post in oldest_first:
            if str(post["id"]) not in used and fits(post, index, previous):
                yield post

    best: list[Post] = []
    previous = outgoing.sent_parts[-1] if outgoing.sent_parts else None
    for first in candidates(start, previous, set()):
        chain = [first]
        for index in range(start + 1, len(outgoing.parts)):
            used = {str(post["id"]) for post in chain}
            following = next(candidates(index, str(chain[-1]["id"]), used), None)
            if following is None:
                break
            chain.append(following)
        if len(chain) > len(best):
            best = chain
        if len(best) == len(outgoing.parts) - start:
            break
    return best
