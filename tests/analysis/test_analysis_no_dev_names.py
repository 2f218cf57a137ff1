"""The analysis package must not know the development corpus's local names.

It would then look good on the development set and fail on other sites. This test greps
every file of the package for the 34 roster names and their distinctive words.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from analysis._text import normalize
from tests.analysis.helpers import DEVDATA

PACKAGE = Path(__file__).resolve().parents[2] / "analysis"

# The roster, so the test works even without the shared folder.
ROSTER = [
    "St. Mary's Catholic Church",
    "Iglesia Cristiana Rio Claro",
    "Liên Hoa Pagoda",
    "Valle Verde Korean Presbyterian Church",
    "Father Miguel Ortega",
    "Pastor Daniel Kim",
    "Lincoln Elementary School",
    "Valle Verde Child Development Center",
    "Patricia Owens",
    "Valle Verde Food Pantry",
    "Rio Claro Food Bank",
    "Valle Verde Community Health Center",
    "Rio Claro Family Clinic",
    "Rio Claro Wellness Center",
    "Dr. Elena Ramírez",
    "Dr. Minh Tran",
    "Rosa Delgado",
    "Lan Pham",
    "Joy Santos",
    "La Voz de Rio Claro 98.3 FM",
    "Radio Viet Valle Verde 1230 AM",
    "Valle Verde Gazette",
    "Valle Verde Moms (Facebook group)",
    "Mamás de Rio Claro (WhatsApp group)",
    "Valle Verde Korean Moms (KakaoTalk group)",
    "Valle Verde Family Resource Center",
    "Rio Claro Community Center",
    "Valle Verde Immigrant Legal Services",
    "Filipino-American Association of Rio Claro",
    "Valle Verde Chinese Community Center",
    "Fire Station 3",
    "Valle Verde Public Library",
    "Rio Claro Transit",
    "Valle Verde Housing Authority",
]
# Distinctive words of the names and aliases: the proper names, not the generic heads.
DISTINCTIVE = [
    "valle verde",
    "rio claro",
    "lincoln",
    "mary",
    "marys",
    "maria",
    "miguel",
    "ortega",
    "daniel",
    "patricia",
    "patty",
    "owens",
    "elena",
    "ramirez",
    "minh",
    "tran",
    "rosa",
    "rosita",
    "delgado",
    "lan pham",
    "chi lan",
    "pham",
    "joy",
    "santos",
    "la voz",
    "voz",
    "98.3",
    "1230",
    "lien hoa",
    "vv",
    "rc",
    "fil am",
    "vvimmigrantlegal",
    "발레베르데",
    "김다니엘",
    "다니엘",
    "김목사님",
    "한인맘",
    "맘방",
    "lien",
    "gazette de",
    "station 3",
    "main st",
]


def _names_from_roster_file() -> list[str]:
    path = DEVDATA / "entities.csv"
    if not path.is_file():
        return []
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [r["entity"] for r in rows] + [a for r in rows for a in r["aliases"].split(";")]


def _package_text(fold_accents: bool = True) -> dict[Path, str]:
    def prep(text: str) -> str:
        return normalize(text) if fold_accents else " ".join(text.casefold().split())

    return {
        p: prep(p.read_text(encoding="utf-8"))
        for p in PACKAGE.rglob("*")
        if p.is_file() and p.suffix in {".py", ".yaml", ".yml", ".md", ".txt", ".json"}
    }


def test_roster_names_do_not_appear_in_the_package():
    texts = _package_text()
    names = {normalize(n) for n in ROSTER + _names_from_roster_file()}
    generic = {
        "frc",
        "family resource center",
        "centro de recursos familiares",
        "station 3",
        "korean presbyterian church",
        "華人中心",
        "華人活動中心",
        "한인장로교회",
        "fil-am association",
        "filipino-american association",
        "child development center",
        "카톡 맘방",
    }
    for name in names - generic:
        if len(name) < 4:
            continue
        pattern = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)")
        hits = [str(p) for p, text in texts.items() if pattern.search(text)]
        assert not hits, f"{name!r} appears in {hits}"


def test_distinctive_words_do_not_appear_in_the_package():
    # Accents kept: Vietnamese 'mình' (self) is an ordinary word, the name 'Minh' is not.
    texts = _package_text(fold_accents=False)
    for word in DISTINCTIVE:
        pattern = re.compile(rf"(?<!\w){re.escape(word.casefold())}(?!\w)")
        hits = [str(p) for p, text in texts.items() if pattern.search(text)]
        assert not hits, f"{word!r} appears in {hits}"
