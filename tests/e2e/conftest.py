"""Browser tests: the app served on a local port, driven by Playwright in Debian's Chromium.

Chromium is installed by ``make test`` when missing. Without it these tests skip with a
reason, except in CI (``CI=true``), where they fail.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from fieldscan import create_app
from fieldscan.extensions import db

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "docs" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str | None:
    for candidate in (
        os.environ.get("FIELDSCAN_CHROMIUM"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
    ):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's Chromium, or skip (fail in CI)."""
    path = _chromium()
    if path is None:
        message = "Chromium is not installed (make test installs it with apt)"
        if IN_CI:
            pytest.fail(message + "; CI=true: browser tests are mandatory")
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def playwright_browser(chromium_path):
    """One headless Chromium for the session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def live_server(tmp_path):
    """The app on SQLite, served by a real HTTP server on a free local port."""
    from flask_migrate import upgrade

    from fieldscan.instruments.services import load_surveys

    app = create_app(
        {
            "FIELDSCAN_DATABASE_URL": f"sqlite:///{tmp_path}/e2e.db",
            "FIELDSCAN_INSTANCE_PATH": str(tmp_path),
            "FIELDSCAN_SECRET_KEY": "e2e-secret-key-not-for-production",
            "FIELDSCAN_LOG_LEVEL": "WARNING",
            "FIELDSCAN_ENV": "development",
        }
    )
    with app.app_context():
        upgrade()
        load_surveys(app.config["SURVEYS_DIR"])
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.app_ref = app
    server.url = f"http://127.0.0.1:{server.server_port}"
    yield server
    server.shutdown()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def screenshot_dir() -> Path:
    """Where the README's screenshots go."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
