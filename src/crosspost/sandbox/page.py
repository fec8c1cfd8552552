"""The sandbox's one HTML page: what each network received, as a reader would see it.

Self-contained (inline CSS, no script, no CDN) so it works offline. Every
value goes through `escape()`; hrefs are only ever http(s) URLs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from html import escape
from typing import Any

from crosspost.sandbox.wire import Api

CSS = """
:root { --bg:#f6f7f9; --card:#fff; --ink:#1c1e21; --muted:#65676b; --line:#e4e6eb;
  --warn-bg:#fff4e5; --warn-ink:#8a4b00; }
@media (prefers-color-scheme: dark) { :root { --bg:#18191a; --card:#242526; --ink:#e4e6eb;
  --muted:#b0b3b8; --line:#3a3b3c; --warn-bg:#3d2a10; --warn-ink:#ffcf99; } }
* { box-sizing:border-box; }
body { margin:0; background:var(--bg); color:var(--ink);
  font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; }
header { padding:24px 32px 8px; }
h1 { margin:0; font-size:22px; }
.sub { margin:4px 0 12px; color:var(--muted); }
.chips { display:flex; flex-wrap:wrap; gap:8px; margin:0; padding:0; list-style:none; }
.chips li { background:var(--card); border:1px solid var(--line); border-radius:999px;
  padding:3px 12px; font-size:13px; }
main { display:grid; grid-template-columns:repeat(auto-fit,minmax(320px,1fr)); gap:20px;
  padding:16px 32px 32px; align-items:start; }
section { background:var(--card); border:1px solid var(--line); border-radius:10px;
  border-top:4px solid var(--accent); padding:14px 16px; }
section h2 { margin:0 0 8px; font-size:17px; display:flex; justify-content:space-between; }
section h2 small { color:var(--muted); font-weight:normal; font-size:13px; }
.state { font-size:12px; color:var(--warn-ink); background:var(--warn-bg); border-radius:6px;
  padding:4px 8px; margin:0 0 8px; }
.empty { color:var(--muted); font-style:italic; }
article { border-top:1px solid var(--line); padding:10px 0; }
article article { border-top:none; border-left:3px solid var(--line); margin-left:6px;
  padding:8px 0 0 12px; }
.meta { font-size:12px; color:var(--muted); margin-bottom:4px; }
.meta a { color:inherit; }
.text { white-space:pre-wrap; overflow-wrap:anywhere; }
.lost { color:var(--muted); text-decoration:line-through; }
.warn { font-size:13px; color:var(--warn-ink); background:var(--warn-bg); border-radius:6px;
  padding:6px 8px; margin:6px 0; }
.extra { font-size:13px; margin-top:4px; overflow-wrap:anywhere; }
.extra a { color:var(--accent); }
details { font-size:13px; margin-top:6px; } summary { cursor:pointer; color:var(--muted); }
details .text { background:var(--bg); border-radius:6px; padding:6px 8px; margin-top:4px;
  font-family:ui-monospace,Menlo,Consolas,monospace; font-size:12px; }
footer { padding:0 32px 24px; color:var(--muted); font-size:12px; }
code { font-family:ui-monospace,Menlo,Consolas,monospace; }
"""


def render(snapshot: dict[str, Any], apis: Sequence[Api], *, refresh: int = 0) -> str:
    """The whole page for one `Store.snapshot()`, a section per API in `apis`;
    `refresh` reloads it every N seconds."""
    shown = [api for api in apis if api.network in snapshot["posts"]]
    sections = "\n".join(_section(api, snapshot) for api in shown)
    reload = f'<meta http-equiv="refresh" content="{refresh}">' if refresh > 0 else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">{reload}
<title>crosspost sandbox</title><style>{CSS}</style></head>
<body>
<header><h1>crosspost sandbox</h1>
<p class="sub">What each network received, as its readers would see it.
Nothing shown here left this machine.</p>
<ul class="chips">{_chips(snapshot, shown)}</ul></header>
<main>
{sections}
</main>
<footer>Reload to see new posts (or open <a href="/?refresh=5">/?refresh=5</a>).
Control API: <code>GET /_sandbox/state</code>, <code>POST /_sandbox/faults</code>,
<code>/_sandbox/latency</code>, <code>/_sandbox/clicks</code>,
<code>/_sandbox/reset</code>.</footer>
</body></html>
"""


def _chips(snapshot: dict[str, Any], apis: Sequence[Api]) -> str:
    chips = []
    for api in apis:
        posts = snapshot["posts"][api.network]
        count = len(posts)
        chip = f"{escape(api.title or api.network)}: {count} {escape(api.noun)}"
        chip += "" if count == 1 else "s"
        cut = sum(1 for p in posts if p.get("truncated"))
        if cut:
            chip += f" ({cut} cut short)"
        chips.append(f"<li>{chip}</li>")
    return "".join(chips)


def _section(api: Api, snapshot: dict[str, Any]) -> str:
    network = api.network
    posts = snapshot["posts"][network]
    count = len(posts)
    requests = snapshot["requests"][network]
    head = (
        f"<h2>{escape(api.title or network)}<small>{count} {escape(api.noun)}"
        f"{'' if count == 1 else 's'} · {requests} request{'' if requests == 1 else 's'}"
        "</small></h2>"
    )
    state = _state_line(snapshot["faults"][network], snapshot["latency"][network])
    if not posts:
        body = '<p class="empty">Nothing received yet.</p>'
    elif all("long_url" in p for p in posts):  # a link shortener's links
        body = "".join(_bitlink(p, snapshot["clicks"]) for p in posts)
    else:
        body = "".join(_thread(posts, api))
    accent = api.accent if _COLOUR.match(api.accent) else "#5b6b7f"
    return (
        f'<section class="{escape(network)}" style="--accent:{accent}">{head}{state}{body}'
        "</section>"
    )


# A plugin's accent goes into a style attribute: a colour and nothing else.
_COLOUR = re.compile(r"^#[0-9a-fA-F]{3,8}$")


def _state_line(faults: list[dict[str, Any]], latency: float) -> str:
    notes = []
    for fault in faults:
        what = []
        if fault["status"] is not None:
            after = " after creating the post" if fault.get("created") else ""
            what.append(f"answers {fault['status']}{after}")
        if fault["delay"]:
            what.append(f"answers {fault['delay']:g} s late")
        notes.append(f"next {fault['remaining']} request(s) {' and '.join(what)}")
    if latency:
        notes.append(f"every request takes {latency:g} s more")
    if not notes:
        return ""
    return f'<p class="state">{escape("; ".join(notes))}</p>'


def _thread(posts: list[dict[str, Any]], api: Api) -> Iterable[str]:
    """Posts oldest first, each reply indented under the post it answers."""
    ids = {p["id"] for p in posts}
    children: dict[str, list[dict[str, Any]]] = {}
    for post in posts:
        if post.get("reply_to") in ids:
            children.setdefault(post["reply_to"], []).append(post)
    roots = [p for p in posts if p.get("reply_to") not in ids]
    return (_post(p, children, api, root=True) for p in roots)


def _post(
    post: dict[str, Any], children: dict[str, list[dict[str, Any]]], api: Api, *, root: bool
) -> str:
    account = api.account_label(str(post.get("account") or ""))
    meta = [escape(account), escape(_time(str(post.get("at") or "")))]
    if post.get("length") is not None and post.get("limit") is not None:
        meta.append(escape(f"{post['length']}/{post['limit']}"))
    if _is_http(post.get("url")):
        meta.append(f'<a href="{escape(post["url"])}">{escape(str(post["id"]))}</a>')
    parts = [f'<div class="meta">{" · ".join(meta)}</div>']
    if "published" in post:  # the network shows other than what it was sent
        parts.append(_published_text(post, api.title or api.network))
    elif post.get("text"):
        parts.append(f'<div class="text">{escape(post["text"])}</div>')
    if post.get("link"):
        parts.append(f'<div class="extra">Link: {_anchor(post["link"])}</div>')
    for media in post.get("media") or []:
        parts.append(f'<div class="extra">Image: {escape(_media(media))}</div>')
    if root and post.get("reply_to"):
        # A reply whose parent this sandbox never saw (created before a reset).
        parts.append(f'<div class="extra">In reply to {escape(str(post["reply_to"]))}</div>')
    replies = "".join(_post(c, children, api, root=False) for c in children.get(post["id"], []))
    return f"<article>{''.join(parts)}{replies}</article>"


def _published_text(post: dict[str, Any], title: str) -> str:
    raw, published = post["text"], post.get("published", post["text"])
    if post.get("truncated"):
        cut_at = post["cut_at"]
        warning = (
            f"{title} published only what precedes the unescaped “{post['cut_by']}” at "
            f"character {cut_at + 1}: the rest is silently dropped. Escape it as "
            f"“\\{post['cut_by']}”."
        )
        text = (
            f'<div class="text">{escape(published)}'
            f'<span class="lost">{escape(raw[cut_at:])}</span></div>'
        )
        return f'<div class="warn">{escape(warning)}</div>{text}{_raw_details(raw)}'
    shown = f'<div class="text">{escape(published)}</div>'
    return shown + (_raw_details(raw) if raw != published else "")


def _raw_details(raw: str) -> str:
    return (
        "<details><summary>Raw commentary as sent</summary>"
        f'<div class="text">{escape(raw)}</div></details>'
    )


def _bitlink(link: dict[str, Any], clicks: dict[str, int]) -> str:
    count = clicks.get(link["id"], 0)
    times = link.get("shortened", 1)
    meta = f"{escape(_time(link['at']))} · {count} click{'' if count == 1 else 's'}"
    if times > 1:
        meta += f" · shortened {times} times"
    return (
        f'<article><div class="meta">{meta}</div>'
        f'<div class="text">{_anchor(link["url"])}</div>'
        f'<div class="extra">→ {_anchor(link["long_url"])}</div></article>'
    )


def _time(iso: str) -> str:
    found = re.search(r"T(\d\d:\d\d:\d\d)", iso)
    return f"{found.group(1)} UTC" if found else iso


def _media(media: dict[str, Any]) -> str:
    if media.get("url"):
        return f"from {media['url']}"
    size = media.get("size") or 0
    kind = media.get("content_type") or "unknown type"
    return f"{kind}, {size / 1024:.1f} KB" if size >= 1024 else f"{kind}, {size} bytes"


def _is_http(value: Any) -> bool:
    return isinstance(value, str) and bool(re.match(r"^https?://", value))


def _anchor(url: str) -> str:
    if _is_http(url):
        return f'<a href="{escape(url)}" rel="noreferrer">{escape(url)}</a>'
    return escape(url)
