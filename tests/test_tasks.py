"""The by-hand to-do list (issue 9, item 6): `tasks`, `done --at`, and by-hand texts
measured with the short link that will really be pasted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import time_machine

from helpers import run, write_config, write_post
from report_story import utc

# Once on each store: the by-hand list is read from the ledger.
pytestmark = pytest.mark.usefixtures("both_stores")

ENV = {"BITLY_TOKEN": "bitly-test"}


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in ENV.items():
        monkeypatch.setenv(k, v)


def config(tmp: Path, xing_limit: int = 3000) -> Path:
    path = write_config(
        tmp,
        "  xing:\n    network: manual\n    site: Xing\n    url: https://www.xing.com/pages/ebs\n"
        "    instructions: post as the EBS page\n"
        f"    max_length: {xing_limit}\n    audience: ebs\n"
        "  viadeo:\n    network: manual\n    site: Viadeo\n    audience: ginger\n",
    )
    path.write_text(
        "shortener:\n  service: bitly\n  token: ${BITLY_TOKEN}\n"
        "defaults:\n  timezone: Europe/Paris\n  timeout: 2\n"
        "  utm: {source: '{channel}', medium: social, campaign: '{slug}'}\n" + path.read_text()
    )
    return path


def by_hand_post(tmp: Path, **fields: Any) -> Path:
    image = tmp / "lab.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    return write_post(
        tmp,
        audience=["ebs"],
        image="lab.png",
        image_alt="The new lab, seen from the door",
        **fields,
    )


def test_tasks_lists_what_waits_with_all_it_needs(tmp_path: Path, sandbox: Any) -> None:
    cfg = config(tmp_path)
    post = by_hand_post(tmp_path)
    result = run("-c", cfg, "publish", "--sandbox", sandbox.url, post)
    assert result.exit_code == 0, result.stderr
    (task,) = json.loads(run("-c", cfg, "tasks", "--json").stdout)
    assert (task["channel"], task["where"]) == ("xing", "https://www.xing.com/pages/ebs")
    assert task["instructions"] == "post as the EBS page"
    assert task["text"].count("https://bit.ly/") == 1  # its own short link, ready to paste
    assert "utm_" not in task["text"]
    assert task["image"] == str(tmp_path / "lab.png")
    assert task["image_alt"] == "The new lab, seen from the door"
    assert task["since_local"].endswith(("CET", "CEST"))

    shown = run("-c", cfg, "tasks", env={"COLUMNS": "80"})
    assert shown.exit_code == 0
    assert task["text"].splitlines()[0] in shown.stdout
    assert f"attach: {tmp_path / 'lab.png'}" in shown.stdout.replace("\n", "")
    assert f"crosspost done {task['id']} --url URL" in shown.stdout
    # Audiences filter, and a typo is refused with the closest name.
    assert json.loads(run("-c", cfg, "tasks", "--audience", "ginger", "--json").stdout) == []
    assert len(json.loads(run("-c", cfg, "tasks", "-a", "ebs", "--json").stdout)) == 1
    typo = run("-c", cfg, "tasks", "--audience", "esb")
    assert typo.exit_code == 2 and "ebs" in typo.stderr
    # Once done, it leaves the list.
    assert run("-c", cfg, "done", str(task["id"]), "--url", "https://xing.example/1").exit_code == 0
    assert json.loads(run("-c", cfg, "tasks", "--json").stdout) == []


def test_done_at_dates_the_post_in_the_report(tmp_path: Path, sandbox: Any) -> None:
    cfg = config(tmp_path)
    with time_machine.travel(utc("2026-11-27T10:00:00"), tick=False):
        published = run("-c", cfg, "publish", "--sandbox", sandbox.url, by_hand_post(tmp_path))
        assert published.exit_code == 0, published.stderr
    (task,) = json.loads(run("-c", cfg, "tasks", "--json").stdout)
    with time_machine.travel(utc("2026-12-01T08:30:00"), tick=False):
        future = run("-c", cfg, "done", str(task["id"]), "--at", "2026-12-02 10:00")
        assert future.exit_code == 2 and "in the future" in future.stderr
        unreadable = run("-c", cfg, "done", str(task["id"]), "--at", "29/11/2026")
        assert unreadable.exit_code == 2 and "2026-11-29 14:30" in unreadable.stderr
        result = run("-c", cfg, "done", str(task["id"]), "--at", "2026-11-29 14:30")
        assert result.exit_code == 0, result.stderr
        assert "on 2026-11-29 14:30 CET" in result.stderr
        november = json.loads(run("-c", cfg, "report", "--month", "2026-11", "--json").stdout)
        december = json.loads(run("-c", cfg, "report", "--month", "2026-12", "--json").stdout)
    assert november["channels"]["totals"]["by_hand"] == 1
    (post,) = november["posts"]
    (copy,) = post["copies"]
    assert copy["state"] == "sent" and copy["at"].startswith("2026-11-29T14:30")
    assert december["channels"]["totals"]["by_hand"] == 0
    (row,) = json.loads(run("status", "--json").stdout)
    assert str(row["sent_at"]).startswith("2026-11-29 13:30")  # UTC in the ledger


def test_a_by_hand_text_is_measured_with_the_short_link(tmp_path: Path) -> None:
    long_summary = "word " * 40  # 200 characters
    post = by_hand_post(tmp_path, summary=long_summary.strip())
    # The long UTM-tagged link would take the text over 260; the 22-character short one not.
    (row,) = json.loads(
        run(
            "-c", config(tmp_path, xing_limit=260), "publish", "-n", "--json", "-C", "xing", post
        ).stdout
    )
    assert not any("shortened from" in w for w in row["warnings"]), row["warnings"]
    assert row["text"].count("word") == 40
    assert row["length"] <= 260 < len(row["text"])
