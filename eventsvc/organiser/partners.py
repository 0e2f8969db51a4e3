"""Partners and their logos, created and edited in the workspace (no JSON import needed)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import Form
from wtforms.fields import BooleanField, StringField, TextAreaField, URLField
from wtforms.validators import Optional

from eventsvc.extensions import db
from eventsvc.models import Partner
from eventsvc.organiser import bp
from eventsvc.organiser.access import current_organiser
from eventsvc.organiser.form_errors import error_links, show_service_errors
from eventsvc.organiser.forms import localised
from eventsvc.services import partners
from eventsvc.services.inputs.base import InputErrors
from eventsvc.services.inputs.web import complete_url
from eventsvc.unit_of_work import unit_of_work


class PartnerTextForm(Form):
    name = StringField(_l("Name"), [Optional()])
    description = TextAreaField(_l("Description"), [Optional()])


class PartnerForm(FlaskForm):
    """Acronym, website and logo; :func:`partner_form` adds a name and description per site
    language."""

    acronym = StringField(
        _l("Acronym"), description=_l("Short name shown on event cards, e.g. OMEP.")
    )
    website = URLField(
        _l("Website"),
        [Optional()],
        filters=[complete_url],
        description=_l("“https://” is added if you leave it out."),
    )
    logo = FileField(
        _l("Logo"),
        description=_l(
            "PNG, JPEG or WebP, at most %(kb)d KB and %(px)d pixels on each side.",
            kb=partners.LOGO_MAX_BYTES // 1024,
            px=partners.LOGO_MAX_PIXELS,
        ),
    )
    remove_logo = BooleanField(_l("Remove the logo"))


def partner_form(**kwargs) -> FlaskForm:
    """Acronym, website and logo, and a name and description per site language."""
    return localised(PartnerForm, PartnerTextForm)(**kwargs)


def _partner_or_404(partner_id: int) -> Partner:
    partner = db.session.get(Partner, partner_id)
    if partner is None:
        abort(404)
    return partner


@bp.get("/partners")
def partner_list():
    return render_template("organiser/partners.html", partners=partners.list_partners())


@bp.route("/partners/new", methods=["GET", "POST"])
def new_partner():
    return _edit(None)


@bp.route("/partners/<int:partner_id>/edit", methods=["GET", "POST"])
def edit_partner(partner_id):
    return _edit(_partner_or_404(partner_id))


def _initial(partner: Partner | None) -> dict:
    if partner is None:
        return {}
    data = {"acronym": partner.acronym, "website": partner.website}
    for translation in partner.translations:
        data[translation.locale] = {
            "name": translation.name,
            "description": translation.description,
        }
    return data


def _edit(partner: Partner | None):
    form = partner_form() if request.method == "POST" else partner_form(data=_initial(partner))
    problems = []
    if form.validate_on_submit():
        upload = form.logo.data
        data = partners.PartnerData(
            acronym=form.acronym.data or "",
            website=form.website.data or "",
            names={locale: sub.data["name"] or "" for locale, sub in form.locale_forms()},
            descriptions={
                locale: sub.data["description"] or "" for locale, sub in form.locale_forms()
            },
            logo=upload.read() if upload and getattr(upload, "filename", "") else None,
            remove_logo=bool(form.remove_logo.data),
        )
        try:
            with unit_of_work():
                saved = partners.save_partner(data, partner, current_organiser())
        except InputErrors as failure:
            problems = show_service_errors(form, failure.errors)
        else:
            flash(_("The partner %(acronym)s has been saved.", acronym=saved.acronym), "success")
            return redirect(url_for("organiser.partner_list"))
    return render_template(
        "organiser/partner_form.html",
        form=form,
        partner=partner,
        problems=problems,
        error_links=error_links(form),
    ), (422 if form.errors or problems else 200)
