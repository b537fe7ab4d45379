"""The shape of the code (issue 16, STYLE "A cell is a module, not a fork"): no two rnnstep modules import
each other. The import graph is read from the source with `ast`, imports inside functions included (a lazy
import is still a dependency), so a pair that hides its cycle behind a function-level import is caught too.
Names imported only for annotations (under ``if TYPE_CHECKING:``) are not imports: nothing runs them."""

import ast
from pathlib import Path

import rnnstep

PACKAGE = Path(rnnstep.__file__).parent

#: pairs being taken apart on other branches (each must still be a cycle, else drop it). None now: the tape's
#: records live in terms.py, and build.py, above the tapes and the methods, chooses the tape and the method.
IN_FLIGHT: set[str] = set()


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def all_modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imported_modules(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """Every rnnstep module `name` imports: `import a.b`, `from a import b` (b a module or a name in a),
    `from .b import c`, `from .. import b`, at any depth of the file."""
    is_package = path.name == "__init__.py"
    package = name if is_package else name.rpartition(".")[0]
    found: set[str] = set()
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in modules:
                    found.add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                submodule = f"{target}.{alias.name}"
                if submodule in modules:
                    found.add(submodule)
                elif target in modules:
                    found.add(target)
    found.discard(name)
    return found


def _is_type_checking(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
        or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"))


def _runtime_nodes(tree: ast.AST):
    """Every node of the tree but those under ``if TYPE_CHECKING:`` (its ``else:`` runs, and is kept)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        if _is_type_checking(node):
            stack.extend(node.orelse)
        else:
            stack.extend(ast.iter_child_nodes(node))


def import_graph() -> dict[str, set[str]]:
    modules = all_modules()
    return {name: imported_modules(name, path, modules) for name, path in modules.items()}


def test_the_graph_reader_sees_relative_absolute_and_lazy_imports():
    graph = import_graph()
    # Known edges of each kind, chosen from modules whose job makes the import certain.
    assert "rnnstep.tape" in graph["rnnstep.render.json"]  # a printer reads the tape
    assert any(name.startswith("rnnstep.tui") for name in graph["rnnstep.commands.open"])  # the UI, imported lazily
    assert len(graph) > 100


def test_no_two_modules_import_each_other():
    graph = import_graph()
    pairs = sorted(
        f"{first} <-> {second}"
        for first, imported in graph.items()
        for second in imported
        if first < second and first in graph.get(second, set())
    )
    assert not [p for p in pairs if p not in IN_FLIGHT], "modules that import each other:\n" + "\n".join(pairs)
    assert not IN_FLIGHT - set(pairs), f"no longer a cycle, drop it from IN_FLIGHT: {sorted(IN_FLIGHT - set(pairs))}"


def import_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of any length (a → b → c → a), as the modules along it, or None: a depth-first walk that
    meets a module still on its path."""
    done: set[str] = set()
    for start in sorted(graph):
        if start in done:
            continue
        path, on_path = [start], {start}
        branches = [iter(sorted(graph[start]))]
        while branches:
            following = next((m for m in branches[-1] if m in graph and m not in done), None)
            if following is None:
                done.add(path[-1])
                on_path.discard(path.pop())
                branches.pop()
            elif following in on_path:
                return path[path.index(following):] + [following]
            else:
                path.append(following)
                on_path.add(following)
                branches.append(iter(sorted(graph[following])))
    return None


def test_no_import_cycle_of_any_length():
    """A pair is the common case; three modules in a ring (a lazy import closing it) are as tangled."""
    graph = import_graph()
    in_flight = {tuple(p.split(" <-> ")) for p in IN_FLIGHT}
    for first, second in in_flight:  # those pairs are counted above
        graph[first] = graph[first] - {second}
        graph[second] = graph[second] - {first}
    cycle = import_cycle(graph)
    assert cycle is None, "modules that import each other round a ring: " + " -> ".join(cycle)


def test_a_ring_of_three_is_found():
    ring = {"a": {"b"}, "b": {"c", "d"}, "c": {"a"}, "d": set()}
    assert import_cycle(ring) == ["a", "b", "c", "a"]
    assert import_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None  # a diamond is no cycle


def test_the_tape_knows_neither_the_gated_tape_nor_the_methods_that_run_over_it():
    """build.py chooses the tape class and the method run (issue 16); tape.py, the plain cell's BPTT, imports
    neither, lazily or not, so the gated tape and TBPTT can build on it without a cycle coming back."""
    graph = import_graph()
    above = {"rnnstep.build", "rnnstep.gated_tape", "rnnstep.methods.tbptt", "rnnstep.methods.rtrl"}
    assert not graph["rnnstep.tape"] & above
    assert above - {"rnnstep.build"} <= graph["rnnstep.build"]


def test_an_import_cycle_is_found_and_named(tmp_path):
    """The check itself: two modules importing each other (one lazily, in a function) are reported."""
    modules = {"pkg.first": tmp_path / "first.py", "pkg.second": tmp_path / "second.py", "pkg.typed": tmp_path / "t.py"}
    modules["pkg.first"].write_text("from .second import thing\n")
    modules["pkg.second"].write_text("def later():\n    from . import first\n    return first\n")
    modules["pkg.typed"].write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .first import x\n")
    assert imported_modules("pkg.first", modules["pkg.first"], modules) == {"pkg.second"}
    assert imported_modules("pkg.second", modules["pkg.second"], modules) == {"pkg.first"}
    assert imported_modules("pkg.typed", modules["pkg.typed"], modules) == set()


def reached(graph: dict[str, set[str]], start: str) -> set[str]:
    """Every module ``start`` imports, directly or through others (lazily too)."""
    seen, stack = set(), [start]
    while stack:
        for following in graph.get(stack.pop(), set()) - seen:
            seen.add(following)
            stack.append(following)
    return seen


def test_the_plain_drill_and_the_engine_reach_no_textual_module():
    """navigation.py (breakpoints, notes, goto: pure functions of a tape) is no Textual module: the plain drill's
    `note` reads the step's notes from it without reaching into tui/, so `drill --plain` loads no UI."""
    graph = import_graph()
    for start in ("rnnstep.drill.plain", "rnnstep.drill.notes", "rnnstep.navigation", "rnnstep.commands.trace"):
        assert not {m for m in reached(graph, start) if m.startswith("rnnstep.tui")}, start


def test_the_command_line_imports_each_command_only_when_it_runs():
    """cli.py parses and dispatches; the commands (rnnstep/commands/) and what they drive load when one runs."""
    graph = import_graph()
    assert not {m for m in reached(graph, "rnnstep.cli") if m.startswith(("rnnstep.tui", "rnnstep.drill"))}
    assert any(name.startswith("rnnstep.drill") for name in reached(graph, "rnnstep.commands.drill"))
