"""Secret references: the `${NAME}` syntax channels.yaml uses instead of a value.

Secrets never sit in channels.yaml.  A credential (or the shortener's token) is
written as a reference and read only when a channel is about to send, so a
value never passes through validation, previews or errors.
"""

from __future__ import annotations

import re

SECRET_REF = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")

# What a secret's name may be: the name inside a reference, and a shell variable's.
SECRET_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

# The fix, in the validator's words, for a setting that holds a value instead of a reference.
WRITE_A_REFERENCE = (
    "write a reference, like ${MY_TOKEN}, and store the value with "
    "`crosspost secrets set MY_TOKEN`: secrets never go in channels.yaml"
)


def is_secret_ref(value: object) -> bool:
    """Whether `value` is a `${NAME}` reference (and not, say, the secret itself)."""
    return isinstance(value, str) and SECRET_REF.match(value) is not None


def check_secret_ref(value: str) -> str:
    """`value` unchanged if it is a reference; a ValueError for pydantic otherwise."""
    if not is_secret_ref(value):
        raise ValueError(WRITE_A_REFERENCE)
    return value


def ref_name(ref: str) -> str | None:
    """The NAME of a `${NAME}` reference; None when `ref` is not one."""
    match = SECRET_REF.match(ref)
    return match.group(1) if match else None
