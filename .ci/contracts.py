"""Keep the import contract "the core never imports the CLI" covering the whole core.

import-linter fails on a listed module that no longer exists, but a new
top-level module left off the list would silently escape the contract; this
fails, naming it, until it is added to `source_modules` in pyproject.toml.
Standard library only.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

PACKAGE = "crosspost"
NOT_CORE = {"crosspost.cli", "crosspost.__main__"}


def top_level_modules(package_dir: Path) -> set[str]:
    """Every importable module and package directly under `package_dir`."""
    found = set()
    for child in package_dir.iterdir():
        if child.suffix == ".py" and child.stem != "__init__":
            found.add(f"{PACKAGE}.{child.stem}")
        elif child.is_dir() and (child / "__init__.py").exists():
            found.add(f"{PACKAGE}.{child.name}")
    return found


def main(root: Path) -> int:
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    core = next(c for c in contracts if "crosspost.cli" in c.get("forbidden_modules", ()))
    listed = set(core["source_modules"])
    missing = sorted(top_level_modules(root / "src" / PACKAGE) - NOT_CORE - listed)
    for name in missing:
        print(
            f"pyproject.toml: {name} is not in the source_modules of {core['name']!r}; add it",
            file=sys.stderr,
        )
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(Path(__file__).resolve().parent.parent))
