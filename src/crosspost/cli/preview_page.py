"""`publish --dry-run --html FILE`: the dry run as one HTML page."""

import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def write_html_preview(
    config: Any, posts: Sequence[Any], previews: Sequence[Any], path: Path
) -> bool:
    """Write the page to `path` (or stdout for `-`); True when it went to stdout.

    An existing file is replaced: the page is made again after every edit, and
    a browser tab reloads it.  It is written whole then renamed, so a reload
    never reads half a page.
    """
    from ..errors import BadInput
    from ..preview_html import render_previews
    from .output import info

    page = render_previews(config, posts, previews)
    if str(path) == "-":
        sys.stdout.write(page)
        sys.stdout.flush()
        return True
    target = path.expanduser()
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(page)
        os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide it from whoever she shares it with
        os.replace(tmp, target)
    except OSError as exc:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        raise BadInput(
            f"cannot write the HTML preview {path}: {exc.strerror or exc}; "
            "give --html a file in a folder that exists"
        ) from None
    info(f"HTML preview written to {target} (open it in a browser)")
    return False
