"""The languages crosspost writes its documents in (the report, the handbook): which
one a command means, and the month names.

A leaf module: the handbook reads the report, so neither can hold what the other
needs.
"""

from __future__ import annotations

from .errors import BadInput

LANGUAGES = ("en", "fr")
DEFAULT_LANGUAGE = "en"

MONTHS = {
    "en": (
        "January", "February", "March", "April", "May", "June", "July", "August",
        "September", "October", "November", "December",
    ),
    "fr": (
        "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
        "septembre", "octobre", "novembre", "décembre",
    ),
}  # fmt: skip


def document_language(asked: str | None, *, fallback: str | None, document: str) -> str:
    """The language of `document`: `asked` (`--lang`), else `defaults.lang` (`fr-CA` reads
    as `fr`), else English.  A `--lang` crosspost has no words for is BadInput naming
    those it has; a `defaults.lang` it has none for (posts in German, say) falls back
    to English."""
    wanted = asked if asked is not None else fallback
    if wanted is None:
        return DEFAULT_LANGUAGE
    base = wanted.strip().lower().replace("_", "-").split("-")[0]
    if base in LANGUAGES:
        return base
    if asked is not None:
        raise BadInput(f"--lang {asked}: {document} is written in {' or '.join(LANGUAGES)}")
    return DEFAULT_LANGUAGE
