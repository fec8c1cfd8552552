"""Month names in the languages crosspost writes documents in (the report, the handbook).

A leaf module, importing nothing of crosspost: the handbook reads the report, so
neither can hold words the other needs.
"""

from __future__ import annotations

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
