"""The shape of the package: imports run one way, no circle, no private name across folders.

The import graph is read from the source with :mod:`ast` (every ``import`` statement, those
inside functions too: a late import is still a dependency). The layer order below is the one
of DESIGN.md ("readers -> pure kernels -> frame wrappers -> scenarios -> maps"), declared
here once; a module may import its own layer and the layers before it.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections import defaultdict
from functools import cache

import pytest
from conftest import REPO

SRC = REPO / "src"

#: The layers, lowest first: (name, modules and packages in it). A module belongs to the
#: longest entry that is its name or a package above it ("mixing" is the package's
#: ``__init__.py`` alone: a new top-level module must be placed here).
LAYERS = (
    # the package face (version; entry points load lazily), errors, argument checks, the
    # canonical schema, log set-up, the dimensions, shared docstring blocks
    ("base", ("mixing", "mixing.errors", "mixing.checks", "mixing.schema", "mixing.runlog",
              "mixing.dimensions", "mixing.docstrings", "mixing.limits")),
    ("io", ("mixing.io",)),                # readers, downloads, aggregation, file writers
    ("kernels", ("mixing.kernels",)),      # pure numpy/scipy
    ("geometry", ("mixing.geometry",)),    # weights, distances, crosswalks from polygons
    ("catalogue", ("mixing.catalogue",)),  # the indices, declared once over the kernels
    ("tables", ("mixing.tables",)),        # frame wrappers
    ("scenarios", ("mixing.scenarios",)),
    ("dictionary", ("mixing.dictionary",)),  # the words of every table's columns
    ("viz", ("mixing.viz",)),              # maps and pages
    ("entry", ("mixing.workflow_io", "mixing.cli")),
)
RANK = {name: rank for rank, (name, _) in enumerate(LAYERS)}


def _modules() -> dict[str, bool]:
    """{dotted module name: is a package} of every module under src/mixing."""
    found = {}
    for path in sorted((SRC / "mixing").rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        package = parts[-1] == "__init__"
        found[".".join(parts[:-1] if package else parts)] = package
    return found


MODULES = _modules()


def layer(module: str) -> str:
    owner = max(((prefix, name) for name, prefixes in LAYERS for prefix in prefixes
                 if module == prefix
                 or (prefix != "mixing" and module.startswith(prefix + "."))),
                key=lambda pair: len(pair[0]), default=(None, None))[1]
    assert owner, f"{module} is in no layer: add it to LAYERS in {__file__}"
    return owner


@cache
def imports() -> list[tuple[str, str, str | None, int]]:
    """(importer, imported module, imported name or None, line) for every import of mixing."""
    found = []
    for module, package in MODULES.items():
        path = SRC / (module.replace(".", "/") + ("/__init__.py" if package else ".py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found += [(module, _known(a.name), None, node.lineno) for a in node.names
                          if a.name.split(".")[0] == "mixing"]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # relative: from the importer's package
                    here = module.split(".") if package else module.split(".")[:-1]
                    base = ".".join(here[:len(here) - node.level + 1] + ([base] if base else []))
                if base.split(".")[0] != "mixing":
                    continue
                for alias in node.names:
                    sub = f"{base}.{alias.name}"
                    if sub in MODULES:  # from package import submodule
                        found.append((module, sub, None, node.lineno))
                    else:
                        found.append((module, _known(base), alias.name, node.lineno))
    return found


def _known(name: str) -> str:
    while name not in MODULES:
        assert "." in name, f"import of {name}, which is no module of src/mixing"
        name = name.rpartition(".")[0]
    return name


def _private(part: str) -> bool:
    return part.startswith("_") and not part.startswith("__")


def test_every_module_is_in_a_layer():
    for module in MODULES:
        layer(module)


def test_no_import_runs_up_from_a_lower_layer():
    upward = [f"{src} ({layer(src)}) imports {dst} ({layer(dst)}), line {line}"
              for src, dst, _, line in imports() if RANK[layer(dst)] > RANK[layer(src)]]
    assert upward == []


def test_no_import_circle():
    graph = defaultdict(set)
    for src, dst, _, _ in imports():
        if src != dst:
            graph[src].add(dst)
    # Tarjan's strongly connected components: any component of 2+ modules is a circle
    index, low, stack, on_stack, circles = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for module in sorted(MODULES):
        if module not in index:
            visit(module)
    assert circles == []


def cross_folder_private_imports() -> list[str]:
    """Imports of a private module or name from outside the folder that owns it.

    A private module (``kernels/_ties.py``) or a private name of a module (``_links`` of
    ``kernels/spatial/_common.py``) serves the folder it stands in (its ``__init__.py``
    too) and the folders below it; any other importer is across folders.
    """
    found = []
    for src, dst, name, line in imports():
        parts = dst.split(".")
        owner = None
        for i, part in enumerate(parts):
            if _private(part):
                owner = ".".join(parts[:i])
                break
        if owner is None and name is not None and _private(name):
            owner = dst if MODULES[dst] else dst.rpartition(".")[0]
        if owner is not None and src != owner and not src.startswith(owner + "."):
            found.append(f"{src} line {line}: {dst}" + (f".{name}" if name else ""))
    return found


def test_no_private_name_is_imported_from_another_folder():
    assert cross_folder_private_imports() == []


@pytest.mark.parametrize("forbidden", ["mixing.io", "mixing.geometry", "mixing.catalogue"])
def test_kernels_import_neither_readers_nor_geometry_nor_the_catalogue(forbidden):
    found = [f"{src} line {line}: {dst}" for src, dst, _, line in imports()
             if layer(src) == "kernels"
             and (dst == forbidden or dst.startswith(forbidden + "."))]
    assert found == []


def test_the_kernels_load_without_geopandas():
    kernels = sorted(m for m in MODULES if m == "mixing.kernels" or
                     m.startswith("mixing.kernels."))
    code = ("import importlib, sys\n"
            f"for name in {kernels!r}:\n"
            "    importlib.import_module(name)\n"
            "print(sorted(m for m in ('geopandas', 'shapely', 'folium') "
            "if m in sys.modules))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=REPO, env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
    assert "mixing.kernels.autocorr" in kernels and "mixing.kernels" in kernels


def test_the_graph_reader_sees_the_imports_it_judges():
    """The reader finds known imports, late ones included, and a known private one."""
    seen = {(src, dst) for src, dst, _, _ in imports()}
    assert ("mixing.catalogue", "mixing.kernels.aspatial") in seen  # from pkg import module
    assert ("mixing.viz.maps", "mixing.viz.explorer") in seen  # inside a function
    assert ("mixing.geometry.weights", "mixing.io.files") in seen
    private = [(src, dst, name) for src, dst, name, _ in imports()
               if name and _private(name)]
    assert ("mixing.kernels.spatial.evenness", "mixing.kernels.aspatial", "_dissim") in private
