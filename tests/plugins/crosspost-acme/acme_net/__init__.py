"""Acme, a made-up network: the third-party plugin the tests install with pip.

It is the complete example docs/plugins.md points to, and uses only what that
page promises a plugin: `crosspost.networks` (its `base` for the hooks'
types), `crosspost.networks.matching`, `crosspost.errors` and
`crosspost.secrets`.  `requests` is imported inside methods, so the config
loader and `publish --dry-run` do not pay for it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from crosspost.errors import AuthFailed, DeliveryError, RateLimited, Rejected, Transient, Uncertain
from crosspost.networks import NetworkInfo, Outgoing, PartCallback, Receipt
from crosspost.networks.base import Answer, Finding
from crosspost.networks.matching import same_text
from crosspost.secrets import scrub

if TYPE_CHECKING:
    import requests

MAX_LENGTH = 200
# Acme counts every URL as this much, whatever its length: a count no built-in
# network gives, so a test can see that Acme's own rule was used.
LINK_WEIGHT = 10
_URL = re.compile(r"https?://\S+")
# Longest piece of Acme's own words kept in a message: an error page may be long.
_MAX_SAID = 200


def acme_length(text: str) -> int:
    """The length as Acme counts it: code points, and LINK_WEIGHT for every URL."""
    links = _URL.findall(text)
    return len(text) - sum(len(link) for link in links) + LINK_WEIGHT * len(links)


class AcmeNetwork:
    """Posts one text per post to an Acme account with a bearer token."""

    info: ClassVar[NetworkInfo] = NetworkInfo(
        name="acme",
        max_length=MAX_LENGTH,
        length=acme_length,
        link_weight=LINK_WEIGHT,
        templates=Path(__file__).parent / "templates",
        idempotency=True,  # Acme replays the first answer to a repeated Idempotency-Key
        credentials=("token",),
        default_api_url="https://api.acme.example",
    )

    def __init__(
        self,
        *,
        channel: str,
        settings: Any,
        credentials: Mapping[str, str],
        api_url: str | None,
        timeout: float,
        state_dir: Path | None = None,  # Acme keeps no session
    ) -> None:
        self.channel = channel
        self._token = credentials["token"]
        self.base = (api_url or str(self.info.default_api_url)).rstrip("/")
        self.timeout = timeout

    def send(self, *, outgoing: Outgoing, on_part: PartCallback | None = None) -> Receipt:
        """POST /acme/posts, keyed by the delivery's key so a retry cannot post twice."""
        import requests

        headers = {**self._auth(), "Idempotency-Key": outgoing.key}
        try:
            answer = requests.post(
                f"{self.base}/acme/posts",
                json={"text": outgoing.text},
                headers=headers,
                timeout=self.timeout,
                allow_redirects=False,  # a redirect would carry the token elsewhere
            )
            if answer.status_code not in (200, 201):
                raise requests.HTTPError(response=answer)
            post = answer.json()
            return Receipt(remote_id=str(post["id"]), url=post["url"], part_ids=(str(post["id"]),))
        except (requests.RequestException, ValueError, KeyError, TypeError) as exc:
            raise self._error(exc, posting=True) from None

    def find(self, *, outgoing: Outgoing, since: datetime) -> Finding:
        """The account's posts since `since`: Acme lists them all in one answer, so a
        text not among them is certainly not there (ABSENT)."""
        import requests

        if outgoing.sent_parts:  # the one part is recorded: nothing is left to find
            return Finding(Answer.FOUND, checked="nothing to look for: the post is recorded")
        try:
            answer = requests.get(
                f"{self.base}/acme/posts",
                params={"since": since.isoformat()},
                headers=self._auth(),
                timeout=self.timeout,
                allow_redirects=False,
            )
            if answer.status_code != 200:
                raise requests.HTTPError(response=answer)
            posts = [(str(p["id"]), p["text"], p["url"], p["at"]) for p in answer.json()["posts"]]
        except (requests.RequestException, ValueError, KeyError, TypeError) as exc:
            raise self._error(exc, posting=False) from None
        checked = f"read {len(posts)} Acme posts since {since:%Y-%m-%d %H:%M} UTC"
        for post_id, text, url, at in posts:
            if same_text(outgoing.text, text):
                posted_at = datetime.fromisoformat(at).astimezone(UTC)
                return Finding(
                    Answer.FOUND, part_ids=(post_id,), url=url, posted_at=posted_at, checked=checked
                )
        return Finding(Answer.ABSENT, checked=checked)

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token}"}

    def _error(self, exc: Exception, *, posting: bool) -> DeliveryError:
        """The one place Acme's answers and `requests`' failures become crosspost errors.

        `posting` is False for reading the listing, which creates nothing: no
        failure of a read can leave a post in doubt.
        """
        import requests
        from urllib3.exceptions import MaxRetryError, NewConnectionError

        channel = self.channel
        answered = (requests.HTTPError, requests.exceptions.InvalidJSONError)
        if isinstance(exc, requests.RequestException) and not isinstance(exc, answered):
            # No answer came back: only a connection never made proves nothing was.
            reason = exc.args[0] if exc.args else None
            refused = isinstance(exc, requests.ConnectionError) and (
                isinstance(reason, MaxRetryError) and isinstance(reason.reason, NewConnectionError)
            )
            if refused or isinstance(exc, requests.ConnectTimeout) or not posting:
                return Transient(
                    f"Acme could not be reached for channel {channel!r} "
                    f"({type(exc).__name__}): nothing was published, try again later.",
                    channel=channel,
                )
            return Uncertain(
                f"Acme gave channel {channel!r} no answer ({type(exc).__name__}): the post "
                "may exist; `crosspost reconcile` looks for it.",
                channel=channel,
            )
        # An HTTP answer, or a 2xx whose body could not be read (None: no error status).
        response = exc.response if isinstance(exc, requests.HTTPError) else None
        said = _said(response)
        status = response.status_code if response is not None else 200
        if status == 401:
            return AuthFailed(
                f"Acme refused the token of channel {channel!r} ({said}): make a new one and "
                "update the environment variable `token` points to.",
                channel=channel,
            )
        if status == 429:
            wait = response.headers.get("Retry-After", "") if response is not None else ""
            reset_at = datetime.now(UTC) + timedelta(seconds=int(wait) if wait.isdigit() else 60)
            return RateLimited(
                f"Acme rate limit reached for channel {channel!r} ({said}).",
                channel=channel,
                reset_at=reset_at,
            )
        if status >= 500 or 200 <= status < 300:  # a server error, or an answer unread
            if not posting:
                return Transient(
                    f"Acme could not list the posts of channel {channel!r} ({said}).",
                    channel=channel,
                )
            return Uncertain(
                f"Acme answered channel {channel!r} with {said}: the post may exist; "
                "`crosspost reconcile` looks for it.",
                channel=channel,
            )
        return Rejected(f"Acme refused channel {channel!r}'s request ({said}).", channel=channel)


def _said(response: requests.Response | None) -> str:
    """The status and Acme's own words, cut short and without a secret."""
    if response is None:
        return "an unreadable answer"
    try:
        words = str(response.json().get("error", ""))
    except (ValueError, AttributeError):
        words = ""
    # scrub() knows the token (crosspost read it) and any header an error echoes.
    return scrub(f"HTTP {response.status_code}" + (f": {words[:_MAX_SAID]}" if words else ""))


if TYPE_CHECKING:  # mypy checks the adapter against the protocols it claims
    from crosspost.networks.base import Finds, Network

    _CHECKED: tuple[type[Network], type[Finds]] = (AcmeNetwork, AcmeNetwork)
