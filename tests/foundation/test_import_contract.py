"""The import directions between the rooms (.importlinter) hold, and a wrong-way import breaks them.

lint-imports reads the source, it imports nothing: the scratch copy needs no settings or database.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("catalog", "config", "integration", "loyalty", "sandbox")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(where: Path) -> subprocess.CompletedProcess:
    # Only ``where`` on the path, so a scratch copy is read instead of the repository's packages.
    env = {**os.environ, "PYTHONPATH": str(where)}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", "--no-logo"], cwd=where, env=env,
                          capture_output=True, text=True, timeout=300)


def scratch_copy(tmp_path: Path) -> Path:
    for name in PACKAGES:
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "static"))
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    return tmp_path


def test_the_repository_keeps_every_contract():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_scratch_copy_keeps_them_before_it_is_changed(tmp_path):
    result = lint_imports(scratch_copy(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_exchange_module_importing_the_retailcrm_adapter_breaks_the_exchange_contract(tmp_path):
    copy = scratch_copy(tmp_path)
    locks = copy / "integration" / "exchange" / "locks.py"
    locks.write_text(locks.read_text() + "\nimport integration.retailcrm  # noqa: E402  the wrong way\n")

    result = lint_imports(copy)

    assert result.returncode != 0
    assert "integration.exchange imports no adapter and no document model BROKEN" in result.stdout
    assert "integration.exchange.locks -> integration.retailcrm" in result.stdout


def test_the_adapters_importing_each_other_break_the_independence_contract(tmp_path):
    copy = scratch_copy(tmp_path)
    (copy / "loyalty" / "bonusplus" / "wrong_way.py").write_text("from loyalty.retailcrm import accounts  # noqa: F401\n")

    result = lint_imports(copy)

    assert result.returncode != 0
    assert "RetailCRM loyalty and BonusPlus loyalty never import each other BROKEN" in result.stdout
