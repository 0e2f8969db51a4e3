"""Who the calendar files and messages say they come from: ORGANIZER, UID and Message-ID domain.

``ORGANIZER_EMAIL``, ``ORGANIZER_NAME`` and ``CALENDAR_DOMAIN`` default from the settings a
deployment sets anyway (``MAIL_DEFAULT_SENDER``, ``PUBLIC_BASE_URL``), so that the documented
production set-up sends the deployment's own identity: the ORGANIZER mailbox is the From address
and UIDs and Message-IDs end in the site's domain. Production refuses to start while one of them
is still a ``.localhost`` placeholder: two installations on defaults would send the same ORGANIZER,
and replies ("Decline" in Outlook) to it bounce.
"""

import ipaddress
from email.utils import parseaddr
from urllib.parse import urlsplit

from flask import Flask

#: The settings this module fills in; each is None in ``config.py`` when not set.
SETTINGS = ("ORGANIZER_EMAIL", "ORGANIZER_NAME", "CALENDAR_DOMAIN")
#: What ``CALENDAR_DOMAIN`` was before it had a derived default: the UIDs of events created
#: then end in it (the migration that gives every event its own UID keeps them).
FORMER_DEFAULT_DOMAIN = "eventsvc.localhost"
PLACEHOLDER_SUFFIX = ".localhost"


def sender_name_and_address(sender) -> tuple[str, str]:
    """``MAIL_DEFAULT_SENDER`` as (name, address): a (name, address) pair or "Name <address>"."""
    if isinstance(sender, list | tuple):
        name, address = sender
        return str(name or ""), str(address)
    return parseaddr(str(sender or ""))


def init_app(app: Flask) -> None:
    """Fill in the identity settings not set, from the sender and the public base URL."""
    config = app.config
    configured = {name: config.get(name) for name in SETTINGS}
    app.extensions["eventsvc.identity"] = configured
    sender_name, sender_address = sender_name_and_address(config.get("MAIL_DEFAULT_SENDER"))
    if not config.get("ORGANIZER_EMAIL"):
        config["ORGANIZER_EMAIL"] = sender_address or f"events@{FORMER_DEFAULT_DOMAIN}"
    if not config.get("ORGANIZER_NAME"):
        config["ORGANIZER_NAME"] = sender_name or config.get("SITE_NAME") or "eventsvc"
    if not config.get("CALENDAR_DOMAIN"):
        config["CALENDAR_DOMAIN"] = _site_domain(config.get("PUBLIC_BASE_URL")) or (
            config["ORGANIZER_EMAIL"].rpartition("@")[2] or FORMER_DEFAULT_DOMAIN
        )


def configured_calendar_domain(app: Flask) -> str:
    """The domain UIDs used before they were stored per event: the one set, or the old default."""
    return app.extensions["eventsvc.identity"]["CALENDAR_DOMAIN"] or FORMER_DEFAULT_DOMAIN


def placeholders(app: Flask) -> list[str]:
    """A sentence per identity setting that is still a ``.localhost`` placeholder."""
    config = app.config
    configured = app.extensions["eventsvc.identity"]
    values = {
        "MAIL_DEFAULT_SENDER": sender_name_and_address(config.get("MAIL_DEFAULT_SENDER"))[1],
        "ORGANIZER_EMAIL": config.get("ORGANIZER_EMAIL"),
        "CALENDAR_DOMAIN": config.get("CALENDAR_DOMAIN"),
    }
    problems = []
    for name, value in values.items():
        value = str(value or "")
        if value and not value.rstrip(".").lower().endswith(PLACEHOLDER_SUFFIX):
            continue
        derived = name in configured and configured[name] is None
        origin = " (derived from MAIL_DEFAULT_SENDER and PUBLIC_BASE_URL)" if derived else ""
        problems.append(
            f"{name} is {value!r}{origin}, a placeholder: set EVENTSVC_{name} (or "
            f"EVENTSVC_MAIL_DEFAULT_SENDER and EVENTSVC_PUBLIC_BASE_URL) to your own domain."
        )
    return problems


def _site_domain(base_url: str | None) -> str:
    """The host name of ``PUBLIC_BASE_URL``, unless it is an IP address or a local name."""
    host = (urlsplit(str(base_url or "")).hostname or "").rstrip(".").lower()
    if not host or "." not in host or host.endswith(PLACEHOLDER_SUFFIX):
        return ""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return host
    return ""
