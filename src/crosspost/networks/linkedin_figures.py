"""LinkedIn's figures for `crosspost stats`: an organization's followers
(GET /rest/networkSizes/{urn}?edgeType=COMPANY_FOLLOWED_BY_MEMBER → firstDegreeSize)
and its posts' lifetime share statistics (GET /rest/organizationalEntityShareStatistics
?q=organizationalEntity&organizationalEntity={urn}&shares=List(...) or ugcPosts=List(...)),
through the adapter's `_call` (the LinkedIn-Version headers, its one error mapping).

Rest.li 2.0 lists: the `List(` `,` `)` stay literal, each URN inside is
percent-encoded (`urn%3Ali%3Ashare%3A123`); requests would encode the parentheses
too, so the query is written here.  A member's (person's) follower count and post
statistics are not open to apps like this one (r_member_social and the member
analytics are for approved partners), so a person author gets None and a note.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from crosspost.networks.base import Figures
from crosspost.networks.linkedin_settings import PERSON_RE

if TYPE_CHECKING:
    from crosspost.networks.linkedin import LinkedInNetwork

NETWORK_SIZES_PATH = "/rest/networkSizes/{urn}?edgeType=COMPANY_FOLLOWED_BY_MEMBER"
STATISTICS_PATH = "/rest/organizationalEntityShareStatistics"
# URNs per request: the list travels in the URL, which LinkedIn caps in length.
BATCH = 20
# Share-statistics field -> crosspost's name (networks/base.py METRICS).
WIRE_NAMES = {
    "impressionCount": "impressions",
    "clickCount": "clicks",
    "likeCount": "likes",
    "commentCount": "comments",
    "shareCount": "shares",
}
# The list parameter for each kind of post URN.
KINDS = (("urn:li:share:", "shares"), ("urn:li:ugcPost:", "ugcPosts"))
PERSON_NOTE = (
    "LinkedIn gives follower counts and post statistics for organization Pages only: "
    "a member's are not open to this app"
)


def read(net: LinkedInNetwork, post_ids: Sequence[str]) -> Figures:
    """The organization's followers and each of its posts' statistics that LinkedIn has."""
    from crosspost.networks.linkedin import API_HOST

    author = net.settings.author
    wanted = list(dict.fromkeys(str(p) for p in post_ids))
    if PERSON_RE.match(author):
        unknown: dict[str, int | None] = dict.fromkeys(WIRE_NAMES.values())
        return Figures(
            followers=None, posts={p: dict(unknown) for p in wanted}, notes=(PERSON_NOTE,)
        )
    sizes = _json(
        net._call("GET", API_HOST + NETWORK_SIZES_PATH.format(urn=_enc(author)), reading=True)
    )
    followers = _count(sizes.get("firstDegreeSize"))
    posts: dict[str, dict[str, int | None]] = {}
    for prefix, parameter in KINDS:
        urns = [p for p in wanted if p.startswith(prefix)]
        for start in range(0, len(urns), BATCH):
            listed = ",".join(_enc(u) for u in urns[start : start + BATCH])
            url = (
                f"{API_HOST}{STATISTICS_PATH}?q=organizationalEntity"
                f"&organizationalEntity={_enc(author)}&{parameter}=List({listed})"
            )
            for element in _elements(_json(net._call("GET", url, reading=True))):
                urn = element.get("share") or element.get("ugcPost")
                stats = element.get("totalShareStatistics")
                if isinstance(urn, str) and urn in wanted and isinstance(stats, dict):
                    posts[urn] = {name: _count(stats.get(w)) for w, name in WIRE_NAMES.items()}
    return Figures(followers=followers, posts=posts)


def _enc(urn: str) -> str:
    return quote(urn, safe="")


def _json(response: Any) -> dict[str, Any]:
    from crosspost.errors import Transient
    from crosspost.networks import _http

    body = _http.json_body(response)
    if not isinstance(body, dict):
        raise Transient("LinkedIn answered a statistics read with something unreadable")
    return body


def _elements(body: dict[str, Any]) -> list[dict[str, Any]]:
    elements = body.get("elements")
    return [e for e in elements if isinstance(e, dict)] if isinstance(elements, list) else []


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None
