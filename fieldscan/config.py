"""Configuration from the environment (and an optional ``.env`` file), per the contract.

``create_app(config)`` accepts a mapping that overrides the environment; its keys are the
environment variable names of the contract (``FIELDSCAN_DATABASE_URL`` ...) or Flask's own
configuration keys.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
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
    "FIELDSCAN_SMS_FAST_TURNS": "true",
    "FIELDSCAN_LINK_TTL_HOURS": "72",
    "FIELDSCAN_IDLE_TIMEOUT_MINUTES": "15",
    "FIELDSCAN_LOGIN_LIMIT_ACCOUNT": "10 per 15 minutes",
    "FIELDSCAN_LOGIN_LIMIT_ADDRESS": "50 per 15 minutes",
    "FIELDSCAN_TRUSTED_PROXIES": "0",
    "TWILIO_ACCOUNT_SID": None,
    "TWILIO_AUTH_TOKEN": None,
    "TWILIO_FROM_NUMBER": None,
}

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigurationError(RuntimeError):
    """The configuration cannot be used (a missing secret in production, a bad value)."""


def _boolean(name: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ConfigurationError(f"{name} must be true or false, not {value!r}")


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

    # A server may drop idle connections (ping them before use); an SQLite file cannot.
    is_sqlite = values["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
    values.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": not is_sqlite})
    values.setdefault(
        "SURVEYS_DIR", values.get("FIELDSCAN_SURVEYS_DIR") or str(PROJECT_ROOT / "surveys")
    )
    values["TESTING"] = bool(values.get("TESTING")) or env == "testing"
    values["FIELDSCAN_LINK_TTL_HOURS"] = float(values["FIELDSCAN_LINK_TTL_HOURS"])
    values["FIELDSCAN_SMS_FAST_TURNS"] = _boolean(
        "FIELDSCAN_SMS_FAST_TURNS", values["FIELDSCAN_SMS_FAST_TURNS"]
    )
    _security_settings(values, env)
    values.setdefault("MAX_CONTENT_LENGTH", 2 * 1024 * 1024)
    values.setdefault("JSON_SORT_KEYS", False)
    return values


def _security_settings(values: dict[str, object], env: str) -> None:
    """Sessions, CSRF and login throttling (see :mod:`fieldscan.security`).

    The session cookie is HttpOnly, SameSite=Lax and, in production, Secure; it holds only
    a random token for a server-side session (``login_sessions``) with an idle time-out
    (HIPAA automatic logoff) and an absolute lifetime of 12 hours.
    """
    values["FIELDSCAN_IDLE_TIMEOUT_MINUTES"] = _number(values, "FIELDSCAN_IDLE_TIMEOUT_MINUTES")
    proxies = _number(values, "FIELDSCAN_TRUSTED_PROXIES", zero_allowed=True)
    values["FIELDSCAN_TRUSTED_PROXIES"] = int(proxies)
    values.setdefault("SESSION_COOKIE_NAME", "fieldscan_session")
    values.setdefault("SESSION_COOKIE_HTTPONLY", True)
    values.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    values.setdefault("SESSION_COOKIE_SECURE", env == "production")
    values.setdefault("PERMANENT_SESSION_LIFETIME", timedelta(hours=12))
    # The lifetime counts from sign-in, not from the last request.
    values.setdefault("SESSION_REFRESH_EACH_REQUEST", False)
    # CSRF stays on in testing too; a test that does not want it turns it off.
    values.setdefault("WTF_CSRF_ENABLED", True)
    # The token lives as long as the session (which has its own idle and absolute limits).
    values.setdefault("WTF_CSRF_TIME_LIMIT", None)
    # Redis when configured (shared by every process); otherwise in process memory, which
    # only counts per process: fine for the embedded single-process default.
    values.setdefault("RATELIMIT_STORAGE_URI", values.get("FIELDSCAN_REDIS_URL") or "memory://")
    values.setdefault("RATELIMIT_STRATEGY", "moving-window")
    values.setdefault("RATELIMIT_KEY_PREFIX", "fieldscan-limits")
    values.setdefault("RATELIMIT_HEADERS_ENABLED", True)


def _number(values: Mapping[str, object], name: str, *, zero_allowed: bool = False) -> float:
    """The setting ``name`` as a number, refused when negative (or zero, unless allowed)."""
    try:
        number = float(values[name])  # type: ignore[arg-type]
    except (TypeError, ValueError):
        number = -1.0
    if number < 0 or (number == 0 and not zero_allowed):
        raise ConfigurationError(f"{name} must be a positive number, not {values[name]!r}")
    return number


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
