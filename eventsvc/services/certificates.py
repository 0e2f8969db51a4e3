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
from eventsvc.models import Certificate, Registration, RegistrationStatus
from eventsvc.models.follow_up import CODE_ALPHABET, CODE_LENGTH
from eventsvc.services import DomainError, attendance

_NOT_CODE = re.compile(f"[^{CODE_ALPHABET}]")


def attended(registration: Registration) -> bool:
    """Whether ``registration`` may have a certificate now."""
    if registration.status == RegistrationStatus.CANCELLED or registration.anonymised_at:
        return False
    if not registration.event.is_past():
        return False
    return registration.id in attendance.attended_registration_ids(registration.event)


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
