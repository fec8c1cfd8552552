"""chain: the relay tree, from the blog to every channel."""

from typing import Any

from .app import app, load_config


@app.command()
def chain() -> None:
    """Draw the relay chain: which channel feeds which, and where it is broken."""
    from rich.markup import escape
    from rich.tree import Tree

    from .output import out

    config = load_config()
    root = Tree("[bold]blog[/]")
    children: dict[str | None, list[Any]] = {}
    for ch in config.channels.values():
        source = ch.spec.relayed_by
        # A broken relay hangs from the blog: crosspost posts there directly.
        parent = None if source is None or ch.spec.relay == "broken" else source
        children.setdefault(parent, []).append(ch)

    def label(ch: Any) -> str:
        name = f"[bold]{escape(ch.name)}[/] ({ch.network})"
        if ch.spec.relayed_by is None:
            kind = "[green]direct[/]"
        elif ch.spec.relay == "broken":
            kind = f"[red]broken[/]: {escape(ch.spec.relayed_by)} does not feed it, posted directly"
        else:
            kind = f"[blue]relayed[/] by {escape(ch.spec.relayed_by)}"
        if ch.manual:
            kind += ", [cyan]by hand[/]"
        if not ch.spec.enabled:
            kind += ", [dim]disabled[/]"
        audience = ", ".join(ch.spec.audience) or "all"
        return f"{name} · {kind} · audience: {escape(audience)}"

    def grow(node: Any, parent: str | None) -> None:
        for ch in children.get(parent, []):
            grow(node.add(label(ch)), ch.name)

    grow(root, None)
    out().print(root)
