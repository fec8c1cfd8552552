"""The doctor's check of bit.ly: the account the token is (`GET /v4/user`) and how much
of the month's shortening quota is left (`GET /v4/user/platform_limits`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .findings import Finding, Status

if TYPE_CHECKING:
    from ..config import Shortener

SUBJECT = "bit.ly"
API = "https://api-ssl.bitly.com/v4"
QUOTA_WARN = 0.9  # warn once nine tenths of the month's shortens are used


def bitly_findings(shortener: Shortener, *, sandbox_url: str | None) -> list[Finding]:
    import requests

    from ..errors import CredentialError
    from ..sending.credentials import resolve_credential

    try:
        token = resolve_credential(
            shortener.token, channel="shortener", field="token", sandbox=sandbox_url is not None
        )
    except CredentialError as exc:
        return [Finding(SUBJECT, "token", Status.FAIL, str(exc), "`crosspost secrets set`")]
    base = f"{sandbox_url}/v4" if sandbox_url else (shortener.api_url or API).rstrip("/")
    headers = {"Authorization": f"Bearer {token}"}
    try:
        user = requests.get(f"{base}/user", headers=headers, timeout=shortener.timeout)
        if user.status_code in (401, 403):
            return [
                Finding(
                    SUBJECT,
                    "token",
                    Status.FAIL,
                    f"bit.ly refused the token (HTTP {user.status_code})",
                    "create a new access token at bitly.com → Settings → API",
                )
            ]
        user.raise_for_status()
        limits = requests.get(
            f"{base}/user/platform_limits", headers=headers, timeout=shortener.timeout
        )
        limits.raise_for_status()
        login, body = user.json().get("login"), limits.json()
    except (requests.RequestException, ValueError, AttributeError) as exc:
        # The class name only: requests' messages carry URLs.
        why = f"could not check: bit.ly did not answer ({type(exc).__name__})"
        return [Finding(SUBJECT, "token", Status.UNCHECKED, why)]
    return [
        Finding(SUBJECT, "token", Status.OK, f"works; account {login}"),
        _quota(body),
    ]


def _quota(body: Any) -> Finding:
    for item in body.get("platform_limits") or () if isinstance(body, dict) else ():
        if not isinstance(item, dict) or item.get("endpoint") != "/v4/shorten":
            continue
        for method in item.get("methods") or ():
            limit, count = method.get("limit"), method.get("count")
            if not isinstance(limit, int) or not isinstance(count, int) or limit <= 0:
                continue
            left = max(limit - count, 0)
            said = f"{left} of {limit} shortens left this month (resets on the 1st)"
            if left == 0:
                fix = "links go out long until then: upgrade the plan or wait"
                return Finding(SUBJECT, "quota", Status.FAIL, said, fix)
            status = Status.WARN if count >= QUOTA_WARN * limit else Status.OK
            return Finding(SUBJECT, "quota", status, said)
    return Finding(SUBJECT, "quota", Status.UNCHECKED, "bit.ly named no limit for /v4/shorten")
