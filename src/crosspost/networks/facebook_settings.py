"""What a facebook channel says in channels.yaml, and when the Graph API version it
names stops working.

A concern of its own, apart from the adapter (facebook.py), which holds the
requests, the paging and the error answers; facebook.py imports these names
(and re-exports them, so `from crosspost.networks.facebook import
FacebookSettings` keeps working).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

VERSION_RE = re.compile(r"^v\d+\.\d+$")

# Graph API versions' end dates, as Meta publishes them (checked 2026-12-01); a version
# not listed has no known end yet.
GRAPH_END_DATES = {
    "v20.0": date(2026, 9, 24),
    "v21.0": date(2027, 1, 21),
    "v22.0": date(2027, 5, 20),
    "v23.0": date(2027, 10, 8),
    "v24.0": date(2028, 2, 18),
    "v25.0": date(2028, 7, 29),
}


class FacebookSettings(BaseModel):
    """The Page a facebook channel publishes to."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    page_id: str
    graph_version: str = "v26.0"

    @field_validator("page_id", mode="before")
    @classmethod
    def _page_id(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip().isdigit():
            raise ValueError(
                "page_id must be the Page's numeric id (digits only, e.g. 104123456789012), "
                "not its name or URL; find it on the Page under About → Page transparency, "
                "or in Meta Business Suite → Settings → Page info"
            )
        return value.strip()

    @field_validator("graph_version", mode="before")
    @classmethod
    def _graph_version(cls, value: Any) -> Any:
        text = str(value).strip() if isinstance(value, str | int | float) else value
        if not isinstance(text, str) or not VERSION_RE.match(text):
            raise ValueError(
                f"graph_version must look like v26.0: a lower-case 'v', the major number, a "
                f"dot and the minor number (got {value!r}); quote it in YAML"
            )
        return text
