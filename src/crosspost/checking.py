"""`crosspost check`: every template against channels.yaml, every post against every
channel, and every warning the dry run and the run would give, without a request."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import BadInput

if TYPE_CHECKING:
    from .workspace import Workspace


def check_all(ws: Workspace, posts: Sequence[Path]) -> list[str]:
    """The warnings, in order and once each; BadInput naming every problem found."""
    from .preview import preview_post
    from .render import check_template

    config = ws.config
    for channel in config.channels.values():
        check_template(config, channel)
    problems: list[str] = []
    warnings = [f"channel {name}: {why}" for name, why in ws.channel_notices().items()]
    for path in posts:
        try:
            post = ws.load_posts([path])[0]
            # Rendering is the only full check of a template against a post.
            previews = preview_post(config, post, ws.channels())
        except BadInput as exc:
            problems.append(str(exc))
            continue
        if post.image_path is not None and not post.image_path.is_file():
            problems.append(f"{path}: image {post.image!r} not found at {post.image_path}")
        warnings += [f"{path}: {pv.channel}: {w}" for pv in previews for w in pv.warnings]
    if problems:
        raise BadInput("\n".join(problems))
    return list(dict.fromkeys(warnings))
