"""What a Bluesky post record is made of: its record key, its length, its facets.

Pure functions, no request: the adapter (bluesky.py) sends what these build.
The atproto SDK and wcwidth's grapheme tables are imported inside the functions that need them,
so the module stays cheap to import (the core reads `grapheme_length` at render
time, before any adapter exists).
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from typing import Any

COLLECTION = "app.bsky.feed.post"
MAX_GRAPHEMES = 300
MAX_BYTES = 3000  # the lexicon's maxLength for `text`, in UTF-8 bytes
# The record key alphabet of a TID ("base32-sortable"): ordered like the values.
TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
TID_LENGTH = 13
_TIMESTAMP_BITS = 53
_CLOCK_BITS = 10
POST_URL = "https://bsky.app/profile/{handle}/post/{rkey}"


def grapheme_length(text: str) -> int:
    """The length Bluesky counts: extended grapheme clusters (an emoji family is one)."""
    from wcwidth import iter_graphemes  # UAX #29, as Bluesky's clients count

    return sum(1 for _ in iter_graphemes(text))


def utf8_length(text: str) -> int:
    return len(text.encode("utf-8"))


def encode_tid(value: int) -> str:
    """A 64-bit integer (top bit 0) as a 13-character TID."""
    if not 0 <= value < 1 << 63:
        raise ValueError("a TID holds 63 bits")
    chars = []
    for _ in range(TID_LENGTH):
        chars.append(TID_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def decode_tid(tid: str) -> int:
    value = 0
    for char in tid:
        value = (value << 5) | TID_ALPHABET.index(char)
    return value


def record_key(key: str, created_at: datetime | None, part: int) -> str:
    """The record key of thread part `part` of the delivery `key`: a valid TID, the
    same on every attempt, so a retry collides with the record it may have made.

    Timestamp: the delivery's `created_at` in microseconds (so posts sort as a TID
    should), or, without one, a value taken from the key's hash; each later part
    one microsecond on.  Clock id: 10 bits of the key's hash, so two deliveries
    recorded in the same microsecond still get different keys.
    """
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    if created_at is not None:
        micros = int(created_at.timestamp()) * 1_000_000 + created_at.microsecond
    else:
        micros = int.from_bytes(digest[:8], "big") >> (64 - _TIMESTAMP_BITS)
    micros = (micros + part) % (1 << _TIMESTAMP_BITS)
    clock = int.from_bytes(digest[-2:], "big") & ((1 << _CLOCK_BITS) - 1)
    return encode_tid((micros << _CLOCK_BITS) | clock)


def is_tid(rkey: str) -> bool:
    """Whether `rkey` has a TID's syntax (13 sortable-base32 characters, top bit 0)."""
    return (
        len(rkey) == TID_LENGTH
        and all(c in TID_ALPHABET for c in rkey)
        and rkey[0] in TID_ALPHABET[:16]
    )


def at_uri(did: str, rkey: str) -> str:
    return f"at://{did}/{COLLECTION}/{rkey}"


def rkey_of(uri: str) -> str:
    """The record key at the end of an at:// URI (a part id)."""
    return uri.rstrip("/").rsplit("/", 1)[-1]


def post_url(handle: str, uri: str) -> str:
    return POST_URL.format(handle=handle, rkey=rkey_of(uri))


# A post's address on bsky.app: the account (a handle or a DID) and the record key.
POST_ADDRESS = re.compile(
    r"^https://(?:www\.)?bsky\.app/profile/(?P<who>[A-Za-z0-9.:_-]+)/post/(?P<rkey>[a-z2-7]{13})/?$"
)


def post_id_from_url(url: str) -> str | None:
    """The part id (an at:// URI) of a post's address on bsky.app,
    `https://bsky.app/profile/HANDLE/post/RKEY`; None when it is not one."""
    found = POST_ADDRESS.match(url.strip())
    if found is None:
        return None
    return f"at://{found['who']}/{COLLECTION}/{found['rkey']}"


def length_problem(text: str) -> str | None:
    """Why `text` cannot be a post's text (too many graphemes or bytes), or None."""
    graphemes = grapheme_length(text)
    if graphemes > MAX_GRAPHEMES:
        return f"the text is {graphemes} graphemes long; Bluesky takes at most {MAX_GRAPHEMES}"
    size = utf8_length(text)
    if size > MAX_BYTES:
        return f"the text is {size} bytes long in UTF-8; Bluesky takes at most {MAX_BYTES}"
    return None


def facets_for(text: str) -> list[Any]:
    """Link and hashtag facets, with UTF-8 byte offsets, as the Bluesky app detects them.

    The SDK's detection is a port of the official app's, so links are found (and
    their trailing punctuation left out) exactly as a person typing the post
    would get them; cashtags are dropped (a price like "$AAPL" is no tag of ours),
    and mentions, which need their handle resolved, are left as plain text.
    """
    from atproto_client import models
    from atproto_client.utils.facet_detection import detect_facets

    kept = (models.AppBskyRichtextFacet.Link, models.AppBskyRichtextFacet.Tag)
    facets = []
    for facet in detect_facets(text):
        feature = facet.features[0]
        if isinstance(feature, models.AppBskyRichtextFacet.Tag) and feature.tag.startswith("$"):
            continue
        if isinstance(feature, kept):
            facets.append(facet)
    return facets
