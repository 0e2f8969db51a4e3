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
      text/calendar  <slug>.ics (or <slug>-cancelled.ics), attachment

A reminder goes to thousands of people in the same minute, so building must cost well under a
millisecond. What is the same for everyone is made once and cached on the values it depends on:
the invite's shared lines (:mod:`eventsvc.ics`), the locale-formatted times and language names,
and the rendered bodies. A body is rendered with marks in place of the registrant's name and
personal link, then each message puts its own in (escaped for HTML). Every part is encoded in
base64 with a compat32 policy that skips header folding where none is needed
(:mod:`eventsvc.mail.fast_mime`).
"""

import base64
import contextlib
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from email.charset import BASE64, Charset
from email.header import Header
from email.message import Message
from email.utils import format_datetime, formataddr
from functools import lru_cache
from urllib.parse import quote_plus

from babel.dates import format_timedelta
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import escape

from eventsvc import certificates as certificate_pdf
from eventsvc import clock, ics
from eventsvc.calendar_links import CalendarLinks, calendar_links
from eventsvc.extensions import db
from eventsvc.i18n import (
    best_text,
    format_event_moment,
    format_event_span,
    language_in_text,
    local_span,
    person_zone,
    zone_city,
)
from eventsvc.mail.body_cache import CALENDAR_MARKS as _CALENDAR_MARKS
from eventsvc.mail.body_cache import JOIN_MARK as _JOIN_MARK
from eventsvc.mail.body_cache import LINK_MARK as _LINK_MARK
from eventsvc.mail.body_cache import NAME_MARK as _NAME_MARK
from eventsvc.mail.body_cache import marked_bodies
from eventsvc.mail.fast_mime import POLICY as _POLICY
from eventsvc.mail.fast_mime import Folded as _Folded
from eventsvc.markdown import render_message_markdown
from eventsvc.models import (
    Announcement,
    Event,
    EventStatus,
    FollowUp,
    MessageKind,
    Organiser,
    OutboxMessage,
    Registration,
    RegistrationStatus,
    Subscription,
    Variant,
)
from eventsvc.services import certificates, follow_ups, outbox
from eventsvc.services.registrations import waitlist_position
from eventsvc.urls import choose_password_url, external_url, join_url, manage_url, subscription_url

_QUOTED_LINK_MARK = quote_plus(_LINK_MARK)


@dataclass
class _Calendar:
    method: str
    data: bytes
    slug: str

    @property
    def filename(self) -> str:
        """Named after the event, so that invites to several events do not overwrite each
        other in a Downloads folder."""
        return f"{self.slug}-cancelled.ics" if self.method == ics.CANCEL else f"{self.slug}.ics"


@dataclass
class _Draft:
    """What one kind of message says: its subject, template, extra context and calendar.

    Context values must be hashable (strings, numbers, tuples): they key the body cache.
    ``link``, when set, is this message's own link in place of the reader's (``link`` in the
    templates): an organiser account's password link.
    """

    subject: str
    template: str
    context: dict = field(default_factory=dict)
    calendar: _Calendar | None = None
    link: str | None = None
    #: Files attached as they are: ``(filename, content type, data)`` (a certificate).
    attachments: tuple[tuple[str, str, bytes], ...] = ()


@dataclass
class _Reader:
    """Whom a message goes to (a registrant or an organiser account), and what every message
    to them shows."""

    lang: str
    name: str  #: in the To header ("" for none)
    greeting: str  #: the name the body greets
    address: str
    link: str  #: their own link in the body: the personal page, or "" (an account)
    context: dict
    calendars: CalendarLinks | None = None
    #: Their personal join link ("" for none): never the meeting's raw address.
    join_link: str = ""


def build(message: OutboxMessage) -> Message:
    """The email for ``message``, complete with headers, rendered from current state."""
    lang = _language_of(message)
    with force_locale(lang):
        if message.organiser_id is not None:
            reader = _account_reader(message.organiser, lang)
        elif message.subscription_id is not None:
            reader = _subscriber_reader(message.subscription, lang)
        else:
            reader = _registrant_reader(message.registration)
        draft = _DRAFTS[message.kind](message, reader.context, reader.link)
        context = {**reader.context, **draft.context, "subject": draft.subject}
        link = reader.link if draft.link is None else draft.link
        text, html = _bodies(
            draft.template, context, reader.greeting, link, reader.calendars, reader.join_link
        )
    email = _assemble(text, html, draft.calendar, draft.attachments)
    name = "" if message.kind in _NO_REGISTRANT_TEXT else reader.name
    _add_headers(email, message, _address(name, reader.address), reader.lang, draft.subject)
    if message.subscription_id is not None:
        # RFC 2369 and RFC 8058: one-click unsubscribe by the mail client, an HTTPS POST.
        # On one line (an ASCII URL, far below the 998 limit): folded, some clients keep the
        # leading space.
        email["List-Unsubscribe"] = _Folded(f"<{reader.link}/unsubscribe>")
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return email


def _language_of(message: OutboxMessage) -> str:
    if message.organiser_id is not None:
        return message.organiser.locale or current_app.config["DEFAULT_LOCALE"]
    if message.subscription_id is not None:
        return message.subscription.language
    return message.registration.language


def _registrant_reader(registration: Registration) -> _Reader:
    link = manage_url(registration)
    context = _event_context(registration.event, registration.language)
    context.update(_registration_context(registration))
    calendars = _calendar_links(registration, link) if context["offer_calendar"] else None
    return _Reader(
        registration.language,
        registration.full_name,
        registration.full_name,
        registration.email,
        link,
        context,
        calendars,
        join_url(registration) if context["show_join_link"] else "",
    )


def _account_reader(organiser: Organiser, lang: str) -> _Reader:
    """An organiser account: no event and no personal page; the password link, when the kind
    has one, is the draft's own."""
    config = current_app.config
    context = {
        "lang": lang,
        "email": organiser.email,
        "organiser_name": config["ORGANIZER_NAME"],
        "site_name": config.get("SITE_NAME") or _("Events"),
        "workspace_url": external_url("organiser.dashboard"),
    }
    greeting = organiser.name or organiser.email
    return _Reader(lang, organiser.name, greeting, organiser.email, "", context)


def _subscriber_reader(subscription: Subscription, lang: str) -> _Reader:
    """A subscription to new events: no name (the form asks none), its own page as the link."""
    config = current_app.config
    context = {
        "lang": lang,
        "organiser_name": config["ORGANIZER_NAME"],
        "site_name": config.get("SITE_NAME") or config["ORGANIZER_NAME"],
        "events_url": external_url("public.index", lang=lang),
    }
    return _Reader(lang, "", "", subscription.email, subscription_url(subscription), context)


# --- what each kind says -------------------------------------------------------------------------


def _confirmation(message: OutboxMessage, context: dict, link: str) -> _Draft:
    return _Draft(
        _("Registration confirmed: %(title)s", title=context["title"]),
        "confirmation",
        calendar=_invite(message.registration, link),
    )


def _waitlisted(message: OutboxMessage, context: dict, link: str) -> _Draft:
    return _Draft(
        _("You are on the waitlist: %(title)s", title=context["title"]),
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
    event = message.registration.event
    note, _locale = best_text(event.reminder_texts or {}, context["lang"], event.floor_language)
    return _Draft(
        subject,
        "reminder",
        {"delay": delay, "note": note or ""},
        calendar=_invite(message.registration, link),
    )


def _event_updated(message: OutboxMessage, context: dict, link: str) -> _Draft:
    """Says what changed (``payload["changes"]``: time, link, title, details, or reopened) and
    the old time. Only a confirmed registrant's calendar holds the event, so only they get an
    invite; someone on the waitlist gets the news alone."""
    registration = message.registration
    event = registration.event
    payload = message.payload or {}
    changes = set(payload.get("changes") or ())
    time_changed = "time" in changes
    old_span = None
    if time_changed and payload.get("old_start") and payload.get("old_end"):
        old_start = datetime.fromisoformat(payload["old_start"])
        old_end = datetime.fromisoformat(payload["old_end"])
        old_span = _span(old_start, old_end, event.timezone, context["lang"])
    postponed = "postponed" in changes
    if postponed:
        subject = _("Postponed: %(title)s", title=context["title"])
    elif "reopened" in changes:
        subject = _("Back on: %(title)s", title=context["title"])
    elif time_changed:
        subject = _("New time: %(title)s", title=context["title"])
    else:
        subject = _("Changed: %(title)s", title=context["title"])
    has_invite = registration.status == RegistrationStatus.CONFIRMED and not postponed
    return _Draft(
        subject,
        "event_updated",
        {
            "reopened": "reopened" in changes,
            "postponed": postponed,
            **_organiser_message(message, context["lang"]),
            "time_changed": time_changed,
            "link_changed": "link" in changes,
            "title_changed": "title" in changes,
            "old_span": old_span,
            "has_invite": has_invite,
        },
        calendar=_invite(registration, link) if has_invite else None,
    )


def _event_cancelled(message: OutboxMessage, context: dict, link: str) -> _Draft:
    calendar = _cancellation(message)
    return _Draft(
        _("Cancelled: %(title)s", title=context["title"]),
        "event_cancelled",
        {
            "show_join_link": False,
            "calendar_attached": calendar is not None,
            **_organiser_message(message, context["lang"]),
        },
        calendar=calendar,
    )


def _registration_cancelled(message: OutboxMessage, context: dict, link: str) -> _Draft:
    """Says who cancelled: the registrant themselves, or the organisers (with their message).
    A calendar cancellation goes only to a person whose calendar holds the event."""
    event = message.registration.event
    payload = message.payload or {}
    calendar = _cancellation(message)
    return _Draft(
        _("Registration cancelled: %(title)s", title=context["title"]),
        "registration_cancelled",
        {
            "show_join_link": False,
            "event_url": external_url("public.event", lang=context["lang"], slug=event.slug),
            "calendar_attached": calendar is not None,
            "by_organiser": bool(payload.get("by_organiser")),
            "had_place": calendar is not None,
            **_organiser_message(message, context["lang"]),
        },
        calendar=calendar,
    )


def _organiser_message(message: OutboxMessage, lang: str) -> dict:
    """The organisers' own words in ``lang`` (else the fallback of ``i18n.best_text``), as
    paragraphs for the template, with the locale they are written in."""
    texts = (message.payload or {}).get("message") or {}
    floor = message.registration.event.floor_language
    chosen, locale = best_text(texts, lang, floor)
    return {"organiser_message": _paragraphs(chosen or ""), "organiser_message_lang": locale}


def _announcement(message: OutboxMessage, context: dict, link: str) -> _Draft:
    announcement_id = (message.payload or {}).get("announcement_id")
    announcement = db.session.get(Announcement, announcement_id) if announcement_id else None
    if announcement is None:
        raise LookupError(f"announcement {announcement_id!r} does not exist")
    text = _announcement_text(announcement, context["lang"], message.registration.event)
    return announcement_draft(text)


def announcement_draft(text: dict) -> _Draft:
    """The organisers' own words: the Markdown as written for the text part, rendered (links
    clickable) for the HTML part, and no greeting of ours above theirs."""
    body = text.get("body", "")
    return _Draft(
        text.get("subject", ""),
        "announcement",
        {"body_text": body.strip(), "body_html": render_message_markdown(body)},
    )


def build_test_announcement(event: Event, text: dict, lang: str, name: str, address: str):
    """The announcement in ``lang`` as registrants will get it, addressed to an organiser who
    wants to see it in their own mailbox first. Nothing is stored."""
    with force_locale(lang):
        link = external_url("public.event", lang=lang, slug=event.slug)
        context = _event_context(event, lang)
        context.update(show_join_link=False, interpretation_language=None)
        draft = announcement_draft(text)
        subject = _("[Test] %(subject)s", subject=draft.subject)
        context.update(draft.context, subject=subject)
        text_body, html = _bodies(draft.template, context, name, link, None)
    email = _assemble(text_body, html, None)
    email["From"] = _sender()
    email["To"] = _address(name, address)
    email["Subject"] = _subject(subject)
    email["Date"] = format_datetime(clock.now(), usegmt=True)
    email["Message-ID"] = outbox.new_message_id()
    email["MIME-Version"] = "1.0"
    email["Content-Language"] = lang
    email["Auto-Submitted"] = "auto-generated"
    return email


def _follow_up(message: OutboxMessage, context: dict, link: str) -> _Draft:
    """The organisers' follow-up in the reader's language and variant (attended or not), with
    the recording, the slides behind the personal link, the survey, and the certificate
    attached to the attendees' variant when the organisers turned that on."""
    payload = message.payload or {}
    registration = message.registration
    follow_up = db.session.get(FollowUp, payload.get("follow_up_id"))
    if follow_up is None:
        raise LookupError(f"follow-up {payload.get('follow_up_id')!r} does not exist")
    variant = Variant(payload.get("variant", Variant.ABSENT))
    draft = follow_up_draft(follow_up, registration.event, context["lang"], variant)
    draft.context["has_slides"] = follow_ups.slides_file(follow_up) is not None
    if variant == Variant.ATTENDED and follow_up.attach_certificate:
        issued = certificates.existing(registration)
        if issued is not None:
            filename = f"certificate-{registration.event.slug}.pdf"
            draft.attachments = ((filename, "application/pdf", certificate_pdf.render(issued)),)
            draft.context["certificate_attached"] = True
    return draft


def follow_up_draft(follow_up: FollowUp, event: Event, lang: str, variant: str) -> _Draft:
    """The follow-up's text in ``lang`` (else the fallback of ``i18n.best_text``) for
    ``variant``: the organisers' Markdown as written for the text part, rendered for HTML."""
    by_locale = {
        locale: texts[variant]
        for locale, texts in (follow_up.texts or {}).items()
        if texts.get(variant)
    }
    text, _locale = best_text(by_locale, lang, event.floor_language)
    body = (text or {}).get("body", "")
    return _Draft(
        (text or {}).get("subject", ""),
        "follow_up",
        {
            "body_text": body.strip(),
            "body_html": render_message_markdown(body),
            "recording_url": follow_up.recording_url,
            "survey_url": follow_up.survey_url,
            "has_slides": False,
            "certificate_attached": False,
        },
    )


def preview_follow_up(follow_up: FollowUp, event: Event, lang: str, variant: str) -> dict:
    """What a registrant reading ``lang`` will get in ``variant``: subject, text and HTML
    bodies, addressed to a stand-in name. Nothing is stored or sent."""
    with force_locale(lang):
        link = external_url("public.event", lang=lang, slug=event.slug)
        context = _event_context(event, lang)
        context.update(show_join_link=False, interpretation_language=None)
        draft = follow_up_draft(follow_up, event, lang, variant)
        draft.context["has_slides"] = follow_ups.slides_file(follow_up) is not None
        draft.context["certificate_attached"] = (
            variant == Variant.ATTENDED and follow_up.attach_certificate
        )
        context.update(draft.context, subject=draft.subject)
        text_body, html = _bodies(draft.template, context, _("Ana Example"), link, None)
    return {"subject": draft.subject, "text": text_body, "html": html}


def _newsletter_confirm(message: OutboxMessage, context: dict, link: str) -> _Draft:
    """Double opt-in: nothing the registrant typed (not even the name), one confirm link."""
    return _Draft(_("Confirm that you want our news"), "newsletter_confirm")


def _address_confirm(message: OutboxMessage, context: dict, link: str) -> _Draft:
    """ "Confirm your address" mode: nothing the registrant typed, no invite, one confirm link
    and the end of the hold."""
    registration = message.registration
    held_until = registration.address_hold_until or clock.now()
    return _Draft(
        _("Confirm your address to keep your place: %(title)s", title=context["title"]),
        "address_confirm",
        {
            "held_until": format_event_moment(
                held_until, registration.event.timezone, context["lang"]
            ),
            "waitlisted": registration.status == RegistrationStatus.WAITLISTED,
        },
    )


# --- to organiser accounts ----------------------------------------------------------------------


def _invitation(message: OutboxMessage, context: dict, link: str) -> _Draft:
    return _Draft(
        _("Your invitation to the organiser workspace"),
        "account_invitation",
        {"days": int(current_app.config["INVITATION_MAX_AGE"]) // 86400},
        link=choose_password_url(message.organiser, message.kind),
    )


def _password_reset(message: OutboxMessage, context: dict, link: str) -> _Draft:
    return _Draft(
        _("Choose a new password"),
        "account_password_reset",
        {"minutes": int(current_app.config["PASSWORD_RESET_MAX_AGE"]) // 60},
        link=choose_password_url(message.organiser, message.kind),
    )


def _sign_in_failures(message: OutboxMessage, context: dict, link: str) -> _Draft:
    return _Draft(
        _("Failed sign-ins on your organiser account"),
        "account_sign_in_failures",
        {
            "failures": int((message.payload or {}).get("failures", 0)),
            "window": int(current_app.config["SIGN_IN_WINDOW_MINUTES"]),
            "account_url": external_url("organiser.account"),
        },
    )


def _subscription_confirm(message: OutboxMessage, context: dict, link: str) -> _Draft:
    """Double opt-in: nothing from the form, one confirm link."""
    return _Draft(_("Confirm that you want to hear of new events"), "subscription_confirm")


def _new_event_notice(message: OutboxMessage, context: dict, link: str) -> _Draft:
    event = message.event
    lang = context["lang"]
    event_context = _event_context(event, lang)
    return _Draft(
        _("New event: %(title)s", title=event_context["title"]),
        "new_event_notice",
        {
            "events": (_event_item(event, lang),),
        },
    )


def _digest(message: OutboxMessage, context: dict, link: str) -> _Draft:
    ids = [int(i) for i in (message.payload or {}).get("events", [])]
    events = [
        event
        for event in (db.session.get(Event, i) for i in ids)
        if event is not None and event.status == EventStatus.PUBLISHED
    ]
    events.sort(key=lambda event: event.starts_at)
    return _Draft(
        _("New events this week"),
        "new_event_notice",
        {"events": tuple(_event_item(event, context["lang"]) for event in events)},
    )


def _event_item(event: Event, lang: str) -> tuple[str, str, str, str]:
    """(title, when, summary, public address) of one announced event: hashable, for the cache."""
    content = event.content(lang)
    return (
        content.title,
        _span(event.starts_at, event.ends_at, event.timezone, lang),
        content.summary,
        external_url("public.event", lang=lang, slug=event.slug),
    )


#: Kinds that carry no text from the registration form, not even the name in ``To``.
_NO_REGISTRANT_TEXT = frozenset({MessageKind.NEWSLETTER_CONFIRM, MessageKind.ADDRESS_CONFIRM})


_DRAFTS: dict[MessageKind, Callable[[OutboxMessage, dict, str], _Draft]] = {
    MessageKind.CONFIRMATION: _confirmation,
    MessageKind.WAITLISTED: _waitlisted,
    MessageKind.PROMOTED: _promoted,
    MessageKind.REMINDER: _reminder,
    MessageKind.EVENT_UPDATED: _event_updated,
    MessageKind.EVENT_CANCELLED: _event_cancelled,
    MessageKind.REGISTRATION_CANCELLED: _registration_cancelled,
    MessageKind.ANNOUNCEMENT: _announcement,
    MessageKind.FOLLOW_UP: _follow_up,
    MessageKind.NEWSLETTER_CONFIRM: _newsletter_confirm,
    MessageKind.ADDRESS_CONFIRM: _address_confirm,
    MessageKind.INVITATION: _invitation,
    MessageKind.PASSWORD_RESET: _password_reset,
    MessageKind.SIGN_IN_FAILURES: _sign_in_failures,
    MessageKind.SUBSCRIPTION_CONFIRM: _subscription_confirm,
    MessageKind.NEW_EVENT_NOTICE: _new_event_notice,
    MessageKind.DIGEST: _digest,
}


def _invite(registration: Registration, link: str) -> _Calendar:
    return _Calendar(
        ics.REQUEST,
        ics.invite(registration, manage_link=link, join_link=join_url(registration)),
        registration.event.slug,
    )


def _cancellation(message: OutboxMessage) -> _Calendar | None:
    """METHOD:CANCEL for a calendar that holds the event; None for a registrant who never had
    an invite (``payload["calendar"]`` false, e.g. the waitlisted): a CANCEL would show them an
    accepted event being removed."""
    payload = message.payload or {}
    if not payload.get("calendar", True):
        return None
    registration = message.registration
    return _Calendar(
        ics.CANCEL,
        ics.cancellation(registration, sequence=payload.get("sequence")),
        registration.event.slug,
    )


def _calendar_links(registration: Registration, link: str) -> CalendarLinks:
    """Add-to-calendar links whose entry points at the personal page (which shows the join
    link shortly before the start); the ``.ics`` is the personal invite.

    Built once per event and language with a mark for the link (URL-encoding them costs a
    tenth of a millisecond), then the registrant's link put in: percent-encoding goes character
    by character, so this is the string encoding the whole would give."""
    marked = calendar_links(
        registration.event,
        registration.language,
        details_url=_LINK_MARK,
        ics_url=f"{_LINK_MARK}/invite.ics",
        location=_LINK_MARK,
    )
    quoted = quote_plus(link)
    return CalendarLinks(
        *(
            getattr(marked, item.name).replace(_QUOTED_LINK_MARK, quoted).replace(_LINK_MARK, link)
            for item in fields(CalendarLinks)
        )
    )


def _announcement_text(announcement: Announcement, lang: str, event: Event) -> dict:
    """The announcement in ``lang``, else the fallback of ``i18n.best_text``."""
    text, _locale = best_text(announcement.texts or {}, lang, event.floor_language)
    return text or {}


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
        "title_lang": content.locale,
        "summary": content.summary,
        "span": _span(event.starts_at, event.ends_at, event.timezone, lang),
        "floor_language": _language(event.floor_language, lang),
        "interpretation_languages": _languages(tuple(event.interpretation_languages), lang),
        "organiser_name": current_app.config["ORGANIZER_NAME"],
    }


def _registration_context(registration: Registration) -> dict:
    """What differs between registrants, apart from their name and link (few distinct values)."""
    chosen = registration.interpreted_into
    event = registration.event
    confirmed = registration.status == RegistrationStatus.CONFIRMED
    zone = person_zone(registration.timezone, registration.country)
    lang = registration.language
    own_span = _own_span(event.starts_at, event.ends_at, event.timezone, zone, lang)
    return {
        "show_join_link": confirmed and bool(event.online_url),
        "offer_calendar": confirmed and event.status == EventStatus.PUBLISHED,
        "interpretation_language": _language(chosen, lang) if chosen else None,
        "local_span": own_span,
        "local_city": _city(zone, lang) if own_span else None,
    }


@lru_cache(maxsize=1024)
def _own_span(start, end, event_zone: str, zone: str | None, lang: str) -> str | None:
    """The registrant's own time, where we know their zone and it reads differently."""
    return local_span(start, end, event_zone, zone, lang)


@lru_cache(maxsize=256)
def _city(zone: str, lang: str) -> str:
    return zone_city(zone, lang)


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


def _bodies(
    template: str,
    context: dict,
    name: str,
    link: str,
    calendars: CalendarLinks | None,
    join_link: str = "",
) -> tuple[str, str]:
    """The text and HTML bodies for ``context``, with this registrant's name, link, join link
    and add-to-calendar links."""
    text, html = marked_bodies(template, tuple(sorted(context.items())))
    if calendars is not None:
        for attribute, mark in _CALENDAR_MARKS.items():
            url = getattr(calendars, attribute)
            text, html = text.replace(mark, url), html.replace(mark, escape(url))
    text = text.replace(_LINK_MARK, link).replace(_NAME_MARK, name)
    html = html.replace(_LINK_MARK, escape(link)).replace(_NAME_MARK, escape(name))
    text, html = text.replace(_JOIN_MARK, join_link), html.replace(_JOIN_MARK, escape(join_link))
    return text, html


# --- MIME ----------------------------------------------------------------------------------------


def _assemble(text: str, html: str, calendar: _Calendar | None, attachments: tuple = ()) -> Message:
    """The MIME tree. Every leaf is base64: safe for any line length and any server."""
    body_parts = [
        _leaf("text/plain; charset=utf-8", _crlf(text)),
        _leaf("text/html; charset=utf-8", _crlf(html)),
    ]
    if attachments:
        files = [
            _leaf(
                f'{content_type}; name="{filename}"',
                data,
                disposition=f'attachment; filename="{filename}"',
            )
            for filename, content_type, data in attachments
        ]
        return _multipart("mixed", [_multipart("alternative", body_parts), *files])
    if calendar is None:
        return _multipart("alternative", body_parts)
    encoded = _base64(calendar.data)
    body_parts.append(
        _leaf(f"text/calendar; charset=UTF-8; method={calendar.method}", encoded=encoded)
    )
    attachment = _leaf(
        f'text/calendar; charset=UTF-8; name="{calendar.filename}"',
        encoded=encoded,
        disposition=f'attachment; filename="{calendar.filename}"',
    )
    return _multipart("mixed", [_multipart("alternative", body_parts), attachment])


def _crlf(text: str) -> bytes:
    """Text in canonical form (RFC 2045 §6.8): lines end in CRLF inside the base64."""
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode()


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
    the header short enough to be written without folding (see :mod:`eventsvc.mail.fast_mime`).
    """
    multipart = Message(policy=_POLICY)
    multipart["Content-Type"] = f'multipart/{subtype}; boundary="=_{uuid.uuid4().hex[:24]}"'
    for part in parts:
        multipart.attach(part)
    return multipart


def _add_headers(email: Message, message: OutboxMessage, to: str, lang: str, subject: str) -> None:
    """The headers of every message, to a registrant or to an organiser account."""
    email["From"] = _sender()
    email["To"] = to
    email["Subject"] = _subject(subject)
    email["Date"] = format_datetime(clock.now(), usegmt=True)
    email["Message-ID"] = message.message_id
    email["MIME-Version"] = "1.0"
    email["Content-Language"] = lang
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
    if not local.isascii():
        return _utf8_address(_single_line(name or ""), f"{local}@{domain}")
    return formataddr((_single_line(name or ""), f"{local}@{domain}"), charset="utf-8")


def _utf8_address(name: str, address: str) -> _Folded:
    """An address only a server offering SMTPUTF8 takes, where headers carry UTF-8 as it is
    (RFC 6532): the name encoded as usual, the address kept as raw bytes (surrogate escapes,
    which the generator writes back as the original bytes)."""
    shown = (
        formataddr((name, "x@x.invalid"), charset="utf-8")[: -len("<x@x.invalid>")] if name else ""
    )
    return _Folded(f"{shown}<{address}>".encode().decode("ascii", "surrogateescape"))


@lru_cache(maxsize=1024)
def _subject(text: str) -> str:
    """The Subject value: one line, RFC 2047 encoded if not ASCII, folded; cached because a
    fan-out repeats the same few subjects."""
    text = _LINE_BREAKS.sub(" ", text).strip()
    if text.isascii() and len(text) < 60:
        return text
    charset = None if text.isascii() else _UTF8_BASE64
    header = Header(text, charset, header_name="Subject")
    return _Folded(header.encode(linesep="\n", maxlinelen=78))


#: What could break a header line; unlike ``str.split()``, it leaves no-break spaces (U+00A0,
#: U+202F, French typography) where they are.
_LINE_BREAKS = re.compile(r"[\t\n\v\f\r\x1c-\x1e\x85\u2028\u2029]+")

_UTF8_BASE64 = Charset("utf-8")
_UTF8_BASE64.header_encoding = BASE64
