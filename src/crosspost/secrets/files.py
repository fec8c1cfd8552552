"""Reading and writing the files secrets live in: HOME/env, the team file, its holders."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from ..errors import SecretsError


def read_optional(path: Path) -> str | None:
    """The text of `path`; None when there is no such file, SecretsError when unreadable."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise SecretsError(f"cannot read {path}: {exc.strerror}") from None


def write_atomically(path: Path, data: bytes, *, new_mode: int = 0o600) -> None:
    """Replace `path` with `data` in one rename (a reader sees the old file or the new,
    never half); a new file gets `new_mode`, an existing one keeps its own."""
    try:
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError:
        mode = new_mode
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
