"""A shared PostgreSQL ledger against the SQLite file.

1. `crosspost run` with nothing due (cron's every minute), a ledger of 100 queued
   deliveries: PostgreSQL against SQLite, run alternately (SQLite, PostgreSQL,
   SQLite...) so a slower moment of the machine weighs on both.  Goal: PostgreSQL
   at most 1.5x SQLite.
2. Three worker processes (each its own CROSSPOST_HOST) released together on 200
   due deliveries, each claiming what `due()` offers until nothing is left, over
   20+ repetitions.  Goal: every delivery claimed, none twice, in every repetition.

    python bench/shared_ledger.py [--runs 21] [--repeats 20] [--url postgresql://...]

Without --url a throw-away server is started from the system's PostgreSQL
binaries (tests/pgserver.py: initdb, pg_ctl, as the postgres user when root).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _timing import ROOT, crosspost_cmd, report

sys.path.insert(0, str(ROOT / "tests"))

WORKERS = 3
DELIVERIES = 200

CLAIMER = r"""
import json, sys, time
from pathlib import Path
from crosspost.ledger import open_store
ready, go = Path(sys.argv[2]), Path(sys.argv[3])
with open_store(Path(), sys.argv[1]) as ledger:
    owner = ledger.owner_id()
    ready.touch()
    while not go.exists():
        time.sleep(0.0005)
    won = []
    while due := ledger.due(limit=50):
        won += [d.id for d in due if ledger.claim(d.id, owner=owner, lease_seconds=600)]
print(json.dumps(won))
"""


def queue(location: str, *, due: int, later: int) -> None:
    """`due` deliveries due now and `later` due in the coming days, through the Store."""
    from crosspost.ledger import open_store

    now = datetime.now(UTC)
    with open_store(Path(), location) as ledger:
        for n in range(due + later):
            ledger.ensure_delivery(
                post_key=f"https://blog.example/{n}",
                post_path=None,
                post_title=f"Post {n}",
                content_hash="h",
                channel=("x", "fb", "li")[n % 3],
                network="twitter",
                text=f"Post number {n}",
                parts=[f"Post number {n}"],
                link=None,
                due_at=None if n < due else now + timedelta(days=1 + n % 300),
            )


def nothing_due(
    server: object | None, url: str | None, tmp: Path, runs: int
) -> list[tuple[str, float]]:
    """Median wall-clock of `crosspost run` with nothing due, SQLite and PostgreSQL alternating."""
    sqlite_home = tmp / "sqlite-home"
    from crosspost.ledger import default_ledger_path

    queue(str(default_ledger_path(sqlite_home)), due=0, later=100)
    pg_url = url or server.new_database("bench_idle")  # type: ignore[attr-defined]
    queue(pg_url, due=0, later=100)
    base = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    base.pop("CROSSPOST_LEDGER", None)
    envs = {
        "run, nothing due: SQLite": {**base, "CROSSPOST_HOME": str(sqlite_home)},
        "run, nothing due: PostgreSQL": {
            **base,
            "CROSSPOST_HOME": str(tmp / "pg-home"),
            "CROSSPOST_LEDGER": pg_url,
        },
    }
    command = crosspost_cmd("run")
    samples: dict[str, list[float]] = {name: [] for name in envs}
    for env in envs.values():  # warm-up: bytecode cached, the database's pages read
        subprocess.run(command, capture_output=True, env=env, check=True, cwd=tmp)
    for _ in range(runs):
        for name, env in envs.items():
            start = time.perf_counter()
            done = subprocess.run(command, capture_output=True, env=env, check=False, cwd=tmp)
            samples[name].append(time.perf_counter() - start)
            if done.returncode != 0 or done.stdout:
                raise SystemExit(f"{name}: exit {done.returncode}\n{done.stderr.decode()[-2000:]}")
    return [(name, statistics.median(values)) for name, values in samples.items()]


def claim_race(location: str, tmp: Path) -> tuple[float, list[int]]:
    """Three claimer processes released together on DELIVERIES due rows: the seconds
    from release to the last one done, and every id each won."""
    queue(location, due=DELIVERIES, later=0)
    go = tmp / "go"
    go.unlink(missing_ok=True)
    flags = [tmp / f"ready-{n}" for n in range(WORKERS)]
    for flag in flags:
        flag.unlink(missing_ok=True)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CLAIMER, location, str(flag), str(go)],
            env={**os.environ, "CROSSPOST_HOST": f"bench-host-{n}"},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n, flag in enumerate(flags)
    ]
    deadline = time.monotonic() + 60
    while not all(flag.exists() for flag in flags):
        if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
            raise SystemExit(f"claimers did not start: {[p.communicate() for p in procs]}")
        time.sleep(0.002)
    start = time.perf_counter()
    go.touch()
    won: list[int] = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        if proc.returncode != 0:
            raise SystemExit(f"a claimer failed:\n{err[-2000:]}")
        won += json.loads(out)
    return time.perf_counter() - start, won


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--url", help="an existing server's database (its tables are replaced)")
    args = parser.parse_args()
    server = None
    if args.url is None:
        from pgserver import start_server

        server = start_server()
    try:
        with tempfile.TemporaryDirectory() as tmp_name:
            tmp = Path(tmp_name)
            rows = nothing_due(server, args.url, tmp, args.runs)
            print(f"crosspost run with nothing due (100 queued), {args.runs} alternating runs")
            report(rows, baseline="run, nothing due: SQLite")
            seconds, doubles, missing = [], 0, 0
            for _ in range(args.repeats):
                url = server.new_database("bench_race") if server else args.url
                if server is None:
                    _reset(url)
                took, won = claim_race(url, tmp)
                seconds.append(took)
                doubles += len(won) - len(set(won))
                missing += DELIVERIES - len(set(won))
            print(
                f"\n{WORKERS} workers claiming {DELIVERIES} due deliveries, {args.repeats} "
                f"repetitions: median {statistics.median(seconds) * 1000:.0f} ms a repetition, "
                f"claimed twice {doubles}, never claimed {missing}"
            )
            if doubles or missing:
                raise SystemExit("FAILED: a delivery was claimed twice or not at all")
    finally:
        if server is not None:
            server.stop()


def _reset(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")


if __name__ == "__main__":
    main()
