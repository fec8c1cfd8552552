"""LinkedIn: a thin `requests` client for the versioned REST Posts API (posting, and
reading the author's posts back to find one an interrupted attempt may have made).

python-linkedin-v2 cannot post and linkedin-api-client does not raise on 4xx, so this
speaks the API directly.  `requests` is imported inside methods: it must stay cheap to import.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

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
from crosspost.networks.base import Answer, Finding, NetworkInfo, Outgoing, PartCallback, Receipt
from crosspost.networks.linkedin_find import is_sent, next_start
from crosspost.networks.linkedin_settings import (
    KNOWN_VERSIONS,
    LINKEDIN_END_DATES,
    LinkedInSettings,
    token_expiry_warning,
)
from crosspost.networks.little import escape_little

if TYPE_CHECKING:
    import requests

    from crosspost.networks.base import CredentialCheck, Figures

API_HOST = "https://api.linkedin.com"
# LinkedIn's image upload URLs are on its own hosts, sent to `api_url` too (the sandbox).
LINKEDIN_HOSTS = (API_HOST, "https://www.linkedin.com")
POSTS_PATH = "/rest/posts"
IMAGES_INIT_PATH = "/rest/images?action=initializeUpload"
FEED_URL = "https://www.linkedin.com/feed/update/{urn}"
RESTLI_PROTOCOL = "2.0.0"
# Reading posts back (GET /rest/posts?q=author): posts per page (LinkedIn allows up
# to 100), and how many pages `find` reads before it says it is unsure.
FIND_PAGE_SIZE = 50
MAX_PAGES = 5
# A 422 DUPLICATE_POST names the post it repeats: "Content is a duplicate of urn:li:share:N".
DUPLICATE_URN_RE = re.compile(r"urn:li:(?:share|ugcPost):\d+")

# Adapter -----------------------------------------------------------------------


class LinkedInNetwork:
    """Publishes as a member or an organization Page through POST /rest/posts."""

    info: ClassVar[NetworkInfo] = NetworkInfo(
        name="linkedin",
        max_length=3000,
        credentials=("access_token",),
        default_api_url=API_HOST,
        settings_model=LinkedInSettings,
        attaches_link=True,  # sent as the article share's source
        images=True,
        alt_text=True,
        hashtag_advice=5,  # LinkedIn's own advice
        sign_in="crosspost.auth.linkedin:FLOW",
        preview_style="linkedin",
        fold_at=(210, 3),  # "…see more" after ~210 characters or 3 lines (see base.py)
    )

    def __init__(
        self,
        *,
        channel: str,
        settings: LinkedInSettings | Mapping[str, Any],
        credentials: Mapping[str, str],
        api_url: str | None,
        timeout: float,
        state_dir: Path | None = None,  # nothing kept between runs
    ) -> None:
        self.channel = channel
        self.settings = (
            settings
            if isinstance(settings, LinkedInSettings)
            else LinkedInSettings.model_validate(settings)
        )
        self.api_url = api_url.rstrip("/") if api_url else None
        self.timeout = timeout
        self._token = credentials.get("access_token", "")
        self._session: requests.Session | None = None
        # The version this adapter sends; a 426 may move it to a known working one.
        self._version = self.settings.linkedin_version
        self._notes: list[str] = []

    @staticmethod
    def token_warning(settings: LinkedInSettings, *, channel: str) -> str | None:
        """The optional preflight hook (see networks/base.py): warn before a token expires,
        or before the LinkedIn-Version the channel uses is retired."""
        from crosspost.networks import _http

        version = settings.linkedin_version
        notices = [
            token_expiry_warning(settings, channel=channel),
            _http.version_warning(
                network="LinkedIn",
                setting="linkedin_version",
                version=version,
                ends=LINKEDIN_END_DATES.get(version),
                channel=channel,
            ),
        ]
        return "; ".join(n for n in notices if n) or None

    def send(self, *, outgoing: Outgoing, on_part: PartCallback | None = None) -> Receipt:
        """Publish one post: text, an article card when there is a link, else an image."""
        image = None
        if outgoing.image_path is not None:
            image = self._upload_image(outgoing.image_path)
        body: dict[str, Any] = {
            "author": self.settings.author,
            "commentary": escape_little(outgoing.text),
            "visibility": self.settings.visibility,
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
        }
        if outgoing.link:
            article: dict[str, Any] = {
                "source": outgoing.link,
                "title": outgoing.title or outgoing.link,
            }
            if outgoing.description:
                article["description"] = outgoing.description
            if image is not None:
                article["thumbnail"] = image
            body["content"] = {"article": article}
        elif image is not None:
            media: dict[str, Any] = {"id": image}
            if outgoing.image_alt:
                media["altText"] = outgoing.image_alt
            body["content"] = {"media": media}
        response = self._call("POST", API_HOST + POSTS_PATH, json=body)
        urn = response.headers.get("x-restli-id")
        if not urn:
            raise Uncertain(
                f"LinkedIn accepted the post for channel {self.channel!r} but named no post "
                "id (x-restli-id): `crosspost reconcile` looks for it in the feed.",
                channel=self.channel,
            )
        return Receipt(
            remote_id=urn,
            url=FEED_URL.format(urn=urn),
            part_ids=(urn,),
            warnings=tuple(self._notes),
        )

    def find(self, *, outgoing: Outgoing, since: datetime) -> Finding:
        """Look for `outgoing` among the author's posts since `since` (the optional hook in
        networks/base.py): GET /rest/posts?q=author, newest created first.

        No threads: the one text is matched against each commentary, its little-format
        escapes undone.  ABSENT only when the listing reached a post older than `since`
        or its end within MAX_PAGES pages.
        """
        from crosspost.networks import _http

        author = self.settings.author
        when = f"since {_http.fmt_time(since)}"
        if outgoing.sent_parts:  # the one part is recorded already: nothing is left to find
            return Finding(Answer.FOUND, checked="nothing to look for: the post is recorded")
        since_ms = int(since.timestamp() * 1000)
        start, seen = 0, 0
        for _ in range(MAX_PAGES):
            elements, following = self._read_posts(start)
            for element in elements:
                created = element.get("createdAt")
                if isinstance(created, int) and created < since_ms:
                    return Finding(Answer.ABSENT, checked=f"read {seen} posts of {author} {when}")
                seen += 1
                if is_sent(element, outgoing.text):
                    return _found(element, checked=f"found at post {seen} of {author} {when}")
            if following is None:
                return Finding(Answer.ABSENT, checked=f"read {seen} posts of {author} {when}")
            start = following
        return Finding(
            Answer.UNSURE,
            checked=f"read {seen} posts of {author} {when} and stopped after {MAX_PAGES} "
            "pages with more to come",
        )

    def check_credentials(self) -> CredentialCheck:
        """Whom the token posts as (userinfo, or the organization's name), and its expiry."""
        from crosspost.networks.linkedin_check import check_token

        return check_token(self)

    def read_figures(self, *, post_ids: Sequence[str]) -> Figures:
        """An organization's followers and its posts' share statistics (linkedin_figures);
        None with a note for a member, whose figures LinkedIn keeps from us."""
        from crosspost.networks.linkedin_figures import read

        return read(self, post_ids)

    def _read_posts(self, start: int) -> tuple[list[dict[str, Any]], int | None]:
        """One page of the author's posts, and where the next page starts (None: the end).

        The end is an empty page, or a short one without a `next` link: LinkedIn
        may return fewer elements than `count` with more still to come, so a short
        page that links onward is not taken for the end.
        """
        params = {
            "q": "author",
            "author": self.settings.author,
            "count": FIND_PAGE_SIZE,
            "start": start,
            "sortBy": "CREATED",
        }
        response = self._call("GET", API_HOST + POSTS_PATH, params=params, reading=True)
        body = _json(response)
        elements = body.get("elements")
        if not isinstance(elements, list):
            raise Transient(
                f"LinkedIn answered channel {self.channel!r} with a page of posts that lists "
                "none (no `elements`); nothing was published, try again later.",
                channel=self.channel,
            )
        elements = [e for e in elements if isinstance(e, dict)]
        after = start + len(elements)
        following = next_start(body.get("paging"), default=after)
        if not elements or (following is None and len(elements) < FIND_PAGE_SIZE):
            return elements, None
        return elements, following if following is not None else after

    def _upload_image(self, path: Path) -> str:
        """Register an upload, PUT the bytes, return the image URN."""
        try:
            content = Path(path).read_bytes()
        except OSError as exc:
            raise Rejected(
                f"channel {self.channel!r}: cannot read the image {path}: {exc.strerror}",
                channel=self.channel,
            ) from None
        answer = self._call(
            "POST",
            API_HOST + IMAGES_INIT_PATH,
            json={"initializeUploadRequest": {"owner": self.settings.author}},
            posting=False,
        )
        value = _json(answer).get("value")
        value = value if isinstance(value, dict) else {}
        upload_url, urn = value.get("uploadUrl"), value.get("image")
        if not upload_url or not urn:
            raise Transient(
                f"LinkedIn did not hand out an image upload for channel {self.channel!r}; "
                "nothing was published, try again later.",
                channel=self.channel,
            )
        mime = mimetypes.guess_type(Path(path).name)[0] or "application/octet-stream"
        self._call("PUT", upload_url, data=content, content_type=mime, posting=False)
        return str(urn)

    def _call(
        self,
        method: str,
        url: str,
        *,
        posting: bool = True,
        reading: bool = False,
        content_type: str | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        """One request; any failure leaves as a crosspost error.  `posting` is False for
        the image upload's requests; `reading` (never posting) for reading posts back."""
        import requests

        session = self._get_session()
        headers = {"LinkedIn-Version": self._version}
        if _is_linkedin(url, self.api_url):
            # Never hand the token to a host that is not LinkedIn's (or the sandbox).
            headers["Authorization"] = f"Bearer {self._token}"
            headers["X-Restli-Protocol-Version"] = RESTLI_PROTOCOL
        if content_type:
            headers["Content-Type"] = content_type
        try:
            response = session.request(method, url, headers=headers, timeout=self.timeout, **kwargs)
            fallback = self._fallback_version(response)
            if fallback is not None:
                # A refused version created nothing, so one retry with a known one is safe.
                self._notes.append(
                    f"LinkedIn no longer takes linkedin_version {self._version} (426 "
                    f"NONEXISTENT_VERSION); sent with {fallback} instead: set "
                    f"linkedin_version: {fallback} for channel {self.channel} in channels.yaml"
                )
                self._version = headers["LinkedIn-Version"] = fallback
                response = session.request(
                    method, url, headers=headers, timeout=self.timeout, **kwargs
                )
            response.raise_for_status()
        except requests.RequestException as exc:
            raise _map_error(
                exc,
                channel=self.channel,
                timeout=self.timeout,
                secrets=[self._token],
                posting=posting and not reading,
                reading=reading,
            ) from exc
        return response

    def _fallback_version(self, response: requests.Response) -> str | None:
        """The known version to retry with once, after a 426 NONEXISTENT_VERSION."""
        from crosspost.networks import _http

        if response.status_code != 426 or self._notes:
            return None
        body = _http.json_body(response)
        if not isinstance(body, dict) or body.get("code") != "NONEXISTENT_VERSION":
            return None
        return next((v for v in KNOWN_VERSIONS if v != self._version), None)

    def _get_session(self) -> requests.Session:
        if self._session is None:
            import requests

            from crosspost.networks import _http

            if not self._token:
                raise CredentialError(f"channel {self.channel!r}: missing credential access_token")
            session = requests.Session()
            _http.mount_rewriter(
                session, hosts=LINKEDIN_HOSTS, api_url=self.api_url, timeout=self.timeout
            )
            self._session = session
        return self._session


def _is_linkedin(url: str, api_url: str | None) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    if host == "linkedin.com" or host.endswith(".linkedin.com"):
        return True
    return bool(api_url) and urlsplit(url).netloc == urlsplit(api_url).netloc


def _found(element: dict[str, Any], *, checked: str) -> Finding:
    urn = str(element["id"])
    created = element.get("createdAt")
    posted_at = (
        datetime.fromtimestamp(created / 1000, UTC) if isinstance(created, int | float) else None
    )
    return Finding(
        Answer.FOUND,
        part_ids=(urn,),
        url=FEED_URL.format(urn=urn),
        posted_at=posted_at,
        checked=checked,
    )


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _map_error(
    exc: BaseException,
    *,
    channel: str,
    timeout: float,
    secrets: list[str],
    posting: bool = True,
    reading: bool = False,
) -> DeliveryError:
    """The one place where requests failures and LinkedIn error answers become crosspost errors.

    `posting` is False for requests that create no post: the image upload's, and
    reading the author's posts back (`reading`).
    """
    import requests

    from crosspost.networks import _http

    if isinstance(exc, DeliveryError):
        return exc
    response = getattr(exc, "response", None) if isinstance(exc, requests.HTTPError) else None
    if response is None:
        mapped = _http.transport_error(
            exc,
            network="LinkedIn",
            channel=channel,
            timeout=timeout,
            posting=posting,
            request="a read of the author's posts" if reading else "an image upload",
        )
        if mapped is not None:
            return mapped
        return Uncertain(
            f"LinkedIn call for channel {channel!r} failed ({type(exc).__name__}): the post "
            "may have been published: `crosspost reconcile` looks for it in the feed.",
            channel=channel,
        )
    status = response.status_code
    body = _http.json_body(response)
    message = body.get("message") if isinstance(body, dict) else None
    detail = _http.detail(response, str(message).strip() if message else None, secrets)
    renew = (
        "Create a new token (LinkedIn developer portal → your app → Auth → OAuth 2.0 tools, "
        "scope w_member_social for a person or w_organization_social for a Page), then update "
        "the environment variable access_token points to and the channel's token_expires."
    )
    if status == 401:
        return AuthFailed(
            f"LinkedIn refused the access token of channel {channel!r} ({detail}); tokens last "
            f"60 days. {renew}",
            channel=channel,
        )
    if status == 403:
        # Missing scope or Page role: fixed by re-authorising, not by editing the post.
        may_not = "read this author's posts" if reading else "post as this author"
        scopes = (
            " Reading needs r_organization_social for a Page, or r_member_social for a "
            "person (which LinkedIn grants only to approved partners)."
            if reading
            else ""
        )
        return AuthFailed(
            f"LinkedIn says the token of channel {channel!r} may not {may_not} "
            f"({detail}).{scopes} {renew}",
            channel=channel,
        )
    if status == 429:
        reset_at = _http.retry_after(response.headers) or _http.next_midnight_utc()
        return RateLimited(
            f"LinkedIn rate limit reached for channel {channel!r} ({detail}); daily limits "
            f"reset at {_http.fmt_time(reset_at)}.",
            channel=channel,
            reset_at=reset_at,
        )
    if status >= 500:
        if posting:
            # A 5xx on a create request proves nothing: the post may exist.
            return Uncertain(
                f"LinkedIn had a server error for channel {channel!r} ({detail}): the post "
                "may have been published all the same: `crosspost reconcile` looks for it "
                "in the feed.",
                channel=channel,
            )
        return Transient(
            f"LinkedIn had a server error for channel {channel!r} ({detail}); try again later.",
            channel=channel,
        )
    if status == 422 and isinstance(body, dict) and body.get("code") == "DUPLICATE_POST":
        named = DUPLICATE_URN_RE.search(str(message or ""))
        return Duplicate(
            f"LinkedIn says the author of channel {channel!r} already has this post ({detail}).",
            channel=channel,
            existing=named.group() if named else None,
        )
    hint = ""
    if status == 426 or "version" in detail.lower():
        hint = " Set linkedin_version to a current YYYYMM version in channels.yaml."
    what = "the post" if posting else "to list the author's posts" if reading else "the image"
    return Rejected(
        f"LinkedIn refused {what} for channel {channel!r}: {detail.rstrip('.')}.{hint}",
        channel=channel,
    )


if TYPE_CHECKING:  # mypy checks the adapter against each protocol it meets
    import crosspost.networks.base as b

    _Meets = tuple[
        type[b.Network], type[b.Finds], type[b.WarnsOfTokens], type[b.ChecksCredentials],
        type[b.ReadsFigures],
    ]  # fmt: skip
    _CHECKED: _Meets = (LinkedInNetwork,) * 5
