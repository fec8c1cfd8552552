"""Write `ledger-v4.sql`: a ledger as crosspost e949b54 (schema version 4) left it.

Run once, with that release's code first on the path, from the repository root:

    mkdir -p /tmp/v4 && git archive e949b54 src | tar -x -C /tmp/v4
    PYTHONPATH=/tmp/v4/src python tests/data/make_ledger_v4.py

The same history as `ledger-v3.sql` (every state a delivery can be in, many of
them undated: `due_at` NULL, "due now", as schema 4 stored it), written by the
v4 code, plus what v4 added: a short link being claimed, and an unknown
delivery whose listing proved it absent (pending again, undated).
`test_ledger_v4.py` loads the SQL text into a fresh file and opens it with the
current code.
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

from make_ledger_v3 import OWNER, T0, fill

from crosspost.ledger import Ledger


def fill_v4(ledger: Ledger) -> None:
    fill(ledger)
    ledger.claim_short_link(
        "https://blog.example/2024/hello/?utm_source=x-claimed",
        owner=OWNER,
        lease_seconds=60,
        now=T0,
    )
    absent = ledger.ensure_delivery(
        post_key="https://blog.example/2024/absent/",
        post_path="content/absent.md",
        post_title="Absent",
        content_hash="sha256:absent",
        channel="x-absent",
        network="twitter",
        text="Absent",
        parts=("Absent",),
        link="https://blog.example/2024/absent/",
    ).id
    ledger.claim(absent, owner=OWNER, lease_seconds=600)
    ledger.mark_unknown(absent, error="read timed out")
    ledger.mark_absent(absent, checked="timeline read back to the claim")
    # Dated, and due before the undated ones in time: the due order still puts
    # the undated first.
    early = ledger.ensure_delivery(
        post_key="https://blog.example/2024/early/",
        post_path="content/early.md",
        post_title="Early",
        content_hash="sha256:early",
        channel="x-early",
        network="twitter",
        text="Early",
        parts=("Early",),
        link="https://blog.example/2024/early/",
    ).id
    ledger.schedule(early, due_at=T0 - timedelta(days=30))


def main() -> None:
    out = Path(__file__).with_name("ledger-v4.sql")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ledger.sqlite3"
        with Ledger.open(path) as ledger:
            fill_v4(ledger)
        raw = sqlite3.connect(path)
        try:
            version = raw.execute("PRAGMA user_version").fetchone()[0]
            assert version == 4, version
            lines = list(raw.iterdump())
        finally:
            raw.close()
    out.write_text("\n".join([*lines, f"PRAGMA user_version={version};", ""]), encoding="utf-8")
    print(f"wrote {out} ({len(lines)} statements)", file=sys.stderr)


if __name__ == "__main__":
    main()
