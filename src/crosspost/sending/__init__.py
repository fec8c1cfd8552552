"""Sending: one delivery at a time (deliver.py), the steps every run shares
(pipeline.py), publishing now (publish.py), and what a run answers (results.py).

Only the results are exported here: `crosspost run` with nothing due imports
them, and must not pay for the configuration models that publish.py needs.
"""

from __future__ import annotations

from .results import Action, Outcome, SendResult

__all__ = ["Action", "Outcome", "SendResult"]
