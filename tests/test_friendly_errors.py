"""Mistakes a person makes typing channels.yaml or a post (issue 9, item 10), and the
brands that cannot leak by omission (item 3): each is exit 2 with one readable line
naming the file, the line or setting, and the fix, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from crosspost.config import load_config
from crosspost.errors import NotFound
from helpers import EXAMPLE_CONFIG, ROOT, run, run_json, write

# Two brands and a by-hand channel, every one with an audience.
BRANDS = """
channels:
  ebs-twitter:
    network: manual
    audience: ebs
  engineering-page:
    network: manual
    audience: [engineering]
  xing:
    network: manual
    audience: all
"""


def fails(tmp_path: Path, *args: str | Path) -> str:
    """stderr of a command that must exit 2 with crosspost's own message (no traceback),
    with the temporary directory taken out of the paths."""
    result = run(*args)
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    return result.stderr.replace(f"{tmp_path}/", "")


def post(tmp_path: Path, front_matter: str, name: str = "post.md") -> Path:
    return write(tmp_path / name, f"---\n{front_matter.strip()}\n---\nSome text.\n")


def brands(tmp_path: Path, text: str = BRANDS) -> Path:
    return write(tmp_path / "channels.yaml", text)


# -- an unquoted colon, and other YAML a person types --------------------------------


def test_an_unquoted_colon_in_a_post_title_says_to_quote_it(tmp_path: Path) -> None:
    path = post(tmp_path, "title: Rentrée 2026 : ce qui change\nurl: https://b.example/r")
    err = fails(tmp_path, "-c", EXAMPLE_CONFIG, "check", path)
    assert (
        'error: post.md:2: the value of title contains ": "; put it in quotes: '
        'title: "Rentrée 2026 : ce qui change"\n'
    ) in err


def test_an_unquoted_colon_in_channels_yaml_says_to_quote_it(tmp_path: Path) -> None:
    config = brands(
        tmp_path, BRANDS + '    instructions: Paste it: then pin it  # the "news" tab\n'
    )
    err = fails(tmp_path, "-c", config, "check")
    assert err == (
        'error: channels.yaml:11: the value of instructions contains ": "; put it in quotes: '
        'instructions: "Paste it: then pin it"\n'
    )


def test_a_value_starting_with_at_says_to_quote_it(tmp_path: Path) -> None:
    path = post(tmp_path, "title: A\nsummary: @ginger is open\n")
    err = fails(tmp_path, "-c", EXAMPLE_CONFIG, "check", path)
    assert (
        "post.md:3: the value of summary starts with @, which YAML reserves; put it in "
        'quotes: summary: "@ginger is open"'
    ) in err


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "channels:\n  a:\n    network: [manual\n",
            "channels.yaml:4: not valid YAML: expected ',' or ']', but got '<stream end>'",
        ),
        (
            "channels:\n  a:\n\tnetwork: manual\n",
            "channels.yaml:3: found character '\\t' that cannot start any token: "
            "indent with spaces, not tabs",
        ),
    ],
)
def test_other_yaml_errors_keep_file_and_line(tmp_path: Path, text: str, expected: str) -> None:
    err = fails(tmp_path, "-c", write(tmp_path / "channels.yaml", text), "check")
    assert err == f"error: {expected}\n"


# -- dates not written YYYY-MM-DD -----------------------------------------------------


LINKEDIN = """
channels:
  li:
    network: linkedin
    author: urn:li:organization:1
    token_expires: {when}
    credentials:
      access_token: ${{LI_TOKEN}}
"""


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        ("05/12/2026", "write the date as YYYY-MM-DD, e.g. 2026-12-05"),
        ("2026-12-05T10:30", "write the date as YYYY-MM-DD, e.g. 2026-12-05"),
        ("2026-13-05", "2026-13-05 is not a real date; write the date as YYYY-MM-DD"),
    ],
)
def test_a_token_expiry_not_in_iso_form_names_the_form(
    tmp_path: Path, when: str, expected: str
) -> None:
    config = write(tmp_path / "channels.yaml", LINKEDIN.format(when=when))
    err = fails(tmp_path, "-c", config, "check")
    assert err.startswith(f"error: channels.yaml:5: channels.li.token_expires: {expected}")
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("front_matter", "expected"),
    [
        (
            "title: A\npublish_at: 05/12/2026 09:00",
            "post.md:3: `publish_at: 05/12/2026 09:00` is not a date-time in ISO form; write "
            "the date and time as YYYY-MM-DDTHH:MM, e.g. 2026-12-05T09:00",
        ),
        (
            "title: A\ndate: 2026-13-05",
            "post.md:3: date: 2026-13-05 is not a real date; write the date as YYYY-MM-DD, "
            "e.g. 2026-12-05",
        ),
    ],
)
def test_a_post_date_not_in_iso_form_names_the_form(
    tmp_path: Path, front_matter: str, expected: str
) -> None:
    path = post(tmp_path, front_matter)
    assert f"error: {expected}" in fails(tmp_path, "-c", EXAMPLE_CONFIG, "check", path)


def test_a_toml_publish_at_names_its_line_too(tmp_path: Path) -> None:
    path = write(tmp_path / "post.md", '+++\ntitle = "A"\npublish_at = "12/05/2026"\n+++\nText\n')
    err = fails(tmp_path, "-c", EXAMPLE_CONFIG, "check", path)
    assert "post.md:3: `publish_at: 12/05/2026` is not a date-time in ISO form" in err


# -- the closest name, for a typo -----------------------------------------------------


def test_an_unknown_channel_option_suggests_the_closest(tmp_path: Path) -> None:
    path = post(tmp_path, "title: A\naudience: ebs")
    err = fails(tmp_path, "-c", EXAMPLE_CONFIG, "publish", "-n", "-C", "ebs-twiter", path)
    assert f"no channel named 'ebs-twiter' in {EXAMPLE_CONFIG} (did you mean ebs-twitter?)" in err


def test_a_channel_far_from_every_name_lists_them_instead(tmp_path: Path) -> None:
    err = fails(
        tmp_path, "-c", brands(tmp_path), "publish", "-n", "-C", "zzz", post(tmp_path, "title: A")
    )
    assert (
        "no channel named 'zzz' in channels.yaml (known: ebs-twitter, engineering-page, xing)"
        in err
    )


def test_a_post_override_of_an_unknown_channel_suggests_the_closest(tmp_path: Path) -> None:
    path = post(tmp_path, "title: A\naudience: ebs\nchannels:\n  ebs-twiter: false")
    err = fails(tmp_path, "-c", EXAMPLE_CONFIG, "check", path)
    assert (
        f"post.md: channels.ebs-twiter: no such channel in {EXAMPLE_CONFIG} "
        "(did you mean ebs-twitter?)"
    ) in err


def test_relayed_by_and_feed_channels_suggest_the_closest(tmp_path: Path) -> None:
    config = brands(
        tmp_path,
        BRANDS
        + "    relayed_by: ebs-twiter\n"
        + "feeds:\n  - name: blog\n    url: feed.xml\n    channels: xnig\n"
        + "    audience: enginering\n",
    )
    assert fails(tmp_path, "-c", config, "check").splitlines() == [
        "error: channels.yaml:11: channels.xing.relayed_by: no channel named 'ebs-twiter' "
        "(did you mean ebs-twitter?)",
        "  channels.yaml:15: feeds.blog.channels: no channel named 'xnig' (did you mean xing?)",
        "  channels.yaml:16: feeds.blog.audience: audience enginering matches no channel "
        "(audiences in this file: ebs, engineering; did you mean engineering?)",
    ]


def test_an_unknown_feed_name_suggests_the_closest(tmp_path: Path) -> None:
    config = load_config(
        brands(tmp_path, BRANDS + "feeds:\n  - name: ginger-news\n    url: feed.xml\n")
    )
    assert config.feed("ginger-news").url == "feed.xml"
    with pytest.raises(
        NotFound, match=r"no feed named 'ginger-new' in .* \(did you mean ginger-news\?\)"
    ):
        config.feed("ginger-new")


# -- audience written as one word ------------------------------------------------


def test_an_audience_written_as_one_word_is_a_list_of_one(tmp_path: Path) -> None:
    # `audience: ebs` in channels.yaml (ebs-twitter) and in the post: once "Input should
    # be a valid tuple" for the channel.
    path = post(tmp_path, "title: A\nurl: https://b.example/a\naudience: ebs")
    rows = run_json("-c", brands(tmp_path), "publish", "-n", path)
    skipped = {r["channel"]: r["skipped"] for r in rows}
    assert skipped["ebs-twitter"] is None and skipped["xing"] is None  # xing: audience all
    assert "audience ebs is not this channel's (engineering)" in skipped["engineering-page"]


# -- brands cannot leak by omission: `all`, and no channel or audience left unsaid -------


def test_a_channel_without_audience_among_branded_ones_is_an_error(tmp_path: Path) -> None:
    config = brands(tmp_path, BRANDS.replace("    audience: all\n", "    site: Xing\n"))
    for command in (["check"], ["publish", "-n", post(tmp_path, "title: A\naudience: ebs")]):
        err = fails(tmp_path, "-c", config, *command)
        assert err == (
            "error: channels.yaml:8: channels.xing: no `audience:`, so it would take every "
            "brand's posts; add its brand (ebs, engineering), or `audience: all` to take "
            "every post on purpose\n"
        )


def test_the_demo_and_example_configs_still_load() -> None:
    for path in (EXAMPLE_CONFIG, ROOT / "src" / "crosspost" / "demo" / "channels.yaml"):
        assert run("-c", path, "check").exit_code == 0


def test_no_audience_anywhere_still_sends_every_post_everywhere(tmp_path: Path) -> None:
    config = write(tmp_path / "channels.yaml", "channels:\n  a:\n    network: manual\n")
    path = post(tmp_path, "title: A\nurl: https://b.example/a\naudience: [ebs]")
    result = run("-c", config, "publish", "-n", "--json", path)
    assert result.exit_code == 0, result.stderr
    assert '"skipped": null' in result.stdout


def test_all_cannot_be_mixed_with_brands(tmp_path: Path) -> None:
    config = brands(tmp_path, BRANDS.replace("audience: all", "audience: [all, ebs]"))
    assert fails(tmp_path, "-c", config, "check") == (
        "error: channels.yaml:10: channels.xing.audience: `all` already means every post: "
        "write `audience: all` alone, or list the brands\n"
    )


@pytest.mark.parametrize("command", [["check"], ["publish", "-n"], ["publish"], ["schedule"]])
def test_a_misspelt_post_audience_is_bad_input_with_the_closest(
    tmp_path: Path, command: list[str]
) -> None:
    config = brands(tmp_path)
    path = post(tmp_path, "title: A\nurl: https://b.example/a\naudience: gigner")
    err = fails(tmp_path, "-c", config, *command, path)
    assert (
        "post.md: audience gigner matches no channel (audiences in channels.yaml: "
        "ebs, engineering; did you mean engineering?)"
    ) in err
    assert "sent" not in err


def test_a_post_for_all_goes_everywhere(tmp_path: Path) -> None:
    path = post(tmp_path, "title: A\nurl: https://b.example/a\naudience: all")
    result = run("-c", brands(tmp_path), "publish", "-n", "--json", path)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count('"skipped": null') == 3


def test_feed_pull_of_an_unknown_feed_suggests_the_closest(tmp_path: Path) -> None:
    cfg = tmp_path / "channels.yaml"
    cfg.write_text(
        "channels:\n  fb:\n    network: facebook\n    page_id: '1'\n"
        "    credentials:\n      page_token: ${FB}\n"
        "feeds:\n  - name: ginger-news\n    url: https://blog.example.com/feed/\n"
        "    action: review\n",
        encoding="utf-8",
    )
    result = run("-c", cfg, "feed", "pull", "ginger-new")
    assert result.exit_code == 2
    assert "no feed named 'ginger-new'" in result.stderr
    assert "did you mean ginger-news?" in result.stderr
