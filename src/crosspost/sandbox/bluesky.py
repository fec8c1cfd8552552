"""Bluesky's PDS, as far as crosspost uses it: sessions, records, blobs, all under /xrpc/.

As strict as a PDS where a client could go wrong: access tokens expire and
refresh tokens are used up, a record key must be a TID, the text must fit 300
graphemes and 3000 bytes, facets must point at UTF-8 byte ranges holding the
link or tag they name, embeds must reference uploaded blobs, and a reply must
name its root and parent with their current CIDs.  A create on a record key
that exists answers 500 InternalServerError, as the reference PDS does
(bluesky-social/atproto#3718).

Accounts: any well-formed handle exists except under `.invalid` (RFC 2606),
which resolves nowhere; the first app password presented for a handle becomes
its password.  `POST /xrpc/sandbox.expireSessions` ({"refresh": true} too) lets
a test expire every token handed out so far.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
from typing import Any

from crosspost.sandbox import bluesky_figures
from crosspost.sandbox.state import Fault, Store, now_iso
from crosspost.sandbox.wire import Api, Reply, Request, Route

NETWORK = "bluesky"
COLLECTION = "app.bsky.feed.post"
ACCESS_LIFETIME = 2 * 3600  # seconds, as bsky.social's access tokens
REFRESH_LIFETIME = 60 * 86400
MAX_GRAPHEMES = 300
MAX_BYTES = 3000
MAX_BLOB = 1_000_000
APP_PASSWORD = re.compile(r"^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$")
HANDLE = re.compile(r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$")
TID = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")
TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
_SECRET = b"crosspost-sandbox-bluesky"  # signs the sandbox's JWTs; they leave no machine


def _error(status: int, name: str, message: str) -> Reply:
    return Reply(status, {"error": name, "message": message})


def _invalid(message: str) -> Reply:
    return _error(400, "InvalidRequest", message)


def _memory(store: Store) -> dict[str, Any]:
    memory = store.memory(NETWORK)
    if not memory:
        memory.update(accounts={}, access={}, refresh={}, records={}, blobs={}, calls={})
    return memory


def _count(store: Store, method: str) -> None:
    calls = _memory(store)["calls"]
    calls[method] = calls.get(method, 0) + 1


def _did(handle: str) -> str:
    digest = hashlib.sha256(handle.encode()).digest()
    return "did:plc:" + base64.b32encode(digest).decode().lower()[:24]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _jwt(did: str, *, scope: str, lifetime: int, number: int) -> tuple[str, int]:
    now = int(time.time())
    exp = now + lifetime
    header = _b64(json.dumps({"typ": "at+jwt", "alg": "HS256"}).encode())
    claims = {"scope": scope, "sub": did, "aud": "did:web:sandbox", "iat": now, "exp": exp}
    payload = _b64(json.dumps({**claims, "jti": f"sandbox-{number}"}).encode())
    signature = hmac.new(_SECRET, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(signature)}", exp


def _new_session(req: Request, store: Store, handle: str) -> Reply:
    memory = _memory(store)
    did = _did(handle)
    access, access_exp = _jwt(
        did, scope="com.atproto.appPass", lifetime=ACCESS_LIFETIME, number=store.next_number("jwt")
    )
    refresh, refresh_exp = _jwt(
        did, scope="com.atproto.refresh", lifetime=REFRESH_LIFETIME, number=store.next_number("jwt")
    )
    memory["access"][access] = {"did": did, "handle": handle, "exp": access_exp, "expired": False}
    memory["refresh"][refresh] = {"did": did, "handle": handle, "exp": refresh_exp, "used": False}
    did_doc = {
        "@context": ["https://www.w3.org/ns/did/v1"],
        "id": did,
        "alsoKnownAs": [f"at://{handle}"],
        "service": [
            {
                "id": "#atproto_pds",
                "type": "AtprotoPersonalDataServer",
                "serviceEndpoint": req.base_url,
            }
        ],
    }
    return Reply(
        200,
        {"accessJwt": access, "refreshJwt": refresh, "handle": handle, "did": did,
         "didDoc": did_doc, "active": True},
    )  # fmt: skip


def _bearer(req: Request) -> str | None:
    scheme, _, token = (req.header("authorization") or "").partition(" ")
    return token.strip() if scheme == "Bearer" and token.strip() else None


def _authorized(req: Request, store: Store) -> tuple[dict[str, Any] | None, Reply | None]:
    """(the access token's session, None), or (None, the PDS's refusal)."""
    token = _bearer(req)
    if token is None:
        return None, _error(401, "AuthMissing", "Authentication Required")
    memory = _memory(store)
    if token in memory["refresh"]:
        return None, _error(400, "InvalidToken", "Invalid token type")
    session = memory["access"].get(token)
    if session is None:
        return None, _error(400, "InvalidToken", "Token could not be verified")
    if session["expired"] or session["exp"] <= time.time():
        return None, _error(400, "ExpiredToken", "Token has expired")
    return session, None


# Sessions and identity ------------------------------------------------------------


def create_session(req: Request, store: Store, _: re.Match[str]) -> Reply:
    body = req.json if isinstance(req.json, dict) else {}
    identifier, password = body.get("identifier"), body.get("password")
    if not isinstance(identifier, str) or not isinstance(password, str):
        return _invalid("Input must have the properties identifier and password")
    handle = identifier.strip().lower()
    with store.lock:
        _count(store, "createSession")
        if not HANDLE.match(handle) or handle.endswith(".invalid"):
            return _error(401, "AuthenticationRequired", "Invalid identifier or password")
        accounts = _memory(store)["accounts"]
        if not APP_PASSWORD.match(password):
            # The account password (which the sandbox never knows) or a typo.
            return _error(401, "AuthenticationRequired", "Invalid identifier or password")
        known = accounts.setdefault(handle, password)
        if not hmac.compare_digest(known, password):
            return _error(401, "AuthenticationRequired", "Invalid identifier or password")
        return _new_session(req, store, handle)


def refresh_session(req: Request, store: Store, _: re.Match[str]) -> Reply:
    token = _bearer(req)
    with store.lock:
        _count(store, "refreshSession")
        memory = _memory(store)
        if token is None:
            return _error(401, "AuthMissing", "Authentication Required")
        if token in memory["access"]:
            return _error(400, "InvalidToken", "Invalid token type")
        session = memory["refresh"].get(token)
        if session is None:
            return _error(400, "InvalidToken", "Token could not be verified")
        if session["used"] or session["exp"] <= time.time():
            return _error(400, "ExpiredToken", "Token has been revoked")
        session["used"] = True  # a refresh token is good for one refresh
        return _new_session(req, store, session["handle"])


def get_session(req: Request, store: Store, _: re.Match[str]) -> Reply:
    with store.lock:
        session, problem = _authorized(req, store)
        if problem is not None:
            return problem
        assert session is not None
        return Reply(200, {"handle": session["handle"], "did": session["did"], "active": True})


def resolve_handle(req: Request, store: Store, _: re.Match[str]) -> Reply:
    handle = req.query.get("handle", "").lower()
    if not HANDLE.match(handle) or handle.endswith(".invalid"):
        return _invalid("Unable to resolve handle")
    return Reply(200, {"did": _did(handle)})


def expire_sessions(req: Request, store: Store, _: re.Match[str]) -> Reply:
    """Sandbox control: every access token so far expires (and every refresh token too)."""
    body = req.json if isinstance(req.json, dict) else {}
    with store.lock:
        memory = _memory(store)
        for session in memory["access"].values():
            session["expired"] = True
        if body.get("refresh"):
            for session in memory["refresh"].values():
                session["used"] = True
    return Reply(200, {})


# Blobs and records --------------------------------------------------------------------


def _cid(data: bytes, *, codec: str) -> str:
    # The shape of a CIDv1 (base32, "b" prefix); not a real multihash, which no client checks.
    return codec + base64.b32encode(hashlib.sha256(data).digest()).decode().lower().rstrip("=")


def upload_blob(req: Request, store: Store, _: re.Match[str]) -> Reply:
    with store.lock:
        _session, problem = _authorized(req, store)
        if problem is not None:
            return problem
        if not req.raw:
            return _invalid("Request body is empty")
        if len(req.raw) > MAX_BLOB:
            return _error(400, "BlobTooLarge", f"This file is too large. Max size: {MAX_BLOB}")
        mime = req.content_type or "application/octet-stream"
        cid = _cid(req.raw, codec="bafkrei")
        _memory(store)["blobs"][cid] = {"mimeType": mime, "size": len(req.raw)}
    blob = {"$type": "blob", "ref": {"$link": cid}, "mimeType": mime, "size": len(req.raw)}
    return Reply(200, {"blob": blob})


def create_record(req: Request, store: Store, _: re.Match[str]) -> Reply:
    from crosspost.sandbox.bluesky_checks import record_problem

    body = req.json
    if not isinstance(body, dict):
        return _invalid(f"Request body must be a JSON object ({req.json_error or 'empty'})")
    with store.lock:
        session, problem = _authorized(req, store)
        if problem is not None:
            return problem
        assert session is not None
        if body.get("repo") not in (session["did"], session["handle"]):
            return _invalid(f"Invalid repo: {body.get('repo')!r} is not the session's account")
        if body.get("collection") != COLLECTION:
            return _invalid(f"The sandbox holds {COLLECTION} records only")
        rkey = body.get("rkey") or _now_tid()
        if not isinstance(rkey, str) or not TID.match(rkey):
            return _invalid(f"Invalid record key: {rkey!r} is not a TID")
        memory = _memory(store)
        record = body.get("record")
        why = record_problem(record, memory["records"], memory["blobs"])
        if why is not None:
            return _invalid(f"Invalid app.bsky.feed.post record: {why}")
        assert isinstance(record, dict)
        uri = f"at://{session['did']}/{COLLECTION}/{rkey}"
        if uri in memory["records"]:
            # The reference PDS's MST throws "There is already a value at key" here.
            return _error(500, "InternalServerError", "Internal Server Error")
        cid = _cid(json.dumps(record, sort_keys=True).encode(), codec="bafyrei")
        memory["records"][uri] = {"uri": uri, "cid": cid, "value": record}
        store.add_post(NETWORK, _post(uri, cid, rkey, record, session))
    commit = {"cid": _cid(uri.encode(), codec="bafyrei"), "rev": _now_tid()}
    return Reply(200, {"uri": uri, "cid": cid, "commit": commit, "validationStatus": "valid"})


def _post(
    uri: str, cid: str, rkey: str, record: dict[str, Any], session: dict[str, Any]
) -> dict[str, Any]:
    """A record as the sandbox page and `sandbox.posts("bluesky")` show it."""
    embed = record.get("embed") or {}
    external = embed.get("external") if isinstance(embed, dict) else None
    images = embed.get("images") if isinstance(embed, dict) else None
    reply = record.get("reply")
    return {
        "id": uri,
        "network": NETWORK,
        "text": record["text"],
        "url": f"https://bsky.app/profile/{session['handle']}/post/{rkey}",
        "account": session["handle"],
        "rkey": rkey,
        "cid": cid,
        "langs": record.get("langs"),
        "facets": record.get("facets"),
        "link": external.get("uri") if isinstance(external, dict) else None,
        "media": [i.get("alt") for i in images] if isinstance(images, list) else [],
        "embed": embed or None,
        "reply_to": reply["parent"]["uri"] if isinstance(reply, dict) else None,
        "at": now_iso(),
    }


def get_record(req: Request, store: Store, _: re.Match[str]) -> Reply:
    repo, rkey = req.query.get("repo", ""), req.query.get("rkey", "")
    collection = req.query.get("collection", "")
    did = repo if repo.startswith("did:") else _did(repo.lower())
    uri = f"at://{did}/{collection}/{rkey}"
    with store.lock:
        found = _memory(store)["records"].get(uri)
        if store.find_post(NETWORK, uri) is None:  # deleted (`Sandbox.delete_post`)
            found = None
    if found is None:
        return _error(400, "RecordNotFound", f"Could not locate record: {uri}")
    return Reply(200, dict(found))


def _now_tid() -> str:
    value = (time.time_ns() // 1000) << 10
    return "".join(TID_ALPHABET[(value >> (5 * i)) & 31] for i in reversed(range(13)))


# Faults, headers, the rest --------------------------------------------------------------


def fault_reply(fault: Fault, req: Request, store: Store) -> Reply:
    if fault.status == 429:
        reply = _error(429, "RateLimitExceeded", "Rate Limit Exceeded")
        reply.headers.update(
            {
                "ratelimit-limit": "3000",
                "ratelimit-remaining": "0",
                "ratelimit-reset": str(int(time.time()) + fault.reset_in),
                "ratelimit-policy": "3000;w=300",
            }
        )
        return reply
    if fault.status == 401:
        return _error(401, "AuthenticationRequired", "Authentication Required")
    if fault.status == 400:
        return _invalid("Invalid request")
    if fault.status == 503:
        return _error(503, "UpstreamFailure", "Service Unavailable")
    return _error(500, "InternalServerError", "Internal Server Error")


def finish(reply: Reply, req: Request, store: Store) -> Reply:
    """The rate-limit headers a PDS sends with every answer."""
    if "ratelimit-limit" not in reply.headers:
        login = req.path.endswith("createSession")
        reply.headers.update(
            {
                "ratelimit-limit": "30" if login else "3000",
                "ratelimit-remaining": "29" if login else "2999",
                "ratelimit-reset": str(int(time.time()) + 300),
                "ratelimit-policy": "30;w=300" if login else "3000;w=300",
            }
        )
    return reply


def not_found(req: Request) -> Reply:
    return _error(501, "MethodNotImplemented", "Method Not Implemented")


def _route(method: str, nsid: str, handler: Any, *, posting: bool = False) -> Route:
    return Route(method, re.compile(rf"^/xrpc/{re.escape(nsid)}$"), handler, posting=posting)


API = Api(
    network=NETWORK,
    owns=lambda path: path.startswith("/xrpc/"),
    routes=(
        _route("POST", "com.atproto.server.createSession", create_session),
        _route("POST", "com.atproto.server.refreshSession", refresh_session),
        _route("GET", "com.atproto.server.getSession", get_session),
        _route("GET", "com.atproto.identity.resolveHandle", resolve_handle),
        _route("POST", "com.atproto.repo.uploadBlob", upload_blob, posting=True),
        _route("POST", "com.atproto.repo.createRecord", create_record, posting=True),
        _route("GET", "com.atproto.repo.getRecord", get_record),
        _route("GET", "app.bsky.actor.getProfile", bluesky_figures.get_profile),
        _route("GET", "app.bsky.feed.getPosts", bluesky_figures.get_posts),
        _route("POST", "sandbox.expireSessions", expire_sessions),
    ),
    fault_reply=fault_reply,
    not_found=not_found,
    finish=finish,
    title="Bluesky",
    style="bluesky",
    accent="#1185fe",
    account_label=lambda handle: f"@{handle}",
)
