"""A CHW's Spanish interview in a real browser, going offline mid-way; a patient link in Arabic.

Playwright drives Debian's Chromium against the app served on a local port.
"""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from fieldscan.accounts.services import create_user
from fieldscan.extensions import db
from fieldscan.locales import translate
from fieldscan.models import Response, ResponseStatus

PASSWORD = "mango tree 42 river"


def _es(text: str) -> str:
    return translate("es", text, domain="surveys")


def _make_chw(app, email="rosa@clinic.example", site="valle_verde"):
    with app.app_context():
        create_user(email, "chw", PASSWORD, site)
        db.session.commit()
    return email


def _responses(app) -> list[Response]:
    with app.app_context():
        rows = db.session.scalars(sa.select(Response)).all()
        result = [
            (r.uuid, r.status, r.channel.value, r.site_id, r.interviewer_id, r.answer_values())
            for r in rows
        ]
        db.session.remove()
        return result


def _log_in(page, base, email):
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/interviews")


def _next(page):
    page.click("#stage button[type=submit]")


def _expect_question(page, label):
    page.wait_for_function(
        "label => document.querySelector('#question-label')?.textContent === label", arg=label
    )


def test_chw_interview_in_spanish_survives_going_offline(
    live_server, playwright_browser, screenshot_dir
):
    app, base = live_server.app_ref, live_server.url
    email = _make_chw(app)
    context = playwright_browser.new_context(
        viewport={"width": 1024, "height": 768}, locale="es-MX"
    )
    page = context.new_page()
    page.goto(f"{base}/login")
    page.screenshot(path=str(screenshot_dir / "login.png"))
    _log_in(page, base, email)
    page.select_option("#start-survey", "children_scan")
    page.select_option("#start-language", "es")
    page.screenshot(path=str(screenshot_dir / "interviews-home.png"))
    page.click("form[action$='/interviews/run'] button[type=submit]")

    _expect_question(page, _es("Who do you trust most for advice about your child's health?"))
    page.fill("#answer", "mi mamá y la promotora")
    page.screenshot(path=str(screenshot_dir / "interview-question-es.png"))
    _next(page)
    _expect_question(
        page,
        _es(
            "Where do you or your family go for help with food, housing, transportation, "
            "childcare or other needs?"
        ),
    )
    page.fill("#answer", "el banco de comida")
    _next(page)
    _expect_question(page, _es("In the last 12 months, which of these did your family use?"))
    page.check("input[value=school]")
    page.check("input[value=food_assistance]")
    _next(page)
    _expect_question(
        page, _es("Did you know people with Medi-Cal can get free rides to doctor visits?")
    )
    page.check("input[value=no]")
    _next(page)
    # Skip logic: "no" brings the ride-information question.
    _expect_question(page, _es("Do you want to learn how to get free rides?"))
    page.check("input[value=yes]")
    _next(page)
    _expect_question(page, _es("How old is your youngest child?"))
    page.fill("#answer", "30")
    _next(page)
    error = translate("es", "Please answer with a whole number from {min} to {max}.", min=0, max=21)
    page.wait_for_function(
        "t => document.querySelector('#question-error').textContent === t", arg=error
    )
    page.screenshot(path=str(screenshot_dir / "interview-validation-es.png"))
    page.fill("#answer", "4")
    _next(page)

    # The connection drops mid-interview; the CHW keeps going.
    context.set_offline(True)
    _expect_question(page, _es("What language do you want us to use with you?"))
    page.check("input[value=es]")
    _next(page)
    _expect_question(page, _es("What is the best way to contact you?"))
    page.check("input[value=text]")
    _next(page)
    _expect_question(
        page, _es("Is it OK for a group that works with our clinic to contact you about services?")
    )
    page.check("input[value=yes]")
    _next(page)
    page.click("#stage button.primary")  # finish
    saved = translate("es", "Saved on this tablet. It will be sent when the connection returns.")
    page.wait_for_function("t => document.querySelector('#stage h2')?.textContent === t", arg=saved)
    page.screenshot(path=str(screenshot_dir / "interview-saved-offline-es.png"))
    assert _responses(app) == []  # nothing reached the server while offline

    context.set_offline(False)
    deadline = time.monotonic() + 20
    stored = []
    while time.monotonic() < deadline:
        stored = _responses(app)
        if stored:
            break
        page.wait_for_timeout(250)
    assert len(stored) == 1, page.evaluate(
        "import('/static/js/store.js').then(store => store.all())"
    )
    _uuid, status, channel, site_id, interviewer_id, answers = stored[0]
    assert status is ResponseStatus.completed and channel == "tablet"
    assert site_id is not None and interviewer_id is not None
    assert answers["used_services"] == ["school", "food_assistance"]
    assert answers["wants_ride_info"] == "yes" and answers["child_age"] == 4

    # Going back online again, reloading, re-syncing: still exactly one response.
    page.goto(f"{base}/interviews")
    page.wait_for_timeout(1000)
    assert len(_responses(app)) == 1
    page.screenshot(path=str(screenshot_dir / "interviews-home-synced.png"))
    context.close()


def test_patient_link_on_a_phone_in_arabic_is_right_to_left(
    live_server, playwright_browser, screenshot_dir
):
    from fieldscan.interviews.services import create_link

    app, base = live_server.app_ref, live_server.url
    with app.app_context():
        _link, token = create_link("children_scan", "ar", site_id=None, created_by=None, hours=2)
    context = playwright_browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.goto(f"{base}/p/{token}")
    label = translate(
        "ar", "Who do you trust most for advice about your child's health?", domain="surveys"
    )
    _expect_question(page, label)
    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert page.evaluate("document.documentElement.lang") == "ar"
    assert page.evaluate("getComputedStyle(document.querySelector('#stage')).direction") == "rtl"
    page.screenshot(path=str(screenshot_dir / "patient-link-ar-phone.png"))
    context.close()


@pytest.mark.parametrize("path", ["/", "/login"])
def test_pages_load_nothing_from_other_origins(live_server, playwright_browser, path):
    context = playwright_browser.new_context()
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(live_server.url + path)
    page.wait_for_load_state("networkidle")
    assert requested and all(url.startswith(live_server.url) for url in requested), requested
    context.close()
