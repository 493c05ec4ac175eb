"""The apps depend on each other one way, downward, and no cycle hides in a function's import.

Read from the source (every ``import`` and ``from … import``, at module level, inside functions,
under ``TYPE_CHECKING``), so that a new module or a new app is checked without anyone adding it
here, except a new app: it must be given its place in ``LAYERS`` first.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import relais

ROOT = Path(relais.__file__).parent

# Top to bottom: an app may import only the apps of the layers below its own (not its peers).
# ``bulk`` is the fenced fast path: beside the kernel, used by the domain apps that need it.
LAYERS: list[set[str]] = [
    {"portal", "api", "reporting", "demo"},
    {"integrations"},
    {"challenges", "network"},
    {"training", "surveys"},
    {"engagement"},
    {"commissions"},
    {"routing"},
    {"leads"},
    {"partners"},
    {"accounts"},
    {"bulk"},
    {"core"},
]
RANK = {app: rank for rank, layer in enumerate(LAYERS) for app in layer}
# Test support may import every app (it builds their objects), but not the demo, which sits on
# top of them all; no app may import test support.
TESTING = "testing"
NOT_FOR_TESTING = {"demo"}


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, dotted
    path: Path
    line: int
    target: str  # the imported module or name, dotted
    in_function: bool


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_test(path: Path) -> bool:
    return "tests" in path.relative_to(ROOT).parts or path.name.startswith("test_")


def _imports(path: Path, source: str | None = None) -> Iterator[Import]:
    module = _module_name(path)

    def walk(node: ast.AST, in_function: bool) -> Iterator[Import]:
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            targets: list[str] = []
            if isinstance(child, ast.Import):
                targets = [alias.name for alias in child.names]
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                # ``from relais.x import y``: y may be a module (relais.x.y) or a name in relais.x
                targets = [f"{child.module}.{alias.name}" for alias in child.names]
            for target in targets:
                if target.split(".")[0] == "relais":
                    yield Import(module, path, child.lineno, target, inside)
            yield from walk(child, inside)

    text = path.read_text(encoding="utf-8") if source is None else source
    yield from walk(ast.parse(text), False)


def _code() -> Iterator[Path]:
    """Every module of the project but the tests (which may import anything)."""
    for path in sorted(ROOT.rglob("*.py")):
        if not _is_test(path):
            yield path


def _app(dotted: str) -> str | None:
    """The app a dotted name belongs to; None for the project's own modules (settings, urls)."""
    parts = dotted.split(".")
    if len(parts) < 2 or parts[0] != "relais" or not (ROOT / parts[1]).is_dir():
        return None
    return parts[1]


def _wrong_way(found: Import) -> str | None:
    """Why this import goes against the layers, or None when it does not."""
    source = _app(found.module)
    target = _app(found.target)
    if source is None or target is None or source == target:
        return None  # settings, urls, wsgi: the project's own wiring, above every app
    if target == TESTING:
        return "no app imports the test support"
    if source == TESTING:
        return "the test support must not import the demo" if target in NOT_FOR_TESTING else None
    for app in (source, target):
        if app not in RANK:
            return f"the app {app!r} has no place in LAYERS yet"
    if RANK[target] <= RANK[source]:  # LAYERS runs top to bottom
        return f"{source} may import only the layers below it, not {target}"
    return None


def test_every_import_points_down_the_layers():
    wrong = [
        f"{found.path.relative_to(ROOT.parent)}:{found.line} imports {found.target}: {why}"
        for path in _code()
        for found in _imports(path)
        if (why := _wrong_way(found))
    ]
    assert wrong == []


def _resolve(target: str, modules: set[str]) -> str | None:
    """The module an import loads: the longest dotted prefix that is one of ours."""
    parts = target.split(".")
    while parts:
        if ".".join(parts) in modules:
            return ".".join(parts)
        parts.pop()
    return None


def _loaded_with(module: str, modules: set[str]) -> set[str]:
    """A module and the packages Python imports before it (``a.b`` for ``a.b.c``)."""
    parts = module.split(".")
    return {".".join(parts[:n]) for n in range(2, len(parts) + 1)} & modules


def _reachable(start: str, edges: dict[str, set[str]]) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for nxt in edges.get(todo.pop(), set()) - seen:
            seen.add(nxt)
            todo.append(nxt)
    return seen


def _tasks_idiom(a: str, b: str) -> bool:
    """A service queues its task and the task, taking an id, calls the service back: one of the
    two imports made inside a function is the usual way to let both exist (the styleguide's own),
    so long as both modules are in one app."""
    return _app(a) == _app(b) and "tasks" in (a.rsplit(".", 1)[-1], b.rsplit(".", 1)[-1])


def _graph(found: list[Import], modules: set[str]) -> dict[str, set[str]]:
    """Which module loads which, at module level or inside a function, the tasks idiom aside."""
    edges: dict[str, set[str]] = {}
    for i in found:
        target = _resolve(i.target, modules)
        if target is None or target == i.module:
            continue
        if i.in_function and _tasks_idiom(i.module, target):
            continue
        # Loading a.b.c runs a.b's __init__ first, unless the importer is in a.b (already run).
        loaded = _loaded_with(target, modules) - _loaded_with(i.module, modules)
        edges.setdefault(i.module, set()).update(loaded)
    return edges


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that import each other, each sorted (a few hundred modules: the
    plain way, every module's reach, is fast enough)."""
    reach = {module: _reachable(module, edges) for module in edges}
    groups = {frozenset({m, *(o for o in reach[m] if m in reach.get(o, set()))}) for m in reach}
    return sorted(sorted(group) for group in groups if len(group) > 1)


# Cycles still to break; this test fails when one is gone too, so that the entry goes with it.
# (contracts ↔ status was the last: the documents' reads moved to partners/selectors.py.)
KNOWN_CYCLES: list[list[str]] = []


def test_no_import_cycle_hides_in_a_function():
    found = [i for path in _code() for i in _imports(path)]
    modules = {_module_name(path) for path in _code()}
    assert _cycles(_graph(found, modules)) == KNOWN_CYCLES


def test_the_check_sees_an_import_inside_a_function_against_the_layers():
    # The check itself, on a made-up leads module calling routing from inside a function.
    source = "def count():\n    from relais.routing.models import KpiMonth\n"
    [found] = _imports(ROOT / "leads" / "made_up.py", source)
    assert found.in_function
    assert _wrong_way(found) == "leads may import only the layers below it, not routing"


def test_the_check_refuses_the_demo_in_the_test_support_and_the_test_support_in_an_app():
    [demo] = _imports(ROOT / "testing" / "made_up.py", "from relais.demo.leads import x\n")
    [support] = _imports(ROOT / "leads" / "made_up.py", "import relais.testing.factories\n")
    assert _wrong_way(demo) == "the test support must not import the demo"
    assert _wrong_way(support) == "no app imports the test support"


def test_the_cycle_check_finds_modules_importing_each_other_through_others():
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set()}
    assert _cycles(edges) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": {"c"}}) == []


def test_a_service_and_its_task_may_call_each_other_through_a_function_level_import():
    source = "def run():\n    from relais.leads.imports import run\n"
    found = list(_imports(ROOT / "leads" / "tasks.py", source))
    found += list(_imports(ROOT / "leads" / "imports.py", "from relais.leads.tasks import a\n"))
    modules = {"relais.leads", "relais.leads.tasks", "relais.leads.imports"}
    assert _cycles(_graph(found, modules)) == []
    found += list(_imports(ROOT / "leads" / "tasks.py", "from relais.leads.imports import run\n"))
    assert _cycles(_graph(found, modules)) == [["relais.leads.imports", "relais.leads.tasks"]]
