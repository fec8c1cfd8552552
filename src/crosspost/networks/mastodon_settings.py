"""What a mastodon channel says in channels.yaml, and how Mastodon counts a status.

Apart from the adapter (mastodon.py) so that validating channels.yaml and
measuring a text never import Mastodon.py.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict

URL_WEIGHT = 23  # Mastodon counts every URL as 23 characters, whatever its length
# Account::MENTION_RE: `@user` or `@user@domain`, not after a word character, `=` or `/`.
# Mastodon counts a mention of another instance's account as its `@user` part alone.
MENTION = re.compile(
    r"(?<![=/\w])@([a-z0-9_]+(?:[.-]+[a-z0-9_]+)*)(@\w+(?:[.-]+\w+)*)?(?!@|://)",
    re.IGNORECASE,
)


class MastodonSettings(BaseModel):
    """Who sees a mastodon channel's posts."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # public: everywhere; unlisted: not on the public timelines; private: followers
    # only; direct: mentioned accounts only (Mastodon's own four).
    visibility: Literal["public", "unlisted", "private", "direct"] = "public"


def status_length(text: str) -> int:
    """A status's length as Mastodon checks it against the instance's limit: each URL
    (with its http:// or https://) 23, `@user@domain` as `@user`, the rest one per
    grapheme cluster (Mastodon's `each_grapheme_cluster`: an emoji family is one).
    """
    from wcwidth import iter_graphemes

    from crosspost.xlength.urls import url_spans  # its tables load on first use

    spans = [
        (start, end, URL_WEIGHT)
        for start, end in url_spans(text)
        if text[start:end].lower().startswith(("http://", "https://"))
    ]
    spans += [(m.start(), m.end(), 1 + len(m.group(1))) for m in MENTION.finditer(text)]

    def graphemes(piece: str) -> int:
        return sum(1 for _ in iter_graphemes(piece))

    total, pos = 0, 0
    for start, end, weight in sorted(spans):
        if start < pos:
            continue  # inside an entity already counted (a URL's `@path`)
        total += graphemes(text[pos:start]) + weight
        pos = end
    return total + graphemes(text[pos:])
