"""Fan-out: publishing to X, Facebook and LinkedIn at once takes about as long
as the slowest network, not the sum.

The sandbox adds a fixed latency per network (X 0.4 s, Facebook 0.8 s,
LinkedIn 1.2 s per request); each run publishes a fresh post to the three
channels in-process and is timed end to end (preflight, ledger, requests).

Goal: the median publish within 1.2x of the slowest single channel published alone.

    python bench/fanout.py [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from _timing import SANDBOX_CHANNELS

LATENCY = {"twitter": 0.4, "facebook": 0.8, "linkedin": 1.2}


def publish_once(tmp: Path, sandbox_url: str, n: int, channels: list[str]) -> float:
    from crosspost.config import load_config
    from crosspost.post import load_post
    from crosspost.routing import select_channels
    from crosspost.sending.publish import Publisher

    config = load_config(tmp / "channels.yaml")
    post_file = tmp / f"post-{n}.md"
    post_file.write_text(
        f"---\ntitle: Benchmark post {n}\nurl: https://blog.example.com/bench-{n}\n---\nBody.\n"
    )
    post = load_post(post_file)
    start = time.perf_counter()
    result = Publisher(config=config, home=tmp / "home", sandbox_url=sandbox_url).publish(
        [post], select_channels(config, channels)
    )
    elapsed = time.perf_counter() - start
    assert all(o.state == "sent" for o in result.outcomes), result.outcomes
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    from crosspost.sandbox import start_sandbox

    os.environ["K"] = "bench-credential"
    with tempfile.TemporaryDirectory() as tmp_name, start_sandbox() as sb:
        tmp = Path(tmp_name)
        (tmp / "channels.yaml").write_text(SANDBOX_CHANNELS)
        for network, seconds in LATENCY.items():
            sb.latency(network, seconds)
        publish_once(tmp, sb.url, 0, ["x"])  # warm-up: imports, ledger creation
        counter = iter(range(1, 10_000))
        single = {
            name: statistics.median(
                publish_once(tmp, sb.url, next(counter), [name]) for _ in range(runs)
            )
            for name in ("x", "fb", "li")
        }
        fanout = statistics.median(
            publish_once(tmp, sb.url, next(counter), ["x", "fb", "li"]) for _ in range(runs)
        )
    slowest = max(single.values())
    print(f"fan-out over the sandbox, {runs} runs each, latency {LATENCY}")
    for name, seconds in single.items():
        print(f"  {name:<4} alone      median {seconds:6.3f} s")
    print(f"  all three at once median {fanout:6.3f} s")
    print(f"  sum of the three        {sum(single.values()):6.3f} s")
    print(f"  ratio to the slowest    {fanout / slowest:6.2f}x  (goal: <= 1.20x)")


if __name__ == "__main__":
    main()
