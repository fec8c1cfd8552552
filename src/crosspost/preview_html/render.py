"""The preview page from its Jinja template (autoescaped: every value is text)."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence

from ..cards import card_environment
from ..config import Config
from ..post import Post
from ..preview import Preview
from .model import PostView, build_views

# The one script of the page: the copy buttons, shown only once it runs (the CSP's hash
# lets this script and no other run).  Clipboard first, a selection where it is refused.
COPY_SCRIPT = """
document.querySelectorAll("button.copy").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () {
    var block = document.getElementById(button.dataset.target);
    var done = function () { button.textContent = "Copied"; };
    var select = function () {
      var range = document.createRange();
      range.selectNodeContents(block);
      window.getSelection().removeAllRanges();
      window.getSelection().addRange(range);
      button.textContent = "Selected: press Ctrl+C";
    };
    if (navigator.clipboard) {
      navigator.clipboard.writeText(block.innerText).then(done, select);
    } else {
      select();
    }
  });
});
"""


def render_previews(config: Config, posts: Sequence[Post], previews: Sequence[Preview]) -> str:
    """The whole page for a dry run of `posts`."""
    return render_views(build_views(config, posts, previews))


def render_views(views: Sequence[PostView]) -> str:
    digest = base64.b64encode(hashlib.sha256(COPY_SCRIPT.encode("utf-8")).digest()).decode()
    csp = (
        "default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
        f"script-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'"
    )
    template = card_environment("crosspost.preview_html").get_template("preview.html.j2")
    return template.render(views=views, csp=csp, script=COPY_SCRIPT)
