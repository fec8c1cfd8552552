"""The HTTP control API under /_sandbox/: the same powers as the `Sandbox` object.

It lets a test or a demo drive a sandbox running in another process
(`crosspost sandbox`), e.g. with curl.
"""

from __future__ import annotations

from typing import Any

from crosspost.sandbox import figures
from crosspost.sandbox.state import Store, check_network, known_networks, make_fault
from crosspost.sandbox.wire import Reply, Request


def _bad(message: str) -> Reply:
    return Reply(400, {"error": message})


def _fields(req: Request) -> dict[str, Any]:
    if req.json_error is not None or (req.raw and not isinstance(req.json, dict)):
        raise ValueError("the body must be a JSON object")
    return req.json if isinstance(req.json, dict) else {}


def handle(req: Request, store: Store) -> Reply:
    action = req.path.removeprefix("/_sandbox").strip("/")
    try:
        if req.method == "GET" and action == "state":
            return Reply(200, store.snapshot())
        if req.method == "GET" and action.startswith("requests"):
            network = action.removeprefix("requests").strip("/") or req.query.get("network", "")
            check_network(network)
            return Reply(200, {"network": network, "requests": store.requests(network)})
        if req.method == "POST":
            reply = _post(action, _fields(req), store)
            if reply is not None:
                return reply
    except (ValueError, TypeError) as exc:
        return _bad(str(exc))
    return Reply(
        404,
        {
            "error": f"no control endpoint {req.method} /_sandbox/{action}",
            "endpoints": [
                "GET /_sandbox/state",
                "GET /_sandbox/requests/{network}",
                "POST /_sandbox/faults",
                "POST /_sandbox/latency",
                "POST /_sandbox/clicks",
                "POST /_sandbox/followers",
                "POST /_sandbox/engagement",
                "POST /_sandbox/tier",
                "POST /_sandbox/delete",
                "POST /_sandbox/reset",
            ],
        },
    )


def _post(action: str, fields: dict[str, Any], store: Store) -> Reply | None:
    if action == "faults":
        network = str(fields.get("network", ""))
        fault = make_fault(
            network,
            status=fields.get("status"),
            delay=fields.get("delay"),
            count=fields.get("count", 1),
            reset_in=fields.get("reset_in", 60),
            code=fields.get("code"),
            echo=bool(fields.get("echo", False)),
            problem=fields.get("problem"),
            reads=bool(fields.get("reads", False)),
            created=bool(fields.get("created", False)),
        )
        store.add_fault(network, fault)
        return Reply(201, {"network": network, "fault": fault.as_dict()})
    if action == "latency":
        network = str(fields.get("network", ""))
        store.set_latency(network, fields.get("seconds", 0))
        return Reply(200, {"network": network, "seconds": store.latency(network)})
    if action == "clicks":
        bitlink = fields.get("id")
        if not isinstance(bitlink, str) or not bitlink:
            raise ValueError('clicks needs {"id": "bit.ly/abc", "clicks": N}')
        store.set_clicks(bitlink, fields.get("clicks", 0))
        return Reply(200, {"id": bitlink, "clicks": fields.get("clicks", 0)})
    if action in _FIGURES:
        return _FIGURES[action](fields, store)
    if action == "reset":
        store.reset()
        return Reply(200, {"reset": True, "networks": list(known_networks())})
    return None


def _followers(fields: dict[str, Any], store: Store) -> Reply:
    _only(fields, "followers", {"network", "count", "account"})
    network = str(fields.get("network", ""))
    if "count" not in fields:
        raise ValueError('followers needs {"network": ..., "count": N, "account": optional}')
    account = fields.get("account")
    figures.set_followers(store, network, fields["count"], account)
    return Reply(200, {"network": network, "account": account, "count": fields["count"]})


def _engagement(fields: dict[str, Any], store: Store) -> Reply:
    _only(fields, "engagement", {"network", "id", "metrics"})
    network = str(fields.get("network", ""))
    post_id = fields.get("id")
    told = figures.set_engagement(store, network, post_id, fields.get("metrics"))
    return Reply(200, {"network": network, "id": post_id, "metrics": told})


def _tier(fields: dict[str, Any], store: Store) -> Reply:
    _only(fields, "tier", {"network", "hides"})
    network = str(fields.get("network", ""))
    hides = figures.set_tier(store, network, fields.get("hides"))
    return Reply(200, {"network": network, "hides": list(hides)})


def _delete(fields: dict[str, Any], store: Store) -> Reply:
    _only(fields, "delete", {"network", "id"})
    network = str(fields.get("network", ""))
    post_id = fields.get("id")
    if not isinstance(post_id, str) or not post_id:
        raise ValueError('delete needs {"network": ..., "id": "the post id"}')
    if not store.delete_post(network, post_id):
        raise ValueError(f"{network} has no post {post_id!r}")
    return Reply(200, {"network": network, "id": post_id, "deleted": True})


def _only(fields: dict[str, Any], action: str, allowed: set[str]) -> None:
    unknown = sorted(set(fields) - allowed)
    if unknown:
        raise ValueError(
            f"{action} takes {', '.join(sorted(allowed))}; unknown field {unknown[0]!r}"
        )


_FIGURES = {"followers": _followers, "engagement": _engagement, "tier": _tier, "delete": _delete}
