"""Readable at 80 columns and in a log: names and links whole, local times named,
`status` compact, `queue --all` with sent times, and `queue --week`."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import time_machine

from helpers import X_CREDS, run, write_config, write_post

ENV = {"X_KEY": "k", "X_SECRET": "s", "X_TOKEN": "t", "X_TOKEN_SECRET": "ts", "FB_TOKEN": "f"}
NARROW = {"COLUMNS": "80"}
LONG_TITLE = "Rentrée 2026 : ce qui change pour les étudiants en alternance et leurs entreprises"
LONG_URL = (
    "https://www.ecole-business-strasbourg.fr/actualites/2026/"
    "rentree-2026-ce-qui-change-pour-les-etudiants-en-alternance"
)


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in ENV.items():
        monkeypatch.setenv(k, v)


def two_brands(tmp: Path) -> Path:
    """ebs (Paris) on X, a Facebook Page and Xing by hand; gigner on X from Montréal."""
    path = write_config(
        tmp,
        "  ebs-x:\n    network: twitter\n    audience: [ebs]\n"
        + X_CREDS
        + "  ebs-facebook:\n    network: facebook\n    audience: [ebs]\n    page_id: '111'\n"
        "    credentials:\n      page_token: ${FB_TOKEN}\n"
        "  ebs-xing:\n    network: manual\n    audience: [ebs]\n    site: Xing\n"
        "    url: https://www.xing.com/pages/ecole-business-strasbourg\n"
        "  gigner-x:\n    network: twitter\n    audience: [gigner]\n"
        "    timezone: America/Montreal\n" + X_CREDS,
    )
    path.write_text("defaults:\n  timezone: Europe/Paris\n  timeout: 2\n" + path.read_text())
    return path


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def filled(tmp: Path, sandbox: Any) -> Path:
    """Sent, by-hand and queued deliveries of both brands, on 2026-12-01 at 10:00 UTC."""
    cfg = two_brands(tmp)
    ebs = write_post(tmp, "ebs.md", title=LONG_TITLE, url=LONG_URL, audience=["ebs"])
    later = write_post(
        tmp,
        "jpo.md",
        title="Journées portes ouvertes",
        url="https://e.example/jpo",
        audience=["ebs"],
    )
    gig = write_post(
        tmp,
        "gig.md",
        title="Maquette numérique et BIM",
        url="https://g.example/bim",
        audience=["gigner"],
    )
    with time_machine.travel(utc(2026, 12, 1, 10), tick=False):
        assert run("-c", cfg, "publish", ebs, "--sandbox", sandbox.url).exit_code == 0
        assert run("-c", cfg, "schedule", later, "--at", "2026-12-03 09:00").exit_code == 0
        assert run("-c", cfg, "schedule", gig, "--at", "2026-12-04 08:30").exit_code == 0
        jpo_fb = [
            r
            for r in json.loads(run("-c", cfg, "queue", "--json").stdout)
            if r["channel"] == "ebs-facebook"
        ]
        assert run("-c", cfg, "queue", "cancel", str(jpo_fb[0]["id"])).exit_code == 0
    return cfg


def cells(stdout: str) -> list[list[str]]:
    """The table's cells, row by row (one list per printed line)."""
    return [
        [c.strip() for c in re.split(r"[│┃]", line)[1:-1]]
        for line in stdout.splitlines()
        if line.startswith(("│", "┃"))
    ]


def test_status_is_compact_at_80_columns(tmp_path: Path, sandbox: Any) -> None:
    cfg = filled(tmp_path, sandbox)
    with time_machine.travel(utc(2026, 12, 1, 11), tick=False):
        result = run("-c", cfg, "status", env=NARROW)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines)
    rows = [c for c in cells(result.stdout) if c and c[0].isdigit()]
    assert len(rows) == len(lines) - 4  # one line per delivery, around a 4-line frame
    channels = {r[1] for r in rows}
    assert channels == {"ebs-x", "ebs-facebook", "ebs-xing", "gigner-x"}  # none split
    sent = next(r for r in rows if r[1] == "ebs-x" and r[2] == "sent")
    assert sent[3] == "2026-12-01 11:00 CET"  # its sent time, in Paris time, zone named
    assert "UTC" not in result.stdout
    gig = next(r for r in rows if r[1] == "gigner-x")
    assert gig[3] == "2026-12-04 08:30 EST"  # the channel's own zone


def test_status_wide_prints_links_whole(tmp_path: Path, sandbox: Any) -> None:
    cfg = filled(tmp_path, sandbox)
    result = run("-c", cfg, "status", "--wide", env=NARROW)
    assert result.exit_code == 0, result.stderr
    urls = [json.loads(run("-c", cfg, "status", "--json").stdout)[i]["url"] for i in (0, 1)]
    for url in urls:
        assert any(line.strip() == url for line in result.stdout.splitlines()), url
    assert LONG_TITLE[:60] in result.stdout.replace("\n    ", " ")
    assert "1 try" in result.stdout and "ebs.md" in result.stdout


def test_status_json_is_unchanged_by_the_layout(tmp_path: Path, sandbox: Any) -> None:
    cfg = filled(tmp_path, sandbox)
    rows = json.loads(run("-c", cfg, "status", "--json", env=NARROW).stdout)
    assert {"id", "channel", "state", "updated_at", "url", "text"} <= set(rows[0])


def test_a_url_too_long_for_its_cell_gets_a_line_of_its_own(tmp_path: Path, sandbox: Any) -> None:
    cfg = two_brands(tmp_path)
    post = write_post(tmp_path, title=LONG_TITLE, url=LONG_URL, audience=["ebs"])
    with time_machine.travel(utc(2026, 12, 1, 10), tick=False):
        run("-c", cfg, "schedule", post, "--at", "now", "-C", "ebs-xing", "-C", "ebs-facebook")
        result = run("-c", cfg, "run", "--sandbox", sandbox.url, env=NARROW)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    fb = next(
        d
        for d in json.loads(run("-c", cfg, "status", "--json").stdout)
        if d["channel"] == "ebs-facebook"
    )
    assert any(line.split() == [str(fb["id"]), fb["url"]] for line in lines)
    # The text to paste: the link whole on a line of its own, no border around it.
    assert LONG_URL in lines
    assert "ebs-xing" in result.stdout and "ebs-faceb\n" not in result.stdout


def test_queue_all_shows_sent_times_and_cancelled(tmp_path: Path, sandbox: Any) -> None:
    cfg = filled(tmp_path, sandbox)
    result = run("-c", cfg, "queue", "--all", env=NARROW)
    assert result.exit_code == 0, result.stderr
    assert "now" not in result.stdout
    rows = cells(result.stdout)
    sent = [i for i, r in enumerate(rows) if r and r[4:5] == ["sent"]]
    assert sent and all(rows[i][1] == "2026-12-01" and rows[i + 1][1] == "11:00 CET" for i in sent)
    assert any(r[4:5] == ["cancelled"] for r in rows)


def test_week_lists_seven_days_per_channel_with_by_hand_tasks(tmp_path: Path, sandbox: Any) -> None:
    cfg = filled(tmp_path, sandbox)
    with time_machine.travel(utc(2026, 12, 1, 11), tick=False):
        result = run("-c", cfg, "queue", "--week", env=NARROW)
        data = json.loads(run("-c", cfg, "queue", "--week", "--json").stdout)
    assert result.exit_code == 0, result.stderr
    out = result.stdout.splitlines()
    assert all(len(line) <= 80 for line in out)
    assert "Tuesday 1 December 2026 (today)" in out and "Monday 7 December 2026" in out
    thursday = out.index("Thursday 3 December 2026")
    assert out[thursday + 1].split()[:3] == ["09:00", "CET", "ebs-x"]
    assert any("ebs-xing" in ln and "by hand" in ln for ln in out[thursday:])
    friday = out.index("Friday 4 December 2026")
    assert out[friday + 1].split()[:3] == ["08:30", "EST", "gigner-x"]
    waiting = out[out.index(next(ln for ln in out if ln.startswith("Waiting"))) + 1]
    assert "ebs-xing" in waiting and "done" in waiting  # the by-hand task of the publish
    assert data["days"][0]["date"] == "2026-12-01" and len(data["days"]) == 7
    assert [e["channel"] for e in data["waiting"]] == ["ebs-xing"]
    thursday_json = next(d for d in data["days"] if d["date"] == "2026-12-03")["deliveries"]
    assert {e["channel"]: e["by_hand"] for e in thursday_json} == {
        "ebs-x": False,
        "ebs-xing": True,
    }


def test_audience_filters_week_queue_and_status(tmp_path: Path, sandbox: Any) -> None:
    cfg = filled(tmp_path, sandbox)
    with time_machine.travel(utc(2026, 12, 1, 11), tick=False):
        week = json.loads(run("-c", cfg, "queue", "--week", "-a", "gigner", "--json").stdout)
    channels = {e["channel"] for d in week["days"] for e in d["deliveries"]}
    assert channels == {"gigner-x"} and week["waiting"] == []
    status = json.loads(run("-c", cfg, "status", "--audience", "ebs", "--json").stdout)
    assert status and {d["channel"] for d in status} <= {"ebs-x", "ebs-facebook", "ebs-xing"}
    queued = json.loads(run("-c", cfg, "queue", "--audience", "gigner", "--json").stdout)
    assert [d["channel"] for d in queued] == ["gigner-x"]
    typo = run("-c", cfg, "status", "--audience", "gignr")
    assert typo.exit_code == 2 and "did you mean 'gigner'" in typo.stderr


def test_the_publish_table_keeps_channel_names_and_links_whole(
    tmp_path: Path, sandbox: Any
) -> None:
    cfg = two_brands(tmp_path)
    post = write_post(tmp_path, "ebs.md", title=LONG_TITLE, url=LONG_URL, audience=["ebs"])
    result = run("-c", cfg, "publish", "--sandbox", sandbox.url, post, env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines if line.startswith(("┃", "│", "┏", "└")))
    assert any("ebs-facebook" in line for line in lines)  # whole, on one line
    (row,) = [r for r in json.loads(run("status", "--json").stdout) if r["channel"] == "ebs-x"]
    assert any(row["url"] in line for line in lines)  # the link whole, clickable


def narrow_report(tmp_path: Path, sandbox: Any) -> tuple[Path, list[str]]:
    """The config of `filled`, and its report's lines in an 80-column terminal."""
    cfg = filled(tmp_path, sandbox)
    with time_machine.travel(utc(2026, 12, 1, 11), tick=False):
        result = run("-c", cfg, "report", env=NARROW)
    assert result.exit_code == 0, result.stderr
    return cfg, result.stdout.splitlines()


def test_the_report_s_posts_keep_channel_names_and_links_whole(
    tmp_path: Path, sandbox: Any
) -> None:
    _, lines = narrow_report(tmp_path, sandbox)
    start = next(i for i, line in enumerate(lines) if line.strip() == "Posts")
    posts = lines[start:]
    table = [line for line in posts if line.startswith(("┃", "│", "┏", "└"))]
    assert all(len(line) <= 80 for line in table)
    assert any("│ ebs-facebook " in line for line in table)  # the name on one line
    sent = [r for r in json.loads(run("status", "--json").stdout) if r["url"]]
    assert sent and all(any(r["url"] in line for line in posts) for r in sent)  # whole


def test_the_report_s_channels_at_80_columns_leave_out_columns_of_zeros(
    tmp_path: Path, sandbox: Any
) -> None:
    cfg, lines = narrow_report(tmp_path, sandbox)
    start = next(i for i, line in enumerate(lines) if line.strip() == "Channels")
    end = next(i for i, line in enumerate(lines) if line.startswith("└") and i > start)
    header = " ".join(lines[start : start + 4])
    assert "Posted" in header and "Failed" not in header  # nothing failed this month
    assert "Failed" in lines[end + 1] and lines[end + 1].endswith("0 throughout")
    names = {"ebs-x", "ebs-facebook"}
    assert all(any(f"│ {n} " in line for line in lines[start:end]) for n in names)
    # Written to a file, the report keeps every column (a document, read at any width).
    out = tmp_path / "november.txt"
    with time_machine.travel(utc(2026, 12, 1, 11), tick=False):
        assert run("-c", cfg, "report", "--out", out, env=NARROW).exit_code == 0
    assert "Failed" in out.read_text(encoding="utf-8")
