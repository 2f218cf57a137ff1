"""The one place that talks to Twilio's REST API, through the real ``twilio.rest.Client``.

Tests hand the client a fake ``http_client`` (config ``TWILIO_HTTP_CLIENT``), so the SDK's
own request building and error handling are exercised without a network.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.rest import Client

#: Twilio's error for a recipient who replied STOP to the sending number.
OPTED_OUT_ERROR = 21610


class SendError(RuntimeError):
    """Twilio did not accept a message."""

    def __init__(self, message: str, code: int | None, http_status: int | None) -> None:
        super().__init__(message)
        self.code = code
        self.http_status = http_status

    @property
    def retryable(self) -> bool:
        """Rate limiting (429), server errors (5xx) and network failures are retried."""
        if self.code == OPTED_OUT_ERROR:
            return False
        return self.http_status is None or self.http_status == 429 or self.http_status >= 500


@dataclass
class SmsGateway:
    """Sends texts from one Twilio number."""

    client: Client
    from_number: str
    status_callback: str | None = None

    def send(self, to: str, body: str) -> str:
        """Send ``body`` to ``to``; return Twilio's message SID or raise :class:`SendError`."""
        options = {"to": to, "from_": self.from_number, "body": body}
        if self.status_callback:
            options["status_callback"] = self.status_callback
        try:
            message = self.client.messages.create(**options)
        except TwilioRestException as exc:
            raise SendError(
                f"Twilio refused the message ({exc.code})", exc.code, exc.status
            ) from None
        except (TwilioException, OSError) as exc:
            raise SendError(
                f"Twilio could not be reached: {type(exc).__name__}", None, None
            ) from None
        except Exception as exc:  # requests' connection errors and timeouts
            if type(exc).__module__.startswith(("requests", "urllib3")):
                raise SendError(
                    f"Twilio could not be reached: {type(exc).__name__}", None, None
                ) from None
            raise
        return message.sid


def init_app(app: Flask) -> None:
    """Bind the gateway when Twilio is configured (else sending is disabled)."""
    config = app.config
    sid, token = config.get("TWILIO_ACCOUNT_SID"), config.get("TWILIO_AUTH_TOKEN")
    number = config.get("TWILIO_FROM_NUMBER")
    if not (sid and token and number):
        app.extensions["fieldscan.sms_gateway"] = None
        return
    client = Client(sid, token, http_client=config.get("TWILIO_HTTP_CLIENT"))
    public = config.get("FIELDSCAN_PUBLIC_URL")
    callback = public.rstrip("/") + "/sms/twilio/status" if public else None
    app.extensions["fieldscan.sms_gateway"] = SmsGateway(client, number, callback)


def gateway() -> SmsGateway | None:
    """The current app's gateway, or None when Twilio is not configured."""
    return current_app.extensions.get("fieldscan.sms_gateway")
