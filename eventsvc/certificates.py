"""Certificates of attendance as PDF, in the registrant's language.

Built with fpdf2 (pure Python, maintained, embeds TrueType fonts as Unicode subsets so the text
stays extractable) and Fira Sans from the ``fontpkg-fira-sans`` package: static regular and
bold files that cover Latin, Greek (polytonic too) and Cyrillic. Nothing is fetched at run
time, nothing is read from the system's fonts.

A4 landscape by default; ``CERTIFICATE_PAGE_FORMAT = "letter"`` for Letter.
"""

import copy
import io
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from fontTools.ttLib import TTFont
from fpdf import FPDF

from eventsvc.i18n import format_event_date, list_in_text
from eventsvc.models import Certificate, Partner
from eventsvc.urls import certificate_url

FAMILY = "FiraSans"
#: The font files shipped by ``fontpkg-fira-sans``, by fpdf2 style.
_SOURCES = {"": "FiraSans-Regular.ttf", "B": "FiraSans-Bold.ttf"}
#: What the certificate's font keeps: Latin (with its extensions and combining accents), Greek
#: (polytonic too), Cyrillic, punctuation, currency and letter-like symbols. Fewer glyphs make
#: each document quicker to write.
_SCRIPTS = (
    (0x0020, 0x007E),
    (0x00A0, 0x036F),
    (0x0370, 0x03FF),
    (0x0400, 0x052F),
    (0x1E00, 0x1FFF),
    (0x2000, 0x206F),
    (0x20A0, 0x20CF),
    (0x2100, 0x214F),
)
_lock = threading.Lock()
_prototype: FPDF | None = None
_font_bytes: dict[str, bytes] = {}


def font_files() -> dict[str, str]:
    """The certificate's fonts, ready for fpdf2: the packaged files cut to :data:`_SCRIPTS`,
    without their OpenType layout tables (GSUB/GPOS: ligatures and kerning, which fpdf2 does
    not use without a shaping engine, but would decompile for every document it subsets).
    Made once per
    installation, under the instance folder, written whole or not at all."""
    from fontpkg_fira_sans import ROOT

    version = json.loads((ROOT / "metadata.json").read_text())["version"]
    folder = Path(current_app.instance_path) / "fonts" / f"fira-sans-{version}-1"
    paths = {}
    for style, name in _SOURCES.items():
        path = folder / name
        if not path.exists():
            folder.mkdir(parents=True, exist_ok=True)
            _strip_layout(ROOT / "files" / name, path)
        paths[style] = str(path)
    return paths


def _strip_layout(source: Path, target: Path) -> None:
    from fontTools import subset

    font = TTFont(source)
    options = subset.Options()
    options.layout_features = []
    options.drop_tables += ["GSUB", "GPOS", "GDEF"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    wanted = {code for first, last in _SCRIPTS for code in range(first, last + 1)}
    subsetter.populate(unicodes=wanted & set(font.getBestCmap()))
    subsetter.subset(font)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    font.save(temporary)
    os.replace(temporary, target)


def _fonts() -> dict:
    """fpdf2's font objects, measured once per process. Each document gets a copy (fpdf2's
    ``__deepcopy__``: its own record of the glyphs used) with its own fontTools font read from
    bytes kept in memory, because writing the document subsets that font in place."""
    global _prototype
    with _lock:
        if _prototype is None:
            prototype = FPDF()
            for style, path in font_files().items():
                prototype.add_font(FAMILY, style, path)
                _font_bytes[f"{FAMILY.lower()}{style}"] = Path(path).read_bytes()
            _prototype = prototype
    fonts = {}
    for key, font in _prototype.fonts.items():
        fonts[key] = copy.deepcopy(font)
        fonts[key].ttfont = TTFont(io.BytesIO(_font_bytes[key]), lazy=True)
    return fonts


@dataclass(frozen=True)
class CertificateText:
    """What a certificate says, in one language (also what the verification page shows)."""

    lang: str
    full_name: str
    title: str
    date: str
    minutes: int | None
    organisers: tuple[str, ...]
    code: str


def certificate_text(certificate: Certificate, lang: str | None = None) -> CertificateText:
    registration = certificate.registration
    event = registration.event
    lang = lang or registration.language
    names = [current_app.config["ORGANIZER_NAME"]]
    names += [partner.text(lang).name or partner.acronym for partner in event.partners]
    return CertificateText(
        lang=lang,
        full_name=certificate.full_name,
        title=event.content(lang).title,
        date=format_event_date(event.starts_at, event.timezone, lang),
        minutes=certificate.minutes,
        organisers=tuple(dict.fromkeys(name for name in names if name)),
        code=certificate.code,
    )


def format_code(code: str) -> str:
    """``ABCD-EFGH-JKMN-PQRS``: groups of four, easier to read out and type."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def render(certificate: Certificate) -> bytes:
    """The certificate as a PDF document, in the registrant's language."""
    text = certificate_text(certificate)
    logos = [
        partner.logo for partner in certificate.registration.event.partners if _has_logo(partner)
    ]
    with force_locale(text.lang):
        return _render(text, logos, certificate_url(certificate.code))


def _has_logo(partner: Partner) -> bool:
    return bool(partner.logo) and partner.logo_type in ("image/png", "image/jpeg", "image/webp")


def _page_format() -> str:
    return "letter" if current_app.config["CERTIFICATE_PAGE_FORMAT"] == "letter" else "A4"


def new_document() -> FPDF:
    """A landscape page with the certificate font loaded, metadata set (also the benchmark's
    baseline)."""
    pdf = FPDF(orientation="landscape", unit="mm", format=_page_format())
    pdf.set_auto_page_break(False)
    pdf.set_creator("eventsvc")
    pdf.fonts.update(_fonts())
    pdf.add_page()
    return pdf


def _render(text: CertificateText, logos: list[bytes], verify_url: str) -> bytes:
    pdf = new_document()
    pdf.set_title(_("Certificate of attendance"))
    pdf.set_lang(text.lang)
    width, height = pdf.w, pdf.h
    margin = 18
    pdf.set_draw_color(40, 70, 110)
    pdf.set_line_width(1.2)
    pdf.rect(margin / 2, margin / 2, width - margin, height - margin)
    usable = width - 2 * margin

    def line(words: str, size: float, style: str = "", gap: float = 4) -> None:
        pdf.set_font(FAMILY, style, size)
        while size > 9 and pdf.get_string_width(words) > usable - 2 * pdf.c_margin - 1:
            size -= 1
            pdf.set_font(FAMILY, style, size)
        pdf.set_x(margin)
        pdf.multi_cell(usable, size * 0.45, words, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    pdf.set_y(margin + 12)
    pdf.set_text_color(40, 70, 110)
    line(_("Certificate of attendance"), 30, "B", 10)
    pdf.set_text_color(20, 20, 20)
    line(_("This is to certify that"), 14)
    line(text.full_name, 28, "B", 6)
    line(_("attended the online event"), 14)
    line(text.title, 20, "B", 6)
    line(_("held on %(date)s", date=text.date), 13, gap=2)
    if text.minutes:
        line(_("Time present: %(minutes)s minutes", minutes=text.minutes), 13, gap=2)
    line(_("Organised by %(names)s", names=list_in_text(text.organisers, text.lang)), 12)

    if logos:
        _draw_logos(pdf, logos, margin, usable, height - margin - 48)

    pdf.set_text_color(90, 90, 90)
    pdf.set_y(height - margin - 16)
    line(_("Verification code: %(code)s", code=format_code(text.code)), 11, gap=1)
    line(_("Check this certificate at %(url)s", url=verify_url), 9, gap=0)
    return bytes(pdf.output())


def _draw_logos(pdf: FPDF, logos: list[bytes], margin: float, usable: float, top: float) -> None:
    """The partners' logos in one centred row, each fitted in a 40 × 20 mm box."""
    box_w, box_h, gap = 40.0, 20.0, 8.0
    count = min(len(logos), int((usable + gap) // (box_w + gap)))
    x = margin + (usable - (count * box_w + (count - 1) * gap)) / 2
    for logo in logos[:count]:
        try:
            pdf.image(io.BytesIO(logo), x=x, y=top, w=box_w, h=box_h, keep_aspect_ratio=True)
        except Exception:  # noqa: BLE001 - a logo the library cannot read is left out
            current_app.logger.warning("certificate: a partner logo could not be drawn")
        x += box_w + gap
