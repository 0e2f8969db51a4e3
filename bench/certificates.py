"""6. Certificates: seconds of CPU per certificate of attendance for 5,000 attendees, eventsvc
against fpdf2 alone.

eventsvc: :func:`eventsvc.services.certificates.issue_to_attendees` (one row each, random
codes) then :func:`eventsvc.certificates.render` for every attendee, as the follow-up's worker
does: the full page in the registrant's language with the partners' names and logo, the
verification code and address. The baseline: fpdf2 alone, a bare A4 landscape page with one
line of text (the attendee's name) in the same font file, added to each document as fpdf2's
documentation does it. Both embed a font subset; the ratio is what the certificate costs over
the library's floor.

``EVENTSVC_BENCH_CERTIFICATES=N`` sets another count. Times are CPU time of this process
(``time.process_time``), single-threaded, in process.
"""

import io
import os
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert, select

from bench import fixtures
from bench.common import Row, Settings, log, scratch_dir
from bench.in_process import eventsvc_app, sqlite_uri

NAME = "certificates"
TITLE = "6. Certificates"
MAX_RATIO = 3.0  # eventsvc per certificate over fpdf2's bare page


def run(settings: Settings) -> tuple[list[Row], dict]:
    count = int(os.environ.get("EVENTSVC_BENCH_CERTIFICATES") or (200 if settings.quick else 5000))
    with (
        scratch_dir("certificates") as name,
        eventsvc_app(Path(name) / "instance", sqlite_uri(Path(name) / "certs.sqlite3")),
    ):
        from eventsvc import certificates as certificate_pdf
        from eventsvc.extensions import db
        from eventsvc.models import Attendance, Certificate, Partner, Registration

        event = fixtures.create_event(starts_in=-timedelta(days=1))
        fixtures.insert_registrations(event.id, count)
        ids = db.session.scalars(
            select(Registration.id).where(Registration.event_id == event.id)
        ).all()
        db.session.execute(
            insert(Attendance.__table__),
            [
                {"registration_id": i, "event_id": event.id, "minutes": 50, "attended": True}
                for i in ids
            ],
        )
        _give_a_logo(db, Partner, event)
        db.session.commit()
        font = certificate_pdf.font_files()[""]
        certificate_pdf.render  # noqa: B018 - imported before the clock starts
        names = db.session.scalars(
            select(Registration.full_name).where(Registration.event_id == event.id)
        ).all()

        started = time.process_time()
        _baseline(font, names)
        base = time.process_time() - started

        from eventsvc.services import certificates

        started = time.process_time()
        certificates.issue_to_attendees(event)
        db.session.commit()
        issued = db.session.scalars(select(Certificate).order_by(Certificate.id)).all()
        size = 0
        for certificate in issued:
            size += len(certificate_pdf.render(certificate))
        ours = time.process_time() - started
        log(
            f"certificates x{count}: eventsvc {ours:.1f} s ({ours / count * 1000:.1f} ms each, "
            f"{size / count / 1024:.0f} kB), fpdf2 alone {base:.1f} s "
            f"({base / count * 1000:.1f} ms each)"
        )
    ratio = ours / base
    rows = [
        Row(
            TITLE,
            f"{count:,} certificates, CPU s",
            "s",
            round(ours, 1),
            round(base, 1),
            target=f"ratio ≤ {MAX_RATIO}",
            passed=ratio <= MAX_RATIO,
            note=f"{ours / count * 1000:.0f} vs {base / count * 1000:.0f} ms each",
        )
    ]
    return rows, {"count": count, "eventsvc_s": ours, "baseline_s": base, "kb": size / count / 1024}


def _baseline(font: str, names) -> None:
    from fpdf import FPDF

    for name in names:
        pdf = FPDF(orientation="landscape", unit="mm", format="A4")
        pdf.add_font("Cert", "", font)
        pdf.add_page()
        pdf.set_font("Cert", size=28)
        pdf.cell(text=name)
        bytes(pdf.output())


def _give_a_logo(db, Partner, event) -> None:
    from PIL import Image

    partner = event.partners[0] if event.partners else None
    if partner is None:
        return
    buffer = io.BytesIO()
    Image.new("RGB", (240, 120), "navy").save(buffer, "PNG")
    partner.logo, partner.logo_type = buffer.getvalue(), "image/png"
