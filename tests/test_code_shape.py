"""The shape of the code: no import circle, no private name imported, small classes and functions.

Read from the source with `ast`, so it runs in CI beside the tests it keeps easy to change.
"""

from __future__ import annotations

import ast
import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from cft_audio.schema import FIELDS, BedSample, Request, VoiceSample

PACKAGE = Path(__file__).resolve().parent.parent / "cft_audio"
MAX_CLASS_LINES = 200
MAX_FUNCTION_LINES = 60


def _modules() -> dict[str, ast.Module]:
    return {_dotted(path): ast.parse(path.read_text(encoding="utf-8"), str(path))
            for path in sorted(PACKAGE.rglob("*.py"))}


def _dotted(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_package(module: str) -> bool:
    return (PACKAGE.parent / module.replace(".", "/") / "__init__.py").exists()


def _imports(module: str, tree: ast.Module) -> Iterator[tuple[str, ast.ImportFrom | ast.Import]]:
    """(imported module, node) for every import of this package, at any depth."""
    base = module if _is_package(module) else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("cft_audio"):
                    yield alias.name, node
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = base.split(".")
                target = ".".join(parts[: len(parts) - node.level + 1] + [node.module or ""])
            else:
                target = node.module or ""
            if target.startswith("cft_audio"):
                yield target.rstrip("."), node


MODULES = _modules()


def _resolve(target: str, name: str) -> str:
    """`from target import name`: the module named, when `name` is itself a module."""
    return f"{target}.{name}" if f"{target}.{name}" in MODULES else target


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for module, tree in MODULES.items():
        for target, node in _imports(module, tree):
            names = node.names if isinstance(node, ast.ImportFrom) else []
            found = {_resolve(target, a.name) for a in names} or {target}
            graph[module] |= {t for t in found if t in MODULES and t != module}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def _package_parent(module: str) -> str:
    return module if _is_package(module) else module.rpartition(".")[0]


def test_no_import_circle() -> None:
    graph = _graph()
    # a package's __init__ re-exporting its modules is not a circle of meaning
    for module in graph:
        if _is_package(module):
            graph[module] = set()
    assert _cycles(graph) == []


def test_no_private_name_imported_from_another_module() -> None:
    found = [f"{module}: {target}.{alias.name}"
             for module, tree in MODULES.items()
             for target, node in _imports(module, tree) if isinstance(node, ast.ImportFrom)
             for alias in node.names
             if alias.name.startswith("_") and not alias.name.startswith("__")]
    assert found == []


def _sizes(kind: type) -> Iterator[tuple[str, int]]:
    for module, tree in MODULES.items():
        for node in ast.walk(tree):
            if isinstance(node, kind):
                yield f"{module}.{node.name}", node.end_lineno - node.lineno + 1


@pytest.mark.parametrize(("kind", "limit"), [(ast.ClassDef, MAX_CLASS_LINES),
                                             (ast.FunctionDef, MAX_FUNCTION_LINES),
                                             (ast.AsyncFunctionDef, MAX_FUNCTION_LINES)])
def test_no_long_class_or_function(kind: type, limit: int) -> None:
    assert [f"{name} ({lines} lines)" for name, lines in _sizes(kind) if lines > limit] == []


RANGE_IN_WORDS = re.compile(r"[-−]?\d+(\.\d+)?\s*(to|–)\s*[-−]?\d+")
""""3 to 60", "−30 to 6": a range written out by hand."""


def _help_texts() -> Iterator[tuple[str, str]]:
    """(where, text) for every click `help=` literal and every field's help, hint and column
    wording as declared (before the schema fills in {choices} and {span})."""
    for module, tree in MODULES.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg == "help":
                yield module, _literal(node.value)
    for kind in (Request, VoiceSample, BedSample):
        for field in dataclasses.fields(kind):
            declared = field.metadata["spec"]
            for part in (declared.web, declared.column):
                yield field.name, getattr(part, "hint", "") + getattr(part, "allowed", "")
            yield field.name, declared.help


def _literal(node: ast.expr) -> str:
    """The text of a string literal or f-string's literal parts ("" for anything else)."""
    return "".join(part.value for part in ast.walk(node)
                   if isinstance(part, ast.Constant) and isinstance(part.value, str))


def test_no_range_written_out_in_help() -> None:
    """Bounds live in the declaration; help, hints and errors format them ({span})."""
    assert [(where, text) for where, text in _help_texts() if RANGE_IN_WORDS.search(text)] == []


def test_no_choice_list_written_out_in_help() -> None:
    """Help naming three of a field's values (or both of two) takes them from it ({choices});
    a value given with its own figure ("long ≈ 20") is described, not listed."""
    found = []
    for where, text in _help_texts():
        for spec in FIELDS:
            named = [v for v in spec.values  # "short ≈ 4½ min": a value described, not listed
                     if re.search(rf"(?<![\w-]){re.escape(v)}(?![\w-])(?!\s*≈)", text,
                                  re.IGNORECASE)]
            if spec.values and len(named) >= min(3, len(spec.values)):
                found.append((where, spec.key, named))
    assert found == []


PRIVATE_POOL = "_" + "processes"
"""ProcessPoolExecutor's private table of workers, spelt so this file does not name it."""


def test_no_private_pool_attribute_anywhere() -> None:
    """No PRIVATE_POOL (a private attribute) in the package, its tests or benchmarks: not read,
    not by getattr, not in any string."""
    root = PACKAGE.parent
    found = [str(path.relative_to(root))
             for folder in ("cft_audio", "tests", "benchmarks")
             for path in sorted((root / folder).rglob("*.py"))
             if PRIVATE_POOL in path.read_text(encoding="utf-8")]
    assert found == []


_CLOCK = re.compile(r"\}:\{[^}]*:02d\}|%d:%02d|divmod\([^)]*,\s*60\)")
"""A minutes-and-seconds clock written out by hand (f-string, %-format or divmod by 60)."""


def test_one_clock_formatter() -> None:
    sources = [p for p in sorted(PACKAGE.rglob("*")) if p.suffix in (".py", ".html", ".j2")]
    found = [str(p.relative_to(PACKAGE)) for p in sources
             if p.name != "clock.py" and _CLOCK.search(p.read_text(encoding="utf-8"))]
    assert found == []  # cft_audio/clock.py formats every duration people read


def test_engines_are_opened_only_through_the_registry() -> None:
    """No module imports an engine's module (but `voices add`, which asks hibari's whether
    a file is a hibari model): profiles are opened by the registry's `engine_factory`."""
    from cft_audio.voices.registry import ENGINES

    engines = {entry.module for entry in ENGINES.values()}
    found = [f"{module}: {target}" for module, tree in MODULES.items()
             if module.startswith("cft_audio.") and module != "cft_audio.voices.adding"
             for target, _ in _imports(module, tree)
             if target.rpartition(".")[2] in engines and module.rpartition(".")[2] not in engines]
    assert found == []
