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
from collections.abc import Mapping


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
