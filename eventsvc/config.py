"""Default settings. Overridden by ``instance/config.py``, then by ``EVENTSVC_*`` variables."""

SITE_NAME = None  # None: "Events" in the visitor's language
SUPPORTED_LOCALES = ["en", "fr"]
DEFAULT_LOCALE = "en"
# Babel locale that formats dates and times for each interface locale (24-hour, day first).
FORMAT_LOCALES = {"en": "en_GB"}
DEFAULT_TIMEZONE = "Europe/Paris"
BABEL_TRANSLATION_DIRECTORIES = "translations"

SQLALCHEMY_DATABASE_URI = None  # None: a SQLite file in the instance folder
SQLALCHEMY_ENGINE_OPTIONS = {}

# Mail. With no MAIL_SERVER, messages are written as .eml files in instance/mail/.
MAIL_SERVER = None
MAIL_PORT = 25
MAIL_USE_TLS = False
MAIL_USE_SSL = False
MAIL_USERNAME = None
MAIL_PASSWORD = None
MAIL_DEFAULT_SENDER = ("eventsvc", "events@eventsvc.localhost")
MAIL_TIMEOUT = 10
# Whether the mail server accepts SMTPUTF8 (addresses with non-ASCII letters before the @).
# Off: the form refuses such addresses, whose mail could never be sent.
MAIL_SMTPUTF8 = False
ORGANIZER_NAME = "eventsvc"
ORGANIZER_EMAIL = "events@eventsvc.localhost"
CALENDAR_DOMAIN = "eventsvc.localhost"
# The public address of the site, used in links inside messages (no request is at hand).
SERVER_NAME = None
PUBLIC_BASE_URL = "http://127.0.0.1:5000"

MAIL_BATCH_SIZE = 100
MAIL_LEASE_SECONDS = 300
MAIL_RETRY_DELAYS = [60, 300, 900, 3600, 3 * 3600, 6 * 3600]
MAIL_DISPATCHER_THREAD = False  # `make run` turns it on; production runs `flask send-mail`
MAIL_DISPATCHER_INTERVAL = 5

REMINDER_OFFSETS = [1440, 60]

PRIVACY_VERSION = "2026-11"

MAX_CONTENT_LENGTH = 256 * 1024
WTF_CSRF_TIME_LIMIT = None

# Where the rate limits count, shared by every process: "database://" is the application's own
# database; "redis://host:6379/0" for Redis; "memory://" counts in each process apart.
RATELIMIT_STORAGE_URI = "database://"
RATELIMIT_REGISTER = "20 per minute"
RATELIMIT_LOGIN = "10 per minute"
RATELIMIT_HEADERS_ENABLED = True
# A Redis outage must not take registration down: the limits then let requests through (logged).
RATELIMIT_SWALLOW_ERRORS = True
# The public form's caps. Beyond them a registration is still stored, but its mail is held
# until an organiser lets it go on the dashboard: messages the form sends to one mailbox an hour
# (sub-addresses folded: ana+1@ and ana+2@ are ana@), and new registrations an hour from one
# client address (counted in RATELIMIT_STORAGE_URI, across all workers).
MAILBOX_MESSAGES_PER_HOUR = 5
REGISTRATIONS_PER_SOURCE_PER_HOUR = 50
# Number of reverse proxies in front of the app whose X-Forwarded-* headers are trusted.
PROXY_FIX_HOPS = 0

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
