"""A real PostgreSQL server for the tests, started from the system's binaries.

`start_server` runs initdb and pg_ctl in a fresh temporary directory (data,
unix socket and log inside it), listening on the socket and on a free
localhost port; as root it runs them as the `postgres` user, since initdb
refuses root.  Local socket connections are trusted (the tests' superuser),
TCP ones need a password (the wrong-password test).  fsync is off: the data
is thrown away.  Each test gets a database of its own (`PGServer.new_database`).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

PASSWORD = "tests-password-3c81f0"  # long enough for the scrubber to remember


def find_bindir() -> Path | None:
    """Where initdb and pg_ctl are: $PG_BINDIR, PATH, or Debian's /usr/lib/postgresql/N/bin."""
    candidates = [os.environ.get("PG_BINDIR", "")]
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(str(Path(on_path).parent))
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for candidate in candidates:
        if candidate and (Path(candidate) / "initdb").exists():
            return Path(candidate)
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class PGServer:
    root: Path
    bindir: Path
    port: int
    as_user: list[str] = field(default_factory=list)
    _count: int = 0

    @property
    def socket_dir(self) -> Path:
        return self.root / "socket"

    def url(self, database: str = "postgres", *, user: str = "postgres") -> str:
        """A URL over the unix socket (trusted, no password)."""
        return f"postgresql://{user}@/{database}?host={self.socket_dir}&port={self.port}"

    def tcp_url(self, database: str, *, user: str, password: str) -> str:
        return f"postgresql://{user}:{password}@127.0.0.1:{self.port}/{database}"

    def admin(self, *statements: str, database: str = "postgres") -> None:
        with psycopg.connect(self.url(database), autocommit=True) as conn:
            for statement in statements:
                conn.execute(statement)

    def create_database(self, prefix: str = "t") -> str:
        """A fresh, empty database; its name."""
        name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:10]}"
        self.admin(f'CREATE DATABASE "{name}"')
        return name

    def new_database(self, prefix: str = "t") -> str:
        """A fresh, empty database; its URL."""
        return self.url(self.create_database(prefix))

    def stop(self) -> None:
        subprocess.run(
            [
                *self.as_user,
                str(self.bindir / "pg_ctl"),
                "-D",
                str(self.root / "data"),
                "-m",
                "immediate",
                "stop",
            ],
            capture_output=True,
            check=False,
        )
        shutil.rmtree(self.root, ignore_errors=True)


def start_server() -> PGServer:
    """A running server; RuntimeError saying why when none can be started."""
    bindir = find_bindir()
    if bindir is None:
        raise RuntimeError(
            "no PostgreSQL server binaries (initdb): apt-get install postgresql, or set PG_BINDIR"
        )
    as_user: list[str] = []
    root = Path(tempfile.mkdtemp(prefix="crosspost-pg-"))
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError as exc:
            raise RuntimeError("running as root, and there is no `postgres` user") from exc
        as_user = ["runuser", "-u", "postgres", "--"]
        os.chown(root, owner.pw_uid, owner.pw_gid)
    root.chmod(0o700)
    run_as = [*as_user]
    (root / "pwfile").write_text(PASSWORD + "\n")
    os.chmod(root / "pwfile", 0o644)
    for sub in ("socket",):
        (root / sub).mkdir()
        if as_user:
            shutil.chown(root / sub, "postgres", "postgres")
    done = subprocess.run(
        [
            *run_as,
            str(bindir / "initdb"),
            "-D",
            str(root / "data"),
            "-U",
            "postgres",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            f"--pwfile={root / 'pwfile'}",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(f"initdb failed: {done.stderr.strip() or done.stdout.strip()}")
    port = _free_port()
    options = (
        f"-p {port} -k {root / 'socket'} -c listen_addresses=127.0.0.1 -c fsync=off"
        " -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    )
    started = subprocess.run(
        [
            *run_as,
            str(bindir / "pg_ctl"),
            "-D",
            str(root / "data"),
            "-l",
            str(root / "log"),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    server = PGServer(root, bindir, port, as_user)
    if started.returncode != 0:
        log = (root / "log").read_text(errors="replace") if (root / "log").exists() else ""
        server.stop()
        raise RuntimeError(f"pg_ctl start failed: {started.stderr.strip()} {log[-500:]}")
    deadline = time.monotonic() + 30
    while True:
        try:
            server.admin("SELECT 1")
            break
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                server.stop()
                raise
            time.sleep(0.1)
    return server
