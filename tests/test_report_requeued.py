"""A failed attempt put back in the queue is pending in the report, not failed (issue 8).

The ledger writes one `failed` event with `requeued: true` and leaves the
row `pending`; the report's replay must read the same thing, through the
CLI as a user runs it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import time_machine

from helpers import X_CREDS, run, write_config, write_post
from report_story import utc

ENV = {"X_KEY": "k", "X_SECRET": "s", "X_TOKEN": "t", "X_TOKEN_SECRET": "ts"}


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in ENV.items():
        monkeypatch.setenv(k, v)


def requeued_once(tmp_path: Path, sandbox: Any) -> Path:
    """X answers 503 to the first attempt's image upload (which creates no post), and the
    delivery goes back in the queue."""
    cfg = write_config(tmp_path, "  x:\n    network: twitter\n    retries: 2\n" + X_CREDS)
    cfg.write_text("defaults:\n  timezone: Europe/Paris\n  timeout: 2\n" + cfg.read_text())
    (tmp_path / "card.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    post = write_post(tmp_path, image="card.png", image_alt="A chart")
    with time_machine.travel(utc("2026-11-26T10:00:00"), tick=False):
        assert run("-c", cfg, "schedule", "-C", "x", "--at", "now", post).exit_code == 0
        sandbox.fault("twitter", status=503, count=1)
        result = run("-c", cfg, "run", "--sandbox", sandbox.url, "--json")
    (item,) = json.loads(result.stdout)
    assert item["action"] == "requeued"  # the premise: the queue put it back
    return cfg


def test_a_requeued_failure_is_pending_not_failed(tmp_path: Path, sandbox: Any) -> None:
    cfg = requeued_once(tmp_path, sandbox)
    result = run("-c", cfg, "report", "--month", "2026-11", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    (post,) = data["posts"]
    (copy,) = post["copies"]
    assert copy["state"] == "pending" and copy["error"] is None
    assert data["channels"]["totals"]["failed"] == 0
    assert data["channels"]["totals"]["posted"] == 0
    assert not data["empty"]  # the attempt is still activity in November

    md = run("-c", cfg, "report", "--month", "2026-11", "--format", "md").stdout
    # Channel, Network, Posted, Sent, By hand, Relayed, Reposts, Failed, Unknown, Waiting, ...
    assert "| x | twitter | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |" in md
    assert "| [A title](https://blog.example.com/a-title) | x | pending |" in md
    table = run("-c", cfg, "report", "--month", "2026-11").stdout
    assert "pending" in table and "failed" not in table.split("Posts")[1]


def test_the_retry_that_goes_out_later_counts_as_sent(tmp_path: Path, sandbox: Any) -> None:
    cfg = requeued_once(tmp_path, sandbox)
    with time_machine.travel(utc("2026-11-26T11:00:00"), tick=False):
        result = run("-c", cfg, "run", "--sandbox", sandbox.url, "--json")
    assert [i["action"] for i in json.loads(result.stdout)] == ["sent"]
    data = json.loads(run("-c", cfg, "report", "--month", "2026-11", "--json").stdout)
    totals = data["channels"]["totals"]
    assert (totals["posted"], totals["failed"], totals["retries"]) == (1, 0, 1)
    assert data["posts"][0]["copies"][0]["state"] == "sent"
