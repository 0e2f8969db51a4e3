"""An invite's personal lines (ATTENDEE, LOCATION and URL with the join link, DESCRIPTION with
both personal links) are written from
cached, pre-folded parts: the bytes must be exactly what icalendar writes for the whole lines."""

import pytest
from icalendar import Calendar
from icalendar import Event as VEvent

from eventsvc import ics

NAMES = [
    "Zoë O'Brien, Jr.",
    'Ama "Kofi" ^Mensah',
    "a\\b;c:d",
    "Nguyễn Thị Minh Khai " * 6,
    "  spaced\tout\nname  ",
    "😀" * 30,
]

LINKS = [
    "https://events.example.org/fr/registrations/abc",
    "https://events.example.org/fr/registrations/a;b,c\\d",
    "https://évènements.example.org/" + "é" * 40,
] + [f"https://events.example.org/en/registrations/{'x' * n}" for n in range(0, 80, 9)]


def whole_lines(registration, link: str, join: str) -> list[bytes]:
    """The personal lines as icalendar writes each of them in a component, nothing folded in
    advance."""
    event = registration.event
    lang = registration.language
    description = (
        ics._invite_description(
            lang,
            event.content(lang).summary,
            bool(event.online_url),
            registration.interpretation_language,
        )
        .replace(ics._LINK_MARK, link)
        .replace(ics._JOIN_MARK, join)
    )
    lines = []
    for name, value, parameters in (
        ("ATTENDEE", ics._attendee(registration), None),
        ("LOCATION", join, None),
        ("URL", join, None),
        ("DESCRIPTION", description, {"LANGUAGE": lang}),
    ):
        component = VEvent()
        component.add(name, value, parameters=parameters)
        lines.append(
            component.to_ical().removeprefix(b"BEGIN:VEVENT\r\n").removesuffix(b"END:VEVENT\r\n")
        )
    return lines


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_personal_lines_are_icalendars_own(make_event, make_registration, name, language):
    registration = make_registration(
        make_event(), full_name=name, language=language, interpretation_language="es"
    )
    for link, join in zip(LINKS, reversed(LINKS), strict=True):
        join = join.replace("/registrations/", "/join/")
        data = ics.invite(registration, manage_link=link, join_link=join)

        for line in whole_lines(registration, link, join):
            assert line in data
        (vevent,) = Calendar.from_ical(data).walk("VEVENT")
        assert str(vevent["DESCRIPTION"]).endswith(link)
        assert join in str(vevent["DESCRIPTION"])
        assert (vevent["LOCATION"], vevent["URL"]) == (join, join)
        assert vevent["ATTENDEE"].params["CN"] == ics.calendar_name(name)
