"""Bluesky (AT Protocol) through the `atproto` SDK: posts, threads, images, link cards.

Every post is created with `com.atproto.repo.createRecord` under a record key
derived from the delivery's key (bluesky_record.record_key), so a retry of a
post that did go out collides with it instead of making a second one, and
`find` reads each part back by that key.  The login session is kept between
runs (bluesky_session.py); errors are mapped in bluesky_errors.map_error.
The SDK is imported inside methods: this module must stay cheap to import.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict, field_validator

from crosspost.errors import AuthFailed, ChannelBlocked, DeliveryError, Rejected, Uncertain
from crosspost.networks import bluesky_record as rec
from crosspost.networks.base import (
    Answer,
    CredentialCheck,
    Finding,
    NetworkInfo,
    Outgoing,
    PartCallback,
    Receipt,
)
from crosspost.networks.bluesky_figures import ReadsBlueskyFigures
from crosspost.networks.bluesky_session import Absent, Connection, SessionStore
from crosspost.networks.matching import same_text

if TYPE_CHECKING:
    from atproto_client import Client

API_URL = "https://bsky.social"
TEMPLATES = Path(__file__).resolve().parent / "templates"
# A handle is a domain name: labels of letters, digits and hyphens, dot-separated.
HANDLE_RE = re.compile(r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$")
MAX_IMAGE_BYTES = 1_000_000  # the lexicon's maxSize for an image or a card's thumb


class BlueskySettings(BaseModel):
    """Which Bluesky account a bluesky channel posts as."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    handle: str

    @field_validator("handle", mode="before")
    @classmethod
    def _handle(cls, value: Any) -> Any:
        text = value.strip().removeprefix("@").lower() if isinstance(value, str) else value
        if not isinstance(text, str) or len(text) > 253 or not HANDLE_RE.match(text):
            raise ValueError(
                "handle must be the account's handle as bsky.app shows it, without the @, "
                "like school.bsky.social or blog.example.org"
            )
        return text


class BlueskyNetwork(ReadsBlueskyFigures):
    """Publishes as one Bluesky account through its PDS."""

    info: ClassVar[NetworkInfo] = NetworkInfo(
        name="bluesky",
        max_length=rec.MAX_GRAPHEMES,
        length=rec.grapheme_length,  # links count as written: no t.co-like weight
        threads=True,
        images=True,
        alt_text=True,
        alt_text_with_link=False,  # the card's thumb (`_embed`) has no alt
        idempotency=True,  # the record key is derived from Outgoing.key
        attaches_link=True,  # the link card (app.bsky.embed.external)
        credentials=("app_password",),
        # The sandbox, like Bluesky, refuses what is not shaped like an app password.
        sandbox_credentials={"app_password": "sand-box0-sand-box0"},
        default_api_url=API_URL,
        settings_model=BlueskySettings,
        templates=TEMPLATES,
        sign_in="crosspost.auth.bluesky:FLOW",
        preview_style="bluesky",
    )

    def __init__(
        self,
        *,
        channel: str,
        settings: BlueskySettings | Mapping[str, Any],
        credentials: Mapping[str, str],
        api_url: str | None,
        timeout: float,
        state_dir: Path | None = None,
    ) -> None:
        self.channel = channel
        self.settings = (
            settings
            if isinstance(settings, BlueskySettings)
            else BlueskySettings.model_validate(settings)
        )
        self.api_url = (api_url or API_URL).rstrip("/")
        self.timeout = timeout
        self._store = SessionStore(state_dir)
        self._conn = Connection(
            channel=channel,
            handle=self.settings.handle,
            password=credentials.get("app_password", ""),
            api_url=self.api_url,
            timeout=timeout,
            store=self._store,
        )

    # Publishing ----------------------------------------------------------------

    def send(self, *, outgoing: Outgoing, on_part: PartCallback | None = None) -> Receipt:
        """Publish `outgoing`, resuming a thread after `outgoing.sent_parts`."""
        for index, text in enumerate(outgoing.parts):
            problem = rec.length_problem(text)
            if problem is not None:
                part = f" (part {index + 1})" if len(outgoing.parts) > 1 else ""
                raise Rejected(
                    f"channel {self.channel!r}: {problem}{part}; shorten it or let the "
                    "channel thread it (overflow: thread).",
                    channel=self.channel,
                )
        ids = list(outgoing.sent_parts)
        # The image is read before anything is sent: a missing file sends nothing.
        image = self._read_image(outgoing.image_path) if not ids else None
        client = self._conn.connect()
        refs = self._resume_refs(ids)  # (root, previous) strong refs, or None
        embed = self._embed(outgoing, image) if not ids else None
        for index in range(len(ids), len(outgoing.parts)):
            record = self._record(outgoing, index, embed=embed if index == 0 else None, refs=refs)
            uri, cid = self._create(client, outgoing, index, record)
            ids.append(uri)
            root = refs[0] if refs else (uri, cid)
            refs = (root, (uri, cid))
            if on_part is not None:
                on_part(index, uri)
        return Receipt(
            remote_id=ids[0],
            url=rec.post_url(self.settings.handle, ids[0]),
            part_ids=tuple(ids),
            warnings=tuple(self._store.warnings),
        )

    def _record(
        self,
        outgoing: Outgoing,
        index: int,
        *,
        embed: Any,
        refs: tuple[tuple[str, str], tuple[str, str]] | None,
    ) -> Any:
        from atproto_client import models

        text = outgoing.parts[index]
        reply = None
        if refs is not None:
            (root_uri, root_cid), (parent_uri, parent_cid) = refs
            reply = models.AppBskyFeedPost.ReplyRef(
                root=models.ComAtprotoRepoStrongRef.Main(uri=root_uri, cid=root_cid),
                parent=models.ComAtprotoRepoStrongRef.Main(uri=parent_uri, cid=parent_cid),
            )
        return models.AppBskyFeedPost.Record(
            text=text,
            # When it is published, not when it was queued: feeds sort on it.
            created_at=datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            # The SDK's send_post would say ["en"] for a French post; unknown: none.
            langs=[outgoing.lang] if outgoing.lang else None,
            facets=rec.facets_for(text) or None,
            embed=embed,
            reply=reply,
        )

    def _create(
        self, client: Client, outgoing: Outgoing, index: int, record: Any
    ) -> tuple[str, str]:
        """createRecord under the part's own record key; (uri, cid).

        A PDS answers a create on a key that exists with a 500 (bluesky-social/
        atproto#3718), and any server error or lost answer may hide a record that
        was made: so the key is read back, and a record there with our text is
        ours (an earlier attempt went out), recorded as sent.
        """
        from atproto_client import models

        rkey = rec.record_key(
            outgoing.key or self._fallback_key(outgoing), outgoing.created_at, index
        )
        data = models.ComAtprotoRepoCreateRecord.Data(
            repo=self._conn.did, collection=rec.COLLECTION, rkey=rkey, record=record
        )
        what = "the post" if len(outgoing.parts) == 1 else f"part {index + 1} of the thread"
        try:
            answer = self._conn.call(
                what, client.com.atproto.repo.create_record, data, posting=True
            )
        except (Uncertain, Rejected):
            # A refusal is read back too: a PDS that one day names the collision
            # (atproto#4728 proposes an error of its own) would answer it with a 400.
            found = self._read_back(rkey, outgoing.parts[index])
            if found is None:
                raise
            return found
        return str(answer.uri), str(answer.cid)

    def _read_back(self, rkey: str, text: str) -> tuple[str, str] | None:
        """(uri, cid) of the record at `rkey` when it holds `text`; None when it is not
        there or cannot be read (the caller's Uncertain stands)."""
        try:
            found = self._get_record(rkey)
        except DeliveryError:
            return None
        if found is None or not same_text(text, found[2]):
            return None
        return found[0], found[1]

    def _resume_refs(self, ids: list[str]) -> tuple[tuple[str, str], tuple[str, str]] | None:
        """The strong refs (uri, cid) of the thread's root and last part already sent."""
        if not ids:
            return None
        refs = []
        for uri in (ids[0], ids[-1]) if len(ids) > 1 else (ids[0],):
            found = self._get_record(rec.rkey_of(uri))
            if found is None:
                raise Rejected(
                    f"channel {self.channel!r}: part {uri} of this thread, recorded as sent, is "
                    "no longer on Bluesky (deleted?), so the rest cannot reply to it.",
                    channel=self.channel,
                )
            refs.append((found[0], found[1]))
        return refs[0], refs[-1]

    def _embed(self, outgoing: Outgoing, image: tuple[bytes, str] | None) -> Any:
        """The post's one embed (Bluesky takes one per post).

        A link gets the card, with the post's image as its thumbnail: for a blog
        post the card is what readers click, and its thumb is the article's image.
        No link: the image alone, with its alt text (a card's thumb has none).
        """
        from atproto_client import models

        blob = self._upload(image) if image is not None else None
        if outgoing.link:
            return models.AppBskyEmbedExternal.Main(
                external=models.AppBskyEmbedExternal.External(
                    uri=outgoing.link,
                    title=outgoing.title or outgoing.link,
                    description=outgoing.description or "",
                    thumb=blob,
                )
            )
        if blob is not None:
            return models.AppBskyEmbedImages.Main(
                images=[models.AppBskyEmbedImages.Image(alt=outgoing.image_alt or "", image=blob)]
            )
        return None

    def _read_image(self, path: Path | None) -> tuple[bytes, str] | None:
        if path is None:
            return None
        try:
            content = Path(path).read_bytes()
        except OSError as exc:
            raise Rejected(
                f"channel {self.channel!r}: cannot read the image {path}: {exc.strerror}",
                channel=self.channel,
            ) from None
        if len(content) > MAX_IMAGE_BYTES:
            raise Rejected(
                f"channel {self.channel!r}: the image {path} is {len(content):,} bytes; Bluesky "
                f"takes at most {MAX_IMAGE_BYTES:,}: make it smaller.",
                channel=self.channel,
            )
        mime = mimetypes.guess_type(Path(path).name)[0] or "application/octet-stream"
        return content, mime

    def _upload(self, image: tuple[bytes, str]) -> Any:
        client = self._conn.connect()
        content, mime = image
        answer = self._conn.call(
            "an image upload",
            client.com.atproto.repo.upload_blob,
            content,
            headers={"Content-Type": mime},
        )
        return answer.blob

    def _fallback_key(self, outgoing: Outgoing) -> str:
        # Only when a caller gives no key (the core always does): the content's.
        import hashlib

        seed = f"{self.channel}\n{outgoing.parts[0]}".encode()
        return hashlib.sha256(seed).hexdigest()[:32]

    # Reading back -----------------------------------------------------------------

    def find(self, *, outgoing: Outgoing, since: datetime) -> Finding:
        """Each part not yet recorded, read by its record key (getRecord): the listing is
        exact, so ABSENT is certain whatever `since` says."""
        key = outgoing.key or self._fallback_key(outgoing)
        start = len(outgoing.sent_parts)
        ids: list[str] = []
        for index in range(start, len(outgoing.parts)):
            rkey = rec.record_key(key, outgoing.created_at, index)
            found = self._get_record(rkey)
            where = f"record {rkey} of {self.settings.handle}"
            if found is None:
                return self._finding(Answer.ABSENT, outgoing, ids, f"no {where}")
            if not same_text(outgoing.parts[index], found[2]):
                return self._finding(
                    Answer.UNSURE,
                    outgoing,
                    ids,
                    f"{where} holds another text than part {index + 1}",
                )
            ids.append(found[0])
        done = f"read {len(ids)} record{'s' if len(ids) != 1 else ''} of {self.settings.handle}"
        return self._finding(Answer.FOUND, outgoing, ids, done)

    def _finding(self, answer: Answer, outgoing: Outgoing, ids: list[str], checked: str) -> Finding:
        first = (list(outgoing.sent_parts) + ids)[:1]
        return Finding(
            answer,
            part_ids=tuple(ids),
            url=rec.post_url(self.settings.handle, first[0]) if first else None,
            checked=checked,
        )

    def _get_record(self, rkey: str) -> tuple[str, str, str] | None:
        """(uri, cid, text) of our record at `rkey`, None when there is none."""
        from atproto_client import models

        client = self._conn.connect()
        params = models.ComAtprotoRepoGetRecord.Params(
            repo=self._conn.did, collection=rec.COLLECTION, rkey=rkey
        )
        try:
            answer = self._conn.call("a read of a post", client.com.atproto.repo.get_record, params)
        except Absent:
            return None
        text = getattr(answer.value, "text", None)
        return str(answer.uri), str(answer.cid or ""), str(text or "")

    @staticmethod
    def post_id_from_url(url: str) -> str | None:  # for `crosspost done --part`
        return rec.post_id_from_url(url)

    def check_credentials(self) -> CredentialCheck:
        """Log in (or resume the stored session) and ask the PDS whose session it is."""
        try:
            client = self._conn.connect()
            answer = self._conn.call("a session check", client.com.atproto.server.get_session)
        except (AuthFailed, ChannelBlocked) as exc:
            # Refused (or misconfigured): broken.  A network that cannot be asked
            # (Transient, RateLimited) raises, and the doctor says "could not check".
            return CredentialCheck(ok=False, account=self.settings.handle, detail=str(exc))
        account = f"@{answer.handle} ({answer.did})"
        detail = "; ".join(["app password and session accepted", *self._store.warnings])
        return CredentialCheck(ok=True, account=account, detail=detail)


if TYPE_CHECKING:  # mypy checks the adapter against each protocol it meets
    import crosspost.networks.base as b

    _Meets = tuple[
        type[b.Network], type[b.Finds], type[b.ChecksCredentials], type[b.ReadsPostUrls],
        type[b.ReadsFigures],
    ]  # fmt: skip
    _CHECKED: _Meets = (BlueskyNetwork,) * 5
