"""The event input: what the organiser pages and the importer submit, checked once.

Both describe an event with :class:`EventData` and get field errors back the same way:
:func:`validate` returns ``{field: [message, …]}`` and the write functions of
:mod:`eventsvc.services.events` raise :class:`ValidationFailed` carrying that dictionary. Field
keys are ``slug``, ``timezone``, ``start``, ``end``, ``floor_language``,
``interpretation_languages``, ``online_url``, ``capacity``, ``registration_closes``,
``partners``, ``status``, ``required_locales``, the join settings ``join_opens_minutes``,
``join_grace_minutes``, ``recording_url``, ``panelist_url``, the origins allowed to embed it
``embed_origins`` and, for the texts, ``title.<locale>``, ``summary.<locale>``,
``description.<locale>`` (``title.fr``).
"""

import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from babel import Locale
from flask import current_app
from flask_babel import lazy_gettext as _l
from slugify import slugify
from sqlalchemy import select

from eventsvc import clock
from eventsvc.extensions import db
from eventsvc.i18n import content_locales, default_required_locales, language_in_text
from eventsvc.models import Event, EventStatus, Partner, Registration, RegistrationStatus
from eventsvc.models.event import DESCRIPTION_MAX, SLUG_MAX, SUMMARY_MAX, TITLE_MAX, URL_MAX
from eventsvc.services.inputs.base import InputErrors
from eventsvc.services.inputs.reader import Reader
from eventsvc.services.inputs.web import is_web_address, web_origin

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: The keys of an event in an import file (docs/import-format.md) or a JSON body.
EVENT_KEYS = {
    "slug",
    "timezone",
    "start",
    "end",
    "title",
    "summary",
    "description",
    "floor_language",
    "interpretation_languages",
    "partners",
    "online_url",
    "capacity",
    "registration_closes",
    "status",
    "confirm_address",
    "required_locales",
    "join_opens_minutes",
    "join_grace_minutes",
    "recording_url",
    "panelist_url",
    "embed_origins",
}
#: An event lists at most this many origins allowed to frame its embed pages.
EMBED_ORIGINS_MAX = 20
#: The longest origin accepted (``https://`` and a host name of at most 253 characters, a port).
EMBED_ORIGIN_MAX = 300
#: The join links open at most this long before the start, stay open this long after the end.
JOIN_MINUTES_MAX = 24 * 60
TEXT_LIMITS = {"title": TITLE_MAX, "summary": SUMMARY_MAX, "description": DESCRIPTION_MAX}


class ValidationFailed(InputErrors):
    """The event data has errors; ``errors`` maps each field key to its messages."""

    def __init__(self, errors: dict[str, list]):
        super().__init__(errors, _l("The event could not be saved: please correct the errors."))


@dataclass
class EventData:
    """An event as people describe it: local wall times in ``timezone``, texts per locale.

    ``start``, ``end`` and ``registration_closes`` are naive datetimes (wall time in
    ``timezone``). ``texts`` maps a locale to ``{"title", "summary", "description"}``;
    ``partners`` lists partner acronyms in display order.
    """

    slug: str
    timezone: str
    start: datetime | None
    end: datetime | None
    texts: dict[str, dict[str, str]]
    floor_language: str
    interpretation_languages: list[str] = field(default_factory=list)
    online_url: str = ""
    capacity: int | None = None
    registration_closes: datetime | None = None
    partners: list[str] = field(default_factory=list)
    status: EventStatus | str = EventStatus.DRAFT
    #: "Confirm your address" mode (see ``registrations.confirm_address``).
    confirm_address: bool = False
    #: The locales it needs a title and a summary in to be published; ``None``: the event's
    #: own (a new event: ``i18n.default_required_locales`` of its floor language).
    required_locales: list[str] | None = None
    #: Minutes before the start from which the personal join links lead to the meeting, and
    #: after the end they still do; ``None``: the event's own (a new event: the settings
    #: ``JOIN_LINK_SHOWN_BEFORE`` and ``JOIN_GRACE_AFTER``).
    join_opens_minutes: int | None = None
    join_grace_minutes: int | None = None
    #: Shown on the "event is over" page of the join links.
    recording_url: str = ""
    #: A shared address for people without a personal link (panelists): organisers only.
    panelist_url: str = ""
    #: Origins (``https://www.partner.org``) whose pages may frame the event's embed pages in
    #: place of the site's ``EMBED_ALLOWED_ORIGINS``; empty: the site's list.
    embed_origins: list[str] = field(default_factory=list)

    @classmethod
    def read(
        cls, reader: Reader, *, default_status: EventStatus | str = EventStatus.DRAFT
    ) -> "EventData":
        """The event a JSON object describes (an import file's entry, an API body)."""
        texts: dict[str, dict[str, str]] = {}
        for name in ("title", "summary", "description"):
            for locale, value in reader.texts(name).items():
                texts.setdefault(locale, {})[name] = value
        return cls(
            slug=reader.string("slug", required=True),
            timezone=reader.string("timezone", default=current_app.config["DEFAULT_TIMEZONE"]),
            start=reader.wall_time("start", required=True),
            end=reader.wall_time("end", required=True),
            texts=texts,
            floor_language=reader.string("floor_language", required=True),
            interpretation_languages=reader.strings("interpretation_languages"),
            online_url=reader.string("online_url"),
            capacity=reader.whole_number("capacity"),
            registration_closes=reader.wall_time("registration_closes"),
            partners=reader.strings("partners"),
            status=reader.string("status") or default_status,
            confirm_address=reader.flag("confirm_address"),
            required_locales=(
                reader.strings("required_locales") if "required_locales" in reader.obj else None
            ),
            join_opens_minutes=reader.whole_number("join_opens_minutes"),
            join_grace_minutes=reader.whole_number("join_grace_minutes"),
            recording_url=reader.string("recording_url"),
            panelist_url=reader.string("panelist_url"),
            embed_origins=reader.strings("embed_origins"),
        )

    @classmethod
    def from_event(cls, event: Event) -> "EventData":
        """The data of a stored event, e.g. to fill an edit form."""

        def wall(instant):
            if instant is None:
                return None
            return clock.to_wall(instant, event.timezone).replace(tzinfo=None)

        return cls(
            slug=event.slug,
            timezone=event.timezone,
            start=wall(event.starts_at),
            end=wall(event.ends_at),
            texts={
                c.locale: {"title": c.title, "summary": c.summary, "description": c.description}
                for c in event.contents
            },
            floor_language=event.floor_language,
            interpretation_languages=list(event.interpretation_languages),
            online_url=event.online_url,
            capacity=event.capacity,
            registration_closes=wall(event.registration_closes_at),
            partners=[p.acronym for p in event.partners],
            status=event.status,
            confirm_address=event.confirm_address,
            join_opens_minutes=event.join_opens_minutes,
            join_grace_minutes=event.join_grace_minutes,
            recording_url=event.recording_url,
            panelist_url=event.panelist_url,
            embed_origins=list(event.embed_origins or []),
        )


@dataclass
class _Resolved:
    """Validated data in stored form: instants, a status, cleaned texts and lists."""

    data: EventData
    status: EventStatus
    starts_at: datetime
    ends_at: datetime
    closes_at: datetime | None
    texts: dict[str, dict[str, str]]
    interpretation_languages: list[str]
    partners: list[str]
    online_url: str
    required_locales: list[str] = field(default_factory=list)
    #: The join settings to store (those given), by column name.
    join_settings: dict = field(default_factory=dict)
    #: The origins allowed to frame the embed pages, as origins (lower case, no slash).
    embed_origins: list[str] = field(default_factory=list)


# --- validation -------------------------------------------------------------------------------


@cache
def known_languages() -> frozenset[str]:
    """ISO 639-1 codes Babel can name."""
    return frozenset(code for code in Locale("en").languages if len(code) == 2 and code.isalpha())


def validate(
    data: EventData, event: Event | None = None, *, known_partners=frozenset()
) -> dict[str, list]:
    """Field errors of ``data`` as a new event (``event`` None) or as a change of ``event``.

    ``known_partners`` adds acronyms that will exist (partners of the same import file).
    """
    errors, _ = _check(data, event, known_partners)
    return errors


def _check(data: EventData, event: Event | None, known_partners) -> tuple[dict, _Resolved | None]:
    errors: dict[str, list] = {}

    def add(key, message):
        errors.setdefault(key, []).append(message)

    _check_slug(data.slug, event, add)
    status = _check_status(data.status, event, add)
    starts_at, ends_at, closes_at = _check_times(data, add)
    _check_languages(data, add)
    online_url = _check_url(data.online_url, add)
    join_settings = _check_join(data, add)
    embed_origins = _check_embed_origins(data.embed_origins, add)
    _check_capacity(data.capacity, add)
    texts = _check_texts(data.texts, add)
    required = _required_locales(data, event, add)
    if status == EventStatus.PUBLISHED:
        _check_publishable(texts, add, content_locales(required))
    else:
        _check_has_title(texts, add)
    partners = _check_partners(data.partners, known_partners, add)
    if errors:
        return errors, None
    interpretation = list(dict.fromkeys(data.interpretation_languages or []))
    resolved = _Resolved(
        data,
        status,
        starts_at,
        ends_at,
        closes_at,
        texts,
        interpretation,
        partners,
        online_url,
        required,
        join_settings,
        embed_origins,
    )
    return errors, resolved


#: Slugs that would shadow a page of the site (``/organiser/events/new``, ``/<lang>/events.ics``).
RESERVED_SLUGS = frozenset({"new", "events", "slug-check"})


def _check_slug(slug, event, add) -> None:
    if not slug:
        add("slug", _l("Give the event a short name for its address (slug)."))
        return
    if len(slug) > SLUG_MAX or not SLUG_PATTERN.match(slug):
        add(
            "slug",
            _l(
                "The slug may contain only lowercase letters, digits and single hyphens, "
                "at most %(max)d characters (for example gps-ecce-launch).",
                max=SLUG_MAX,
            ),
        )
        return
    if slug in RESERVED_SLUGS:
        add("slug", _l("“%(slug)s” is reserved for the site's own pages.", slug=slug))
        return
    query = select(Event.id).where(Event.slug == slug)
    if event is not None:
        query = query.where(Event.id != event.id)
    if db.session.scalar(query) is not None:
        add("slug", _l("Another event already uses the slug “%(slug)s”.", slug=slug))


def _check_status(value, event, add) -> EventStatus | None:
    try:
        status = EventStatus(value)
    except ValueError:
        add(
            "status",
            _l(
                "Unknown status “%(status)s”: use draft, published or cancelled.",
                status=value,
            ),
        )
        return None
    if event is None or event.status == status:
        return status
    if event.status == EventStatus.CANCELLED:
        add(
            "status",
            _l("This event has been cancelled and cannot be reopened. Create a new event instead."),
        )
    elif status == EventStatus.DRAFT and _has_registrants(event):
        add(
            "status",
            _l(
                "People have registered for this event, so it cannot go back to draft. "
                "Cancel it instead."
            ),
        )
    return status


def _check_times(data: EventData, add):
    zone_ok = bool(data.timezone) and data.timezone in clock.known_zones()
    if not zone_ok:
        add(
            "timezone",
            _l(
                "Unknown time zone “%(zone)s”: use an IANA name such as Europe/Paris.",
                zone=data.timezone or "",
            ),
        )
    starts_at = _instant("start", data.start, data.timezone, zone_ok, add, required=True)
    ends_at = _instant("end", data.end, data.timezone, zone_ok, add, required=True)
    closes_at = _instant(
        "registration_closes", data.registration_closes, data.timezone, zone_ok, add
    )
    if starts_at and ends_at and ends_at <= starts_at:
        add("end", _l("The end must be after the start."))
    if starts_at and closes_at and closes_at > starts_at:
        add("registration_closes", _l("Registration must close before the event starts."))
    return starts_at, ends_at, closes_at


def _instant(key, wall, zone_name, zone_ok, add, required=False) -> datetime | None:
    if wall is None:
        if required:
            message = _l("Give the start time.") if key == "start" else _l("Give the end time.")
            add(key, message)
        return None
    if not zone_ok:
        return None
    try:
        return clock.to_instant(wall, zone_name)
    except clock.WallTimeError as exc:
        add(key, exc.message)
        return None


def _check_languages(data: EventData, add) -> None:
    known = known_languages()
    if not data.floor_language:
        add("floor_language", _l("Give the language spoken on the floor."))
    elif data.floor_language not in known:
        add(
            "floor_language",
            _l("Unknown language code “%(code)s”.", code=data.floor_language),
        )
    for code in data.interpretation_languages or []:
        if code not in known:
            add("interpretation_languages", _l("Unknown language code “%(code)s”.", code=code))


def slug_from_title(title: str) -> str:
    """A slug for ``title``: lower-case ASCII words joined by hyphens (other scripts
    transliterated, by python-slugify), cut at a word boundary."""
    return slugify(title or "", max_length=SLUG_MAX, word_boundary=True, save_order=True)


def slug_problem(slug: str, event: Event | None = None):
    """Why ``slug`` cannot be used for ``event`` (or a new event), or ``None``."""
    problems: list = []
    _check_slug(slug, event, lambda _key, message: problems.append(message))
    return problems[0] if problems else None


def _check_url(url, add) -> str:
    url = (url or "").strip()
    if not url:
        return ""
    if len(url) > URL_MAX:
        add("online_url", _l("The join link may be at most %(max)d characters.", max=URL_MAX))
    elif not is_web_address(url):
        add("online_url", _l("The join link must be a web address starting with https://."))
    return url


def _check_join(data: EventData, add) -> dict:
    """The join settings as columns: the minutes given (whole, 0 to a day) and the addresses."""
    settings: dict = {}
    for key in ("join_opens_minutes", "join_grace_minutes"):
        value = getattr(data, key)
        if value is None:
            continue
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not 0 <= value <= JOIN_MINUTES_MAX
        ):
            add(
                key,
                _l(
                    "Give a whole number of minutes from 0 to %(max)d.",
                    max=JOIN_MINUTES_MAX,
                ),
            )
            continue
        settings[key] = value
    for key in ("recording_url", "panelist_url"):
        url = (getattr(data, key) or "").strip()
        if len(url) > URL_MAX:
            add(key, _l("At most %(max)d characters.", max=URL_MAX))
        elif url and not is_web_address(url):
            add(key, _l("Give a web address starting with https://."))
        else:
            settings[key] = url
    return settings


def _check_embed_origins(values, add) -> list[str]:
    """The origins allowed to frame the event's embed pages, each ``scheme://host[:port]``."""
    origins: list[str] = []
    for value in values or []:
        value = (value or "").strip()
        if not value:
            continue
        origin = web_origin(value) if len(value) <= EMBED_ORIGIN_MAX else None
        if origin is None:
            add(
                "embed_origins",
                _l(
                    "“%(value)s” is not a site's address: give https:// and the host name, "
                    "with a port if any, and no path (for example https://www.example.org).",
                    value=value[:EMBED_ORIGIN_MAX],
                ),
            )
        elif origin not in origins:
            origins.append(origin)
    if len(origins) > EMBED_ORIGINS_MAX:
        add(
            "embed_origins",
            _l("List at most %(max)d sites.", max=EMBED_ORIGINS_MAX),
        )
    return origins


def _check_capacity(capacity, add) -> None:
    if capacity is None:
        return
    if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 1:
        add("capacity", _l("The capacity must be a whole number of at least 1, or empty."))


def _check_texts(texts, add) -> dict[str, dict[str, str]]:
    """Cleaned texts for every supported locale (empty strings where none was given)."""
    supported = current_app.config["SUPPORTED_LOCALES"]
    texts = texts or {}
    for locale in texts:
        if locale not in supported:
            add(
                f"title.{locale}",
                _l(
                    "Texts in “%(locale)s” are not supported here (supported: %(supported)s).",
                    locale=locale,
                    supported=", ".join(supported),
                ),
            )
    cleaned = {}
    for locale in supported:
        given = texts.get(locale) or {}
        cleaned[locale] = {}
        for name, limit in TEXT_LIMITS.items():
            value = (given.get(name) or "").strip()
            if len(value) > limit:
                add(
                    f"{name}.{locale}",
                    _l(
                        "At most %(max)d characters (this text has %(length)d).",
                        max=limit,
                        length=len(value),
                    ),
                )
            cleaned[locale][name] = value
    return cleaned


def _check_has_title(texts, add) -> None:
    if not any(fields["title"] for fields in texts.values()):
        first = current_app.config["SUPPORTED_LOCALES"][0]
        add(f"title.{first}", _l("Give the event a title."))


def _required_locales(data: EventData, event: Event | None, add) -> list[str]:
    """The locales ``data`` will need texts in to be published: as given (supported ones,
    at least one, the floor language among them when it is supported), else the event's,
    else the default for a new event of its floor language.

    An event stored without its floor language among them (saved before that language was
    supported) keeps that choice while its floor language stays the same: adding a locale
    never makes an existing event unsaveable."""
    if data.required_locales is None:
        if event is not None:
            return list(event.required_locales)
        return default_required_locales(data.floor_language)
    supported = current_app.config["SUPPORTED_LOCALES"]
    chosen = [locale for locale in data.required_locales if locale]
    for locale in chosen:
        if locale not in supported:
            add(
                "required_locales",
                _l(
                    "Texts in “%(locale)s” are not supported here (supported: %(supported)s).",
                    locale=locale,
                    supported=", ".join(supported),
                ),
            )
    if not chosen:
        add("required_locales", _l("Choose at least one language the texts are required in."))
        return content_locales(chosen)
    floor = data.floor_language
    grandfathered = (
        event is not None and event.floor_language == floor and floor not in event.required_locales
    )
    if floor in supported and floor not in chosen and not grandfathered:
        add(
            "required_locales",
            _l(
                "The floor language, %(language)s, is always required.",
                language=language_in_text(floor),
            ),
        )
    return content_locales(chosen)


def _check_publishable(texts, add, locales: list[str]) -> None:
    """Each of ``locales`` needs a title and a summary before the event is published."""
    for locale in locales:
        fields = texts.get(locale, {})
        language = language_in_text(locale)
        if not fields.get("title"):
            add(
                f"title.{locale}",
                _l("A title in %(language)s is needed to publish.", language=language),
            )
        if not fields.get("summary"):
            add(
                f"summary.{locale}",
                _l("A summary in %(language)s is needed to publish.", language=language),
            )


def _check_partners(acronyms, known_partners, add) -> list[str]:
    acronyms = list(dict.fromkeys(acronyms or []))
    if not acronyms:
        return []
    stored = set(db.session.scalars(select(Partner.acronym).where(Partner.acronym.in_(acronyms))))
    for acronym in acronyms:
        if acronym not in stored and acronym not in known_partners:
            add("partners", _l("Unknown partner “%(acronym)s”.", acronym=acronym))
    return acronyms


def _has_registrants(event: Event) -> bool:
    """Whether anyone is confirmed or waitlisted (then the event cannot go back to draft)."""
    active = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)
    query = select(Registration.id).where(
        Registration.event_id == event.id, Registration.status.in_(active)
    )
    return db.session.scalar(query.limit(1)) is not None


def _resolve(data: EventData, event: Event | None, known_partners=frozenset()) -> _Resolved:
    errors, resolved = _check(data, event, known_partners)
    if errors:
        raise ValidationFailed(errors)
    return resolved
