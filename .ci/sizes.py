"""Size check for src/: fail, naming file:line, on a module over 500 lines or a class over 300.

Size is a smell, not a rule (STYLE.md): past those sizes a module or a class
usually holds two things.  Functions are ruff's (PLR0912, max-branches 15).
Standard library only, so it runs before anything is installed.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

MAX_MODULE_LINES = 500
MAX_CLASS_LINES = 300

# Paths exempt from the limits while they are being split, each with why (none today).
# A path here is exempt from both limits; once it is within them (or gone),
# the check says so, so that the entry can be removed.
ALLOWED_OVER: set[str] = set()


def oversized(path: Path, shown: str) -> list[str]:
    """`file:line: what` for the module and each class in it past its limit."""
    text = path.read_text(encoding="utf-8")
    found = []
    lines = len(text.splitlines())
    if lines > MAX_MODULE_LINES:
        found.append(f"{shown}:1: module has {lines} lines (limit {MAX_MODULE_LINES})")
    for node in ast.walk(ast.parse(text, filename=shown)):
        if isinstance(node, ast.ClassDef):
            size = (node.end_lineno or node.lineno) - node.lineno + 1
            if size > MAX_CLASS_LINES:
                found.append(
                    f"{shown}:{node.lineno}: class {node.name} has {size} lines "
                    f"(limit {MAX_CLASS_LINES})"
                )
    return found


def main(root: Path) -> int:
    failures = []
    for path in sorted((root / "src").rglob("*.py")):
        shown = path.relative_to(root).as_posix()
        found = oversized(path, shown)
        if shown in ALLOWED_OVER:
            if not found:
                print(
                    f"{shown}: within the limits now; remove it from ALLOWED_OVER in .ci/sizes.py"
                )
            continue
        failures += found
    for shown in sorted(ALLOWED_OVER):
        if not (root / shown).exists():
            print(f"{shown}: no longer exists; remove it from ALLOWED_OVER in .ci/sizes.py")
    for line in failures:
        print(line, file=sys.stderr)
    if failures:
        print("split by concern (STYLE.md, Tooling); see .ci/sizes.py", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(Path(__file__).resolve().parent.parent))
