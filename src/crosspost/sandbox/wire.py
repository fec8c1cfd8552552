"""What travels over the wire: parsed requests, replies, routes, and redaction.

Bodies are parsed once (JSON, form-encoded, or multipart) so that every API
module reads fields the same way, and the request log can keep a redacted
summary instead of raw bytes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote

if TYPE_CHECKING:
    from crosspost.sandbox.state import Fault, Store

REDACTED = "<redacted>"
# Keys whose values are credentials wherever they appear: query, form or JSON body.
SECRET_KEYS = frozenset(
    {
        "access_token",
        "appsecret_proof",
        "client_secret",
        "fb_exchange_token",  # the user token `crosspost auth` exchanges
        "input_token",
        "oauth_signature",
        "oauth_token",
        "oauth_consumer_key",
        "refresh_token",
        "password",
        "token",
    }
)
SECRET_HEADERS = frozenset({"cookie", "proxy-authorization", "x-api-key", "x-access-token"})
OAUTH_SECRET_PARAMS = frozenset({"oauth_consumer_key", "oauth_token", "oauth_signature"})
_OAUTH_PARAM = re.compile(r'\s*([A-Za-z_]+)="([^"]*)"\s*(?:,|$)')


@dataclass(frozen=True)
class Upload:
    """One file part of a multipart body (or the raw body of a PUT)."""

    filename: str | None
    content_type: str
    data: bytes


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-cased names
    raw: bytes
    base_url: str  # scheme://host the client used, for URLs the sandbox hands back
    content_type: str = ""
    json: Any = None
    json_error: str | None = None
    form: dict[str, str] = field(default_factory=dict)
    files: dict[str, Upload] = field(default_factory=dict)
    # Every value of each query parameter, in order (`query` keeps the first only):
    # XRPC repeats a parameter for a list (getPosts' `uris`).
    query_lists: dict[str, list[str]] = field(default_factory=dict)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass
class Reply:
    """An answer; `body` None means an empty body (LinkedIn's 201 has none)."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"

    def encode(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode("utf-8")
        return json.dumps(self.body, ensure_ascii=False).encode("utf-8")


Handler = Callable[[Request, "Store", "re.Match[str]"], Reply]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    # Posting routes are the ones faults apply to; reads (click counts) are not.
    posting: bool = True


@dataclass(frozen=True)
class Api:
    """One network's slice of the sandbox."""

    network: str
    owns: Callable[[str], bool]
    routes: tuple[Route, ...]
    fault_reply: Callable[[Fault, Request, Store], Reply]
    not_found: Callable[[Request], Reply]
    # Headers every answer carries (X's x-rate-limit-*), added after the handler ran.
    finish: Callable[[Reply, Request, Store], Reply] = lambda reply, req, store: reply
    # How the sandbox page shows it: its name, what it holds, a colour, and the
    # account a post was made by (X's is a token: only its public part is shown).
    title: str = ""
    noun: str = "post"
    accent: str = "#5b6b7f"
    account_label: Callable[[str], str] = lambda account: account
    # The card its posts are drawn as (`crosspost.cards.STYLES`); any other is generic.
    style: str = "generic"

    def match(self, method: str, path: str) -> tuple[Route, re.Match[str]] | None:
        for route in self.routes:
            found = route.pattern.match(path)
            if found and route.method == method:
                return route, found
        return None


# Parsing -------------------------------------------------------------------------


def _header_params(value: str, name: str = "content-type") -> Message:
    message = Message()
    message[name] = value
    return message


def parse_request(
    method: str, target: str, headers: dict[str, str], raw: bytes, scheme: str = "http"
) -> Request:
    path, _, query_string = target.partition("?")
    lists = parse_qs(query_string, keep_blank_values=True)
    query = {k: v[0] for k, v in lists.items()}
    host = headers.get("host", "127.0.0.1")
    req = Request(
        method=method,
        path=unquote(path) or "/",
        query=query,
        headers=headers,
        raw=raw,
        base_url=f"{scheme}://{host}",
        query_lists=lists,
    )
    content_type = headers.get("content-type", "")
    req.content_type = _header_params(content_type).get_content_type() if content_type else ""
    if not raw:
        return req
    if req.content_type == "application/json" or (not content_type and raw[:1] in b"{["):
        try:
            req.json = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            req.json_error = str(exc)
    elif req.content_type == "application/x-www-form-urlencoded":
        text = raw.decode("utf-8", "replace")
        req.form = {k: v[0] for k, v in parse_qs(text, keep_blank_values=True).items()}
    elif req.content_type == "multipart/form-data":
        boundary = _header_params(content_type).get_param("boundary")
        if isinstance(boundary, str) and boundary:
            req.form, req.files = parse_multipart(raw, boundary)
    return req


def parse_multipart(raw: bytes, boundary: str) -> tuple[dict[str, str], dict[str, Upload]]:
    """Split a multipart/form-data body into text fields and file parts.

    Written by hand because `cgi` is gone from recent Pythons and the `email`
    parser may rewrite line endings inside binary parts.
    """
    form: dict[str, str] = {}
    files: dict[str, Upload] = {}
    for part in raw.split(b"--" + boundary.encode("latin-1"))[1:]:
        if part.startswith(b"--"):
            break  # the closing delimiter
        part = part.removeprefix(b"\r\n")
        head, sep, data = part.partition(b"\r\n\r\n")
        if not sep:
            continue
        data = data.removesuffix(b"\r\n")
        part_headers: dict[str, str] = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            header, _, value = line.partition(":")
            part_headers[header.strip().lower()] = value.strip()
        disposition = _header_params(part_headers.get("content-disposition", ""), "cd")
        name = disposition.get_param("name", header="cd")
        filename = disposition.get_param("filename", header="cd")
        if not isinstance(name, str):
            continue
        if isinstance(filename, str) or "content-type" in part_headers:
            files[name] = Upload(
                filename=filename if isinstance(filename, str) else None,
                content_type=part_headers.get("content-type", ""),
                data=data,
            )
        else:
            form[name] = data.decode("utf-8", "replace")
    return form, files


def body_of(req: Request) -> Upload:
    """The raw body as an upload (LinkedIn's PUT of image bytes)."""
    return Upload(filename=None, content_type=req.content_type, data=req.raw)


# Redaction ---------------------------------------------------------------------


def redact_authorization(value: str) -> str:
    scheme, _, rest = value.partition(" ")
    if scheme.lower() == "oauth":
        params = parse_oauth_params(value)
        if params is None:
            return f"OAuth {REDACTED}"
        shown = ", ".join(
            f'{k}="{REDACTED if k in OAUTH_SECRET_PARAMS else v}"' for k, v in params.items()
        )
        return f"OAuth {shown}"
    if rest:
        return f"{scheme} {REDACTED}"
    return REDACTED


def redact_headers(headers: dict[str, str]) -> dict[str, str]:
    shown: dict[str, str] = {}
    for name, value in headers.items():
        if name == "authorization":
            shown[name] = redact_authorization(value)
        elif name in SECRET_HEADERS:
            shown[name] = REDACTED
        else:
            shown[name] = value
    return shown


def redact(value: Any) -> Any:
    """Copy of a JSON-like value with every credential-named key blanked out."""
    if isinstance(value, dict):
        return {
            k: (REDACTED if str(k).lower() in SECRET_KEYS and v else redact(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


def body_summary(req: Request) -> Any:
    """The parsed body as the request log keeps it: fields, and files by size only."""
    if req.json is not None:
        return req.json
    if req.json_error is not None:
        return {"invalid_json": req.json_error}
    if req.form or req.files:
        summary: dict[str, Any] = dict(req.form)
        for name, upload in req.files.items():
            summary[name] = {
                "filename": upload.filename,
                "content_type": upload.content_type,
                "size": len(upload.data),
            }
        return summary
    if req.raw:
        return {"content_type": req.content_type, "size": len(req.raw)}
    return None


def parse_oauth_params(value: str) -> dict[str, str] | None:
    """`OAuth k="v", ...` as a dict, or None when the header is not of that shape."""
    if not value.startswith("OAuth "):
        return None
    rest = value[len("OAuth ") :].strip()
    params: dict[str, str] = {}
    position = 0
    while position < len(rest):
        found = _OAUTH_PARAM.match(rest, position)
        if not found:
            return None
        params[found.group(1)] = unquote(found.group(2))
        position = found.end()
    return params
