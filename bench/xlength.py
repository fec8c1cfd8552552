"""X's weighted length: crosspost.xlength against twitter-text-parser (the test oracle).

Two figures for each, medians over the runs, the two taken in turn:
- import and first count: a fresh interpreter imports the counter and counts one
  post (what every `crosspost publish` pays once), timed inside that process once
  the standard-library modules both need are loaded;
- per count: one warm process counts a handful of posts, in microseconds each.

    python bench/xlength.py [--runs 15]

twitter-text-parser is a test dependency: pip install -e '.[test]'.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

POSTS = [
    "Rentrée 2026 à l'EBS : 1 250 étudiants, 40 % de plus qu'en 2025. Le programme, les "
    "dates et les inscriptions : https://blog.example.com/2026/09/rentree-ebs-programme "
    "#EBS #StudentLife @ebs_paris 🎓🎉",
    "東京大学の研究室で新しいロボットを発表しました。詳しくはこちら "
    "https://example.jp/robot 🤖👩🏽‍💻",
    "Open day on Saturday 🇫🇷🇬🇧 — labs, talks, food. Book at example.com/open-day, "
    "see you there! 👨‍👩‍👧‍👦 1️⃣ 2️⃣ 3️⃣ #OpenDay",
    "Plain text with no link, no emoji and nothing special in it at all, just words. " * 3,
]

# Run in a fresh interpreter: print the wall and CPU seconds of import + first count.
# The standard library both use (and crosspost imports anyway) is loaded first.
FIRST_COUNT = """
import collections, dataclasses, functools, math, pathlib, re, sys, time, typing, unicodedata
wall, cpu = time.perf_counter(), time.process_time()
{import_and_count}
print(time.perf_counter() - wall, time.process_time() - cpu)
"""
OURS = """
from crosspost.xlength import weighted_length
weighted_length(sys.argv[1])
"""
# twitter-text-parser reads its emoji table through pkg_resources, which recent
# setuptools lacks: the stand-in the tests use, for this one import.
THEIRS = """
import types
from pathlib import Path
shim = types.ModuleType("pkg_resources")
shim.resource_string = lambda m, n: (Path(sys.modules[m].__file__).parent / n).read_bytes()
real = sys.modules.get("pkg_resources")
sys.modules["pkg_resources"] = shim
from twitter_text import parse_tweet
sys.modules.pop("pkg_resources")
if real is not None:
    sys.modules["pkg_resources"] = real
parse_tweet(sys.argv[1]).weightedLength
"""
# In one warm process: the median microseconds of one count, over the posts.
PER_COUNT = """
import json, statistics, sys, time
{import_and_count}
count = {count}
posts = json.loads(sys.argv[2])
samples = []
for _ in range(200):
    for post in posts:
        start = time.perf_counter()
        count(post)
        samples.append(time.perf_counter() - start)
print(statistics.median(samples) * 1e6)
"""
COUNTERS = {
    "crosspost.xlength": (OURS, "weighted_length"),
    "twitter-text-parser": (THEIRS, "lambda text: parse_tweet(text).weightedLength"),
}


def run(code: str) -> list[float]:
    args = [sys.executable, "-c", code, POSTS[0], json.dumps(POSTS)]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    return [float(value) for value in out.split()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    first: dict[str, list[list[float]]] = {name: [] for name in COUNTERS}
    per: dict[str, list[float]] = {name: [] for name in COUNTERS}
    for _ in (*COUNTERS, "warm-up"):  # bytecode cached, files in the page cache
        for source, _count in COUNTERS.values():
            run(FIRST_COUNT.format(import_and_count=source))
    for round_number in range(runs):
        # Alternate which goes first, so that neither always runs on a warmer machine.
        names = list(COUNTERS)[:: 1 if round_number % 2 == 0 else -1]
        for name in names:
            source, count = COUNTERS[name]
            first[name].append(run(FIRST_COUNT.format(import_and_count=source)))
            per[name].append(run(PER_COUNT.format(import_and_count=source, count=count))[0])
    print(f"X weighted length, {runs} runs each (medians)")
    print(f"{'':<21}{'import + first count':>28}{'per count':>14}")
    for name in COUNTERS:
        wall = statistics.median(w for w, _ in first[name]) * 1000
        cpu = statistics.median(c for _, c in first[name]) * 1000
        each = statistics.median(per[name])
        print(f"{name:<21}{wall:>10.1f} ms wall {cpu:>7.1f} ms CPU{each:>9.1f} µs")


if __name__ == "__main__":
    main()
