"""A plugin's network that takes the name of a built-in one ("twitter")."""

from __future__ import annotations

from typing import Any, ClassVar

from crosspost.networks import NetworkInfo, Outgoing, PartCallback, Receipt


class ClashTwitter:
    info: ClassVar[NetworkInfo] = NetworkInfo(name="twitter", max_length=500)

    def __init__(self, **options: Any) -> None:
        pass

    def send(self, *, outgoing: Outgoing, on_part: PartCallback | None = None) -> Receipt:
        raise AssertionError("a clashing name must never be used to send")
