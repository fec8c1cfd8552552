"""LinkedIn: OAuth 2 authorization code, the browser sent back to a local listener.

She approves the app on LinkedIn's page; LinkedIn redirects her browser to
`http://127.0.0.1:PORT/callback` with a code and the `state` crosspost made;
the code and the app's secret buy an access token (60 days) and, for apps
LinkedIn approved for it, a refresh token (365 days from the first sign-in).
`--refresh` spends the refresh token instead of the browser.

channels.yaml is never written: the new expiry date is printed as the exact
`token_expires:` line to put under the channel, so the warnings before it ends
stay hers to see in the file.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from ..errors import BadInput, SignInFailed
from ..secrets import remember, secret_value
from .common import (
    Context,
    Flow,
    RedirectListener,
    SignedIn,
    json_answer,
    new_state,
    request_failed,
)

WWW_HOST = "https://www.linkedin.com"
AUTHORIZE_PATH = "/oauth/v2/authorization"
TOKEN_PATH = "/oauth/v2/accessToken"
CLIENT_ID = "LINKEDIN_CLIENT_ID"
CLIENT_SECRET = "LINKEDIN_CLIENT_SECRET"
NEEDS = ("access_token",)
# Posting, and reading back what was posted (reconciling), for each kind of author.
MEMBER_SCOPES = ("openid", "profile", "w_member_social")
ORGANIZATION_SCOPES = ("w_organization_social", "r_organization_social")


def refresh_name(access_name: str) -> str:
    """Where the refresh token of the token stored as `access_name` is kept."""
    return f"{access_name}_REFRESH"


def sign_in(ctx: Context, *, access_name: str) -> SignedIn:
    """A new token through the browser, or (`ctx.refresh`) through the refresh token."""
    client_id = ctx.app_key(CLIENT_ID, "the LinkedIn app's Client ID", public=True)
    client_secret = ctx.app_key(CLIENT_SECRET, "the app's Client Secret")
    app = {"client_id": client_id, "client_secret": client_secret}
    if ctx.refresh:
        refresh = secret_value(refresh_name(access_name))
        if not refresh:
            raise BadInput(
                f"channel {ctx.name} has no refresh token stored ({refresh_name(access_name)}): "
                f"LinkedIn gives them to approved apps only; run `crosspost auth {ctx.name}` "
                "to sign in through the browser"
            )
        answer = _token(ctx, grant_type="refresh_token", refresh_token=refresh, **app)
        return _signed_in(ctx, answer, access_name=access_name)
    scopes = _scopes(ctx)
    state = new_state()
    with RedirectListener(channel=ctx.name, wait=ctx.wait) as listener:
        query = {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": listener.redirect_uri,
            "state": state,
            "scope": " ".join(scopes),
        }
        url = f"{ctx.base(WWW_HOST)}{AUTHORIZE_PATH}?{urlencode(query)}"
        ctx.prompts.open_url(url, "sign in to LinkedIn and allow the app")
        code = listener.code(state)
        answer = _token(
            ctx,
            grant_type="authorization_code",
            code=code,
            redirect_uri=listener.redirect_uri,
            **app,
        )
    granted = set(str(answer.get("scope") or "").replace(",", " ").split())
    posting = "w_member_social" if _is_member(ctx) else "w_organization_social"
    if granted and posting not in granted:
        raise SignInFailed(
            f"LinkedIn granted {', '.join(sorted(granted))} but not the posting permission "
            f"{posting}: add its product to the app; nothing was stored"
        )
    return _signed_in(ctx, answer, access_name=access_name)


def _is_member(ctx: Context) -> bool:
    return str(ctx.channel.settings.author).startswith("urn:li:person:")


def _scopes(ctx: Context) -> tuple[str, ...]:
    return MEMBER_SCOPES if _is_member(ctx) else ORGANIZATION_SCOPES


def _token(ctx: Context, **form: str) -> dict[str, Any]:
    import requests

    try:
        response = requests.post(ctx.base(WWW_HOST) + TOKEN_PATH, data=form, timeout=ctx.timeout)
    except requests.RequestException as exc:
        raise request_failed(exc, what="LinkedIn's token endpoint") from None
    body = json_answer(response, what="LinkedIn's token endpoint")
    if response.status_code >= 400 or not body.get("access_token"):
        said = body.get("error_description") or body.get("error") or f"HTTP {response.status_code}"
        raise SignInFailed(f"LinkedIn refused the token request: {said}; nothing was stored")
    remember(str(body["access_token"]))
    remember(body.get("refresh_token"))
    return body


def _signed_in(ctx: Context, answer: dict[str, Any], *, access_name: str) -> SignedIn:
    extra = dict(ctx.typed)
    if answer.get("refresh_token"):
        extra[refresh_name(access_name)] = str(answer["refresh_token"])
    notes = []
    seconds = answer.get("expires_in")
    if isinstance(seconds, int) and seconds > 0:
        ends = (datetime.now(UTC) + timedelta(seconds=seconds)).date()
        if ctx.channel.settings.token_expires != ends:
            notes.append(
                f"the token ends on {ends.isoformat()}: put `token_expires: {ends.isoformat()}` "
                f"under channel {ctx.name} in channels.yaml (line {ctx.channel.line}), so "
                "crosspost warns a week before"
            )
    if not answer.get("refresh_token") and not ctx.refresh:
        notes.append(
            "LinkedIn gave no refresh token (only approved apps get one): sign in again with "
            f"`crosspost auth {ctx.name}` before the token ends"
        )
    return SignedIn(
        values={"access_token": str(answer["access_token"])},
        extra=extra,
        account=str(ctx.channel.settings.author),
        account_id=str(ctx.channel.settings.author),
        notes=tuple(notes),
    )


# What `NetworkInfo.sign_in` of the linkedin network names.
FLOW = Flow(NEEDS, lambda ctx, names: sign_in(ctx, access_name=names["access_token"]))
