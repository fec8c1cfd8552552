"""From a parsed request to a reply: routing, the request log, latency and faults."""

from __future__ import annotations

import threading
import traceback

from crosspost.sandbox import control, page
from crosspost.sandbox.apis import load_apis
from crosspost.sandbox.state import Store, now_iso
from crosspost.sandbox.wire import (
    Api,
    Reply,
    Request,
    body_summary,
    redact,
    redact_headers,
)


def api_for(path: str) -> Api | None:
    return next((api for api in load_apis() if api.owns(path)), None)


class Dispatcher:
    def __init__(self, store: Store, stopping: threading.Event) -> None:
        self.store = store
        # Set when the server stops, so sleeping handlers give up at once.
        self._stopping = stopping

    def handle(self, req: Request) -> Reply:
        try:
            return self._route(req)
        except Exception:  # a sandbox bug: say so to the client, never to stderr
            return Reply(500, {"error": "sandbox_bug", "traceback": traceback.format_exc()})

    def _route(self, req: Request) -> Reply:
        if req.path == "/_sandbox" or req.path.startswith("/_sandbox/"):
            return control.handle(req, self.store)
        if req.method == "GET" and req.path in {"/", "/index.html"}:
            refresh = req.query.get("refresh", "")
            html = page.render(
                self.store.snapshot(), load_apis(), refresh=int(refresh) if refresh.isdigit() else 0
            )
            return Reply(200, html, content_type="text/html; charset=utf-8")
        api = api_for(req.path)
        if api is None:
            return Reply(
                404,
                {"error": "not_found", "message": f"The sandbox serves nothing at {req.path}"},
            )
        return self._call_api(api, req)

    def _call_api(self, api: Api, req: Request) -> Reply:
        entry = {
            "method": req.method,
            "path": req.path,
            "query": redact(req.query),
            "headers": redact_headers(req.headers),
            "body": redact(body_summary(req)),
            "at": now_iso(),
            "status": None,
        }
        self.store.add_request(api.network, entry)
        latency = self.store.latency(api.network)
        if latency:
            self._stopping.wait(latency)
        matched = api.match(req.method, req.path)
        if matched is None:
            reply = api.not_found(req)
            fault = None
        else:
            route, found = matched
            fault = self.store.take_fault(api.network, posting=route.posting)
            if fault is not None and fault.status is not None:
                if fault.created:
                    # The request is carried out (the post exists), then its answer is
                    # replaced by the error, whatever the handler said.
                    route.handler(req, self.store, found)
                reply = api.fault_reply(fault, req, self.store)
                if fault.echo:
                    echo_headers(reply, req)
            else:
                reply = route.handler(req, self.store, found)
        reply = api.finish(reply, req, self.store)
        self.store.set_request_status(entry, reply.status)
        if fault is not None and fault.delay:
            # The work is done (the post exists); only the answer is late, as
            # when a real network is slow to respond and the client times out.
            self._stopping.wait(fault.delay)
        return reply


# Where each API puts the words a client shows: X's problem `detail` and `title`,
# LinkedIn's and bit.ly's `message` and `description`, Graph's `error.message`.
_MESSAGE_KEYS = ("detail", "title", "message", "description")


def echo_headers(reply: Reply, req: Request) -> None:
    """Append the request's headers to the error's message, as a careless API does."""
    # Authorization first: a client that clips long messages must not be spared by luck.
    ordered = sorted(req.headers.items(), key=lambda item: item[0] != "authorization")
    said = "; ".join(f"{name}: {value}" for name, value in ordered)
    body = reply.body
    if not isinstance(body, dict):
        return
    targets = [body, body["error"]] if isinstance(body.get("error"), dict) else [body]
    for target in targets:
        for key in _MESSAGE_KEYS:
            if isinstance(target.get(key), str):
                target[key] = f"{target[key]} (request headers: {said})"
