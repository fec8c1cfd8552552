"""A local server speaking the parts of each network's API crosspost uses, and bit.ly's.

Each network's API comes from its plugin (`apis.py`).

Adapters are tested over real HTTP through their real client libraries: only
scheme and host change. See `server.Sandbox` for the Python control API and
`control.py` for the same over HTTP under /_sandbox/.
"""

from __future__ import annotations

from crosspost.sandbox.apis import load_apis, network_names
from crosspost.sandbox.server import Sandbox, serve, start_sandbox

__all__ = ["Sandbox", "load_apis", "network_names", "serve", "start_sandbox"]
