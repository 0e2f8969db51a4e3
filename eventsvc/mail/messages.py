"""Building one outbox message into an email, at send time, in the registrant's language.

Nothing about a message is stored but its kind and payload: the text, the time, the join link
and the invite are read from the current event and registration when the message is built, so a
late reminder never carries an outdated time or link.

Every message is text and HTML from ``templates/email/<kind>.txt|.html``. Messages that change
the registrant's calendar also carry the calendar file twice, the way calendar clients look for
it::

    multipart/mixed
      multipart/alternative
        text/plain
        text/html
        text/calendar; method=REQUEST (or CANCEL); charset=UTF-8
      application/ics  invite.ics (or cancel.ics), attachment

A reminder goes to thousands of people in the same minute, so building must cost well under a
millisecond. What is the same for everyone is made once and cached on the values it depends on:
the invite's shared lines (:mod:`eventsvc.ics`), the locale-formatted times and language names,
and the rendered bodies. A body is rendered with marks in place of the registrant's name and
personal link, then each message puts its own in (escaped for HTML). Every part is encoded in
base64 with a compat32 policy that skips header folding where none is needed.
"""

import base64
import contextlib
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.charset import BASE64, Charset
from email.header import Header
from email.message import Message
from email.policy import Compat32
from email.utils import format_datetime, formataddr
from functools import lru_cache

from babel.dates import format_timedelta
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import escape

from eventsvc import clock, ics
from eventsvc.extensions import db
from eventsvc.i18n import format_event_span, language_in_text
from eventsvc.models import (
    Announcement,
    Event,
    MessageKind,
    OutboxMessage,
    Registration,
    RegistrationStatus,
)
from eventsvc.services.registrations import waitlist_position
from eventsvc.urls import external_url

#: Stand in for the registrant's name and personal link in cached bodies (private-use
#: characters: escaping and formatting leave them as they are).
_NAME_MARK = "\ue000name\ue000"
_LINK_MARK = "\ue000link\ue000"


@dataclass
class _Calendar:
    method: str
    data: bytes

    @property
    def filename(self) -> str:
        return "cancel.ics" if self.method == ics.CANCEL else "invite.ics"


@dataclass
class _Draft:
    """What one kind of message says: its subject, template, extra context and calendar.

    Context values must be hashable (strings, numbers, tuples): they key the body cache.
    """

    subject: str
    template: str
    context: dict = field(default_factory=dict)
    calendar: _Calendar | None = None


def build(message: OutboxMessage) -> Message:
    """The email for ``message``, complete with headers, rendered from current state."""
    registration = message.registration
    with force_locale(registration.language):
        link = ics.manage_url(registration)
        context = _event_context(registration.event, registration.language)
        context.update(_registration_context(registration))
        draft = _DRAFTS[message.kind](message, context, link)
        context.update(draft.context, subject=draft.subject)
        text, html = _bodies(draft.template, context, registration.full_name, link)
    email = _assemble(text, html, draft.calendar)
    _add_headers(email, message, registration, draft.subject)
    return email


# --- what each kind says -------------------------------------------------------------------------


def _confirmation(message: OutboxMessage, context: dict, link: str) -> _Draft:
    return _Draft(
        _("Registration confirmed: %(title)s", title=context["title"]),
        "confirmation",
        calendar=_invite(message.registration, link),
    )


def _waitlisted(message: OutboxMessage, context: dict, link: str) -> _Draft:
    return _Draft(
        _("You are on the waiting list: %(title)s", title=context["title"]),
        "waitlisted",
        {"position": waitlist_position(message.registration), "show_join_link": False},
    )


def _promoted(message: OutboxMessage, context: dict, link: str) -> _Draft:
    return _Draft(
        _("A place is yours: %(title)s", title=context["title"]),
        "promoted",
        calendar=_invite(message.registration, link),
    )


def _reminder(message: OutboxMessage, context: dict, link: str) -> _Draft:
    """Says how long until the start as of now, whatever offset the reminder was planned for."""
    minutes = int((message.registration.event.starts_at - clock.now()).total_seconds() // 60)
    if minutes >= 1:
        delay = _delay(minutes, context["lang"])
        subject = _("Reminder: %(title)s starts in %(delay)s", title=context["title"], delay=delay)
    else:
        delay = None
        subject = _("Starting now: %(title)s", title=context["title"])
    return _Draft(
        subject, "reminder", {"delay": delay}, calendar=_invite(message.registration, link)
    )


def _event_updated(message: OutboxMessage, context: dict, link: str) -> _Draft:
    """Says what changed (``payload["changes"]``: time, link, title) and the old time."""
    event = message.registration.event
    payload = message.payload or {}
    changes = set(payload.get("changes") or ())
    time_changed = "time" in changes
    old_span = None
    if time_changed and payload.get("old_start") and payload.get("old_end"):
        old_start = datetime.fromisoformat(payload["old_start"])
        old_end = datetime.fromisoformat(payload["old_end"])
        old_span = _span(old_start, old_end, event.timezone, context["lang"])
    if time_changed:
        subject = _("New time: %(title)s", title=context["title"])
    else:
        subject = _("Changed: %(title)s", title=context["title"])
    return _Draft(
        subject,
        "event_updated",
        {
            "time_changed": time_changed,
            "link_changed": "link" in changes,
            "title_changed": "title" in changes,
            "old_span": old_span,
        },
        calendar=_invite(message.registration, link),
    )


def _event_cancelled(message: OutboxMessage, context: dict, link: str) -> _Draft:
    return _Draft(
        _("Cancelled: %(title)s", title=context["title"]),
        "event_cancelled",
        {"show_join_link": False},
        calendar=_cancellation(message),
    )


def _registration_cancelled(message: OutboxMessage, context: dict, link: str) -> _Draft:
    event = message.registration.event
    return _Draft(
        _("Registration cancelled: %(title)s", title=context["title"]),
        "registration_cancelled",
        {
            "show_join_link": False,
            "event_url": external_url("public.event", lang=context["lang"], slug=event.slug),
        },
        calendar=_cancellation(message),
    )


def _announcement(message: OutboxMessage, context: dict, link: str) -> _Draft:
    announcement_id = (message.payload or {}).get("announcement_id")
    announcement = db.session.get(Announcement, announcement_id) if announcement_id else None
    if announcement is None:
        raise LookupError(f"announcement {announcement_id!r} does not exist")
    text = _announcement_text(announcement, context["lang"], message.registration.event)
    return _Draft(
        text.get("subject", ""),
        "announcement",
        {"paragraphs": _paragraphs(text.get("body", ""))},
    )


def _newsletter_confirm(message: OutboxMessage, context: dict, link: str) -> _Draft:
    """Double opt-in: nothing the registrant typed (not even the name), one confirm link."""
    return _Draft(_("Confirm that you want our news"), "newsletter_confirm")


#: Kinds that carry no text from the registration form, not even the name in ``To``.
_NO_REGISTRANT_TEXT = frozenset({MessageKind.NEWSLETTER_CONFIRM})


_DRAFTS: dict[MessageKind, Callable[[OutboxMessage, dict, str], _Draft]] = {
    MessageKind.CONFIRMATION: _confirmation,
    MessageKind.WAITLISTED: _waitlisted,
    MessageKind.PROMOTED: _promoted,
    MessageKind.REMINDER: _reminder,
    MessageKind.EVENT_UPDATED: _event_updated,
    MessageKind.EVENT_CANCELLED: _event_cancelled,
    MessageKind.REGISTRATION_CANCELLED: _registration_cancelled,
    MessageKind.ANNOUNCEMENT: _announcement,
    MessageKind.NEWSLETTER_CONFIRM: _newsletter_confirm,
}


def _invite(registration: Registration, link: str) -> _Calendar:
    return _Calendar(ics.REQUEST, ics.invite(registration, manage_link=link))


def _cancellation(message: OutboxMessage) -> _Calendar:
    sequence = (message.payload or {}).get("sequence")
    return _Calendar(ics.CANCEL, ics.cancellation(message.registration, sequence=sequence))


def _announcement_text(announcement: Announcement, lang: str, event: Event) -> dict:
    """The announcement in ``lang``, else the default locale, else the floor language, else any."""
    texts = announcement.texts or {}
    for locale in (lang, current_app.config["DEFAULT_LOCALE"], event.floor_language):
        if texts.get(locale):
            return texts[locale]
    return next(iter(texts.values()), {})


def _paragraphs(body: str) -> tuple[tuple[str, ...], ...]:
    """Plain text as paragraphs (split on blank lines) of lines, for the HTML part."""
    blocks = re.split(r"\n\s*\n", body.replace("\r\n", "\n").strip())
    return tuple(tuple(block.split("\n")) for block in blocks if block.strip())


# --- context -----------------------------------------------------------------------------------


def _event_context(event: Event, lang: str) -> dict:
    content = event.content(lang)
    return {
        "lang": lang,
        "title": content.title,
        "summary": content.summary,
        "span": _span(event.starts_at, event.ends_at, event.timezone, lang),
        "join_url": event.online_url,
        "floor_language": _language(event.floor_language, lang),
        "interpretation_languages": _languages(tuple(event.interpretation_languages), lang),
        "organiser_name": current_app.config["ORGANIZER_NAME"],
    }


def _registration_context(registration: Registration) -> dict:
    """What differs between registrants, apart from their name and link (few distinct values)."""
    chosen = registration.interpretation_language
    return {
        "show_join_link": (
            registration.status == RegistrationStatus.CONFIRMED
            and bool(registration.event.online_url)
        ),
        "interpretation_language": _language(chosen, registration.language) if chosen else None,
    }


@lru_cache(maxsize=1024)
def _span(start: datetime, end: datetime, zone_name: str, lang: str) -> str:
    return format_event_span(start, end, zone_name, lang)


@lru_cache(maxsize=1024)
def _delay(minutes: int, lang: str) -> str:
    """ "1 hour", "2 days"… in ``lang``, rounded as people say it."""
    return format_timedelta(timedelta(minutes=minutes), locale=lang)


@lru_cache(maxsize=256)
def _language(code: str, lang: str) -> str:
    return language_in_text(code, lang)


@lru_cache(maxsize=256)
def _languages(codes: tuple[str, ...], lang: str) -> tuple[str, ...]:
    return tuple(language_in_text(code, lang) for code in codes)


# --- bodies ------------------------------------------------------------------------------------


def _bodies(template: str, context: dict, name: str, link: str) -> tuple[str, str]:
    """The text and HTML bodies for ``context``, with this registrant's name and link."""
    text, html = _render_pair(template, tuple(sorted(context.items())))
    text = text.replace(_LINK_MARK, link).replace(_NAME_MARK, name)
    html = html.replace(_LINK_MARK, escape(link)).replace(_NAME_MARK, escape(name))
    return text, html


@lru_cache(maxsize=512)
def _render_pair(template: str, items: tuple) -> tuple[str, str]:
    """Both bodies rendered with marks for the name and link; the locale is ``lang`` in items."""
    context = dict(items, name=_NAME_MARK, manage_url=_LINK_MARK)
    environment = current_app.jinja_env
    text = environment.get_template(f"email/{template}.txt").render(context)
    html = environment.get_template(f"email/{template}.html").render(context)
    return _tidy(text), _tidy(html)


def _tidy(body: str) -> str:
    return re.sub(r"\n{3,}", "\n\n", body).strip() + "\n"


# --- MIME ----------------------------------------------------------------------------------------


class _Folded(str):
    """A header value already encoded and folded, its lines joined by ``\\n``."""


class _MailPolicy(Compat32):
    """compat32 without the cost of :class:`email.header.Header` where it is not needed.

    compat32 passes every header value through ``Header`` when the message is flattened, which
    takes longer than building the rest of the message. Here a short plain-ASCII value is written
    as it is (``Header`` would leave it unchanged), and a :class:`_Folded` value, encoded once
    for all the messages that share it, only gets the generator's line separator.
    """

    def _fold(self, name, value, sanitize):
        if isinstance(value, _Folded):
            return f"{name}: {value.replace(chr(10), self.linesep)}{self.linesep}"
        if (
            isinstance(value, str)
            and len(name) + len(value) < 76
            and value.isascii()
            and "\n" not in value
            and "\r" not in value
        ):
            return f"{name}: {value}{self.linesep}"
        return super()._fold(name, value, sanitize)


_POLICY = _MailPolicy()


def _assemble(text: str, html: str, calendar: _Calendar | None) -> Message:
    """The MIME tree. Every leaf is base64: safe for any line length and any server."""
    body_parts = [
        _leaf("text/plain; charset=utf-8", text.encode()),
        _leaf("text/html; charset=utf-8", html.encode()),
    ]
    if calendar is None:
        return _multipart("alternative", body_parts)
    encoded = _base64(calendar.data)
    body_parts.append(
        _leaf(f"text/calendar; charset=UTF-8; method={calendar.method}", encoded=encoded)
    )
    attachment = _leaf(
        f'application/ics; name="{calendar.filename}"',
        encoded=encoded,
        disposition=f'attachment; filename="{calendar.filename}"',
    )
    return _multipart("mixed", [_multipart("alternative", body_parts), attachment])


def _leaf(
    content_type: str,
    data: bytes = b"",
    *,
    encoded: str | None = None,
    disposition: str | None = None,
) -> Message:
    part = Message(policy=_POLICY)
    part["Content-Type"] = content_type
    part["Content-Transfer-Encoding"] = "base64"
    if disposition:
        part["Content-Disposition"] = disposition
    part.set_payload(encoded if encoded is not None else _base64(data))
    return part


def _base64(data: bytes) -> str:
    return base64.encodebytes(data).decode("ascii")


def _multipart(subtype: str, parts: list[Message]) -> Message:
    """A multipart whose boundary is chosen here.

    ``=_`` never occurs in base64, which every leaf is encoded in, so the boundary cannot clash
    with the content and the generator need not search the parts for it. 96 random bits keep
    the header short enough to be written without folding (see :class:`_MailPolicy`).
    """
    multipart = Message(policy=_POLICY)
    multipart["Content-Type"] = f'multipart/{subtype}; boundary="=_{uuid.uuid4().hex[:24]}"'
    for part in parts:
        multipart.attach(part)
    return multipart


def _add_headers(
    email: Message, message: OutboxMessage, registration: Registration, subject: str
) -> None:
    email["From"] = _sender()
    name = "" if message.kind in _NO_REGISTRANT_TEXT else registration.full_name
    email["To"] = _address(name, registration.email)
    email["Subject"] = _subject(subject)
    email["Date"] = format_datetime(clock.now(), usegmt=True)
    email["Message-ID"] = message.message_id
    email["MIME-Version"] = "1.0"
    email["Content-Language"] = registration.language
    email["Auto-Submitted"] = "auto-generated"
    email["X-Auto-Response-Suppress"] = "All"


def _sender() -> str:
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    if isinstance(sender, tuple | list):
        return _cached_address(*sender)
    return sender


@lru_cache(maxsize=16)
def _cached_address(name: str, address: str) -> str:
    return _address(name, address)


def _single_line(text: str) -> str:
    """``text`` with every run of whitespace (line breaks included) made one space."""
    return " ".join(text.split())


def _address(name: str, address: str) -> str:
    """``Name <address>``, the name encoded if needed; no line break can reach the header."""
    local, _at, domain = _single_line(address).rpartition("@")
    if not domain.isascii():
        with contextlib.suppress(UnicodeError):
            domain = domain.encode("idna").decode("ascii")
    return formataddr((_single_line(name or ""), f"{local}@{domain}"), charset="utf-8")


@lru_cache(maxsize=1024)
def _subject(text: str) -> str:
    """The Subject value: one line, RFC 2047 encoded if not ASCII, folded; cached because a
    fan-out repeats the same few subjects."""
    text = _single_line(text)
    if text.isascii() and len(text) < 60:
        return text
    charset = None if text.isascii() else _UTF8_BASE64
    header = Header(text, charset, header_name="Subject")
    return _Folded(header.encode(linesep="\n", maxlinelen=78))


_UTF8_BASE64 = Charset("utf-8")
_UTF8_BASE64.header_encoding = BASE64
