"""``fieldscan analyze``: the batch face of :mod:`analysis` (themes, clusters, entities)."""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

import click

#: Inputs larger than this report progress on stderr.
PROGRESS_THRESHOLD = 5000


def _progress_printer(total_rows: int):
    started = time.monotonic()
    last = {"line": ""}

    def report(step: str, done: int, total: int) -> None:
        pct = 100 * done // total if total else 100
        line = f"analyze: {step} {done}/{total} ({pct}%) {time.monotonic() - started:.0f}s"
        if line != last["line"]:
            last["line"] = line
            click.echo(line, err=True)

    click.echo(f"analyze: {total_rows} answers", err=True)
    return report


def write_json_atomic(path: Path, data: dict) -> None:
    """Write JSON to a temporary file in the same folder, then rename it into place."""
    path = path.resolve()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, indent=1)
            fh.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@click.command("analyze")
@click.option(
    "--input",
    "input_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="UTF-8 CSV with columns id, question, text (optional: language, site, channel).",
)
@click.option(
    "--output",
    "output_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="JSON file to write (replaced atomically).",
)
@click.option(
    "--taxonomies",
    "taxonomy_dir",
    default=None,
    type=click.Path(file_okay=False),
    help="Folder of extra taxonomies (one sub-folder each) to use instead of the bundled ones.",
)
@click.option("--seed", default=0, show_default=True, help="Random seed (output is deterministic).")
def analyze_command(input_path: str, output_path: str, taxonomy_dir: str | None, seed: int) -> None:
    """Themes, clusters and named local entities of free-text answers, as JSON."""
    from analysis import AnswerFileError, TaxonomyError, analyze, load_taxonomies, read_answers_csv

    try:
        records = read_answers_csv(input_path)
    except AnswerFileError as exc:
        raise click.ClickException(str(exc)) from None
    taxonomies = None
    if taxonomy_dir:
        try:
            taxonomies = load_taxonomies(taxonomy_dir)
        except (TaxonomyError, OSError) as exc:
            raise click.ClickException(f"{taxonomy_dir}: {exc}") from None
    out = Path(output_path)
    if not out.parent.exists():
        raise click.ClickException(f"{output_path}: the folder does not exist")
    progress = _progress_printer(len(records)) if len(records) > PROGRESS_THRESHOLD else None
    result = analyze(records, taxonomies=taxonomies, random_state=seed, progress=progress)
    write_json_atomic(out, result)
    counts = ", ".join(
        f"{q}: {len(v['themes'])} answers, {len(v['clusters'])} clusters, "
        f"{len(v['entities'])} entities"
        for q, v in result["questions"].items()
    )
    click.echo(f"wrote {out} ({counts or 'no answers'})", err=sys.stderr.isatty())
