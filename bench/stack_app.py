"""The stack's floor: the least a registration can cost on eventsvc's own stack.

``bench/baseline_app.py`` is the issue's yardstick (a bare Flask view inserting one row). This
app answers the question the registration burst's ratio leaves open: how much of eventsvc's cost
is the stack it is required to use, whatever the design? It registers a person as any app on
Flask 3, Flask-WTF, Flask-SQLAlchemy (ORM) and Flask-Babel must, and does nothing else:

- the event looked up by slug, the page in the URL's language (Flask-Babel);
- a ``FlaskForm`` with the same fields as eventsvc's form (CSRF token, name, address checked by
  ``email-validator``, organisation, country from the locale's territory names, language,
  interpretation language, question, consent, the honeypot);
- under the event's lock (``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite the same file queue
  plus no-op ``UPDATE`` eventsvc uses, so that neither app sleeps in SQLite's busy handler): the
  same address looked up, the registration and its confirmation inserted through the ORM, the
  seat count raised in SQL, one commit;
- the address kept in the session for the thank-you page, and a 303.

No event questions, no mail caps, no webhooks, no audit: the features the issues asked for are
what eventsvc spends beyond this. Served like the others::

    BENCH_BASELINE_DATABASE_URI=sqlite:////tmp/s.sqlite3 gunicorn 'bench.stack_app:create_app()'
"""

import fcntl
import os
from datetime import UTC, datetime
from functools import cache

from babel import Locale
from flask import Flask, abort, redirect, render_template, session
from flask_babel import Babel, gettext
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import FlaskForm
from jinja2 import DictLoader
from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, select, text, update
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from wtforms import BooleanField, EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

import bench.baseline_app  # noqa: F401  (its engine listener: the same SQLite pragmas as eventsvc)

LOCALES = ("en", "fr", "es")


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class StackEvent(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    capacity: Mapped[int] = mapped_column(Integer)
    confirmed_seats: Mapped[int] = mapped_column(Integer, default=0)


class StackRegistration(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("stack_event.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    email_normalised: Mapped[str] = mapped_column(String(254), index=True)
    organisation: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    language: Mapped[str] = mapped_column(String(8))
    interpretation_language: Mapped[str | None] = mapped_column(String(8))
    question_for_speakers: Mapped[str] = mapped_column(Text)
    consent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class StackMessage(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(20), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("stack_registration.id"))
    payload: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


@cache
def _countries(locale: str) -> tuple[tuple[str, str], ...]:
    """Made once per locale, as eventsvc does."""
    names = Locale.parse(locale).territories
    countries = ((code, name) for code, name in names.items() if len(code) == 2)
    return tuple(sorted(countries, key=lambda c: c[1]))


class RegistrationForm(FlaskForm):
    full_name = StringField(validators=[DataRequired(), Length(max=200)])
    email = EmailField(validators=[DataRequired(), Email(check_deliverability=False)])
    organisation = StringField(validators=[Optional(), Length(max=200)])
    # Choices checked by a set lookup, not by WTForms walking 250 countries on every post
    # (eventsvc's rules check them in its registration input instead).
    country = SelectField(validators=[Optional()], validate_choice=False)
    language = SelectField(choices=[(code, code) for code in LOCALES], validate_choice=False)
    interpretation_language = SelectField(
        choices=[("", "—"), ("fr", "fr"), ("es", "es")], validate_choice=False
    )
    question_for_speakers = TextAreaField(validators=[Optional(), Length(max=2000)])
    consent = BooleanField(validators=[DataRequired()])
    website = StringField()  # the honeypot

    def __init__(self, locale: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.locale = locale
        self.country.choices = [("", "—"), *_countries(locale)]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        known = {code for code, _ in _countries(self.locale)}
        for field, allowed in (
            (self.country, known | {""}),
            (self.language, set(LOCALES)),
            (self.interpretation_language, {"", "fr", "es"}),
        ):
            if field.data not in allowed:
                field.errors = [*field.errors, "Not a valid choice."]
                valid = False
        return valid


PAGE = """<!doctype html><html lang="{{ lang }}"><head><meta charset="utf-8">
<title>{{ event.title }}</title></head><body><main><h1>{{ event.title }}</h1>
<form method="post" action="/{{ lang }}/events/{{ event.slug }}/register">{{ form.csrf_token }}
{% for field in form if field.name != "csrf_token" %}
<p>{{ field.label }} {{ field() }}</p>{% endfor %}
<button>{{ register }}</button></form></main></body></html>"""


def create_schema(uri: str, slug: str) -> None:
    """The tables and one event (its capacity far above any burst)."""
    app = _app(uri)
    with app.app_context():
        db.create_all()
        db.session.add(StackEvent(slug=slug, title="Launch", capacity=1_000_000))
        db.session.commit()
        db.engine.dispose()


def _app(uri: str) -> Flask:
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY="stack-" + "0" * 58,
        SQLALCHEMY_DATABASE_URI=uri,
        SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"timeout": 30}}
        if uri.startswith("sqlite")
        else {},
    )
    db.init_app(app)
    return app


def create_app() -> Flask:
    uri = os.environ["BENCH_BASELINE_DATABASE_URI"]
    app = _app(uri)
    app.jinja_loader = DictLoader({"event.html": PAGE})
    locale = {}
    Babel(app, locale_selector=lambda: locale.get("current", "en"))
    writers_file = uri.removeprefix("sqlite:///") + "-writers" if uri.startswith("sqlite") else None

    def event_or_404(lang: str, slug: str) -> StackEvent:
        if lang not in LOCALES:
            abort(404)
        locale["current"] = lang
        return db.first_or_404(select(StackEvent).where(StackEvent.slug == slug))

    @app.get("/<lang>/events/<slug>")
    def event(lang, slug):
        found = event_or_404(lang, slug)
        form = RegistrationForm(lang)
        return render_template(
            "event.html", event=found, form=form, lang=lang, register=gettext("Register")
        )

    @app.post("/<lang>/events/<slug>/register")
    def register(lang, slug):
        found = event_or_404(lang, slug)
        form = RegistrationForm(lang)
        if not form.validate():
            return render_template(
                "event.html", event=found, form=form, lang=lang, register=gettext("Register")
            ), 400
        descriptor = _lock(found.id, writers_file)
        try:
            _store(found.id, form)
            db.session.commit()
        finally:
            if descriptor is not None:
                os.close(descriptor)
        session["sent_to"] = {"slug": slug, "email": form.email.data}
        return redirect(f"/{lang}/events/{slug}/thanks", 303)

    @app.get("/healthz")
    def healthz():
        return "ok"

    return app


def _lock(event_id: int, writers_file: str | None) -> int | None:
    if writers_file is None:
        db.session.execute(select(StackEvent.id).where(StackEvent.id == event_id).with_for_update())
        return None
    descriptor = os.open(writers_file, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    db.session.execute(
        text("UPDATE stack_event SET capacity = capacity WHERE id = :id"), {"id": event_id}
    )
    return descriptor


def _store(event_id: int, form: RegistrationForm) -> None:
    email = form.email.data.strip()
    existing = db.session.scalar(
        select(StackRegistration).where(
            StackRegistration.event_id == event_id,
            StackRegistration.email_normalised == email.lower(),
        )
    )
    if existing is not None:
        return
    now = datetime.now(UTC)
    registration = StackRegistration(
        event_id=event_id,
        status="confirmed",
        full_name=form.full_name.data.strip(),
        email=email,
        email_normalised=email.lower(),
        organisation=form.organisation.data or "",
        country=form.country.data or "",
        language=form.language.data,
        interpretation_language=form.interpretation_language.data or None,
        question_for_speakers=form.question_for_speakers.data or "",
        consent_at=now,
        created_at=now,
    )
    db.session.add(registration)
    db.session.flush()
    db.session.add(
        StackMessage(
            kind="confirmation",
            status="pending",
            registration_id=registration.id,
            payload={},
            created_at=now,
        )
    )
    db.session.execute(
        update(StackEvent)
        .where(StackEvent.id == event_id)
        .values(confirmed_seats=StackEvent.confirmed_seats + 1)
    )
