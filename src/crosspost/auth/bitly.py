"""bit.ly: the generic access token (bitly.com → Settings → API), checked on `/v4/user`.

The shortener is not a channel: `crosspost auth bitly` stores the token under
the name `shortener: token:` references, once bit.ly has said whose it is.
"""

from __future__ import annotations

from ..errors import SignInFailed
from .common import Prompts, json_answer, request_failed

API_URL = "https://api-ssl.bitly.com"
TOKEN_PAGE = "https://app.bitly.com/settings/api/"


def sign_in(prompts: Prompts, *, api_url: str | None, timeout: float) -> tuple[str, str]:
    """(the token, the login it belongs to); SignInFailed when bit.ly refuses it."""
    import requests

    from ..secrets import remember

    prompts.say(f"Generate an access token at {TOKEN_PAGE} (your password is asked there).")
    token = prompts.secret("the bit.ly access token").strip()
    if not token:
        raise SignInFailed("no token given: nothing was stored")
    remember(token)
    base = (api_url or API_URL).rstrip("/")
    try:
        response = requests.get(
            f"{base}/v4/user", headers={"Authorization": f"Bearer {token}"}, timeout=timeout
        )
    except requests.RequestException as exc:
        raise request_failed(exc, what="bit.ly") from None
    body = json_answer(response, what="bit.ly's /v4/user")
    if response.status_code in (401, 403):
        raise SignInFailed(
            f"bit.ly refused that token ({body.get('message') or response.status_code}): "
            f"generate a new one at {TOKEN_PAGE}; nothing was stored"
        )
    if response.status_code >= 400 or not body.get("login"):
        raise SignInFailed(
            f"bit.ly could not check the token (HTTP {response.status_code}): nothing was stored"
        )
    return token, str(body["login"])
