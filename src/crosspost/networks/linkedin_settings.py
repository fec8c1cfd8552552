"""What a linkedin channel says in channels.yaml, and the warnings its token and API
version call for before they stop working.

A concern of its own, apart from the adapter (linkedin.py), which holds the
requests, the paging and the error answers; linkedin.py imports these names.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

TOKEN_WARN_DAYS = 7
PERSON_RE = re.compile(r"^urn:li:person:[A-Za-z0-9_-]+$")
ORGANIZATION_RE = re.compile(r"^urn:li:organization:\d+$")
VERSION_RE = re.compile(r"^\d{4}(0[1-9]|1[0-2])$")

# The LinkedIn-Version values LinkedIn's public documentation confirms as released,
# newest first (checked 2026-12-01: 202605 and 202607; versions are not monthly, there
# is no 202512, and 202608 to 202611 are unconfirmed).  Each is retired about a year
# after release, with 426 NONEXISTENT_VERSION; the newest is the default.
KNOWN_VERSIONS = ("202607", "202605")
# Retirement dates LinkedIn announced (checked 2026-12-01); others: about a year on.
LINKEDIN_END_DATES = {
    "202510": date(2026, 10, 15),
    "202511": date(2026, 11, 16),
    "202601": date(2027, 1, 15),
}


class LinkedInSettings(BaseModel):
    """Who a linkedin channel posts as, and how."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    author: str
    linkedin_version: str = KNOWN_VERSIONS[0]
    visibility: str = "PUBLIC"
    token_expires: date | None = None

    @field_validator("author", mode="before")
    @classmethod
    def _author(cls, value: Any) -> Any:
        text = value.strip() if isinstance(value, str) else value
        if not isinstance(text, str) or not (PERSON_RE.match(text) or ORGANIZATION_RE.match(text)):
            raise ValueError(
                "author must be urn:li:person:<member id> to post as yourself (the id is the "
                "'sub' of GET /v2/userinfo) or urn:li:organization:<digits> to post as a "
                "Page (the number in the Page's admin URL, linkedin.com/company/<digits>/admin)"
            )
        return text

    @field_validator("linkedin_version", mode="before")
    @classmethod
    def _version(cls, value: Any) -> Any:
        text = str(value).strip() if isinstance(value, str | int) else value
        if not isinstance(text, str) or not VERSION_RE.match(text):
            raise ValueError(
                "linkedin_version must be a monthly API version written YYYYMM, like "
                "202607; LinkedIn retires each version after about a year"
            )
        return text

    @field_validator("visibility", mode="before")
    @classmethod
    def _visibility(cls, value: Any) -> Any:
        text = value.strip().upper() if isinstance(value, str) else value
        if text not in ("PUBLIC", "CONNECTIONS"):
            raise ValueError(
                "visibility must be PUBLIC (anyone on or off LinkedIn) or CONNECTIONS "
                "(your 1st-degree network only)"
            )
        return text


def token_expiry_warning(
    settings: LinkedInSettings, *, channel: str, today: date | None = None
) -> str | None:
    """A warning when the channel's token expires within 7 days or has expired; else None.

    LinkedIn tokens last 60 days and only approved partners get refresh tokens,
    so `token_expires` is the only early notice before posts start failing.
    """
    expires = settings.token_expires
    if expires is None:
        return None
    today = today or datetime.now(UTC).date()
    left = (expires - today).days
    renew = (
        "create a new token (LinkedIn developer portal → your app → Auth → OAuth 2.0 tools) "
        "and update the channel's access_token and token_expires"
    )
    if left < 0:
        return f"LinkedIn token of channel {channel!r} expired on {expires.isoformat()}: {renew}."
    if left <= TOKEN_WARN_DAYS:
        when = "today" if left == 0 else f"in {left} day{'s' if left > 1 else ''}"
        return (
            f"LinkedIn token of channel {channel!r} expires {when} ({expires.isoformat()}): "
            f"{renew}."
        )
    return None
