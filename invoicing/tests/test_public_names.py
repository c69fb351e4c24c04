"""A stage uses only the public names of the earlier stages (no ``from other_app... import _private``)."""

import ast
from pathlib import Path

from django.conf import settings

STAGE_APPS = ("appointments", "workshop", "invoicing", "followup")


def _private_imports_across_apps() -> list[str]:
    found = []
    for app in STAGE_APPS:
        for path in (Path(settings.BASE_DIR) / app).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                if (
                    isinstance(node, ast.ImportFrom)
                    and node.module
                    and node.module.split(".")[0] in STAGE_APPS
                    and node.module.split(".")[0] != app
                ):
                    found += [
                        f"{path.relative_to(settings.BASE_DIR)}: {node.module}.{alias.name}"
                        for alias in node.names
                        if alias.name.startswith("_")
                    ]
    return found


def test_no_stage_imports_a_private_helper_of_another_stage():
    assert _private_imports_across_apps() == []
