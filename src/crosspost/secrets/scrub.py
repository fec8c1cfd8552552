"""The scrubber: every secret value this process has read, taken out of any text.

Whatever source a value came from (the environment, HOME/env, the team file),
`remember` is called as it is read; `scrub` is the one choke point every error,
warning and printed line passes.
"""

from __future__ import annotations

import re

# Every secret value this process has read: the scrubber removes them from any text.
_KNOWN: set[str] = set()

# A whole header line or value: `Authorization: OAuth oauth_nonce="…", …` up to the
# next `;` or line end, as an API echoes it.
_AUTH_HEADER = re.compile(
    r"(?i)\b(proxy-authorization|authorization|x-api-key|cookie|set-cookie)(\s*[:=]\s*)[^;\n]+"
)
_SCHEMES = re.compile(r"(?i)\b(bearer|basic|oauth)\s+[^\s;,]+(?:\s*,\s*oauth_[^\s;,]+)*")
_OAUTH_PARAM = re.compile(r'(?i)\boauth_[a-z_]+=(?:"[^"]*"|[^\s&,;"]+)')
_TOKEN_PARAM = re.compile(
    r"(?i)\b(access_token|refresh_token|client_secret|api_key|apikey|token|key)=[^\s&\"';,]+"
)
REDACTED = "[redacted]"


# Real tokens are long and random; a shorter value (a test's "token") would scrub
# ordinary words out of every message.
MIN_SECRET_LENGTH = 8


def remember(value: str | None) -> None:
    """A secret value read in this process: scrub() removes it wherever it turns up."""
    if value and len(value) >= MIN_SECRET_LENGTH:
        _KNOWN.add(value)


def scrub(text: str) -> str:
    """`text` with every secret taken out: the values read in this process, any
    Authorization (or Cookie, X-Api-Key) header value, Bearer/Basic/OAuth credentials
    and their `oauth_*` parts, and `access_token=`-style parameters.

    The one choke point: every crosspost error passes it (CrosspostError), and so
    does every warning and line the CLI prints; a network may echo our headers.
    """
    for secret in sorted(_KNOWN, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, REDACTED)
    text = _AUTH_HEADER.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)
    text = _SCHEMES.sub(REDACTED, text)
    text = _OAUTH_PARAM.sub(REDACTED, text)
    return _TOKEN_PARAM.sub(lambda m: f"{m.group(1)}={REDACTED}", text)
