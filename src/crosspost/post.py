"""Reading a post: a Markdown file with YAML (`---`) or TOML (`+++`) front matter."""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from .config.wording import WRITE_A_DATE, WRITE_A_DATETIME, bad_timestamp, yaml_hint
from .errors import PostError

# Fields crosspost itself understands; anything else is kept for templates.
KNOWN_FIELDS = frozenset(
    {
        "title",
        "url",
        "summary",
        "tags",
        "image",
        "image_alt",
        "lang",
        "audience",
        "publish_at",
        "channels",
    }
)

_TOML_WHERE = re.compile(r"\s*\(at line (\d+), column (\d+)\)")


@dataclass(frozen=True)
class ChannelOverride:
    """A post's say over one channel: skip it, or replace its rendered text."""

    skip: bool = False
    text: str | None = None


@dataclass(frozen=True)
class Post:
    path: Path
    title: str
    body: str  # Markdown, as written
    url: str | None = None
    summary: str | None = None
    tags: tuple[str, ...] = ()
    image: str | None = None
    image_alt: str | None = None
    lang: str | None = None
    audience: tuple[str, ...] = ()
    publish_at: datetime | None = None
    overrides: dict[str, ChannelOverride] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    content_hash: str = ""

    @property
    def key(self) -> str:
        """What identifies this post in the ledger: its canonical URL, else its path."""
        return self.url or str(self.path.resolve())

    @property
    def slug(self) -> str:
        """A short name for UTM campaigns: the URL's last path segment, else the file stem."""
        if self.url:
            tail = self.url.split("?")[0].split("#")[0].rstrip("/").rsplit("/", 1)[-1]
            if tail:
                return re.sub(r"\.html?$", "", tail)
        return self.path.stem

    @property
    def image_path(self) -> Path | None:
        """The image as a local file (relative to the post), or None for none / a URL."""
        if not self.image or re.match(r"^https?://", self.image):
            return None
        return (self.path.parent / self.image).resolve()

    def template_vars(self) -> dict[str, Any]:
        """Every field, known and unknown, as templates see them under `post`."""
        from .text import markdown_to_text

        data: dict[str, Any] = dict(self.extra)
        data.update(
            title=self.title,
            url=self.url,
            summary=self.summary,
            tags=list(self.tags),
            image=self.image,
            image_alt=self.image_alt,
            lang=self.lang,
            audience=list(self.audience),
            publish_at=self.publish_at,
            body=self.body,
            text=markdown_to_text(self.body),
            path=str(self.path),
            slug=self.slug,
        )
        return data


def load_post(path: Path) -> Post:
    """Read and validate one post file."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PostError(f"{path}: no such post file") from None
    except IsADirectoryError:
        raise PostError(f"{path}: is a directory, not a post file") from None
    except UnicodeDecodeError as exc:
        raise PostError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    meta, body = _split_front_matter(path, raw)
    return _build_post(path, meta, body, raw)


def _split_front_matter(path: Path, raw: str) -> tuple[dict[str, Any], str]:
    import frontmatter
    from frontmatter.default_handlers import YAMLHandler

    text = raw.lstrip("\ufeff")
    first = text.split("\n", 1)[0].strip()
    if first == "+++":
        handler: Any = _TomlHandler()
    elif first == "---":
        handler = YAMLHandler()
    else:
        raise PostError(
            f"{path}:1: no front matter: start the file with a `---` (YAML) or `+++` (TOML) "
            "line, then `title:` and `url:`, then the same line again before the text"
        )
    if len(handler.FM_BOUNDARY.findall(text)) < 2:
        raise PostError(f"{path}: the front matter opened on line 1 is never closed with {first}")
    try:
        meta, body = frontmatter.parse(text, handler=handler)
    except ValueError as exc:  # PyYAML's bare error for a date that is none (2026-13-05)
        raise PostError(_bad_date(path, text, handler) or _front_matter_error(path, exc)) from None
    except Exception as exc:  # yaml / toml syntax errors, normalised below
        raise PostError(_front_matter_error(path, exc, text)) from None
    if not isinstance(meta, dict):
        raise PostError(f"{path}:2: front matter must be a mapping of `field: value` lines")
    return meta, body


class _TomlHandler:
    """Hugo's `+++` TOML front matter through the standard library's tomllib.

    python-frontmatter's own TOML handler needs the unmaintained `toml` package.
    """

    FM_BOUNDARY = re.compile(r"^\+{3}\s*$", re.MULTILINE)
    START_DELIMITER = END_DELIMITER = "+++"

    def detect(self, text: str) -> bool:
        return bool(self.FM_BOUNDARY.match(text))

    def split(self, text: str) -> tuple[str, str]:
        _, fm, content = self.FM_BOUNDARY.split(text, 2)
        return fm, content

    def load(self, fm: str, **_: Any) -> dict[str, Any]:
        return tomllib.loads(fm)


def _bad_date(path: Path, text: str, handler: Any) -> str | None:
    """`file:line: key: value is not a real date; ...` for the YAML date that failed."""
    import yaml

    if isinstance(handler, _TomlHandler):
        return None
    try:
        found = bad_timestamp(yaml.compose(handler.split(text)[0], Loader=yaml.SafeLoader))
    except yaml.YAMLError:
        return None
    if found is None:
        return None
    loc, line, value = found
    dotted = ".".join(str(p) for p in loc)
    return f"{path}:{line}: {dotted}: {value} is not a real date; {WRITE_A_DATE}"


def _front_matter_error(path: Path, exc: Exception, text: str = "") -> str:
    # The front matter handed to the parser starts with the rest of the opening
    # `---`/`+++` line, so its line N (1-based) is the file's line N.
    mark = getattr(exc, "problem_mark", None)
    if mark is not None:  # PyYAML, 0-based lines
        hint = yaml_hint(exc, text.splitlines())
        if hint:
            return f"{path}:{mark.line + 1}: {hint}"
        problem = getattr(exc, "problem", None) or str(exc)
        context, start = getattr(exc, "context", None), getattr(exc, "context_mark", None)
        message = f"{path}:{mark.line + 1}: front matter is not valid YAML: {problem}"
        if context and start is not None and start.line != mark.line:
            message += f" ({context}, started on line {start.line + 1})"
        return message
    if isinstance(exc, tomllib.TOMLDecodeError):
        found = _TOML_WHERE.search(str(exc))
        line = int(found.group(1)) if found else 1
        reason = _TOML_WHERE.sub("", str(exc))
        return f"{path}:{line}: front matter is not valid TOML: {reason}"
    return f"{path}: cannot read front matter: {exc}"


def _build_post(path: Path, meta: dict[str, Any], body: str, raw: str) -> Post:
    def text_field(name: str) -> str | None:
        value = meta.get(name)
        if value is None:
            return None
        if isinstance(value, (dict, list)):
            raise PostError(f"{path}: `{name}` must be text, not a {type(value).__name__}")
        return str(value).strip() or None

    title = text_field("title")
    if not title:
        raise PostError(f"{path}: the front matter has no `title:`; every post needs one")
    url = text_field("url")
    if url and not re.match(r"^https?://[^\s/]+", url):
        raise PostError(f"{path}: `url: {url}` is not an http(s) address")
    return Post(
        path=path,
        title=title,
        body=body.strip("\n"),
        url=url,
        summary=text_field("summary"),
        tags=_string_list(path, meta, "tags"),
        image=text_field("image"),
        image_alt=text_field("image_alt"),
        lang=text_field("lang"),
        audience=_string_list(path, meta, "audience"),
        publish_at=_datetime_field(path, meta.get("publish_at"), raw),
        overrides=_overrides(path, meta.get("channels")),
        extra={k: v for k, v in meta.items() if k not in KNOWN_FIELDS},
        content_hash=hashlib.sha256(
            json.dumps([meta, body], sort_keys=True, default=str).encode()
        ).hexdigest()[:16],
    )


def _string_list(path: Path, meta: dict[str, Any], name: str) -> tuple[str, ...]:
    value = meta.get(name)
    if value is None:
        return ()
    if isinstance(value, str):  # `tags: a, b` is a common shorthand
        return tuple(t.strip() for t in value.split(",") if t.strip())
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return tuple(str(v).strip() for v in value if str(v).strip())
    raise PostError(f"{path}: `{name}` must be a list of words, like `{name}: [a, b]`")


def _datetime_field(path: Path, value: Any, raw: str) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        # Never guess whether 05/12/2026 is May or December: ask for the one unambiguous form.
        where = _line_of(raw, "publish_at")
        raise PostError(
            f"{path}{where}: `publish_at: {value}` is not a date-time in ISO form; "
            f"{WRITE_A_DATETIME}"
        ) from None


def _line_of(raw: str, key: str) -> str:
    """`:N` for the front-matter line that sets `key` (YAML or TOML), or "" if none does."""
    for number, line in enumerate(raw.splitlines(), start=1):
        if re.match(rf"\s*{re.escape(key)}\s*[:=]", line):
            return f":{number}"
    return ""


def _overrides(path: Path, value: Any) -> dict[str, ChannelOverride]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise PostError(f"{path}: `channels` must map channel names to `false` or `{{text: ...}}`")
    out: dict[str, ChannelOverride] = {}
    for name, spec in value.items():
        if spec is False:
            out[str(name)] = ChannelOverride(skip=True)
        elif spec is True or spec is None:
            continue
        elif isinstance(spec, dict) and set(spec) <= {"text"} and isinstance(spec.get("text"), str):
            out[str(name)] = ChannelOverride(text=spec["text"].strip())
        else:
            raise PostError(
                f"{path}: channels.{name}: write `false` to skip this channel or "
                '`{text: "..."}` to replace its text'
            )
    return out
