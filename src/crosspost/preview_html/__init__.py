"""The dry run as one HTML page: each channel's copy drawn as its network shows it.

One self-contained file: inline CSS, the post's image inlined as a data: URI,
and one small inline script (the copy buttons of by-hand channels).  A
Content-Security-Policy in the page lets the browser load nothing else, so a
title or a link can never make it fetch from outside.
"""

from __future__ import annotations

from ..cards import Card, Image, LinkCard, fold
from .model import MAX_INLINE_BYTES, PostView, build_views
from .render import render_previews

__all__ = [
    "MAX_INLINE_BYTES",
    "Card",
    "Image",
    "LinkCard",
    "PostView",
    "build_views",
    "fold",
    "render_previews",
]
