"""What every sign-in flow shares: the prompts it asks through, what it hands back,
and the one-shot local listener a browser is sent back to.

No terminal code here: the CLI passes a `Prompts` (getpass for secrets), a test
passes its own answers.  Every secret a flow reads or receives goes through
`crosspost.secrets.remember` at once, so no error or printed line can carry it.
"""

from __future__ import annotations

import html
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import parse_qs, urlsplit

from ..errors import SignInFailed, SignInMismatch
from ..secrets import remember, secret_value

if TYPE_CHECKING:
    from ..config import ChannelConfig

# How long a browser has to come back: she may have to find a password first.
DEFAULT_WAIT = 300.0
CALLBACK_PATH = "/callback"


class Prompts(Protocol):
    """How a flow asks her things: `secret` never echoes, `choose` returns an index."""

    def secret(self, label: str) -> str: ...

    def text(self, label: str) -> str: ...

    def choose(self, label: str, options: Sequence[str]) -> int: ...

    def open_url(self, url: str, why: str) -> None: ...

    def say(self, message: str) -> None: ...


@dataclass(frozen=True)
class SignedIn:
    """What a flow got: the values to store, and whom they post as.

    `values` are keyed by the channel's credential fields (`access_token`): the
    channel's `${NAME}` references say where each goes.  `extra` are secrets
    stored under their own names (app keys she typed, a refresh token).
    """

    values: Mapping[str, str]
    extra: Mapping[str, str] = field(default_factory=dict)
    account: str | None = None
    account_id: str | None = None
    notes: tuple[str, ...] = ()  # what she still has to do, in words

    def __repr__(self) -> str:  # the values are secrets: never in a traceback
        return f"SignedIn(account={self.account!r}, fields={sorted(self.values)})"


@dataclass
class Context:
    """One sign-in: the channel, where its API is, how to ask, how long to wait."""

    channel: ChannelConfig
    prompts: Prompts
    api_url: str | None  # the sandbox's or the channel's; None: the network's own
    timeout: float  # of each HTTP request
    wait: float = DEFAULT_WAIT  # for the browser to come back
    refresh: bool = False
    state_dir: Path | None = None
    # Secrets she typed in this sign-in, by name, to store if it succeeds.
    typed: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.channel.name

    def base(self, real: str) -> str:
        """The URL to call: the sandbox's or the channel's, else the network's `real` one."""
        return (self.api_url or real).rstrip("/")

    def app_key(self, name: str, label: str, *, public: bool = False) -> str:
        """An app's key: stored already as `name`, else asked (and stored with the rest).

        A `public` one (a client id) is in every sign-in address the browser sees, so
        it is asked with echo; it is still kept beside its secret, which needs it."""
        value = secret_value(name)
        if value:
            return value
        if public:
            value = self.prompts.text(label).strip()
            if not value:
                raise SignInFailed(f"no {label} given: nothing was stored")
        else:
            value = self.ask_secret(label)
        self.typed[name] = value
        return value

    def ask_secret(self, label: str) -> str:
        value = self.prompts.secret(label).strip()
        if not value:
            raise SignInFailed(f"no {label} given: nothing was stored")
        remember(value)
        return value

    def existing(self, field_name: str) -> str | None:
        """The value the channel's `field_name` reference has now, if any."""
        from ..secrets import ref_name

        ref = self.channel.spec.credentials.get(field_name, "")
        name = ref_name(ref)
        return secret_value(name) if name else None


def new_state() -> str:
    """A value the redirect must echo: an answer without it was meant for another request."""
    return secrets.token_urlsafe(24)


class _Server(HTTPServer):
    answer: dict[str, str] | None = None
    expected_state: str = ""


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        return  # the query holds the code: never on stderr

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path != CALLBACK_PATH:  # a browser's /favicon.ico: not the answer
            self._page(404, "Not the sign-in address.")
            return
        answer = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        remember(answer.get("code"))
        self.server.answer = answer
        if answer.get("state") != self.server.expected_state:
            self._page(400, "This answer is not for the sign-in crosspost is waiting for.")
        elif answer.get("error"):
            self._page(200, "Sign-in refused. You can close this tab.")
        else:
            self._page(200, "Signed in. You can close this tab and go back to the terminal.")

    def _page(self, status: int, words: str) -> None:
        body = f"<!doctype html><title>crosspost</title><p>{html.escape(words)}</p>".encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class RedirectListener:
    """`http://127.0.0.1:PORT/callback` on a free port, for exactly one answer.

    Bound before the browser opens, so the redirect cannot come too early.
    Loopback only: nothing else on the network can send it an answer.
    """

    def __init__(self, *, channel: str, wait: float = DEFAULT_WAIT) -> None:
        self.channel = channel
        self.wait = wait
        self._server = _Server(("127.0.0.1", 0), _Handler)

    @property
    def redirect_uri(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{CALLBACK_PATH}"

    def code(self, state: str) -> str:
        """The authorization code the redirect carries, once its `state` is checked."""
        server = self._server
        server.expected_state = state
        deadline = time.monotonic() + self.wait
        while server.answer is None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise SignInFailed(
                    f"no answer from the browser within {_duration(self.wait)}: the sign-in "
                    f"was not finished; run `crosspost auth {self.channel}` again"
                )
            server.timeout = min(left, 1.0)
            server.handle_request()
        answer = server.answer
        if answer.get("state") != state:
            raise SignInMismatch(
                "the sign-in answer did not match this request (state mismatch): run "
                f"`crosspost auth {self.channel}` again"
            )
        if answer.get("error"):
            said = answer.get("error_description") or answer["error"]
            raise SignInFailed(f"sign-in was refused ({said}): nothing was stored")
        code = answer.get("code")
        if not code:
            raise SignInFailed("the sign-in answer carried no code: nothing was stored")
        return code

    def close(self) -> None:
        self._server.server_close()

    def __enter__(self) -> RedirectListener:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _duration(seconds: float) -> str:
    if seconds >= 60 and seconds % 60 == 0:
        minutes = int(seconds // 60)
        return f"{minutes} minute{'s' if minutes > 1 else ''}"
    return f"{seconds:g} s"


def json_answer(response: Any, *, what: str) -> dict[str, Any]:
    """A JSON object from `response`, or SignInFailed naming `what` asked for it."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise SignInFailed(f"{what} answered HTTP {response.status_code} without JSON")
    return body


def request_failed(exc: BaseException, *, what: str) -> SignInFailed:
    """A request that got no answer, as one line (the scrubber takes any secret out)."""
    return SignInFailed(f"{what} could not be reached: {type(exc).__name__}: {exc}")


@dataclass(frozen=True)
class Flow:
    """A network's guided sign-in, as its `NetworkInfo.sign_in` names it."""

    needs: tuple[str, ...]  # the credential fields the flow fills
    run: Callable[[Context, dict[str, str]], SignedIn]  # (context, field -> secret name)
