"""A Facebook Page's figures for `crosspost stats`: the Page's followers_count, and per
post its reactions, comments and shares (the post's own fields, with summaries) and
its views (post insights).

Impressions come from the `post_media_view` insights metric.  Meta deprecated the
post impressions metrics for every Graph version (post_impressions_unique and
its paid/organic/viral variants by 15 June 2025, the remaining `impressions`
metrics on 15 November 2025: "replaced by the views metric", developers.facebook.com
blog "Page Insights API Updates", 15 Aug 2025); post_media_view, "the number of
times your post was displayed or played", is the total that took their place
in v24 to v27.  Asking for a deprecated one answers an invalid-metric error.

Apart from facebook.py (posting, reading the feed back); this uses its session
and its one error mapping.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from crosspost.networks.base import Figures

if TYPE_CHECKING:
    from crosspost.networks.facebook import FacebookNetwork

POST_FIELDS = (
    "shares,reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0)"
)
VIEWS_METRIC = "post_media_view"
# Graph's "permission missing" codes: 10 (the app or token lacks a permission), 200-299
# (a specific one, such as read_insights or the Page's ANALYZE task).
INSIGHT_REFUSALS = {10, *range(200, 300)}
GONE_CODE, GONE_SUBCODE = 100, 33  # "Object with ID ... does not exist"


class _Refused(Exception):
    """Graph's error answer to one read, kept for the caller to judge."""

    def __init__(self, error: dict[str, Any], exc: Exception) -> None:
        super().__init__(str(error.get("message") or ""))
        self.error = error
        self.exc = exc


def read(net: FacebookNetwork, post_ids: Sequence[str]) -> Figures:
    """The Page's followers and each post's counts; a post Graph no longer has is left out."""
    from crosspost.networks import _http

    base = f"/{net.settings.graph_version}"
    page = _get(net, f"{base}/{net.settings.page_id}", {"fields": "followers_count"})
    count = page.get("followers_count")
    followers = count if isinstance(count, int) and not isinstance(count, bool) else None
    posts: dict[str, dict[str, int | None]] = {}
    notes: list[str] = []
    for post_id in dict.fromkeys(str(p) for p in post_ids):
        try:
            fields = _get(net, f"{base}/{post_id}", {"fields": POST_FIELDS})
        except _Refused as refused:
            if _is_gone(refused.error):
                continue
            raise _mapped(net, refused) from refused.exc
        metrics = _counts(fields)
        try:
            insights = _get(net, f"{base}/{post_id}/insights", {"metric": VIEWS_METRIC})
            metrics["impressions"] = _views(insights)
        except _Refused as refused:
            if refused.error.get("code") not in INSIGHT_REFUSALS:
                raise _mapped(net, refused) from refused.exc
            metrics["impressions"] = None
            if not notes:
                said = _http.scrub(str(refused.error.get("message") or ""), [net._token])
                notes.append(
                    "Facebook refused post insights (views) to this Page token "
                    f"({said[:160]}): give it read_insights / the Page's ANALYZE task"
                )
        posts[post_id] = metrics
    return Figures(followers=followers, posts=posts, notes=tuple(notes))


def _get(net: FacebookNetwork, path: str, params: dict[str, str]) -> dict[str, Any]:
    """One GET; Graph's error answer as `_Refused`, anything else as a crosspost error."""
    import requests

    from crosspost.networks import _http
    from crosspost.networks.facebook import GRAPH_HOST, _map_error

    session = net._get_session()
    headers = {"Authorization": f"Bearer {net._token}"}  # never in the query string
    try:
        response = session.get(
            GRAPH_HOST + path,
            params=params,
            headers=headers,
            timeout=net.timeout,
            allow_redirects=False,
        )
        body = _http.json_body(response)
        if 200 <= response.status_code < 300 and isinstance(body, dict) and "error" not in body:
            return body
        error = body.get("error") if isinstance(body, dict) else None
        failure = requests.HTTPError(_http.status_text(response), response=response)
        if isinstance(error, dict) and response.status_code < 500:
            raise _Refused(error, failure)
        raise failure
    except requests.RequestException as exc:
        raise _map_error(
            exc, channel=net.channel, timeout=net.timeout, secrets=[net._token], posting=False
        ) from exc


def _mapped(net: FacebookNetwork, refused: _Refused) -> Exception:
    from crosspost.networks.facebook import _map_error

    return _map_error(
        refused.exc, channel=net.channel, timeout=net.timeout, secrets=[net._token], posting=False
    )


def _is_gone(error: dict[str, Any]) -> bool:
    return error.get("code") == GONE_CODE and error.get("error_subcode") == GONE_SUBCODE


def _counts(fields: dict[str, Any]) -> dict[str, int | None]:
    shares = fields.get("shares")
    return {
        "likes": _total(fields.get("reactions")),
        "comments": _total(fields.get("comments")),
        # Graph leaves `shares` out of a post nobody shared.
        "shares": _number(shares.get("count")) if isinstance(shares, dict) else 0,
    }


def _total(edge: Any) -> int | None:
    summary = edge.get("summary") if isinstance(edge, dict) else None
    return _number(summary.get("total_count")) if isinstance(summary, dict) else None


def _views(insights: dict[str, Any]) -> int | None:
    for item in insights.get("data") or []:
        if isinstance(item, dict) and item.get("name") == VIEWS_METRIC:
            values = item.get("values")
            if isinstance(values, list) and values and isinstance(values[-1], dict):
                return _number(values[-1].get("value"))
    return None


def _number(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None
