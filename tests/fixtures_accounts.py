"""Staff fixtures for every test (a pytest plugin): accounts, CSRF tokens from pages, sign-in.

CSRF protection stays on (the app's default, in testing too): every form post here
carries the token read from a page, like a browser.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient

from fieldscan.accounts import passwords
from fieldscan.accounts.services import create_user
from fieldscan.extensions import db
from fieldscan.models import User

PASSWORD = "plum tree by the clinic"
SITE = "valle_verde"
OTHER_SITE = "rio_claro"

_CSRF_INPUT = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')
_CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> PasswordHasher:
    """Argon2id with the cheapest parameters, so sign-ins in tests take microseconds."""
    hasher = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    monkeypatch.setattr(passwords, "_hasher", hasher)
    return hasher


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    """Create and commit a staff account: ``make_user("chw", email=..., site=...)``."""

    def make(
        role: str,
        email: str | None = None,
        site: str | None = SITE,
        password: str = PASSWORD,
        active: bool = True,
    ) -> User:
        user = create_user(email or f"{role}@clinic.example", role, password, site)
        user.active = active
        db.session.commit()
        return user

    return make


def csrf_token_of(html: str) -> str:
    """The CSRF token of a page: a form's hidden field, else the ``csrf-token`` meta tag."""
    found = _CSRF_INPUT.search(html) or _CSRF_META.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


@pytest.fixture
def csrf_token() -> Callable[[FlaskClient, str], str]:
    """Read the CSRF token from a page of the client's session: ``csrf_token(client)``."""

    def read(client: FlaskClient, path: str = "/login") -> str:
        return csrf_token_of(client.get(path).get_data(as_text=True))

    return read


@pytest.fixture
def sign_in(csrf_token) -> Callable[..., object]:
    """Sign in through the form: ``sign_in(client, "chw@clinic.example")``; the response."""

    def post(client: FlaskClient, email: str, password: str = PASSWORD, next_url: str = ""):
        path = f"/login?next={next_url}" if next_url else "/login"
        token = csrf_token(client, path)
        return client.post(path, data={"email": email, "password": password, "csrf_token": token})

    return post


@pytest.fixture
def post_form(csrf_token) -> Callable[..., object]:
    """Post a form with the CSRF token of ``page``: ``post_form(client, page, path, data)``."""

    def post(client: FlaskClient, page: str, path: str, data: dict | None = None, **kwargs):
        return client.post(
            path, data={**(data or {}), "csrf_token": csrf_token(client, page)}, **kwargs
        )

    return post


@pytest.fixture
def browser(app: Flask) -> Callable[[str | None], FlaskClient]:
    """A new client, optionally holding a copied session cookie: ``browser(cookie)``."""

    def make(cookie: str | None = None) -> FlaskClient:
        client = app.test_client()
        if cookie is not None:
            client.set_cookie("fieldscan_session", cookie)
        return client

    return make
