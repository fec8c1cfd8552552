"""Guided sign-in (`crosspost auth CHANNEL`): one flow per network, each in its own
module, the result checked live and kept in the secret store, never channels.yaml.

`common` holds what the flows share (the prompts they ask through, the one-shot
local redirect listener), `run` the order every sign-in follows.
"""

from __future__ import annotations

from .common import DEFAULT_WAIT, Prompts, SignedIn
from .run import AuthResult, sign_in

__all__ = ["DEFAULT_WAIT", "AuthResult", "Prompts", "SignedIn", "sign_in"]
