"""chain: the relay tree, from the blog to every channel."""

from typing import Any

from .app import app, workspace


@app.command()
def chain() -> None:
    """Draw the relay chain: which channel feeds which, and where it is broken."""
    from rich.markup import escape
    from rich.tree import Tree

    from ..views import chain_tree
    from .output import out

    def label(node: Any) -> str:
        ch = node.channel
        name = f"[bold]{escape(ch.name)}[/] ({ch.network})"
        source = escape(ch.spec.relayed_by or "")
        kind = {
            "direct": "[green]direct[/]",
            "broken": f"[red]broken[/]: {source} does not feed it, posted directly",
            "relayed": f"[blue]relayed[/] by {source}",
        }[node.link]
        if ch.manual:
            kind += ", [cyan]by hand[/]"
        if not ch.spec.enabled:
            kind += ", [dim]disabled[/]"
        audience = ", ".join(ch.spec.audience) or "all"
        return f"{name} · {kind} · audience: {escape(audience)}"

    def grow(tree: Any, nodes: list[Any]) -> None:
        for node in nodes:
            grow(tree.add(label(node)), node.children)

    root = Tree("[bold]blog[/]")
    grow(root, chain_tree(workspace().config))
    out().print(root)
