"""What LinkedIn publishes from a commentary written in its "little" text format.

LinkedIn accepts any commentary with a 201, then publishes it only up to the
first reserved character that is neither escaped nor part of a construct it
understands. The sandbox reproduces that silent cut, because it is the bug a
LinkedIn adapter most often ships.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

RESERVED = frozenset("\\|{}@[]()<>#*_~")
_URL = re.compile(r"https?://\S+")
_HASHTAG = re.compile(r"#\w+")
_MENTION = re.compile(r"@\[([^\]]+)\]\((urn:li:[A-Za-z]+:[^)\s]+)\)")
_HASHTAG_TEMPLATE = re.compile(r"\{hashtag\|\\#\|([^}|]+)\}")


@dataclass(frozen=True)
class Published:
    text: str
    # Index in the raw commentary where LinkedIn stopped, and the character that did it.
    cut_at: int | None = None
    cut_by: str | None = None

    @property
    def truncated(self) -> bool:
        return self.cut_at is not None


def publish(commentary: str) -> Published:
    """The text a reader sees once LinkedIn has rendered `commentary`."""
    shown: list[str] = []
    i = 0
    while i < len(commentary):
        char = commentary[i]
        if char == "\\" and i + 1 < len(commentary):
            shown.append(commentary[i + 1])
            i += 2
            continue
        if char in "hH" and (url := _URL.match(commentary, i)):
            # URLs are kept verbatim, reserved characters and all.
            shown.append(url.group())
            i = url.end()
            continue
        if (
            char == "#"
            and (i == 0 or commentary[i - 1].isspace())
            and (tag := _HASHTAG.match(commentary, i))
        ):
            shown.append(tag.group())
            i = tag.end()
            continue
        if char == "@" and (mention := _MENTION.match(commentary, i)):
            shown.append(mention.group(1))
            i = mention.end()
            continue
        if char == "{" and (template := _HASHTAG_TEMPLATE.match(commentary, i)):
            shown.append("#" + template.group(1))
            i = template.end()
            continue
        if char in RESERVED:
            return Published("".join(shown), cut_at=i, cut_by=char)
        shown.append(char)
        i += 1
    return Published("".join(shown))
