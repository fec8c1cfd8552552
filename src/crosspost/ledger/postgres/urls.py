"""A PostgreSQL ledger's URL: recognising one, and showing one without its password.

Kept apart from `connection` so that telling a URL from a file path never
imports psycopg: a SQLite user's cron run does not pay for it.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

URL_SCHEMES = ("postgresql", "postgres")


def is_postgres_url(location: str | None) -> bool:
    """Whether `location` names a PostgreSQL ledger (`postgresql://...`)."""
    return bool(location) and urlsplit(str(location)).scheme in URL_SCHEMES


def url_password(url: str) -> str | None:
    """The password written in `url`, if any (for the scrubber to remember)."""
    try:
        return urlsplit(url).password
    except ValueError:
        return None


def without_password(url: str) -> str:
    """`url` as it may be shown: the password (if any) replaced by `***`."""
    try:
        parts = urlsplit(url)
        password, port = parts.password, parts.port
    except ValueError:  # a port that is no number: show the scheme and host part only
        return url.split("@")[-1] if "@" in url else url
    if password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    shown_port = f":{port}" if port else ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}{shown_port}"))
