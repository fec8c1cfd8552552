"""LinkedIn's "little" text format: what a commentary must escape to show as written.

LinkedIn reads `\\ | { } @ [ ] ( ) < > # * _ ~` as markup.  Unescaped, it
accepts the post and silently publishes it only up to the first such
character; its listings hand the commentary back as it was sent, escapes and
all.  So the adapter escapes on the way out (`escape_little`) and undoes
exactly that on the way back in (`unescape_little`), to compare texts.
"""

from __future__ import annotations

import re

_RESERVED = "\\|{}@[]()<>#*_~"
LITTLE_RESERVED = frozenset(_RESERVED)
# What stays verbatim: a URL (up to the next whitespace, as LinkedIn links it) and
# a hashtag (# at the start or after whitespace, a word with at least one letter).
_URL = r"(?P<url>https?://\S+)"
_TAG = r"(?P<tag>(?<!\S)#(?=\w*[^\W\d_])\w+)"
_LITTLE_KEEP = re.compile(f"{_URL}|{_TAG}", re.IGNORECASE)
# Reading back, an escape comes first: `\#1` is a plain "#1", never a hashtag.
_LITTLE_READ = re.compile(rf"\\(?P<escaped>[{re.escape(_RESERVED)}])|{_URL}|{_TAG}", re.IGNORECASE)


def escape_little(text: str) -> str:
    """Backslash-escape LinkedIn's reserved "little" characters so `text` shows as written.

    Unescaped, LinkedIn accepts the post and silently publishes it only up to
    the first reserved character.  URLs are left intact so they still link,
    and a `#word` at the start or after whitespace stays a clickable hashtag.
    """
    out: list[str] = []
    position = 0
    for kept in _LITTLE_KEEP.finditer(text):
        out.append(_escape_plain(text[position : kept.start()]))
        out.append(kept.group())
        position = kept.end()
    out.append(_escape_plain(text[position:]))
    return "".join(out)


def unescape_little(commentary: str) -> str:
    """The text `commentary` (little format, as a listing gives it) shows: the inverse
    of `escape_little`.

    Escapes are undone outside URLs only; a URL, like a hashtag, is kept as it
    stands, as LinkedIn shows it.
    """
    return _LITTLE_READ.sub(lambda m: m.group("escaped") or m.group(), commentary)


def _escape_plain(text: str) -> str:
    return "".join("\\" + char if char in LITTLE_RESERVED else char for char in text)
