"""LinkedIn's figures as `crosspost stats` reads them: an organization's follower count
(GET /rest/networkSizes/{urn}?edgeType=COMPANY_FOLLOWED_BY_MEMBER) and its posts'
lifetime statistics (GET /rest/organizationalEntityShareStatistics?q=organizationalEntity
&organizationalEntity={urn}&shares=List(...)&ugcPosts=List(...)), with the same version
headers as posting.

A member (person) has neither: LinkedIn gives these to organization admins only.
A post the organization does not have is left out of `elements`.
"""

from __future__ import annotations

import re
from typing import Any

from crosspost.sandbox import figures
from crosspost.sandbox.state import Store
from crosspost.sandbox.wire import Reply, Request

NETWORK = "linkedin"
NETWORK_SIZES_PATH = re.compile(r"^/rest/networkSizes/(?P<urn>[^/]+)/?$")
SHARE_STATISTICS_PATH = re.compile(r"^/rest/organizationalEntityShareStatistics/?$")
ORGANIZATION = re.compile(r"^urn:li:organization:\d+$")
EDGE_TYPES = frozenset({"COMPANY_FOLLOWED_BY_MEMBER"})
LIST = re.compile(r"^List\((?P<items>[^()]*)\)$")
KINDS = {"shares": "share", "ugcPosts": "ugcPost"}
STATISTICS_PARAMETERS = frozenset({"q", "organizationalEntity", "shares", "ugcPosts"})


def network_size(req: Request, store: Store, found: re.Match[str]) -> Reply:
    from crosspost.sandbox import linkedin  # it imports this module for its routes

    problem = linkedin._header_problem(req)
    if problem is not None:
        return problem
    urn = found.group("urn")
    edge = req.query.get("edgeType")
    if edge not in EDGE_TYPES:
        return linkedin._error(
            400, f"Invalid edgeType {edge!r}: expected COMPANY_FOLLOWED_BY_MEMBER", code="INVALID"
        )
    if not ORGANIZATION.match(urn):
        return linkedin._error(
            400, f"edgeType COMPANY_FOLLOWED_BY_MEMBER needs an organization URN, not {urn!r}"
        )
    return Reply(200, {"firstDegreeSize": figures.followers(store, NETWORK, urn)})


def share_statistics(req: Request, store: Store, found: re.Match[str]) -> Reply:
    from crosspost.sandbox import linkedin  # it imports this module for its routes

    problem = linkedin._header_problem(req)
    if problem is not None:
        return problem
    unknown = sorted(set(req.query) - STATISTICS_PARAMETERS)
    if unknown:
        return linkedin._error(400, f"Unknown query parameter {unknown[0]!r}")
    if req.query.get("q") != "organizationalEntity":
        return linkedin._error(400, "q must be organizationalEntity", code="ILLEGAL_ARGUMENT")
    org = req.query.get("organizationalEntity", "")
    if not ORGANIZATION.match(org):
        return linkedin._error(
            403,
            f"Not enough permissions to access organizationalEntity {org!r}: share "
            "statistics are for organizations the member administers",
            serviceErrorCode=100,
            code="ACCESS_DENIED",
        )
    wanted: list[str] = []
    for parameter, kind in KINDS.items():
        value = req.query.get(parameter)
        if value is None:
            continue
        listed = LIST.match(value)
        if listed is None:
            return linkedin._error(
                400,
                f"Invalid Rest.li list for {parameter}: {value!r} (expected List(urn,urn))",
                code="ILLEGAL_ARGUMENT",
            )
        for urn in (u for u in listed.group("items").split(",") if u):
            if not re.fullmatch(rf"urn:li:{kind}:\d+", urn):
                return linkedin._error(
                    400, f"Invalid {kind} URN in {parameter}: {urn!r}", code="ILLEGAL_ARGUMENT"
                )
            wanted.append(urn)
    with store.lock:
        mine = {p["id"] for p in store.live_posts(NETWORK) if p.get("account") == org}
    elements = [_element(store, urn, org) for urn in dict.fromkeys(wanted) if urn in mine]
    return Reply(200, {"paging": {"count": 10, "start": 0, "links": []}, "elements": elements})


def _element(store: Store, urn: str, org: str) -> dict[str, Any]:
    counts = figures.counts(store, NETWORK, urn)
    impressions = counts["impressions"]
    engaged = counts["likes"] + counts["comments"] + counts["shares"] + counts["clicks"]
    stats = {
        "uniqueImpressionsCount": impressions * 3 // 4,
        "shareCount": counts["shares"],
        "engagement": round(engaged / impressions, 6) if impressions else 0.0,
        "clickCount": counts["clicks"],
        "likeCount": counts["likes"],
        "impressionCount": impressions,
        "commentCount": counts["comments"],
    }
    kind = "ugcPost" if urn.startswith("urn:li:ugcPost:") else "share"
    return {"totalShareStatistics": stats, kind: urn, "organizationalEntity": org}
