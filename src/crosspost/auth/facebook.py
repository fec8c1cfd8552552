"""Facebook: a user token made long-lived, then the token of the channel's Page.

Graph hands a Page token to whoever manages the Page: she pastes a user token
(from the Graph API Explorer, for her app), crosspost exchanges it for a
long-lived one with the app's id and secret, lists the Pages it manages
(`/me/accounts`) and keeps the token of the one she chooses.  A Page token
made from a long-lived user token does not expire.  Only the Page token is
stored, and only when the Page is the channel's `page_id`.
"""

from __future__ import annotations

from typing import Any

from ..errors import SignInFailed, SignInMismatch
from ..secrets import remember
from .common import Context, Flow, SignedIn, json_answer, request_failed

GRAPH_HOST = "https://graph.facebook.com"
EXPLORER = "https://developers.facebook.com/tools/explorer/"
APP_ID = "FACEBOOK_APP_ID"
APP_SECRET = "FACEBOOK_APP_SECRET"
NEEDS = ("page_token",)
# What posting needs on the Page (the Page's "Create content" task).
POSTING_TASK = "CREATE_CONTENT"


def sign_in(ctx: Context) -> SignedIn:
    settings = ctx.channel.settings
    app_id = ctx.app_key(APP_ID, "the Meta app's App ID", public=True)
    app_secret = ctx.app_key(APP_SECRET, "the app's App secret")
    ctx.prompts.say(
        f"In the Graph API Explorer ({EXPLORER}) choose your app, add the permissions "
        "pages_manage_posts and pages_read_engagement, and generate a user access token."
    )
    user_token = ctx.ask_secret("the user access token")
    graph = Graph(ctx, version=settings.graph_version)
    exchanged = graph.get(
        "oauth/access_token",
        "the token exchange",
        grant_type="fb_exchange_token",
        client_id=app_id,
        client_secret=app_secret,
        fb_exchange_token=user_token,
    )
    long_lived = str(exchanged.get("access_token") or "")
    remember(long_lived)
    if not long_lived:
        raise SignInFailed("Facebook's token exchange gave no token: nothing was stored")
    listed = graph.get(
        "me/accounts",
        "the list of your Pages",
        access_token=long_lived,
        fields="id,name,access_token,tasks",
        limit="100",
    )
    pages = [p for p in listed.get("data") or [] if isinstance(p, dict) and p.get("id")]
    for page in pages:
        remember(page.get("access_token"))
    page = _choose(ctx, pages)
    page_id, name = str(page["id"]), str(page.get("name") or page["id"])
    if page_id != settings.page_id:
        raise SignInMismatch(
            f"{name} (Page {page_id}) is not the Page of channel {ctx.name} (page_id "
            f"{settings.page_id}): choose that Page, or sign in as someone who manages it; "
            "nothing was stored"
        )
    tasks = page.get("tasks")
    if isinstance(tasks, list) and POSTING_TASK not in tasks:
        raise SignInFailed(
            f"you may not post on {name} (your tasks there: {', '.join(tasks) or 'none'}): "
            "a Page admin gives you 'Create content'; nothing was stored"
        )
    token = str(page.get("access_token") or "")
    if not token:
        raise SignInFailed(f"Facebook gave no token for {name}: nothing was stored")
    return SignedIn(
        values={"page_token": token}, extra=dict(ctx.typed), account=name, account_id=page_id
    )


def _choose(ctx: Context, pages: list[dict[str, Any]]) -> dict[str, Any]:
    if not pages:
        raise SignInFailed(
            "that user token manages no Page (was pages_manage_posts granted?): nothing was stored"
        )
    if len(pages) == 1:
        return pages[0]
    shown = [f"{p.get('name') or '?'} (Page {p['id']})" for p in pages]
    return pages[ctx.prompts.choose("the Page this channel posts to", shown)]


class Graph:
    """GET requests to the Graph API, each failure one readable line."""

    def __init__(self, ctx: Context, *, version: str) -> None:
        import requests

        self.base = f"{ctx.base(GRAPH_HOST)}/{version}"
        self.timeout = ctx.timeout
        self.session = requests.Session()

    def get(self, path: str, what: str, **params: str) -> dict[str, Any]:
        import requests

        try:
            response = self.session.get(f"{self.base}/{path}", params=params, timeout=self.timeout)
        except requests.RequestException as exc:
            raise request_failed(exc, what=f"Facebook ({what})") from None
        body = json_answer(response, what=f"Facebook ({what})")
        error = body.get("error")
        if response.status_code >= 400 or isinstance(error, dict):
            said = error.get("message") if isinstance(error, dict) else None
            raise SignInFailed(
                f"Facebook refused {what}: {said or f'HTTP {response.status_code}'}; "
                "nothing was stored"
            )
        return body


# What `NetworkInfo.sign_in` of the facebook network names.
FLOW = Flow(NEEDS, lambda ctx, names: sign_in(ctx))
