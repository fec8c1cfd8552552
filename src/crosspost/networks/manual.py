"""Manual channels: networks without a posting API (Xing, Viadeo, InterNations...).

The core never posts to them: it records a task with the rendered text, and a
person pastes it and confirms with `crosspost done`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict, field_validator

from crosspost.errors import Rejected
from crosspost.networks.base import NetworkInfo, Outgoing, PartCallback, Receipt


class ManualSettings(BaseModel):
    """What the person doing the posting needs to know."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    instructions: str | None = None  # e.g. "post in the Berlin group, not the timeline"
    url: str | None = None  # where to paste it
    site: str | None = None  # free text: "Xing", "Viadeo"...

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip()
        if not value.lower().startswith(("http://", "https://")):
            raise ValueError(
                "url must be the full web address of the page to post on, starting with "
                "https:// (for example https://www.xing.com/communities/groups/...)"
            )
        return value


class ManualNetwork:
    """A channel posted by hand; crosspost only prepares the text and tracks the task."""

    info: ClassVar[NetworkInfo] = NetworkInfo(
        name="manual",
        max_length=3000,
        manual=True,
        images=True,  # handed to the person who posts it, with its alt text
        alt_text=True,
        credentials=(),
        settings_model=ManualSettings,
        preview_style="manual",
    )

    def __init__(
        self,
        *,
        channel: str,
        settings: Any = None,
        credentials: Mapping[str, str] | None = None,
        api_url: str | None = None,
        timeout: float = 0,
        state_dir: Path | None = None,  # nothing kept between runs
    ) -> None:
        self.channel = channel
        self.settings = settings if settings is not None else ManualSettings()

    def send(self, *, outgoing: Outgoing, on_part: PartCallback | None = None) -> Receipt:
        """Always refuses: a manual channel is posted by a person."""
        raise Rejected(
            f"channel {self.channel!r} is a manual channel: crosspost cannot post it. Paste "
            "the prepared text by hand, then record it with `crosspost done`.",
            channel=self.channel,
        )


if TYPE_CHECKING:  # mypy checks the adapter against each protocol it meets
    from crosspost.networks.base import Network

    _CHECKED: tuple[type[Network]] = (ManualNetwork,)
