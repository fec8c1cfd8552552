"""The network registry: plain and qualified names, and a name two packages claim."""

from __future__ import annotations

import pytest

from crosspost.networks import Registry, UnknownNetwork, load_networks
from crosspost.networks.twitter import TwitterNetwork


class OtherTwitter(TwitterNetwork):
    """Stands for a plugin package reusing the built-in's name."""


def test_builtins_answer_to_plain_and_qualified_names() -> None:
    registry = load_networks()
    assert registry.resolve("twitter") is registry.resolve("crosspost.twitter") is TwitterNetwork
    assert "twitter" in registry.names()


def test_a_name_two_packages_give_must_be_qualified() -> None:
    registry = Registry(
        {"crosspost.twitter": TwitterNetwork, "acme.twitter": OtherTwitter},
        {"twitter": ("crosspost.twitter", "acme.twitter")},
    )
    with pytest.raises(UnknownNetwork) as refused:
        registry.resolve("twitter")
    assert str(refused.value) == (
        "network 'twitter' is provided by crosspost and acme: write "
        "`network: crosspost.twitter` or `network: acme.twitter` to say which"
    )
    assert registry.resolve("acme.twitter") is OtherTwitter
    assert registry.resolve("crosspost.twitter") is TwitterNetwork
    assert registry.names() == ["acme.twitter", "crosspost.twitter"]


def test_an_unknown_name_lists_what_is_installed() -> None:
    with pytest.raises(UnknownNetwork, match=r"unknown network 'myspace' \(installed: .*twitter"):
        load_networks().resolve("myspace")
