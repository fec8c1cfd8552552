"""Secret references: the `${VAR}` syntax channels.yaml uses, and where values come from.

Secrets never sit in channels.yaml.  A credential (or the shortener's token) is
written as a reference to an environment variable and read only when a channel
is about to send, so a value never passes through validation, previews or errors.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, MutableMapping
from pathlib import Path

from .errors import CredentialError

# Every secret value this process has read: the scrubber removes them from any text.
_KNOWN: set[str] = set()

SECRET_REF = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")

# The fix, in the validator's words, for a setting that holds a value instead of a reference.
WRITE_A_REFERENCE = (
    "write a reference to an environment variable, like ${MY_TOKEN}: "
    "secrets never go in channels.yaml"
)


def is_secret_ref(value: object) -> bool:
    """Whether `value` is a `${VAR}` reference (and not, say, the secret itself)."""
    return isinstance(value, str) and SECRET_REF.match(value) is not None


def check_secret_ref(value: str) -> str:
    """`value` unchanged if it is a reference; a ValueError for pydantic otherwise."""
    if not is_secret_ref(value):
        raise ValueError(WRITE_A_REFERENCE)
    return value


def resolve_secret(ref: str, *, channel: str, field: str) -> str:
    """The value of a `${VAR}` reference, or a CredentialError naming channel and variable."""
    match = SECRET_REF.match(ref)
    if not match:  # validated earlier; kept as a guard for plugins' own fields
        raise CredentialError(f"channel {channel}: {field} must be a ${{ENV_VAR}} reference")
    var = match.group(1)
    value = os.environ.get(var, "")
    remember(value)
    if not value:
        raise CredentialError(
            f"channel {channel}: {field} reads ${{{var}}}, which is not set; "
            f"export {var}=... in the environment crosspost runs in"
        )
    return value


def unset_variables(refs: Iterable[str]) -> list[str]:
    """Names of the environment variables that `refs` point at and that are not set."""
    out = []
    for ref in refs:
        match = SECRET_REF.match(ref)
        if match and not os.environ.get(match.group(1)):
            out.append(match.group(1))
    return out


# `NAME=value`, optionally after `export `, as a shell's `set -a; . FILE` reads it.
_ENV_LINE = re.compile(r"^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$")


def load_env_file(path: Path, environ: MutableMapping[str, str] | None = None) -> list[str]:
    """Read the crosspost home's `env` file (the one cron and systemd read) into the
    environment, so a terminal needs no `set -a`; what is already set wins.

    Returns warnings: the file is readable by others, or a line cannot be read
    (named by number only: a line of this file may hold a secret).
    """
    environ = os.environ if environ is None else environ
    try:
        text = path.read_text(encoding="utf-8")
        mode = path.stat().st_mode
    except FileNotFoundError:
        return []
    except OSError as exc:
        return [f"cannot read {path}: {exc.strerror}"]
    warnings = []
    if mode & 0o077:
        warnings.append(
            f"{path} holds secrets but others may read it (mode {mode & 0o777:o}): chmod 600 {path}"
        )
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        match = _ENV_LINE.match(line)
        if match is None:
            warnings.append(f"{path}:{number}: not a NAME=value line; it is ignored")
            continue
        name, value = match.group(1), match.group(2).strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        environ.setdefault(name, value)
    return warnings


# -- the scrubber --------------------------------------------------------------------

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
