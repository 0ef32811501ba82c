"""The package's layout rules, read from its own imports (ast, nothing imported).

One wing per stage of the data's way: api -> load -> writeback / reports ->
accessor / cli. No import circles between modules; a lower wing never imports
a higher one (nor writeback and reports each other); the shared root modules
import no wing; only api talks HTTP; across wings only public names are used.
Every import counts, also one inside a function or under TYPE_CHECKING: a
lazy import that closes a circle is still a circle in the design.

The checker runs on the real package and on small packages written here with
each fault, so that it is shown to find what it looks for.
"""

from __future__ import annotations

import ast
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "beebole_pandas"

#: Rank of each wing: a module may import wings of a lower rank only (and its own).
WING_RANK = {"api": 0, "load": 1, "writeback": 2, "reports": 2}
#: Root modules every wing shares: they import no wing and nothing above them.
SHARED = {"errors", "schema", "frames", "export_keys", "periods"}
#: Modules that talk HTTP to Beebole; only the api wing may import them.
HTTP_MODULES = {"requests", "requests_cache", "urllib3", "http", "socket"}


@dataclass
class Imports:
    """What one module imports: modules of the package, external top names, and
    the names it takes from other modules of the package (``(module, name)``)."""

    modules: set[str] = field(default_factory=set)
    external: set[str] = field(default_factory=set)
    names: set[tuple[str, str]] = field(default_factory=set)


def module_names(root: Path) -> dict[str, Path]:
    """Dotted name -> file, for every module of the package at ``root``."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def read_imports(name: str, path: Path, modules: dict[str, Path]) -> Imports:
    is_package = path.name == "__init__.py"
    found = Imports()
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    aliases: dict[str, str] = {}  # local name -> package module it names
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in modules:
                    found.modules.add(alias.name)
                    aliases[alias.asname or alias.name] = alias.name
                else:
                    found.external.add(alias.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name if is_package else name.rpartition(".")[0]
                for _ in range(node.level - 1):
                    base = base.rpartition(".")[0]
                source = f"{base}.{node.module}" if node.module else base
            else:
                source = node.module or ""
            if source not in modules:
                found.external.add(source.split(".")[0])
                continue
            for alias in node.names:
                child = f"{source}.{alias.name}"
                if child in modules:  # `from pkg import module`
                    found.modules.add(child)
                    aliases[alias.asname or alias.name] = child
                else:
                    found.modules.add(source)
                    found.names.add((source, alias.name))
    # `module._private` through a module imported by name
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
        ):
            found.names.add((aliases[node.value.id], node.attr))
    found.modules.discard(name)
    return found


def wing_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in WING_RANK else None


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import circles: each strongly connected group of modules, as one
    circle through it (Tarjan, then a path back to the start)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def visit(start: str) -> None:  # iterative, so deep graphs do not recurse
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = set()
                    while True:
                        top = stack.pop()
                        on_stack.discard(top)
                        group.add(top)
                        if top == node:
                            break
                    if len(group) > 1:
                        groups.append(group)
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(graph.get(child, ())))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])

    for node in sorted(graph):
        if node not in index:
            visit(node)
    out = []
    for group in groups:
        start = min(group)
        path, seen = [start], {start}
        while True:  # walk inside the group until back at the start
            nxt = sorted(d for d in graph[path[-1]] if d in group)
            back = start in nxt
            if back:
                out.append([*path, start])
                break
            step = next((d for d in nxt if d not in seen), nxt[0])
            path.append(step)
            seen.add(step)
    return out


def layout_faults(root: Path) -> list[str]:
    """Every broken layout rule of the package at ``root``, one line each."""
    modules = module_names(root)
    top = root.name
    imports = {name: read_imports(name, path, modules) for name, path in modules.items()}
    graph = {name: found.modules for name, found in imports.items()}
    faults = ["circle: " + " -> ".join(c) for c in circles(graph)]
    for name, found in sorted(imports.items()):
        here = wing_of(name)
        short = name.split(".")[1] if "." in name else ""
        for target in sorted(found.modules):
            there = wing_of(target)
            if there is None:
                if target.startswith(f"{top}.sandbox") and (here or short in SHARED):
                    faults.append(f"sandbox: {name} imports {target}")
                continue
            if short in SHARED:
                faults.append(f"shared: {name} imports the {there} wing ({target})")
            elif here is not None and here != there and WING_RANK[there] >= WING_RANK[here]:
                faults.append(f"upward: {name} ({here}) imports {target} ({there})")
            elif name.startswith(f"{top}.sandbox") and there is not None and target != name:
                faults.append(f"sandbox: {name} imports {target}")
        if here != "api" and not name.startswith(f"{top}.sandbox"):
            for external in sorted(found.external & HTTP_MODULES):
                faults.append(f"http: {name} imports {external} (only the api wing talks HTTP)")
        for source, taken in sorted(found.names):
            there = wing_of(source)
            private = taken.startswith("_") and not taken.startswith("__")
            if there is not None and there != here and private:
                faults.append(f"private: {name} uses {source}.{taken}")
    return faults


def test_the_package_keeps_its_layout():
    assert layout_faults(PACKAGE) == []


def test_the_wings_are_there_with_a_stated_purpose():
    for wing in WING_RANK:
        init = PACKAGE / wing / "__init__.py"
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and f"The {wing} wing" in doc, f"{init} should say what the wing does"
        assert "Offered" in doc, f"{init} should say what the wing offers to the others"


def test_the_import_graph_is_read_in_full():
    # The checker must see lazy imports and `from pkg import module` edges, or it
    # would pass on a package whose circles hide inside functions.
    modules = module_names(PACKAGE)
    graph = {n: read_imports(n, p, modules).modules for n, p in modules.items()}
    assert "beebole_pandas.writeback.push" in graph["beebole_pandas.accessor"]  # lazy
    assert "beebole_pandas.load.parse_csv" in graph["beebole_pandas.load.parse"]  # lazy
    assert "beebole_pandas.api.client" in graph["beebole_pandas.load.entities"]
    assert len(modules) >= 50


def _write(root: Path, files: dict[str, str]) -> Path:
    package = root / "pkg"
    for rel, text in files.items():
        path = package / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    for folder in [package, *[p for p in package.rglob("*") if p.is_dir()]]:
        (folder / "__init__.py").touch()
    return package


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (  # a circle closed by a lazy import inside a function
            {
                "load/a.py": "from .b import x\n",
                "load/b.py": "x = 1\ndef f():\n    from .a import y\n",
            },
            ["circle: pkg.load.a -> pkg.load.b -> pkg.load.a"],
        ),
        (  # a circle through `from . import module`
            {"api/a.py": "from . import b\n", "api/b.py": "from . import a\n"},
            ["circle: pkg.api.a -> pkg.api.b -> pkg.api.a"],
        ),
        (  # api importing load, under TYPE_CHECKING too
            {
                "api/client.py": "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n    from ..load.things import Thing\n",
                "load/things.py": "Thing = 1\n",
            },
            ["upward: pkg.api.client (api) imports pkg.load.things (load)"],
        ),
        (  # writeback and reports are siblings
            {"writeback/p.py": "from ..reports import tables\n", "reports/tables.py": ""},
            ["upward: pkg.writeback.p (writeback) imports pkg.reports.tables (reports)"],
        ),
        (  # a shared root module importing a wing
            {"frames.py": "from .load.x import y\n", "load/x.py": "y = 1\n"},
            ["shared: pkg.frames imports the load wing (pkg.load.x)"],
        ),
        (  # HTTP outside the api wing
            {"load/x.py": "import requests\n"},
            ["http: pkg.load.x imports requests (only the api wing talks HTTP)"],
        ),
        (  # another wing's private helper, by name and through the module
            {
                "load/entities.py": "_getter = 1\n_listed = 2\n",
                "writeback/state.py": "from ..load.entities import _getter\n"
                "from ..load import entities\nz = entities._listed\n",
            },
            [
                "private: pkg.writeback.state uses pkg.load.entities._getter",
                "private: pkg.writeback.state uses pkg.load.entities._listed",
            ],
        ),
        (  # the emulator is independent of the client's wings
            {"sandbox/export.py": "from ..load.parse import x\n", "load/parse.py": "x = 1\n"},
            ["sandbox: pkg.sandbox.export imports pkg.load.parse"],
        ),
        (  # allowed: downward, shared, own wing, public names
            {
                "errors.py": "class E(Exception): pass\n",
                "api/client.py": "from ..errors import E\n",
                "load/entities.py": "from ..api.client import x\nfrom . import scopes\n",
                "load/scopes.py": "x = 1\n",
                "reports/tables.py": "def f():\n    from ..load.entities import people\n",
                "accessor.py": "from .writeback import push\nfrom .reports import tables\n",
                "writeback/push.py": "from ..load import entities\nentities.people\n",
            },
            [],
        ),
    ],
)
def test_the_checker_finds_each_fault(tmp_path, files, expected):
    assert layout_faults(_write(tmp_path, files)) == expected
