"""A Facebook Page: a thin `requests` client for the Graph API's Page edges (feed
posts with a link card, or one photo), and reading the Page's feed back to find a
post an interrupted attempt may have made.

Two calls and one listing do not need a client library.  facebook-sdk refuses
every current Graph version; pyfacebook worked, but needed workarounds (its
errors lack the HTTP status, its version list stops at v24.0) and cost every
publish about 0.2 s of CPU to import.  `requests` is imported inside methods:
this module must stay cheap to import.
"""

from __future__ import annotations

import contextlib
import mimetypes
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import parse_qsl, urlsplit

from crosspost.errors import (
    AuthFailed,
    CredentialError,
    DeliveryError,
    Duplicate,
    RateLimited,
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
from crosspost.networks.facebook_settings import GRAPH_END_DATES, VERSION_RE, FacebookSettings
from crosspost.networks.matching import same_text

if TYPE_CHECKING:
    import requests

# Re-exported: these lived here before facebook_settings.py held them.
__all__ = ["GRAPH_END_DATES", "VERSION_RE", "FacebookNetwork", "FacebookSettings"]

GRAPH_HOST = "https://graph.facebook.com"
POST_URL = "https://www.facebook.com/{id}"
# Graph error codes (developers.facebook.com/docs/graph-api/guides/error-handling).
AUTH_CODES = {102, 190}  # session / access token invalid or expired
PERMISSION_CODES = {10, *range(200, 300)}  # the token lacks a permission or Page task
RATE_CODES = {4, 17, 32, 613, 80001}  # app, user, Page and Pages-BUC throttling
TRANSIENT_CODES = {1, 2}  # "unknown error", "service temporarily unavailable"
DUPLICATE_CODE = 506  # "Duplicate status message"
# 368 is a policy block, also used for "you've already posted this": only those words
# make it a duplicate.
POLICY_CODE = 368
ALREADY_POSTED_WORDS = ("already", "duplicate")
USAGE_HEADERS = ("x-business-use-case-usage", "x-page-usage", "x-app-usage", "x-ad-account-usage")
DEFAULT_WINDOW = timedelta(hours=1)  # Graph's platform limits use a rolling hour
# Reading the feed back: Graph's largest page (`limit` may not exceed 100), and how
# many pages `find` reads before it gives up and says it is unsure.
FEED_FIELDS = "id,message,created_time,permalink_url"
FEED_PAGE_SIZE = 100
MAX_PAGES = 5
# Credentials a `paging.next` URL may carry (Graph repeats the request's own query
# in it): never sent on, the token travels in a header.
_TOKEN_PARAMS = ("access_token", "appsecret_proof")


class FacebookNetwork:
    """Publishes to one Facebook Page with a Page access token."""

    info: ClassVar[NetworkInfo] = NetworkInfo(
        name="facebook",
        max_length=63206,
        credentials=("page_token",),
        default_api_url=GRAPH_HOST,
        settings_model=FacebookSettings,
        attaches_link=True,  # sent as the post's `link` (a link card)
        attaches_link_with_image=False,  # a photo post has no link card
        images=True,
        alt_text=True,
        hashtag_advice=3,
        sign_in="crosspost.auth.facebook:FLOW",
        preview_style="facebook",
    )

    def __init__(
        self,
        *,
        channel: str,
        settings: FacebookSettings | Mapping[str, Any],
        credentials: Mapping[str, str],
        api_url: str | None,
        timeout: float,
        state_dir: Path | None = None,  # nothing kept between runs
    ) -> None:
        self.channel = channel
        self.settings = (
            settings
            if isinstance(settings, FacebookSettings)
            else FacebookSettings.model_validate(settings)
        )
        self.api_url = api_url.rstrip("/") if api_url else None
        self.timeout = timeout
        self._token = credentials.get("page_token", "")
        self._session: requests.Session | None = None

    @staticmethod
    def token_warning(settings: FacebookSettings, *, channel: str) -> str | None:
        """The optional preflight hook (see networks/base.py): warn before the Graph
        version the channel uses reaches its end date."""
        from crosspost.networks import _http

        version = settings.graph_version
        return _http.version_warning(
            network="Graph",
            setting="graph_version",
            version=version,
            ends=GRAPH_END_DATES.get(version),
            channel=channel,
        )

    def send(self, *, outgoing: Outgoing, on_part: PartCallback | None = None) -> Receipt:
        """Publish a feed post (message + link), or a photo post when there is an image."""
        self._get_session()  # a missing page_token is said before the image is read
        # Graph documents the token as a parameter of these POSTs: it travels in the
        # form body, never in the URL (query strings end up in logs).
        if outgoing.image_path is not None:
            # A photo post has no link card: the link stays in the caption. Graph
            # marks `message` deprecated on /photos; `caption` and `alt_text_custom`
            # are the photo's own fields.
            source = self._read_image(outgoing.image_path)
            photo = {"caption": outgoing.text, "access_token": self._token}
            if outgoing.image_alt:
                photo["alt_text_custom"] = outgoing.image_alt
            answer = self._call("POST", "photos", data=photo, files={"source": source})
        else:
            data = {"message": outgoing.text, "access_token": self._token}
            if outgoing.link:
                data["link"] = outgoing.link
            answer = self._call("POST", "feed", data=data)
        # /photos answers {"id": photo id, "post_id": "{page}_{post}"}; /feed answers {"id"}.
        post_id = answer.get("post_id") or answer.get("id")
        if not post_id or not isinstance(post_id, str | int):
            raise Uncertain(
                f"Facebook accepted the post for channel {self.channel!r} but its answer held "
                "no post id: `crosspost reconcile` looks for it on the Page.",
                channel=self.channel,
            )
        post_id = str(post_id)
        return Receipt(remote_id=post_id, url=POST_URL.format(id=post_id), part_ids=(post_id,))

    def find(self, *, outgoing: Outgoing, since: datetime) -> Finding:
        """Look for `outgoing` among the Page's posts since `since` (the optional hook in
        networks/base.py): GET /{page}/feed, newest first, photo posts included.

        A Page has no threads: the one text is matched against each post's message.
        ABSENT only when the feed ended within MAX_PAGES pages.
        """
        from crosspost.networks import _http

        page = self.settings.page_id
        when = f"since {_http.fmt_time(since)}"
        if outgoing.sent_parts:  # the one part is recorded already: nothing is left to find
            return Finding(Answer.FOUND, checked="nothing to look for: the post is recorded")
        first: dict[str, Any] = {
            "fields": FEED_FIELDS,
            "since": int(since.timestamp()),
            "limit": FEED_PAGE_SIZE,
        }
        args, seen = first, 0
        for _ in range(MAX_PAGES):
            answer = self._read_feed(args)
            for item in answer["data"]:
                seen += 1
                message = item.get("message") if isinstance(item, dict) else None
                if message and item.get("id") and same_text(outgoing.text, str(message)):
                    return _found(item, checked=f"found at post {seen} of Page {page} {when}")
            paging = answer.get("paging")
            following = paging.get("next") if isinstance(paging, dict) else None
            if not following:
                return Finding(Answer.ABSENT, checked=f"read {seen} posts of Page {page} {when}")
            args = {**first, **_paging_params(str(following))}
        return Finding(
            Answer.UNSURE,
            checked=f"read {seen} posts of Page {page} {when} and stopped after {MAX_PAGES} "
            "pages with more to come",
        )

    def check_credentials(self) -> CredentialCheck:
        """The Page the token sees, and the token's validity, expiry and scopes."""
        from crosspost.networks.facebook_check import check_page

        return check_page(self)

    def read_figures(self, *, post_ids: Sequence[str]) -> Figures:
        """The Page's followers_count, and each post's reactions, comments, shares and
        views (post insights: None with a note when the token may not read them)."""
        from crosspost.networks.facebook_figures import read

        return read(self, post_ids)

    def _read_feed(self, params: dict[str, Any]) -> dict[str, Any]:
        """One page of the Page's feed, its `data` a list; a failure leaves as a crosspost
        error (a page without `data` too: taken as empty, it would end the listing)."""
        # A GET has no body: the token goes in the Authorization header (Graph takes a
        # bearer token there), never in the query string.
        headers = {"Authorization": f"Bearer {self._token}"}
        answer = self._call("GET", "feed", params=params, headers=headers, posting=False)
        if not isinstance(answer.get("data"), list):
            raise Transient(
                f"Facebook answered channel {self.channel!r} with a feed page that lists no "
                "posts (no `data`); nothing was published, try again later.",
                channel=self.channel,
            )
        return answer

    def _call(
        self, method: str, edge: str, *, posting: bool = True, **kwargs: Any
    ) -> dict[str, Any]:
        """One request to an edge of the Page; its JSON object, or a crosspost error.
        `posting` is False for reading the feed, which creates nothing."""
        import requests

        from crosspost.networks import _http

        session = self._get_session()
        url = f"{GRAPH_HOST}/{self.settings.graph_version}/{self.settings.page_id}/{edge}"
        try:
            # No redirects: a 307 would send the form body, token included, elsewhere.
            response = session.request(
                method, url, timeout=self.timeout, allow_redirects=False, **kwargs
            )
            body = _http.json_body(response)
            graph_json = isinstance(body, dict) and "error" not in body
            if not (200 <= response.status_code < 300 and graph_json):
                # A Graph error, or any answer but Graph's JSON object (a 3xx too, not
                # followed): _map_error reads it from the response this carries.
                raise requests.HTTPError(_http.status_text(response), response=response)
        except requests.RequestException as exc:
            raise _map_error(
                exc,
                channel=self.channel,
                timeout=self.timeout,
                secrets=[self._token],
                posting=posting,
            ) from exc
        return body

    def _get_session(self) -> requests.Session:
        if self._session is None:
            import requests

            from crosspost.networks import _http

            if not self._token:
                raise CredentialError(f"channel {self.channel!r}: missing credential page_token")
            session = requests.Session()
            _http.mount_rewriter(
                session, hosts=(GRAPH_HOST,), api_url=self.api_url, timeout=self.timeout
            )
            self._session = session
        return self._session

    def _read_image(self, path: Path) -> tuple[str, bytes, str]:
        try:
            content = Path(path).read_bytes()
        except OSError as exc:
            raise Rejected(
                f"channel {self.channel!r}: cannot read the image {path}: {exc.strerror}",
                channel=self.channel,
            ) from None
        mime = mimetypes.guess_type(Path(path).name)[0] or "application/octet-stream"
        return Path(path).name, content, mime


def _paging_params(following: str) -> dict[str, str]:
    """The query of a `paging.next` URL (its cursor), without the credentials Graph may
    have repeated there; the URL itself is not followed: the next request goes to the
    Page's own feed, with the token in its header as before."""
    return {k: v for k, v in parse_qsl(urlsplit(following).query) if k not in _TOKEN_PARAMS}


def _found(item: dict[str, Any], *, checked: str) -> Finding:
    post_id = str(item["id"])
    return Finding(
        Answer.FOUND,
        part_ids=(post_id,),
        url=str(item.get("permalink_url") or POST_URL.format(id=post_id)),
        posted_at=_created_time(item.get("created_time")),
        checked=checked,
    )


def _created_time(value: Any) -> datetime | None:
    """Graph's `created_time` ("2026-12-01T10:00:00+0000") as an aware UTC datetime."""
    try:
        return datetime.strptime(str(value), "%Y-%m-%dT%H:%M:%S%z").astimezone(UTC)
    except ValueError:
        return None


def _map_error(
    exc: BaseException,
    *,
    channel: str,
    timeout: float,
    secrets: list[str],
    posting: bool = True,
) -> DeliveryError:
    """The one place where requests failures and Graph's error answers become crosspost
    errors.

    An `HTTPError` carries the answer: Graph's `{"error": {...}}` (its code decides,
    whatever the HTTP status: Graph throttles with a 400), else the status alone (a
    gateway's HTML 502, a 2xx that is not Graph's JSON object).  Anything else came
    back with no answer at all.  `posting` is False for reading the feed, which
    creates nothing: no failure of a read is `Uncertain`.
    """
    import requests

    from crosspost.networks import _http

    if isinstance(exc, DeliveryError):
        return exc
    response = exc.response if isinstance(exc, requests.HTTPError) else None
    if response is None:
        return _without_answer(exc, channel=channel, timeout=timeout, posting=posting)
    status = response.status_code
    body = _http.json_body(response)
    found = body.get("error") if isinstance(body, dict) else None
    error: dict[str, Any] = found if isinstance(found, dict) else {}
    code = error.get("code")
    text = None
    if error:
        text = str(error.get("error_user_msg") or error.get("message") or "")
        text = f"{text} (Graph code {code})" if code is not None else text
    detail = _http.detail(response, text, secrets)

    if code in AUTH_CODES or status == 401:
        return AuthFailed(
            f"Facebook refused the Page token of channel {channel!r}: {detail}. Create a new "
            "Page access token (Graph API Explorer or Meta Business Suite → system user, with "
            "pages_manage_posts and pages_read_engagement, then GET /me/accounts for the "
            "Page's token) and update the environment variable page_token points to.",
            channel=channel,
        )
    if code in PERMISSION_CODES:
        action = "post" if posting else "read the Page's posts"
        return AuthFailed(
            f"Facebook says the Page token of channel {channel!r} may not {action}: {detail}. "
            "Create a new Page access token with pages_manage_posts and "
            "pages_read_engagement, from an account that can create content on the Page.",
            channel=channel,
        )
    if code in RATE_CODES or status == 429:
        reset_at = _reset_at(response.headers)
        return RateLimited(
            f"Facebook rate limit reached for channel {channel!r} ({detail}); access should "
            f"return around {_http.fmt_time(reset_at)}.",
            channel=channel,
            reset_at=reset_at,
        )
    if _is_duplicate(error):
        return Duplicate(
            f"Facebook says the Page of channel {channel!r} already has this post: {detail}",
            channel=channel,
        )
    server = status >= 500 or code in TRANSIENT_CODES or bool(error.get("is_transient"))
    if server or 200 <= status < 300:
        return _server_error(channel=channel, detail=detail, posting=posting, unreadable=not server)
    what = "the post" if posting else "to list the Page's posts"
    return Rejected(f"Facebook refused {what} for channel {channel!r}: {detail}", channel=channel)


def _is_duplicate(error: Mapping[str, Any]) -> bool:
    """Graph's 506, or a 368 whose words say the post was already made."""
    code = error.get("code")
    if code == DUPLICATE_CODE:
        return True
    if code != POLICY_CODE:
        return False
    said = " ".join(
        str(error.get(k) or "") for k in ("message", "error_user_title", "error_user_msg")
    ).lower()
    return any(word in said for word in ALREADY_POSTED_WORDS)


def _without_answer(
    exc: BaseException, *, channel: str, timeout: float, posting: bool
) -> DeliveryError:
    from crosspost.networks import _http

    mapped = _http.transport_error(
        exc,
        network="Facebook",
        channel=channel,
        timeout=timeout,
        posting=posting,
        request="a read of the Page's posts",
    )
    if mapped is not None:
        return mapped
    if not posting:
        return Transient(
            f"Facebook gave channel {channel!r} no readable list of the Page's posts "
            f"({type(exc).__name__}); nothing was published, try again later.",
            channel=channel,
        )
    # No answer, yet not a failure transport_error knows: nothing says what happened.
    return Uncertain(
        f"Facebook call for channel {channel!r} failed without an answer "
        f"({type(exc).__name__}): the post may have been published; `crosspost "
        "reconcile` looks for it on the Page.",
        channel=channel,
    )


def _server_error(*, channel: str, detail: str, posting: bool, unreadable: bool) -> DeliveryError:
    """A 5xx, Graph code 1 or 2, or a 2xx that could not be read."""
    said = "answered with something unreadable" if unreadable else "had a server error"
    if not posting:
        return Transient(
            f"Facebook {said} while channel {channel!r} read the Page's posts ({detail}); "
            "nothing was published, try again later.",
            channel=channel,
        )
    # Every Facebook post here is one request (a photo too): a 5xx, Graph code 1 or 2,
    # or an unreadable 2xx proves nothing, and Graph users have had a photo published
    # seven times by retrying one.
    return Uncertain(
        f"Facebook {said} for channel {channel!r} ({detail}): the post may have been "
        "published all the same: `crosspost reconcile` looks for it on the Page.",
        channel=channel,
    )


def _reset_at(headers: Mapping[str, str]) -> datetime:
    """When Graph expects access back.

    The usage headers carry `estimated_time_to_regain_access` in minutes (the
    Business Use Case header always; the others on newer versions); else
    Retry-After; else one rolling hour from now.
    """
    from crosspost.networks import _http

    minutes: list[float] = []
    for name in USAGE_HEADERS:
        _collect_regain(_http.json_header(headers, name), minutes)
    waits = [m for m in minutes if m > 0]
    if waits:
        return _http.utc_now() + timedelta(minutes=max(waits))
    return _http.retry_after(headers) or _http.utc_now() + DEFAULT_WINDOW


def _collect_regain(node: Any, into: list[float]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "estimated_time_to_regain_access":
                with contextlib.suppress(TypeError, ValueError):
                    into.append(float(value))
            else:
                _collect_regain(value, into)
    elif isinstance(node, list):
        for item in node:
            _collect_regain(item, into)


if TYPE_CHECKING:  # mypy checks the adapter against each protocol it meets
    from crosspost.networks.base import (
        ChecksCredentials,
        Finds,
        Network,
        ReadsFigures,
        WarnsOfTokens,
    )

    _CHECKED: tuple[
        type[Network], type[Finds], type[WarnsOfTokens], type[ChecksCredentials], type[ReadsFigures]
    ] = (FacebookNetwork,) * 5
