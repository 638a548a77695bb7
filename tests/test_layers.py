"""The layers point one way: app → bot.ui → bot → vectorstore → ingest (DESIGN.md).

Read from the source with `ast`, so a lazy import inside a function counts as much as one at the
top of a module. The entry points (`python -m ingest`, `python -m bot`) may wire layers together.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

PACKAGES = ("ingest", "vectorstore", "bot")
ENTRY_POINTS = {"ingest.__main__", "bot.__main__", "bot.cli"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> dict[str, bool]:
    """Project modules `path` imports, each with whether the import runs when the module loads."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top_level = {id(node) for node in tree.body}
    found: dict[str, bool] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        else:
            continue
        for name in names:
            if name.split(".")[0] in PACKAGES:
                found[name] = found.get(name, False) or id(node) in top_level
    return found


def project_modules() -> dict[str, Path]:
    return {module_name(p): p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")}


def layer(module: str) -> str:
    for prefix in ("bot.ui", "bot.evaluation", "bot", "vectorstore", "ingest"):
        if module == prefix or module.startswith(prefix + "."):
            return prefix
    raise AssertionError(module)


# What each layer may import besides itself.
ALLOWED = {
    "ingest": set(),
    "vectorstore": {"ingest"},
    "bot": {"vectorstore", "ingest"},
    "bot.evaluation": {"bot", "vectorstore", "ingest"},
    "bot.ui": {"bot", "bot.evaluation", "vectorstore", "ingest"},
}


def test_every_layer_imports_only_the_layers_below_it():
    modules = project_modules()
    wrong = []
    for name, path in modules.items():
        if name in ENTRY_POINTS:
            continue
        for imported in imports(path):
            target = imported if imported in modules else imported.rsplit(".", 1)[0]
            if target not in modules:
                continue
            if layer(target) != layer(name) and layer(target) not in ALLOWED[layer(name)]:
                wrong.append(f"{name} imports {target}")
    assert wrong == []


def test_ingest_and_vectorstore_know_nothing_of_the_bot():
    for name, path in project_modules().items():
        if name.startswith(("ingest", "vectorstore")) and name != "ingest.__main__":
            assert not [m for m in imports(path) if m.split(".")[0] == "bot"], name


def test_no_import_cycles_at_load_time():
    modules = project_modules()
    graph = {name: {m if m in modules else m.rsplit(".", 1)[0] for m, eager in imports(path).items() if eager}
             for name, path in modules.items()}
    graph = {name: {m for m in targets if m in modules and m != name} for name, targets in graph.items()}
    # A package's __init__ importing its own submodules is how a package exports; a submodule
    # importing its package's __init__ back would be the cycle.
    cycles = []
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in graph[node]:
            if nxt in PACKAGES or nxt.endswith((".ui", ".evaluation")):
                continue  # importing a package name pulls only its __init__, checked on its own
            if state.get(nxt) == 1:
                cycles.append(" → ".join(trail[trail.index(nxt):] + [nxt]) if nxt in trail else f"{node} → {nxt}")
            elif not state.get(nxt):
                visit(nxt, trail + [nxt])
        state[node] = 2

    for name in graph:
        if not state.get(name):
            visit(name, [name])
    assert cycles == []


def test_the_front_door_exports_the_bot():
    import bot

    assert {"Bot", "Answer", "Citation", "Settings"} <= set(bot.__all__)
    assert bot.Bot.__module__ == "bot.pipeline"
