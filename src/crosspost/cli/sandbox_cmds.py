"""sandbox and demo: a local stand-in for the networks, and the whole job on it."""

from pathlib import Path
from typing import Annotated, Any

import typer

from .app import app

DEMO_DIR = Path(__file__).resolve().parent.parent / "demo"


@app.command()
def sandbox(
    port: Annotated[int, typer.Option("--port", "-p", help="Port to listen on.")] = 8025,
    host: Annotated[str, typer.Option("--host", help="Address to bind.")] = "127.0.0.1",
) -> None:
    """Run a local server speaking every installed network's API and bit.ly's (Ctrl-C stops)."""
    from ..sandbox import serve
    from .output import info

    def ready(sb: Any) -> None:  # after binding: with --port 0 the system picks the port
        info(f"sandbox listening on {sb.url}/  (publish with --sandbox {sb.url}); Ctrl-C stops it")

    try:
        serve(host, port, on_ready=ready)
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        from ..errors import BadInput

        raise BadInput(f"cannot listen on {host}:{port}: {exc.strerror}; try --port") from None


@app.command()
def demo(
    post: Annotated[
        Path | None, typer.Argument(help="A post to publish [default: a built-in example].")
    ] = None,
    port: Annotated[
        int, typer.Option("--port", "-p", help="Sandbox port [default: any free].")
    ] = 0,
    serve: Annotated[
        bool | None,
        typer.Option(
            "--serve/--no-serve",
            help="Keep the sandbox page up until Ctrl-C [default: on a terminal].",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the outcomes as JSON.")] = False,
) -> Any:
    """Publish an example post through the whole pipeline to a built-in sandbox; no accounts."""
    import sys
    import tempfile

    from ..config import load_config
    from ..post import load_post
    from ..sandbox import start_sandbox
    from ..workspace import Workspace
    from .output import info
    from .sending import show_result

    config = load_config(DEMO_DIR / "channels.yaml")
    loaded = load_post(post or DEMO_DIR / "robotics-lab.md")
    with (
        tempfile.TemporaryDirectory(prefix="crosspost-demo-") as tmp,
        start_sandbox(port=port) as sb,
    ):
        ws = Workspace(Path(tmp), config)
        result = ws.publish([loaded], ws.channels(), sandbox_url=sb.url)
        show_result(result, as_json=as_json)
        if not as_json:
            _show_received(sb)
        info(f"sandbox page: {sb.url}/")
        keep = sys.stdin.isatty() and not as_json if serve is None else serve
        if keep:
            info("serving the sandbox page until Ctrl-C")
            try:
                import threading

                threading.Event().wait()
            except KeyboardInterrupt:
                pass
    return result.exit_status


def _show_received(sb: Any) -> None:
    """What each network actually received, read back from the sandbox."""
    from ..sandbox import load_apis
    from .output import Col, table

    rows = []
    for network in (api.network for api in load_apis() if api.noun == "post"):
        for p in sb.posts(network):
            text = p.get("published", p.get("text")) or ""
            first = text.splitlines()[0] if text else ""
            rows.append(
                [network, _short_id(str(p.get("id"))), first[:70] + ("…" * (len(first) > 70))]
            )
    table(
        [Col("network", "key"), Col("id", "key"), Col("first line as published")],
        rows,
        title="what the sandbox received",
    )


def _short_id(post_id: str) -> str:
    """An id to read at a glance: a Bluesky at:// URI by its record key, kept whole
    (the sandbox page and `crosspost status` give the full URI)."""
    if post_id.startswith("at://"):
        return "…/" + post_id.rsplit("/", 1)[-1]
    return post_id
