"""Queue scale: `crosspost run` with 100 and with 100,000 queued deliveries and
nothing due, and with 50 due over the sandbox.

A year of queued deliveries for an agency must not slow the cron job: due
deliveries are found through an index.  Goal: the 100,000 case within 2x of
the 100 case.

    python bench/queue_scale.py [--runs 9]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _timing import SANDBOX_CHANNELS, crosspost_cmd, report, time_command


def fill(home: Path, *, queued: int, due: int, batch: int = 0) -> None:
    """`queued` deliveries due over the next year and `due` due now, in one transaction."""
    from crosspost.ledger import Ledger, default_ledger_path

    path = default_ledger_path(home)
    with Ledger.open(path):
        pass  # creates the file and its schema
    now = datetime.now(UTC)
    stamp = now.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    rows = []
    for n in range(queued + due):
        when = now - timedelta(minutes=1) if n < due else now + timedelta(minutes=5 + n % 525_600)
        channel = "x" if n % 2 else "fb"
        # Unique per batch: X (and the sandbox) refuse a duplicate text.
        text = f"Queued post number {n} of batch {batch} https://blog.example.com/{n}"
        rows.append(
            (
                f"https://blog.example.com/{n}",
                f"post-{n}.md",
                f"Post {n}",
                "h",
                channel,
                "twitter" if channel == "x" else "facebook",
                "pending",
                "direct",
                text,
                json.dumps([text]),
                f"https://blog.example.com/{n}",
                when.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                stamp,
                stamp,
            )
        )
    with sqlite3.connect(path) as db:
        db.executemany(
            "INSERT INTO deliveries (post_key, post_path, post_title, content_hash, channel,"
            " network, state, route, text, parts, link, due_at, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=9)
    runs = parser.parse_args().runs
    from crosspost.sandbox import start_sandbox

    results = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        config = tmp / "channels.yaml"
        config.write_text(SANDBOX_CHANNELS)
        env = {"K": "bench-credential"}
        for queued in (100, 100_000):
            home = tmp / f"home-{queued}"
            fill(home, queued=queued, due=0)
            cmd = crosspost_cmd("--config", str(config), "--home", str(home), "run")
            results.append(
                (f"run, {queued:,} queued, none due", time_command(cmd, runs=runs, env=env))
            )
        with start_sandbox() as sb:
            # Each timing sends 50 deliveries, so each gets a fresh ledger and no warm-up
            # (bytecode is already cached by the runs above).
            timings = []
            for attempt in range(runs):
                home = tmp / f"home-due-{attempt}"
                fill(home, queued=1_000, due=50, batch=attempt)
                cmd = crosspost_cmd(
                    "--config", str(config), "--home", str(home), "run", "--sandbox", sb.url
                )
                timings.append(time_command(cmd, runs=1, env=env, warm_up=False))
                assert len(sb.posts("twitter")) + len(sb.posts("facebook")) == 50 * (attempt + 1)
            results.append(("run, 50 due over the sandbox", statistics.median(timings)))
    print(f"queue scale, {runs} runs each")
    report(results, baseline="run, 100 queued, none due")


if __name__ == "__main__":
    main()
