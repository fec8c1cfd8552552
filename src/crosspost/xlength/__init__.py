"""X's length of a post: twitter-text v3's weighted length, counted without twitter-text.

The rules are twitter-text's configuration v3 (config/v3.json and parseTweet in
github.com/twitter/twitter-text): the text is NFC-normalised; a code point weighs 1
in U+0000–U+10FF, U+2000–U+200D, U+2010–U+201F and U+2032–U+2037 (Latin, Greek,
Cyrillic, Arabic, Hebrew, most punctuation) and 2 elsewhere (CJK, emoji); every URL
weighs 23 whatever its length, since X wraps it in a t.co link; every emoji
sequence weighs 2 whatever its code points.  A post may weigh 280.

twitter-text-parser counts the same way, but importing it compiles its URL and emoji
regexes, 0.4 s of CPU in every process that counts a length.  Here the URL scanner
and the emoji table are ours (urls.py, emoji.py), and the two tables they read are
loaded on first need.  twitter-text-parser stays the oracle the tests check us
against (tests/test_xlength.py, which also says where the two differ).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from .emoji import emoji_spans
from .urls import url_spans

__all__ = ["MAX_WEIGHTED_LENGTH", "URL_WEIGHT", "PostLength", "measure_post", "weighted_length"]

MAX_WEIGHTED_LENGTH = 280
URL_WEIGHT = 23
EMOJI_WEIGHT = 2
# A code point outside the ranges that weigh 1 (the rest weigh 2).
_HEAVY = "[^\x00-\u10ff\u2000-\u200d\u2010-\u201f\u2032-\u2037]"
# twitter-text refuses a post holding one of these.
_INVALID = ("\ufffe", "\ufeff", "\uffff")


@dataclass(frozen=True)
class PostLength:
    """A text's weighted length, and whether X would take it as a post."""

    weighted_length: int
    valid: bool  # not empty, within 280, no invalid character


def measure_post(text: str) -> PostLength:
    """X's weighted length of `text`, and whether X would take it (twitter-text's parseTweet)."""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    total = pos = 0
    for start, end, weight in _entities(text):
        total += _plain_weight(text[pos:start]) + weight
        pos = end
    total += _plain_weight(text[pos:])
    valid = 0 < total <= MAX_WEIGHTED_LENGTH and not any(char in text for char in _INVALID)
    return PostLength(total, valid)


def weighted_length(text: str) -> int:
    """X's weighted length of `text`: every URL 23, CJK and emoji 2, most else 1."""
    return measure_post(text).weighted_length


def _entities(text: str) -> list[tuple[int, int, int]]:
    """URLs and emoji sequences as twitter-text walks the text: at each position a URL
    first, then an emoji; one that starts inside another taken before is not seen."""
    urls = [(start, 0, end) for start, end in url_spans(text)]
    emoji = [(start, 1, end) for start, end in emoji_spans(text)]
    entities = []
    pos = 0
    for start, kind, end in sorted(urls + emoji) if urls and emoji else urls or emoji:
        if start >= pos:
            entities.append((start, end, EMOJI_WEIGHT if kind else URL_WEIGHT))
            pos = end
    return entities


def _plain_weight(segment: str) -> int:
    if segment.isascii():
        return len(segment)
    return len(segment) + len(_heavy().findall(segment))


@cache
def _heavy() -> re.Pattern[str]:
    """Compiled on first use: importing this package compiles no regex."""
    return re.compile(_HEAVY)
