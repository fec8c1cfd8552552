"""A post drawn as its network shows it: the card model and its templates, free of any
configuration, post or client code, so that the dry run's preview (`preview_html`) and
the sandbox's page of what it received draw the same cards."""

from __future__ import annotations

from .model import STYLES, Card, Image, LinkCard, Manual, Part, fold, http_only, style_or_generic
from .render import card_environment

__all__ = [
    "STYLES",
    "Card",
    "Image",
    "LinkCard",
    "Manual",
    "Part",
    "card_environment",
    "fold",
    "http_only",
    "style_or_generic",
]
