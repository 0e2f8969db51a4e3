"""The event form and ``EventData``, both ways: what the editor typed, and the stored event."""

from flask import current_app

from eventsvc.i18n import supported_locales
from eventsvc.services import events
from eventsvc.services.events import EventData


def event_data(form, *, status, slug=None) -> EventData:
    """What the editor typed, as the service's input; the slug made from a title if left empty."""
    texts = {locale: dict(sub.data) for locale, sub in form.locale_forms()}
    return EventData(
        slug=slug or (form.slug.data or "").strip() or _slug_from_texts(texts),
        timezone=form.timezone.data,
        start=form.start.data,
        end=form.end.data,
        texts=texts,
        floor_language=form.floor_language.data,
        interpretation_languages=list(form.interpretation_languages.data or []),
        online_url=(form.online_url.data or "").strip(),
        capacity=form.capacity.data,
        registration_closes=form.registration_closes.data,
        partners=form.chosen_partners(),
        status=status,
        confirm_address=bool(form.confirm_address.data),
        required_locales=form.chosen_required_locales(),
        join_opens_minutes=form.join_opens_minutes.data,
        join_grace_minutes=form.join_grace_minutes.data,
        recording_url=(form.recording_url.data or "").strip(),
        panelist_url=(form.panelist_url.data or "").strip(),
        embed_origins=(form.embed_origins.data or "").split(),
    )


def _slug_from_texts(texts: dict) -> str:
    """The slug made from the title in the default locale, else from any title given."""
    default = current_app.config["DEFAULT_LOCALE"]
    titles = [texts.get(default, {}).get("title")] + [t.get("title") for t in texts.values()]
    return events.slug_from_title(next((title for title in titles if title), ""))


def initial_data(data: EventData) -> dict:
    """The stored event (as ``EventData``) in the shape the event form is filled from."""
    values = {
        "slug": data.slug,
        "timezone": data.timezone,
        "start": data.start,
        "end": data.end,
        "floor_language": data.floor_language,
        "interpretation_languages": data.interpretation_languages,
        "online_url": data.online_url,
        "capacity": data.capacity,
        "registration_closes": data.registration_closes,
        "partners": data.partners,
        "confirm_address": data.confirm_address,
        "join_opens_minutes": data.join_opens_minutes,
        "join_grace_minutes": data.join_grace_minutes,
        "recording_url": data.recording_url,
        "panelist_url": data.panelist_url,
        "embed_origins": "\n".join(data.embed_origins),
    }
    for locale in supported_locales():
        values[locale] = data.texts.get(locale, {})
    return values
