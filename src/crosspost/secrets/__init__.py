"""Secrets: `${NAME}` references in channels.yaml, the places their values come from
(the environment, HOME/env, the team's encrypted `secrets.age`), and the scrubber
that keeps every value read out of any text.

`refs` holds the reference syntax, `scrub` the scrubber, `envfile` HOME/env,
`team` the age-encrypted team file and the local identity, `store` the lookup
order, `manage` what `crosspost secrets` does.  This package's names are the
ones the rest of crosspost imports; pyrage loads only when a team file is used.
"""

from __future__ import annotations

from .envfile import load_env_file
from .refs import SECRET_REF, WRITE_A_REFERENCE, check_secret_ref, is_secret_ref, ref_name
from .scrub import MIN_SECRET_LENGTH, REDACTED, remember, scrub
from .store import open_sources, resolve_secret, secret_value, unset_variables

__all__ = [
    "MIN_SECRET_LENGTH",
    "REDACTED",
    "SECRET_REF",
    "WRITE_A_REFERENCE",
    "check_secret_ref",
    "is_secret_ref",
    "load_env_file",
    "open_sources",
    "ref_name",
    "remember",
    "resolve_secret",
    "scrub",
    "secret_value",
    "unset_variables",
]
