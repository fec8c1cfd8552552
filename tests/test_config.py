from __future__ import annotations

from pathlib import Path

import pytest

from crosspost.config import load_config, resolve_secret
from crosspost.errors import ConfigError, CredentialError
from crosspost.home import find_config
from helpers import EXAMPLE_CONFIG, X_CREDS, write


def test_example_config_loads() -> None:
    config = load_config(EXAMPLE_CONFIG)
    assert "ginger-twitter" in config.channels
    x = config.channels["ginger-twitter"]
    assert (x.max_length, x.info.link_weight, x.spec.overflow) == (280, 23, "thread")
    li = config.channels["ginger-linkedin"]
    assert li.max_length == 3000 and li.settings.author == "urn:li:organization:2414183"
    assert config.channels["ebs-xing"].manual
    assert config.channels["ebs-xing"].max_length == 420


def config_with(tmp_path: Path, channel_yaml: str) -> Path:
    return write(tmp_path / "channels.yaml", "channels:\n" + channel_yaml)


@pytest.mark.parametrize(
    ("channel_yaml", "line", "message"),
    [
        ("  a:\n    network: myspace\n", 3, r"channels\.a\.network: unknown network 'myspace'"),
        (
            "  a:\n    network: twitter\n    max_length: -5\n" + X_CREDS,
            4,
            r"channels\.a\.max_length: Input should be greater than 0",
        ),
        (
            "  a:\n    network: twitter\n    colour: blue\n" + X_CREDS,
            4,
            r"channels\.a\.colour: unknown setting",
        ),
        (
            "  a:\n    network: facebook\n    credentials:\n      page_token: EAAB-secret\n",
            4,
            r"secrets never go in channels\.yaml",
        ),
        (
            "  a:\n    network: facebook\n    credentials:\n      page_token: ${T}\n",
            2,
            r"channels\.a\.page_id: required setting is missing",
        ),
        (
            "  a:\n    network: linkedin\n    author: bob\n"
            "    credentials:\n      access_token: ${T}\n",
            4,
            r"channels\.a\.author",
        ),
        (
            "  a:\n    network: facebook\n    page_id: '1'\n    overflow: thread\n"
            "    credentials:\n      page_token: ${T}\n",
            5,
            r"facebook has no threads",
        ),
        (
            "  a:\n    network: manual\n    relayed_by: b\n",
            4,
            r"channels\.a\.relayed_by: no channel named 'b'",
        ),
        (
            "  a:\n    network: manual\n    relayed_by: b\n  b:\n    network: manual\n"
            "    relayed_by: a\n",
            4,
            r"relay loop a -> b -> a",
        ),
        (
            "  a:\n    network: twitter\n    credentials:\n      consumer_key: ${K}\n",
            4,
            r"missing consumer_secret",
        ),
    ],
)
def test_config_errors_name_file_line_and_field(
    tmp_path: Path, channel_yaml: str, line: int, message: str
) -> None:
    path = config_with(tmp_path, channel_yaml)
    with pytest.raises(ConfigError, match=message) as info:
        load_config(path)
    assert f"channels.yaml:{line}:" in str(info.value)


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path / "channels.yaml", "channels:\n  a:\n    network: [twitter\n")
    with pytest.raises(ConfigError, match=r"channels\.yaml:\d: not valid YAML"):
        load_config(path)


def test_unset_secret_names_channel_and_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOPE_TOKEN", raising=False)
    with pytest.raises(CredentialError, match=r"channel a: page_token reads \$\{NOPE_TOKEN\}"):
        resolve_secret("${NOPE_TOKEN}", channel="a", field="page_token")
    monkeypatch.setenv("NOPE_TOKEN", "sekret")
    assert resolve_secret("${NOPE_TOKEN}", channel="a", field="page_token") == "sekret"


def test_config_discovery_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    local = write(tmp_path / "proj" / "channels.yaml", "channels: {}\n")
    other = write(tmp_path / "other.yaml", "channels: {}\n")
    assert find_config(cwd=local.parent) == local
    monkeypatch.setenv("CROSSPOST_CONFIG", str(other))
    assert find_config(cwd=local.parent) == other
    assert find_config(local, cwd=tmp_path) == local
    monkeypatch.setenv("CROSSPOST_CONFIG", str(tmp_path / "missing.yaml"))
    with pytest.raises(ConfigError, match="CROSSPOST_CONFIG"):
        find_config(cwd=local.parent)
