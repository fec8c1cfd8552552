"""Graph's figures as `crosspost stats` reads them: a Page post's fields (shares,
reactions and comments with their summaries) and its insights.

Post insights answer `post_media_view`, the "views" metric Meta put in place of
the impressions metrics it deprecated in 2025; the deprecated names answer
Graph's invalid-metric error.  A tier that hides impressions
(`set_tier("facebook", hides=["impressions"])`) makes insights answer the
permission error a Page token without read_insights gets (code 10).
"""

from __future__ import annotations

import re
from typing import Any

from crosspost.sandbox import figures
from crosspost.sandbox.state import Store
from crosspost.sandbox.wire import Reply, Request

NETWORK = "facebook"
POST_PATH = re.compile(r"^/(?P<version>v\d+\.\d+)/(?P<post>\d+_\d+)/?$")
INSIGHTS_PATH = re.compile(
    r"^/(?P<version>v\d+\.\d+)/(?P<post>\d+_\d+)/insights(?:/(?P<metric>[a-z_]+))?/?$"
)
POST_FIELDS = frozenset(
    {"id", "message", "created_time", "permalink_url", "shares", "reactions", "comments"}
)
# Edges whose modifiers (.summary(total_count).limit(0)) the sandbox understands.
SUMMARY_EDGES = frozenset({"reactions", "comments"})
_MODIFIER = re.compile(r"\.(summary|limit)\(([^()]*)\)")
VIEWS = "post_media_view"
CURRENT_METRICS = frozenset({VIEWS, "post_total_media_view_unique", "post_clicks"})
DEPRECATED_METRICS = frozenset(
    {"post_impressions", "post_impressions_unique", "post_impressions_organic"}
    | {"post_impressions_paid", "post_impressions_fan", "post_impressions_viral"}
)


def read_post(req: Request, store: Store, found: re.Match[str]) -> Reply:
    from crosspost.sandbox import facebook  # it imports this module for its routes

    if not facebook._token(req):
        return facebook._bad_token()
    post_id = found.group("post")
    try:
        wanted = _fields(req.query.get("fields") or "id,message,created_time")
    except ValueError as exc:
        return facebook.graph_error(400, str(exc), 100)
    post = store.find_post(NETWORK, post_id)
    if post is None:
        return _no_object(post_id)
    counts = figures.counts(store, NETWORK, post_id)
    body: dict[str, Any] = {"id": post_id}
    for name, summary in wanted.items():
        if name == "shares":
            if counts["shares"]:  # Graph leaves `shares` out of a post nobody shared
                body["shares"] = {"count": counts["shares"]}
        elif name in SUMMARY_EDGES:
            total = counts["likes" if name == "reactions" else "comments"]
            edge: dict[str, Any] = {"data": []}
            if summary:
                edge["summary"] = {"total_count": total}
                if name == "reactions":
                    edge["summary"]["viewer_reaction"] = "NONE"
                else:
                    edge["summary"] |= {"order": "ranked", "can_comment": True}
            body[name] = edge
        elif name in post:
            body[name] = post[name]
    return Reply(200, body)


def read_insights(req: Request, store: Store, found: re.Match[str]) -> Reply:
    from crosspost.sandbox import facebook  # it imports this module for its routes

    if not facebook._token(req):
        return facebook._bad_token()
    post_id = found.group("post")
    asked = found.group("metric") or req.query.get("metric") or ""
    metrics = [m for m in asked.split(",") if m]
    if not metrics:
        return facebook.graph_error(
            400,
            "No metric was specified to be fetched. Please specify one or more metrics to "
            "be fetched and try again.",
            3001,
            subcode=1504028,
        )
    bad = next((m for m in metrics if m not in CURRENT_METRICS), None)
    if bad is not None:
        why = " (deprecated: use post_media_view)" if bad in DEPRECATED_METRICS else ""
        return facebook.graph_error(
            400, f"(#100) The value must be a valid insights metric{why}: {bad}", 100
        )
    if store.find_post(NETWORK, post_id) is None:
        return _no_object(post_id)
    if "impressions" in figures.hidden(store, NETWORK):
        return facebook.graph_error(
            400,
            "(#10) This endpoint requires the 'read_insights' permission or the ANALYZE "
            "task on the Page.",
            10,
        )
    counts = figures.counts(store, NETWORK, post_id)
    values = {
        VIEWS: counts["impressions"],
        "post_total_media_view_unique": max(counts["impressions"] * 2 // 3, 0),
        "post_clicks": counts["clicks"],
    }
    data = [
        {
            "name": metric,
            "period": "lifetime",
            "values": [{"value": values[metric]}],
            "title": metric.replace("_", " ").capitalize(),
            "description": "Lifetime: the number of times the post was displayed or played.",
            "id": f"{post_id}/insights/{metric}/lifetime",
        }
        for metric in metrics
    ]
    return Reply(200, {"data": data})


def _fields(raw: str) -> dict[str, bool]:
    """field name -> whether its summary was asked for; ValueError naming a bad one."""
    wanted: dict[str, bool] = {}
    for part in _split(raw):
        name, _, rest = part.partition(".")
        modifiers = _MODIFIER.findall("." + rest) if rest else []
        if name not in POST_FIELDS:
            raise ValueError(
                f"(#100) Tried accessing nonexisting field ({name}) on node type (Post)"
            )
        if rest and name not in SUMMARY_EDGES:
            raise ValueError(f"(#100) Field {name} does not take modifiers: {part}")
        if rest and "".join(f".{k}({v})" for k, v in modifiers) != "." + rest:
            raise ValueError(f"(#100) Syntax error in field modifiers: {part}")
        wanted[name] = any(
            k == "summary" and v in {"true", "total_count", "1"} for k, v in modifiers
        )
    return wanted


def _split(raw: str) -> list[str]:
    """Top-level comma-separated fields: commas inside a modifier's parentheses stay."""
    parts, depth, current = [], 0, ""
    for char in raw:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return [p.strip() for p in parts if p.strip()]


def _no_object(post_id: str) -> Reply:
    from crosspost.sandbox import facebook

    return facebook.graph_error(
        400,
        f"Unsupported get request. Object with ID '{post_id}' does not exist, cannot be "
        "loaded due to missing permissions, or does not support this operation.",
        100,
        kind="GraphMethodException",
        subcode=33,
    )
