"""bit.ly's v4 API, the one client for shortening (with `domain` and `group_guid`) and
for the report's clicks, on one host setting (`shortener.api_url`).

A thin `requests` client rather than pyshorteners: pyshorteners sends only
`long_url`, so a branded domain or a group set in channels.yaml was silently
ignored, and shortening and clicks went through two clients.  The token goes
in the Authorization header only; bit.ly's own words are kept short, and every
message is scrubbed again as a CrosspostError.
"""

from __future__ import annotations

from typing import Any

from .errors import ClicksUnavailable, ShortenerFailed

API = "https://api-ssl.bitly.com"


class Bitly:
    """One bit.ly account: `with Bitly(...) as b:` shortens and counts clicks."""

    def __init__(self, token: str, *, api_url: str | None = None, timeout: float = 5.0) -> None:
        import requests

        self.base = (api_url or API).rstrip("/")
        self.timeout = timeout
        self._session = requests.Session()
        self._session.headers.update({"Authorization": f"Bearer {token}"})

    def __enter__(self) -> Bitly:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._session.close()

    def shorten(
        self, long_url: str, *, domain: str | None = None, group_guid: str | None = None
    ) -> tuple[str, str]:
        """The short link and its bitlink id (`bit.ly/abc`); ShortenerFailed otherwise."""
        import requests

        body: dict[str, Any] = {"long_url": long_url}
        if domain:
            body["domain"] = domain
        if group_guid:
            body["group_guid"] = group_guid
        try:
            response = self._session.post(
                f"{self.base}/v4/shorten", json=body, timeout=self.timeout
            )
        except requests.Timeout:
            raise ShortenerFailed("bit.ly did not answer in time") from None
        except requests.RequestException:
            raise ShortenerFailed("cannot reach bit.ly") from None
        if response.status_code not in (200, 201):
            raise ShortenerFailed(f"bit.ly refused to shorten the link: {_said(response)}")
        try:
            answer = response.json()
            return str(answer["link"]), str(answer.get("id") or answer["link"].split("://")[-1])
        except (ValueError, KeyError, TypeError, AttributeError):
            raise ShortenerFailed("bit.ly answered something unreadable") from None

    def clicks(self, bitlink: str) -> int | None:
        """All clicks so far on one bitlink; None when bit.ly does not know it."""
        import requests

        url = f"{self.base}/v4/bitlinks/{bitlink}/clicks/summary"
        try:
            response = self._session.get(
                url, params={"unit": "day", "units": "-1"}, timeout=self.timeout
            )
        except requests.Timeout:
            raise ClicksUnavailable(f"bit.ly did not answer within {self.timeout:g} s") from None
        except requests.RequestException:
            raise ClicksUnavailable("cannot reach bit.ly") from None
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise ClicksUnavailable(_refusal(response))
        try:
            return int(response.json()["total_clicks"])
        except (ValueError, KeyError, TypeError):
            raise ClicksUnavailable("bit.ly answered something unreadable") from None


def _said(response: Any) -> str:
    """HTTP status and bit.ly's own message and description, clipped."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    words = [
        str(body.get(k))
        for k in ("message", "description")
        if isinstance(body, dict) and body.get(k)
    ]
    detail = ": ".join(words)[:200]
    return f"HTTP {response.status_code}" + (f" ({detail})" if detail else "")


def _refusal(response: Any) -> str:
    try:
        message = str(response.json().get("message") or "")[:80]
    except ValueError:
        message = ""
    why = {403: "the token was refused", 429: "rate limit reached, try later"}.get(
        response.status_code, message or "error"
    )
    return f"bit.ly answered HTTP {response.status_code} ({why})"
