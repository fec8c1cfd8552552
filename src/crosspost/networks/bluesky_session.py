"""A Bluesky channel's login session, kept between runs in its state directory.

`com.atproto.server.createSession` is limited to about 30 calls per 5 minutes
and 300 a day per account, so a cron run every minute must not log in each
time: the session (access and refresh JWT) is written to `state_dir/session`
(mode 0600, replaced atomically) and reused; the adapter refreshes it when the
access token is about to expire and logs in again only when the refresh token
is refused.  Without a state directory the session lives in memory only.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from atproto_client import Client

T = TypeVar("T")
SESSION_FILE = "session"
FORMAT_VERSION = 1
# Bluesky app passwords as bsky.app/settings/app-passwords hands them out.
APP_PASSWORD_RE = re.compile(r"^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$")
# The SDK refreshes by itself when the access token has less than 15 minutes left;
# refreshing first, with the same margin, keeps that from happening inside a
# create request, where a refused refresh would look like a refused post.
REFRESH_MARGIN = timedelta(minutes=15)


@dataclass(frozen=True)
class StoredSession:
    """What is kept of a session: enough to resume it without logging in."""

    handle: str
    did: str
    access_jwt: str
    refresh_jwt: str
    pds_endpoint: str  # where the SDK sends requests once logged in (the account's PDS)
    api_url: str  # the channel's API URL it was made with: another URL, another session

    def __repr__(self) -> str:  # the tokens are secrets: never in a traceback or a log
        return f"StoredSession(handle={self.handle!r}, did={self.did!r})"


def looks_like_app_password(value: str) -> bool:
    return bool(APP_PASSWORD_RE.match(value))


def jwt_expiry(token: str) -> datetime | None:
    """The `exp` of a JWT (not verified: only to know when to refresh), or None."""
    import base64

    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return datetime.fromtimestamp(int(claims["exp"]), UTC)
    except (IndexError, KeyError, TypeError, ValueError, OverflowError):
        return None


def needs_refresh(session: StoredSession, *, now: datetime | None = None) -> bool:
    expiry = jwt_expiry(session.access_jwt)
    now = now or datetime.now(UTC)
    return expiry is None or expiry - REFRESH_MARGIN <= now


class SessionStore:
    """Where one channel's session is kept: `state_dir/session`, or memory when None."""

    def __init__(self, state_dir: Path | None) -> None:
        self.path = state_dir / SESSION_FILE if state_dir is not None else None
        self._memory: StoredSession | None = None
        self.warnings: list[str] = []

    def load(self, *, handle: str, api_url: str) -> StoredSession | None:
        """The stored session for `handle` at `api_url`, or None (nothing usable kept).

        A file others may read is still used, but made 0600 and reported (see
        `_check_mode`); an unreadable or foreign one is ignored: the adapter
        logs in once and replaces it.
        """
        session = self._memory if self.path is None else self._read()
        if session is None or session.handle != handle or session.api_url != api_url:
            return None
        return session

    def save(self, session: StoredSession) -> None:
        self._memory = session
        if self.path is None:
            return
        data = {"version": FORMAT_VERSION, **asdict(session)}
        directory = self.path.parent
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        # A temporary file created 0600 in the same directory, then renamed over the
        # old one: a reader sees the old session or the new one, never half of one,
        # and the tokens are never readable by others, not even for a moment.
        fd, tmp = tempfile.mkstemp(prefix=".session-", dir=directory)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(data, out)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def forget(self) -> None:
        self._memory = None
        if self.path is not None:
            self.path.unlink(missing_ok=True)

    def _read(self) -> StoredSession | None:
        assert self.path is not None
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as exc:
            self.warnings.append(f"cannot read the stored Bluesky session ({exc.strerror})")
            return None
        self._check_mode()
        try:
            data = json.loads(text)
            if data.pop("version") != FORMAT_VERSION:
                return None
            session = StoredSession(**{k: str(v) for k, v in data.items()})
        except (ValueError, TypeError, KeyError, AttributeError):
            return None  # an old or damaged file: log in once, and it is rewritten
        self._memory = session
        return session

    def _check_mode(self) -> None:
        """Others could read the file: say so and make it 0600.

        A warning, not a refusal: whoever could read it already has what it holds,
        refusing would stop a cron job until a person came by, and logging in again
        each run would hit createSession's daily limit.  So it is still used, but
        the message says to revoke the app password if others may have read it.
        """
        assert self.path is not None
        try:
            mode = self.path.stat().st_mode & 0o777
            if mode & 0o077:
                os.chmod(self.path, 0o600)
                self.warnings.append(
                    f"the stored Bluesky session {self.path} was readable by others (mode "
                    f"{mode:o}); it is 0600 now. If others may have read it, revoke the app "
                    "password at bsky.app/settings/app-passwords and create a new one."
                )
        except OSError:
            pass


class Absent(Exception):
    """getRecord answered RecordNotFound: the record is certainly not there."""


class Connection:
    """One channel's logged-in atproto client, and the one way requests go through it."""

    def __init__(
        self, *, channel: str, handle: str, password: str, api_url: str, timeout: float,
        store: SessionStore,
    ) -> None:  # fmt: skip
        self.channel = channel
        self.handle = handle
        self.api_url = api_url
        self.timeout = timeout
        self.store = store
        self._password = password
        self._client: Client | None = None
        self._session: StoredSession | None = None

    @property
    def did(self) -> str:
        assert self._session is not None, "connect() first"
        return self._session.did

    def connect(self) -> Client:
        """A logged-in client: the stored session (refreshed when it is about to expire),
        or a new login when none is kept or its refresh token is refused."""
        if self._client is not None:
            return self._client
        from atproto_client import Client
        from atproto_client.request import Request

        from crosspost.errors import ChannelMisconfigured
        from crosspost.networks.bluesky_errors import FIX

        if not looks_like_app_password(self._password):
            raise ChannelMisconfigured(
                f"channel {self.channel!r}: app_password does not look like a Bluesky app "
                "password (xxxx-xxxx-xxxx-xxxx, lowercase letters and digits); crosspost "
                f"never takes the account password: {FIX}.",
                channel=self.channel,
            )
        client = Client(base_url=self.api_url, request=Request(timeout=self.timeout))
        # A login (CREATE) and the SDK's own refresh in a long run (REFRESH) are kept.
        client.on_session_change(self._on_session_change)
        self._client = client
        try:
            session = self.store.load(handle=self.handle, api_url=self.api_url)
            if session is None:
                self._login()
            else:
                self._resume(session)
                if needs_refresh(session):
                    self._renew()
        except BaseException:
            self._client = self._session = None
            raise
        return client

    def call(self, request: str, method: Callable[..., T], *args: Any, posting: bool = False,
             **kwargs: Any) -> T:  # fmt: skip
        """One SDK call; a refused session is renewed once and the call repeated (a
        refused request did nothing).  getRecord's RecordNotFound leaves as `Absent`.
        `posting` is True for createRecord only, the one call that may make a post."""
        from crosspost.networks.bluesky_errors import is_not_found, is_session_refused, map_error

        for attempt in (1, 2):
            try:
                return method(*args, **kwargs)
            except Exception as exc:
                if is_not_found(exc):
                    raise Absent from None
                if attempt == 1 and is_session_refused(exc):
                    self._renew()
                    continue
                raise map_error(exc, posting=posting, **self._context(request)) from None
        raise AssertionError("unreachable")

    def _on_session_change(self, event: Any, session: Any) -> None:
        from atproto_client.client.session import SessionEvent

        if event in (SessionEvent.CREATE, SessionEvent.REFRESH):
            self._keep(self._stored(session, pds=session.pds_endpoint or self.api_url))

    def _stored(self, answer: Any, *, pds: str) -> StoredSession:
        return StoredSession(
            handle=answer.handle,
            did=answer.did,
            access_jwt=answer.access_jwt,
            refresh_jwt=answer.refresh_jwt,
            pds_endpoint=pds,
            api_url=self.api_url,
        )

    def _keep(self, session: StoredSession) -> None:
        from crosspost.secrets import remember

        remember(session.access_jwt)  # every crosspost message is scrubbed of them
        remember(session.refresh_jwt)
        self._session = session
        self.store.save(session)

    def _resume(self, session: StoredSession) -> None:
        """Hand a kept session to the SDK (no request: SessionEvent.IMPORT)."""
        from atproto_client.client.session import Session

        from crosspost.secrets import remember

        assert self._client is not None
        remember(session.access_jwt)
        remember(session.refresh_jwt)
        resumed = Session(
            handle=session.handle,
            did=session.did,
            access_jwt=session.access_jwt,
            refresh_jwt=session.refresh_jwt,
            pds_endpoint=session.pds_endpoint,
        )
        self._client.login(session_string=resumed.encode(), fetch_bsky_profile=False)
        self._session = session

    def _login(self) -> None:
        """createSession with the handle and the app password (rate-limited: rarely)."""
        from crosspost.networks.bluesky_errors import map_error, status_of

        assert self._client is not None
        try:
            self._client.login(self.handle, self._password, fetch_bsky_profile=False)
        except Exception as exc:
            handle = None
            if status_of(exc) in (400, 401) and not self._handle_resolves():
                handle = self.handle
            raise map_error(
                exc, handle=handle, posting=False, **self._context("the login")
            ) from None

    def _renew(self) -> None:
        """refreshSession with the refresh token; a refused one means a new login."""
        from crosspost.networks.bluesky_errors import is_session_refused, map_error

        assert self._client is not None and self._session is not None
        old = self._session
        bearer = {"Authorization": f"Bearer {old.refresh_jwt}"}
        try:
            # ignore_session_check: the SDK must not try a refresh of its own first.
            answer = self._client.com.atproto.server.refresh_session(
                headers=bearer, ignore_session_check=True
            )
        except Exception as exc:
            if not is_session_refused(exc):
                raise map_error(exc, posting=False, **self._context("a session refresh")) from None
            self.store.forget()
            self._login()
            return
        session = self._stored(answer, pds=old.pds_endpoint)
        self._keep(session)
        self._resume(session)

    def _handle_resolves(self) -> bool:
        """Whether the PDS can resolve the handle (a refused login does not say which of
        handle and password was wrong).  No clear answer: assume it does."""
        from atproto_client import models

        from crosspost.networks.bluesky_errors import status_of

        assert self._client is not None
        params = models.ComAtprotoIdentityResolveHandle.Params(handle=self.handle)
        try:
            self._client.com.atproto.identity.resolve_handle(params, ignore_session_check=True)
        except Exception as exc:
            return status_of(exc) != 400
        return True

    def _context(self, request: str) -> dict[str, Any]:
        session = self._session
        tokens = [session.access_jwt, session.refresh_jwt] if session else []
        return {
            "channel": self.channel,
            "request": request,
            "timeout": self.timeout,
            "secrets": [self._password, *tokens],
        }
