"""The sandbox page's cards from stored posts, without a browser: what each network's
card says of what arrived (the browser checks are in test_pages_fit and test_browser)."""

from __future__ import annotations

from typing import Any

from browser import tree
from crosspost.sandbox import page
from crosspost.sandbox.apis import load_apis
from crosspost.sandbox.wire import Api, Reply

X_IMAGE = {"id": "1", "content_type": "image/png", "size": 1536, "alt_text": "The lab"}


def _snapshot(**posts: list[dict[str, Any]]) -> dict[str, Any]:
    names = list(posts)
    return {
        "posts": posts,
        "requests": dict.fromkeys(names, 1),
        "faults": {n: [] for n in names},
        "latency": dict.fromkeys(names, 0.0),
        "clicks": {},
    }


def _post(post_id: str, text: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": post_id,
        "text": text,
        "account": "a",
        "at": "2026-12-02T08:00:00+00:00",
        **fields,
    }


def _apis(*names: str) -> list[Api]:
    return [api for api in load_apis() if api.network in names]


def test_an_image_is_a_placeholder_saying_what_arrived_and_its_alt() -> None:
    snapshot = _snapshot(twitter=[_post("1", "With a picture", media=[X_IMAGE])])
    html = tree(page.render(snapshot, _apis("twitter")))
    (card,) = html.all(cls="received")
    assert "style-x" in card.classes
    placeholder = card.one(cls="placeholder")
    assert placeholder.attrs["title"] == "The lab"
    assert "image/png, 1.5 KB" in placeholder.text
    assert card.all(cls="linkcard") == []  # X shows no card under media


def test_a_reply_to_a_post_never_seen_says_so_and_is_drawn_on_its_own() -> None:
    snapshot = _snapshot(twitter=[_post("9", "An answer", reply_to="8")])
    html = tree(page.render(snapshot, _apis("twitter")))
    (post,) = html.all("article", "post")
    assert "reply" not in post.classes
    assert post.one(cls="extra").text == "In reply to 8"


def test_the_chips_and_the_state_line_say_what_the_sandbox_is_doing() -> None:
    snapshot = _snapshot(
        linkedin=[_post("u", "Cut (here", published="Cut ", truncated=True, cut_at=4, cut_by="(")]
    )
    snapshot["faults"]["linkedin"] = [{"status": 503, "delay": 0, "remaining": 2, "created": True}]
    snapshot["latency"]["linkedin"] = 1.5
    html = tree(page.render(snapshot, _apis("linkedin")))
    assert html.one("ul", "chips").text == "LinkedIn: 1 post (1 cut short)"
    assert html.one(cls="state").text == (
        "next 2 request(s) answers 503 after creating the post; every request takes 1.5 s more"
    )
    assert html.one(cls="lost").text == "(here"


def test_a_plugin_api_without_a_style_gets_the_generic_card_and_only_http_links() -> None:
    acme = Api(
        network="acme",
        owns=lambda path: False,
        routes=(),
        fault_reply=lambda fault, req, store: Reply(500),
        not_found=lambda req: Reply(404),
        title="Acme",
    )
    posts = [_post("p", "Hi", url="javascript:alert(1)", link="https://acme.example/a")]
    html = tree(page.render(_snapshot(acme=posts), [acme]))
    (card,) = html.all(cls="received")
    assert "style-generic" in card.classes
    assert [a.attrs["href"] for a in card.all("a")] == ["https://acme.example/a"]
