"""`crosspost stats` end to end: real HTTP through each network's client library to the
sandbox, figures into the ledger, and from there into the monthly report."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from crosspost.ledger import open_store
from helpers import X_CREDS, X_ENV, run, write, write_post

# Once on each store: the figures are the ledger's (migration 8 on both).
pytestmark = pytest.mark.usefixtures("both_stores")

ENV = X_ENV | {"FB_TOKEN": "fb-test", "LI_TOKEN": "li-test"}


def config(tmp: Path, *, x_stats: bool = True) -> Path:
    off = "" if x_stats else "    stats: false\n"
    return write(
        tmp / "channels.yaml",
        "channels:\n"
        "  x:\n    network: twitter\n"
        + off
        + X_CREDS
        + "  fb:\n    network: facebook\n    page_id: '111'\n"
        "    credentials:\n      page_token: ${FB_TOKEN}\n"
        "  li:\n    network: linkedin\n    author: urn:li:organization:42\n"
        "    credentials:\n      access_token: ${LI_TOKEN}\n"
        "  xing:\n    network: manual\n    site: Xing\n",
    )


def control(sb: Any, action: str, body: dict[str, Any]) -> Any:
    request = urllib.request.Request(
        f"{sb.url}/_sandbox/{action}",
        data=json.dumps(body).encode(),
        headers={"content-type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=5) as answer:
        return json.loads(answer.read())


def published(tmp: Path, sb: Any) -> dict[str, str]:
    """Publish one post everywhere; each channel's remote id."""
    post = write_post(tmp, body="Our robots now sort parcels twice as fast.")
    result = run("-c", config(tmp), "publish", "--sandbox", sb.url, "--json", post, env=ENV)
    assert result.exit_code == 0, result.stderr
    with open_store(Path.cwd() / "crosspost-home") as ledger:
        return {d.channel: d.remote_id for d in ledger.deliveries() if d.remote_id}


def stats(tmp: Path, sb: Any, *, expect: int = 0, **kw: Any) -> dict[str, Any]:
    result = run("-c", config(tmp, **kw), "stats", "--sandbox", sb.url, "--json", env=ENV)
    assert result.exit_code == expect, result.stderr
    return {r["channel"]: r for r in json.loads(result.stdout)}


def reads(sb: Any, network: str) -> int:
    return sum(1 for r in sb.requests(network) if r.get("method") == "GET")


def test_stats_records_followers_and_engagement_for_the_report(
    tmp_path: Path, sandbox: Any
) -> None:
    ids = published(tmp_path, sandbox)
    control(sandbox, "followers", {"network": "twitter", "count": 3200})
    control(sandbox, "followers", {"network": "facebook", "count": 812})
    control(sandbox, "followers", {"network": "linkedin", "count": 3254})
    control(
        sandbox,
        "engagement",
        {
            "network": "twitter",
            "id": ids["x"],
            "metrics": {"likes": 7, "shares": 2, "impressions": 410},
        },
    )
    got = stats(tmp_path, sandbox)
    assert {c: r["outcome"] for c, r in got.items()} == {
        "x": "read",
        "fb": "read",
        "li": "read",
        "xing": "no figures",
    }
    assert (got["x"]["followers"], got["fb"]["followers"], got["li"]["followers"]) == (
        3200,
        812,
        3254,
    )
    assert got["x"]["posts"] == 1
    report = run("-c", config(tmp_path), "report", "--json", env=ENV)
    assert report.exit_code == 0, report.stderr
    data = json.loads(report.stdout)
    channels = {c["channel"]: c for c in data["channels"]["channels"]}
    assert channels["x"]["followers"]["end"] == 3200
    assert channels["xing"]["followers"]["end"] == "not recorded"
    [post] = data["posts"]
    x_copy = next(c for c in post["copies"] if c["channel"] == "x")
    assert x_copy["engagement"]["likes"] == 7 and x_copy["engagement"]["impressions"] == 410


def test_x_is_read_at_most_once_a_day_and_can_be_turned_off(tmp_path: Path, sandbox: Any) -> None:
    published(tmp_path, sandbox)
    stats(tmp_path, sandbox)
    before = reads(sandbox, "twitter")
    assert before >= 2  # users/me and the posts' metrics
    again = stats(tmp_path, sandbox)
    assert again["x"]["outcome"] == "already read today" and again["fb"]["outcome"] == "read"
    assert reads(sandbox, "twitter") == before  # not one more billed read
    off = stats(tmp_path, sandbox, x_stats=False)
    assert off["x"]["outcome"] == "off"


def test_a_network_down_is_recorded_unavailable_and_the_others_still_read(
    tmp_path: Path, sandbox: Any
) -> None:
    published(tmp_path, sandbox)
    control(sandbox, "faults", {"network": "facebook", "status": 503, "count": 10, "reads": True})
    got = stats(tmp_path, sandbox, expect=1)
    assert got["fb"]["outcome"] == "unavailable" and got["fb"]["notes"]
    assert got["x"]["outcome"] == "read" and got["li"]["outcome"] == "read"
    report = json.loads(run("-c", config(tmp_path), "report", "--json", env=ENV).stdout)
    channels = {c["channel"]: c for c in report["channels"]["channels"]}
    assert channels["fb"]["followers"]["end"] == "unavailable"


def test_a_metric_the_tier_refuses_is_unavailable_not_zero(tmp_path: Path, sandbox: Any) -> None:
    ids = published(tmp_path, sandbox)
    control(sandbox, "tier", {"network": "twitter", "hides": ["impressions"]})
    got = stats(tmp_path, sandbox)
    assert got["x"]["outcome"] == "partly" and got["x"]["notes"]
    report = json.loads(run("-c", config(tmp_path), "report", "--json", env=ENV).stdout)
    x_copy = next(c for c in report["posts"][0]["copies"] if c["channel"] == "x")
    assert x_copy["engagement"]["impressions"] == "unavailable"
    assert ids["x"]
