"""The words for the mistakes people make by hand, shared by channels.yaml and posts:
a misspelt name (with the closest known one), a YAML line that needs quotes, a date
not written YYYY-MM-DD.

Everything here returns text; the callers add `file:line:` and raise their own error.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

WRITE_A_DATE = "write the date as YYYY-MM-DD, e.g. 2026-12-05"
WRITE_A_DATETIME = (
    "write the date and time as YYYY-MM-DDTHH:MM, e.g. 2026-12-05T09:00 "
    "(add +01:00 for a time zone; a date alone means midnight)"
)

# More problems than this and the rest would scroll the first ones away (a log file passed
# as the config gave 25,201 lines); fixing these usually reveals or removes the others.
MAX_PROBLEMS = 20

# `key: value` on one line, possibly a list item; the key plain (no quotes, no flow).
_KEY_VALUE = re.compile(
    r"^(?P<indent>\s*(?:-\s+)?)(?P<key>[^\s:#'\"\[\]{}-][^:#]*?)\s*:\s+(?P<value>.*)$"
)
# Characters YAML reserves at the start of a plain value.
_RESERVED_START = ("@", "`")


def join_problems(problems: Sequence[str]) -> str:
    """One problem a line, duplicates dropped, the first MAX_PROBLEMS and `… and N more`."""
    unique = list(dict.fromkeys(problems))
    shown = unique[:MAX_PROBLEMS]
    if len(unique) > MAX_PROBLEMS:
        shown.append(f"… and {len(unique) - MAX_PROBLEMS} more")
    return "\n".join(shown)


def closest(name: str, known: Iterable[str]) -> str | None:
    """The known name nearest to `name` (a typo's intended word), or None when none is near."""
    found = difflib.get_close_matches(name, list(known), n=1, cutoff=0.5)
    return found[0] if found else None


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """`did you mean X?` for the closest known name, or "" when none is near."""
    match = closest(name, known)
    return f"did you mean {match}?" if match else ""


def unknown_name(kind: str, name: str, known: Iterable[str], *, where: str = "") -> str:
    """`no KIND named 'x' WHERE (did you mean y?)`, or `(known: a, b)` when nothing is near."""
    known = list(known)
    hint = did_you_mean(name, known) or f"known: {', '.join(known) or 'none'}"
    return f"no {kind} named {name!r}{f' {where}' if where else ''} ({hint})"


def unknown_audience(values: Sequence[str], brands: Sequence[str], *, where: str) -> str:
    """`audience gigner matches no channel (audiences in WHERE: ebs, ginger; did you mean
    ginger?)`: a misspelt audience would otherwise send a post nowhere."""
    guesses = [(v, g) for v in values if (g := closest(v, brands))]
    if len(guesses) == 1 and len(values) == 1:
        hint = f"; did you mean {guesses[0][1]}?"
    elif guesses:
        hint = "; did you mean " + ", ".join(f"{g} for {v}" for v, g in guesses) + "?"
    else:
        hint = ""
    return (
        f"audience {', '.join(values)} matches no channel "
        f"(audiences in {where}: {', '.join(brands) or 'none'}{hint})"
    )


def yaml_hint(exc: Any, lines: list[str]) -> str | None:
    """A clearer message for a YAML syntax error someone typing a value makes, or None.

    `title: Rentrée 2026 : ce qui change` is PyYAML's "mapping values are not
    allowed here"; a value starting with @ or ` "cannot start any token".  Both
    are fixed by quoting the value, so the message shows the line quoted.
    """
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or ""
    if mark is None or mark.line >= len(lines):
        return None
    line = lines[mark.line]
    if "'\\t'" in problem:
        return f"{problem}: indent with spaces, not tabs"
    found = _KEY_VALUE.match(line)
    if found is None or mark.column < found.start("value"):
        return None
    key, value = found.group("key"), _without_comment(found.group("value"))
    if not value or value[0] in "'\"[{|>":
        return None
    quoted = f"{key}: {json.dumps(value, ensure_ascii=False)}"
    if problem.startswith("mapping values are not allowed") and ":" in value:
        return f'the value of {key} contains ": "; put it in quotes: {quoted}'
    if "cannot start any token" in problem and value.startswith(_RESERVED_START):
        return (
            f"the value of {key} starts with {value[0]}, which YAML reserves; "
            f"put it in quotes: {quoted}"
        )
    return None


def _without_comment(value: str) -> str:
    """A plain YAML value without its trailing ` # comment`."""
    return re.split(r"\s#", value, maxsplit=1)[0].strip()


def bad_timestamp(root: Any) -> tuple[tuple[Any, ...], int, str] | None:
    """The first value YAML reads as a date but that is no real date (`2026-13-05`): its
    key path, its 1-based line and its text.  PyYAML raises a bare ValueError for those,
    with no line; the composed node tree still has it."""
    import yaml

    loader = yaml.SafeLoader("")

    def walk(node: Any, here: tuple[Any, ...]) -> tuple[tuple[Any, ...], int, str] | None:
        if isinstance(node, yaml.MappingNode):
            pairs = [((*here, k.value), v) for k, v in node.value]
        elif isinstance(node, yaml.SequenceNode):
            pairs = [((*here, i), v) for i, v in enumerate(node.value)]
        elif isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:timestamp":
            try:
                loader.construct_yaml_timestamp(node)
            except ValueError:
                return here, node.start_mark.line + 1, str(node.value)
            return None
        else:
            return None
        for path, child in pairs:
            found = walk(child, path)
            if found:
                return found
        return None

    return walk(root, ()) if root is not None else None
