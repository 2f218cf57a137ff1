"""Request security: sign-in sessions, CSRF, sign-in throttling and response headers.

- **Sessions**: Flask-Login on server-side login sessions (:mod:`fieldscan.accounts.auth`).
- **CSRF** (Flask-WTF) on every form and browser JSON call that changes something: the
  token is in each form's ``csrf_token`` field and, for scripts, in
  ``<meta name="csrf-token">`` to send as ``X-CSRFToken``. Exempt: the Twilio webhooks
  (signature-checked) and API calls with ``Authorization: Bearer`` (device tokens, which a
  browser never adds by itself).
- **Throttling** (Flask-Limiter) of failed sign-ins per account and per address. Counters
  live in Redis when ``FIELDSCAN_REDIS_URL`` is set, shared by every process; otherwise in
  the memory of one process, which suits the embedded single-process default only.
- **Headers**: a strict Content-Security-Policy (no inline script or style, nothing from
  elsewhere), no framing, no sniffing, HSTS in production, ``no-store`` for signed-in pages.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging

from flask import Flask, Response, current_app, g, request
from flask.sessions import SecureCookieSessionInterface
from flask_limiter import Limiter, RequestLimit
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect
from limits import parse_many
from werkzeug.middleware.proxy_fix import ProxyFix

from fieldscan.config import ConfigurationError

logger = logging.getLogger(__name__)

csrf = CSRFProtect()

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'; worker-src 'self'; manifest-src 'self'"
)

#: Headers on every response (a view may set its own value first).
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}
HSTS = "max-age=63072000; includeSubDomains"

#: The settings of the two sign-in throttles (limits strings such as ``10 per 15 minutes``).
LOGIN_LIMIT_SETTINGS = ("FIELDSCAN_LOGIN_LIMIT_ACCOUNT", "FIELDSCAN_LOGIN_LIMIT_ADDRESS")
#: Blueprints that only machines call, each proving itself otherwise (Twilio signs every
#: webhook): no browser, cookie, form token or sign-in is involved, so their requests skip
#: the browser hooks, which together cost more than a minimal endpoint's whole request.
MACHINE_BLUEPRINTS = frozenset({"sms"})
_LOGIN_ENDPOINT = "accounts.login"
_FAILED_LOGIN_FLAG = "fieldscan.failed_login"


def init_app(app: Flask) -> None:
    """Install sessions and sign-in, CSRF, the sign-in throttle and the headers."""
    from fieldscan.accounts import auth

    if app.config["FIELDSCAN_TRUSTED_PROXIES"]:
        hops = app.config["FIELDSCAN_TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    app.before_request(_forget_cached_request_state)
    # Flask-WTF's own hook cannot tell Bearer API calls apart; ours calls protect().
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    csrf.init_app(app)
    _exempt_webhooks()
    app.before_request(_check_csrf)

    app.extensions["fieldscan.limiter"] = _login_limiter(app)
    auth.init_app(app)
    app.after_request(_add_headers)
    _skip_browser_hooks_for_machines(app)


def _skip_browser_hooks_for_machines(app: Flask) -> None:
    """Wrap the hooks installed so far so that machine requests pass them by."""
    app.session_interface = _BrowserSessionInterface()
    for hooks in (app.before_request_funcs, app.after_request_funcs):
        hooks[None] = [
            hook if hook is _add_headers else _browser_only(hook) for hook in hooks.get(None, [])
        ]


def _browser_only(hook):
    @functools.wraps(hook)
    def for_browsers(*response):
        if request.blueprint in MACHINE_BLUEPRINTS:
            return response[0] if response else None  # after_request hands the response on
        return hook(*response)

    return for_browsers


class _BrowserSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, never opened for machine requests (they send none)."""

    def open_session(self, app, request):  # noqa: D102 - Flask's interface
        if request.blueprint in MACHINE_BLUEPRINTS:
            return self.null_session_class()
        return super().open_session(app, request)


def _forget_cached_request_state() -> None:
    """Drop what Flask-Login and Flask-WTF cache in ``g`` for one request.

    ``g`` lives as long as the application context, and a context pushed around many
    requests (the test suite's ``app`` fixture, scripts) would otherwise hand one
    request's user or CSRF token to the next.
    """
    for name in ("_login_user", "csrf_valid", current_app.config["WTF_CSRF_FIELD_NAME"]):
        g.pop(name, None)


def _exempt_webhooks() -> None:
    from fieldscan.sms.routes import blueprint as sms_blueprint

    csrf.exempt(sms_blueprint)  # Twilio signs its requests (X-Twilio-Signature)


def _is_bearer_api_call() -> bool:
    under_api = request.path == "/api" or request.path.startswith("/api/")
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    return under_api and scheme.lower() == "bearer" and bool(credentials.strip())


def _check_csrf() -> None:
    """Refuse (400) a state-changing request without a valid CSRF token."""
    if not current_app.config["WTF_CSRF_ENABLED"] or _is_bearer_api_call():
        return
    csrf.protect(apply_exemptions=True)


# --- sign-in throttle --------------------------------------------------------------------


def _login_limiter(app: Flask) -> Limiter:
    """A limiter of this app (its own storage, so each app, and each test, starts afresh).

    Only failed sign-ins count (``deduct_when``); once a limit is reached every attempt
    on it gets 429, right password or not, until the window has room again.
    """
    from fieldscan.accounts.routes import blueprint as accounts_blueprint

    for setting in LOGIN_LIMIT_SETTINGS:
        try:
            parse_many(str(app.config[setting]))
        except ValueError as error:
            raise ConfigurationError(
                f"{setting} must be a limit such as '10 per 15 minutes', "
                f"not {app.config[setting]!r}"
            ) from error
    limiter = Limiter(
        key_func=get_remote_address,
        in_memory_fallback_enabled=bool(app.config.get("FIELDSCAN_REDIS_URL")),
        on_breach=_log_breach,
    )
    for setting, key_func, scope in (
        (LOGIN_LIMIT_SETTINGS[0], _account_key, "account"),
        (LOGIN_LIMIT_SETTINGS[1], get_remote_address, "address"),
    ):
        limiter.limit(
            _setting(setting),
            key_func=key_func,
            scope=scope,
            exempt_when=_not_a_login_attempt,
            deduct_when=_login_failed,
            override_defaults=False,
        )(accounts_blueprint)
    limiter.init_app(app)
    if app.config["FIELDSCAN_ENV"] == "production" and not app.config.get("FIELDSCAN_REDIS_URL"):
        logger.warning(
            "sign-in throttle counts in process memory: with several processes each keeps "
            "its own count; set FIELDSCAN_REDIS_URL to share them"
        )
    return limiter


def _setting(name: str):
    def limit() -> str:
        return str(current_app.config[name])

    return limit


def _not_a_login_attempt() -> bool:
    return not (request.endpoint == _LOGIN_ENDPOINT and request.method == "POST")


def _account_key() -> str:
    # A keyed hash: the address itself never reaches the counter store or the logs.
    email = request.form.get("email", "").strip().lower()
    secret = current_app.config["SECRET_KEY"].encode()
    return "account:" + hmac.new(secret, email.encode(), hashlib.sha256).hexdigest()[:32]


def count_failed_login() -> None:
    """Count this request's sign-in as failed for the throttle (called by the sign-in view)."""
    request.environ[_FAILED_LOGIN_FLAG] = True


def _login_failed(_response: Response) -> bool:
    return bool(request.environ.get(_FAILED_LOGIN_FLAG))


def _log_breach(limit: RequestLimit) -> None:
    # The scope names the throttle (per account or per address), not who tried.
    logger.warning("sign-in throttled: %s limit %s reached", limit.request_args[-1], limit.limit)


# --- headers -----------------------------------------------------------------------------


def _add_headers(response: Response) -> Response:
    if request.blueprint in MACHINE_BLUEPRINTS:
        # Read by Twilio, never rendered by a browser: the page policies do not apply.
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if current_app.config["FIELDSCAN_ENV"] == "production":
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    if request.endpoint != "static" and _signed_in():
        response.headers["Cache-Control"] = "no-store"
    return response


def _signed_in() -> bool:
    from fieldscan.accounts.auth import has_session

    return has_session()
