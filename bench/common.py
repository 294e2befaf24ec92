"""What every benchmark does first and last: a throwaway Django set-up, and its figures saved.

Import it before anything of Django's: ``import common`` sets the environment (a private
``VAR_DIR`` with a SQLite database and the embedded Redis) and calls ``django.setup()``.
"""

import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results.json"

sys.path.insert(0, str(ROOT))
if "VAR_DIR" not in os.environ:  # a measuring child process inherits its parent's
    os.environ["VAR_DIR"] = tempfile.mkdtemp(prefix="bench-")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{os.environ['VAR_DIR']}/bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")

import django  # noqa: E402

django.setup()


def save_figures(key: str, figures: dict) -> None:
    """Merge ``figures`` into bench/results.json under ``key`` and print them."""
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results[key] = figures
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    print(json.dumps({key: figures}, indent=2))
