"""Logging that never writes phone numbers or answer text.

Code logs ids only; as a second line of defence a filter masks anything that looks like
a phone number or an e-mail address before a record is written.
"""

from __future__ import annotations

import logging
import re

from flask import Flask

# Seven or more digits, optionally with +, spaces, dots, dashes or parentheses between.
_PHONE = re.compile(r"(?<![\w/])\+?\d[\d\s().-]{5,}\d(?![\w/])")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


_IPV4 = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")


def _mask_phone(match: re.Match) -> str:
    # Dotted quads are network addresses (request logs need them), not phone numbers.
    return match.group(0) if _IPV4.fullmatch(match.group(0)) else "[phone]"


def redact(text: str) -> str:
    """Mask phone numbers and e-mail addresses in ``text``."""
    return _EMAIL.sub("[email]", _PHONE.sub(_mask_phone, text))


class RedactingFilter(logging.Filter):
    """Rewrites each record's message with :func:`redact` applied."""

    def filter(self, record: logging.LogRecord) -> bool:  # noqa: D102
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not break logging
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


_FILTER = RedactingFilter()


def init_app(app: Flask) -> None:
    """Install the redacting filter on the app's and the root logger's handlers."""
    level = str(app.config.get("FIELDSCAN_LOG_LEVEL", "INFO")).upper()
    root = logging.getLogger()
    if not root.handlers:
        # Libraries speak at WARNING; fieldscan's own loggers at the configured level.
        logging.basicConfig(
            level="WARNING", format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
    logging.getLogger("fieldscan").setLevel(level)
    for logger in (root, app.logger, logging.getLogger("werkzeug")):
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
        for handler in logger.handlers:
            if _FILTER not in handler.filters:
                handler.addFilter(_FILTER)
    app.logger.setLevel(level)
