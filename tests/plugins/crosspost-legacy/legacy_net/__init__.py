"""A network registered only in the old `crosspost.networks` group."""

from __future__ import annotations

from typing import Any, ClassVar

from crosspost.networks import NetworkInfo, Outgoing, PartCallback, Receipt


class LegacyNetwork:
    info: ClassVar[NetworkInfo] = NetworkInfo(name="legacy", max_length=300)

    def __init__(self, **options: Any) -> None:
        pass

    def send(self, *, outgoing: Outgoing, on_part: PartCallback | None = None) -> Receipt:
        return Receipt(remote_id="1")
