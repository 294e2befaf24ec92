"""README "Where things are" names the real places, and every room of integration/ is named there."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _where_things_are() -> list[str]:
    text = (ROOT / "README.md").read_text()
    block = text.split("## Where things are", 1)[1].split("```", 2)[1]
    return block.splitlines()


def _named_paths() -> list[str]:
    """``integration/`` then ``  documents/`` under it → ``integration/documents``."""
    paths, parent = [], ""
    for line in _where_things_are():
        match = re.match(r"^( {0,2})([\w.]+/|[\w.]+\.py)\s", line + " ")
        if not match:
            continue
        indent, name = match.groups()
        if not indent:
            parent = name
            paths.append(name.rstrip("/"))
        else:
            paths.append(parent + name.rstrip("/"))
    return paths


def test_every_place_the_readme_names_exists():
    named = _named_paths()
    assert "integration/exchange" in named and "integration/documents" in named and "integration/retailcrm" in named
    missing = [path for path in named if not (ROOT / path).exists()]
    assert not missing, f"README 'Where things are' names places that do not exist: {missing}"


def test_every_room_of_integration_and_loyalty_is_in_the_readme():
    named = set(_named_paths())
    rooms = {f"integration/{p.name}" for p in (ROOT / "integration").iterdir()
             if p.is_dir() and (p / "__init__.py").exists() and p.name not in {"management", "migrations", "templatetags"}}
    assert not rooms - named, f"rooms missing from README 'Where things are': {sorted(rooms - named)}"
    text = "\n".join(_where_things_are())
    for package in (ROOT / "loyalty").iterdir():
        if package.is_dir() and (package / "__init__.py").exists() and package.name != "migrations":
            assert f"{package.name}/" in text, f"loyalty/{package.name} is not described in README 'Where things are'"
