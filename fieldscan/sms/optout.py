"""Opting numbers out of and back into messages (STOP, START, Twilio error 21610)."""

from __future__ import annotations

import logging

from sqlalchemy import update

from fieldscan import clock
from fieldscan.audit.services import record as audit
from fieldscan.extensions import db
from fieldscan.models import OutboundSms, OutboundStatus, Respondent

logger = logging.getLogger(__name__)


def opt_out(respondent: Respondent, source: str) -> None:
    """Opt the respondent out and cancel everything queued to them, in this transaction."""
    respondent.opted_out = True
    respondent.opted_out_at = clock.now()
    db.session.execute(
        update(OutboundSms)
        .where(
            OutboundSms.respondent_id == respondent.id,
            OutboundSms.status == OutboundStatus.queued,
        )
        .values(status=OutboundStatus.canceled, updated_at=clock.now())
    )
    audit("respondent.opt_out", "respondent", respondent.id, actor_label=source)
    logger.info("respondent %s opted out (%s)", respondent.id, source)


def opt_in(respondent: Respondent) -> None:
    """Let the respondent receive messages again."""
    respondent.opted_out = False
    respondent.opted_out_at = None
    audit("respondent.opt_in", "respondent", respondent.id, actor_label="sms")
    logger.info("respondent %s opted back in", respondent.id)
