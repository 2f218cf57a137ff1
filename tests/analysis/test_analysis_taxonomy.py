"""Taxonomy files: the two defaults, every language, the loader."""

from __future__ import annotations

import re

import pytest

from analysis import TaxonomyError, default_taxonomies, load_taxonomies, load_taxonomy
from analysis._resources import LANGUAGES, LEXICON_DIR, TAXONOMY_DIR, load_lexicon
from tests.analysis.helpers import DEVDATA

EXPECTED = {
    "trusted_messenger": [
        "family",
        "friends_neighbors",
        "clinician",
        "chw_promotora",
        "faith",
        "school",
        "community_org",
        "media",
        "online_social",
        "public_health",
        "none",
    ],
    "resources": [
        "food",
        "housing",
        "transportation",
        "childcare_early",
        "school_youth",
        "library",
        "prenatal_parenting",
        "child_safety",
        "behavioral_health",
        "caregiving_home",
        "legal_immigration",
        "income_jobs",
        "health_coverage",
        "none",
    ],
}


def test_default_labels_are_exactly_the_documented_ones():
    taxonomies = default_taxonomies()
    assert {q: t.labels for q, t in taxonomies.items()} == EXPECTED


def test_default_labels_match_devdata_taxonomy_md():
    path = DEVDATA / "taxonomy.md"
    if not path.is_file():
        pytest.skip("taxonomy.md not available")
    text = path.read_text(encoding="utf-8")
    sections = text.split("Question `")[1:]
    for section in sections:
        question = section.split("`")[0]
        labels = re.findall(r"^- (\w+)\s", section, flags=re.M)
        assert default_taxonomies()[question].labels == labels


@pytest.mark.parametrize("question", sorted(EXPECTED))
def test_every_language_has_a_terms_file(question):
    tax = default_taxonomies()[question]
    assert set(LANGUAGES) <= set(tax.terms)
    for lang in ("en", "es", "vi", "zh_Hant", "tl", "ko"):
        labels = {label for label, terms in tax.terms[lang].items() if terms}
        assert len(labels) >= len(EXPECTED[question]) - 3, lang


def test_lexicon_files_exist_for_every_language():
    for folder in ("nonanswers", "entity_cues"):
        for lang in LANGUAGES:
            assert (LEXICON_DIR / folder / f"{lang}.yaml").is_file(), (folder, lang)
    lexicon = load_lexicon()
    assert lexicon.statewide and lexicon.nicknames


def test_descriptions_mention_community_supports():
    res = default_taxonomies()["resources"]
    text = (TAXONOMY_DIR / "resources" / "taxonomy.yaml").read_text(encoding="utf-8")
    assert "Community Supports" in text and "sobering" in text.lower()
    assert all(res.descriptions[label] for label in res.labels)


def _write(folder, labels, terms):
    folder.mkdir(parents=True)
    lines = ["id: pets", "version: 2", "labels:"] + [f"  - id: {x}" for x in labels]
    (folder / "taxonomy.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "terms").mkdir()
    body = "language: en\nlabels:\n" + "".join(
        f"  {k}: [{', '.join(v)}]\n" for k, v in terms.items()
    )
    (folder / "terms" / "en.yaml").write_text(body, encoding="utf-8")


def test_a_survey_can_ship_its_own_taxonomy(tmp_path):
    _write(
        tmp_path / "pets", ["dogs", "cats", "none"], {"dogs": ["dog", "puppy"], "cats": ["cat*"]}
    )
    tax = load_taxonomy(tmp_path / "pets")
    assert tax.id == "pets" and tax.version == 2 and tax.labels == ["dogs", "cats", "none"]
    assert set(load_taxonomies(tmp_path)) == {"pets"}

    from analysis import ThemeTagger

    tagger = ThemeTagger(tax, fallback=False).fit()
    assert tagger.predict(["my puppy and two cats", "idk"]) == [["dogs", "cats"], ["none"]]


def test_unknown_label_in_terms_is_an_error(tmp_path):
    _write(tmp_path / "pets", ["dogs", "none"], {"birds": ["parrot"]})
    with pytest.raises(TaxonomyError, match="unknown label 'birds'"):
        load_taxonomy(tmp_path / "pets")


def test_none_is_required(tmp_path):
    _write(tmp_path / "pets", ["dogs"], {"dogs": ["dog"]})
    with pytest.raises(TaxonomyError, match="'none' is required"):
        load_taxonomy(tmp_path / "pets")
