"""Imports point down: the domain (``core/``) and the content types never
reach the screens, the endpoints, the rules or the setup code, not even
through another module. Read from the source, so nothing is imported."""

from pathlib import Path

import ast
import collective.tickets
import pytest


PACKAGE = "collective.tickets"
ROOT = Path(collective.tickets.__file__).parent
# The layers that sit on top of the domain.
ABOVE = ("api", "browser", "restapi", "contentrules", "setuphandlers", "profiles")
# What must load without them.
BELOW = ("core", "content")


def module_name(path):
    parts = path.relative_to(ROOT).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join((PACKAGE, *parts))


def package_of(name, path):
    return name if path.name == "__init__.py" else name.rpartition(".")[0]


def imported_modules(path):
    """The names of the package's modules that ``path`` imports."""
    name = module_name(path)
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package_of(name, path).split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.add(module)
            # ``from collective.tickets import api`` imports a module too.
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return {m for m in found if m == PACKAGE or m.startswith(PACKAGE + ".")}


def graph():
    modules = {module_name(path): path for path in ROOT.rglob("*.py")}
    return {
        name: {m for m in imported_modules(path) if m in modules}
        for name, path in modules.items()
    }


def reachable(start, edges):
    """Every module ``start`` imports, directly or through others, with the
    chain that leads to each."""
    chains = {start: [start]}
    todo = [start]
    while todo:
        current = todo.pop()
        for following in edges.get(current, ()):
            if following not in chains:
                chains[following] = chains[current] + [following]
                todo.append(following)
    return chains


def is_above(name):
    rest = name[len(PACKAGE) + 1 :]
    return rest.split(".")[0] in ABOVE


EDGES = graph()
LOWER_MODULES = sorted(
    name for name in EDGES if name[len(PACKAGE) + 1 :].split(".")[0] in BELOW
)


def test_the_walk_finds_the_domain_and_its_imports():
    # A walk that found nothing would pass whatever the code does.
    assert f"{PACKAGE}.core.lifecycle" in LOWER_MODULES
    assert f"{PACKAGE}.core.errors" in EDGES[f"{PACKAGE}.core.lifecycle"]
    assert f"{PACKAGE}.core.lifecycle" in EDGES[f"{PACKAGE}.api"]


@pytest.mark.parametrize("name", LOWER_MODULES)
def test_core_and_content_never_import_the_layers_above(name):
    chains = reachable(name, EDGES)
    wrong = [" -> ".join(chain) for target, chain in chains.items() if is_above(target)]
    assert not wrong, "imports that point up:\n" + "\n".join(wrong)


def test_a_module_that_points_up_is_found():
    """The check itself: a domain module importing a view is reported."""
    edges = dict(EDGES)
    edges[f"{PACKAGE}.core.states"] = {f"{PACKAGE}.browser.listing"}
    chains = reachable(f"{PACKAGE}.core.lifecycle", edges)
    assert any(is_above(target) for target in chains)
