"""The analysis contract, determinism and incremental tagging."""

from __future__ import annotations

import json

import analysis
from analysis import ScanAnalyzer, analyze


def test_contract_shape(invented_result):
    records, result = invented_result
    assert set(result) == {"questions"}
    questions = {r["question"] for r in records}
    assert set(result["questions"]) == questions
    for question, out in result["questions"].items():
        ids = {r["id"] for r in records if r["question"] == question}
        assert {"clusters", "assignments", "themes", "entities"} <= set(out)
        assert set(out["assignments"]) == ids and set(out["themes"]) == ids
        cluster_ids = {c["id"] for c in out["clusters"]}
        assert set(out["assignments"].values()) <= cluster_ids | {-1}
        labels = set(analysis.default_taxonomies()[question].labels)
        for themes in out["themes"].values():
            assert themes and set(themes) <= labels
            assert "none" not in themes or themes == ["none"]
        for c in out["clusters"]:
            assert {"id", "label", "top_terms", "size", "examples", "theme"} <= set(c)
            assert isinstance(c["top_terms"], list) and len(c["examples"]) <= 3
            assert c["size"] == sum(1 for v in out["assignments"].values() if v == c["id"])
            assert c["theme"] in labels
        for e in out["entities"]:
            assert set(e) >= {"name", "kind", "count", "answer_ids"}
            assert e["count"] == len(e["answer_ids"]) and set(e["answer_ids"]) <= ids
            assert e["kind"] in {
                "church",
                "school",
                "food",
                "clinic",
                "media",
                "person",
                "org",
                "public",
                "online",
            }
    json.dumps(result)  # plain JSON types only


def test_same_input_same_output(invented_result):
    records, result = invented_result
    assert analyze(records, random_state=0) == result


def test_duplicates_count_every_answer():
    records = [
        {"id": str(i), "question": "resources", "text": "Harbor Food Bank"} for i in range(3)
    ]
    out = analyze(records)["questions"]["resources"]
    assert out["entities"][0]["answer_ids"] == ["0", "1", "2"]
    assert out["clusters"][0]["size"] == 3


def test_transform_tags_new_answers_against_the_fitted_model(invented_result):
    records, _ = invented_result
    model = ScanAnalyzer("resources").fit([r for r in records if r["question"] == "resources"])
    before = model.to_dict()
    new = model.transform(
        [
            {"id": "n1", "text": "harbor food bank on saturday"},
            {"id": "n2", "text": "idk"},
            {"id": "n3", "text": "programa despues de clases en la roosevelt", "language": "es"},
        ]
    )
    assert new["themes"] == {"n1": ["food"], "n2": ["none"], "n3": ["school_youth"]}
    assert new["entities"]["n3"] == ["Roosevelt Elementary"]
    food = [c["id"] for c in before["clusters"] if c["theme"] == "food"]
    assert new["assignments"]["n1"] in food
    assert new["entities"]["n1"] == ["Harbor Food Bank"]
    assert model.to_dict() == before


def test_large_themes_are_split_into_subclusters():
    texts = ["food bank on monday", "wic for the baby", "calfresh card"] * 40
    records = [{"id": str(i), "text": t} for i, t in enumerate(texts)]
    model = ScanAnalyzer("resources", subcluster_size=20, max_subclusters=3).fit(records)
    food = [c for c in model.to_dict()["clusters"] if c["theme"] == "food"]
    assert len(food) == 3 and sum(c["size"] for c in food) == 120


def test_unmatched_answers_are_clustered_for_review():
    texts = ["la loteria del barrio"] * 4 + ["xyzzy"]
    records = [{"id": str(i), "text": t, "language": "es"} for i, t in enumerate(texts)]
    out = ScanAnalyzer("resources").fit(records).to_dict()
    assert set(out["assignments"].values()) == {0, -1}
    assert out["clusters"][0]["theme"] == "none" and "loteria" in out["clusters"][0]["top_terms"]


def test_progress_is_reported():
    seen = []
    analyze(
        [{"id": "1", "question": "resources", "text": "wic"}],
        progress=lambda step, done, total: seen.append((step, done, total)),
    )
    assert seen and seen[-1][1] == seen[-1][2] == 1


def test_version():
    assert analysis.__version__


def test_question_without_taxonomy_is_clustered_on_words():
    texts = [
        "the bus is late",
        "bus is always late",
        "parking costs too much",
        "parking is expensive",
        "no",
    ]
    records = [{"id": str(i), "question": "comments", "text": t} for i, t in enumerate(texts)]
    out = analyze(records)["questions"]["comments"]
    assert set(map(tuple, out["themes"].values())) == {("none",)}
    assert out["assignments"]["0"] == out["assignments"]["1"] != -1
    assert out["assignments"]["2"] == out["assignments"]["3"]


def test_empty_and_odd_records():
    assert analyze([]) == {"questions": {}}
    out = analyze([{"id": "1", "question": "resources", "text": None}])
    assert out["questions"]["resources"]["themes"] == {"1": ["none"]}


def test_fitted_model_pickles_small_and_still_tags(invented_result):
    import pickle

    records, _ = invented_result
    model = ScanAnalyzer("resources").fit([r for r in records if r["question"] == "resources"])
    blob = pickle.dumps(model)
    assert len(blob) < 2_000_000
    again = pickle.loads(blob)  # noqa: S301 - our own object
    assert again.to_dict() == model.to_dict()
    new = [{"id": "n", "text": "harbor food bank"}]
    assert again.transform(new) == model.transform(new)
