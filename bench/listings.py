"""Listings at scale: `status`, `status --json`, `queue` and `report` with 100 and with
100,000 deliveries, as ratios of medians, with each command's peak memory.

The ledger of an agency a year in: a few posts sent this month, the rest
queued over the coming year, each with the events the ledger writes for it
(created, scheduled; claimed and sent for the sent ones).  A listing reads
one page and a count, the report only the months it shows, so the 100,000
case should cost what the 100 case does.  Goal: every ratio within 1.5x,
every peak under 80 MB.  The sizes alternate run by run, so that a machine
slowing down mid-way slows both alike.  `status --all --json` (every one of
the 100,000, streamed) is shown for its memory.

    python bench/listings.py [--runs 9]
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _timing import SANDBOX_CHANNELS, crosspost_cmd

SIZES = (100, 100_000)
SENT = 20  # sent this month, in both ledgers: the report's month has the same posts
COMMANDS = {
    "status": ["status"],
    "status --json": ["status", "--json"],
    "queue": ["queue"],
    "report": ["report"],
}
EXTRA = {"status --all --json": ["status", "--all", "--json"]}


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def fill(home: Path, *, size: int) -> None:
    """`size` deliveries: `SENT` sent this month, the others queued over the next year."""
    from crosspost.ledger import Ledger, default_ledger_path

    path = default_ledger_path(home)
    with Ledger.open(path):
        pass  # creates the file and its schema
    now = datetime.now(UTC)
    month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    deliveries, events = [], []
    for n in range(1, size + 1):
        channel = "x" if n % 2 else "fb"
        sent = n > size - SENT
        created = (
            month_start + timedelta(minutes=n % 600)
            if sent
            else now - timedelta(days=90) + timedelta(seconds=n * 77 % 7_776_000)
        )
        due = created if sent else now + timedelta(minutes=5 + n * 5 % 525_600)
        text = f"Post number {n} https://blog.example.com/{n}"
        deliveries.append(
            (
                n,
                f"https://blog.example.com/{n}",
                f"post-{n}.md",
                f"Post {n}",
                channel,
                "twitter" if channel == "x" else "facebook",
                "sent" if sent else "pending",
                text,
                json.dumps([text]),
                _stamp(due),
                _stamp(created),
                _stamp(created + timedelta(seconds=2) if sent else created),
                _stamp(created + timedelta(seconds=2)) if sent else None,
                f"r{n}" if sent else None,
            )
        )
        created_detail = {"post_key": f"https://blog.example.com/{n}", "due_at": None}
        events.append((n, channel, _stamp(created), "created", json.dumps(created_detail)))
        if sent:
            sending = json.dumps({"from": "pending", "attempt": 1})
            events.append((n, channel, _stamp(created + timedelta(seconds=1)), "sending", sending))
            sent_detail = json.dumps({"from": "sending", "remote_id": f"r{n}"})
            events.append((n, channel, _stamp(created + timedelta(seconds=2)), "sent", sent_detail))
        else:
            scheduled = json.dumps({"from": "pending", "due_at": _stamp(due)})
            events.append((n, channel, _stamp(created), "scheduled", scheduled))
    with sqlite3.connect(path) as db:
        db.executemany(
            "INSERT INTO deliveries (id, post_key, post_path, post_title, channel, network,"
            " state, text, parts, due_at, created_at, updated_at, sent_at, remote_id)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            deliveries,
        )
        db.executemany(
            "INSERT INTO events (delivery_id, channel, at, kind, detail) VALUES (?, ?, ?, ?, ?)",
            events,
        )


def measure(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall-clock seconds and peak memory (MiB, the child's ru_maxrss) of one run."""
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=errors, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode not in (0, 1):
            errors.seek(0)
            raise SystemExit(f"{' '.join(cmd)} failed:\n{errors.read().decode()[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024  # kilobytes on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--fill", nargs=2, metavar=("HOME", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.fill:
        fill(Path(args.fill[0]), size=int(args.fill[1]))
        return
    runs = args.runs
    env = {**os.environ, "K": "bench-credential", "COLUMNS": "120"}
    # Measure an installed crosspost: bytecode cached (the warm-up runs write it).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    samples: dict[tuple[str, int], list[tuple[float, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        config = tmp / "channels.yaml"
        config.write_text(SANDBOX_CHANNELS)

        def cmd(size: int, args: list[str]) -> list[str]:
            home = tmp / f"home-{size}"
            return crosspost_cmd("--config", str(config), "--home", str(home), *args)

        for size in SIZES:
            # In a process of its own: a child's peak memory counts its parent's at
            # the fork, so this one stays small.
            fill_cmd = [sys.executable, __file__, "--fill", str(tmp / f"home-{size}"), str(size)]
            subprocess.run(fill_cmd, check=True)
            for args in COMMANDS.values():
                measure(cmd(size, args), env)  # warm-up: bytecode, page cache
        for _ in range(runs):
            for size in SIZES:
                for name, args in COMMANDS.items():
                    samples.setdefault((name, size), []).append(measure(cmd(size, args), env))
        extra = {name: measure(cmd(SIZES[-1], args), env) for name, args in EXTRA.items()}
    small, large = SIZES
    print(f"listings, {runs} runs each, sizes alternating; medians")
    print(f"{'':<16}{small:>12,}{large:>12,}   ratio   peak MiB ({small:,} / {large:,})")
    for name in COMMANDS:
        t_small = statistics.median(t for t, _ in samples[(name, small)])
        t_large = statistics.median(t for t, _ in samples[(name, large)])
        m_small = max(m for _, m in samples[(name, small)])
        m_large = max(m for _, m in samples[(name, large)])
        print(
            f"{name:<16}{t_small * 1000:>9.0f} ms{t_large * 1000:>9.0f} ms"
            f"  {t_large / t_small:5.2f}x   {m_small:5.1f} / {m_large:5.1f}"
        )
    for name, (seconds, peak) in extra.items():
        print(f"{name:<16}{'':>12}{seconds * 1000:>9.0f} ms           {peak:5.1f} ({large:,} rows)")


if __name__ == "__main__":
    main()
