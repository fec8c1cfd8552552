"""The dry run, check, channels and --version, end to end through the CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from crosspost import __version__
from crosspost.text import weighted_length
from helpers import (
    EXAMPLE_CONFIG,
    EXAMPLES,
    X_CREDS,
    run,
    run_json,
    write,
    write_config,
    write_post,
)

JSON_KEYS = {
    "post",
    "channel",
    "network",
    "route",
    "text",
    "parts",
    "length",
    "limit",
    "link",
    "skipped",
    "warnings",
    "lang",  # the language version the channel gets (issue 9)
    "x_cost",  # the estimated X API cost (issue 14), null off X
}


def test_json_shape_and_audience_routing() -> None:
    rows = run_json("-c", EXAMPLE_CONFIG, "publish", "--dry-run", EXAMPLES / "robotics-lab.md")
    assert {r["channel"] for r in rows} == set(
        [
            "ginger-twitter",
            "ginger-facebook",
            "ginger-linkedin",
            "ebs-twitter",
            "ebs-facebook",
            "ebs-linkedin",
            "ebs-viadeo",
            "ebs-xing",
        ]
    )
    for row in rows:
        assert set(row) == JSON_KEYS
    by = {r["channel"]: r for r in rows}
    # A Ginger article must not land on the business school's pages.
    for name in ("ebs-twitter", "ebs-facebook", "ebs-linkedin", "ebs-xing"):
        assert "audience ginger" in by[name]["skipped"]
        assert by[name]["parts"] == []
    x = by["ginger-twitter"]
    assert x["skipped"] is None
    assert x["text"] == x["parts"][0]
    assert x["length"] == max(weighted_length(p) for p in x["parts"]) <= 280
    assert x["limit"] == 280
    assert "utm_source=ginger-twitter" in x["link"]
    assert x["link"] in x["text"]
    assert "#robotics #engineering" in x["text"]
    assert "#StudentLife" not in x["text"]  # hashtags: 2
    # No bit.ly token here: the long link is shown, and the preview says why.
    assert any("not shortened" in w and "BITLY_TOKEN" in w for w in x["warnings"])
    assert any("$GINGER_X_CONSUMER_KEY" in w for w in x["warnings"])
    li = by["ginger-linkedin"]
    assert li["route"] == "repost"
    assert "relay from ginger-twitter is marked broken" in li["warnings"][0]


def test_per_channel_override_and_skip() -> None:
    rows = run_json("-c", EXAMPLE_CONFIG, "publish", "-n", EXAMPLES / "rentree-ebs.md")
    by = {r["channel"]: r for r in rows}
    fb = by["ebs-facebook"]
    assert fb["text"].startswith("C'est la rentrée à l'EBS ! 🎒")
    assert fb["text"].endswith("👉 " + fb["link"])
    assert by["ebs-linkedin"]["route"] == "relayed"
    assert by["ebs-linkedin"]["skipped"] == "relayed by ebs-twitter"
    assert by["ebs-xing"]["route"] == "repost"
    assert by["ebs-xing"]["length"] <= 420

    rows = run_json("-c", EXAMPLE_CONFIG, "publish", "-n", EXAMPLES / "open-day.md")
    by = {r["channel"]: r for r in rows}
    assert by["ginger-facebook"]["skipped"] == "the post says channels.ginger-facebook: false"
    assert by["ebs-facebook"]["skipped"] is None


def test_long_french_title_is_shortened_on_x_with_link_intact() -> None:
    rows = run_json(
        "-c", EXAMPLE_CONFIG, "publish", "-n", "-C", "ebs-twitter", EXAMPLES / "rentree-ebs.md"
    )
    (x,) = rows
    assert x["length"] <= 280
    assert "…" in x["text"] and x["link"] in x["text"]
    assert x["text"].startswith("Rentrée 2026 à l'École de commerce")


def test_thread_overflow(tmp_path: Path) -> None:
    config = write_config(
        tmp_path,
        "  x:\n    network: twitter\n    overflow: thread\n    template: long.j2\n" + X_CREDS,
    )
    write(tmp_path / "templates" / "long.j2", "{{ post.text }}\n\n{{ url }}")
    post = write_post(tmp_path, body="Une phrase assez longue sur la rentrée. " * 30)
    (row,) = run_json("-c", config, "publish", "-n", post)
    assert len(row["parts"]) >= 4
    assert all(weighted_length(p) <= 280 for p in row["parts"])
    assert row["link"] in row["parts"][0]
    assert row["parts"][-1].endswith(f"{len(row['parts'])}/{len(row['parts'])}")


def test_fail_overflow_is_bad_input(tmp_path: Path) -> None:
    config = write_config(
        tmp_path,
        "  x:\n    network: twitter\n    overflow: fail\n    template: long.j2\n" + X_CREDS,
    )
    write(tmp_path / "templates" / "long.j2", "{{ post.text }}")
    post = write_post(tmp_path, body="mot " * 200)
    result = run("-c", config, "publish", "-n", post)
    assert result.exit_code == 2
    assert "channel x: the text is 799 characters, 519 over the limit of 280" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_panels_show_text_gauge_and_warnings() -> None:
    result = run("-c", EXAMPLE_CONFIG, "publish", "--dry-run", EXAMPLES / "robotics-lab.md")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "ginger-twitter · twitter" in out
    assert "Our new robotics lab opens to students" in out
    assert "/280" in out and "/3000" in out
    assert "skipped: audience ginger" in out
    assert "credentials not set" in out


def test_channel_filter_and_unknown_channel() -> None:
    rows = run_json(
        "-c", EXAMPLE_CONFIG, "publish", "-n", "-C", "ginger-facebook", EXAMPLES / "robotics-lab.md"
    )
    assert [r["channel"] for r in rows] == ["ginger-facebook"]
    result = run(
        "-c", EXAMPLE_CONFIG, "publish", "-n", "-C", "gingr-facebook", EXAMPLES / "robotics-lab.md"
    )
    assert result.exit_code == 2
    assert "no channel named 'gingr-facebook'" in result.stderr


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ("missing_post", "nope.md: no such post file"),
        ("bad_template_name", "template 'nosuch.j2' not found"),
        ("template_typo", "typo.j2:2: the post has no field 'titel'"),
        ("template_syntax", "broken.j2:1: template syntax error"),
        ("url_needed", "'url' is undefined; the post has no `url:`"),
        ("none_printed", "a printed value is empty (None)"),
        ("bad_config", "channels.yaml:4: channels.x.max_length"),
    ],
)
def test_bad_input_exits_2_with_one_clear_message(
    tmp_path: Path, setup: str, expected: str
) -> None:
    templates = {
        "bad_template_name": "nosuch.j2",
        "template_typo": "typo.j2",
        "template_syntax": "broken.j2",
        "url_needed": "needs_url.j2",
        "none_printed": "none.j2",
    }
    write(tmp_path / "templates" / "typo.j2", "Title:\n{{ post.titel }}\n")
    write(tmp_path / "templates" / "broken.j2", "{% if %}\n")
    write(tmp_path / "templates" / "needs_url.j2", "{{ post.title }} {{ url }}\n")
    write(tmp_path / "templates" / "none.j2", "{{ post.title }} {{ post.summary }}\n")
    max_length = "-1" if setup == "bad_config" else "280"
    template = templates.get(setup, "twitter.j2")
    config = write_config(
        tmp_path,
        f"  x:\n    network: twitter\n    max_length: {max_length}\n    template: {template}\n"
        + X_CREDS,
    )
    post = write_post(tmp_path, url=None if setup == "url_needed" else "https://b.example/p")
    target = tmp_path / "nope.md" if setup == "missing_post" else post
    before = post.read_bytes()
    result = run("-c", config, "publish", "--dry-run", target)
    assert result.exit_code == 2, result.stdout
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert post.read_bytes() == before  # a dry run never writes to a post


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    from crosspost.errors import PostError

    with pytest.raises(PostError):
        run("-c", EXAMPLE_CONFIG, "--debug", "publish", "-n", tmp_path / "nope.md")


def test_check_and_channels() -> None:
    result = run("-c", EXAMPLE_CONFIG, "check", *sorted(EXAMPLES.glob("*.md")))
    assert result.exit_code == 0, result.stderr
    assert "ok:" in result.stderr and "3 posts" in result.stderr
    rows = run_json("-c", EXAMPLE_CONFIG, "channels")
    by = {r["channel"]: r for r in rows}
    assert by["ebs-linkedin"]["relayed_by"] == "ebs-twitter"
    assert by["ginger-twitter"]["max_length"] == 280
    table = run("-c", EXAMPLE_CONFIG, "channels")
    assert "ginger-linkedin" in table.stdout and "via ginger-twitter (broken)" in table.stdout


def test_check_reports_bad_posts(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.md", "---\ntitle: [x\n---\n")
    result = run("-c", EXAMPLE_CONFIG, "check", EXAMPLES / "open-day.md", bad)
    assert result.exit_code == 2
    assert "bad.md:3: front matter is not valid YAML" in result.stderr
    assert "started on line 2" in result.stderr


def test_version() -> None:
    assert run("--version").stdout.strip() == f"crosspost {__version__}"


def test_dry_run_imports_no_network_client() -> None:
    code = (
        "import sys\n"
        "from crosspost.cli.commands import app\n"
        "try:\n"
        f"    app(['-c', {str(EXAMPLE_CONFIG)!r}, 'publish', '-n', '--json',"
        f" {str(EXAMPLES / 'open-day.md')!r}])\n"
        "except SystemExit:\n"
        "    pass\n"
        "clients = ('tweepy', 'pyfacebook', 'requests', 'pyshorteners')\n"
        "heavy = [m for m in clients if m in sys.modules]\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert "HEAVY []" in proc.stderr, proc.stderr


def test_link_missing_warns_only_where_the_link_is_not_attached(tmp_path: Path) -> None:
    post = write(
        tmp_path / "p.md",
        """
        ---
        title: T
        url: https://b.example/t
        audience: [ginger]
        channels:
          ginger-facebook: {text: "no link here"}
          ginger-twitter: {text: "no link here"}
        ---
        Body.
        """,
    )
    rows = run_json("-c", EXAMPLE_CONFIG, "publish", "-n", post)
    by = {r["channel"]: r for r in rows}
    assert "the post's link is missing from the text" in by["ginger-twitter"]["warnings"]
    # Facebook sends the link beside the text, as a link card...
    assert "the post's link is missing from the text" not in by["ginger-facebook"]["warnings"]
    # ...but not with an image: a photo post's only link is the one in its text.
    post.write_text(
        post.read_text().replace("audience:", "image: pic.png\nimage_alt: A\naudience:")
    )
    by = {r["channel"]: r for r in run_json("-c", EXAMPLE_CONFIG, "publish", "-n", post)}
    assert "the post's link is missing from the text" in by["ginger-facebook"]["warnings"]


def test_a_post_without_audience_is_flagged_on_audience_channels(tmp_path: Path) -> None:
    rows = run_json(
        "-c", EXAMPLE_CONFIG, "publish", "-n", "-C", "ebs-twitter", write_post(tmp_path)
    )
    (row,) = rows
    assert row["skipped"] is None
    assert any("no `audience:`" in w and "(ebs)" in w for w in row["warnings"])


def test_a_post_naming_an_unknown_channel_is_bad_input(tmp_path: Path) -> None:
    post = write(
        tmp_path / "p.md",
        """
        ---
        title: T
        url: https://b.example/t
        channels:
          ebs-twiter: false
        ---
        Body.
        """,
    )
    for command in (["publish", "-n"], ["publish"], ["schedule"], ["check"]):
        result = run("-c", EXAMPLE_CONFIG, *command, post)
        assert result.exit_code == 2, command
        assert "channels.ebs-twiter: no such channel" in result.stderr


def test_an_audience_no_channel_has_is_bad_input(tmp_path: Path) -> None:
    # Once a warning with exit 0, while the post went nowhere (issue 9): now exit 2.
    post = write_post(tmp_path, audience=["gingr"])
    result = run("-c", EXAMPLE_CONFIG, "publish", "-n", "--json", post)
    assert result.exit_code == 2
    assert "audience gingr matches no channel" in result.stderr
    assert result.stdout == ""
