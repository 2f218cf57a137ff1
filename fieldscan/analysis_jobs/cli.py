"""``fieldscan analysis run|status``: analyse stored answers inside the app."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from fieldscan.analysis_jobs import services


@click.group("analysis", help="Analyse the stored free-text answers (themes, clusters, entities).")
def analysis_cli() -> None:
    """Analysis commands."""


@analysis_cli.command("run")
@click.option(
    "--question",
    "question_ids",
    multiple=True,
    help="Open question id (default: every open question).",
)
@click.option("--queue-only", is_flag=True, help="Only queue; `fieldscan worker` runs it.")
@click.option("--if-missing", is_flag=True, help="Skip questions that were analysed before.")
@with_appcontext
def run_command(question_ids: tuple[str, ...], queue_only: bool, if_missing: bool) -> None:
    """Analyse every stored answer of the open questions now (or queue it)."""
    targets = question_ids or tuple(q.question_id for q in services.open_questions())
    if not targets:
        raise click.ClickException("no loaded survey has an open question with a taxonomy")
    if if_missing:
        targets = tuple(q for q in targets if services.latest_run(q) is None)
        if not targets:
            click.echo("every open question was analysed before")
    for question_id in targets:
        try:
            run = services.queue_run(question_id)
        except services.AnalysisJobError as error:
            raise click.ClickException(str(error)) from None
        if queue_only:
            click.echo(f"{question_id}: run {run.id} queued")
            continue
        click.echo(f"{question_id}: analysing ...", err=True)
        run = services.execute(run)
        if run.status.value != "done":
            raise click.ClickException(f"{question_id}: run {run.id} failed ({run.error})")
        click.echo(
            f"{question_id}: run {run.id} done, {run.answer_count} answers, "
            f"{len(run.summary['clusters'])} clusters, "
            f"{len(run.summary['entities'])} entities"
        )


@analysis_cli.command("status")
@with_appcontext
def status_command() -> None:
    """The newest run of each open question."""
    for question in services.open_questions():
        run = services.latest_run(question.question_id)
        if run is None:
            click.echo(f"{question.question_id}: never analysed")
        else:
            click.echo(
                f"{question.question_id}: run {run.id} at {run.finished_at:%Y-%m-%d %H:%M}, "
                f"{run.answer_count} answers, taxonomy {run.taxonomy_id} "
                f"v{run.taxonomy_version}, code {run.code_version}"
            )
