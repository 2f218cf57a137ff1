"""Flask-Babel integration: picks each request's language and translates UI text.

Catalogs are looked up by fieldscan language code (see :mod:`fieldscan.locales`), not by
Babel locale, so Hmong, which has no CLDR data, still gets its own translations; dates
and numbers for such languages are formatted with a fallback locale.
"""

from __future__ import annotations

from flask import Flask, g, has_request_context, request
from flask_babel import Babel, Domain, LazyString

from fieldscan.locales import (
    LANGUAGE_NAMES,
    LANGUAGES,
    SOURCE_LANGUAGE,
    format_locale,
    is_rtl,
    normalize_language,
    translations,
)

LANGUAGE_COOKIE = "fieldscan_lang"


class _LanguageDomain(Domain):
    """A gettext domain that follows :func:`current_language` rather than a Babel locale."""

    def get_translations(self):  # noqa: D102 - same contract as Domain.get_translations
        return translations(current_language(), self.domain[0])


class _FieldscanBabel(Babel):
    @property
    def domain_instance(self):  # noqa: D102
        return _DOMAIN


_DOMAIN = _LanguageDomain(domain="messages")
babel = _FieldscanBabel()


def gettext(message: str, **params: object) -> str:
    """Translate ``message`` into the current language; fill ``{name}`` placeholders after."""
    text = _DOMAIN.get_translations().gettext(message)
    return text.format(**params) if params else text


def ngettext(singular: str, plural: str, n: int, **params: object) -> str:
    """Plural-aware :func:`gettext`; ``{n}`` is always available to the message."""
    text = _DOMAIN.get_translations().ngettext(singular, plural, n)
    return text.format(n=n, **params)


def lazy_gettext(message: str, **params: object) -> LazyString:
    """A :func:`gettext` evaluated when the string is used (for module-level text)."""
    return LazyString(gettext, message, **params)


_ = gettext


_REQUEST_KEY = "fieldscan.language"


def set_language(language: str) -> None:
    """Use ``language`` for the rest of this request (a channel that knows the respondent's)."""
    if has_request_context():
        request.environ[_REQUEST_KEY] = language
    else:
        g.language = language


def current_language() -> str:
    """The language of the current request (or the source language outside one).

    Chosen in order from: :func:`set_language` (a channel that knows the respondent's
    language), ``?lang=``, the language cookie, ``Accept-Language``. Kept on the request
    itself, not on ``g``, which an app context may share between requests.
    """
    if not has_request_context():
        return getattr(g, "language", SOURCE_LANGUAGE) if g else SOURCE_LANGUAGE
    chosen = request.environ.get(_REQUEST_KEY)
    if chosen:
        return chosen
    chosen = (
        normalize_language(request.args.get("lang"))
        or normalize_language(request.cookies.get(LANGUAGE_COOKIE))
        or _from_accept_language()
        or SOURCE_LANGUAGE
    )
    request.environ[_REQUEST_KEY] = chosen
    return chosen


def _from_accept_language() -> str | None:
    for value, _quality in request.accept_languages:
        lang = normalize_language(value)
        if lang:
            return lang
    return None


def _format_locale_name() -> str:
    return str(format_locale(current_language()))


def init_app(app: Flask) -> None:
    """Bind Flask-Babel and expose language helpers to templates."""
    babel.init_app(app, locale_selector=_format_locale_name, default_domain="messages")
    app.jinja_env.install_gettext_callables(
        gettext=lambda s, **kw: gettext(s, **kw),
        ngettext=lambda s, p, n, **kw: ngettext(s, p, n, **kw),
        newstyle=False,
    )
    app.jinja_env.policies["ext.i18n.trimmed"] = True

    @app.context_processor
    def _language_context() -> dict[str, object]:
        lang = current_language()
        return {
            "current_language": lang,
            "html_lang": lang.replace("_", "-"),
            "text_direction": "rtl" if is_rtl(lang) else "ltr",
            "language_names": LANGUAGE_NAMES,
            "languages": LANGUAGES,
        }
