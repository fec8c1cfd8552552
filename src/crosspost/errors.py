"""The one family of errors the crosspost core raises.

The CLI maps them to exit statuses in one place: `BadInput` and its children
are the user's to fix (exit 2); `DeliveryError` and its children are what a
network answered (exit 1 once recorded in the ledger).  Messages never carry a
secret: adapters build them from the network's own error text, never from
request headers or bodies.
"""

from __future__ import annotations

from datetime import datetime


class CrosspostError(Exception):
    """Base of every error crosspost raises on purpose."""

    exit_code = 1


class BadInput(CrosspostError):
    """The user's input is wrong: config, post, template, arguments."""

    exit_code = 2


class ConfigError(BadInput):
    """channels.yaml (or a setting in it) is invalid."""


class PostError(BadInput):
    """A post file is missing or malformed."""


class TemplateError(BadInput):
    """A template is missing, has a syntax error or uses an unknown variable."""


class CredentialError(BadInput):
    """A credential is missing or references an unset environment variable."""


class OverflowError_(BadInput):
    """A rendered text exceeds its channel's limit and overflow is `fail`."""


class LedgerError(CrosspostError):
    """The ledger cannot be opened or holds an unexpected state."""


class NotFound(BadInput):
    """An id, channel or feed named on the command line does not exist."""


class DeliveryError(CrosspostError):
    """A network refused or could not take a post.

    `kind` is what the ledger records and what retry logic keys on.
    """

    kind = "error"

    def __init__(self, message: str, *, channel: str | None = None) -> None:
        super().__init__(message)
        self.channel = channel


class AuthFailed(DeliveryError):
    """The credentials were refused: the channel needs re-authorising."""

    kind = "auth"


class RateLimited(DeliveryError):
    """The network says: too many requests until `reset_at`."""

    kind = "rate_limited"

    def __init__(
        self, message: str, *, channel: str | None = None, reset_at: datetime | None = None
    ) -> None:
        super().__init__(message, channel=channel)
        self.reset_at = reset_at


class Transient(DeliveryError):
    """A failure that did not create a post (5xx, refused connection): safe to retry."""

    kind = "transient"


class Uncertain(DeliveryError):
    """The request may have reached the network but no answer came back.

    The post may exist: the ledger marks the delivery `unknown` and it is never
    retried without the user's say-so.
    """

    kind = "unknown"


class Rejected(DeliveryError):
    """The network refused this content (duplicate, policy, validation)."""

    kind = "rejected"


class ShortenerFailed(DeliveryError):
    """bit.ly gave no short link; with `on_error: fail` the delivery fails."""

    kind = "shortener"
