"""How the sender takes what an adapter raises: the contract of docs/plugins.md."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from crosspost.config import load_config
from crosspost.errors import ConfigError
from crosspost.ledger import open_store
from crosspost.networks.base import Outgoing, Receipt
from crosspost.sending.deliver import Sender
from crosspost.states import DeliveryState
from helpers import X_CREDS, write_config


class WrongSetting:
    """An adapter that finds, before any request, that a setting is wrong."""

    def send(self, *, outgoing: Outgoing, on_part: Any = None) -> Receipt:
        raise ConfigError("channel x: the account named by `handle` does not exist")


def test_a_wrong_setting_from_an_adapter_fails_the_delivery_and_pauses_not_unknown(
    tmp_path: Path, isolated_home: Path
) -> None:
    config = load_config(write_config(tmp_path, "  x:\n    network: twitter\n" + X_CREDS))
    with open_store(isolated_home) as ledger:
        row = ledger.ensure_delivery(
            post_key="https://blog.example.com/a",
            post_path=None,
            post_title="A",
            content_hash=None,
            channel="x",
            network="twitter",
            text="Hello",
            parts=("Hello",),
            link=None,
        )
        sender = Sender(
            config=config,
            channel=config.channels["x"],
            ledger=ledger,
            adapter=WrongSetting(),  # type: ignore[arg-type]
            policy=lambda store, d, exc: store.set_paused(d.channel, paused=True, reason=str(exc)),
        )
        final = sender.send(row).delivery
        # Nothing left (the contract says so): failed, not unknown, and the fix named.
        assert (final.state, final.error_kind) == (DeliveryState.FAILED, "config")
        assert "`handle` does not exist" in (final.error or "")
        assert ledger.paused_channels() == {"x": final.error}
