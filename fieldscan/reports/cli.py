"""``fieldscan reports refresh``: rebuild the pre-aggregated report counts."""

from __future__ import annotations

import time

import click
from flask.cli import with_appcontext

from fieldscan.analysis_jobs.services import latest_run, open_questions
from fieldscan.extensions import db
from fieldscan.reports import rollups


@click.group("reports", help="The leadership reports' pre-aggregated counts.")
def reports_cli() -> None:
    """Report commands."""


@reports_cli.command("refresh")
@click.option(
    "--question",
    "question_ids",
    multiple=True,
    help="Open question id (default: every analysed open question).",
)
@with_appcontext
def refresh_command(question_ids: tuple[str, ...]) -> None:
    """Rebuild the report counts of the newest run of each question from its tags (the
    analysis job keeps them fresh; this repairs them, e.g. after answers were deleted)."""
    known = tuple(q.question_id for q in open_questions())
    unknown = [q for q in question_ids if q not in known]
    if unknown:
        raise click.BadParameter(
            f"no loaded survey asks an open question {unknown[0]!r} "
            f"(known: {', '.join(known) or 'none'})",
            param_hint="--question",
        )
    targets = question_ids or known
    for question_id in targets:
        run = latest_run(question_id)
        if run is None:
            click.echo(f"{question_id}: never analysed, nothing to refresh")
            continue
        click.echo(f"{question_id}: run {run.id}, counting ...", err=True)
        start = time.perf_counter()
        rows = rollups.rebuild(
            run, progress=lambda n: click.echo(f"  {n:,} answers counted", err=True)
        )
        db.session.commit()
        click.echo(
            f"{question_id}: run {run.id} refreshed, {rows:,} rows "
            f"in {time.perf_counter() - start:.1f} s"
        )
