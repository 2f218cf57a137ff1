"""The units of background work, shared by the Celery tasks and ``fieldscan worker``."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app

from fieldscan.sms import campaigns, outbound
from fieldscan.sms.gateway import gateway

logger = logging.getLogger(__name__)

_limiters: dict[float, outbound.RateLimiter] = {}


def _limiter() -> outbound.RateLimiter:
    # One pacing state per process and rate, so consecutive runs keep the pace.
    rate = float(current_app.config.get("FIELDSCAN_SMS_RATE", 1))
    return _limiters.setdefault(rate, outbound.RateLimiter(rate))


def send_outbox(limit: int = 100) -> outbound.SendReport:
    """Send due outbox messages (nothing when Twilio is not configured)."""
    sms_gateway = gateway()
    if sms_gateway is None:
        return outbound.SendReport()
    return outbound.send_due(sms_gateway, _limiter(), limit=limit)


def queue_reminders() -> int:
    """Queue reminders for idle unfinished SMS surveys."""
    config = current_app.config
    return campaigns.queue_reminders(
        after=timedelta(hours=float(config["FIELDSCAN_SMS_REMINDER_AFTER_HOURS"])),
        max_reminders=int(config["FIELDSCAN_SMS_MAX_REMINDERS"]),
        ttl=timedelta(hours=float(config["FIELDSCAN_SMS_SESSION_TTL_HOURS"])),
        program=config["FIELDSCAN_PROGRAM_NAME"],
    )


def run_analysis() -> int:
    """Run queued analyses and tag answers that arrived since the last run."""
    from fieldscan.analysis_jobs.services import run_pending

    return len(run_pending())
