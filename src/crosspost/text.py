"""Text rules: Markdown to plain text, lengths as each network counts them, and
fitting a text into its limit (shorten at a word, or split into a thread).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from itertools import pairwise

from .errors import TextTooLong

ELLIPSIS = "…"
# A text's length as a network counts it (`crosspost.networks.LengthCounter`).
LengthCounter = Callable[[str], int]
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
    """X's count: twitter-text v3 weights (every URL 23, CJK and emoji 2); see xlength.

    Cached: shortening and threading measure the same candidates many times.
    """
    from .xlength import weighted_length as x_weighted_length

    return x_weighted_length(text)


def shorten(text: str, *, limit: int, count: LengthCounter, keep: Iterable[str] = ()) -> str:
    """Cut prose at a word boundary with an ellipsis until the text fits.

    URLs (and any string in `keep`) are never cut or dropped: the words removed
    are taken from the end of the longest stretch of prose between them.
    """
    if count(text) <= limit:
        return text
    protected = _protected_spans(text, keep)
    segments = _split_segments(text, protected)  # (text, is_protected)
    order = sorted(
        (i for i, (seg, prot) in enumerate(segments) if not prot and seg.strip()),
        key=lambda i: -len(segments[i][0]),
    )
    for index in order:
        original = segments[index][0]
        fitted = _cut_segment(segments, index, original, limit=limit, count=count)
        if fitted is not None:
            return fitted
        # Not enough even with this stretch emptied: drop it and try the next one.
        segments[index] = (_trailing_space(original), False)
    raise TextTooLong(
        f"the text cannot be shortened to {limit} characters without cutting its link"
    )


def _cut_segment(
    segments: list[tuple[str, bool]], index: int, original: str, *, limit: int, count: LengthCounter
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
        if count(candidate) <= limit:
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


# Threads.  A part ends where a reader would pause: each break between two words
# has a cost by what it falls on; the plan is the fewest parts, then the cheapest.
_COST_PARAGRAPH, _COST_SENTENCE, _COST_LINE, _COST_CLAUSE, _COST_WORD = 0, 1, 2, 4, 10
_COST_SHORT_PART = 40  # a part under a quarter of the limit: worse than any one break
_COST_DROPPED_TAG = 3  # each trailing hashtag the last part leaves out
_COST_SLACK = 2  # times the square of a part's unused fraction: evens the parts out

# Full stops that never end a sentence ("M. Durand"), and those that end one only
# before a capital ("…, etc. Ensuite").
_ABBREVIATIONS = frozenset(
    {"m.", "mm.", "mme.", "mmes.", "mlle.", "mr.", "mrs.", "ms.", "dr.", "pr.", "prof."}
    | {"st.", "ste.", "sr.", "jr.", "p.", "pp.", "cf.", "vs.", "e.g.", "i.e.", "env."}
    | {"fig.", "vol.", "n°."}
)
_ABBREVIATIONS_AT_END = frozenset({"etc.", "ex.", "inc.", "ltd.", "co.", "approx."})
_INITIALS_RE = re.compile(r"(?:[^\W\d_]\.)+")  # J. (never an end) or U.S.
# Words break at ASCII spaces only: a no-break space (French "jeudi !") holds.
_ATOM_RE = re.compile(r"[^ \t\n]+[ \t\n]*")
_OPENER_RE = re.compile(r"[«(\[{\"“‘–—-]+")  # belongs to the word after it
_DASH_RE = re.compile(r"[–—-]\s")
_CLOSERS = "»\"'’”)\\]"
_SENTENCE_END_RE = re.compile(rf"[.!?…][{_CLOSERS}\s]*$")
_CLAUSE_END_RE = re.compile(rf"[,;:][{_CLOSERS}\s]*$")
_TRAILING_SYMBOLS_RE = re.compile(rf"[^\w\s.!?…,;:{_CLOSERS}]+$")  # an emoji after the stop
_THOUSANDS_RE = re.compile(r"\d{3}(?:[.,]\d+)?[^\w\s]*")  # the "250" of "1 250"
_NUMBER_END_RE = re.compile(r"(?:^|\s)\d{1,3}$")
_TRAILING_TAGS_RE = re.compile(r"(?:\s+#\w+)+$")


def split_thread(
    text: str, *, limit: int, count: LengthCounter, link: str | None = None
) -> list[str]:
    """Split into numbered parts (`… 1/3`), each within `limit`, the link in the first.

    Parts end, by preference, at a paragraph, a sentence, a line, a clause, then
    between words; a word, URL, hashtag or mention is never broken.  No part is
    under a quarter of the limit where another split avoids it.  Trailing hashtags
    that do not fit the last part are left out rather than given a part of their
    own.  Runs of blank lines collapse to one; a single part is not numbered.
    """
    text = _collapse_blank_lines(text)
    if count(text) <= limit:
        return [text]
    prose, sep, tags = _trailing_tags(text)
    if tags and count(prose) <= limit:
        return [_fit_tags(prose, sep, tags, limit=limit, count=count)]
    link_in_text = link is not None and link in text
    body = text.replace(link, "") if link is not None and link_in_text else text
    body = _collapse_blank_lines(re.sub(r"[ \t]{2,}", " ", body))
    return _thread(body, limit=limit, count=count, link=link if link_in_text else None)


def _collapse_blank_lines(text: str) -> str:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _trailing_tags(text: str) -> tuple[str, str, list[str]]:
    """The text before its closing run of hashtags, the space before them, and the tags."""
    match = _TRAILING_TAGS_RE.search(text)
    if match is None or not text[: match.start()].strip():
        return text, "", []
    block = match.group()
    lead = block[: len(block) - len(block.lstrip())]
    sep = "\n\n" if "\n\n" in lead else "\n" if "\n" in lead else " "
    return text[: match.start()], sep, block.split()


def _fit_tags(prose: str, sep: str, tags: list[str], *, limit: int, count: LengthCounter) -> str:
    """`prose` with as many of its trailing tags as fit, dropped from the end."""
    for kept in range(len(tags), 0, -1):
        candidate = prose + sep + " ".join(tags[:kept])
        if count(candidate) <= limit:
            return candidate
    return prose


def _thread(body: str, *, limit: int, count: LengthCounter, link: str | None) -> list[str]:
    prose, sep, tags = _trailing_tags(body)
    atoms = _thread_atoms(prose)
    if not atoms:
        raise TextTooLong(f"the link alone is longer than the {limit}-character limit")
    widths = [(count(word), len(space)) for word, space in atoms]
    following = [word for word, _ in atoms[1:]] + [""]
    costs = [_break_cost(w, s, nxt) for (w, s), nxt in zip(atoms, following, strict=True)]
    tag_widths = [0]
    for tag in tags:
        gap = len(sep) if len(tag_widths) == 1 else 1
        tag_widths.append(tag_widths[-1] + gap + count(tag))
    first_extra = 1 + count(link) if link else 0
    budget, digits = limit, 1
    while budget > 0:
        plan = _plan(
            widths,
            costs,
            budget=budget,
            limit=limit,
            first_extra=first_extra,
            suffix=2 + 2 * digits,  # " k/N" at its widest
            tag_widths=tag_widths,
        )
        if plan is None:
            word = max(atoms, key=lambda atom: count(atom[0]))[0]
            raise TextTooLong(
                f"a single word is longer than the {limit}-character limit: {word[:40]!r}"
            )
        starts, kept = plan
        if len(str(len(starts))) > digits:
            digits = len(str(len(starts)))
            continue
        parts = _assemble(atoms, starts, link=link, sep=sep, tags=tags[:kept])
        # Widths were summed word by word; X's count of the whole has the last word.
        over = max(count(part) for part in parts) - limit
        if over <= 0:
            return parts
        budget -= over
    raise TextTooLong(f"the text cannot be split into parts of {limit} characters")


def _thread_atoms(prose: str) -> list[tuple[str, str]]:
    """Words with the space after them; punctuation that cannot open a line is glued on."""
    atoms: list[tuple[str, str]] = []
    opener = ""
    for match in _ATOM_RE.finditer(prose):
        word = opener + match.group().rstrip(" \t\n")
        space = match.group()[len(word) - len(opener) :]
        opener = ""
        if _OPENER_RE.fullmatch(word) and "\n" not in space:
            opener = word + space  # « and ( go with the word after them
        elif atoms and "\n" not in atoms[-1][1] and _glues_back(atoms[-1][0], word):
            before, gap = atoms[-1]
            atoms[-1] = (before + gap + word, space)  # "jeudi !", "40 %", "1 250", "bien. 🎉"
        else:
            atoms.append((word, space))
    if opener:
        atoms.append((opener.rstrip(), ""))
    return atoms


def _glues_back(before: str, word: str) -> bool:
    if not any(char.isalnum() for char in word):
        return True
    return bool(_THOUSANDS_RE.fullmatch(word) and _NUMBER_END_RE.search(before))


def _break_cost(word: str, space: str, following: str) -> int:
    """What a break after `word` costs the reader, by what it falls on."""
    if "\n\n" in space:
        return _COST_PARAGRAPH
    core = _TRAILING_SYMBOLS_RE.sub("", word).rstrip()
    if _SENTENCE_END_RE.search(core) and _ends_sentence(core, following):
        return _COST_SENTENCE
    if "\n" in space:
        return _COST_LINE
    if _CLAUSE_END_RE.search(core) or _DASH_RE.match(following):
        return _COST_CLAUSE
    return _COST_WORD


def _ends_sentence(core: str, following: str) -> bool:
    last = core.split()[-1].lower().rstrip(_CLOSERS + " ")
    if last in _ABBREVIATIONS:
        return False
    capital = next((char.isupper() for char in following if char.isalpha()), False)
    if last in _ABBREVIATIONS_AT_END:
        return capital
    if _INITIALS_RE.fullmatch(last):
        return capital and len(last) > 2  # "U.S. The" may end one; "J. Dupont" does not
    return True


def _plan(
    widths: list[tuple[int, int]],
    costs: list[int],
    *,
    budget: int,
    limit: int,
    first_extra: int,
    suffix: int,
    tag_widths: list[int],
) -> tuple[list[int], int] | None:
    """Where each part starts and how many trailing tags the last keeps, or None.

    The fewest parts first, then the lowest cost: the breaks, the slack of each
    part, a part under a quarter of the limit, the tags left out.
    """
    n = len(widths)
    prefix = [0]
    for word, space in widths:
        prefix.append(prefix[-1] + word + space)
    # best[j]: the best plan for the first j words, as (parts, cost, start of the last, tags)
    best: list[tuple[int, float, int, int] | None] = [(0, 0.0, -1, 0)] + [None] * n
    for end in range(1, n + 1):
        for start in range(end - 1, -1, -1):
            length = prefix[end] - prefix[start] - widths[end - 1][1] + suffix
            length += first_extra if start == 0 else 0
            if length > budget:
                break
            before = best[start]
            if before is None:
                continue
            kept = 0
            if end == n:
                while kept + 1 < len(tag_widths) and length + tag_widths[kept + 1] <= budget:
                    kept += 1
            cost = before[1] + _part_cost(length + tag_widths[kept], budget=budget, limit=limit)
            cost += costs[start - 1] if start else 0
            cost += _COST_DROPPED_TAG * (len(tag_widths) - 1 - kept) if end == n else 0
            candidate = (before[0] + 1, cost, start, kept)
            current = best[end]
            if current is None or candidate[:2] < current[:2]:
                best[end] = candidate
    if best[n] is None:
        return None
    starts, at = [], n
    while at > 0:
        step = best[at]
        assert step is not None
        starts.append(step[2])
        at = step[2]
    final = best[n]
    assert final is not None
    return starts[::-1], final[3]


def _part_cost(length: int, *, budget: int, limit: int) -> float:
    slack = max(budget - length, 0) / budget
    return _COST_SLACK * slack * slack + (_COST_SHORT_PART if length * 4 < limit else 0)


def _assemble(
    atoms: list[tuple[str, str]], starts: list[int], *, link: str | None, sep: str, tags: list[str]
) -> list[str]:
    total = len(starts)
    bounds = [*starts, len(atoms)]
    parts = []
    for number, (start, end) in enumerate(pairwise(bounds), 1):
        part = "".join(word + space for word, space in atoms[start:end]).rstrip()
        if number == 1 and link:
            part = f"{part}\n{link}"
        if number == total and tags:
            part += sep + " ".join(tags)
        if total > 1:
            part += f" {number}/{total}"
        parts.append(part)
    return parts
