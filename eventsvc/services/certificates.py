"""Certificates of attendance: who may have one, issuing it once, and checking a code.

A registrant has a certificate when they attended by the event's rule
(:func:`eventsvc.services.attendance.attended_registration_ids`) and their registration is
neither cancelled nor erased. It is issued on first need (download, follow-up mail) with a
random code; the PDF is drawn by :mod:`eventsvc.certificates` from what is stored here.
"""

import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models import Attendance, Certificate, Event, Registration, RegistrationStatus
from eventsvc.models.follow_up import CODE_ALPHABET, CODE_LENGTH
from eventsvc.services import DomainError, attendance

_NOT_CODE = re.compile(f"[^{CODE_ALPHABET}]")


def attended(registration: Registration) -> bool:
    """Whether ``registration`` may have a certificate now."""
    if registration.status == RegistrationStatus.CANCELLED or registration.anonymised_at:
        return False
    if not registration.event.is_past():
        return False
    # One row, not the event's whole set (this runs on every view of the personal page).
    return bool(
        db.session.scalar(
            select(Attendance.attended).where(Attendance.registration_id == registration.id)
        )
    )


def existing(registration: Registration) -> Certificate | None:
    return db.session.scalar(
        select(Certificate).where(Certificate.registration_id == registration.id)
    )


def issue(registration: Registration) -> Certificate:
    """The registrant's certificate, issued now if it was not yet; refuses anyone who did not
    attend by the rule."""
    if not attended(registration):
        raise DomainError(_l("A certificate is only given to those who attended the event."))
    certificate = existing(registration)
    if certificate is None:
        certificate = Certificate(
            registration=registration,
            full_name=registration.full_name,
            minutes=attendance.minutes_attended(registration),
        )
        db.session.add(certificate)
        db.session.flush()
    return certificate


def issue_to_attendees(event: Event) -> int:
    """Issue the certificates not issued yet to every attendee of ``event`` (before a follow-up
    that carries them goes out); returns how many were issued now."""
    attended_ids = attendance.attended_registration_ids(event)
    if not attended_ids:
        return 0
    have = set(
        db.session.scalars(
            select(Certificate.registration_id)
            .join(Registration)
            .where(Registration.event_id == event.id)
        )
    )
    people = db.session.scalars(
        select(Registration).where(
            Registration.id.in_(attended_ids - have),
            Registration.status != RegistrationStatus.CANCELLED,
            Registration.anonymised_at.is_(None),
        )
    )
    issued = 0
    for registration in people:
        db.session.add(
            Certificate(
                registration=registration,
                full_name=registration.full_name,
                minutes=attendance.minutes_attended(registration),
            )
        )
        issued += 1
    db.session.flush()
    return issued


def normalise_code(text: str) -> str:
    """A code as typed or read from paper: any case, with or without dashes and spaces."""
    return _NOT_CODE.sub("", (text or "").upper())


def verify(code: str) -> Certificate | None:
    """The certificate with ``code``, or ``None`` (unknown, or its registration erased)."""
    code = normalise_code(code)
    if len(code) != CODE_LENGTH:
        return None
    certificate = db.session.scalar(select(Certificate).where(Certificate.code == code))
    if certificate is None or certificate.registration.anonymised_at is not None:
        return None
    return certificate
