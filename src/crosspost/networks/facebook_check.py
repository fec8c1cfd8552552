"""`crosspost doctor` for a Facebook Page: the Page the token sees, and the token's own
validity, expiry and scopes (Graph's debug_token).

Apart from facebook.py, which holds posting and reading the feed back; this uses
its session (the token in an Authorization header) and its one error mapping.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from crosspost.errors import AuthFailed
from crosspost.networks.base import CredentialCheck

if TYPE_CHECKING:
    import requests

    from crosspost.networks.facebook import FacebookNetwork

# What publishing to a Page needs (API-NOTES.md); the Page's CREATE_CONTENT task is
# not in debug_token's answer, a refused post says that one.
REQUIRED_SCOPES = ("pages_manage_posts", "pages_read_engagement")
PAGE_FIELDS = "id,name,followers_count"


def check_page(net: FacebookNetwork) -> CredentialCheck:
    """The Page's name and followers, and whether the token is valid, until when and
    with which scopes; ok False when Graph refuses it, a DeliveryError when Graph
    cannot be asked."""
    import requests

    from crosspost.networks.facebook import GRAPH_HOST, _map_error

    base = f"{GRAPH_HOST}/{net.settings.graph_version}"
    try:
        page = _read(net, f"{base}/{net.settings.page_id}", {"fields": PAGE_FIELDS})
        # debug_token takes the token to inspect as a parameter: the one place it
        # travels in a query string (Graph has no other way to ask); the sandbox and
        # every message crosspost writes redact it.
        token = _read(net, f"{base}/debug_token", {"input_token": net._token})
    except requests.RequestException as exc:
        error = _map_error(
            exc, channel=net.channel, timeout=net.timeout, secrets=[net._token], posting=False
        )
        if isinstance(error, AuthFailed):
            return CredentialCheck(ok=False, account=None, detail=str(error))
        raise error from exc
    name = str(page.get("name") or net.settings.page_id)
    account = f"Page {name}"
    found = token.get("data")
    data: dict[str, Any] = found if isinstance(found, dict) else {}
    scopes = tuple(str(s) for s in data.get("scopes") or ())
    expires_at = _expiry(data.get("expires_at"))
    if not data.get("is_valid"):
        return CredentialCheck(
            ok=False,
            account=account,
            detail=f"Facebook says the Page token of channel {net.channel!r} is no longer "
            "valid: create a new Page access token and update the secret page_token names.",
            expires_at=expires_at,
            scopes=scopes,
        )
    followers = page.get("followers_count")
    said = f"{followers} followers" if isinstance(followers, int) else "Page token accepted"
    return CredentialCheck(
        ok=True,
        account=account,
        detail=said,
        expires_at=expires_at,
        scopes=scopes,
        missing_scopes=tuple(s for s in REQUIRED_SCOPES if s not in scopes),
    )


def _read(net: FacebookNetwork, url: str, params: dict[str, str]) -> dict[str, Any]:
    """One GET through the adapter's session; an HTTPError for anything but Graph's JSON."""
    import requests

    from crosspost.networks import _http

    session: requests.Session = net._get_session()
    headers = {"Authorization": f"Bearer {net._token}"}
    response = session.get(
        url, params=params, headers=headers, timeout=net.timeout, allow_redirects=False
    )
    body = _http.json_body(response)
    if not (200 <= response.status_code < 300 and isinstance(body, dict) and "error" not in body):
        raise requests.HTTPError(_http.status_text(response), response=response)
    return body


def _expiry(value: Any) -> datetime | None:
    """debug_token's expires_at: epoch seconds, 0 for a token that never expires."""
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        return None
    return datetime.fromtimestamp(value, UTC)
