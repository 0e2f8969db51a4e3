"""An invite's personal lines (ATTENDEE, DESCRIPTION with the personal link) are written from
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


def whole_lines(registration, link: str) -> bytes:
    """The two lines as icalendar writes them in one component, unfolded nothing in advance."""
    event = registration.event
    lang = registration.language
    description = ics._invite_description(
        lang,
        event.content(lang).summary,
        event.online_url or "",
        registration.interpretation_language,
    ).replace(ics._LINK_MARK, link)
    component = VEvent()
    component.add("DESCRIPTION", description, parameters={"LANGUAGE": lang})
    component.add("ATTENDEE", ics._attendee(registration))
    return component.to_ical().removeprefix(b"BEGIN:VEVENT\r\n").removesuffix(b"END:VEVENT\r\n")


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_personal_lines_are_icalendars_own(make_event, make_registration, name, language):
    registration = make_registration(
        make_event(), full_name=name, language=language, interpretation_language="es"
    )
    for link in LINKS:
        data = ics.invite(registration, manage_link=link)

        assert whole_lines(registration, link) in data
        (vevent,) = Calendar.from_ical(data).walk("VEVENT")
        assert str(vevent["DESCRIPTION"]).endswith(link)
        assert vevent["ATTENDEE"].params["CN"] == ics.calendar_name(name)
