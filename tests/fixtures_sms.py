"""SMS test fixtures (a pytest plugin loaded by tests/conftest.py).

Signed webhook posts, a frozen clock, and a fake HTTP layer under the real Twilio client.
"""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime
from urllib.parse import parse_qs

import pytest
from twilio.http import HttpClient
from twilio.http.response import Response as TwilioResponse
from twilio.request_validator import RequestValidator

from fieldscan import clock

AUTH_TOKEN = "test-auth-token-0123456789abcdef"
ACCOUNT_SID = "AC" + "0" * 32
FROM_NUMBER = "+15005550006"
PUBLIC_URL = "https://scan.clinic.example"
START = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)

_sids = itertools.count(1)


def new_sid() -> str:
    """A fresh Twilio-style MessageSid."""
    return f"SM{next(_sids):032x}"


class FakeTwilioHttp(HttpClient):
    """Stands in for Twilio's servers behind the real ``twilio.rest.Client``.

    ``responses`` is a list of (status, body dict) answered in order, then 201s.
    """

    def __init__(self, responses=None):
        super().__init__(logger=None, is_async=False)
        self.requests: list[dict] = []
        self.responses = list(responses or [])

    def request(
        self,
        method,
        uri,
        params=None,
        data=None,
        headers=None,
        auth=None,
        timeout=None,
        allow_redirects=False,
    ):
        self.requests.append({"method": method, "uri": uri, "data": dict(data or {})})
        if self.responses:
            status, body = self.responses.pop(0)
        else:
            status, body = 201, {"sid": new_sid(), "status": "queued"}
        return TwilioResponse(status, json.dumps(body))


@pytest.fixture
def frozen():
    """The clock frozen at a fixed Monday afternoon; ``frozen.advance(hours=5)`` moves it."""
    with clock.freeze(START) as frozen_clock:
        yield frozen_clock


@pytest.fixture
def twilio_http():
    """The fake Twilio HTTP client the app's gateway uses."""
    return FakeTwilioHttp()


@pytest.fixture
def sms_app(app, twilio_http, loaded_surveys):
    """The app with Twilio configured (fake HTTP) and the instruments loaded."""
    from fieldscan.sms import gateway

    app.config.update(
        TWILIO_ACCOUNT_SID=ACCOUNT_SID,
        TWILIO_AUTH_TOKEN=AUTH_TOKEN,
        TWILIO_FROM_NUMBER=FROM_NUMBER,
        FIELDSCAN_PUBLIC_URL=PUBLIC_URL,
        TWILIO_HTTP_CLIENT=twilio_http,
        FIELDSCAN_PROGRAM_NAME="Valle Verde Health",
        FIELDSCAN_CONTACT="(555) 010-0000",
        FIELDSCAN_SMS_RATE=1000,
    )
    gateway.init_app(app)
    return app


def sign(path: str, params: dict, token: str = AUTH_TOKEN) -> str:
    """The X-Twilio-Signature Twilio would send for a POST to ``path``."""
    return RequestValidator(token).compute_signature(PUBLIC_URL + path, params)


class Phone:
    """A patient's phone texting the webhook."""

    def __init__(self, client, number: str) -> None:
        self.client, self.number = client, number

    def send(self, body: str, sid: str | None = None, signature: str | None = None):
        """Text ``body``; return (status code, list of reply texts)."""
        params = {
            "MessageSid": sid or new_sid(),
            "AccountSid": ACCOUNT_SID,
            "From": self.number,
            "To": FROM_NUMBER,
            "Body": body,
            "NumMedia": "0",
        }
        headers = {
            "X-Twilio-Signature": signature
            if signature is not None
            else sign("/sms/twilio/inbound", params)
        }
        response = self.client.post(
            "/sms/twilio/inbound", data=params, headers=headers, base_url=PUBLIC_URL
        )
        if response.status_code != 200:
            return response.status_code, []
        return response.status_code, replies_of(response.get_data(as_text=True))


def replies_of(twiml: str) -> list[str]:
    """The <Message> texts of a TwiML document."""
    from xml.etree import ElementTree

    if not twiml.strip():
        return []
    root = ElementTree.fromstring(twiml)
    return [message.text or "" for message in root.iter("Message")]


@pytest.fixture
def phone(sms_app):
    """A phone texting from a fixed number."""
    return Phone(sms_app.test_client(), "+14155550101")


def form_of(request: dict) -> dict:
    """The form fields Twilio's client sent (values are lists in parse_qs; flatten)."""
    data = request["data"]
    return (
        {k: (v[0] if isinstance(v, list) else v) for k, v in data.items()}
        if data
        else {k: v[0] for k, v in parse_qs(request.get("body", "")).items()}
    )
