"""Mastodon: register crosspost as an app on the instance, then authorization code.

Each instance is its own server, so the app is registered there first
(`POST /api/v1/apps`, Mastodon.py's `create_app`) with the local listener as
its redirect URI; she approves it on the instance's page, the browser comes
back with a code and crosspost's `state`, and the code buys the access token
(Mastodon.py's `log_in`).  Only the access token is kept: the app's id and
secret are made again by the next sign-in.
"""

from __future__ import annotations

from typing import Any

from ..errors import ConfigError, SignInFailed
from ..secrets import remember
from .common import Context, Flow, RedirectListener, SignedIn, new_state

NEEDS = ("access_token",)
# What the adapter does: post with images, read its account and its own statuses back.
SCOPES = ["write:statuses", "write:media", "read:statuses", "read:accounts"]
APP_NAME = "crosspost"
WEBSITE = "https://github.com/crosspost/crosspost"


def sign_in(ctx: Context) -> SignedIn:
    from mastodon import Mastodon

    base = ctx.api_url
    if not base:
        raise ConfigError(
            f"channel {ctx.name}: a mastodon channel needs `api_url:`, its instance's address "
            "(like https://mastodon.social), to sign in there"
        )
    # Only a sandbox or a test instance is on plain http; Mastodon.py refuses it otherwise.
    allow_http = base.startswith("http://")
    with RedirectListener(channel=ctx.name, wait=ctx.wait) as listener:
        client_id, client_secret = _call(
            "registering crosspost on the instance",
            lambda: Mastodon.create_app(
                APP_NAME,
                scopes=SCOPES,
                redirect_uris=listener.redirect_uri,
                website=WEBSITE,
                api_base_url=base,
                request_timeout=ctx.timeout,
                user_agent=APP_NAME,
            ),
        )
        remember(client_secret)
        api = Mastodon(
            client_id=client_id,
            client_secret=client_secret,
            api_base_url=base,
            request_timeout=ctx.timeout,
            version_check_mode="none",  # no instance read before there is a token
            user_agent=APP_NAME,
        )
        state = new_state()
        url = _call(
            "reading the instance's sign-in address",
            lambda: api.auth_request_url(
                redirect_uris=listener.redirect_uri,
                scopes=SCOPES,
                state=state,
                allow_http=allow_http,
            ),
        )
        ctx.prompts.open_url(url, "sign in on your instance and authorize crosspost")
        code = listener.code(state)
        token = _call(
            "exchanging the code for a token",
            lambda: api.log_in(
                code=code,
                redirect_uri=listener.redirect_uri,
                scopes=SCOPES,
                allow_http=allow_http,
            ),
        )
    remember(token)
    return SignedIn(values={"access_token": str(token)})


def _call(what: str, fn: Any) -> Any:
    import requests
    from mastodon.errors import MastodonError

    try:
        return fn()
    except (MastodonError, requests.RequestException, OSError) as exc:
        raise SignInFailed(f"Mastodon failed while {what}: {exc}; nothing was stored") from None
    except (KeyError, TypeError, ValueError) as exc:  # an answer that is not Mastodon's
        raise SignInFailed(
            f"the instance answered {what} with something Mastodon would not ({exc!r}): is "
            "api_url a Mastodon instance? Nothing was stored"
        ) from None


# What `NetworkInfo.sign_in` of the mastodon network names.
FLOW = Flow(NEEDS, lambda ctx, names: sign_in(ctx))
