"""What crosspost costs next to the networks it waits for (issue 11's goals).

Every API (X, Graph, LinkedIn and bit.ly, on the sandbox) answers each request
after LATENCY seconds, as in the peers' measurement the goals come from. Each
pair of commands is run alternately (A, B, A, B...), so a slower minute of the
machine weighs on both; medians are printed, and the CPU (user + system) and
peak memory of each crosspost process.

- one post to 3 networks after its dry run (links cached), and cold;
- 3 posts x 3 networks scheduled ahead, sent by one `run`;
- the CPU of one `publish` and of `publish --dry-run examples/*.md`;
- `crosspost run` with nothing due, and `--help`, against `import typer, rich`.

The peers were measured once on the same kind of machine with the same
latency (the issue's table), not re-run here: @humanwhocodes/crosspost 3.48 s
for one post to three networks, SiloRider 14.09 s for 3 posts x 3 networks.

    python bench/costs.py [--runs 5] [--latency 1.5]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from _timing import ROOT, SANDBOX_CHANNELS, crosspost_cmd

PEER_PUBLISH = 3.48  # @humanwhocodes/crosspost, one post to 3 networks, 1.5 s per request
PEER_RUN = 14.09  # SiloRider, 3 posts x 3 networks
SHORTENER = "shortener:\n  service: bitly\n  token: ${K}\n"
NETWORKS = ("twitter", "facebook", "linkedin", "bitly")


@dataclass
class Sample:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)

    def add(self, wall: float, cpu: float, rss_mb: float) -> None:
        self.wall.append(wall)
        self.cpu.append(cpu)
        self.rss_mb.append(rss_mb)

    @property
    def median(self) -> float:
        return statistics.median(self.wall)


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak RSS in MB) of one run of `cmd`."""
    full_env = {**os.environ, **env}
    # Measure an installed crosspost: bytecode cached (the warm-up round writes it).
    full_env.pop("PYTHONDONTWRITEBYTECODE", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, env=full_env, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr.decode()[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, after.ru_maxrss / 1024


def alternate(runs: int, **cases: Callable[[int], tuple[float, float, float]]) -> dict[str, Sample]:
    """Each case once per round, in turn, `runs` rounds (after one warm-up round)."""
    samples = {name: Sample() for name in cases}
    for n in range(runs + 1):
        for name, case in cases.items():
            measured = case(n)
            if n:  # round 0 warms the bytecode cache and the disk
                samples[name].add(*measured)
    return samples


def post_file(tmp: Path, name: str) -> Path:
    path = tmp / f"{name}.md"
    path.write_text(
        f"---\ntitle: Benchmark {name}\nurl: https://blog.example.com/{name}\n---\nBody.\n"
    )
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--latency", type=float, default=1.5)
    args = parser.parse_args()
    from crosspost.sandbox import start_sandbox

    with tempfile.TemporaryDirectory() as tmp_name, start_sandbox() as sb:
        tmp = Path(tmp_name)
        config = tmp / "channels.yaml"
        config.write_text(SHORTENER + SANDBOX_CHANNELS)
        env = {"K": "bench-credential", "CROSSPOST_HOME": str(tmp / "home")}
        base = ["--config", str(config)]

        def publish(name: str, *extra: str) -> tuple[float, float, float]:
            return timed(
                crosspost_cmd(
                    *base, "publish", "--sandbox", sb.url, *extra, str(post_file(tmp, name))
                ),
                env,
            )

        def warm(n: int) -> tuple[float, float, float]:
            timed(  # the dry run makes the links (not timed)
                crosspost_cmd(
                    *base, "publish", "--dry-run", "--sandbox", sb.url, str(post_file(tmp, f"w{n}"))
                ),
                env,
            )
            return publish(f"w{n}")

        def scheduled_run(n: int) -> tuple[float, float, float]:
            home = tmp / f"run-{n}"
            run_env = {**env, "CROSSPOST_HOME": str(home)}
            for i in range(3):
                timed(
                    crosspost_cmd(
                        *base,
                        "schedule",
                        "--at",
                        "now",
                        "--sandbox",
                        sb.url,
                        str(post_file(tmp, f"r{n}-{i}")),
                    ),
                    run_env,
                )
            return timed(crosspost_cmd(*base, "run", "--sandbox", sb.url), run_env)

        for network in NETWORKS:
            sb.latency(network, args.latency)
        sends = alternate(
            args.runs,
            warm=warm,
            cold=lambda n: publish(f"c{n}"),
            run=scheduled_run,
        )
        for network in NETWORKS:
            sb.latency(network, 0)
        cpu = alternate(
            args.runs,
            publish=lambda n: publish(f"p{n}"),
            dry_run=lambda n: timed(
                crosspost_cmd(
                    "--config",
                    str(ROOT / "channels.yaml"),
                    "publish",
                    "--dry-run",
                    "--no-shorten",
                    *sorted(str(p) for p in (ROOT / "examples").glob("*.md")),
                ),
                env,
            ),
        )
        idle_home = {**env, "CROSSPOST_HOME": str(tmp / "idle")}
        start = alternate(
            args.runs * 3,
            typer=lambda n: timed([sys.executable, "-c", "import typer, rich"], env),
            idle_run=lambda n: timed(crosspost_cmd("run"), idle_home),
            help=lambda n: timed(crosspost_cmd("--help"), env),
        )

    lat = args.latency
    print(f"every API answers after {lat} s; medians of {args.runs} alternating rounds")
    if lat != 1.5:
        print("(the peers were measured at 1.5 s per request: their ratios mean little here)")
    print()
    w, c, r = sends["warm"], sends["cold"], sends["run"]
    line("publish, links made by the dry run", w.median, PEER_PUBLISH, "0.55x peer")
    print(f"{'':36}  ({lat:g} s of network, {w.median - lat:.2f} s of our own)")
    line("publish, cold", c.median, PEER_PUBLISH, "0.95x peer")
    line("run, 3 posts x 3 networks ahead", r.median, PEER_RUN, "0.35x peer")
    p, d = cpu["publish"], cpu["dry_run"]
    line("CPU of one publish (3 networks)", statistics.median(p.cpu), None, "0.35 s")
    line("CPU of publish --dry-run examples", statistics.median(d.cpu), None, "0.4 s")
    t, i, h = start["typer"], start["idle_run"], start["help"]
    line("import typer, rich", t.median, None, "")
    line("run, nothing due", i.median, t.median, "1.5x import typer, rich")
    line("--help", h.median, t.median, "1.3x import typer, rich")
    peak = max(max(s.rss_mb) for s in (*sends.values(), *cpu.values()))
    print(f"{'peak memory of a crosspost process':36}  {peak:6.0f} MB")


def line(label: str, seconds: float, against: float | None, goal: str) -> None:
    ratio = f"  {seconds / against:4.2f}x" if against else " " * 7
    print(f"{label:36}  {seconds:6.3f} s{ratio}  {'goal ' + goal if goal else ''}")


if __name__ == "__main__":
    main()
