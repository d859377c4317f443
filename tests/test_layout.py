"""The house keeps its shape: no import circle, the command line on top, a pure core, short
functions. Read from the source with `ast`, so a lazy import inside a function counts too."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("firmware", "display_driver", "ticket_printer", "mqtt_bridge")
HARDWARE_AND_NETWORK = ("pygame", "paho", "gpiozero", "escpos", "serial", "usb", "sqlite3",
                        "sqlite_utils", "socket", "subprocess")
LONGEST_FUNCTION = 60


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


MODULES = _modules()


def _imported(path: Path, name: str) -> Iterator[str]:
    """Every module `path` imports, anywhere in the file, as dotted names."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def _graph() -> dict[str, set[str]]:
    """Module -> the project modules it imports (a submodule also runs its packages)."""
    graph: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        targets = set()
        for target in _imported(path, name):
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            parts = target.split(".")
            targets.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
        targets.discard(name)
        graph[name] = {t for t in targets if t in MODULES and not name.startswith(t + ".")}
    return graph


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))
    return groups


def test_the_tarjan_search_finds_a_circle_when_there_is_one() -> None:
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _circles({"a": {"b"}, "b": set()}) == []


def test_no_module_imports_itself_back_through_others() -> None:
    circles = _circles(_graph())
    assert circles == [], "import circles: " + "; ".join(" <-> ".join(c) for c in circles)


def test_only_the_command_line_imports_the_command_line() -> None:
    wrong = {name: sorted(t for t in targets if t.startswith("firmware.cli"))
             for name, targets in _graph().items() if not name.startswith("firmware.cli")}
    assert {k: v for k, v in wrong.items() if v} == {}


def test_the_core_imports_no_hardware_or_network_library() -> None:
    for name, path in MODULES.items():
        if not name.startswith("firmware.core"):
            continue
        roots = {target.split(".")[0] for target in _imported(path, name)}
        assert not roots & set(HARDWARE_AND_NETWORK), f"{name} imports {roots}"


def test_every_function_fits_on_a_screen() -> None:
    long = []
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1  # type: ignore[operator]
                if length > LONGEST_FUNCTION:
                    long.append(f"{name}.{node.name}: {length} lines")
    assert long == []


def test_each_role_has_one_package_and_the_top_holds_only_what_roles_share() -> None:
    for role in ("controller", "kiosk", "display", "room", "alarm", "feedback", "web",
                 "announcer"):
        assert f"firmware.{role}.role" in MODULES
        assert f"firmware.{role}.declaration" in MODULES  # how the rest of the program sees it
    top = sorted(path.stem for path in (ROOT / "firmware").glob("*.py"))
    assert top == ["__init__", "broker", "clock", "device", "roles", "runtime", "screen",
                   "signals", "site_model", "speech", "threads"]


def _top_level_imports(folder: str) -> set[str]:
    """The top-level packages that the modules in `folder` import, anywhere in the file."""
    found: set[str] = set()
    for path in sorted((ROOT / folder).rglob("*.py")):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        found.update(target.split(".")[0] for target in _imported(path, name) if target)
    return found


def test_tests_and_benchmarks_share_testkit_and_import_not_each_other() -> None:
    assert "bench" not in _top_level_imports("tests")
    assert "tests" not in _top_level_imports("bench")
    assert not {"tests", "bench"} & _top_level_imports("testkit")


def test_the_flows_are_pure_and_the_room_unit_reaches_into_no_other_role() -> None:
    for flow in ("firmware.kiosk.flow", "firmware.feedback.flow", "firmware.room.flow",
                 "firmware.alarm.flow"):
        roots = {target.split(".")[0] for target in _imported(MODULES[flow], flow)}
        assert not roots & set(HARDWARE_AND_NETWORK), f"{flow} imports {roots}"
    others = ("controller", "kiosk", "display", "feedback", "web", "announcer", "central")
    reached = {name: sorted(t for t in targets if t.split(".")[:2][-1] in others
                            and t.startswith("firmware."))
               for name, targets in _graph().items() if name.startswith("firmware.room")}
    assert {k: v for k, v in reached.items() if v} == {}


MUTABLE = {"dict", "list", "set", "OrderedDict", "defaultdict", "deque", "Counter"}


def test_no_module_keeps_state_of_its_own() -> None:
    """State lives on the objects that own it (a role, a console), never in a module: two
    controllers in one process (the demo, a test) must not share a room's last change, two
    consoles not their months. UPPER_CASE names are the modules' constant tables."""
    found = []
    for folder in ("firmware", "mqtt_bridge", "display_driver", "ticket_printer"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.parse(path.read_text()).body:
                if not isinstance(node, ast.Assign | ast.AnnAssign) or node.value is None:
                    continue
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names = [t.id for t in targets if isinstance(t, ast.Name)
                         and not t.id.isupper() and t.id != "__all__"]
                if names and _mutable(node.value):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} {names[0]}")
    assert not found, found


def _mutable(value: ast.expr) -> bool:
    if isinstance(value, ast.Dict | ast.List | ast.Set):
        return True
    func = value.func if isinstance(value, ast.Call) else None
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
    return name in MUTABLE
