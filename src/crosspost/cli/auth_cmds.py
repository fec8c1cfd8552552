"""auth: guided sign-in for one channel (or the shortener), kept in the secret store."""

from collections.abc import Sequence
from typing import Annotated, Any

import typer

from .app import app, workspace
from .secrets_cmds import TargetOpt


class TerminalPrompts:
    """The flows' questions on the terminal: secrets without echo, choices by number.

    On a terminal, secrets go through getpass.  From a pipe (a script, a test) each
    answer is one line of stdin: nothing echoes a pipe, and no answer is ever an
    argument, so none lands in shell history.
    """

    def __init__(self, *, open_browser: bool) -> None:
        import sys

        self.open_browser = open_browser
        self.tty = sys.stdin.isatty()

    def secret(self, label: str) -> str:
        if self.tty:
            import getpass

            return getpass.getpass(f"{label} (not shown): ")
        return self._line(f"{label} (not shown): ")

    def text(self, label: str) -> str:
        return input(f"{label}: ") if self.tty else self._line(f"{label}: ")

    def choose(self, label: str, options: Sequence[str]) -> int:
        from ..errors import BadInput
        from .output import info

        for number, option in enumerate(options, 1):
            info(f"  {number}. {option}")
        answer = self.text(f"{label} (1-{len(options)})").strip()
        if not answer.isdigit() or not 1 <= int(answer) <= len(options):
            raise BadInput(f"{answer!r} is none of 1 to {len(options)}: nothing was stored")
        return int(answer) - 1

    def open_url(self, url: str, why: str) -> None:
        from .output import info

        info(f"open this address to {why}:")
        # stdout, alone on its line and never wrapped: she copies it, a test reads it.
        typer.echo(url)
        if self.open_browser:
            import webbrowser

            webbrowser.open(url)

    def say(self, message: str) -> None:
        from .output import info

        info(message)

    @staticmethod
    def _line(prompt: str) -> str:
        import sys

        sys.stderr.write(prompt)
        sys.stderr.flush()
        line = sys.stdin.readline()
        if not line:  # the pipe closed: nobody is there to answer
            raise KeyboardInterrupt
        return line.rstrip("\r\n")


@app.command("auth")
def auth(
    channel: Annotated[
        str, typer.Argument(help="The channel to sign in (or `bitly`, for the shortener).")
    ],
    refresh: Annotated[
        bool,
        typer.Option("--refresh", help="LinkedIn: a new token from the stored refresh token."),
    ] = False,
    sandbox: Annotated[
        str | None,
        typer.Option("--sandbox", metavar="URL", help="Sign in against a local sandbox."),
    ] = None,
    to: TargetOpt = None,
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help="Print the address to open, open nothing.")
    ] = False,
    wait: Annotated[
        float,
        typer.Option(
            "--wait", metavar="SECONDS", min=0.1, help="How long the browser has to come back."
        ),
    ] = 300.0,
) -> Any:
    """Sign a channel in through its network, check it, and store the result as its secrets."""
    from ..auth import sign_in
    from ..secrets.manage import as_target
    from .output import info, warn

    done = sign_in(
        workspace(),
        channel,
        prompts=TerminalPrompts(open_browser=not no_browser),
        sandbox_url=sandbox,
        to=as_target(to) if to is not None else None,
        refresh=refresh,
        wait=wait,
    )
    for w in done.warnings:
        warn(w)
    kept = f"({', '.join(done.stored)} stored in {done.where})"
    if done.shortener:
        info(f"the shortener now uses bit.ly as {done.account} {kept}")
    else:
        info(f"channel {done.channel} now posts as {done.account} {kept}")
    for note in done.notes:
        info(f"next: {note}")
