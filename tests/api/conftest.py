"""API test fixtures: staff users, a logged-in JSON client, sync items of children_scan.

Signing in goes through ``POST /login`` (email, password, Flask-WTF's csrf_token) and API
posts carry ``X-CSRFToken`` read from a page, as the interview pages' script does: CSRF
protection stays on.
"""

from __future__ import annotations

import copy
import re
import uuid as uuid_module
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask, g
from flask.testing import FlaskClient

from fieldscan import clock
from fieldscan.extensions import db
from fieldscan.models import User
from tests.sample_answers import COMPLETE_CHILDREN_ANSWERS

PASSWORD = "valle-verde-tablet-2026"
SITE = "valle_verde"

#: The frozen "now" of the API tests; the items below were collected that morning.
NOW = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
STARTED = "2026-03-02T09:15:00-08:00"
COMPLETED = "2026-03-02T09:24:30-08:00"

#: A complete, valid children_scan interview as a tablet sends it (Spanish, structured values).
COMPLETE_ANSWERS: dict[str, Any] = copy.deepcopy(COMPLETE_CHILDREN_ANSWERS)


def make_item(uuid: str | None = None, **fields: Any) -> dict[str, Any]:
    """A valid sync item (complete) with ``fields`` replaced."""
    item = {
        "uuid": uuid or str(uuid_module.uuid4()),
        "survey_id": "children_scan",
        "survey_version": 1,
        "language": "es",
        "started_at": STARTED,
        "completed_at": COMPLETED,
        "answers": copy.deepcopy(COMPLETE_ANSWERS),
    }
    item.update(fields)
    return item


@pytest.fixture
def frozen_clock() -> Iterator[Any]:
    """fieldscan's clock frozen at :data:`NOW` (threads see it too)."""
    with clock.freeze(NOW) as frozen:
        yield frozen


@pytest.fixture
def api_app(app: Flask, loaded_surveys, frozen_clock) -> Flask:
    """The app with the shipped instruments loaded and the clock frozen."""
    return app


@pytest.fixture
def make_user(api_app: Flask, monkeypatch: pytest.MonkeyPatch) -> Callable[..., User]:
    """Create (and commit) a staff account: ``make_user("chw")``.

    Argon2id runs with its cheapest parameters here, so signing in takes microseconds.
    """
    from argon2 import PasswordHasher

    from fieldscan.accounts import passwords
    from fieldscan.accounts.services import create_user

    monkeypatch.setattr(
        passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    )

    def make(role: str, email: str | None = None, site: str | None = SITE) -> User:
        user = create_user(email or f"{role}@clinic.example", role, PASSWORD, site)
        db.session.commit()
        return user

    return make


class ApiClient:
    """A test client that signs in through ``/login`` and posts with ``X-CSRFToken``."""

    def __init__(self, app: Flask, client: FlaskClient) -> None:
        self.app = app
        self.client = client
        self._token: str | None = None

    def login(self, user: User) -> ApiClient:
        """Sign in with the login form (email, password, csrf_token), like a browser."""
        token = self._page_token("/login", _CSRF_INPUT)
        response = self.client.post(
            "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
        )
        assert response.status_code in (302, 303), response.get_data(as_text=True)
        self._token = None  # signing in starts a new session, with a new CSRF token
        return self

    def csrf_headers(self) -> dict[str, str]:
        """The header a page's script sends: the token of ``<meta name="csrf-token">``."""
        if self._token is None:
            self._token = self._page_token("/", _CSRF_META)
        return {"X-CSRFToken": self._token}

    def _page_token(self, path: str, pattern: re.Pattern[str]) -> str:
        # The tests' app context outlives the client's requests, so Flask-WTF's per-request
        # cache in ``g`` would hand out a token of an earlier session: forget it first.
        g.pop(self.app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
        found = pattern.search(self.client.get(path).get_data(as_text=True))
        assert found, f"no CSRF token on {path}"
        return found.group(1)

    def post(self, path: str, **kwargs: Any):
        """POST with the CSRF header (and any ``headers`` given)."""
        headers = {**self.csrf_headers(), **kwargs.pop("headers", {})}
        return self.client.post(path, headers=headers, **kwargs)

    def sync(self, *items: Any) -> list[dict[str, Any]]:
        """POST the items to /api/v1/sync and return the results (asserting 200)."""
        response = self.post("/api/v1/sync", json={"responses": list(items)})
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json()
        assert len(body["results"]) == len(items)
        return body["results"]


_CSRF_INPUT = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')
_CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


@pytest.fixture
def api(api_app: Flask) -> ApiClient:
    """A JSON client of the app, not logged in."""
    return ApiClient(api_app, api_app.test_client())


@pytest.fixture
def chw(make_user) -> User:
    """A community health worker at :data:`SITE`."""
    return make_user("chw")


@pytest.fixture
def chw_api(api: ApiClient, chw: User) -> ApiClient:
    """The client, logged in as the CHW."""
    return api.login(chw)


class BearerClient:
    """A test client that sends ``Authorization: Bearer <token>`` (a device), no cookie."""

    def __init__(self, client: FlaskClient, token: str) -> None:
        self.client = client
        self.token = token

    def _headers(self, kwargs: dict[str, Any]) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}

    def get(self, path: str, **kwargs: Any):
        """GET with the token."""
        return self.client.get(path, headers=self._headers(kwargs), **kwargs)

    def post(self, path: str, **kwargs: Any):
        """POST with the token (no CSRF token: Bearer calls need none)."""
        return self.client.post(path, headers=self._headers(kwargs), **kwargs)

    def put(self, path: str, **kwargs: Any):
        """PUT with the token."""
        return self.client.put(path, headers=self._headers(kwargs), **kwargs)


@pytest.fixture
def make_token(api_app: Flask) -> Callable[..., str]:
    """Create (and commit) a device token of a user: ``make_token(user)``; the token."""
    from fieldscan.accounts import tokens

    def make(user: User, name: str = "") -> str:
        _stored, token = tokens.create(user, name)
        db.session.commit()
        return token

    return make


@pytest.fixture
def bearer(api_app: Flask, make_token) -> Callable[[User], BearerClient]:
    """A device client of ``user`` with a new token: ``bearer(user)``."""

    def make(user: User) -> BearerClient:
        return BearerClient(api_app.test_client(), make_token(user))

    return make
