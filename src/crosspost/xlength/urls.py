"""The URLs in a post, found where twitter-text's extractor finds them.

X weighs each one 23 whatever its length, so what matters is which stretches of
text twitter-text takes for a URL.  Its rules (js/src/extractUrlsWithIndices.js and
the regexes in js/src/regexp/ of github.com/twitter/twitter-text) are followed
here by a scanner of our own: one big regex built from 1,574 top-level domains is
what made twitter-text-parser slow to import, so domains are parsed label by label
and their last label looked up in a set read on first use (`tlds.txt`).

In twitter-text's terms: a URL is an optional `http://` or `https://`, a domain
(subdomains, a domain name, a known top-level domain), an optional port, path and
query.  It cannot follow a letter, a digit, `@`, `$` or `#` (mentions, cashtags,
hashtags); without a scheme it cannot follow `-`, `_`, `.` or `/` either, and only
its ASCII part counts (`日本語example.com` is 6 + 23).  A path or query never ends
on punctuation a sentence would (`http://example.com/path.` ends before the dot).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import NamedTuple

MAX_URL_LENGTH = 4096  # with its scheme (`https://` when it has none)
MAX_LABEL_LENGTH = 63  # a DNS label, once punycode-encoded
MAX_TCO_SLUG_LENGTH = 40

# Never part of a domain: ASCII punctuation, spaces, the invalid characters and the
# directional marks (invalidDomainChars).  A host runs over everything else, dots,
# hyphens and (in subdomains) underscores.
_PUNCTUATION = "!'#%&()*+,\\-./:;<=>?@[]^_{|}~$"
_SPACES = "\t\n\x0b\x0c\r \x85\xa0\u1680\u180e" + "".join(map(chr, range(0x2000, 0x200B)))
_SPACES += "\u2028\u2029\u202f\u205f\u3000"
_INVALID = "\ufffe\ufeff\uffff"
_DIRECTIONAL = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_NOT_IN_HOST = frozenset(_PUNCTUATION + _SPACES + _INVALID + _DIRECTIONAL) - set(".-_")
_HOST_RUN = "[^" + re.escape("".join(sorted(_NOT_IN_HOST))) + "]*"
# Letters beyond ASCII that twitter-text's case-insensitive classes take for ASCII
# ones (as Python's regexes do, which twitter-text-parser's are): İ ı ſ K.
_ASCII_FOLDS = frozenset("\u0130\u0131\u017f\u212a")
# A URL cannot start right after a letter, a digit or one of these...
_NOT_BEFORE = frozenset("@$#＠＃" + _INVALID) | _ASCII_FOLDS
# ...and one without a scheme not after these either.
_NOT_BEFORE_BARE = frozenset("-_./")
_SCHEMES = ("https://", "http://")

# twitter-text's character classes, which ignore case.  Beyond ASCII, paths and
# names without a scheme may hold accented Latin and Cyrillic letters.
_LATIN = "\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff\u0100-\u024f\u0253\u0254\u0256\u0257"
_LATIN += "\u0259\u025b\u0263\u0268\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff"
_CYRILLIC = "\u0400-\u04ff"
_PATH_RUN = f"[a-z{_CYRILLIC}0-9!*';:=+,.$/%#\\[\\]\\-\u2013_~@|&{_LATIN}]*"
_PATH_END = f"[+\\-a-z{_CYRILLIC}0-9=_#/{_LATIN}]"  # a path ends on one of these
_QUERY_RUN = "[a-z0-9!?*'@();:&=+$/%#\\[\\]\\-_.,~|]*"
_QUERY_END = "[a-z0-9\\-_&=#/]"
_NAME = f"[\\-a-z0-9{_LATIN}]+"  # a label of a domain without a scheme
_TLD_RUN = "[0-9a-z@+-]*"  # an ASCII top-level domain is all of this run
_PUNYCODE_RUN = "[0-9a-z-]*"
_DIGITS = "[0-9]*"
_IDN_DOTS = "[\u3002\uff0e\uff61]"  # what IDNA also takes for a dot


@cache
def _regex(pattern: str) -> re.Pattern[str]:
    """`pattern`, ignoring case, compiled on first use: importing compiles none."""
    return re.compile(pattern, re.IGNORECASE)


def _run_end(pattern: str, text: str, pos: int, limit: int | None = None) -> int:
    """End of the run of `pattern` (a class and `*`) at `pos`, at most `limit`."""
    match = _regex(pattern).match(text, pos, len(text) if limit is None else limit)
    return match.end() if match else pos


class _Found(NamedTuple):
    """One match of twitter-text's URL pattern, before it is checked."""

    before: str  # the character before it, "" at the start of the text
    start: int  # where the URL starts, its scheme included
    scheme: str
    domain: tuple[int, int]
    has_path: bool
    end: int


def url_spans(text: str) -> list[tuple[int, int]]:
    """`(start, end)` of each URL twitter-text finds in `text`, in order: the stretch
    its count weighs 23 (the URL itself but in one case, see `_urls_in`)."""
    spans: list[tuple[int, int]] = []
    pos = 0
    while (found := _next_match(text, pos)) is not None:
        # As with a global regex, the next search starts where this match ended,
        # whether or not the match turns out to be a URL.
        pos = found.end
        spans += _urls_in(text, found)
    return spans


def _next_match(text: str, pos: int) -> _Found | None:
    """The leftmost match of the URL pattern at or after `pos`: in the first stretch
    of host characters around a dot that holds one."""
    dot = text.find(".", pos)
    while dot >= 0:
        after = text[dot + 1 : dot + 2]
        if not after or (after.isascii() and not after.isalpha()):
            # No top-level domain starts here (sentences end so): next dot.
            dot = text.find(".", dot + 1)
            continue
        first = dot
        while first > pos and text[first - 1] not in _NOT_IN_HOST:
            first -= 1
        last = _run_end(_HOST_RUN, text, dot)
        if (found := _match_at_host(text, pos, first, last)) is not None:
            return found
        dot = text.find(".", last)
    return None


def _match_at_host(text: str, pos: int, first: int, last: int) -> _Found | None:
    """A match whose domain lies in text[first:last], trying starts from the left."""
    scheme = next((s for s in _SCHEMES if text[max(first - len(s), 0) : first].lower() == s), "")
    if scheme:
        start = first - len(scheme)
        before = _before(text, pos, start)
        if before is not None and (end := _domain_end(text, first, last)) is not None:
            return _finish(text, before, start, text[start:first], (first, end))
    # Without a scheme a match starts after a character that may precede a URL (at
    # the start of the text, after the first character before at it); a domain holds
    # a dot, so none starts past the last one.
    last_dot = text.rfind(".", first, last)
    for start in [1, 0, *range(2, last_dot)] if first == 0 else range(first, last_dot):
        if start >= last_dot or text[start] in ".-_":
            continue
        before = _before(text, pos, start)
        if before is not None and (end := _domain_end(text, start, last)) is not None:
            return _finish(text, before, start, "", (start, end))
    return None


def _before(text: str, pos: int, start: int) -> str | None:
    """The character before a URL starting at `start` ("" at 0), or None if none may."""
    if start == 0:
        return ""
    if start - 1 < pos:  # taken by the previous match
        return None
    char = text[start - 1]
    return None if (char.isascii() and char.isalnum()) or char in _NOT_BEFORE else char


def _domain_end(text: str, start: int, last: int) -> int | None:
    """End of the domain at `start`: the most labels that end with a known TLD."""
    dots = []
    label = start
    while (dot := text.find(".", label, last)) > label:
        name = text[label:dot]
        if name[0] in "-_" or name[-1] in "-_":
            break
        dots.append((label, dot))
        label = dot + 1
    # The label before the top-level domain (the domain name) takes no underscore.
    for label, dot in reversed(dots):
        if "_" not in text[label:dot] and (end := _tld_end(text, dot + 1, len(text))):
            return end
    return None


def _tld_end(text: str, start: int, limit: int) -> int | None:
    """End of a known top-level domain at `start` that nothing alphanumeric follows."""
    if start >= limit:
        return None
    ascii_tlds, other_tlds = _tlds()
    name = text[start : _run_end(_TLD_RUN, text, start, limit)].lower()
    if name in ascii_tlds:
        return start + len(name)
    if name.startswith("xn--"):  # punycode, which needs nothing after it
        tail = _run_end(_PUNYCODE_RUN, text, start + 4, limit)
        return tail if tail > start + 4 else None
    # The others, in twitter-text's order (a few start in ASCII: vermögensberatung).
    for tld in other_tlds.get(text[start].lower(), ()):
        end = start + len(tld)
        if end > limit or text[start:end].lower() != tld:
            continue
        if end == limit or not _continues_tld(text[end]):
            return end
    return None


def _continues_tld(char: str) -> bool:
    """Whether `char` after a top-level domain makes it part of a longer word."""
    return (char.isascii() and (char.isalnum() or char in "@+-")) or char in _ASCII_FOLDS


def _finish(text: str, before: str, start: int, scheme: str, domain: tuple[int, int]) -> _Found:
    """The match with its port, path and query, each taken when present."""
    end = domain[1]
    if text.startswith(":", end) and (port := _run_end(_DIGITS, text, end + 1)) > end + 1:
        end = port
    has_path = text.startswith("/", end)
    if has_path:
        end = _path_end(text, end)
    if text.startswith("?", end):
        end = _query_end(text, end, len(text))
    return _Found(before, start, scheme, domain, has_path, end)


def _path_end(text: str, slash: int) -> int:
    """End of the path at `slash`: its longest stretch of path characters and
    balanced parentheses that ends on a letter, a digit, one of `+-=_#/` or a `)`."""
    end = pos = slash + 1
    while True:
        run_end = _run_end(_PATH_RUN, text, pos)
        end = next((i + 1 for i in range(run_end - 1, pos - 1, -1) if _ends_path(text, i)), end)
        if not text.startswith("(", run_end) or (closed := _balanced_end(text, run_end)) is None:
            return end
        end = pos = closed


def _ends_path(text: str, index: int) -> bool:
    return _regex(_PATH_END).match(text, index) is not None


def _balanced_end(text: str, open_at: int) -> int | None:
    """End of `(...)` at `open_at`, with at most one level of nesting, or None."""
    inner = _run_end(_PATH_RUN, text, open_at + 1)
    if inner > open_at + 1 and text.startswith(")", inner):
        return inner + 1
    if not text.startswith("(", inner):
        return None
    nested = _run_end(_PATH_RUN, text, inner + 1)
    if nested == inner + 1 or not text.startswith(")", nested):
        return None
    after = _run_end(_PATH_RUN, text, nested + 1)
    return after + 1 if text.startswith(")", after) else None


def _query_end(text: str, mark: int, limit: int) -> int:
    """End of the query at `mark` (a `?`): up to its last letter, digit or `-_&=#/`;
    `mark` itself when it has none (the `?` is then left out)."""
    run_end = _run_end(_QUERY_RUN, text, mark + 1, limit)
    query_end = _regex(_QUERY_END)
    return next((i + 1 for i in range(run_end - 1, mark, -1) if query_end.match(text, i)), mark)


def _urls_in(text: str, found: _Found) -> list[tuple[int, int]]:
    """The URLs a match stands for, once checked: none, one, or (without a scheme)
    each ASCII domain in it, the last one with the path and query."""
    domain_start, domain_end = found.domain
    scheme_length = len(found.scheme or "https://")
    if scheme_length + found.end - found.start > MAX_URL_LENGTH:
        return []
    if not _is_valid_domain(text[domain_start:domain_end]):
        return []
    if found.scheme:
        end = _tco_end(text, found)
        return [] if end is None else [(found.start, end)]
    if found.before and found.before in _NOT_BEFORE_BARE:
        return []
    spans = _ascii_domains(text, domain_start, domain_end)
    if spans and found.has_path:
        # The URL is the last ASCII domain and the path.  twitter-text's count skips
        # as many characters as that URL has, from where it starts: if letters
        # beyond ASCII followed it in the domain (`example.comだよね.com/path`), the
        # skip stops short of the path's end and the rest is counted as text.
        start, end = spans[-1]
        spans[-1] = (start, end + found.end - domain_end)
    return spans


def _is_valid_domain(domain: str) -> bool:
    """twitter-text's IDNA check: each label 1 to 63 characters once punycode-encoded,
    and one written as punycode (`xn--`) must hold an ASCII domain."""
    if domain.isascii() and domain.isprintable():  # nothing to encode
        return all(1 <= len(label) <= MAX_LABEL_LENGTH for label in domain.split("."))
    if domain.startswith("xn--") and not _ascii_domains(domain, 0, len(domain)):
        return False
    for label in domain.split("."):
        encoded = ".".join(_punycode(part) for part in _regex(_IDN_DOTS).split(label))
        if not 1 <= len(encoded) <= MAX_LABEL_LENGTH:
            return False
    return True


def _punycode(label: str) -> str:
    if all(" " <= char <= "~" for char in label):
        return label
    return "xn--" + label.encode("punycode").decode("ascii")


def _tco_end(text: str, found: _Found) -> int | None:
    """A t.co link ends after its slug (and query); None when the slug is too long."""
    slug_start = found.start + len(found.scheme) + len("t.co/")
    if text[found.start : slug_start].lower() != found.scheme.lower() + "t.co/":
        return found.end
    slug_end = slug_start
    while slug_end < found.end and text[slug_end].isascii() and text[slug_end].isalnum():
        slug_end += 1
    if slug_end == slug_start:
        return found.end
    if slug_end - slug_start > MAX_TCO_SLUG_LENGTH:
        return None
    if text.startswith("?", slug_end):
        return _query_end(text, slug_end, found.end)
    return slug_end


def _ascii_domains(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Each ASCII domain (accented Latin allowed) in text[start:end], left to right."""
    spans: list[tuple[int, int]] = []
    pos = start
    while pos < end:
        # Each name, from where the search resumes: starting inside one finds what
        # starting at its beginning finds.
        for name in _regex(_NAME).finditer(text, pos, end):
            if (found := _ascii_domain_end(text, name.start(), end)) is not None:
                spans.append((name.start(), found))
                pos = found
                break
        else:
            break
    return spans


def _ascii_domain_end(text: str, start: int, end: int) -> int | None:
    dots = []
    pos = start
    while (label := _regex(_NAME).match(text, pos, end)) is not None:
        label_end = label.end()
        if not text.startswith(".", label_end) or label_end >= end:
            break
        dots.append(label_end)
        pos = label_end + 1
    for dot in reversed(dots):
        if (tld_end := _tld_end(text, dot + 1, end)) is not None:
            return tld_end
    return None


@cache
def _tlds() -> tuple[frozenset[str], dict[str, tuple[str, ...]]]:
    """The top-level domains twitter-text knows: a set of the ASCII ones, and the
    others by first character, in twitter-text's order (`嘉里大酒店` before `嘉里`)."""
    text = Path(__file__).with_name("tlds.txt").read_text(encoding="utf-8")
    names = [line for line in text.splitlines() if line and not line.startswith("#")]
    others: dict[str, list[str]] = {}
    for name in names:
        if not name.isascii():
            others.setdefault(name[0], []).append(name)
    return (
        frozenset(name for name in names if name.isascii()),
        {first: tuple(group) for first, group in others.items()},
    )
