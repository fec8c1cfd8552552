"""Mastodon: statuses and threads through Mastodon.py on the instance a channel names
(`api_url:`), one image with its alt text, an Idempotency-Key on every status, and
`find` to look for a delivery among the account's own statuses (`mastodon_find`).

Mastodon.py stays out of module scope: importing this module must stay cheap.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar
from urllib.parse import urlsplit

from crosspost.errors import (
    AuthFailed,
    ChannelMisconfigured,
    ConfigError,
    CredentialError,
    DeliveryError,
    Rejected,
    Transient,
    Uncertain,
)
from crosspost.networks.base import (
    Answer,
    CredentialCheck,
    Figures,
    Finding,
    NetworkInfo,
    Outgoing,
    PartCallback,
    Receipt,
)
from crosspost.networks.mastodon_settings import URL_WEIGHT, MastodonSettings, status_length

if TYPE_CHECKING:
    import requests
    from mastodon import Mastodon

T = TypeVar("T")
TEMPLATES = Path(__file__).resolve().parent / "templates"
DEFAULT_MAX_CHARACTERS = 500  # Mastodon's own; an instance may set more (or less)
# Mastodon.py learns a server's version by reading GET /api/v1/instance and
# /api/v2/instance, at construction in a checking mode and, even with checks off,
# at the first media_post (to pick /api/v2/media over /api/v1/media).  Naming the
# version we are built for skips both reads; "created" then only checks that each
# endpoint called existed by 4.0 (all do).  With "none" a given version is never
# parsed, stays 1.0.0, and media_post would use the retired /api/v1/media.
BUILT_FOR = "4.0.0"
MEDIA_POLL_FIRST, MEDIA_POLL_MAX = 0.1, 2.0  # seconds between reads of a processing image

# A Status's count -> crosspost's name (networks/base.py METRICS).
STATUS_COUNTS = (
    ("favourites_count", "likes"),
    ("reblogs_count", "shares"),
    ("replies_count", "comments"),
)


class MastodonNetwork:
    """Publishes to a Mastodon account with an application's access token."""

    info: ClassVar[NetworkInfo] = NetworkInfo(
        name="mastodon",
        max_length=DEFAULT_MAX_CHARACTERS,
        length=status_length,
        link_weight=URL_WEIGHT,
        threads=True,
        images=True,
        alt_text=True,
        idempotency=True,
        credentials=("access_token",),
        api_url_required=True,
        settings_model=MastodonSettings,
        templates=TEMPLATES,
        sign_in="crosspost.auth.mastodon:FLOW",
        preview_style="mastodon",
    )

    def __init__(
        self,
        *,
        channel: str,
        settings: MastodonSettings | Mapping[str, Any] | None,
        credentials: Mapping[str, str],
        api_url: str | None,
        timeout: float,
        state_dir: Path | None = None,
    ) -> None:
        self.channel = channel
        self.settings = (
            settings
            if isinstance(settings, MastodonSettings)
            else MastodonSettings.model_validate(settings or {})
        )
        self.api_url = api_url.rstrip("/") if api_url else None
        self.timeout = timeout
        self._token = credentials.get("access_token", "")
        self._api: Mastodon | None = None
        self._last: requests.Response | None = None  # the last answer, for its headers
        self._max_characters: int | None = None  # the instance's, read once
        self._me: tuple[str, str] | None = None  # (account id, acct), read once

    def send(self, *, outgoing: Outgoing, on_part: PartCallback | None = None) -> Receipt:
        """Publish the status (or the rest of the thread), each part a reply to the one before."""
        api = self._get_client()
        limit = self._instance_limit(api)
        ids = list(outgoing.sent_parts)
        for index in range(len(ids), len(outgoing.parts)):
            length = status_length(outgoing.parts[index])
            if length > limit:
                raise Rejected(
                    f"part {index + 1} for channel {self.channel!r} is {length} characters as "
                    f"Mastodon counts them, and its instance takes at most {limit}; nothing "
                    f"was sent. Set `max_length: {limit}` on the channel in channels.yaml.",
                    channel=self.channel,
                )
        media_ids = None
        if outgoing.image_path is not None and not ids:
            media_ids = [self._upload_image(api, outgoing.image_path, outgoing.image_alt)]
        url = None
        for index in range(len(ids), len(outgoing.parts)):
            status = self._call(
                partial(
                    api.status_post,
                    outgoing.parts[index],
                    in_reply_to_id=ids[-1] if ids else None,
                    media_ids=media_ids if index == 0 else None,
                    visibility=self.settings.visibility,
                    language=outgoing.lang,
                    # Each part's own stable key: a retried request answers the status it
                    # made (Mastodon keeps keys an hour; the ledger covers the rest).
                    idempotency_key=outgoing.part_key(index) if outgoing.key else None,
                ),
                request="create",
            )
            status_id = str(status.get("id") or "")
            if not status_id:
                raise Uncertain(
                    f"Mastodon accepted part {index + 1} for channel {self.channel!r} but its "
                    "answer held no status id: `crosspost reconcile` looks for it on the account.",
                    channel=self.channel,
                )
            ids.append(status_id)
            url = url or str(status.get("url") or "") or None
            if on_part is not None:
                on_part(index, status_id)
        if url and ids and not url.endswith("/" + ids[0]):
            url = url.rsplit("/", 1)[0] + "/" + ids[0]  # resumed: the first part's, same form
        return Receipt(remote_id=ids[0], url=url, part_ids=tuple(ids))

    def find(self, *, outgoing: Outgoing, since: datetime) -> Finding:
        """Look for the parts of `outgoing` not yet recorded among the account's statuses
        since `since` (GET verify_credentials, then its statuses, newest first)."""
        from crosspost.networks import mastodon_find

        if len(outgoing.sent_parts) >= len(outgoing.parts):
            return Finding(
                Answer.FOUND,
                checked=f"nothing read: all {len(outgoing.parts)} parts are recorded already",
            )
        api = self._get_client()
        account_id, acct = self._account(api)
        statuses: list[Mapping[str, Any]] = []
        page: Any = self._call(
            partial(
                api.account_statuses,
                account_id,
                limit=mastodon_find.PAGE_SIZE,
                exclude_reblogs=True,  # a boost is someone else's status
            ),
            request="read",
        )
        number = 1
        while True:
            for status in page:
                posted = mastodon_find.created_at(status)
                if posted is not None and posted < since:  # newest first: the window is read
                    listing = mastodon_find.Listing(tuple(statuses), complete=True, pages=number)
                    return mastodon_find.settle(outgoing, listing, account=acct, since=since)
                statuses.append(status)
            # Mastodon links onward whenever a page is full, so the end is a page without a
            # `next` link or an empty one.
            more = bool(page) and api.get_pagination_info(page, "next") is not None
            if not more or number == mastodon_find.MAX_PAGES:
                listing = mastodon_find.Listing(tuple(statuses), complete=not more, pages=number)
                return mastodon_find.settle(outgoing, listing, account=acct, since=since)
            page = self._call(partial(api.fetch_next, page), request="read") or []
            number += 1

    def check_credentials(self) -> CredentialCheck:
        """Whether the token works, and whose account it is (`@user@instance`)."""
        try:
            _, acct = self._account(self._get_client())
        except AuthFailed as exc:
            return CredentialCheck(ok=False, account=None, detail=str(exc))
        return CredentialCheck(ok=True, account=acct)

    def read_figures(self, *, post_ids: Sequence[str]) -> Figures:
        """followers_count (verify_credentials) and each status's favourites, reblogs and
        replies (GET /api/v1/statuses/:id); Mastodon counts no impressions."""
        return _read_figures(self, post_ids)

    def _account(self, api: Mastodon) -> tuple[str, str]:
        """(account id, `@user@instance`) of the token, read once."""
        if self._me is None:
            account = self._call(api.account_verify_credentials, request="read")
            account_id = str(account.get("id") or "")
            if not account_id:
                raise Transient(
                    f"Mastodon named no account for the token of channel {self.channel!r}; "
                    "try again later.",
                    channel=self.channel,
                )
            acct = str(account.get("acct") or account.get("username") or account_id)
            if "@" not in acct:  # a local account: its instance is the channel's
                acct = f"{acct}@{urlsplit(self.api_url or '').netloc}"
            self._me = (account_id, f"@{acct}")
        return self._me

    def _instance_limit(self, api: Mastodon) -> int:
        """The instance's max_characters, read once; ChannelMisconfigured if it is no instance."""
        if self._max_characters is None:
            instance = self._read_instance(api)
            statuses = (instance.get("configuration") or {}).get("statuses") or {}
            limit = statuses.get("max_characters") or instance.get("max_toot_chars")
            self._max_characters = (
                limit if isinstance(limit, int) and limit > 0 else (DEFAULT_MAX_CHARACTERS)
            )
        return self._max_characters

    def _read_instance(self, api: Mastodon) -> Mapping[str, Any]:
        """GET /api/v2/instance, or /api/v1/instance on a server older than 4.0."""
        from mastodon.errors import MastodonAPIError

        said = []
        for read in (api.instance_v2, api.instance_v1):
            try:
                instance = self._call(read, request="instance", raw=(MastodonAPIError,))
            except MastodonAPIError as exc:
                status = exc.args[1] if len(exc.args) > 1 else None
                if status in (401, 403) or (isinstance(status, int) and status >= 500):
                    raise self._mapped(exc, request="instance") from exc
                said.append(f"HTTP {status}" if isinstance(status, int) else "no JSON")
                continue
            if isinstance(instance, Mapping) and (
                "configuration" in instance or "version" in instance
            ):
                return instance
            said.append("JSON that is not an instance")
        raise ChannelMisconfigured(
            f"channel {self.channel!r}: api_url {self.api_url} is not a Mastodon instance "
            f"(GET /api/v2/instance and /api/v1/instance answered {' and '.join(said)}); "
            "nothing was sent. Set `api_url:` to the instance's address, like "
            "https://mastodon.social, then run `crosspost channel resume "
            f"{self.channel}`.",
            channel=self.channel,
        )

    def _upload_image(self, api: Mastodon, path: Path, alt: str | None) -> str:
        """POST /api/v2/media with the alt text, then wait (within the timeout) while the
        instance processes it: a status may only carry a processed image."""
        if not Path(path).is_file():
            raise Rejected(
                f"channel {self.channel!r}: cannot read the image {path}", channel=self.channel
            )
        media = self._call(
            lambda: api.media_post(str(path), description=alt or None, file_name=Path(path).name),
            request="media",
        )
        deadline = time.monotonic() + self.timeout
        pause = MEDIA_POLL_FIRST
        while not media.get("url"):
            left = deadline - time.monotonic()
            if left <= 0:
                raise Transient(
                    f"Mastodon was still processing the image for channel {self.channel!r} "
                    f"after {self.timeout:g} s; nothing was published, try again later.",
                    channel=self.channel,
                )
            time.sleep(min(pause, left))
            pause = min(pause * 2, MEDIA_POLL_MAX)
            media = self._call(partial(api.media, media["id"]), request="media")
        return str(media["id"])

    def _call(
        self, fn: Callable[[], T], *, request: str, raw: tuple[type[BaseException], ...] = ()
    ) -> T:
        """One Mastodon.py call; any failure leaves as a crosspost error (but `raw` ones)."""
        import requests
        from mastodon.errors import MastodonError

        try:
            return fn()
        except raw:
            raise
        except (MastodonError, requests.RequestException, OSError) as exc:
            raise self._mapped(exc, request=request) from exc

    def _mapped(self, exc: BaseException, *, request: str) -> DeliveryError:
        from crosspost.networks.mastodon_errors import map_error

        return map_error(
            exc,
            channel=self.channel,
            timeout=self.timeout,
            secrets=[self._token],
            request=request,
            last=self._last,
        )

    def _get_client(self) -> Mastodon:
        if self._api is None:
            import requests
            from mastodon import Mastodon

            if not self._token:
                raise CredentialError(f"channel {self.channel!r}: missing credential access_token")
            if not self.api_url:
                raise ConfigError(
                    f"channel {self.channel!r}: a mastodon channel needs `api_url:`, its "
                    "instance's address (like https://mastodon.social)"
                )
            session = requests.Session()  # no retries: a retried POST could publish twice
            session.hooks["response"].append(self._keep_answer)
            self._api = Mastodon(
                access_token=self._token,
                api_base_url=self.api_url,
                ratelimit_method="throw",  # "wait" would sleep a cron run for minutes
                request_timeout=self.timeout,
                mastodon_version=BUILT_FOR,
                version_check_mode="created",
                session=session,
                user_agent="crosspost",
            )
        return self._api

    def _keep_answer(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        # Mastodon.py's rate-limit error carries no response: keep the headers here.
        self._last = response


def _read_figures(net: MastodonNetwork, post_ids: Sequence[str]) -> Figures:
    from mastodon.errors import MastodonNotFoundError

    api = net._get_client()
    account = net._call(api.account_verify_credentials, request="read")
    posts: dict[str, dict[str, int | None]] = {}
    for status_id in dict.fromkeys(str(p) for p in post_ids):
        try:
            status = net._call(
                partial(api.status, status_id), request="read", raw=(MastodonNotFoundError,)
            )
        except MastodonNotFoundError:
            continue  # deleted: left out
        posts[status_id] = {name: _count(status.get(wire)) for wire, name in STATUS_COUNTS}
    return Figures(followers=_count(account.get("followers_count")), posts=posts)


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


if TYPE_CHECKING:  # mypy checks the adapter against each protocol it meets
    from crosspost.networks.base import ChecksCredentials, Finds, Network, ReadsFigures

    _CHECKED: tuple[type[Network], type[Finds], type[ChecksCredentials], type[ReadsFigures]] = (
        MastodonNetwork,
        MastodonNetwork,
        MastodonNetwork,
        MastodonNetwork,
    )
