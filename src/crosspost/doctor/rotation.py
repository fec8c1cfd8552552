"""The doctor's check of the secrets' age: older than `defaults.rotate_after` (90 days)
is a warning to rotate.  Only the team file and HOME/env know when a secret was
set; one from the environment has no age to tell."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from ..errors import CrosspostError
from .findings import Finding, Status

if TYPE_CHECKING:
    from ..workspace import Workspace


def rotation_findings(
    ws: Workspace, *, now: datetime, sandbox: bool = False, channels: Sequence[str] = ()
) -> list[Finding]:
    """Each secret in use (by `channels` and the shortener, when channels are named)."""
    from ..pacing import parse_duration

    rotate_after = ws.config.defaults.rotate_after
    days = parse_duration(rotate_after).days
    try:
        listing = ws.secrets().listing(now=now)
    except CrosspostError as exc:  # a team file she cannot read: hers to fix, said once
        return [Finding("secrets", "age", Status.UNCHECKED, f"could not read them: {exc}")]
    found = []
    for row in listing.rows:
        if not row.used_by or (channels and not _used_by(row.used_by, channels)):
            continue
        subject = f"secret {row.name}"
        if row.source == "missing" and sandbox:
            said = "not set (the sandbox stands in for it)"
            found.append(Finding(subject, "set", Status.OK, said))
        elif row.source == "missing":
            fix = f"`crosspost secrets set {row.name}`"
            found.append(Finding(subject, "set", Status.FAIL, "not set anywhere", fix))
        elif row.days_old is None:
            said = f"from the {row.source}: its age is unknown"
            found.append(Finding(subject, "age", Status.OK, said))
        elif row.days_old > days:
            found.append(
                Finding(
                    subject,
                    "age",
                    Status.WARN,
                    f"{row.days_old} days old (rotate_after: {rotate_after})",
                    f"`crosspost secrets rotate {row.name}` after renewing it on the network",
                )
            )
        else:
            said = f"{row.days_old} days old, in the {row.source}"
            found.append(Finding(subject, "age", Status.OK, said))
    return found


def _used_by(uses: Sequence[str], channels: Sequence[str]) -> bool:
    """Whether a secret's uses (`channel x: access_token`, `shortener: token`) are theirs."""
    mine = (*(f"channel {name}:" for name in channels), "shortener:")
    return any(use.startswith(mine) for use in uses)
