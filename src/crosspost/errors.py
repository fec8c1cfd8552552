"""The one family of errors the crosspost core raises.

The CLI maps them to exit statuses in one place: `BadInput` and its children
are the user's to fix (exit 2); `DeliveryError` and its children are what a
network answered (exit 1 once recorded in the ledger).  Messages never carry a
secret: adapters build them from the network's own error text, never from
request headers or bodies.
"""

from __future__ import annotations

from datetime import datetime
from enum import IntEnum


class ExitStatus(IntEnum):
    """What `crosspost` exits with; the CLI applies it in one place (cli/app.py)."""

    OK = 0  # everything asked for is sent, relayed, queued or waiting for a human
    FAILED = 1  # something failed to publish or is unknown, or a channel needs attention
    BAD_INPUT = 2  # config, post, arguments, a wrong id or state: the user's to fix
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT)


class Abandoned(KeyboardInterrupt):
    """Ctrl-C a second time while requests were in flight: stop now, without their answers.

    Their deliveries stay `sending`, and the next run makes them `unknown`, as
    after a crash.  The CLI ends the process at once (worker threads cannot be
    stopped, and Python would wait for them at exit).
    """


class CrosspostError(Exception):
    """Base of every error crosspost raises on purpose.

    Its message is scrubbed of secrets when it is made: it may quote a network's
    answer, and a network may echo our Authorization header back.
    """

    exit_code: ExitStatus = ExitStatus.FAILED

    def __init__(self, *args: object) -> None:
        from .secrets import scrub  # secrets imports this module

        super().__init__(*(scrub(a) if isinstance(a, str) else a for a in args))


class BadInput(CrosspostError):
    """The user's input is wrong: config, post, template, arguments."""

    exit_code = ExitStatus.BAD_INPUT


class ConfigError(BadInput):
    """channels.yaml (or a setting in it) is invalid."""


class PostError(BadInput):
    """A post file is missing or malformed."""


class TemplateError(BadInput):
    """A template is missing, has a syntax error or uses an unknown variable."""


class CredentialError(BadInput):
    """A credential is missing or references an unset environment variable."""


class SecretsError(BadInput):
    """The team's secret store cannot be read or changed as asked: a team file not
    encrypted to this manager's key, a holder key that is not an age public key."""


class TextTooLong(BadInput):
    """A rendered text exceeds its channel's limit and overflow is `fail`."""


class PastTime(BadInput):
    """A requested time is in the past: the user must confirm (or pass --now)."""

    def __init__(self, message: str, *, when: datetime) -> None:
        super().__init__(message)
        self.when = when


class AlreadyScheduled(BadInput):
    """`publish` of a post that is queued for later: the user must confirm (or pass --now)."""


class PacingError(BadInput, ValueError):
    """A pacing setting cannot be read, or its rules allow no time at all."""


class NonexistentTime(BadInput, ValueError):
    """A local time inside a daylight-saving gap; `next_valid` is the first real one after it."""

    def __init__(self, local: datetime, next_valid: datetime) -> None:
        next_local = next_valid.astimezone(local.tzinfo)
        super().__init__(
            f"{local:%Y-%m-%d %H:%M} does not exist in {local.tzinfo} (the clocks jump forward); "
            f"the next valid time is {next_local:%Y-%m-%d %H:%M}"
        )
        self.next_valid = next_valid


class SignInFailed(CrosspostError):
    """`crosspost auth` did not get a token: the sign-in was refused or abandoned, or the
    network turned the answer down.  Nothing was stored (exit 1: try again)."""


class SignInMismatch(BadInput):
    """A sign-in answered for something else: a redirect whose `state` is not this
    request's, a token for another Page than the channel's.  Nothing was stored."""


class LedgerError(CrosspostError):
    """The ledger failed while in use (a disk error, another process holding it too long)."""


class LedgerUnavailable(BadInput, LedgerError):
    """The ledger cannot be opened: corrupt, written by a newer crosspost, or unreadable."""


class LedgerUnreachable(LedgerError):
    """A shared ledger's server does not answer, or the connection to it dropped: not
    the user's input, so exit 1 (cron's next run tries again)."""


class NotFound(BadInput):
    """An id, channel or feed named on the command line does not exist."""


class WrongState(BadInput, LedgerError):
    """A delivery is not in a state that allows what was asked (done on a sent one, ...)."""


class FeedUnavailable(CrosspostError):
    """A feed could not be read: unreachable, not a feed, or malformed."""


class ClicksUnavailable(CrosspostError):
    """bit.ly cannot answer for clicks now (down, refused, rate-limited): stop asking."""


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


class ChannelBlocked(DeliveryError):
    """The account cannot post until a person acts (X's API credits are spent, its
    monthly usage cap is reached): nothing was published, and the channel is paused
    rather than retried every 15 minutes until the month ends."""

    kind = "blocked"


class ChannelMisconfigured(ChannelBlocked):
    """A live check showed the channel's settings are wrong (a Mastodon `api_url` that
    is no instance, a Bluesky handle that does not resolve), before anything was
    posted: the channel is paused like a blocked one, and the command exits 2, since
    the fix is in channels.yaml."""

    kind = "config"
    exit_code = ExitStatus.BAD_INPUT


# The failures that pause their channel: its next posts would hit the same wall.
PAUSING_KINDS = frozenset({AuthFailed.kind, ChannelBlocked.kind, ChannelMisconfigured.kind})


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


class Duplicate(Rejected):
    """The network refused the post as one it already has (X's duplicate-content 403,
    Graph's 506 or "already posted" 368, LinkedIn's 422 DUPLICATE_POST): most often an
    earlier attempt did go out, so the sender looks for it (`find`) before calling
    it a refusal.  `existing` is the id the network named, when it named one."""

    kind = "rejected"

    def __init__(
        self, message: str, *, channel: str | None = None, existing: str | None = None
    ) -> None:
        super().__init__(message, channel=channel)
        self.existing = existing


class ShortenerFailed(DeliveryError):
    """bit.ly gave no short link; with `on_error: fail` the delivery fails."""

    kind = "shortener"
