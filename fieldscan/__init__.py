"""fieldscan: environmental scans for community health centers.

The application factory builds the Flask app from small steps; every domain package
registers its own routes and commands.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from flask import Flask

__version__ = "0.1.0"


def create_app(config: Mapping[str, object] | None = None) -> Flask:
    """Create the fieldscan application.

    :param config: settings that override the environment (keys as in the configuration
        contract, e.g. ``FIELDSCAN_DATABASE_URL``, or Flask's own such as ``TESTING``).
    """
    from fieldscan.config import load_config

    app = Flask(__name__, instance_path=_instance_path(config or {}))
    app.config.update(load_config(app.instance_path, config))
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    _init_logging(app)
    _init_extensions(app)
    _register_blueprints(app)
    _register_commands(app)
    return app


def _instance_path(config: Mapping[str, object]) -> str:
    # The embedded database lives in the checkout's instance/ folder (the contract),
    # whatever the working directory; FIELDSCAN_INSTANCE_PATH moves it.
    import os

    from fieldscan.config import PROJECT_ROOT

    chosen = config.get("FIELDSCAN_INSTANCE_PATH") or os.environ.get("FIELDSCAN_INSTANCE_PATH")
    return str(chosen or PROJECT_ROOT / "instance")


def _init_logging(app: Flask) -> None:
    from fieldscan import logs

    logs.init_app(app)


def _init_extensions(app: Flask) -> None:
    from fieldscan import i18n, security
    from fieldscan.extensions import db, migrate
    from fieldscan.respondents.vault import vault_for

    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(Path(__file__).parent / "migrations"),
        render_as_batch=True,
        compare_type=True,
    )
    i18n.init_app(app)
    app.extensions["fieldscan.vault"] = vault_for(app.config)
    from fieldscan.sms import gateway

    gateway.init_app(app)
    security.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from fieldscan import errors
    from fieldscan.accounts.routes import blueprint as accounts_blueprint
    from fieldscan.api import init_app as init_api
    from fieldscan.instruments.routes import blueprint as instruments_blueprint
    from fieldscan.interviews.routes import blueprint as interviews_blueprint
    from fieldscan.partners.routes import blueprint as partners_blueprint
    from fieldscan.reports.routes import blueprint as reports_blueprint
    from fieldscan.sms.routes import blueprint as sms_blueprint
    from fieldscan.web.routes import blueprint as web_blueprint
    from fieldscan.xlsform.routes import blueprint as xlsform_blueprint

    errors.init_app(app)
    app.register_blueprint(web_blueprint)
    app.register_blueprint(accounts_blueprint)
    app.register_blueprint(sms_blueprint)
    init_api(app)
    app.register_blueprint(interviews_blueprint)
    app.register_blueprint(reports_blueprint)
    app.register_blueprint(partners_blueprint)
    app.register_blueprint(instruments_blueprint)
    app.register_blueprint(xlsform_blueprint)


def _register_commands(app: Flask) -> None:
    from fieldscan.accounts.cli import tokens_cli, users_cli
    from fieldscan.analysis_cli import analyze_command
    from fieldscan.analysis_jobs.cli import analysis_cli
    from fieldscan.demo.cli import demo_cli
    from fieldscan.exports.cli import export_cli
    from fieldscan.i18n_cli import i18n_cli
    from fieldscan.instruments.cli import surveys_cli
    from fieldscan.interviews.cli import links_cli
    from fieldscan.jobs.cli import worker_command
    from fieldscan.partners.cli import partners_cli
    from fieldscan.reports.cli import reports_cli
    from fieldscan.sms.cli import sms_cli

    for command in (
        surveys_cli,
        users_cli,
        tokens_cli,
        i18n_cli,
        sms_cli,
        export_cli,
        worker_command,
        links_cli,
        demo_cli,
        analysis_cli,
        partners_cli,
        reports_cli,
        analyze_command,
    ):
        app.cli.add_command(command)
