"""The organiser's own account: second step of sign-in, forgotten and changed passwords,
"sign out everywhere", the second factor; and the admins' invitation and unlock buttons.

Rules live in :mod:`eventsvc.services.organisers` and :mod:`eventsvc.services.second_factor`.
"""

from flask import (
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _

from eventsvc import clock, ratelimits
from eventsvc.extensions import db
from eventsvc.models import Organiser
from eventsvc.organiser import bp, sessions
from eventsvc.organiser.access import ACCOUNT_ID, admin_required, current_organiser
from eventsvc.organiser.forms import (
    ActionForm,
    ChangePasswordForm,
    ChoosePasswordForm,
    CodeForm,
    ForgotPasswordForm,
)
from eventsvc.services import DomainError, organisers
from eventsvc.services import second_factor as totp
from eventsvc.unit_of_work import unit_of_work

#: The first step's result, waiting for the second factor (seconds it stays valid).
_PENDING = "second_factor_pending"
_PENDING_SECONDS = 300
#: A secret being set up, until a code from it is typed.
_SETUP = "second_factor_setup"


def signed_in(organiser: Organiser, target: str | None):
    """After the right password: ask for the second factor when the account has one."""
    if organiser.has_second_factor:
        session[_PENDING] = {
            "id": organiser.id,
            "generation": organiser.session_generation,
            "at": clock.now().timestamp(),
            "next": target or "",
        }
        return redirect(url_for(".second_factor"))
    with unit_of_work():
        organisers.signed_in(organiser, request.remote_addr or "")
    sessions.start(organiser)
    return redirect(target or url_for(".dashboard"))


@bp.app_template_global()
def second_factor_required() -> bool:
    return totp.required()


def _pending_organiser() -> Organiser | None:
    pending = session.get(_PENDING)
    if not isinstance(pending, dict) or not isinstance(pending.get("id"), int):
        return None
    if clock.now().timestamp() - float(pending.get("at") or 0) > _PENDING_SECONDS:
        return None
    organiser = db.session.get(Organiser, pending["id"])
    if organiser is None or not organiser.active:
        return None
    if organiser.session_generation != pending.get("generation"):
        return None
    return organiser


@bp.route("/login/code", methods=["GET", "POST"])
@ratelimits.sign_in
def second_factor():
    organiser = _pending_organiser()
    if organiser is None:
        session.pop(_PENDING, None)
        flash(_("Please sign in again."), "info")
        return redirect(url_for(".login"))
    form = CodeForm()
    error = None
    if form.validate_on_submit():
        source = request.remote_addr or ""
        with unit_of_work():  # a wrong code's failure is kept, like a right one's use
            minutes = organisers.throttled_minutes(organiser.email, source)
            verified = not minutes and totp.verify(organiser, form.code.data)
            if verified:
                organisers.signed_in(organiser, source)
            elif not minutes:
                organisers.record_failure(organiser.email, source, organiser)
        if minutes:
            error = organisers.SignInThrottled(minutes).message
        elif verified:
            target = session.pop(_PENDING)["next"] or None
            sessions.start(organiser)
            return redirect(target or url_for(".dashboard"))
        else:
            error = _("This code is not right.")
    return render_template("organiser/second_factor.html", form=form, error=error)


@bp.route("/password/forgot", methods=["GET", "POST"])
@ratelimits.sign_in
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        with unit_of_work():
            organisers.request_password_reset(form.email.data)
        flash(
            _(
                "If %(email)s has an organiser account, a link to choose a new password is on "
                "its way. It works once, for %(minutes)s minutes.",
                email=form.email.data,
                minutes=int(current_app.config["PASSWORD_RESET_MAX_AGE"]) // 60,
            ),
            "info",
        )
        return redirect(url_for(".login"))
    return render_template("organiser/forgot_password.html", form=form)


@bp.route("/password/choose/<token>", methods=["GET", "POST"])
def choose_password(token):
    """The page an invitation or a reset link opens: choose a password, then sign in."""
    organiser = organisers.organiser_for_token(token)
    if organiser is None:
        return _no_referrer(render_template("organiser/link_expired.html"), 410)
    form = ChoosePasswordForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                organisers.reset_password(organiser, form.password.data)
        except DomainError as refusal:
            form.password.errors = [*form.password.errors, refusal.message]
        else:
            flash(_("Your password is set. Sign in with it now."), "success")
            return redirect(url_for(".login"))
    page = render_template("organiser/choose_password.html", form=form, organiser=organiser)
    return _no_referrer(page, 422 if form.errors else 200)


def _no_referrer(page: str, status: int):
    """The link's token is in this page's address: never send it on in a Referer."""
    response = make_response(page, status)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/account")
def account():
    return render_template(
        "organiser/account.html",
        password_form=ChangePasswordForm(formdata=None),
        action_form=ActionForm(),
    )


@bp.post("/account/password")
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                organisers.change_password(
                    current_organiser(), form.current_password.data, form.password.data
                )
        except DomainError as refusal:
            form.password.errors = [*form.password.errors, refusal.message]
        else:
            sessions.renew(current_organiser())
            flash(_("Your password is changed. Your other sessions are signed out."), "success")
            return redirect(url_for(".account"))
    return render_template(
        "organiser/account.html", password_form=form, action_form=ActionForm()
    ), 422


@bp.post("/account/sign-out-everywhere")
def sign_out_everywhere():
    with unit_of_work():
        organisers.sign_out_everywhere(current_organiser())
    sessions.renew(current_organiser())
    flash(_("Every other session of your account is signed out."), "success")
    return redirect(url_for(".account"))


@bp.route("/account/second-factor", methods=["GET", "POST"])
def second_factor_setup():
    me = current_organiser()
    if me.has_second_factor:
        return redirect(url_for(".account"))
    secret = session.get(_SETUP) or totp.new_secret()
    session[_SETUP] = secret
    form = CodeForm()
    form.code.description = _("The 6 digits your authenticator app shows.")
    if form.validate_on_submit():
        try:
            with unit_of_work():
                codes = totp.turn_on(me, secret, form.code.data)
        except DomainError as refusal:
            form.code.errors = [*form.code.errors, refusal.message]
        else:
            session.pop(_SETUP, None)
            sessions.renew(me)
            return render_template("organiser/recovery_codes.html", codes=codes)
    uri = totp.provisioning_uri(me, secret)
    return render_template(
        "organiser/second_factor_setup.html",
        form=form,
        secret=secret,
        qr_code=totp.qr_code_data_uri(uri),
    ), (422 if form.errors else 200)


@bp.post("/account/second-factor/off")
def second_factor_off():
    try:
        with unit_of_work():
            totp.turn_off(current_organiser(), request.form.get("password", ""))
    except DomainError as refusal:
        flash(refusal.message, "error")
    else:
        sessions.renew(current_organiser())
        flash(_("The second factor is turned off."), "success")
    return redirect(url_for(".account"))


# --- for administrators ------------------------------------------------------------------------


@bp.post(f"/organisers/{ACCOUNT_ID}/invitation")
@admin_required
def organiser_invite_again(organiser_id):
    target = db.get_or_404(Organiser, organiser_id)
    try:
        with unit_of_work():
            organisers.resend_invitation(target, actor=current_organiser())
    except DomainError as refusal:
        flash(refusal.message, "error")
    else:
        flash(_("A new invitation is on its way to %(email)s.", email=target.email), "success")
    return redirect(url_for(".organiser_list"))


@bp.post(f"/organisers/{ACCOUNT_ID}/unlock")
@admin_required
def organiser_unlock(organiser_id):
    target = db.get_or_404(Organiser, organiser_id)
    with unit_of_work():
        organisers.unlock(target, actor=current_organiser())
    flash(_("%(email)s can try to sign in again at once.", email=target.email), "success")
    return redirect(url_for(".organiser_list"))


@bp.post(f"/organisers/{ACCOUNT_ID}/second-factor/off")
@admin_required
def organiser_second_factor_off(organiser_id):
    target = db.get_or_404(Organiser, organiser_id)
    with unit_of_work():
        totp.turn_off(target, "", actor=current_organiser())
    flash(_("The second factor of %(email)s is turned off.", email=target.email), "success")
    return redirect(url_for(".organiser_list"))


@bp.post("/organisers/second-factor-required")
@admin_required
def require_second_factor():
    on = request.form.get("required") == "1"
    try:
        with unit_of_work():
            totp.set_required(on, current_organiser())
    except DomainError as refusal:
        flash(refusal.message, "error")
    else:
        if on:
            flash(_("Every organiser must now set up a second factor."), "success")
        else:
            flash(_("The second factor is now optional."), "success")
    return redirect(url_for(".organiser_list"))
