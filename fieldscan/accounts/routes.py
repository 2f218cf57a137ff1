"""Sign-in, sign-out and the administration of users and sites. Thin: call services."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from fieldscan.accounts import auth, services
from fieldscan.accounts.access import roles_required
from fieldscan.accounts.forms import (
    ConfirmForm,
    LoginForm,
    SiteForm,
    UserForm,
    account_error,
    password_error,
    role_name,
)
from fieldscan.accounts.passwords import MIN_LENGTH, PasswordPolicyError
from fieldscan.audit.services import record
from fieldscan.extensions import db
from fieldscan.i18n import _
from fieldscan.models import Role

blueprint = Blueprint("accounts", __name__)

#: Where each role lands after signing in (when no ``next`` page was asked for).
HOME_OF_ROLE = {Role.chw: "/interviews", Role.leadership: "/reports", Role.admin: "/admin/users"}


def safe_next(target: str | None) -> str | None:
    """``target`` when it is a path on this site (never another origin), else None."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if any(ord(char) < 32 or char == "\\" for char in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or parts.path in ("/login", "/logout"):
        return None
    return target


def _landing(user) -> str:
    return safe_next(request.args.get("next")) or HOME_OF_ROLE[user.role]


@blueprint.route("/login", methods=["GET", "POST"])
def login():
    """The sign-in form; on success a new server-side session, then ``next`` or home."""
    if request.method == "GET" and current_user.is_authenticated:
        return redirect(_landing(current_user))
    form = LoginForm()
    failed = False
    if form.validate_on_submit():
        attempt = services.authenticate(form.email.data, form.password.data)
        if attempt.ok:
            auth.log_in(attempt.user)
            return redirect(_landing(attempt.user))
        auth.record_failed_login(attempt)
        failed = True
    return render_template("accounts/login.html", form=form, failed=failed)


@blueprint.route("/logout", methods=["GET", "POST"])
def logout():
    """GET asks to confirm; POST ends the session on the server and forgets the cookie."""
    form = ConfirmForm()
    if request.method == "POST":
        # CSRF was checked before the view (fieldscan.security).
        auth.log_out()
        flash(_("You are signed out."), "info")
        return redirect(url_for("accounts.login"))
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login"))
    return render_template("accounts/logout.html", form=form)


@blueprint.route("/admin/users", methods=["GET", "POST"])
@roles_required(Role.admin)
def users():
    """List the staff accounts; create one (POST)."""
    form = UserForm().fill_choices(services.list_sites())
    if form.validate_on_submit():
        try:
            user = services.create_user(
                form.email.data, form.role.data, form.password.data, form.site.data or None
            )
        except PasswordPolicyError as error:
            form.password.errors.append(password_error(error.code))
        except services.AccountError as error:
            field, message = account_error(error.code)
            if field:
                form[field].errors.append(message)
            else:
                flash(message, "error")
        else:
            record(
                "user.create",
                "user",
                user.id,
                actor_id=current_user.id,
                site_id=user.site_id,
                details={"role": user.role.value},
            )
            db.session.commit()
            flash(_("The account was created."), "info")
            return redirect(url_for("accounts.users"))
        db.session.rollback()
    return render_template(
        "accounts/users.html",
        form=form,
        users=services.list_users(),
        confirm=ConfirmForm(),
        role_name=role_name,
        min_length=MIN_LENGTH,
    )


@blueprint.post("/admin/users/<int:user_id>/deactivate")
@roles_required(Role.admin)
def deactivate(user_id: int):
    """Deactivate an account: it cannot sign in, and its open sessions end now."""
    user = services.get_user(user_id) or abort(404)
    try:
        ended = services.deactivate_user(user, actor=current_user)
    except services.AccountError as error:
        db.session.rollback()
        flash(account_error(error.code)[1], "error")
        return redirect(url_for("accounts.users"))
    record(
        "user.deactivate",
        "user",
        user.id,
        actor_id=current_user.id,
        site_id=user.site_id,
        details={"sessions_ended": len(ended)},
    )
    db.session.commit()
    flash(_("The account was deactivated."), "info")
    return redirect(url_for("accounts.users"))


@blueprint.route("/admin/sites", methods=["GET", "POST"])
@roles_required(Role.admin)
def sites():
    """List the sites; create one (POST)."""
    form = SiteForm()
    if form.validate_on_submit():
        try:
            site = services.create_site(form.slug.data, form.name.data)
        except services.AccountError as error:
            db.session.rollback()
            field, message = account_error(error.code)
            form[field or "slug"].errors.append(message)
        else:
            record("site.create", "site", site.id, actor_id=current_user.id, site_id=site.id)
            db.session.commit()
            flash(_("The site was created."), "info")
            return redirect(url_for("accounts.sites"))
    return render_template("accounts/sites.html", form=form, sites=services.list_sites())
