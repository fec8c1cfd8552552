"""Language versions of one article (issue 9, item 2): two files with the same `url` and
different `lang` each go to the channels of their language, a channel gets at most one
of them, and neither ever takes over the other's deliveries."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import time_machine

from helpers import X_CREDS, run, write_config, write_post
from report_story import utc

ENV = {"X_KEY": "k", "X_SECRET": "s", "X_TOKEN": "t", "X_TOKEN_SECRET": "ts", "FB_TOKEN": "f"}
URL = "https://blog.example.com/rentree-2026"


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in ENV.items():
        monkeypatch.setenv(k, v)


def config(tmp: Path) -> Path:
    path = write_config(
        tmp,
        "  x-fr:\n    network: twitter\n" + X_CREDS
        + "  x-en:\n    network: twitter\n    lang: en\n" + X_CREDS
        + "  fb:\n    network: facebook\n    page_id: '111'\n    lang: fr, en\n"
        "    credentials:\n      page_token: ${FB_TOKEN}\n",
    )  # fmt: skip
    path.write_text(
        "defaults:\n  timezone: Europe/Paris\n  timeout: 2\n  lang: fr\n" + path.read_text()
    )
    return path


def versions(tmp: Path) -> tuple[Path, Path]:
    fr = write_post(tmp, "fr.md", title="Rentrée 2026", url=URL, summary="Ce qui change.")
    en = write_post(
        tmp, "en.md", title="Back to school 2026", url=URL, lang="en", summary="What changes."
    )
    return fr, en


def status() -> dict[str, dict[str, Any]]:
    return {r["channel"]: r for r in json.loads(run("status", "--json").stdout)}


def test_the_dry_run_shows_which_version_each_channel_gets(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    fr, en = versions(tmp_path)
    rows = json.loads(run("-c", cfg, "publish", "-n", "--json", fr, en).stdout)
    got = {(Path(r["post"]).name, r["channel"]): r for r in rows}
    assert got[("fr.md", "x-fr")]["lang"] == "fr" and not got[("fr.md", "x-fr")]["skipped"]
    assert "language fr is not this channel's (en)" in got[("fr.md", "x-en")]["skipped"]
    assert not got[("en.md", "x-en")]["skipped"] and got[("en.md", "x-en")]["lang"] == "en"
    assert "language en is not this channel's (fr)" in got[("en.md", "x-fr")]["skipped"]
    # fb takes both languages, French first: it gets the French version, once.
    assert not got[("fr.md", "fb")]["skipped"]
    assert "gets the fr version" in got[("en.md", "fb")]["skipped"]


def test_scheduling_the_english_version_never_takes_over_the_french(
    tmp_path: Path, sandbox: Any
) -> None:
    cfg = config(tmp_path)
    fr, en = versions(tmp_path)
    with time_machine.travel(utc("2026-11-20T10:00:00"), tick=False):
        assert run("-c", cfg, "schedule", "--at", "2026-11-24 09:00", fr).exit_code == 0
        before = status()
        result = run("-c", cfg, "schedule", "--at", "2026-11-25 18:00", "--json", en)
        assert result.exit_code == 0, result.stderr
    by = {r["channel"]: r for r in json.loads(result.stdout)}
    assert by["x-en"]["state"] == "pending" and by["x-en"]["due_local"] == "2026-11-25 18:00 CET"
    assert by["fb"]["state"] == "skipped" and "has the fr version already" in by["fb"]["note"]
    after = status()
    for name in ("x-fr", "fb"):  # untouched: French text, French time
        assert after[name] == before[name]
        assert "Ce qui change." in after[name]["text"]
    assert "What changes." in after["x-en"]["text"]
    # Both go out, each on its own channels.
    with time_machine.travel(utc("2026-11-26T10:00:00"), tick=False):
        sent = run("-c", cfg, "run", "--sandbox", sandbox.url)
        assert sent.exit_code == 0, sent.stderr
    tweets = sorted(t["text"] for t in sandbox.posts("twitter"))
    assert len(tweets) == 2 and any("What changes." in t for t in tweets)
    assert len(sandbox.posts("facebook")) == 1
    # The report lists one article with its three copies.
    report = json.loads(run("-c", cfg, "report", "--month", "2026-11", "--json").stdout)
    (article,) = report["posts"]
    assert sorted(c["channel"] for c in article["copies"]) == ["fb", "x-en", "x-fr"]


def test_two_files_of_one_language_for_one_url_are_refused(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    fr, _ = versions(tmp_path)
    twin = write_post(tmp_path, "fr-copy.md", title="Rentrée", url=URL, summary="Autre texte.")
    together = run("-c", cfg, "publish", "-n", fr, twin)
    assert together.exit_code == 2
    assert "fr.md" in together.stderr and "fr-copy.md" in together.stderr
    assert "both the fr version" in together.stderr
    # One scheduled first, the other later: refused as well, and nothing changes.
    assert run("-c", cfg, "schedule", "--at", "now", fr).exit_code == 0
    before = status()
    later = run("-c", cfg, "schedule", "--at", "now", twin)
    assert later.exit_code == 2
    assert "fr.md" in later.stderr and "fr-copy.md" in later.stderr
    assert status() == before
