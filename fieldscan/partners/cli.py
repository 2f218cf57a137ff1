"""``fieldscan partners import-hsds``."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from fieldscan.extensions import db
from fieldscan.models import PartnerRelationship
from fieldscan.partners import hsds, services


@click.group("partners", help="The community partner registry.")
def partners_cli() -> None:
    """Partner registry commands."""


def _read(path: str | None) -> bytes | None:
    if path is None:
        return None
    file = Path(path)
    if not file.is_file():
        raise click.ClickException(f"{path}: no such file")
    return file.read_bytes()


@partners_cli.command("import-hsds")
@click.option(
    "--organizations",
    "organizations_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="HSDS organizations.csv (id and name columns required).",
)
@click.option(
    "--services",
    "services_path",
    default=None,
    type=click.Path(dir_okay=False),
    help="HSDS services.csv (id, organization_id and name columns required).",
)
@click.option("--site", default=None, help="Site slug (default: the whole organisation).")
@click.option(
    "--relationship",
    type=click.Choice([r.value for r in PartnerRelationship]),
    default=PartnerRelationship.prospective.value,
    show_default=True,
    help="Relationship of new partners.",
)
@click.option(
    "--dry-run", is_flag=True, help="Check the files and show the changes; import nothing."
)
@with_appcontext
def import_hsds_command(
    organizations_path: str,
    services_path: str | None,
    site: str | None,
    relationship: str,
    dry_run: bool,
) -> None:
    """Import an Open Referral (HSDS) directory: every row valid, or nothing imported."""
    organizations_data = _read(organizations_path)
    services_data = _read(services_path)
    site_row = None
    if site is not None:
        site_row = services.site_by_slug(site)
        if site_row is None:
            raise click.ClickException(f"site {site!r} does not exist")
    try:
        organizations = hsds.read_hsds(
            organizations_data,
            services_data,
            organizations_name=Path(organizations_path).name,
            services_name=Path(services_path).name if services_path else "services.csv",
        )
    except hsds.HsdsError as error:
        for issue in error.issues:
            click.echo(str(issue), err=True)
        count = len(error.issues)
        raise click.ClickException(
            f"{count} problem{'s' if count != 1 else ''} found; nothing was imported"
        ) from None
    report = services.import_hsds(
        organizations,
        site=site_row,
        relationship=relationship,
        dry_run=dry_run,
        actor_label="cli",
    )
    counts = report.counts()
    if dry_run:
        db.session.rollback()
        for action, name in report.actions:
            click.echo(f"{action}\t{name}")
        click.echo(
            "dry run: would create {created}, update {updated}, leave {unchanged} unchanged; "
            "nothing was imported".format(**counts)
        )
        return
    db.session.commit()
    click.echo(
        "{created} created, {updated} updated, {unchanged} unchanged "
        "({services_mapped} services mapped, {services_unmatched} listed in notes)".format(**counts)
    )
