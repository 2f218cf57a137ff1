"""Score an analysis result against the labelled development corpus.

Prints per question: NMI of ``assignments`` vs ``primary_label``, primary-theme accuracy and
entity recall (a gold entity named in >= 4 answers of the question is found when one output
entity covers at least half of its answers and at least half of that output entity's answers
are the gold entity's). Exits 1 when a question is under the targets.

    python bench/score_analysis.py --answers devdata/answers.csv --entities devdata/entities.csv \
        [--result result.json]

Without ``--result`` the analysis runs in-process on the answers.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

TARGETS = {"nmi": 0.80, "accuracy": 0.90, "entity_recall": 0.90}
MIN_GOLD_ANSWERS = 4


def load_gold(answers_path: str | Path) -> list[dict]:
    with open(answers_path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def entity_recall(rows: list[dict], entities: list[dict]) -> tuple[float, int, list[str]]:
    """Recall over gold entities named in at least MIN_GOLD_ANSWERS answers."""
    gold: dict[str, set[str]] = {}
    for row in rows:
        for name in filter(None, (row.get("entities") or "").split(";")):
            gold.setdefault(name, set()).add(row["id"])
    gold = {k: v for k, v in gold.items() if len(v) >= MIN_GOLD_ANSWERS}
    outputs = [set(e.get("answer_ids") or []) for e in entities]
    missed = []
    for name, answers in sorted(gold.items()):
        ok = any(
            2 * len(out & answers) >= len(answers) and 2 * len(out & answers) >= len(out)
            for out in outputs
            if out
        )
        if not ok:
            missed.append(name)
    if not gold:
        return 1.0, 0, missed
    return (len(gold) - len(missed)) / len(gold), len(gold), missed


def score(rows: list[dict], result: dict) -> dict[str, dict]:
    """Scores per question, plus ``all`` for entities pooled over questions."""
    from sklearn.metrics import normalized_mutual_info_score

    scores: dict[str, dict] = {}
    questions = result.get("questions", {})
    for question in sorted({r["question"] for r in rows}):
        q_rows = [r for r in rows if r["question"] == question]
        out = questions.get(question, {})
        assignments, themes = out.get("assignments", {}), out.get("themes", {})
        truth = [r["primary_label"] for r in q_rows]
        pred = [assignments.get(r["id"], -2) for r in q_rows]
        nmi = normalized_mutual_info_score(truth, pred)
        acc = sum((themes.get(r["id"]) or ["?"])[0] == r["primary_label"] for r in q_rows)
        recall, n_gold, missed = entity_recall(q_rows, out.get("entities", []))
        scores[question] = {
            "nmi": nmi,
            "accuracy": acc / len(q_rows),
            "entity_recall": recall,
            "gold_entities": n_gold,
            "missed": missed,
        }
    # Entities pooled over questions: output entities that share a name or an alias are
    # taken as one (each question's output is separate in the contract).
    pooled = [e for q in questions.values() for e in q.get("entities", [])]
    parent = list(range(len(pooled)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    by_alias: dict[str, int] = {}
    for i, e in enumerate(pooled):
        for alias in [e["name"], *(e.get("aliases") or [])]:
            key = " ".join(alias.casefold().split())
            if key in by_alias:
                parent[find(i)] = find(by_alias[key])
            else:
                by_alias[key] = i
    merged: dict[int, set[str]] = {}
    for i, e in enumerate(pooled):
        merged.setdefault(find(i), set()).update(e.get("answer_ids") or [])
    as_list = [{"answer_ids": sorted(v)} for v in merged.values()]
    recall, n_gold, missed = entity_recall(rows, as_list)
    scores["all (entities pooled)"] = {
        "entity_recall": recall,
        "gold_entities": n_gold,
        "missed": missed,
    }
    return scores


def passes(scores: dict[str, dict]) -> bool:
    return all(
        s[k] >= v for q, s in scores.items() if not q.startswith("all") for k, v in TARGETS.items()
    )


def run_analysis(rows: list[dict]) -> dict:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from analysis import analyze

    records = [
        {"id": r["id"], "question": r["question"], "text": r["text"], "language": r["language"]}
        for r in rows
    ]
    return analyze(records, random_state=0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--answers", required=True)
    parser.add_argument("--entities", help="entities.csv (roster; reported for reference)")
    parser.add_argument("--result", help="a result.json from `fieldscan analyze`")
    args = parser.parse_args(argv)
    rows = load_gold(args.answers)
    if args.result:
        result = json.loads(Path(args.result).read_text(encoding="utf-8"))
    else:
        result = run_analysis(rows)
    scores = score(rows, result)
    print(f"{'question':<24}{'NMI':>8}{'accuracy':>10}{'entity recall':>15}")
    for question, s in scores.items():
        if "nmi" in s:
            print(
                f"{question:<24}{s['nmi']:>8.3f}{s['accuracy']:>10.3f}"
                f"{s['entity_recall']:>9.3f} ({s['gold_entities']})"
            )
        else:
            print(f"{question:<24}{'':>8}{'':>10}{s['entity_recall']:>9.3f} ({s['gold_entities']})")
        if s["missed"]:
            print(f"{'':<24}missed: {', '.join(s['missed'])}")
    print("targets: " + ", ".join(f"{k} >= {v}" for k, v in TARGETS.items()))
    ok = passes(scores)
    print("PASS" if ok else "FAIL: under target")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
