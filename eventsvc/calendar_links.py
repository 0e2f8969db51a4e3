"""Add-to-calendar links, offered once a person has registered (thank-you page, mail, personal
page): Google Calendar, Outlook.com, Microsoft 365 and an ``.ics`` file for Apple Calendar and
desktop clients. Android opens a Google link where it would not open an ``.ics`` file.

The entry's description points at ``details_url`` (the personal page where possible, which shows
the join link shortly before the start), never at the meeting address itself.
"""

from dataclasses import dataclass
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
    details = "\n\n".join(part for part in (content.summary, details_url) if part)
    google = {
        "action": "TEMPLATE",
        "text": content.title,
        "dates": f"{event.starts_at.strftime(_STAMP)}/{event.ends_at.strftime(_STAMP)}",
        "details": details,
        "ctz": event.timezone,
    }
    outlook = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": content.title,
        "startdt": event.starts_at.strftime(_ISO),
        "enddt": event.ends_at.strftime(_ISO),
        "body": details,
    }
    if location:
        google["location"] = outlook["location"] = location
    return CalendarLinks(
        google=f"{GOOGLE}?{urlencode(google)}",
        outlook_com=f"{OUTLOOK_COM}?{urlencode(outlook)}",
        microsoft_365=f"{MICROSOFT_365}?{urlencode(outlook)}",
        ics=ics_url,
    )
