"""X (Twitter): posts and threads through tweepy's v2 client, one image per post, and
`find` to look for a post among the account's own (`twitter_find`).

tweepy stays out of module scope: importing this module must stay cheap.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from crosspost.errors import (
    AuthFailed,
    ChannelBlocked,
    CredentialError,
    DeliveryError,
    Duplicate,
    RateLimited,
    Rejected,
    Transient,
    Uncertain,
)
from crosspost.networks.base import (
    CredentialCheck,
    Figures,
    Finding,
    NetworkInfo,
    Outgoing,
    PartCallback,
    Receipt,
)
from crosspost.text import weighted_length as x_length

if TYPE_CHECKING:
    import tweepy


CREDENTIALS = ("consumer_key", "consumer_secret", "access_token", "access_token_secret")
# tweepy.Client hard-codes this host; X also answers on api.x.com.
TWEEPY_HOST = "https://api.twitter.com"
# The media endpoints are ours to call: use the host X documents for them.
X_HOST = "https://api.x.com"
X_HOSTS = (TWEEPY_HOST, X_HOST)
MEDIA_UPLOAD_PATH = "/2/media/upload"
MEDIA_METADATA_PATH = "/2/media/metadata"
STATUS_URL = "https://x.com/i/web/status/{id}"
# The id in any address of a post: x.com or twitter.com, /NAME/status/ or /i/web/status/.
STATUS_ID = re.compile(r"^https?://(?:www\.|mobile\.)?(?:x|twitter)\.com/.*?/status(?:es)?/(\d+)")
ALT_TEXT_MAX = 1000  # X refuses longer alt text
# X's rate-limit families, most specific first: (header prefix, what a human calls it).
LIMIT_FAMILIES = (
    ("x-user-limit-24hour", "the account's 24-hour post cap"),
    ("x-app-limit-24hour", "the app's 24-hour post cap"),
    ("x-rate-limit", "the endpoint's rate window"),
)
DEFAULT_WINDOW = timedelta(minutes=15)


class TwitterNetwork:
    """Publishes to an X account with OAuth 1.0a user context (four keys, no expiry)."""

    info: ClassVar[NetworkInfo] = NetworkInfo(
        name="twitter",
        max_length=280,
        length=x_length,
        link_weight=23,  # t.co: every link, whatever its length
        threads=True,
        images=True,
        alt_text=True,
        hashtag_advice=2,  # X's own advice
        credentials=CREDENTIALS,
        default_api_url="https://api.x.com",
        settings_model=None,
        sign_in="crosspost.auth.twitter:FLOW",
        preview_style="x",
        reads_billed=True,  # pay-per-use bills every read
    )

    def __init__(
        self,
        *,
        channel: str,
        settings: Any = None,
        credentials: Mapping[str, str],
        api_url: str | None,
        timeout: float,
        state_dir: Path | None = None,  # nothing kept between runs
    ) -> None:
        self.channel = channel
        self.api_url = api_url.rstrip("/") if api_url else None
        self.timeout = timeout
        self._credentials = dict(credentials)
        self._client: tweepy.Client | None = None
        self._warnings: list[str] = []
        self._me: tuple[str, str] | None = None  # (user id, username), read once

    def send(self, *, outgoing: Outgoing, on_part: PartCallback | None = None) -> Receipt:
        """Publish the post (or the rest of the thread), each part a reply to the one before."""
        import requests
        from tweepy.errors import TweepyException

        client = self._get_client()
        self._warnings = []
        ids = list(outgoing.sent_parts)
        posting = False
        try:
            media_ids = None
            if outgoing.image_path is not None and not ids:
                media_ids = [self._upload_image(client, outgoing.image_path, outgoing.image_alt)]
            posting = True
            for index in range(len(ids), len(outgoing.parts)):
                answer = client.create_tweet(
                    text=outgoing.parts[index],
                    in_reply_to_tweet_id=ids[-1] if ids else None,
                    media_ids=media_ids if index == 0 else None,
                    user_auth=True,
                )
                tweet_id = _created_id(answer)
                if tweet_id is None:
                    raise Uncertain(
                        f"X accepted part {index + 1} for channel {self.channel!r} but its "
                        "answer held no post id: `crosspost reconcile` looks for it on the "
                        "account.",
                        channel=self.channel,
                    )
                ids.append(tweet_id)
                if on_part is not None:
                    on_part(index, tweet_id)
        except (TweepyException, requests.RequestException) as exc:
            raise _map_error(
                exc,
                channel=self.channel,
                timeout=self.timeout,
                secrets=self._credentials.values(),
                posting=posting,
            ) from exc
        return Receipt(
            remote_id=ids[0],
            url=STATUS_URL.format(id=ids[0]),
            part_ids=tuple(ids),
            warnings=tuple(self._warnings),
        )

    @staticmethod
    def post_id_from_url(url: str) -> str | None:
        """The post id in an X address (`https://x.com/NAME/status/DIGITS`), for
        `crosspost done --part`; None when it holds none."""
        match = STATUS_ID.search(url)
        return match.group(1) if match else None

    def find(self, *, outgoing: Outgoing, since: datetime) -> Finding:
        """Look for the parts of `outgoing` not yet recorded among the account's posts
        created since `since` (GET /2/users/me, then its timeline, newest first)."""
        import requests
        from tweepy.errors import TweepyException

        from crosspost.networks import twitter_find

        if len(outgoing.sent_parts) >= len(outgoing.parts):
            return twitter_find.already_recorded(outgoing, status_url=STATUS_URL)
        client = self._get_client()
        try:
            if self._me is None:
                self._me = twitter_find.read_me(client)
            user_id, username = self._me
            listing = twitter_find.read_posts(client, user_id, since=since)
        except (TweepyException, requests.RequestException, twitter_find.UnreadableAnswer) as exc:
            raise self._read_error(exc) from exc
        return twitter_find.settle(
            outgoing, listing, account=f"@{username}", since=since, status_url=STATUS_URL
        )

    def check_credentials(self) -> CredentialCheck:
        """Whose account the four keys post as (GET /2/users/me); ok False when X refuses
        them, a DeliveryError when X cannot be asked."""
        import requests
        from tweepy.errors import TweepyException

        from crosspost.networks import twitter_find

        client = self._get_client()
        try:
            self._me = twitter_find.read_me(client)
        except (TweepyException, requests.RequestException, twitter_find.UnreadableAnswer) as exc:
            error = self._read_error(exc)
            if isinstance(error, AuthFailed):
                return CredentialCheck(ok=False, account=None, detail=str(error))
            raise error from exc
        return CredentialCheck(
            ok=True, account=f"@{self._me[1]}", detail="keys accepted by GET /2/users/me"
        )

    def read_figures(self, *, post_ids: Sequence[str]) -> Figures:
        """followers_count (GET /2/users/me) and each post's public_metrics (GET
        /2/tweets?ids=, 100 a request); impressions None with a note when the tier hides them."""
        import requests
        from tweepy.errors import TweepyException

        from crosspost.networks import twitter_figures

        client = self._get_client()
        try:
            return twitter_figures.read(client, post_ids)
        except (TweepyException, requests.RequestException, ValueError) as exc:
            raise self._read_error(exc) from exc

    def _read_error(self, exc: BaseException) -> DeliveryError:
        """A failed read (users/me, the timeline) as a crosspost error: it created nothing."""
        return _map_error(
            exc,
            channel=self.channel,
            timeout=self.timeout,
            secrets=self._credentials.values(),
            posting=False,
            reading=True,
        )

    def _get_client(self) -> tweepy.Client:
        if self._client is None:
            import tweepy

            from crosspost.networks import _http

            keys = self._keys()
            client = tweepy.Client(**keys, return_type=dict, wait_on_rate_limit=False)
            _http.mount_rewriter(
                client.session,
                hosts=X_HOSTS,
                api_url=self.api_url,
                timeout=self.timeout,
                resign=self._auth(),
            )
            self._client = client
        return self._client

    def _keys(self) -> dict[str, str]:
        missing = [name for name in CREDENTIALS if not self._credentials.get(name)]
        if missing:
            raise CredentialError(
                f"channel {self.channel!r}: missing X credential(s) {', '.join(missing)}"
            )
        return {name: self._credentials[name] for name in CREDENTIALS}

    def _auth(self) -> Any:
        """OAuth 1.0a request signer, built exactly as tweepy builds it for `user_auth=True`."""
        from tweepy.auth import OAuth1UserHandler

        keys = self._keys()
        return OAuth1UserHandler(
            keys["consumer_key"],
            keys["consumer_secret"],
            keys["access_token"],
            keys["access_token_secret"],
        ).apply_auth()

    def _upload_image(self, client: tweepy.Client, path: Path, alt: str | None) -> str:
        """Upload through v2 media endpoints (tweepy only knows the retired v1.1 upload)."""
        from tweepy.errors import HTTPException

        try:
            content = Path(path).read_bytes()
        except OSError as exc:
            raise Rejected(
                f"channel {self.channel!r}: cannot read the image {path}: {exc.strerror}",
                channel=self.channel,
            ) from None
        mime = mimetypes.guess_type(Path(path).name)[0] or "application/octet-stream"
        auth = self._auth()
        headers = {"User-Agent": client.user_agent}
        response = client.session.post(
            X_HOST + MEDIA_UPLOAD_PATH,
            data={"media_category": "tweet_image"},
            files={"media": (Path(path).name, content, mime)},
            auth=auth,
            headers=headers,
        )
        if not response.ok:
            raise HTTPException(response)
        media_id = _media_id(response.json())
        if media_id is None:
            raise Transient(
                f"X answered the image upload for channel {self.channel!r} without a media "
                "id; nothing was published, try again later.",
                channel=self.channel,
            )
        if alt:
            self._describe_image(client, media_id, alt, auth=auth, headers=headers)
        return media_id

    def _describe_image(
        self, client: tweepy.Client, media_id: str, alt: str, *, auth: Any, headers: Any
    ) -> None:
        """Attach alt text (POST /2/media/metadata); best effort, as the image is already up.

        A refused or lost alt text must not cost the whole post: the receipt
        carries a warning and the post goes out with the image alone.
        """
        import requests

        body = {"id": media_id, "metadata": {"alt_text": {"text": alt[:ALT_TEXT_MAX]}}}
        try:
            response = client.session.post(
                X_HOST + MEDIA_METADATA_PATH, json=body, auth=auth, headers=headers
            )
        except requests.RequestException as exc:
            problem = type(exc).__name__
        else:
            if response.ok:
                return
            problem = f"HTTP {response.status_code}"
        self._warnings.append(
            f"X did not take the image's alt text ({problem}); the image went out without it"
        )


def _created_id(answer: Any) -> str | None:
    data = answer.get("data") if isinstance(answer, dict) else None
    tweet_id = data.get("id") if isinstance(data, dict) else None
    return str(tweet_id) if tweet_id else None


def _media_id(body: Any) -> str | None:
    # v2 answers {"data": {"id": ...}}; accept the v1.1 field names as well.
    data = body.get("data", body) if isinstance(body, dict) else {}
    for key in ("id", "media_id_string", "media_id"):
        if isinstance(data, dict) and data.get(key):
            return str(data[key])
    return None


def _map_error(
    exc: BaseException,
    *,
    channel: str,
    timeout: float,
    secrets: Any,
    posting: bool = True,
    reading: bool = False,
) -> DeliveryError:
    """The one place where tweepy and requests failures become crosspost errors.

    `posting` is False for requests that cannot create a post: the image upload,
    and the reads of `find` (`reading`), whose messages say so.
    """
    from tweepy.errors import HTTPException

    from crosspost.networks import _http

    if isinstance(exc, DeliveryError):
        return exc
    secrets = list(secrets)
    # Requests that cannot create a post, named as the messages below need them.
    request = "a read of the account's posts" if reading else "an image upload"
    if isinstance(exc, HTTPException):
        response = exc.response
        status = response.status_code
        detail = _http.detail(response, "; ".join(str(m) for m in exc.api_messages), secrets)
        if status == 401:
            return AuthFailed(
                f"X refused the credentials of channel {channel!r} ({detail}). Regenerate the "
                "access_token and access_token_secret (and check consumer_key and "
                "consumer_secret) under Keys and tokens in the X developer portal, with "
                "Read and write permission, then update the environment variables the "
                "channel's credentials point to.",
                channel=channel,
            )
        if status == 402:
            return ChannelBlocked(
                f"X says the API credits of channel {channel!r} are spent ({detail}); "
                "nothing was published. Top up the X API credits (developer portal → "
                f"Billing), then run `crosspost channel resume {channel}`.",
                channel=channel,
            )
        if status == 429 and _usage_capped(response):
            return ChannelBlocked(
                f"X's monthly usage cap is reached for channel {channel!r} ({detail}); "
                "nothing was published, and it will not clear in 15 minutes. Raise the "
                f"plan's cap or wait for the next month, then run `crosspost channel "
                f"resume {channel}`.",
                channel=channel,
            )
        if status == 429:
            reset_at, which = _reset_at(response.headers)
            return RateLimited(
                f"X rate limit reached for channel {channel!r} ({which}); it resets at "
                f"{_http.fmt_time(reset_at)}.",
                channel=channel,
                reset_at=reset_at,
            )
        if status >= 500:
            if posting:
                # A 5xx on a create request proves nothing: the post may exist.
                return Uncertain(
                    f"X had a server error for channel {channel!r} ({detail}): the post may "
                    "have been published all the same: `crosspost reconcile` looks for it on "
                    "the account.",
                    channel=channel,
                )
            return Transient(
                f"X had a server error for channel {channel!r} on {request} ({detail}); "
                "nothing was published, try again later.",
                channel=channel,
            )
        if posting and "duplicate content" in detail:
            # Most often after an `unknown` outcome: the earlier attempt did go out.
            return Duplicate(
                f"X refused the post for channel {channel!r}: {detail}; this exact text is "
                "already on the account, so an earlier attempt probably went out: find it "
                "and record it with `crosspost done ID --url URL`",
                channel=channel,
            )
        what = "the post" if posting else ("a read of its posts" if reading else "the image")
        return Rejected(f"X refused {what} for channel {channel!r}: {detail}", channel=channel)
    mapped = _http.transport_error(
        exc, network="X", channel=channel, timeout=timeout, posting=posting, request=request
    )
    if mapped is not None:
        return mapped
    # A 2xx answer that could not be read (bad JSON): the post may exist.
    if posting:
        return Uncertain(
            f"X answered channel {channel!r} with something unreadable "
            f"({type(exc).__name__}): the post may have been published; `crosspost "
            "reconcile` looks for it on the account.",
            channel=channel,
        )
    return Transient(
        f"X answered {request} for channel {channel!r} with something unreadable "
        f"({type(exc).__name__}); nothing was published, try again later.",
        channel=channel,
    )


def _usage_capped(response: Any) -> bool:
    """Whether a 429 is X's monthly usage cap (its problem type says so), not a rate limit:
    the rate-limit headers may still show room."""
    from crosspost.networks import _http

    body = _http.json_body(response)
    if not isinstance(body, dict):
        return False
    return "usage-capped" in str(body.get("type", "")) or body.get("title") == "UsageCapExceeded"


def _reset_at(headers: Mapping[str, str]) -> tuple[datetime, str]:
    """When the exhausted limit resets, and which limit it is.

    X sends the 15-minute window in `x-rate-limit-*` and the daily caps in
    `x-user-limit-24hour-*` / `x-app-limit-24hour-*`; the one whose `remaining`
    is 0 is the one that stopped us, and a daily cap resets much later.
    """
    from crosspost.networks import _http

    exhausted = []
    for prefix, label in LIMIT_FAMILIES:
        when = _http.from_epoch(headers.get(f"{prefix}-reset"))
        if when is not None and (headers.get(f"{prefix}-remaining") or "").strip() == "0":
            exhausted.append((when, label))
    if exhausted:
        return max(exhausted, key=lambda item: item[0])
    retry = _http.retry_after(headers)
    if retry is not None:
        return retry, "Retry-After"
    for prefix, label in reversed(LIMIT_FAMILIES):
        when = _http.from_epoch(headers.get(f"{prefix}-reset"))
        if when is not None:
            return when, label
    return _http.utc_now() + DEFAULT_WINDOW, "no reset time given; assuming 15 minutes"


if TYPE_CHECKING:  # mypy checks the adapter against each protocol it meets
    from crosspost.networks.base import (
        ChecksCredentials,
        Finds,
        Network,
        ReadsFigures,
        ReadsPostUrls,
    )

    _CHECKED: tuple[
        type[Network], type[Finds], type[ReadsPostUrls], type[ChecksCredentials], type[ReadsFigures]
    ] = (TwitterNetwork,) * 5
