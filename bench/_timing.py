"""Shared helpers for the benchmark scripts: run a command N times, take medians."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


# Channels for the benchmarks: every credential reads $K (the sandbox takes any value).
SANDBOX_CHANNELS = """
defaults: {timeout: 10}
channels:
  x:
    network: twitter
    credentials:
      consumer_key: ${K}
      consumer_secret: ${K}
      access_token: ${K}
      access_token_secret: ${K}
  fb:
    network: facebook
    page_id: "111"
    credentials:
      page_token: ${K}
  li:
    network: linkedin
    author: urn:li:organization:42
    credentials:
      access_token: ${K}
"""


def crosspost_cmd(*args: str) -> list[str]:
    """crosspost as this interpreter runs it (the installed console script's own code path)."""
    return [sys.executable, "-c", "from crosspost.cli import main; main()", *args]


def time_command(
    cmd: Sequence[str], *, runs: int, env: dict[str, str] | None = None, warm_up: bool = True
) -> float:
    """Median wall-clock seconds of `runs` runs (after one warm-up run, unless the
    command changes state, like a run that sends what is due)."""
    full_env = {**os.environ, **(env or {})}
    # Measure an installed crosspost: its modules' bytecode cached, like the
    # libraries it is compared with (the warm-up run below writes the cache).
    full_env.pop("PYTHONDONTWRITEBYTECODE", None)
    if warm_up:
        subprocess.run(cmd, capture_output=True, env=full_env, check=False)
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, env=full_env, check=False)
        samples.append(time.perf_counter() - start)
        if proc.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr.decode()[-2000:]}")
    return statistics.median(samples)


def report(rows: Sequence[tuple[str, float]], *, baseline: str | None = None) -> None:
    base = dict(rows).get(baseline) if baseline else None
    width = max(len(name) for name, _ in rows)
    for name, seconds in rows:
        ratio = f"  {seconds / base:5.2f}x {baseline}" if base else ""
        print(f"{name:<{width}}  median {seconds * 1000:8.1f} ms{ratio}")
