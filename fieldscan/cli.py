"""The ``fieldscan`` console script: Flask's command line bound to :func:`create_app`."""

from __future__ import annotations

from flask.cli import FlaskGroup


def _create_app():
    from fieldscan import create_app

    return create_app()


def main() -> None:
    """Entry point of the ``fieldscan`` command."""
    cli = FlaskGroup(create_app=_create_app, help="fieldscan: environmental scans for clinics.")
    cli.main(prog_name="fieldscan")
