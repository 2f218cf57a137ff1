"""Clusters to review: list them (sized in the filtered answers, suppressed), and let staff
rename, verify, merge and split them.

A merge or split changes ``answer_tags.cluster`` of the newest run and the run's summary
(the descriptions of the clusters involved are recomputed from their answers, marked
``derived``), and is kept as a :class:`~fieldscan.models.ClusterEdit` with the answers it
moved and the descriptions as they were, so that it can be seen and undone. Answers tagged
later against the run's frozen model can still land in a merged-away cluster: the summary's
``merged`` map (``{old id: new id}``) counts them where the staff put the cluster.

No individual answer is ever shown: examples only for clusters of 11 or more, scrubbed, and
a split reports neither the answers it matched nor how many.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select, update

from fieldscan.analysis_jobs.services import latest_run
from fieldscan.extensions import db
from fieldscan.i18n import _
from fieldscan.models import (
    AnalysisRun,
    Answer,
    AnswerTag,
    ClusterEdit,
    ClusterReview,
    Response,
)
from fieldscan.reports.aggregates import Filters, _filtered
from fieldscan.reports.privacy import Shown, Table, examples_allowed, scrub, suppress_table

_CHUNK = 500  # ids per UPDATE ... IN (...) (far below SQLite's variable limit)


class ClusterEditError(ValueError):
    """A merge or split cannot be made (the message says why, for the flash)."""


@dataclass
class ClusterRow:
    cluster_id: int
    label: str
    name: str
    theme: str
    terms: list[str]
    size: Shown
    languages: list[tuple[str, Shown]]
    examples: list[str]
    verified: bool
    derived: str = ""  # "merge" or "split" when staff changed the cluster's answers


def _merged(run: AnalysisRun) -> dict[int, int]:
    """Merged-away cluster ids and where their answers count now."""
    return {int(k): int(v) for k, v in ((run.summary or {}).get("merged") or {}).items()}


def _members(run: AnalysisRun, cluster_id: int) -> list[int]:
    """The tag cluster ids that count as ``cluster_id`` (itself and those merged into it)."""
    return [cluster_id, *(old for old, new in _merged(run).items() if new == cluster_id)]


def clusters(question_id: str, filters: Filters, site_ids: list[int] | None) -> list[ClusterRow]:
    """The run's clusters, sized in the filtered answers; examples of 11 or more, scrubbed."""
    run = latest_run(question_id)
    if run is None or not run.summary:
        return []
    query = _filtered(
        select(
            AnswerTag.cluster, Response.language, func.count(func.distinct(Response.id))
        ).select_from(AnswerTag),
        run,
        filters,
        site_ids,
    ).group_by(AnswerTag.cluster, Response.language)
    merged = _merged(run)
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for cluster_id, language, n in db.session.execute(query):
        per = counts[merged.get(int(cluster_id), int(cluster_id))]
        per[str(language)] = per.get(str(language), 0) + n
    described = {int(c["id"]): c for c in run.summary.get("clusters") or []}
    ids = sorted(set(counts) | set(described))
    languages = sorted({lang for per in counts.values() for lang in per})
    if not ids or not languages:
        return []
    shown = suppress_table(Table([[counts[i].get(lang, 0) for lang in languages] for i in ids]))
    reviews = {
        r.cluster_id: r
        for r in db.session.scalars(select(ClusterReview).where(ClusterReview.run_id == run.id))
    }
    out = []
    for row, cluster_id in enumerate(ids):
        if cluster_id not in described:
            continue  # answers in no cluster (-1), or tagged after the run
        info = described[cluster_id]
        size = sum(counts[cluster_id].values())
        review = reviews.get(cluster_id)
        out.append(
            ClusterRow(
                cluster_id,
                str(info.get("label") or ""),
                (review.name if review and review.name else str(info.get("label") or "")),
                str(info.get("theme") or ""),
                list(info.get("top_terms") or []),
                shown.row_totals[row],
                [
                    (lang, shown.cells[row][j])
                    for j, lang in enumerate(languages)
                    if counts[cluster_id].get(lang)
                ],
                _examples(run, cluster_id, filters, site_ids) if examples_allowed(size) else [],
                bool(review and review.verified),
                str(info.get("derived") or ""),
            )
        )
    return out


def _examples(run, cluster_id: int, filters: Filters, site_ids, n: int = 3) -> list[str]:
    query = (
        _filtered(
            select(Answer.value)
            .select_from(AnswerTag)
            .where(AnswerTag.cluster.in_(_members(run, cluster_id))),
            run,
            filters,
            site_ids,
        )
        .order_by(Answer.id)
        .limit(50)
    )
    examples: list[str] = []
    for value in db.session.scalars(query):
        if isinstance(value, str) and value.strip():
            text = scrub(value.strip())
            if text.casefold() not in {e.casefold() for e in examples}:
                examples.append(text)
        if len(examples) == n:
            break
    return examples


def run_with(question_id: str, *cluster_ids: int) -> AnalysisRun | None:
    """The newest run of ``question_id`` if it describes every one of ``cluster_ids``."""
    run = latest_run(question_id)
    if run is None or not run.summary:
        return None
    known = {int(c["id"]) for c in run.summary.get("clusters") or []}
    return run if all(c in known for c in cluster_ids) else None


def cluster_name(run: AnalysisRun, cluster_id: int) -> str:
    """The cluster's name: the one staff gave it, else the analysis's label."""
    review = db.session.scalars(
        select(ClusterReview).where(
            ClusterReview.run_id == run.id, ClusterReview.cluster_id == cluster_id
        )
    ).first()
    if review is not None and review.name:
        return review.name
    info = next((c for c in run.summary.get("clusters") or [] if int(c["id"]) == cluster_id), {})
    return str(info.get("label") or "")


def review_cluster(
    question_id: str,
    cluster_id: int,
    user_id: int,
    *,
    name: str | None = None,
    verified: bool | None = None,
) -> ClusterReview | None:
    """Rename or verify a cluster of the newest run (the caller audits and commits)."""
    run = run_with(question_id, cluster_id)
    if run is None:
        return None
    review = _review(run, cluster_id)
    if name is not None:
        review.name = name.strip()[:200] or None
    if verified is not None:
        review.verified = verified
    review.updated_by = user_id
    db.session.flush()
    return review


def _review(run: AnalysisRun, cluster_id: int) -> ClusterReview:
    review = db.session.scalars(
        select(ClusterReview).where(
            ClusterReview.run_id == run.id, ClusterReview.cluster_id == cluster_id
        )
    ).first()
    if review is None:
        review = ClusterReview(run_id=run.id, cluster_id=cluster_id, verified=False)
        db.session.add(review)
    return review


# --- merge and split -----------------------------------------------------------------------


def _move(run: AnalysisRun, tag_ids: list[int], target: int) -> None:
    for start in range(0, len(tag_ids), _CHUNK):
        db.session.execute(
            update(AnswerTag)
            .where(AnswerTag.run_id == run.id, AnswerTag.id.in_(tag_ids[start : start + _CHUNK]))
            .values(cluster=target)
        )


def _describe(run: AnalysisRun, cluster_id: int, info: dict, derived: str) -> dict:
    """``info`` with terms, size and languages recomputed from the cluster's answers now."""
    from analysis import describe_answers

    answers = db.session.execute(
        select(Answer.value, Response.language)
        .select_from(AnswerTag)
        .join(Answer, AnswerTag.answer_id == Answer.id)
        .join(Response, Answer.response_id == Response.id)
        .where(AnswerTag.run_id == run.id, AnswerTag.cluster.in_(_members(run, cluster_id)))
    )
    found = describe_answers((v, lang) for v, lang in answers if isinstance(v, str))
    theme = str(info.get("theme") or "")
    label = str(info.get("label") or "")
    if derived == "merge" or not label:
        label = theme.replace("_", " ")
        if found["top_terms"]:
            label = f"{label}: {', '.join(found['top_terms'][:3])}"
    # Examples in the summary were raw answers of the old grouping: dropped (the page
    # quotes scrubbed examples from the answers themselves).
    return {**info, **found, "id": cluster_id, "label": label, "examples": [], "derived": derived}


def _save_summary(run: AnalysisRun, described: dict[int, dict], merged: dict[int, int]) -> None:
    summary = dict(run.summary or {})
    summary["clusters"] = [described[i] for i in sorted(described)]
    summary["merged"] = {str(k): v for k, v in sorted(merged.items())}
    run.summary = summary  # a new object: the JSON column sees the change


def merge_clusters(question_id: str, source: int, target: int, user_id: int) -> ClusterEdit:
    """Merge cluster ``source`` into ``target`` of the newest run: its answers count in
    ``target``, whose name and verified mark stay. The caller audits and commits."""
    if source == target:
        raise ClusterEditError(_("Choose another cluster to merge into."))
    run = run_with(question_id, source, target)
    if run is None:
        raise ClusterEditError(_("That cluster is no longer in the newest analysis."))
    described = {int(c["id"]): c for c in run.summary.get("clusters") or []}
    before = {str(source): described[source], str(target): described[target]}
    sources = _members(run, source)
    rows = db.session.execute(
        select(AnswerTag.id, AnswerTag.answer_id).where(
            AnswerTag.run_id == run.id, AnswerTag.cluster.in_(sources)
        )
    ).all()
    _move(run, [tag_id for tag_id, _a in rows], target)
    merged = _merged(run)
    merged = {old: (target if new == source else new) for old, new in merged.items()}
    merged[source] = target
    del described[source]
    _save_summary(run, described, merged)
    described[target] = _describe(run, target, described[target], "merge")
    _save_summary(run, described, merged)
    return _edit(run, "merge", source, target, user_id, rows, before)


def split_cluster(
    question_id: str, cluster_id: int, phrase: str, name: str, user_id: int
) -> ClusterEdit:
    """Move the answers of a cluster whose text holds ``phrase`` (normalised like taxonomy
    terms: accents and script variants do not matter) into a new cluster named ``name``.

    Refused when the phrase matches none of the cluster's answers, or all of them.
    The caller audits and commits.
    """
    from analysis import contains_phrase

    phrase, name = " ".join(phrase.split())[:200], " ".join(name.split())[:200]
    if not phrase.replace("*", ""):
        raise ClusterEditError(_("Type a word or phrase to split by."))
    if not name:
        raise ClusterEditError(_("Name the new cluster."))
    run = run_with(question_id, cluster_id)
    if run is None:
        raise ClusterEditError(_("That cluster is no longer in the newest analysis."))
    rows = db.session.execute(
        select(AnswerTag.id, AnswerTag.answer_id, Answer.value)
        .join(Answer, AnswerTag.answer_id == Answer.id)
        .where(AnswerTag.run_id == run.id, AnswerTag.cluster.in_(_members(run, cluster_id)))
    ).all()
    holds: dict[str, bool] = {}  # answers repeat: each distinct text is matched once
    matched = []
    for tag_id, answer_id, value in rows:
        if isinstance(value, str):
            if value not in holds:
                holds[value] = contains_phrase(value, phrase)
            if holds[value]:
                matched.append((tag_id, answer_id))
    if not matched:
        raise ClusterEditError(_("No answer of this cluster contains “{phrase}”.", phrase=phrase))
    if len(matched) == len(rows):
        raise ClusterEditError(
            _("Every answer of this cluster contains “{phrase}”: rename it instead.", phrase=phrase)
        )
    described = {int(c["id"]): c for c in run.summary.get("clusters") or []}
    merged = _merged(run)
    new_id = max([*described, *merged, *merged.values()]) + 1
    before = {str(cluster_id): described[cluster_id]}
    _move(run, [tag_id for tag_id, _a in matched], new_id)
    theme = described[cluster_id].get("theme")
    described[new_id] = {"id": new_id, "label": name, "theme": theme}
    _save_summary(run, described, merged)
    described[new_id] = _describe(run, new_id, described[new_id], "split")
    described[cluster_id] = _describe(run, cluster_id, described[cluster_id], "split")
    _save_summary(run, described, merged)
    review = _review(run, new_id)
    review.name, review.updated_by = name, user_id
    edit = _edit(run, "split", cluster_id, new_id, user_id, matched, before)
    edit.phrase, edit.name = phrase, name
    return edit


def _edit(run, action, source, target, user_id, rows, before) -> ClusterEdit:
    edit = ClusterEdit(
        run_id=run.id,
        action=action,
        cluster_id=source,
        target_id=target,
        answer_ids=sorted(int(answer_id) for _t, answer_id in rows),
        before=before,
        created_by=user_id,
    )
    db.session.add(edit)
    db.session.flush()
    return edit


def edits(question_id: str) -> list[ClusterEdit]:
    """The merges and splits of the newest run of ``question_id``, newest first."""
    run = latest_run(question_id)
    if run is None:
        return []
    return list(
        db.session.scalars(
            select(ClusterEdit).where(ClusterEdit.run_id == run.id).order_by(ClusterEdit.id.desc())
        )
    )
