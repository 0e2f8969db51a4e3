"""Add-to-calendar links, offered once a person has registered (thank-you page, mail, personal
page): Google Calendar, Outlook.com, Microsoft 365 and an ``.ics`` file for Apple Calendar and
desktop clients. Android opens a Google link where it would not open an ``.ics`` file.

The entry's description points at ``details_url`` (the personal page where possible, which shows
the join link shortly before the start), never at the meeting address itself.
"""

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from urllib.parse import urlencode

from eventsvc.models import Event

GOOGLE = "https://calendar.google.com/calendar/render"
OUTLOOK_COM = "https://outlook.live.com/calendar/0/deeplink/compose"
MICROSOFT_365 = "https://outlook.office.com/calendar/0/deeplink/compose"
_STAMP = "%Y%m%dT%H%M%SZ"
_ISO = "%Y-%m-%dT%H:%M:%SZ"


@dataclass(frozen=True)
class CalendarLinks:
    google: str
    outlook_com: str
    microsoft_365: str
    ics: str


def calendar_links(
    event: Event, locale: str, *, details_url: str, ics_url: str, location: str = ""
) -> CalendarLinks:
    content = event.content(locale)
    return _links(
        content.title,
        content.summary,
        event.starts_at,
        event.ends_at,
        event.timezone,
        details_url,
        ics_url,
        location,
    )


@lru_cache(maxsize=256)
def _links(
    title: str,
    summary: str,
    starts_at: datetime,
    ends_at: datetime,
    zone: str,
    details_url: str,
    ics_url: str,
    location: str,
) -> CalendarLinks:
    """Cached on the values: a mail batch asks for one event's links with a mark in place of
    each registrant's link (:func:`eventsvc.mail.messages._calendar_links`)."""
    details = "\n\n".join(part for part in (summary, details_url) if part)
    google = {
        "action": "TEMPLATE",
        "text": title,
        "dates": f"{starts_at.strftime(_STAMP)}/{ends_at.strftime(_STAMP)}",
        "details": details,
        "ctz": zone,
    }
    outlook = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": title,
        "startdt": starts_at.strftime(_ISO),
        "enddt": ends_at.strftime(_ISO),
        "body": details,
    }
    if location:
        google["location"] = outlook["location"] = location
    outlook_query = urlencode(outlook)
    return CalendarLinks(
        google=f"{GOOGLE}?{urlencode(google)}",
        outlook_com=f"{OUTLOOK_COM}?{outlook_query}",
        microsoft_365=f"{MICROSOFT_365}?{outlook_query}",
        ics=ics_url,
    )
