"""``fieldscan worker``: runs background work without a broker (the embedded default)."""

from __future__ import annotations

import logging
import time

import click
from flask.cli import with_appcontext

from fieldscan.extensions import db
from fieldscan.jobs import work

logger = logging.getLogger(__name__)


@click.command("worker")
@click.option("--once", is_flag=True, help="Do one round of work and exit.")
@click.option("--interval", default=1.0, show_default=True, help="Seconds between rounds.")
@click.option(
    "--reminder-every", default=60.0, show_default=True, help="Seconds between reminder checks."
)
@click.option(
    "--analysis-every",
    default=300.0,
    show_default=True,
    help="Seconds between analysis checks (queued runs, new answers to tag).",
)
@with_appcontext
def worker_command(
    once: bool, interval: float, reminder_every: float, analysis_every: float
) -> None:
    """Send the SMS outbox, queue reminders, run analyses, in a loop (Ctrl-C stops)."""
    last_reminders = last_analysis = 0.0
    click.echo("worker started" + (" (one round)" if once else "; Ctrl-C to stop"), err=True)
    try:
        while True:
            if time.monotonic() - last_reminders >= reminder_every or once:
                queued = work.queue_reminders()
                last_reminders = time.monotonic()
                if queued:
                    click.echo(f"{queued} reminders queued", err=True)
            if time.monotonic() - last_analysis >= analysis_every or once:
                analysed = work.run_analysis()
                last_analysis = time.monotonic()
                if analysed:
                    click.echo(f"{analysed} analysis runs done", err=True)
            report = work.send_outbox()
            if report.ids:
                click.echo(
                    f"sent {report.sent}, retrying {report.retried}, failed "
                    f"{report.failed}, canceled {report.canceled}",
                    err=True,
                )
            db.session.remove()
            if once:
                return
            time.sleep(interval)
    except KeyboardInterrupt:
        click.echo("worker stopped", err=True)
