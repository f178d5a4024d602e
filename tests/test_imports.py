"""The import graph of policykg: no circle in the server, the application at its top, and no
module of the pipeline importing a tool.

Every module of the package is read with :mod:`ast` (nothing is imported), and every ``import``
and ``from ... import`` in it, at any depth (in functions too: a function-level import is how a
circle hides), becomes an edge to the policykg module it names, relative imports resolved.
``from package import name`` goes to the submodule ``package.name`` when there is one, else to
the package. Importing a module runs its parent packages' ``__init__`` too, but those implicit
edges are left out: only what a module's own text imports counts.

The package has two sides. The tools (:data:`TOOLS`) work on what the pipeline published, one
``policykg`` verb each, and the command line is the thin layer over both. Every other module is
the pipeline's: a stage, or what the stages are built from (names, graphs, the document model,
errors, ...). A tool may import the pipeline (``policykg serve`` builds first); the pipeline
never imports a tool, at any depth.

Run as a script (``python tests/test_imports.py``) to print every circle of the whole package,
and the two sides.
"""
from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import policykg

ROOT = Path(policykg.__file__).resolve().parent
SERVER = "policykg.server"
#: The only modules that may import the application: the package's door and ``policykg serve``.
APP_IMPORTERS = {SERVER, f"{SERVER}.run"}
#: The layers, by folder, from the bottom: the foundations (the package's own top-level modules:
#: names, graphs, the document model, errors, ...), the pipeline's stages (``policykg.pipeline``),
#: and the tools over what the pipeline published (``policykg.tools``, the server that
#: ``policykg serve`` runs, and the command line). A module imports only its own layer and the
#: layers below it.
PIPELINE = "policykg.pipeline"
TOOLS = ("tools", "server", "cli", "__main__")

Graph = dict[str, dict[str, list[int]]]  # module -> module it imports -> lines


def module_name(path: Path) -> str:
    parts = ["policykg", *path.relative_to(ROOT).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    """Every module of the package, by dotted name."""
    return {module_name(path): path for path in sorted(ROOT.rglob("*.py"))}


def _imports(tree: ast.AST) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
    """Every import statement of ``tree``, and whether it is at the module's top level (also
    inside a top-level ``if`` or ``try``, such as ``if TYPE_CHECKING:``)."""
    def walk(node: ast.AST, top: bool) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                yield child, top
            nested = top and not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef,
                                                    ast.Lambda))
            yield from walk(child, nested)

    yield from walk(tree, True)


def _targets(node: ast.Import | ast.ImportFrom, name: str, is_package: bool, known: set[str]) -> list[str]:
    """The policykg modules one import statement of module ``name`` names."""
    def nearest(dotted: str) -> str | None:  # ``a.b.c`` -> the longest prefix that is a module
        parts = dotted.split(".")
        for end in range(len(parts), 0, -1):
            if ".".join(parts[:end]) in known:
                return ".".join(parts[:end])
        return None

    if isinstance(node, ast.Import):
        return [t for alias in node.names if (t := nearest(alias.name)) is not None]
    if node.level:
        package = name.split(".") if is_package else name.split(".")[:-1]
        base = package[:len(package) - (node.level - 1)]
        full = ".".join(base + ([node.module] if node.module else []))
    else:
        full = node.module or ""
    found = []
    for alias in node.names:
        submodule = f"{full}.{alias.name}"
        target = submodule if submodule in known else nearest(full)
        if target is not None:
            found.append(target)
    return found


def import_graph() -> tuple[Graph, Graph]:
    """(every import, the function-level imports): module -> module it imports -> lines."""
    found = modules()
    known = set(found)
    graph: Graph = {name: {} for name in found}
    local: Graph = {name: {} for name in found}
    for name, path in found.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node, top in _imports(tree):
            for target in dict.fromkeys(_targets(node, name, path.name == "__init__.py", known)):
                if target != name:
                    graph[name].setdefault(target, []).append(node.lineno)
                    if not top:
                        local[name].setdefault(target, []).append(node.lineno)
    return graph, local


def cycles(graph: Graph) -> list[list[str]]:
    """The strongly connected components of ``graph`` with more than one module (Tarjan's
    algorithm, iteratively), each sorted; every circle of imports lies within one of them."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, {})))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(sorted(component))
    return sorted(components)


def _in_server(name: str) -> bool:
    return name == SERVER or name.startswith(SERVER + ".")


def is_tool(name: str) -> bool:
    """Whether the module ``name`` is a tool's (:data:`TOOLS`), not the pipeline's."""
    parts = name.split(".")
    return len(parts) > 1 and parts[1] in TOOLS


def layer(name: str) -> int:
    """0 for a foundation, 1 for a stage of the pipeline, 2 for a tool."""
    if is_tool(name):
        return 2
    return 1 if name == PIPELINE or name.startswith(PIPELINE + ".") else 0


def sides(graph: Graph) -> tuple[list[str], list[str]]:
    """(the pipeline's modules, the tools' modules), each sorted: every module of the package
    is on one side."""
    return sorted(m for m in graph if not is_tool(m)), sorted(m for m in graph if is_tool(m))


@pytest.fixture(scope="module")
def graphs() -> tuple[Graph, Graph]:
    return import_graph()


def test_the_walker_sees_relative_and_nested_imports(graphs: tuple[Graph, Graph]) -> None:
    graph, local = graphs
    assert "policykg.server.state" in graph["policykg.server.app"]  # from .state import ...
    assert "policykg.server.render" in graph["policykg.server.pages.entity"]  # from ..render import ...
    assert "policykg.graphs" in graph["policykg.server.pages.entity"]  # from ...graphs import ...
    assert "policykg.server.pages.pictures" in graph["policykg.server.pages.entity"]  # from . import pictures
    assert "policykg.server.app" in graph["policykg.server"]  # a package's __init__
    # and an import inside a function, such as the one of the whole pipeline by ``policykg serve``
    assert "policykg.pipeline.build" in local["policykg.server.run"]
    assert "policykg.pipeline.build" in graph["policykg.server.run"]


def test_no_circle_in_the_server(graphs: tuple[Graph, Graph]) -> None:
    graph, _local = graphs
    found = [c for c in cycles(graph) if any(_in_server(m) for m in c)]
    assert not found, "import circles through policykg.server:\n" + "\n".join(" <-> ".join(c) for c in found)


def test_only_the_door_and_serve_import_the_app(graphs: tuple[Graph, Graph]) -> None:
    graph, _local = graphs
    app = f"{SERVER}.app"
    importers = {name: targets[app] for name, targets in graph.items() if app in targets and _in_server(name)}
    others = [f"{name} (line {lines[0]})" for name, lines in sorted(importers.items()) if name not in APP_IMPORTERS]
    assert not others, f"only {sorted(APP_IMPORTERS)} may import {app}, which sits on top: " + ", ".join(others)


def test_server_modules_import_each_other_at_the_top(graphs: tuple[Graph, Graph]) -> None:
    _graph, local = graphs
    hidden = [f"{name} imports {target} in a function (line {lines[0]})"
              for name, targets in sorted(local.items()) if _in_server(name)
              for target, lines in sorted(targets.items()) if _in_server(target)]
    assert not hidden, "a function-level import hides an edge of the import graph:\n" + "\n".join(hidden)


def test_every_tool_is_a_module_of_the_package(graphs: tuple[Graph, Graph]) -> None:
    graph, _local = graphs
    missing = [t for t in TOOLS if f"policykg.{t}" not in graph]
    assert not missing, f"TOOLS names what the package does not hold: {missing}"
    pipeline, tools = sides(graph)
    assert {"policykg.pipeline.build", "policykg.pipeline.publish", "policykg.pipeline.publish.release",
            "policykg.pipeline.gate.quality", "policykg.pipeline.reason", "policykg.names"} <= set(pipeline)
    assert {"policykg.tools.query", "policykg.server.app", "policykg.cli"} <= set(tools)


def test_no_pipeline_module_imports_a_tool(graphs: tuple[Graph, Graph]) -> None:
    graph, _local = graphs
    pipeline, _tools = sides(graph)
    found = [f"{name} imports {target} (line {lines[0]})"
             for name in pipeline for target, lines in sorted(graph[name].items()) if is_tool(target)]
    assert not found, "the pipeline imports a tool, which sits above it:\n" + "\n".join(found)


def test_no_function_level_import_dodges_a_circle(graphs: tuple[Graph, Graph]) -> None:
    """An import inside a function is there to load a module late (the command line starts in a
    tenth of a second), never to hide a circle: made a top-level import, none would close one."""
    graph, local = graphs
    top = {name: {t for t, lines in targets.items() if not set(lines) <= set(local.get(name, {}).get(t, ()))}
           for name, targets in graph.items()}

    def reaches(start: str, goal: str) -> bool:
        seen, todo = set(), [start]
        while todo:
            current = todo.pop()
            if current == goal:
                return True
            if current not in seen:
                seen.add(current)
                todo.extend(top.get(current, ()))
        return False

    assert sum(len(targets) for targets in local.values()) > 20  # the walker sees them
    dodges = [f"{name} -> {target} (line {lines[0]})" for name, targets in sorted(local.items())
              for target, lines in sorted(targets.items()) if reaches(target, name)]
    assert not dodges, "a function-level import hides a circle:\n" + "\n".join(dodges)


def test_no_module_imports_a_layer_above_it(graphs: tuple[Graph, Graph]) -> None:
    graph, _local = graphs
    assert layer("policykg.names") == 0 and layer("policykg.pipeline.recognisers.dates") == 1
    assert layer("policykg.tools.query") == 2 and layer("policykg.server.pages.entity") == 2
    assert {layer(m) for m in graph} == {0, 1, 2}, "every layer holds modules"
    found = [f"{name} imports {target} (line {lines[0]})"
             for name in sorted(graph) for target, lines in sorted(graph[name].items())
             if layer(target) > layer(name) and name != "policykg"]
    assert not found, "a module imports a layer above its own:\n" + "\n".join(found)


# ------------------------------------------------------------------------- the pipeline, told once

REPOSITORY = Path(__file__).resolve().parent.parent


def _stage_names(block: str) -> list[str]:
    """The stages of an indented ``stage   what`` block: the words before the first wide gap."""
    return [m.group(1) for m in re.finditer(r"^    (\S+(?: \S+)*?) {2,}\S", block, re.MULTILINE)]


def told_by_the_package() -> list[str]:
    text = policykg.__doc__ or ""
    return _stage_names(text.split("::", 1)[1].split("\n\n", 2)[1])


def told_by_build() -> list[str]:
    text = (ROOT / "pipeline" / "build.py").read_text(encoding="utf-8")
    docstring = ast.get_docstring(ast.parse(text)) or ""
    return _stage_names(docstring.split("::", 1)[1].split("\n\n", 2)[1])


def told_by_the_pipeline_package() -> list[str]:
    text = (ROOT / "pipeline" / "__init__.py").read_text(encoding="utf-8")
    docstring = ast.get_docstring(ast.parse(text)) or ""
    return _stage_names(docstring.split("::", 1)[1].split("\n\n", 2)[1])


def told_by_the_readme() -> list[str]:
    text = (REPOSITORY / "README.md").read_text(encoding="utf-8")
    section = re.split(r"\n##+ ", text.split("\n## The pipeline\n", 1)[1], maxsplit=1)[0]
    return [m.group(1) for m in re.finditer(r"^\| ([a-z][a-z +]*) \|", section, re.MULTILINE)
            if m.group(1) != "stage"]


@pytest.mark.skipif(not (REPOSITORY / "README.md").is_file(), reason="not run from the source tree")
def test_the_pipeline_is_told_one_way() -> None:
    stages = told_by_the_package()
    assert stages[0] == "load" and stages[-1] == "publish" and len(stages) >= 10, stages
    assert told_by_build() == stages
    assert told_by_the_pipeline_package() == stages
    assert told_by_the_readme() == stages


if __name__ == "__main__":
    graph = import_graph()[0]
    every = cycles(graph)
    print(f"{len(every)} import circle(s) in policykg" + (":" if every else ""))
    for component in every:
        print("  " + " <-> ".join(component))
    pipeline, tools = sides(graph)
    print(f"the pipeline ({len(pipeline)} modules): " + ", ".join(m.removeprefix("policykg.") or m for m in pipeline))
    print(f"the tools ({len(tools)} modules): " + ", ".join(m.removeprefix("policykg.") for m in tools))
    wrong = [(m, t) for m in pipeline for t in graph[m] if is_tool(t)]
    print(f"{len(wrong)} import(s) of a tool by the pipeline" + (":" if wrong else ""))
    for name, target in wrong:
        print(f"  {name} -> {target}")
