"""A brand's report: which channels it shows, and which of their copies are the brand's.

channels.yaml gives each channel its brands (`audience: ebs`); a channel of
`audience: all` (or none) serves every brand, so it appears in each brand's
report, marked shared.  The ledger does not record a post's brand, so a shared
channel's copy is the brand's when the same post also went to one of the
brand's own channels, or to no brand's channel at all (nothing says whose it
is, and it is left in every report rather than in none).  A channel that only
the ledger knows (since removed from channels.yaml) belongs to no brand: it is
in the whole report only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..config.models import ALL_AUDIENCES
from ..errors import BadInput
from ..ledger import Delivery

if TYPE_CHECKING:
    from ..config import Config


@dataclass(frozen=True)
class Brand:
    """The channels of one brand's report, in channels.yaml's order."""

    name: str
    own: tuple[str, ...]  # the brand's channels
    shared: tuple[str, ...]  # channels that serve every brand
    others: frozenset[str]  # the other brands' channels

    @property
    def channels(self) -> tuple[str, ...]:
        return self.own + self.shared

    def deliveries(self, deliveries: Mapping[int, Delivery]) -> dict[int, Delivery]:
        """Of `deliveries`, the copies this brand's report counts."""
        own = {d.post_key for d in deliveries.values() if d.channel in self.own}
        others = {d.post_key for d in deliveries.values() if d.channel in self.others}
        return {
            key: d
            for key, d in deliveries.items()
            if d.channel in self.own
            or (d.channel in self.shared and (d.post_key in own or d.post_key not in others))
        }


def brand_of(config: Config, audience: str) -> Brand:
    """`audience`'s channels; BadInput naming the audiences channels.yaml has otherwise."""
    check_audience(config, audience)
    own, shared, others = [], [], set()
    for name, ch in config.channels.items():
        brands = ch.spec.audience
        if audience in brands:
            own.append(name)
        elif not brands or ALL_AUDIENCES in brands:
            shared.append(name)
        else:
            others.add(name)
    return Brand(audience, tuple(own), tuple(shared), frozenset(others))


def check_audience(config: Config, audience: str) -> None:
    """BadInput unless channels.yaml routes posts to `audience`, naming those it does."""
    if audience in config.audiences:
        return
    if not config.audiences:
        raise BadInput(
            f"--audience {audience}: no channel in {config.path} has an `audience:`, "
            "so there is one report for all of them"
        )
    raise BadInput(
        f"--audience {audience}: the audiences in {config.path} are {', '.join(config.audiences)}"
    )
