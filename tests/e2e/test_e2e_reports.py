"""Leadership reports in a real browser, on the demo data as ``make run`` serves it.

The demo data set is loaded and analysed once for the module (``fieldscan demo load`` and
``fieldscan analysis run --if-missing``, through the same services); the figures the pages
show are compared with the report services' own, so the test follows the data, not a copy.
"""

from __future__ import annotations

import re
import threading
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from fieldscan import create_app
from fieldscan.extensions import db
from fieldscan.models import AuditEvent, User
from fieldscan.reports import aggregates
from fieldscan.reports.privacy import SMALL_CELL
from fieldscan.reports.tables import percent, shown, theme_name

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
VIEWS = ("/reports", "/reports/messengers", "/reports/resources", "/reports/stakeholders")
VIEWS += ("/reports/clusters",)
SUPPRESSED = shown(None)  # "<11"
STAKEHOLDER_GROUPS = ("current_trusted", "prospective", "unmentioned_partners")


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    """The app on SQLite with the demo data loaded and analysed, on a free local port."""
    from flask_migrate import upgrade

    from fieldscan.analysis_jobs import services as analysis
    from fieldscan.demo.loader import load_demo
    from fieldscan.instruments.services import load_surveys

    folder = tmp_path_factory.mktemp("e2e-reports")
    app = create_app(
        {
            "FIELDSCAN_DATABASE_URL": f"sqlite:///{folder}/e2e.db",
            "FIELDSCAN_INSTANCE_PATH": str(folder),
            "FIELDSCAN_SECRET_KEY": "e2e-secret-key-not-for-production",
            "FIELDSCAN_LOG_LEVEL": "WARNING",
            "FIELDSCAN_ENV": "development",
        }
    )
    with app.app_context():
        upgrade()
        load_surveys(app.config["SURVEYS_DIR"])
        report = load_demo()
        # As `fieldscan analysis run --if-missing` does in `make run`.
        for question in analysis.open_questions():
            if analysis.latest_run(question.question_id) is None:
                run = analysis.execute(analysis.queue_run(question.question_id))
                assert run.status.value == "done", run.error
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.app_ref = app
    server.url = f"http://127.0.0.1:{server.server_port}"
    server.passwords = report.users
    yield server
    server.shutdown()
    with app.app_context():
        db.engine.dispose()


def _account(server, role: str) -> tuple[str, str]:
    email = next(e for e in server.passwords if e.startswith(f"{role}@"))
    return email, server.passwords[email]


def _site_ids(app, email: str) -> list[int] | None:
    from fieldscan.accounts.access import visible_site_ids

    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        result = visible_site_ids(user)
        db.session.remove()
        return result


class Browser:
    """A desktop browser context that records every request and console error."""

    def __init__(self, playwright_browser, base: str, viewport: dict = DESKTOP):
        self.base = base
        self.context = playwright_browser.new_context(viewport=viewport, locale="en-US")
        self.requests: list[str] = []
        self.errors: list[str] = []
        # On the context, so requests of every page and worker are seen.
        self.context.on("request", lambda request: self.requests.append(request.url))
        self.page = self.context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _console(self, message) -> None:
        if message.type == "error":
            self.errors.append(f"{message.text} ({message.location.get('url')})")

    def sign_in(self, email: str, password: str, lands_on: str) -> None:
        """Through the real login form."""
        page = self.page
        page.goto(f"{self.base}/login")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_url(f"{self.base}{lands_on}")

    def foreign_requests(self) -> list[str]:
        return [url for url in self.requests if not url.startswith(self.base + "/")]

    def close(self) -> None:
        self.context.close()


def _texts(page, selector: str) -> list[str]:
    return [text.strip() for text in page.locator(selector).all_inner_texts()]


def _theme_table(page) -> dict[str, tuple[str, str]]:
    """The first theme table: theme name -> (respondents, share) as shown."""
    table = page.locator("table.report-table").first
    rows = {}
    for row in table.locator("tbody tr").all():
        cells = [c.strip() for c in row.locator("td").all_inner_texts()]
        rows[row.locator("th").inner_text().strip()] = (cells[0], cells[1])
    return rows


def _bars(page) -> dict[str, str]:
    """The bar chart: theme name -> the share shown beside its <meter>, or "not shown"."""
    names = _texts(page, "figure.bars dt")
    values = _texts(page, "figure.bars dd")
    assert len(names) == len(values)
    return dict(zip(names, values, strict=True))


def _small_counts(page) -> list[str]:
    """Report cells holding a respondent count from 1 to SMALL_CELL ("12 (40%)", "es (3)").

    Shares ("40%") are not counts; the profile's organisation counts (``td.orgs``) count
    partners, not patients.
    """
    found = []
    for text in _texts(page, "table.report-table td:not(.orgs)"):
        counts = [int(n) for n in re.findall(r"(?<![\d.<])(\d+)(?![\d.%])", text)]
        if any(1 <= n <= SMALL_CELL for n in counts):
            found.append(text)
    return found


def _expected(app, filters: aggregates.Filters, site_ids) -> dict[str, tuple[str, str]]:
    """The trusted-messenger figures the report service gives, as the page should show them."""
    with app.test_request_context():
        report = aggregates.theme_report(
            aggregates.QUESTIONS["messengers"], filters, site_ids, "language"
        )
        result = {
            theme_name(row.theme): (shown(row.total.count), percent(row.total.share))
            for row in report.rows
        }
        db.session.remove()
        return result


def _check_messengers(page, expected: dict[str, tuple[str, str]]) -> None:
    """Bars and table carry the same figures, and they are the service's."""
    table, bars = _theme_table(page), _bars(page)
    assert table == expected
    assert set(bars) == set(table)
    for theme, (_count, share) in table.items():
        assert bars[theme] == (share or "not shown"), theme
    with_share = [theme for theme, (_c, share) in table.items() if share]
    assert page.locator("figure.bars meter").count() == len(with_share) > 0


def test_leadership_reads_the_reports(demo_server, playwright_browser, screenshot_dir):
    app, base = demo_server.app_ref, demo_server.url
    email, password = _account(demo_server, "leadership")
    site_ids = _site_ids(app, email)
    browser = Browser(playwright_browser, base)
    page = browser.page
    browser.sign_in(email, password, lands_on="/reports")

    # The reports home links the five views, and the profile of the leader's one site.
    with app.app_context():
        site = aggregates.visible_sites(site_ids)[0]
        slug, name = site.slug, site.name
        db.session.remove()
    hrefs = page.eval_on_selector_all("nav.report-nav a", "links => links.map(a => a.href)")
    links = {urlsplit(href).path for href in hrefs}
    assert {*VIEWS, f"/reports/profile/{slug}"} <= links, links
    assert page.locator("figure.bars meter").count() > 0
    page.screenshot(path=str(screenshot_dir / "reports-home.png"))

    # Trusted messengers, unfiltered: bars and the table, same figures.
    page.click("nav.report-nav a[href^='/reports/messengers']")
    page.wait_for_url(f"{base}/reports/messengers")
    everyone = _expected(app, aggregates.Filters(), site_ids)
    _check_messengers(page, everyone)
    total_before = page.locator("table.report-table tfoot td.num").first.inner_text()

    # Filter by language as a user would: pick Spanish, apply.
    page.select_option("#f-language", "es")
    page.click("form.report-filters button[type=submit]")
    page.wait_for_url(re.compile(r".*/reports/messengers\?.*language=es.*"))
    query = parse_qs(urlsplit(page.url).query)
    assert query["language"] == ["es"] and page.locator("#f-language").input_value() == "es"
    spanish = _expected(app, aggregates.Filters(language="es"), site_ids)
    _check_messengers(page, spanish)
    # The breakdown column is headed by the language's name, not its code.
    assert _texts(page, "table.report-table thead th[lang]") == ["Español"]
    assert spanish != everyone
    assert page.locator("table.report-table tfoot td.num").first.inner_text() != total_before
    # Small groups show as suppressed, never as a count from 1 to 10.
    assert SUPPRESSED in {count for count, _share in spanish.values()}
    assert SUPPRESSED in _texts(page, "table.report-table td.num")
    assert _small_counts(page) == []
    page.screenshot(path=str(screenshot_dir / "reports-messengers-es.png"), full_page=True)

    # Community resources (the filter follows the nav links).
    page.click("nav.report-nav a[href^='/reports/resources']")
    page.wait_for_url(re.compile(r".*/reports/resources\?.*language=es.*"))
    page.goto(f"{base}/reports/resources")
    assert page.locator("figure.bars meter").count() > 0
    assert _small_counts(page) == []
    # The monthly trend table, with its heading, in view.
    page.locator("table.report-table").first.evaluate(
        "table => { table.scrollIntoView(); window.scrollBy(0, -80); }"
    )
    page.screenshot(path=str(screenshot_dir / "reports-resources.png"))

    # The stakeholder map: three groups, the same organisations as the service's map.
    page.goto(f"{base}/reports/stakeholders")
    with app.test_request_context():
        buckets = aggregates.stakeholders(aggregates.Filters(), site_ids)
        expected = {key: sorted(item.name for item in buckets.get(key, [])) for key in buckets}
        db.session.remove()
    assert any(expected.get(key) for key in STAKEHOLDER_GROUPS)
    for key in STAKEHOLDER_GROUPS:
        section = "#sh-unmentioned" if key == "unmentioned_partners" else f"#sh-{key}"
        assert page.locator(section).is_visible()
        names = sorted(_texts(page, f"#table-{key} tbody th"))
        assert names == expected.get(key, []), key
    assert _small_counts(page) == []
    # Languages by name ("English (34)"), never by code ("en (34)").
    languages = _texts(page, "#table-current_trusted tbody td:nth-of-type(4)")
    assert languages and not [t for t in languages if re.search(r"\b[a-z]{2}(_\w+)? \(", t)]
    page.screenshot(path=str(screenshot_dir / "reports-stakeholders.png"), full_page=True)

    # The community profile of the leader's site, from the report navigation.
    page.click("nav.report-nav a[href^='/reports/profile']")
    page.wait_for_url(f"{base}/reports/profile/{slug}")
    assert name in page.locator("h1").inner_text()
    assert page.locator("table.report-table").count() >= 3
    assert _small_counts(page) == []
    page.screenshot(path=str(screenshot_dir / "reports-profile.png"), full_page=True)

    assert browser.foreign_requests() == []
    assert browser.errors == []
    with app.app_context():
        viewed = db.session.scalars(
            sa.select(AuditEvent.object_id).where(AuditEvent.action == "report.view")
        ).all()
        db.session.remove()
    assert {"messengers", "resources", "stakeholders", "profile"} <= set(viewed)
    browser.close()


def test_a_chw_gets_no_reports(demo_server, playwright_browser):
    email, password = _account(demo_server, "chw")
    browser = Browser(playwright_browser, demo_server.url)
    browser.sign_in(email, password, lands_on="/interviews")
    for path in ("/reports", "/reports/messengers", "/reports/profile/eastside"):
        response = browser.page.goto(demo_server.url + path)
        assert response.status == 403, path
        assert browser.page.locator("h1").inner_text() == "You do not have access to this page."
        assert browser.page.locator("table, figure.bars").count() == 0
    assert browser.foreign_requests() == []
    # The browser reports each 403 document as a failed load; nothing else may be logged.
    assert all("403" in error for error in browser.errors), browser.errors
    browser.close()


def test_the_language_switcher_survives_the_community_profile(demo_server, playwright_browser):
    email, password = _account(demo_server, "leadership")
    browser = Browser(playwright_browser, demo_server.url)
    browser.sign_in(email, password, lands_on="/reports")
    try:
        browser.page.goto(demo_server.url + "/reports/profile/eastside")
        switcher = _texts(browser.page, "nav.languages a")
        assert "Español" in switcher and "" not in switcher, switcher
    finally:
        browser.close()


def test_report_pages_fit_a_phone(demo_server, playwright_browser, tmp_path):
    """At 390 px wide the page never scrolls sideways: wide tables scroll in their own box."""
    email, password = _account(demo_server, "leadership")
    browser = Browser(playwright_browser, demo_server.url, viewport=PHONE)
    browser.sign_in(email, password, lands_on="/reports")
    page = browser.page
    profile = page.eval_on_selector("nav.report-nav a[href^='/reports/profile']", "a => a.href")
    for url in [*(demo_server.url + view for view in VIEWS), profile]:
        page.goto(url)
        width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], (url, width)
        tables = page.locator("table").count()
        assert tables == page.locator(".table-scroll[role=region][tabindex='0'] > table").count()
        name = urlsplit(url).path.strip("/").replace("/", "-")
        page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)
    # The messengers table by language is wider than the phone: its box scrolls.
    page.goto(demo_server.url + "/reports/messengers")
    box = page.locator(".table-scroll").first
    assert box.evaluate("el => el.scrollWidth > el.clientWidth")
    assert browser.errors == [] and browser.foreign_requests() == []
    browser.close()
