"""`crosspost doctor` for LinkedIn: whom the token posts as (a member's userinfo, or the
organization's name) and when it expires (`token_expires`: LinkedIn's API does not
say, and its token introspection needs the app's client secret).

Apart from linkedin.py, which holds posting and reading posts back; this uses its
`_call` (headers, version fallback) and so its one error mapping.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import TYPE_CHECKING, Any

from crosspost.errors import AuthFailed
from crosspost.networks.base import CredentialCheck
from crosspost.networks.linkedin_settings import PERSON_RE

if TYPE_CHECKING:
    from crosspost.networks.linkedin import LinkedInNetwork

USERINFO_PATH = "/v2/userinfo"
ORGANIZATION_PATH = "/rest/organizations/{id}"


def check_token(net: LinkedInNetwork) -> CredentialCheck:
    """ok False when LinkedIn refuses the token, or when it is another member's than
    the channel's author; a DeliveryError when LinkedIn cannot be asked."""
    from crosspost.networks.linkedin import API_HOST

    author = net.settings.author
    expires = net.settings.token_expires
    expires_at = datetime.combine(expires, time(), UTC) if expires else None
    try:
        if PERSON_RE.match(author):
            info = _json(net._call("GET", API_HOST + USERINFO_PATH, reading=True))
            member = f"urn:li:person:{info.get('sub') or '?'}"
            account = f"{info.get('name') or member} ({member})"
            if member != author:
                return CredentialCheck(
                    ok=False,
                    account=account,
                    detail=f"the token of channel {net.channel!r} is member {member}'s, but "
                    f"the channel posts as {author}: sign in as {author} (or fix author).",
                    expires_at=expires_at,
                )
        else:
            number = author.rsplit(":", 1)[1]
            url = API_HOST + ORGANIZATION_PATH.format(id=number)
            org = _json(net._call("GET", url, reading=True))
            account = f"{org.get('localizedName') or author} ({author})"
    except AuthFailed as exc:
        return CredentialCheck(ok=False, account=None, detail=str(exc), expires_at=expires_at)
    return CredentialCheck(
        ok=True, account=account, detail="access token accepted", expires_at=expires_at
    )


def _json(response: Any) -> dict[str, Any]:
    from crosspost.errors import Transient
    from crosspost.networks import _http

    body = _http.json_body(response)
    if not isinstance(body, dict):
        raise Transient("LinkedIn answered the account check with something unreadable")
    return body
