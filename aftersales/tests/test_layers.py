"""The import contract: dependencies point one way, down the layers.

Layers, bottom to top: the shared core (``aftersales``), the stage apps in
process order, the KPIs reported over them, the demo that loads them all. A
module imports only from its own layer or lower ones. Inside the core,
``aftersales.lib`` imports nothing of the project but itself, and customers
never import messaging (messaging registers its export, erasure and card
with customers). A lower app that must show or react to a higher one offers
a registry the higher one fills in its ``AppConfig.ready()``: customer
panels, export sections and erasures, timed jobs, message types...

Every ``.py`` file of the layers is read with ``ast``, tests and migrations
included, imports inside functions and ``TYPE_CHECKING`` blocks too; relative
imports are resolved against their package. Names in strings are wiring, not
imports: settings' INSTALLED_APPS and the project's ``urls.py`` name every app.
The exceptions, each for a reason:
- ``aftersales/tests/`` holds the cross-app tests (browser journeys,
  robustness, faults, privacy across the stages, the load test): they drive
  the whole project, so they may import anything;
- the root ``conftest.py`` and ``manage.py`` are tooling, outside the layers.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ["aftersales", "appointments", "workshop", "invoicing", "followup", "kpis", "demo"]
CROSS_APP_TESTS = "aftersales.tests"
# Inside the core: a package (key) never imports from another (value), its own modules aside.
CORE_RULES = {
    "aftersales.lib": "aftersales",
    "aftersales.customers": "aftersales.messaging",
}


def _imports(source: str, module: str, *, is_package: bool):
    """(line, absolute module) of every import in the source of ``module``; ``from x import y`` gives x."""
    package = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            anchor = package[: len(package) - node.level + 1] if node.level else []
            yield node.lineno, ".".join([*anchor, *([node.module] if node.module else [])])


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _layer(module: str) -> int | None:
    top = module.split(".")[0]
    return LAYERS.index(top) if top in LAYERS else None


def _breaks_a_core_rule(module: str, imported: str) -> bool:
    return any(
        _within(module, inside) and _within(imported, banned) and not _within(imported, inside) for inside, banned in CORE_RULES.items()
    )


def _violations() -> list[str]:
    found = []
    for path in sorted(path for layer in LAYERS for path in (ROOT / layer).rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        is_package = parts[-1] == "__init__"
        module = ".".join(parts[:-1] if is_package else parts)
        if _within(module, CROSS_APP_TESTS):
            continue
        for line, imported in _imports(path.read_text(encoding="utf-8"), module, is_package=is_package):
            target = _layer(imported)
            if target is not None and (target > _layer(module) or _breaks_a_core_rule(module, imported)):
                found.append(f"{path.relative_to(ROOT)}:{line} -> {imported}")
    return found


def test_every_top_level_package_has_its_layer():
    packages = {path.parent.name for path in ROOT.glob("*/__init__.py")}
    assert packages == set(LAYERS), f"place each top-level package in LAYERS: {sorted(packages ^ set(LAYERS))}"


def test_imports_resolve_to_absolute_modules():
    source = "from . import views\nfrom ..messaging.models import OutboxMessage\nimport workshop.models\nfrom kpis import jobs\n"

    assert list(_imports(source, "aftersales.customers.privacy", is_package=False)) == [
        (1, "aftersales.customers"),
        (2, "aftersales.messaging.models"),
        (3, "workshop.models"),
        (4, "kpis"),
    ]
    assert list(_imports("from .models import Site", "aftersales.accounts", is_package=True)) == [(1, "aftersales.accounts.models")]


def test_no_module_imports_from_a_higher_layer_or_against_the_cores_rules():
    violations = _violations()
    for violation in violations:
        print(violation)
    assert not violations, "imports against the layers:\n" + "\n".join(violations)
