"""The exact wording of channels.yaml errors: `file:line: dotted.path: message`, all
problems of a file at once, in the order a user reads the file's sections."""

from __future__ import annotations

from pathlib import Path

import pytest

from crosspost.config import SECRET_REF, load_config, unset_credentials
from crosspost.errors import ConfigError
from helpers import write


def problems(tmp_path: Path, text: str) -> list[str]:
    path = write(tmp_path / "channels.yaml", text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    return str(info.value).replace(f"{tmp_path}/", "").splitlines()


def test_channel_name_and_unknown_network(tmp_path: Path) -> None:
    assert problems(
        tmp_path,
        "channels:\n  Bad_Name:\n    network: manual\n  b:\n    network: myspace\n",
    ) == [
        "channels.yaml:2: channels.Bad_Name: channel names use lower-case letters, digits, "
        "`-`, `_` and `.`",
        "channels.yaml:5: channels.b.network: unknown network 'myspace' "
        "(installed: bluesky, facebook, linkedin, manual, mastodon, twitter)",
    ]


def test_setting_of_a_network_without_settings(tmp_path: Path) -> None:
    # manual has a settings model; a key it does not know is pydantic's extra_forbidden.
    assert problems(tmp_path, "channels:\n  a:\n    network: manual\n    colour: blue\n") == [
        "channels.yaml:4: channels.a.colour: unknown setting (check its spelling, or see the "
        "README's channels.yaml reference)"
    ]


def test_every_problem_of_one_channel_and_across_channels(tmp_path: Path) -> None:
    assert problems(
        tmp_path,
        "channels:\n  a:\n    network: facebook\n    page_id: '1'\n    overflow: thread\n"
        "    credentials:\n      nope: ${X}\n    shorten: true\n",
    ) == [
        "channels.yaml:6: channels.a.credentials: missing page_token (a facebook channel needs "
        "page_token, each as ${ENV_VAR})",
        "channels.yaml:7: channels.a.credentials.nope: not a facebook credential "
        "(expected page_token)",
        "channels.yaml:5: channels.a.overflow: facebook has no threads; use shorten or fail",
        "channels.yaml:8: channels.a.shorten: add a top-level `shortener:` section "
        "(service, token) to shorten links",
    ]


def test_credential_for_a_network_that_takes_none(tmp_path: Path) -> None:
    assert problems(
        tmp_path, "channels:\n  a:\n    network: manual\n    credentials:\n      x: ${B}\n"
    ) == ["channels.yaml:5: channels.a.credentials.x: not a manual credential (expected none)"]


def test_relays_to_self_to_nobody_and_in_a_loop(tmp_path: Path) -> None:
    assert problems(
        tmp_path,
        "channels:\n"
        "  a:\n    network: manual\n    relayed_by: b\n"
        "  b:\n    network: manual\n    relayed_by: a\n"
        "  c:\n    network: manual\n    relayed_by: c\n"
        "  d:\n    network: manual\n    relayed_by: zz\n",
    ) == [
        "channels.yaml:10: channels.c.relayed_by: a channel cannot relay itself",
        "channels.yaml:13: channels.d.relayed_by: no channel named 'zz'",
        "channels.yaml:4: channels.a.relayed_by: relay loop a -> b -> a",
        "channels.yaml:7: channels.b.relayed_by: relay loop b -> a -> b",
        "channels.yaml:10: channels.c.relayed_by: relay loop c -> c",
    ]


def test_feed_limited_to_an_unknown_channel_is_named_by_feed(tmp_path: Path) -> None:
    assert problems(
        tmp_path,
        "channels:\n  a:\n    network: manual\n"
        "feeds:\n  - name: blog\n    url: feed.xml\n    channels: [a, nope]\n",
    ) == ["channels.yaml:7: feeds.blog.channels: no channel named 'nope'"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- a\n", "channels.yaml:1: expected a mapping with a `channels:` section"),
        ("", "channels.yaml:1: expected a mapping with a `channels:` section"),
        (
            "channels: {}\nbogus: 1\n",
            "channels.yaml:2: bogus: unknown setting (check its spelling, or see the README's "
            "channels.yaml reference)",
        ),
        ("defaults: {}\n", "channels.yaml:1: channels: required setting is missing"),
        (
            "shortener:\n  token: abc\nchannels: {}\n",
            "channels.yaml:2: shortener.token: write a reference, like ${MY_TOKEN}, and store "
            "the value with `crosspost secrets set MY_TOKEN`: secrets never go in channels.yaml",
        ),
        (
            "shortener: {token: ${X}}\nchannels: {}\n",
            "channels.yaml:1: not valid YAML: expected ',' or '}', but got '{'; inside { }, "
            'quote the reference ("${X}") or use one line per key',
        ),
    ],
)
def test_file_level_problems(tmp_path: Path, text: str, expected: str) -> None:
    assert problems(tmp_path, text) == [expected]


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nope\.yaml: no such configuration file$"):
        load_config(tmp_path / "nope.yaml")
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"\xff\xfe")
    with pytest.raises(ConfigError, match=r"bin\.yaml: not UTF-8 text$"):
        load_config(binary)


def test_defaults_fill_in_and_the_channel_wins(tmp_path: Path) -> None:
    path = write(
        tmp_path / "channels.yaml",
        "shortener:\n  token: ${BITLY}\n"
        "defaults:\n  retries: 3\n  slots: ['09:00']\n  utm: {source: x}\n"
        "channels:\n"
        "  a:\n    network: manual\n    utm: false\n"
        "  b:\n    network: manual\n    retries: 0\n    shorten: false\n"
        "    timezone: Europe/Paris\n",
    )
    a, b = load_config(path).channels.values()
    assert (a.retries, a.utm, a.shorten, a.timezone, a.line) == (3, None, True, "UTC", 8)
    assert (b.retries, b.shorten, b.timezone) == (0, False, "Europe/Paris")
    assert b.pacing.timezone == "Europe/Paris"
    assert b.utm is not None and b.utm.source == "x"
    assert [t.isoformat() for t in b.pacing.slots] == ["09:00:00"]


def test_retries_default_to_five_without_a_shortener(tmp_path: Path) -> None:
    path = write(tmp_path / "channels.yaml", "channels:\n  a:\n    network: manual\n")
    channel = load_config(path).channels["a"]
    assert (channel.retries, channel.shorten, channel.utm) == (5, False, None)


def test_unset_credentials_names_variables_not_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(
        tmp_path / "channels.yaml",
        "channels:\n  a:\n    network: facebook\n    page_id: '1'\n"
        "    credentials:\n      page_token: ${FB_PAGE_TOKEN}\n",
    )
    channel = load_config(path).channels["a"]
    monkeypatch.delenv("FB_PAGE_TOKEN", raising=False)
    assert unset_credentials(channel) == ["FB_PAGE_TOKEN"]
    monkeypatch.setenv("FB_PAGE_TOKEN", "sekret")
    assert unset_credentials(channel) == []


def test_secret_reference_syntax() -> None:
    assert SECRET_REF.match("${MY_TOKEN}")
    assert not SECRET_REF.match("$MY_TOKEN")
    assert not SECRET_REF.match("${1TOKEN}")
    assert not SECRET_REF.match("EAAB-secret")
