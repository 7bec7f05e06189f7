"""The rooms of the house and the way data flows between them, checked by walking every import.

Data flows down once: wizard -> engine -> store -> page/PDF. Every `import` in app/ (module level or
inside a function) is read from the source, so a late import cannot hide an arrow pointing back up.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app"
# Longest module the web layer keeps: past this a file does more than one job.
MAX_WEB_MODULE_LINES = 400
# What each room may import of the app besides itself; a room not listed may import anything below web.
ALLOWED = {
    "app.questionnaire": set(),  # a leaf: the questions as data and their wording
    "app.advisor": {"app.questionnaire"},  # the pure engine reads only the questionnaire
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(APP.rglob("*.py"))}


def imports_of(name: str) -> set[str]:
    """The app modules `name` imports, anywhere in its source (submodules resolved, `from app import x`
    counted as app.x when x is a module)."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.add(candidate if candidate in MODULES else base)
    return {module for module in found if module in MODULES and module != name}


GRAPH = {name: imports_of(name) for name in MODULES}


def room(name: str) -> str:
    return ".".join(name.split(".")[:2])


def test_the_walk_sees_the_imports_it_should():
    # A guard on the walker itself: if it read nothing, every check below would pass trivially.
    assert "app.advisor.recommend" in GRAPH["app.advisor"]
    assert "app.questionnaire.loader" in GRAPH["app.questionnaire"]
    assert "app.web.render" in GRAPH["app.web.wizard"]


def test_nothing_outside_the_web_layer_imports_it():
    upward = sorted(f"{name} imports {target}" for name, targets in GRAPH.items() if room(name) != "app.web"
                    for target in targets if room(target) == "app.web" and name != "app.main")
    assert upward == []


@pytest.mark.parametrize("checked", sorted(ALLOWED))
def test_the_lower_rooms_import_only_what_lies_below_them(checked):
    outside = sorted(f"{name} imports {target}" for name, targets in GRAPH.items() if room(name) == checked
                     for target in targets if room(target) not in ALLOWED[checked] | {checked})
    assert outside == []


def test_no_module_imports_itself_back_through_others():
    cycles = []
    state: dict[str, str] = {}

    def visit(name: str, path: list[str]) -> None:
        state[name] = "open"
        for target in sorted(GRAPH[name]):
            if state.get(target) == "open":
                cycles.append(" -> ".join(path[path.index(target):] + [target]))
            elif target not in state:
                visit(target, [*path, target])
        state[name] = "done"

    for name in sorted(GRAPH):
        if name not in state:
            visit(name, [name])
    assert cycles == []


@pytest.mark.parametrize("name", sorted(n for n in MODULES if room(n) == "app.web"))
def test_web_modules_stay_small(name):
    lines = len(MODULES[name].read_text().splitlines())
    assert lines <= MAX_WEB_MODULE_LINES, f"{name} has {lines} lines: split it by noun"
