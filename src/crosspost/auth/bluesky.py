"""Bluesky: an app password, never the account's own.

An app password can be revoked alone and cannot change the account; the
account password can do anything.  One not shaped like an app password
(xxxx-xxxx-xxxx-xxxx) is refused before it leaves the machine.  The caller
then checks it as the doctor does: the adapter logs in (or keeps the session it
makes in the channel's state directory), and says whose session it is.
"""

from __future__ import annotations

from ..errors import BadInput
from ..networks.bluesky_session import SessionStore, looks_like_app_password
from .common import Context, Flow, SignedIn

NEEDS = ("app_password",)
APP_PASSWORDS = "https://bsky.app/settings/app-passwords"


def sign_in(ctx: Context) -> SignedIn:
    handle = ctx.channel.settings.handle
    ctx.prompts.say(
        f"Create an app password for {handle} at {APP_PASSWORDS} (Settings → Privacy and "
        "security → App passwords); never use the account's own password here."
    )
    password = ctx.ask_secret("the app password")
    if not looks_like_app_password(password):
        raise BadInput(
            "that does not look like an app password (four groups of four letters or digits, "
            f"like abcd-efgh-ijkl-mnop): it may be the account's own password, which crosspost "
            f"never takes; create an app password at {APP_PASSWORDS}. Nothing was stored"
        )
    # The check that follows must log in with this password, not resume the old session.
    SessionStore(ctx.state_dir).forget()
    return SignedIn(values={"app_password": password}, account=f"@{handle}")


# What `NetworkInfo.sign_in` of the bluesky network names.
FLOW = Flow(NEEDS, lambda ctx, names: sign_in(ctx))
