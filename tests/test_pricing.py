"""The estimated X API cost: in the dry run, under `schedule`, in the monthly report."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from crosspost.pricing import X_PRICES, cost_of, money
from helpers import X_CREDS, X_ENV, run, write_config, write_post

CHANNELS = (
    "  ebs-x:\n    network: twitter\n    audience: ebs\n    overflow: thread\n" + X_CREDS
    # A second X account, so the dry run has a total to show.
    + "  ginger-x:\n    network: twitter\n    audience: ginger\n    overflow: thread\n"
    + X_CREDS
    + "  ebs-fb:\n    network: facebook\n    page_id: '1'\n    audience: ebs\n"
    "    credentials:\n      page_token: ${FB_TOKEN}\n"
)  # fmt: skip


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in {**X_ENV, "FB_TOKEN": "f"}.items():
        monkeypatch.setenv(k, v)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return write_config(tmp_path, CHANNELS)


def dry_run(config: Path, post: Path, *args: str) -> Any:
    return run("-c", config, "publish", "--dry-run", "--no-shorten", post, *args)


def x_costs(config: Path, post: Path, *args: str) -> dict[str, Any]:
    result = dry_run(config, post, "--json", *args)
    assert result.exit_code == 0, result.stderr
    return {p["channel"]: p["x_cost"] for p in json.loads(result.stdout)}


def test_prices_are_dated_and_money_is_decimal() -> None:
    assert str(X_PRICES.since) == "2026-04-20"
    assert X_PRICES.post == Decimal("0.015") and X_PRICES.post_with_link == Decimal("0.20")
    assert money(Decimal("0.215")) == "$0.215"
    assert money(Decimal("0.210")) == "$0.21"
    # A reply with a URL is still a post containing a URL; a part without one is a reply.
    cost = cost_of(
        "twitter", ["a https://example.com/1", "b", "c https://example.com/2"], alt_text=True
    )
    assert cost is not None
    assert cost.total == Decimal("0.20") + Decimal("0.01") + Decimal("0.20") + Decimal("0.005")
    assert cost_of("facebook", ["a"], alt_text=True) is None


def test_dry_run_plain_post_and_post_with_a_link(tmp_path: Path, config: Path) -> None:
    plain = write_post(tmp_path, "plain.md", url=None, audience="ebs")
    assert x_costs(config, plain)["ebs-x"] == {
        "usd": "0.015", "posts": 1, "posts_with_link": 0, "replies": 0, "alt_texts": 0,
    }  # fmt: skip
    linked = write_post(tmp_path, "linked.md", audience="ebs")
    costs = x_costs(config, linked)
    assert costs["ebs-x"]["usd"] == "0.20" and costs["ebs-x"]["posts_with_link"] == 1
    assert costs["ebs-fb"] is None  # Facebook's API bills nothing per post
    shown = dry_run(config, linked)
    assert "ebs-x · X API: about $0.20 (1 post with a link)" in shown.stdout
    assert "in total" not in shown.stdout  # one X channel: no total


def test_dry_run_thread_of_three_with_a_link_and_alt_text(tmp_path: Path, config: Path) -> None:
    (tmp_path / "pic.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    post = write_post(
        tmp_path, summary="word " * 130, image="pic.png", image_alt="A picture", audience="all"
    )
    result = dry_run(config, post, "--json")
    (x,) = [p for p in json.loads(result.stdout) if p["channel"] == "ebs-x"]
    assert len(x["parts"]) == 3 and x["link"] in x["parts"][0]
    # The first part carries the link ($0.20), two replies ($0.01 each), one alt text.
    assert x["x_cost"] == {
        "usd": "0.225", "posts": 0, "posts_with_link": 1, "replies": 2, "alt_texts": 1,
    }  # fmt: skip
    shown = dry_run(config, post, "--no-shorten")
    assert "ebs-x · X API: about $0.225 (1 post with a link, 2 replies, 1 alt text)" in (
        shown.stdout
    )
    assert "X API in total: about $0.45" in shown.stdout  # ebs-x and ginger-x


def test_prices_from_channels_yaml(tmp_path: Path, config: Path) -> None:
    config.write_text(
        "x_prices:\n  post_with_link: 0.25\n  since: 2026-09-01\n" + config.read_text()
    )
    post = write_post(tmp_path, audience="ebs")
    assert x_costs(config, post)["ebs-x"]["usd"] == "0.25"  # not 0.2500000000000000055...


@pytest.mark.parametrize(
    ("section", "said"),
    [
        ("x_prices:\n  post: -1\n", "x_prices.post"),
        ("x_prices:\n  post: cheap\n", "x_prices.post"),
        ("x_prices:\n  tweet: 0.01\n", "x_prices.tweet"),
    ],
)
def test_bad_prices_are_exit_2_naming_the_line(config: Path, section: str, said: str) -> None:
    config.write_text("defaults:\n  timezone: UTC\n" + section + config.read_text())
    result = run("-c", config, "check")
    assert result.exit_code == 2
    assert f"{config}:4: {said}" in result.stderr  # the line of the key


def test_schedule_shows_the_cost(tmp_path: Path, config: Path) -> None:
    post = write_post(tmp_path, audience="ebs")
    result = run("-c", config, "schedule", post, "--at", "2030-01-07 09:00", "--json")
    assert result.exit_code == 0, result.stderr
    rows = {r["channel"]: r for r in json.loads(result.stdout)}
    assert rows["ebs-x"]["x_cost"]["usd"] == "0.20"
    assert rows["ebs-fb"]["x_cost"] is None
    other = write_post(tmp_path, "other.md", url="https://blog.example.com/b", audience="ebs")
    shown = run("-c", config, "schedule", other, "--at", "2030-01-08 09:00")
    assert shown.exit_code == 0, shown.stderr
    assert "ebs-x · X API: about $0.20 (1 post with a link)" in shown.stdout


def test_the_report_shows_what_was_spent(tmp_path: Path, config: Path, sandbox: Any) -> None:
    linked = write_post(tmp_path, "linked.md", audience="ebs")
    plain = write_post(tmp_path, "plain.md", url=None, audience="ebs", title="Plain")
    for post in (linked, plain):
        sent = run("-c", config, "publish", "--sandbox", sandbox.url, "--json", post)
        assert sent.exit_code == 0, sent.stderr
    # Only what went out through X's API counts: ebs-fb is not X, ginger-x sent nothing.
    data = json.loads(run("-c", config, "report", "--format", "json").stdout)
    spent = {c["channel"]: c["x_cost_usd"] for c in data["channels"]["channels"]}
    assert spent == {"ebs-x": "0.215", "ginger-x": "0", "ebs-fb": None}
    assert data["channels"]["totals"]["x_cost_usd"] == "0.215"
    table = run("-c", config, "report")
    assert "Estimated X API spend: $0.215 (ebs-x $0.215, ginger-x $0.00)" in table.stdout
    md = run("-c", config, "report", "--format", "md").stdout
    assert "| X API $ |" in md and "| 0.215 |" in md
