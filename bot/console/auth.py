"""Logging in and out, one's own password, the language, and (admins) the accounts and the audit
log. Sessions are Flask-Login's; every form carries Flask-WTF's CSRF token."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import abort, flash, redirect, request, session, url_for
from flask_login import login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from bot.console.accounts import AccountError, Accounts, Audit, Throttle
from bot.console.base import admin_only, audit, bp, me, page, runtime, staff_only, t


class LoginForm(FlaskForm):
    name = StringField(validators=[DataRequired(), Length(max=64)])
    password = PasswordField(validators=[DataRequired(), Length(max=200)])


class PasswordForm(FlaskForm):
    new = PasswordField(validators=[DataRequired(), Length(min=10, max=200)])
    again = PasswordField(validators=[DataRequired(), Length(max=200)])


class AccountForm(FlaskForm):
    name = StringField(validators=[DataRequired(), Length(max=32)])
    role = SelectField(choices=["center", "admin"])
    center = StringField(validators=[Length(max=4)])


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


def throttle() -> Throttle:
    ext = runtime()
    if not hasattr(ext, "console_throttle"):
        ext.console_throttle = Throttle(ext.store)
    return ext.console_throttle


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    form = LoginForm()
    error = None
    if request.method == "POST":
        name = (form.name.data or "").strip().lower()[:64]
        keys = (f"account:{name}", f"address:{request.remote_addr}")
        if throttle().locked(*keys):
            return page("login.html", form=form, error=t("login.locked")), 429
        if form.validate_on_submit():
            account = Accounts(runtime().store).check(name, form.password.data or "")
            if account is not None:
                login_user(account)
                session.permanent = True
                Audit(runtime().store).add(account.name, "login")
                return redirect(_safe(request.args.get("next")) or url_for("console.dashboard"))
            throttle().fail(*keys)
            error = t("login.wrong")
        elif form.csrf_token.errors:
            abort(400, "CSRF")
    return page("login.html", form=form, error=error), 401 if error else 200


@bp.route("/logout", methods=["POST"])
@staff_only
def logout() -> Any:
    if not ActionForm().validate_on_submit():
        abort(400)
    audit("logout")
    logout_user()
    return redirect(url_for("console.login"))


@bp.route("/password", methods=["GET", "POST"])
@staff_only
def password() -> Any:
    form, error = PasswordForm(), None
    if form.validate_on_submit():
        if form.new.data != form.again.data:
            error = t("password.mismatch")
        else:
            Accounts(runtime().store).set_password(me().name, form.new.data)
            audit("password.changed", me().name)
            flash(t("password.saved"))
            return redirect(url_for("console.dashboard"))
    return page("password.html", form=form, error=error)


@bp.route("/lang/<code>", methods=["POST"])
def language(code: str) -> Any:
    if not ActionForm().validate_on_submit() or code not in ("th", "en"):
        abort(400)
    session["lang"] = code
    return redirect(_safe(request.form.get("back")) or url_for("console.dashboard"))


@bp.route("/accounts", methods=["GET", "POST"])
@admin_only
def accounts() -> Any:
    form, accts, error = AccountForm(), Accounts(runtime().store), None
    if form.validate_on_submit():
        try:
            secret = accts.add(form.name.data, form.role.data, form.center.data or None)
            audit("account.created", form.name.data, form.role.data)
            flash(t("accounts.created", name=form.name.data.strip().lower(), password=secret))
            return redirect(url_for("console.accounts"))
        except AccountError as e:
            error = str(e)
    return page("accounts.html", form=form, action=ActionForm(), accounts=accts.list(), error=error)


@bp.route("/accounts/<name>/<what>", methods=["POST"])
@admin_only
def account_action(name: str, what: str) -> Any:
    if not ActionForm().validate_on_submit() or what not in ("reset", "disable", "enable"):
        abort(400)
    accts = Accounts(runtime().store)
    if accts.get(name) is None:
        abort(404)
    if what == "reset":
        flash(t("accounts.reset_done", name=name, password=accts.reset(name)))
    else:
        accts.disable(name, what == "disable")
    audit(f"account.{what}", name)
    return redirect(url_for("console.accounts"))


@bp.route("/audit")
@admin_only
def audit_log() -> Any:
    who, action = request.args.get("who") or None, request.args.get("action") or None
    audit("audit.viewed", detail=f"who={who or ''} action={action or ''}")
    return page("audit.html", rows=Audit(runtime().store).entries(300, who, action), who=who, action=action)


def _safe(url: str | None) -> str | None:
    """Only a path on this site (never another host) after logging in."""
    if not url:
        return None
    parts = urlsplit(url)
    return url if not parts.scheme and not parts.netloc and url.startswith("/console") else None
