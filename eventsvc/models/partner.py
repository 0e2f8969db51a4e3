from sqlalchemy import ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsvc.extensions import db
from eventsvc.i18n import best_text


class Partner(db.Model):
    """A co-organising network or organisation (OMEP, UNESCO, ECDAN…)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    acronym: Mapped[str] = mapped_column(String(32), unique=True)
    website: Mapped[str] = mapped_column(String(500), default="")
    #: The logo as uploaded (checked: PNG, JPEG or WebP, small), served by the public site.
    logo: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    logo_type: Mapped[str] = mapped_column(String(32), default="", server_default="")
    translations: Mapped[list["PartnerTranslation"]] = relationship(
        back_populates="partner", cascade="all, delete-orphan", lazy="selectin"
    )

    def text(self, locale: str) -> "PartnerTranslation":
        """The translation to show in ``locale`` (by :func:`~eventsvc.i18n.best_text`; one
        counts once it has a name); its ``locale`` says which language it is in."""
        named = {t.locale: t for t in self.translations if t.name}
        translation, _locale = best_text(named, locale)
        return translation or PartnerTranslation(locale="", name="", description="")

    def set_text(self, locale: str, **fields) -> None:
        translation = next((t for t in self.translations if t.locale == locale), None)
        if translation is None:
            translation = PartnerTranslation(locale=locale)
            self.translations.append(translation)
        for key, value in fields.items():
            setattr(translation, key, value)


class PartnerTranslation(db.Model):
    __table_args__ = (UniqueConstraint("partner_id", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"))
    locale: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    partner: Mapped[Partner] = relationship(back_populates="translations")
