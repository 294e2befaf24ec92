"""The emulators stand apart from the product: nothing under sandbox/ imports it (or Django)."""

import ast
from pathlib import Path

SANDBOX = Path(__file__).resolve().parents[2] / "sandbox"
PRODUCT = {"django", "config", "catalog", "integration", "loyalty", "tests", "bench", "rq", "redis", "requests"}


def imported_roots(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            yield node.module.split(".")[0]


def test_no_module_under_sandbox_imports_the_product():
    files = sorted(SANDBOX.rglob("*.py"))
    assert len(files) > 20 and any("bonusplus" in str(f) for f in files)
    offenders = {str(f.relative_to(SANDBOX)): sorted(set(imported_roots(f)) & PRODUCT) for f in files}
    assert {name: roots for name, roots in offenders.items() if roots} == {}
