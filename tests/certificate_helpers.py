"""Shared by the follow-up and certificate tests: attendance as the reports would leave it,
and reading a PDF's text back with a real parser (pypdf)."""

import io

from pypdf import PdfReader

from eventsvc.extensions import db
from eventsvc.models import Attendance


def mark_attended(registration, minutes: int = 55, attended: bool = True) -> None:
    """What an imported report leaves for ``registration`` (the attendance slice's rows)."""
    db.session.add(
        Attendance(
            registration_id=registration.id,
            event_id=registration.event_id,
            minutes=minutes,
            attended=attended,
        )
    )
    db.session.commit()


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def pdf_reader(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))
