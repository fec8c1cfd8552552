"""Driving `crosspost auth` as she would: a real process, its prompts answered on stdin,
and the test playing the browser with HTTP requests of its own."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

WAIT = 20.0  # seconds a step may take before the test gives up on it


class Signing:
    """`python -m crosspost ARGS` with stdin, stdout and stderr as pipes."""

    def __init__(self, *args: str | Path, env: dict[str, str] | None = None) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "crosspost", *map(str, args)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, "COLUMNS": "300", **(env or {})},
        )
        self.buffers = {"out": b"", "err": b""}
        self._lock = threading.Lock()
        self._readers = [
            threading.Thread(target=self._read, args=(name, pipe), daemon=True)
            for name, pipe in (("out", self.proc.stdout), ("err", self.proc.stderr))
        ]
        for reader in self._readers:
            reader.start()

    def _read(self, name: str, pipe: Any) -> None:
        while chunk := os.read(pipe.fileno(), 4096):
            with self._lock:
                self.buffers[name] += chunk

    def text(self, name: str) -> str:
        with self._lock:
            return self.buffers[name].decode("utf-8", "replace")

    def expect(self, pattern: str, *, on: str = "err") -> re.Match[str]:
        """Wait until `pattern` shows on stderr (or stdout, `on="out"`)."""
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            found = re.search(pattern, self.text(on))
            if found:
                return found
            if self.proc.poll() is not None:
                time.sleep(0.2)  # let the readers drain
                found = re.search(pattern, self.text(on))
                if found:
                    return found
                break
            time.sleep(0.02)
        raise AssertionError(
            f"never saw {pattern!r}; stdout:\n{self.text('out')}\nstderr:\n{self.text('err')}"
        )

    def answer(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line.encode() + b"\n")
        self.proc.stdin.flush()

    def url(self) -> str:
        """The address the command asks her to open (alone on its stdout line)."""
        return self.expect(r"(?m)^(https?://\S+)$", on="out").group(1)

    def finish(self) -> tuple[int, str, str]:
        """(exit status, stdout, stderr) once the command ends."""
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        code = self.proc.wait(timeout=WAIT)
        for reader in self._readers:
            reader.join(timeout=WAIT)
        return code, self.text("out"), self.text("err")


def browse(url: str) -> tuple[int, str, str]:
    """(status, final URL, body) of a GET that follows redirects, as a browser does."""
    try:
        with urllib.request.urlopen(url, timeout=WAIT) as response:
            return response.status, response.url, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.url, exc.read().decode()


def stored_env(home: Path) -> dict[str, str]:
    """What HOME/env holds, by name."""
    from crosspost.secrets.envfile import env_file, read_env_file

    return {name: entry.value for name, entry in read_env_file(env_file(home)).items()}


def stored_team(team_file: Path, home: Path) -> dict[str, str]:
    """What the team file holds, decrypted with this home's key."""
    from crosspost.secrets.team import load_identity, read_team

    return {
        name: entry.value
        for name, entry in read_team(team_file, load_identity(home)).entries.items()
    }


def recorded_accounts(home: Path) -> dict[str, Any]:
    from crosspost.ledger import open_store

    with open_store(home) as ledger:
        return dict(ledger.channel_accounts())


def no_secret_in(texts: tuple[str, ...], values: Any) -> None:
    joined = "\n".join(texts)
    for value in values:
        assert value not in joined, "a secret value was printed"


def control(sandbox: Any, path: str, body: dict[str, Any]) -> Any:
    request = urllib.request.Request(
        f"{sandbox.url}{path}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=WAIT) as response:
        return json.loads(response.read() or b"null")
