"""What the doctor found, as data: one `Finding` per thing checked, and the `Diagnosis`
that holds them (rendered as a table or JSON by the CLI)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    OK = "ok"
    WARN = "warn"  # works today, needs doing soon (a token expiring, an old secret)
    FAIL = "fail"  # will fail: a refused token, the wrong account, cron not running
    # The network could not be asked (down, rate limited): not known to be broken.
    UNCHECKED = "unchecked"


@dataclass(frozen=True)
class Finding:
    """One thing checked: where (`subject`: a channel, bit.ly, the machine), what, how it
    stands, the detail, and what fixes it.  Never a secret's value."""

    subject: str
    what: str
    status: Status
    detail: str
    fix: str = ""

    def to_json(self) -> dict[str, Any]:
        from ..secrets import scrub  # a network's words may echo a credential

        return {
            "subject": self.subject,
            "what": self.what,
            "status": str(self.status),
            "detail": scrub(self.detail),
            "fix": self.fix,
        }

    def said(self) -> str:
        """One line for `run`'s warnings."""
        from ..secrets import scrub

        fix = f" ({self.fix})" if self.fix else ""
        return scrub(f"{self.subject}: {self.what}: {self.detail}{fix}")


@dataclass(frozen=True)
class Diagnosis:
    findings: tuple[Finding, ...]

    @property
    def failed(self) -> bool:
        """Anything that will fail.  UNCHECKED is not: 'could not check' is not 'broken'."""
        return any(f.status is Status.FAIL for f in self.findings)

    def count(self, status: Status) -> int:
        return sum(1 for f in self.findings if f.status is status)

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": not self.failed,
            "counts": {str(s): self.count(s) for s in Status},
            "findings": [f.to_json() for f in self.findings],
        }
