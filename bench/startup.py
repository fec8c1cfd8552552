"""Start-up cost: `crosspost --help` and a dry run, against importing typer and rich.

Goal: `--help` within 1.5x of `python -c "import typer, rich"` (no network
client library, pydantic or jinja2 on that path).

    python bench/startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import sys
import tempfile

from _timing import ROOT, crosspost_cmd, report, time_command


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as home:
        env = {"CROSSPOST_HOME": home}
        dry_run = crosspost_cmd(
            "--config",
            str(ROOT / "channels.yaml"),
            "publish",
            "--dry-run",
            "--json",
            *sorted(str(p) for p in (ROOT / "examples").glob("*.md")),
        )
        rows = [
            (
                "import typer, rich",
                time_command([sys.executable, "-c", "import typer, rich"], runs=runs),
            ),
            ("crosspost --help", time_command(crosspost_cmd("--help"), runs=runs, env=env)),
            ("publish --dry-run (3 examples)", time_command(dry_run, runs=runs, env=env)),
        ]
    print(f"start-up, {runs} runs each")
    report(rows, baseline="import typer, rich")


if __name__ == "__main__":
    main()
