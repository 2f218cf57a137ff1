"""Checking that a webhook request really comes from Twilio."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from flask import Request
from twilio.request_validator import RequestValidator, compare


def signed_url(request: Request, public_url: str | None) -> str:
    """The URL Twilio signed: the public base URL (behind a proxy) or the request's own."""
    if not public_url:
        return request.url
    base = urlsplit(public_url.rstrip("/"))
    path = base.path + request.path
    return urlunsplit((base.scheme, base.netloc, path, request.query_string.decode(), ""))


def is_valid(request: Request, auth_token: str | None, public_url: str | None) -> bool:
    """Whether ``X-Twilio-Signature`` matches the request under ``auth_token``.

    With no auth token configured nothing validates: a misconfigured server refuses
    every webhook rather than accepting forged ones.
    """
    signature = request.headers.get("X-Twilio-Signature", "")
    if not auth_token or not signature:
        return False
    validator = RequestValidator(auth_token)
    url = signed_url(request, public_url)
    # Twilio signs the URL as configured, which nearly always is the URL as given: check
    # that first, and let the validator try it with and without the port otherwise.
    if compare(validator.compute_signature(url, request.form), signature):
        return True
    return validator.validate(url, request.form, signature)
