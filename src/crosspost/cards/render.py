"""The Jinja environment the card pages render in: autoescaped (every value is text),
strict about undefined names, and able to find the cards' own templates
(`cards.html.j2`, `cards.css`) beside the page's."""

from __future__ import annotations

from functools import cache

from jinja2 import ChoiceLoader, Environment, PackageLoader, StrictUndefined

from .model import http_only


@cache
def card_environment(package: str) -> Environment:
    """The environment for the page templates of `package` (in its `templates/`)."""
    environment = Environment(
        loader=ChoiceLoader(
            [PackageLoader(package, "templates"), PackageLoader("crosspost.cards", "templates")]
        ),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["http_only"] = http_only
    return environment
