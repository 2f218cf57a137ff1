"""Interview pages for CHWs, patient links, the offline service worker. Thin: call services."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_login import current_user

from fieldscan.accounts.access import roles_required, visible_site_ids
from fieldscan.i18n import _, current_language, set_language
from fieldscan.interviews import services
from fieldscan.interviews.forms import LinkForm
from fieldscan.locales import LANGUAGE_NAMES, is_rtl
from fieldscan.security import csrf

blueprint = Blueprint("interviews", __name__)

STAFF = ("chw", "admin")


def _ui_strings() -> dict[str, str]:
    """Interface text the interview script shows, translated here (the script has none)."""
    return {
        "next": _("Next"),
        "back": _("Back"),
        "finish": _("Finish"),
        "saved_offline": _("Saved on this tablet. It will be sent when the connection returns."),
        "synced": _("Sent. Thank you!"),
        "syncing": _("Sending..."),
        "offline": _("No connection: you can keep working."),
        "online": _("Connected."),
        "waiting": _("Waiting to send"),
        "in_progress": _("In progress on this tablet"),
        "none_waiting": _("Nothing is waiting to be sent."),
        "resume": _("Resume"),
        "question_of": _("Question {number} of {total}"),
        "complete": _("The interview is complete."),
        "invalid": _("The server did not accept this interview:"),
        "conflict": _("Another copy of this interview with different answers was already sent."),
        "start_new": _("Start another interview"),
        "home": _("Back to interviews"),
        "skip": _("Skip"),
        "choose_one": _("Choose one"),
        "choose_any": _("Choose all that apply"),
        "yes": _("Yes"),
        "no": _("No"),
        "submitted": _("Your answers were sent. Thank you!"),
        "link_used": _("This link was already used."),
    }


@blueprint.get("/interviews")
@roles_required(*STAFF)
def home():
    """The CHW's home: start an interview, resume, see what waits to sync, site interviews."""
    language = current_language()
    surveys = services.surveys_for_channel("tablet", language)
    interviews = services.site_interviews(visible_site_ids(current_user))
    return render_template(
        "interviews/home.html",
        surveys=surveys,
        interviews=interviews,
        link_form=LinkForm(),
        ui=_ui_strings(),
        language_names=LANGUAGE_NAMES,
    )


@blueprint.get("/interviews/run")
@roles_required(*STAFF)
def run():
    """The interview screen; the script reads the survey and language from the query."""
    return render_template(
        "interviews/run.html", ui=_ui_strings(), mode="tablet", submit_url=url_for("api.sync.Sync")
    )


@blueprint.get("/interviews/plan/<survey_id>/<language>.json")
@roles_required(*STAFF)
def plan(survey_id: str, language: str):
    """The survey as the offline runner needs it (cached by the service worker)."""
    try:
        return jsonify(services.plan_for(survey_id, language, "tablet"))
    except services.InterviewError as error:
        abort(error.status, str(error))


@blueprint.get("/interviews/<uuid>")
@roles_required(*STAFF, "leadership")
def show(uuid: str):
    """One synced interview, if it belongs to a site the user may see (audited)."""
    try:
        response = services.interview_for(current_user, uuid, visible_site_ids(current_user))
    except services.InterviewError as error:
        abort(error.status)
    from fieldscan.instruments.services import definition_of

    definition = definition_of(response.survey_version)
    return render_template(
        "interviews/show.html",
        response=response,
        definition=definition,
        answers=response.answer_values(),
    )


@blueprint.post("/links")
@roles_required(*STAFF)
def create_link():
    """Make a one-time patient link from the interview page."""
    form = LinkForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        _link, token = services.create_link(
            form.survey.data,
            form.language.data,
            site_id=current_user.site_id,
            created_by=current_user,
            hours=current_app.config["FIELDSCAN_LINK_TTL_HOURS"],
        )
    except services.InterviewError as error:
        abort(400, str(error))
    url = url_for("interviews.patient", token=token, _external=True)
    return render_template("interviews/link_created.html", url=url)


@blueprint.get("/p/<token>")
def patient(token: str):
    """The patient's survey page, in the link's language, no login."""
    try:
        link = services.open_link(token)
    except services.InterviewError as error:
        return render_template("interviews/link_gone.html", message=str(error)), error.status
    set_language(link.language)  # the whole page in the patient's language (and direction)
    return render_template(
        "interviews/run.html",
        ui=_ui_strings(),
        mode="patient",
        link=link,
        plan_url=url_for("interviews.patient_plan", token=token),
        submit_url=url_for("interviews.patient_submit", token=token),
        survey_dir="rtl" if is_rtl(link.language) else "ltr",
    )


@blueprint.get("/p/<token>/plan.json")
def patient_plan(token: str):
    """The survey plan for a patient link."""
    try:
        link = services.open_link(token)
        return jsonify(services.plan_for(link.survey_id, link.language, "web"))
    except services.InterviewError as error:
        abort(error.status)


@blueprint.post("/p/<token>/submit")
@csrf.exempt  # the secret token in the URL is the proof of intent: no session, no cookie
def patient_submit(token: str):
    """Store a patient's answers (once) through the same rules as tablet sync."""
    item = request.get_json(silent=True)
    if not isinstance(item, dict):
        abort(400)
    try:
        result = services.submit_link(token, item)
    except services.InterviewError as error:
        return jsonify({"status": "invalid", "errors": {"link": [str(error)]}}), error.status
    return jsonify(result), 200 if result["status"] in ("created", "duplicate") else 422


@blueprint.get("/sw.js")
def service_worker():
    """The service worker, served from the root so it may control /interviews."""
    response = send_from_directory(
        current_app.static_folder, "js/sw.js", mimetype="text/javascript", max_age=0
    )
    response.headers["Service-Worker-Allowed"] = "/"
    response.headers["Cache-Control"] = "no-cache"
    return response


@blueprint.get("/interviews/offline-manifest.json")
@roles_required(*STAFF)
def offline_manifest():
    """What the service worker should cache for offline interviews: pages, assets, plans."""
    plans = [
        url_for("interviews.plan", survey_id=s.id, language=lang)
        for s in services.surveys_for_channel("tablet", current_language())
        for lang in s.languages
    ]
    assets = [
        url_for("static", filename=name)
        for name in (
            "fieldscan.css",
            "js/interview.js",
            "js/runner.js",
            "js/xpath.js",
            "js/store.js",
            "js/sync.js",
            "js/home.js",
            "js/register-sw.js",
        )
    ]
    return jsonify(
        {
            "pages": [url_for("interviews.home"), url_for("interviews.run")],
            "assets": assets,
            "plans": plans,
        }
    )


@blueprint.get("/interviews/")
def trailing_slash():
    """Tolerate a trailing slash."""
    return redirect(url_for("interviews.home"))
