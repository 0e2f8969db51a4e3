"""Locales: which one a request speaks, and locale-aware names and date formatting.

The public site carries its locale in the URL (``/en/…``, ``/fr/…``); pages outside that prefix
(the organiser workspace) use the locale remembered in the session, else the visitor's: the
``lang`` cookie set by the last localised page they read, else ``Accept-Language`` negotiated by
Babel among the configured locales (``es-419`` and ``es-AR`` read as ``es``, ``fr-CA`` as
``fr``).
"""

import logging
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import TypeVar

from babel import Locale, UnknownLocaleError, negotiate_locale
from babel.dates import format_date, format_datetime, format_time, get_timezone_location
from babel.lists import format_list
from flask import Blueprint, abort, current_app, g, has_request_context, request, session, url_for
from flask_babel import get_locale, refresh
from markupsafe import Markup

from eventsvc import clock

log = logging.getLogger(__name__)

T = TypeVar("T")

#: The language the code and templates are written in: it needs no catalogue.
SOURCE_LOCALE = "en"


def supported_locales() -> list[str]:
    return list(current_app.config["SUPPORTED_LOCALES"])


def content_locales(chosen: Iterable[str]) -> list[str]:
    """The supported locales among ``chosen``, in the configured order (the default locale if
    none is): what an event's ``required_locales`` still requires under today's settings."""
    wanted = set(chosen)
    required = [locale for locale in supported_locales() if locale in wanted]
    return required or [current_app.config["DEFAULT_LOCALE"]]


def default_required_locales(floor_language: str) -> list[str]:
    """The locales a new event needs a title and a summary in before it is published, unless
    it chooses others: its floor language and ``REQUIRED_CONTENT_LOCALES``, among the supported
    ones. Stored per event, so that adding a supported locale (or changing the required set)
    never makes an existing event unpublishable: it becomes one more column to fill if wanted.
    """
    return content_locales([floor_language, *current_app.config["REQUIRED_CONTENT_LOCALES"]])


def best_text(texts: Mapping[str, T], locale: str, *preferred: str) -> tuple[T | None, str]:
    """The text to show in ``locale`` and the locale it is written in: the one translation
    fallback rule of events, partners, announcements and mail.

    ``texts`` maps a locale to a text; empty ones (falsy: leave out a text without a title) do
    not count. The order: ``locale`` itself, then ``preferred`` (an event's floor language),
    then ``DEFAULT_LOCALE``, then the supported locales in their configured order, then any
    other. ``(None, "")`` when there is no text at all.
    """
    filled = {code: text for code, text in texts.items() if text}
    config = current_app.config
    for code in (locale, *preferred, config["DEFAULT_LOCALE"], *config["SUPPORTED_LOCALES"]):
        if code in filled:
            return filled[code], code
    return next(((text, code) for code, text in filled.items()), (None, ""))


def lang_attribute(text_locale: str | None) -> Markup:
    """`` lang="fr"`` for an element whose text is in ``text_locale`` when the page is in
    another language (a fallback text), else nothing: ``<h1{{ content.locale|lang_attribute }}>``.
    """
    if not text_locale or text_locale == current_locale():
        return Markup("")
    return Markup(' lang="%s"') % text_locale


#: Remembers the language of the last localised page a visitor read, for ``/`` next time.
LANG_COOKIE = "lang"
LANG_COOKIE_MAX_AGE = 365 * 24 * 3600


def best_locale_for_request() -> str:
    """The visitor's language: the one they last read in, else their browser's."""
    remembered = request.cookies.get(LANG_COOKIE)
    if remembered in supported_locales():
        return remembered
    return negotiated_locale()


def negotiated_locale() -> str:
    """``Accept-Language`` matched against the configured locales by Babel's negotiation,
    which falls back from a regional variant (``es-419``) to its language."""
    preferred = [value for value, _quality in request.accept_languages if value != "*"]
    chosen = negotiate_locale(preferred, supported_locales(), sep="-")
    return chosen or current_app.config["DEFAULT_LOCALE"]


def remember_locale(response):
    """Set the ``lang`` cookie to the page's language when it differs (HTML pages only: feeds
    and calendar files are shared and cached, and carry no cookie)."""
    lang = getattr(g, "lang", None)
    if lang and response.mimetype == "text/html" and request.cookies.get(LANG_COOKIE) != lang:
        response.set_cookie(
            LANG_COOKIE,
            lang,
            max_age=LANG_COOKIE_MAX_AGE,
            samesite="Lax",
            secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
            httponly=True,
        )
    return response


@lru_cache(maxsize=64)
def text_direction(locale: str) -> str:
    """``rtl`` or ``ltr``: the ``dir`` of a page or mail in ``locale``, from CLDR's character
    order (Arabic, Hebrew, Persian… read right to left)."""
    try:
        order = Locale.parse(locale.replace("-", "_")).character_order
    except (ValueError, UnknownLocaleError):
        return "ltr"
    return "rtl" if order == "right-to-left" else "ltr"


def select_locale() -> str:
    """Flask-Babel's locale selector."""
    if not has_request_context():
        return getattr(g, "lang", None) or current_app.config["DEFAULT_LOCALE"]
    lang = getattr(g, "lang", None) or session.get("lang")
    if lang in supported_locales():
        return lang
    return best_locale_for_request()


def current_locale() -> str:
    return str(get_locale() or current_app.config["DEFAULT_LOCALE"])


def language_name(code: str, locale: str | None = None) -> str:
    """The name of language ``code`` in ``locale`` (the current one by default), capitalised:
    for a label or a list item standing alone."""
    name = language_in_text(code, locale)
    return name[:1].upper() + name[1:]


def language_choices(codes) -> list[tuple[str, str]]:
    """``(code, name)`` for a select or checkboxes, each code once, in the order given."""
    return [(code, language_name(code)) for code in dict.fromkeys(codes) if code]


def language_in_text(code: str, locale: str | None = None) -> str:
    """The name as written inside a sentence: "in French", « en français »."""
    return _language_name(code, locale or current_locale())


def list_in_text(items, locale: str | None = None) -> str:
    """ "English and French", « anglais et français »."""
    return format_list(list(items), locale=locale or current_locale())


@lru_cache(maxsize=1024)
def _language_name(code: str, locale: str) -> str:
    return Locale.parse(locale).languages.get(code, code)


def country_name(code: str, locale: str | None = None) -> str:
    return _country_name(code, locale or current_locale())


@lru_cache(maxsize=4096)
def _country_name(code: str, locale: str) -> str:
    return Locale.parse(locale).territories.get(code.upper(), code)


def country_choices(locale: str | None = None) -> list[tuple[str, str]]:
    """ISO 3166 alpha-2 countries named in ``locale``, sorted by name."""
    return list(sorted_countries(locale or current_locale()))


@lru_cache(maxsize=32)
def sorted_countries(locale: str) -> tuple[tuple[str, str], ...]:
    """:func:`country_choices` as an immutable tuple, sorted once per locale (the sort key is
    costly and the CLDR names never change while the process runs)."""
    territories = Locale.parse(locale).territories
    pairs = [(code, name) for code, name in territories.items() if _is_country(code)]
    return tuple(sorted(pairs, key=lambda pair: _sort_key(pair[1])))


def _is_country(code: str) -> bool:
    return (
        len(code) == 2 and code.isalpha() and code not in {"ZZ", "EU", "EZ", "UN", "QO", "XA", "XB"}
    )


def _sort_key(name: str) -> str:
    return "".join(
        c for c in unicodedata.normalize("NFKD", name.casefold()) if not unicodedata.combining(c)
    )


def zone_abbreviation(instant: datetime, zone_name: str) -> str:
    """CET, CEST, EST… for ``instant`` in ``zone_name`` (falls back to the UTC offset)."""
    name = clock.to_wall(instant, zone_name).tzname() or ""
    return name if name[:1].isalpha() else utc_offset(instant, zone_name)


def utc_offset(instant: datetime, zone_name: str) -> str:
    offset = clock.to_wall(instant, zone_name).strftime("%z")
    return f"UTC{offset[:3]}:{offset[3:]}"


def formatting_locale(locale: str | None = None) -> str:
    """The Babel locale that formats dates for interface ``locale``.

    Plain ``en`` is US English ("December 6, 2026, 1:30 PM"); an international audience reads
    ``FORMAT_LOCALES`` (``en`` -> ``en_GB``: "6 December 2026, 13:30") more easily.
    """
    locale = locale or current_locale()
    return current_app.config.get("FORMAT_LOCALES", {}).get(locale, locale)


def script_locale() -> str:
    """The formatting locale as a BCP 47 tag for the browser's ``Intl`` (``en_GB`` -> ``en-GB``)."""
    return formatting_locale().replace("_", "-")


def zone_city(zone_name: str, locale: str | None = None) -> str:
    """The city that names a zone, in ``locale``: "Paris", "New York"."""
    return get_timezone_location(zone_name, locale=locale or current_locale(), return_city=True)


@cache
def _zones_by_country() -> dict[str, tuple[str, ...]]:
    """Country code -> its zones, from tzdata's ``zone.tab``."""
    text = resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text(encoding="utf-8")
    zones = defaultdict(list)
    for line in text.splitlines():
        if line and not line.startswith("#"):
            country, _coordinates, zone, *_comments = line.split("\t")
            zones[country].append(zone)
    return {country: tuple(names) for country, names in zones.items()}


def person_zone(browser_zone: str, country: str) -> str | None:
    """The zone a person lives in, as far as we know: the one their browser reported at
    registration, else their country's if it has only one (France, Senegal), else ``None``."""
    if browser_zone and browser_zone in clock.known_zones():
        return browser_zone
    zones = _zones_by_country().get((country or "").upper(), ())
    return zones[0] if len(zones) == 1 else None


def local_span(
    start: datetime, end: datetime, event_zone: str, zone_name: str | None, locale: str
) -> str | None:
    """The span in the person's ``zone_name``, or ``None`` when unknown or when their clock reads
    the same as the event's zone."""
    if not zone_name:
        return None
    same = all(
        clock.to_wall(instant, zone_name).replace(tzinfo=None)
        == clock.to_wall(instant, event_zone).replace(tzinfo=None)
        for instant in (start, end)
    )
    if same:
        return None
    return format_event_span(start, end, zone_name, locale)


def format_event_date(instant: datetime, zone_name: str, locale: str | None = None) -> str:
    """ "Sunday 6 December 2026" / "dimanche 6 décembre 2026" in the event's zone."""
    return format_date(clock.to_wall(instant, zone_name), "full", locale=formatting_locale(locale))


def format_event_time(instant: datetime, zone_name: str, locale: str | None = None) -> str:
    return format_time(clock.to_wall(instant, zone_name), "short", locale=formatting_locale(locale))


def format_event_moment(instant: datetime, zone_name: str, locale: str | None = None) -> str:
    """ "Sunday, 6 December 2026, 13:00 CET (UTC+01:00)": one instant, as spans are written."""
    locale = locale or current_locale()
    abbreviation = zone_abbreviation(instant, zone_name)
    offset = utc_offset(instant, zone_name)
    suffix = abbreviation if abbreviation == offset else f"{abbreviation} ({offset})"
    date_part = format_event_date(instant, zone_name, locale)
    return f"{date_part}, {format_event_time(instant, zone_name, locale)} {suffix}"


def format_event_span(
    start: datetime, end: datetime, zone_name: str, locale: str | None = None
) -> str:
    """One line for a start–end span in the event's zone: date, times and abbreviation.

    ``Sunday 6 December 2026, 13:30–14:30 CET (UTC+01:00)``
    """
    locale = locale or current_locale()
    date_part = format_event_date(start, zone_name, locale)
    start_time = format_event_time(start, zone_name, locale)
    end_time = format_event_time(end, zone_name, locale)
    if clock.to_wall(start, zone_name).date() != clock.to_wall(end, zone_name).date():
        end_time = format_datetime(
            clock.to_wall(end, zone_name), "medium", locale=formatting_locale(locale)
        )
    abbreviation = zone_abbreviation(start, zone_name)
    offset = utc_offset(start, zone_name)
    suffix = abbreviation if abbreviation == offset else f"{abbreviation} ({offset})"
    return f"{date_part}, {start_time}–{end_time} {suffix}"


def localized_blueprint(name: str, import_name: str, url_prefix: str = "") -> Blueprint:
    """A blueprint whose routes live under ``/<lang>``: the prefix sets the request's locale."""
    bp = Blueprint(name, import_name, url_prefix="/<lang>" + url_prefix)

    @bp.url_value_preprocessor
    def pull_lang(endpoint, values):
        lang = (values or {}).pop("lang", None)
        if lang not in supported_locales():
            abort(404)
        g.lang = lang
        refresh()  # Flask-Babel caches the locale on g, which a test's app context outlives

    bp.after_request(remember_locale)

    @bp.url_defaults
    def add_lang(endpoint, values):
        if "lang" not in values:
            values["lang"] = getattr(g, "lang", None) or current_locale()

    return bp


def switch_locale_url(lang: str) -> str:
    """This page in ``lang``: the same endpoint and arguments with another URL prefix."""
    args = dict(request.view_args or {})
    if request.url_rule is not None and "lang" in request.url_rule.arguments:
        args["lang"] = lang
        # The query string is carried as it is, apart from url_for's arguments, so that
        # ``?lang=fr``, ``?slug=x`` or ``?_anchor=x`` cannot collide with them.
        path = url_for(request.endpoint, **args)
        query = request.query_string.decode("latin-1")
        return f"{path}?{query}" if query else path
    return url_for("set_locale", lang=lang, next=request.full_path)


def missing_catalogues(app) -> list[str]:
    """Configured locales without a compiled catalogue (``messages.mo``): their visitors and
    registrants would get English without a word said."""
    directories = [
        Path(app.root_path, directory)
        for directory in str(app.config["BABEL_TRANSLATION_DIRECTORIES"]).split(";")
    ]
    return [
        locale
        for locale in app.config["SUPPORTED_LOCALES"]
        if locale != SOURCE_LOCALE
        and not any((d / locale / "LC_MESSAGES" / "messages.mo").is_file() for d in directories)
    ]


def init_app(app) -> None:
    for locale in missing_catalogues(app):
        log.error(
            "No compiled translation catalogue for locale %r (messages.mo): pages and mail in "
            "that language will be in English. Install the package with pip (which compiles "
            "them) or run `make translations`.",
            locale,
        )
    app.add_template_global(switch_locale_url)
    app.add_template_global(text_direction)
    app.add_template_global(supported_locales)
    app.add_template_global(current_locale)
    app.add_template_filter(language_name)
    app.add_template_filter(lang_attribute)
    app.add_template_filter(language_in_text)
    app.add_template_filter(list_in_text)
    app.add_template_filter(country_name)
    app.add_template_filter(zone_abbreviation)
    app.add_template_filter(utc_offset)
    app.add_template_filter(format_event_date)
    app.add_template_filter(format_event_time)
    app.add_template_global(format_event_span)
    app.add_template_global(script_locale)
    app.add_template_global(format_event_moment)
    app.add_template_filter(zone_city)
