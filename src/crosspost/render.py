"""Rendering a post for one channel: the template, the hashtags, the length rule.

Templates run in Jinja2's sandbox with StrictUndefined, so a typo in a template
is an error naming the template and line, never a silently empty post.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from .config import ChannelConfig, Config
from .errors import TemplateError, TextTooLong
from .post import Post
from .text import URL_RE, shorten, split_thread

BUILTIN_TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class Rendered:
    """The exact text a channel will get."""

    parts: tuple[str, ...]
    length: int  # as the network counts it, of the longest part
    limit: int
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def text(self) -> str:
        return self.parts[0]


def hashtags_for(tags: Sequence[str], limit: int | None) -> list[str]:
    """`#CamelCase` hashtags from free-form tags, at most `limit` of them."""
    out: list[str] = []
    for tag in tags:
        words = re.findall(r"\w+", tag)
        if not words:
            continue
        joined = words[0] if len(words) == 1 else "".join(w[:1].upper() + w[1:] for w in words)
        tag_text = f"#{joined}"
        if tag_text not in out:
            out.append(tag_text)
    return out if limit is None else out[:limit]


@cache
def _environment(search_path: tuple[str, ...]) -> Any:
    from jinja2 import FileSystemLoader, StrictUndefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    env = ImmutableSandboxedEnvironment(
        loader=FileSystemLoader(list(search_path)),
        undefined=StrictUndefined,
        autoescape=False,  # plain text for social networks, not HTML
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_refuse_none,
    )
    env.filters["hashtags"] = lambda tags, n=None: " ".join(hashtags_for(tags, n))
    return env


def _refuse_none(value: Any) -> Any:
    # `{{ post.summary }}` on a post without a summary would publish "None".
    if value is None:
        from jinja2 import UndefinedError

        raise UndefinedError(
            "a printed value is empty (None): guard it with {% if ... %}, e.g. "
            "{% if post.summary %}{{ post.summary }}{% endif %}"
        )
    return value


def template_dirs(config: Config, channel: ChannelConfig) -> tuple[str, ...]:
    """The project's templates/ beside channels.yaml first, then the channel's network
    plugin's own, then the built-in ones (shared partials, the older networks')."""
    own = channel.info.templates
    return (
        str(config.base_dir / "templates"),
        *((str(own),) if own is not None else ()),
        str(BUILTIN_TEMPLATES),
    )


def check_template(config: Config, channel: ChannelConfig) -> None:
    """Load (and so syntax-check) a channel's template."""
    _load_template(config, channel, channel.template)


def _load_template(config: Config, channel: ChannelConfig, name: str) -> Any:
    from jinja2 import TemplateNotFound, TemplateSyntaxError

    env = _environment(template_dirs(config, channel))
    try:
        return env.get_template(name)
    except TemplateNotFound:
        dirs = " or ".join(template_dirs(config, channel))
        raise TemplateError(
            f"{config.path}:{channel.line}: channel {channel.name}: template {name!r} not found "
            f"in {dirs}"
        ) from None
    except TemplateSyntaxError as exc:
        where = exc.filename or name
        raise TemplateError(f"{where}:{exc.lineno}: template syntax error: {exc.message}") from None


def _render_source(
    config: Config, channel: ChannelConfig, source: str | None, variables: dict[str, Any]
) -> str:
    from jinja2 import TemplateError as JinjaError
    from jinja2 import TemplateSyntaxError

    env = _environment(template_dirs(config, channel))
    if source is not None:
        label = f"the post's channels.{channel.name}.text"
        try:
            template = env.from_string(source)
        except TemplateSyntaxError as exc:
            raise TemplateError(f"{label}: line {exc.lineno}: {exc.message}") from None
    else:
        template = _load_template(config, channel, channel.template)
        label = template.filename or channel.template
    try:
        return str(template.render(**variables))
    except JinjaError as exc:
        line = _template_line(exc, template.filename)
        where = f"{label}:{line}" if line else label
        message = getattr(exc, "message", None) or str(exc)
        if "'url' is undefined" in message:
            message += "; the post has no `url:` in its front matter"
        missing = re.match(r"'dict object' has no attribute '(\w+)'", message)
        if missing:
            fields = ", ".join(sorted(variables["post"]))
            message = f"the post has no field {missing.group(1)!r} (it has: {fields})"
        raise TemplateError(
            f"{where}: {message} (while rendering channel {channel.name})"
        ) from None


def _template_line(exc: BaseException, filename: str | None) -> int | None:
    """The template line an error was raised from, read off the traceback."""
    tb = exc.__traceback__
    line = None
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_filename in (filename, "<template>"):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def render(config: Config, channel: ChannelConfig, post: Post, *, url: str | None) -> Rendered:
    """The text `channel` would publish for `post`, fitted to the channel's limit."""
    tags = hashtags_for(post.tags, channel.spec.hashtags)
    variables: dict[str, Any] = {
        "post": post.template_vars(),
        "hashtags": tags,
        # A namespace, not a dict, so that a typo in `channel.x` is not reported
        # as a missing post field below.
        "channel": SimpleNamespace(
            name=channel.name,
            network=channel.network,
            max_length=channel.max_length,
            audience=list(channel.spec.audience),
        ),
    }
    if url:  # absent, not None: `{{ url }}` on a post without a URL must fail loudly
        variables["url"] = url
    override = post.overrides.get(channel.name)
    raw = _render_source(config, channel, override.text if override else None, variables)
    text = _tidy(raw)
    if not text:
        raise TemplateError(
            f"channel {channel.name}: template {channel.template} rendered an empty text"
        )
    warnings = _warnings(channel, post, text, url)
    limit = channel.max_length
    length = channel.length(text)
    parts: list[str] = [text]
    if length > limit:
        mode = channel.spec.overflow
        if mode == "fail":
            raise TextTooLong(
                f"channel {channel.name}: the text is {length} characters, {length - limit} over "
                f"the limit of {limit}; shorten the post's summary, set `overflow: shorten`"
                + (" or `thread`" if channel.threads else "")
                + f", or write `channels: {{{channel.name}: {{text: ...}}}}` in the post"
            )
        if mode == "thread":
            parts = split_thread(text, limit=limit, count=channel.length, link=url)
            warnings.append(
                f"{length} characters over a {limit} limit: split into a {len(parts)}-part thread"
            )
        else:
            keep = [url] if url else []
            try:
                parts = [shorten(text, limit=limit, count=channel.length, keep=keep)]
            except TextTooLong as exc:
                raise TextTooLong(f"channel {channel.name}: {exc}") from None
            warnings.append(f"shortened from {length} to fit the {limit} limit")
    longest = max(channel.length(p) for p in parts)
    return Rendered(parts=tuple(parts), length=longest, limit=limit, warnings=tuple(warnings))


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _warnings(channel: ChannelConfig, post: Post, text: str, url: str | None) -> list[str]:
    out = []
    info = channel.info
    if post.image and not info.images:
        out.append(f"{channel.network} takes no image from crosspost: the post goes without it")
    elif post.image and not post.image_alt:
        out.append("the image has no alt text (add `image_alt:` to the post)")
    elif post.image and not info.alt_text:
        out.append(f"{channel.network} takes no alt text from crosspost: the image goes without")
    elif post.image and url and not info.alt_text_with_link:
        out.append(
            f"on {channel.network} the image becomes the link card's thumbnail, which has "
            "no alt text: the alt text goes only with a post without a link"
        )
    if post.image_path is not None and not post.image_path.is_file():
        out.append(f"the image file {post.image_path} does not exist")
    used = re.findall(r"(?:^|\s)(#\w+)", text)
    advice = (
        channel.spec.hashtags if channel.spec.hashtags is not None else channel.info.hashtag_advice
    )
    if advice is not None and len(used) > advice:
        out.append(f"{len(used)} hashtags; {advice} or fewer read better on {channel.network}")
    if url and url not in text and not _attaches_link(channel, with_image=bool(post.image)):
        linked = URL_RE.findall(text)
        out.append(
            "the post's link is missing from the text"
            + (f" (it has {linked[0]} instead)" if linked else "")
        )
    return out


def _attaches_link(channel: ChannelConfig, *, with_image: bool) -> bool:
    info = channel.info
    return info.attaches_link and (info.attaches_link_with_image or not with_image)
