"""A local server speaking the parts of X, Facebook, LinkedIn and bit.ly crosspost uses.

Adapters are tested over real HTTP through their real client libraries: only
scheme and host change. See `server.Sandbox` for the Python control API and
`control.py` for the same over HTTP under /_sandbox/.
"""

from __future__ import annotations

from crosspost.sandbox.server import Sandbox, serve, start_sandbox
from crosspost.sandbox.state import NETWORKS

__all__ = ["NETWORKS", "Sandbox", "serve", "start_sandbox"]
