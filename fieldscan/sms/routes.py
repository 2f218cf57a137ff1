"""Twilio webhooks: inbound messages and delivery status callbacks. Thin: parse, call, render."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, abort, current_app, request
from twilio.twiml.messaging_response import MessagingResponse

from fieldscan.sms import outbound, signature
from fieldscan.sms.conversation import InboundMessage, handle_inbound

logger = logging.getLogger(__name__)

blueprint = Blueprint("sms", __name__, url_prefix="/sms")


def _require_twilio_signature() -> None:
    config = current_app.config
    if not signature.is_valid(
        request, config.get("TWILIO_AUTH_TOKEN"), config.get("FIELDSCAN_PUBLIC_URL")
    ):
        logger.warning("webhook %s refused: bad or missing signature", request.path)
        abort(403)


def _twiml(replies: list[str]) -> Response:
    twiml = MessagingResponse()
    for text in replies:
        twiml.message(text)
    return Response(str(twiml), mimetype="application/xml")


@blueprint.post("/twilio/inbound")
def inbound():
    """Receive a text; answer with TwiML holding the replies (empty for repeats)."""
    _require_twilio_signature()
    form = request.form
    sid = form.get("MessageSid") or form.get("SmsSid")
    sender = form.get("From")
    if not sid or not sender:
        abort(400)
    message = InboundMessage(
        message_sid=sid, sender=sender, body=form.get("Body", ""), to=form.get("To", "")
    )
    outcome = handle_inbound(message)
    return _twiml(outcome.replies)


@blueprint.post("/twilio/status")
def status():
    """Record a delivery status callback (statuses only move forward)."""
    _require_twilio_signature()
    form = request.form
    sid = form.get("MessageSid") or form.get("SmsSid")
    state = form.get("MessageStatus") or form.get("SmsStatus")
    if not sid or not state:
        abort(400)
    error_code = form.get("ErrorCode")
    outbound.apply_status(
        sid, state, int(error_code) if error_code and error_code.isdigit() else None
    )
    return Response("", status=204)
