"""Fixtures of the SMS text-matching tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from fieldscan.survey import Survey, load_directory

ROOT = Path(__file__).resolve().parents[2]


def _compile_catalogs(target: Path) -> Path:
    for po in (ROOT / "translations").glob("*/LC_MESSAGES/surveys.po"):
        out = target / po.relative_to(ROOT / "translations")
        out.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as src:
            catalog = read_po(src)
        with out.with_suffix(".mo").open("wb") as dst:
            write_mo(dst, catalog)
    return target


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> list[Survey]:
    """The shipped instruments, resolved with catalogs compiled here (no make step needed)."""
    catalogs = _compile_catalogs(tmp_path_factory.mktemp("translations"))
    return load_directory(ROOT / "surveys", translations_dir=catalogs)
