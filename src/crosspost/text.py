"""Text rules: Markdown to plain text, lengths as each network counts them, and
fitting a text into its limit (shorten at a word, or split into a thread).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache, lru_cache
from typing import Any

from .errors import TextTooLong

ELLIPSIS = "…"
URL_RE = re.compile(r"https?://[^\s<>\"]+")


def markdown_to_text(markdown: str) -> str:
    """Plain text from Markdown: formatting removed, links kept as their URLs."""
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").parse(markdown)
    blocks: list[str] = []
    prefix = ""
    for tok in tokens:
        if tok.type == "list_item_open":
            prefix = "- "
        elif tok.type == "inline":
            blocks.append(prefix + _inline_text(tok.children or []))
            prefix = ""
        elif tok.type in ("fence", "code_block"):
            blocks.append(tok.content.rstrip("\n"))
    out = ""
    for block in (b for b in blocks if b.strip()):
        # List items stay on consecutive lines; other blocks get a blank line.
        sep = "\n" if block.startswith("- ") and _last_item(out) else "\n\n"
        out = f"{out}{sep}{block}" if out else block
    return out


def _last_item(text: str) -> str:
    last = text.rsplit("\n", 1)[-1]
    return last if last.startswith("- ") else ""


def _inline_text(children: Iterable) -> str:
    out: list[str] = []
    hrefs: list[str] = []
    label_start: list[int] = []
    for tok in children:
        if tok.type in ("text", "code_inline", "html_inline"):
            out.append(tok.content)
        elif tok.type == "softbreak":
            out.append(" ")
        elif tok.type == "hardbreak":
            out.append("\n")
        elif tok.type == "image":
            out.append(tok.content or "")
        elif tok.type == "link_open":
            hrefs.append(str(tok.attrs.get("href", "")))
            label_start.append(len(out))
        elif tok.type == "link_close" and hrefs:
            href, start = hrefs.pop(), label_start.pop()
            label = "".join(out[start:]).strip()
            del out[start:]
            # An autolink's label is its URL; otherwise keep both, as a reader would.
            if not label or label == href or label == href.removeprefix("mailto:"):
                out.append(href)
            else:
                out.append(f"{label} ({href})")
    return "".join(out).strip()


@lru_cache(maxsize=4096)
def weighted_length(text: str) -> int:
    """X's count: twitter-text v3 weights (every URL 23, CJK and emoji 2)."""
    return int(_parse_tweet()(text).weightedLength)


@cache
def _parse_tweet() -> Any:
    """twitter-text-parser's `parse_tweet`, imported without pkg_resources.

    Its emoji table is read at import time through `pkg_resources`, which
    setuptools 81+ no longer ships and Python 3.12+ virtualenvs do not have.
    A stand-in that reads the file with importlib.resources is put in place
    for the duration of that one import only.
    """
    import sys
    import types
    from pathlib import Path

    real = sys.modules.get("pkg_resources")
    shim = types.ModuleType("pkg_resources")

    def resource_string(module: str, name: str) -> bytes:
        # pkg_resources semantics: `name` sits beside the module's file.
        return (Path(str(sys.modules[module].__file__)).parent / name).read_bytes()

    shim.resource_string = resource_string  # type: ignore[attr-defined]
    sys.modules["pkg_resources"] = shim
    try:
        from twitter_text import parse_tweet
    finally:
        if real is None:
            sys.modules.pop("pkg_resources", None)
        else:
            sys.modules["pkg_resources"] = real
    return parse_tweet


def measure(text: str, *, weighted: bool) -> int:
    """Length as the network counts it: X's weighting, or Unicode code points."""
    return weighted_length(text) if weighted else len(text)


def shorten(text: str, *, limit: int, weighted: bool, keep: Iterable[str] = ()) -> str:
    """Cut prose at a word boundary with an ellipsis until the text fits.

    URLs (and any string in `keep`) are never cut or dropped: the words removed
    are taken from the end of the longest stretch of prose between them.
    """
    if measure(text, weighted=weighted) <= limit:
        return text
    protected = _protected_spans(text, keep)
    segments = _split_segments(text, protected)  # (text, is_protected)
    order = sorted(
        (i for i, (seg, prot) in enumerate(segments) if not prot and seg.strip()),
        key=lambda i: -len(segments[i][0]),
    )
    for index in order:
        original = segments[index][0]
        fitted = _cut_segment(segments, index, original, limit=limit, weighted=weighted)
        if fitted is not None:
            return fitted
        # Not enough even with this stretch emptied: drop it and try the next one.
        segments[index] = (_trailing_space(original), False)
    raise TextTooLong(
        f"the text cannot be shortened to {limit} characters without cutting its link"
    )


def _cut_segment(
    segments: list[tuple[str, bool]], index: int, original: str, *, limit: int, weighted: bool
) -> str | None:
    """Longest word-boundary prefix of segment `index` that makes the whole fit, or None."""
    words = list(re.finditer(r"\S+", original))
    lead = original[: words[0].start()] if words else original
    tail = _trailing_space(original)

    def attempt(n: int) -> str:
        kept = original[: words[n - 1].end()] if n else ""
        kept = kept.rstrip(" ,;:-–—(") if n else ""
        body = lead + kept + ELLIPSIS if kept else lead.rstrip() + ELLIPSIS if lead else ELLIPSIS
        parts = [seg for seg, _ in segments]
        parts[index] = body + tail
        return "".join(parts)

    # Binary search on the number of words kept: length grows with n.
    lo, hi, best = 0, len(words) - 1, None
    while lo <= hi:
        mid = (lo + hi) // 2
        candidate = attempt(mid)
        if measure(candidate, weighted=weighted) <= limit:
            best, lo = candidate, mid + 1
        else:
            hi = mid - 1
    if best is not None and best.strip(ELLIPSIS + " \n") == "":
        return None
    return best


def _trailing_space(s: str) -> str:
    return s[len(s.rstrip()) :]


def _protected_spans(text: str, keep: Iterable[str]) -> list[tuple[int, int]]:
    spans = [m.span() for m in URL_RE.finditer(text)]
    for k in keep:
        if k:
            spans += [m.span() for m in re.finditer(re.escape(k), text)]
    return sorted(spans)


def _split_segments(text: str, spans: list[tuple[int, int]]) -> list[tuple[str, bool]]:
    out: list[tuple[str, bool]] = []
    pos = 0
    for start, end in spans:
        if start < pos:  # overlapping protections
            start = pos
        if end <= pos:
            continue
        out.append((text[pos:start], False))
        out.append((text[start:end], True))
        pos = end
    out.append((text[pos:], False))
    return out


def split_thread(text: str, *, limit: int, weighted: bool, link: str | None = None) -> list[str]:
    """Split into numbered parts (`… 1/3`), each within `limit`, the link in the first.

    Words are never broken; paragraph breaks are kept inside a part.
    """
    if measure(text, weighted=weighted) <= limit:
        return [text]
    link_in_text = link is not None and link in text
    body = text.replace(link, "") if link is not None and link_in_text else text
    body = re.sub(r"[ \t]+\n", "\n", re.sub(r"[ \t]{2,}", " ", body)).strip()
    words = re.findall(r"\S+\s*", body)
    count_guess = 2
    for _ in range(4):  # the suffix width depends on the part count; settle it
        parts = _pack(
            words,
            limit=limit,
            weighted=weighted,
            total=count_guess,
            link=link if link_in_text else None,
        )
        if len(parts) == count_guess:
            return parts
        count_guess = len(parts)
    return parts


def _pack(
    words: list[str], *, limit: int, weighted: bool, total: int, link: str | None
) -> list[str]:
    parts: list[str] = []
    current: list[str] = []

    def finish(chunk: list[str], number: int) -> str:
        core = "".join(chunk).rstrip()
        if number == 1 and link:
            core = f"{core}\n{link}" if core else link
        return f"{core} {number}/{total}"

    for word in words:
        trial = [*current, word]
        if measure(finish(trial, len(parts) + 1), weighted=weighted) <= limit:
            current = trial
            continue
        if not current:
            raise TextTooLong(
                f"a single word is longer than the {limit}-character limit: {word[:40]!r}"
            )
        parts.append(finish(current, len(parts) + 1))
        current = [word]
    if current or not parts:
        parts.append(finish(current, len(parts) + 1))
    return parts
