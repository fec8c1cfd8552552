"""X: OAuth 1.0a with a PIN (tweepy's `OAuth1UserHandler`, callback `oob`).

The app's consumer key and secret sign a request token; she opens X's page,
approves the app and types the PIN it shows; the PIN buys the account's access
token and secret, which never expire.  Those two (and the app keys, when she
typed them) are what is stored.
"""

from __future__ import annotations

from typing import Any

from ..errors import SignInFailed
from ..secrets import remember
from .common import Context, Flow, SignedIn

# Where tweepy signs its OAuth requests; the sandbox (or a channel's api_url) stands in.
OAUTH_HOST = "https://api.twitter.com"
NEEDS = ("consumer_key", "consumer_secret", "access_token", "access_token_secret")


def sign_in(ctx: Context) -> SignedIn:
    """The PIN flow, then the account the new token posts as (GET /2/users/me)."""
    keys = {
        name: ctx.existing(name) or _ask_app_key(ctx, name)
        for name in ("consumer_key", "consumer_secret")
    }
    handler = _handler(ctx, keys)
    try:
        # /oauth/authenticate, not /oauth/authorize: the same page on a first sign-in,
        # and an app she approved already is not approved again (X's "Sign in with X").
        url = handler.get_authorization_url(signin_with_twitter=True)
    except Exception as exc:  # tweepy wraps every failure in TweepyException
        raise _failed("X refused the app's consumer key and secret", exc) from None
    ctx.prompts.open_url(url, "approve the app on X; it then shows a PIN")
    pin = ctx.prompts.text("the PIN X shows").strip()
    if not pin:
        raise SignInFailed("no PIN given: the sign-in was abandoned; nothing was stored")
    try:
        token, token_secret = handler.get_access_token(pin)
    except Exception as exc:
        if _silent(exc):
            raise SignInFailed(
                f"X did not answer within {ctx.timeout:g} s when the PIN was exchanged for "
                "a token: try again in a moment; nothing was stored"
            ) from None
        raise _failed("X refused the PIN (a typo, or the page was closed)", exc) from None
    remember(token)
    remember(token_secret)
    values = {**keys, "access_token": token, "access_token_secret": token_secret}
    username, user_id = _whoami(ctx, values)
    return SignedIn(values=values, account=f"@{username}", account_id=user_id)


def _ask_app_key(ctx: Context, name: str) -> str:
    label = "the app's API key (consumer key)" if name == "consumer_key" else "its API key secret"
    return ctx.ask_secret(label)


def _handler(ctx: Context, keys: dict[str, str]) -> Any:
    from tweepy.auth import OAuth1UserHandler

    base = ctx.base(OAUTH_HOST)

    from ..networks import _http

    class Handler(OAuth1UserHandler):
        # tweepy hard-codes api.twitter.com and makes a new session for the access
        # token, so a mounted rewriter would not survive: the URL is ours instead.
        def _get_oauth_url(self, endpoint: str) -> str:
            return f"{base}/oauth/{endpoint}"

        # ...and its sessions send with no timeout: each one it makes (`oauth`, once
        # for the request token, again for the access token) gets ours, so a silent
        # X cannot hold the sign-in forever.
        def __setattr__(self, name: str, value: Any) -> None:
            if name == "oauth":
                _http.mount_rewriter(value, hosts=(base,), api_url=None, timeout=ctx.timeout)
            super().__setattr__(name, value)

    return Handler(keys["consumer_key"], keys["consumer_secret"], callback="oob")


def _whoami(ctx: Context, values: dict[str, str]) -> tuple[str, str]:
    """(username, id) of the token's account, read as the adapter reads it."""
    import tweepy

    from ..networks import _http
    from ..networks.twitter import X_HOSTS

    client = tweepy.Client(**values, return_type=dict, wait_on_rate_limit=False)
    resign = tweepy.OAuth1UserHandler(
        values["consumer_key"],
        values["consumer_secret"],
        values["access_token"],
        values["access_token_secret"],
    ).apply_auth()
    _http.mount_rewriter(
        client.session, hosts=X_HOSTS, api_url=ctx.api_url, timeout=ctx.timeout, resign=resign
    )
    try:
        answer: Any = client.get_me(user_auth=True)
    except Exception as exc:
        raise _failed("X refused the new token when asked whose it is", exc) from None
    data = answer.get("data") or {}
    if not data.get("username"):
        raise SignInFailed("X did not say whose the new token is: nothing was stored")
    return str(data["username"]), str(data.get("id") or "")


def _silent(exc: BaseException) -> bool:
    """Whether the request timed out or never connected (tweepy wraps the cause)."""
    import requests

    cause = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else exc
    return isinstance(cause, requests.Timeout | requests.ConnectionError)


def _failed(what: str, exc: BaseException) -> SignInFailed:
    return SignInFailed(f"{what}: {exc}; nothing was stored")


# What `NetworkInfo.sign_in` of the twitter network names.
FLOW = Flow(NEEDS, lambda ctx, names: sign_in(ctx))
