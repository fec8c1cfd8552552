"""What the sandbox PDS checks in an app.bsky.feed.post record before it takes it.

The lexicon's rules where a client could get them wrong: the text's length in
graphemes and in UTF-8 bytes, facets as byte ranges that hold the link or tag
they name, one embed of a known shape with uploaded blobs, and reply refs that
name existing records by their current CID.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

MAX_GRAPHEMES = 300
MAX_BYTES = 3000
MAX_LANGS = 3
MAX_IMAGES = 4
LANG = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*$")
URL = re.compile(r"^https?://\S+$")


def record_problem(
    record: Any, records: dict[str, dict[str, Any]], blobs: dict[str, dict[str, Any]]
) -> str | None:
    """Why `record` is not a valid post (in the PDS's words), or None."""
    from wcwidth import iter_graphemes

    if not isinstance(record, dict) or record.get("$type") != "app.bsky.feed.post":
        return "Record/$type must be app.bsky.feed.post"
    text = record.get("text")
    if not isinstance(text, str):
        return "Record/text must be a string"
    if sum(1 for _ in iter_graphemes(text)) > MAX_GRAPHEMES:
        return f"Record/text must not be longer than {MAX_GRAPHEMES} graphemes"
    if len(text.encode("utf-8")) > MAX_BYTES:
        return f"Record/text must not be longer than {MAX_BYTES} characters"
    created = record.get("createdAt")
    if not isinstance(created, str) or not _is_datetime(created):
        return "Record/createdAt must be an valid atproto datetime (both RFC-3339 and ISO-8601)"
    langs = record.get("langs")
    if langs is not None and (
        not isinstance(langs, list)
        or len(langs) > MAX_LANGS
        or not all(isinstance(x, str) and LANG.match(x) for x in langs)
    ):
        return f"Record/langs must be up to {MAX_LANGS} BCP-47 language tags"
    for check in (
        _facets_problem(text, record.get("facets")),
        _embed_problem(record.get("embed"), blobs),
        _reply_problem(record.get("reply"), records),
    ):
        if check is not None:
            return check
    return None


def _is_datetime(value: str) -> bool:
    if not re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$", value):
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _facets_problem(text: str, facets: Any) -> str | None:
    if facets is None:
        return None
    if not isinstance(facets, list):
        return "Record/facets must be an array"
    data = text.encode("utf-8")
    for n, facet in enumerate(facets):
        where = f"Record/facets/{n}"
        index = facet.get("index") if isinstance(facet, dict) else None
        start = index.get("byteStart") if isinstance(index, dict) else None
        end = index.get("byteEnd") if isinstance(index, dict) else None
        if not isinstance(start, int) or not isinstance(end, int) or not 0 <= start < end:
            return f"{where}/index must have byteStart < byteEnd"
        if end > len(data):
            return f"{where}/index/byteEnd {end} is past the text's {len(data)} bytes"
        try:
            covered = data[start:end].decode("utf-8")
        except UnicodeDecodeError:
            return f"{where}/index does not fall on character boundaries"
        features = facet.get("features")
        if not isinstance(features, list) or len(features) != 1:
            return f"{where}/features must hold one feature"
        problem = _feature_problem(features[0], covered)
        if problem is not None:
            return f"{where}/features/0 {problem}"
    return None


def _feature_problem(feature: Any, covered: str) -> str | None:
    kind = feature.get("$type") if isinstance(feature, dict) else None
    if kind == "app.bsky.richtext.facet#link":
        uri = feature.get("uri")
        if not isinstance(uri, str) or not URL.match(uri):
            return "uri must be a URL"
        if uri != covered and uri != f"https://{covered}":
            return f"covers {covered!r}, which is not the link {uri!r}"
        return None
    if kind == "app.bsky.richtext.facet#tag":
        if covered[:1] not in "#＃" or covered[1:] != feature.get("tag"):
            return f"covers {covered!r}, which is not the tag #{feature.get('tag')}"
        return None
    if kind == "app.bsky.richtext.facet#mention":
        return None
    return f"has an unknown $type {kind!r}"


def _blob_problem(blob: Any, blobs: dict[str, dict[str, Any]], where: str) -> str | None:
    ref = blob.get("ref") if isinstance(blob, dict) else None
    cid = ref.get("$link") if isinstance(ref, dict) else None
    if not isinstance(blob, dict) or blob.get("$type") != "blob" or not isinstance(cid, str):
        return f"{where} must be a blob ref"
    known = blobs.get(cid)
    if known is None:
        return f"{where}: blob {cid} was never uploaded"
    if not str(known["mimeType"]).startswith("image/"):
        return f"{where}: blob {cid} is {known['mimeType']}, not an image"
    return None


def _embed_problem(embed: Any, blobs: dict[str, dict[str, Any]]) -> str | None:
    if embed is None:
        return None
    kind = embed.get("$type") if isinstance(embed, dict) else None
    if kind == "app.bsky.embed.external":
        external = embed.get("external")
        if not isinstance(external, dict):
            return "Record/embed/external must be an object"
        if not isinstance(external.get("uri"), str) or not URL.match(external["uri"]):
            return "Record/embed/external/uri must be a URL"
        for name in ("title", "description"):
            if not isinstance(external.get(name), str):
                return f"Record/embed/external/{name} must be a string"
        if external.get("thumb") is not None:
            return _blob_problem(external["thumb"], blobs, "Record/embed/external/thumb")
        return None
    if kind == "app.bsky.embed.images":
        images = embed.get("images")
        if not isinstance(images, list) or not 1 <= len(images) <= MAX_IMAGES:
            return f"Record/embed/images must hold 1 to {MAX_IMAGES} images"
        for n, image in enumerate(images):
            if not isinstance(image, dict) or not isinstance(image.get("alt"), str):
                return f"Record/embed/images/{n}/alt must be a string"
            problem = _blob_problem(image.get("image"), blobs, f"Record/embed/images/{n}/image")
            if problem is not None:
                return problem
        return None
    return f"Record/embed has an unknown $type {kind!r}"


def _reply_problem(reply: Any, records: dict[str, dict[str, Any]]) -> str | None:
    if reply is None:
        return None
    if not isinstance(reply, dict):
        return "Record/reply must be an object"
    for name in ("root", "parent"):
        ref = reply.get(name)
        if not isinstance(ref, dict) or not ref.get("uri") or not ref.get("cid"):
            return f"Record/reply/{name} must be a strong ref (uri and cid)"
        found = records.get(str(ref["uri"]))
        if found is None:
            return f"Record/reply/{name}: could not locate record {ref['uri']}"
        if found["cid"] != ref["cid"]:
            return f"Record/reply/{name}: cid {ref['cid']} is not the record's current cid"
    return None
