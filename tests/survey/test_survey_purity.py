"""The survey package stays pure: no Flask, and only fieldscan.locales from the project."""

from __future__ import annotations

import ast
from pathlib import Path

import fieldscan.survey

PACKAGE = Path(fieldscan.survey.__file__).parent


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_no_flask_and_only_locales_from_the_project() -> None:
    files = sorted(PACKAGE.glob("*.py"))
    assert len(files) >= 8
    for path in files:
        for name in imported_modules(path):
            assert name != "flask" and not name.startswith(("flask.", "flask_")), (path, name)
            if name.startswith("fieldscan") and name != "fieldscan":
                assert name.startswith(("fieldscan.survey", "fieldscan.locales")), (path, name)
            assert "fieldscan.i18n" not in name, (path, name)
        text = path.read_text(encoding="utf-8")
        assert "import flask" not in text and "from flask" not in text, path
        assert "eval(" not in text.replace(".eval(", "").replace("def eval(", ""), path
        assert "exec(" not in text, path
