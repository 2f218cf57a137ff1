"""Configuration from the environment (and an optional ``.env`` file), per the contract.

``create_app(config)`` accepts a mapping that overrides the environment; its keys are the
environment variable names of the contract (``FIELDSCAN_DATABASE_URL`` ...) or Flask's own
configuration keys.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path

ENVIRONMENTS = ("development", "testing", "production")

#: Environment variables read into the Flask config, with their defaults.
_SETTINGS: dict[str, str | None] = {
    "FIELDSCAN_ENV": "development",
    "FIELDSCAN_DATABASE_URL": None,
    "FIELDSCAN_SECRET_KEY": None,
    "FIELDSCAN_ENCRYPTION_KEY": None,
    "FIELDSCAN_PUBLIC_URL": None,
    "FIELDSCAN_REDIS_URL": None,
    "FIELDSCAN_PROGRAM_NAME": "Community health survey",
    "FIELDSCAN_CONTACT": None,
    "FIELDSCAN_SURVEYS_DIR": None,
    "FIELDSCAN_LOG_LEVEL": "INFO",
    "FIELDSCAN_SMS_SESSION_TTL_HOURS": "72",
    "FIELDSCAN_SMS_REMINDER_AFTER_HOURS": "24",
    "FIELDSCAN_SMS_MAX_REMINDERS": "1",
    "FIELDSCAN_SMS_RATE": "1",
    "TWILIO_ACCOUNT_SID": None,
    "TWILIO_AUTH_TOKEN": None,
    "TWILIO_FROM_NUMBER": None,
}

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigurationError(RuntimeError):
    """The configuration cannot be used (a missing secret in production, a bad value)."""


def load_config(instance_path: str, overrides: Mapping[str, object] | None = None) -> dict:
    """Build the Flask configuration from the environment, then ``overrides``.

    :raises ConfigurationError: when production lacks ``FIELDSCAN_SECRET_KEY``.
    """
    overrides = dict(overrides or {})
    values: dict[str, object] = {}
    for name, default in _SETTINGS.items():
        values[name] = os.environ.get(name) or default
    values.update(overrides)

    env = str(values["FIELDSCAN_ENV"]).lower()
    if overrides.get("TESTING"):
        env = "testing"
    if env not in ENVIRONMENTS:
        raise ConfigurationError(
            f"FIELDSCAN_ENV must be one of {', '.join(ENVIRONMENTS)}, not {env!r}"
        )
    values["FIELDSCAN_ENV"] = env

    secret = values.get("SECRET_KEY") or values.get("FIELDSCAN_SECRET_KEY")
    if not secret:
        if env == "production":
            raise ConfigurationError(
                "FIELDSCAN_SECRET_KEY is not set: refusing to start in production without it"
            )
        secret = (
            _development_secret(instance_path) if env == "development" else secrets.token_hex(32)
        )
    values["SECRET_KEY"] = secret
    values["FIELDSCAN_SECRET_KEY"] = secret

    database_url = values.get("SQLALCHEMY_DATABASE_URI") or values.get("FIELDSCAN_DATABASE_URL")
    if not database_url:
        database_url = "sqlite:///" + os.path.join(instance_path, "fieldscan.db")
    values["SQLALCHEMY_DATABASE_URI"] = _sqlalchemy_url(str(database_url))
    values["FIELDSCAN_DATABASE_URL"] = values["SQLALCHEMY_DATABASE_URI"]

    values.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True})
    values.setdefault(
        "SURVEYS_DIR", values.get("FIELDSCAN_SURVEYS_DIR") or str(PROJECT_ROOT / "surveys")
    )
    values["TESTING"] = bool(values.get("TESTING")) or env == "testing"
    values.setdefault("MAX_CONTENT_LENGTH", 2 * 1024 * 1024)
    values.setdefault("JSON_SORT_KEYS", False)
    return values


def _sqlalchemy_url(url: str) -> str:
    # Heroku-style and plain postgres URLs name the driver we do not ship; use psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _development_secret(instance_path: str) -> str:
    """A random key kept in the instance folder, so development sessions survive restarts.

    Development never falls back to a fixed, publicly known key.
    """
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
