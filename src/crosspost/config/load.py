"""Reading channels.yaml: the YAML, the line of every key, and the wording of errors.

Every problem reads `file:line: dotted.path: message`, so an editor can jump to
it; `Locator` is the one place that writes that shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ..errors import ConfigError
from ..home import unreadable_config
from .models import Config, ConfigFile
from .resolve import resolve_config
from .wording import WRITE_A_DATE, WRITE_A_DATETIME, bad_timestamp, join_problems, yaml_hint

# A key's path in the document (("channels", "x", "network"), ("feeds", 0)) -> its line.
LineIndex = dict[tuple[Any, ...], int]

# Pydantic's error types for a value that is no date (05/12/2026) or no date-time.
_DATE_ERRORS = frozenset(
    {"date_type", "date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact"}
)
_DATETIME_ERRORS = frozenset({"datetime_type", "datetime_parsing", "datetime_from_date_parsing"})

# channels.yaml is a page or two; a file past this is the wrong file, and PyYAML would take
# minutes over it.
MAX_CONFIG_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Locator:
    """Where a key sits in one channels.yaml, and how a problem with it is worded."""

    path: Path
    lines: LineIndex

    def line(self, loc: tuple[Any, ...]) -> int:
        """The line of `loc`, or of its nearest parent that appears in the file."""
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return 1

    def at(self, loc: tuple[Any, ...]) -> str:
        """`file:line` of `loc`."""
        return f"{self.path}:{self.line(loc)}"

    def problem(self, loc: tuple[Any, ...], message: str, *, dotted: str | None = None) -> str:
        """`file:line: dotted.path: message`; the dotted path is `loc`'s unless given."""
        if dotted is None:
            dotted = ".".join(str(p) for p in loc)
        return f"{self.at(loc)}: {dotted}: {message}"

    def validation_errors(self, exc: ValidationError, prefix: tuple[Any, ...] = ()) -> str:
        """Pydantic's errors, one line each, reworded where its own words do not help."""
        out = []
        for err in exc.errors():
            # Pydantic adds the union member or the literal tag to the location: drop those.
            loc = tuple(
                p
                for p in (*prefix, *err["loc"])
                if not (isinstance(p, str) and p.startswith(("literal[", "function-")))
            )
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                msg = (
                    "unknown setting (check its spelling, or see the README's channels.yaml "
                    "reference)"
                )
            elif err["type"] == "missing":
                msg = "required setting is missing"
            elif err["type"] in _DATE_ERRORS:
                msg = WRITE_A_DATE
            elif err["type"] in _DATETIME_ERRORS:
                msg = WRITE_A_DATETIME
            out.append(
                self.problem(loc, msg, dotted=".".join(str(p) for p in loc) or "(top level)")
            )
        return join_problems(out)


def load_config(path: Path) -> Config:
    """Read, validate and resolve channels.yaml."""
    text = _read_text(path)
    root, data = _parse_yaml(path, text)
    where = Locator(path, _line_index(root))
    if not isinstance(data, dict):
        raise ConfigError(f"{path}:1: expected a mapping with a `channels:` section")
    try:
        parsed = ConfigFile.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(where.validation_errors(exc)) from None
    return resolve_config(parsed, where)


def _read_text(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            # Read one byte past the limit, never the whole of a wrong file (a log, a disk image).
            raw = handle.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise unreadable_config(path, exc) from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError(
            f"{path}: over {MAX_CONFIG_BYTES // (1024 * 1024)} MB, too big for a channels.yaml; "
            "check that --config (or CROSSPOST_CONFIG) names the right file"
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None


class _StrictLoader(yaml.SafeLoader):
    """PyYAML's safe loader, noting every key a mapping gives twice (it keeps the last)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        # (the mapping, the key's first node, its repeat), in the order they are read.
        self.duplicates: list[tuple[yaml.MappingNode, yaml.Node, yaml.Node]] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, yaml.Node] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue  # `<<: *anchor` keys may be overridden: that is what they are for
            try:
                key = self.construct_object(key_node, deep=True)
                first = seen.setdefault(key, key_node)
            except (TypeError, yaml.YAMLError):
                continue  # an unhashable key: the constructor below words that error
            if first is not key_node:
                self.duplicates.append((node, first, key_node))
        return super().construct_mapping(node, deep=deep)


def _parse_yaml(path: Path, text: str) -> tuple[Any, Any]:
    """The YAML node tree (for line numbers) and the plain data, or a ConfigError.

    One pass: the tree is composed once and the data built from it (it was read twice).
    """
    root: Any = None
    try:
        _require_mapping(path, text)
        loader = _StrictLoader(text)
        try:
            root = loader.get_single_node()
            data = loader.construct_document(root) if root is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        raise ConfigError(_syntax_error(path, text, exc)) from None
    except ValueError:
        # A value YAML reads as a date that is none (2026-13-05): PyYAML names no line.
        found = bad_timestamp(root)
        if found is None:
            raise
        loc, line, value = found
        dotted = ".".join(str(p) for p in loc)
        raise ConfigError(
            f"{path}:{line}: {dotted}: {value} is not a real date; {WRITE_A_DATE}"
        ) from None
    if loader.duplicates:
        raise ConfigError(join_problems(_duplicate_problems(path, root, loader.duplicates)))
    return root, data


def _require_mapping(path: Path, text: str) -> None:
    """A ConfigError at once when the document does not start a mapping (a list, a log's
    text): PyYAML's parser is lazy, so only the first few tokens are read."""
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, (yaml.StreamStartEvent, yaml.DocumentStartEvent)):
            continue
        if isinstance(event, yaml.MappingStartEvent):
            return
        line = 1 if isinstance(event, yaml.StreamEndEvent) else event.start_mark.line + 1
        raise ConfigError(f"{path}:{line}: expected a mapping with a `channels:` section")


def _duplicate_problems(
    path: Path, root: yaml.Node, duplicates: list[tuple[yaml.MappingNode, yaml.Node, yaml.Node]]
) -> list[str]:
    where = _mapping_paths(root)
    out = []
    for mapping, first, again in duplicates:
        dotted = ".".join(str(p) for p in (*where.get(id(mapping), ()), again.value))
        out.append(
            f"{path}:{again.start_mark.line + 1}: {dotted} is given twice "
            f"(first at line {first.start_mark.line + 1}); keep one"
        )
    return out


def _mapping_paths(root: yaml.Node) -> dict[int, tuple[Any, ...]]:
    """Each mapping node of the document (by id) -> its key path, for naming a duplicate."""
    paths: dict[int, tuple[Any, ...]] = {}

    def walk(node: yaml.Node, here: tuple[Any, ...]) -> None:
        if isinstance(node, yaml.MappingNode):
            if id(node) in paths:
                return  # an alias: named by where the anchor is
            paths[id(node)] = here
            for key, value in node.value:
                walk(value, (*here, key.value))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, (*here, _item_name(item, i)))

    walk(root, ())
    return paths


def _item_name(node: yaml.Node, index: int) -> Any:
    """A list item by its `name:` (feeds.blog, as the other feed problems read), else its index."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == "name" and isinstance(value, yaml.ScalarNode) and value.value:
                return value.value
    return index


def _syntax_error(path: Path, text: str, exc: Any) -> str:
    mark = getattr(exc, "problem_mark", None)
    where = f"{path}:{mark.line + 1}" if mark else str(path)
    lines = text.splitlines()
    hint = yaml_hint(exc, lines)
    if hint:
        return f"{where}: {hint}"
    problem = getattr(exc, "problem", None) or str(exc)
    line = lines[mark.line] if mark and mark.line < len(lines) else ""
    if "${" in line and "{" in line.split("${")[0]:
        # `{token: ${X}}`: inside a flow mapping the braces of ${X} are YAML syntax.
        problem += '; inside { }, quote the reference ("${X}") or use one line per key'
    return f"{where}: not valid YAML: {problem}"


def _line_index(root: Any) -> LineIndex:
    """Map each key path in the YAML document to its 1-based line."""
    index: LineIndex = {}

    def walk(node: Any, here: tuple[Any, ...]) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                child = (*here, key.value)
                index[child] = key.start_mark.line + 1
                walk(value, child)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                index[(*here, i)] = item.start_mark.line + 1
                walk(item, (*here, i))

    if root is not None:
        walk(root, ())
    return index
