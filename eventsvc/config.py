"""Default settings. Overridden by ``instance/config.py``, then by ``EVENTSVC_*`` variables."""

SITE_NAME = None  # None: "Events" in the visitor's language
# The interface's languages: pages, mail and the editor's text columns. Adding one is this plus
# a catalogue (``pybabel init``); texts missing in it fall back (``i18n.best_text``).
SUPPORTED_LOCALES = ["en", "fr", "es"]
# The locales a new event needs a title and summary in before it is published, besides its floor
# language (kept per event in ``Event.required_locales``; unsupported ones are ignored).
REQUIRED_CONTENT_LOCALES = ["en", "fr"]
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
# Seconds to wait for the server when connecting and for each command's answer...
MAIL_TIMEOUT = 10
# ...and for its answer once a message's body was sent (RFC 5321 §4.5.3.2: 10 minutes).
MAIL_DATA_TIMEOUT = 600
# Outcomes are written after this many messages or seconds, whichever comes first.
MAIL_OUTCOME_GROUP = 10
MAIL_OUTCOME_INTERVAL = 2
# Seconds a stopping worker waits for the message in flight before giving it up (as an unknown
# outcome, retried with the same Message-ID): stops stay within 10 s.
MAIL_STOP_GRACE = 5
# Identity of invites and messages (eventsvc/identity.py). None: ORGANIZER_EMAIL and
# ORGANIZER_NAME from MAIL_DEFAULT_SENDER, CALENDAR_DOMAIN (UIDs, Message-IDs) from the host of
# PUBLIC_BASE_URL, else the sender's domain. Production refuses `.localhost` values.
ORGANIZER_NAME = None
ORGANIZER_EMAIL = None
CALENDAR_DOMAIN = None
# Whether the mail server accepts SMTPUTF8 (addresses with non-ASCII letters before the @).
# Off: the form refuses such addresses, whose mail could never be sent.
MAIL_SMTPUTF8 = False
# The public address of the site, used in links inside messages (no request is at hand).
SERVER_NAME = None
PUBLIC_BASE_URL = "http://127.0.0.1:5000"

MAIL_BATCH_SIZE = 100
# SMTP connections a worker sends over at once, a batch on each: while one waits for the
# server's answer (a round trip per command), another sends. One keeps the claim order.
MAIL_CONNECTIONS = 2
MAIL_LEASE_SECONDS = 300
MAIL_RETRY_DELAYS = [60, 300, 900, 3600, 3 * 3600, 6 * 3600]
# None: on under `flask run`/`make run`, off under gunicorn (which runs `flask send-mail`).
MAIL_DISPATCHER_THREAD = None
MAIL_DISPATCHER_INTERVAL = 5
# Recipients a worker writes per transaction when it expands a message to many (a reminder, an
# announcement): each chunk is committed with the broadcast's cursor (services/broadcasts.py).
MAIL_EXPANSION_CHUNK = 1000

# Embedding (docs/embedding.md): the origins (scheme://host[:port]) whose pages may frame the
# /embed/ pages, e.g. ["https://www.example.org"]; as an environment variable, a JSON list or
# origins separated by spaces or commas. Empty: no site may frame them. Every other page keeps
# refusing frames.
EMBED_ALLOWED_ORIGINS = []
# How long the signed token of an embedded registration form stays valid (seconds), as CSRF's.
EMBED_FORM_MAX_AGE = 3600

REMINDER_OFFSETS = [1440, 60]
JOIN_LINK_SHOWN_BEFORE = 30
# Default minutes before the start from which join links open, and after the end they still
# lead to the meeting (both set per event in its editor).
JOIN_GRACE_AFTER = 30

# After the event (docs/organiser.md, "Follow-up and certificates"): the page size of the
# certificates of attendance ("a4" landscape, or "letter"); the largest slides PDF an organiser
# may attach to the follow-up, in bytes; where those files are kept (None: instance/follow-ups).
CERTIFICATE_PAGE_FORMAT = "a4"
FOLLOW_UP_SLIDES_MAX_BYTES = 20 * 1024 * 1024
FOLLOW_UP_FILES_DIR = None

PRIVACY_VERSION = "2026-11"

MAX_CONTENT_LENGTH = 256 * 1024
#: The largest participant report an organiser may upload (the upload page and
#: ``import-attendance``); Zoom's report of 5,000 attendees is under 1 MB.
ATTENDANCE_REPORT_MAX_BYTES = 10_000_000
WTF_CSRF_TIME_LIMIT = None

# Where the rate limits count, shared by every process: "database://" is the application's own
# database; "redis://host:6379/0" for Redis; "memory://" counts in each process apart.
RATELIMIT_STORAGE_URI = "database://"
RATELIMIT_REGISTER = "20 per minute"
RATELIMIT_LOGIN = "10 per minute"
# The API (/api/v1/, docs/api.md): calls with an API token count per token, anonymous calls per
# client address.
API_RATELIMIT_TOKEN = "600 per minute"
API_RATELIMIT_ANONYMOUS = "120 per minute"
# Webhooks (docs/api.md): deliveries go only to addresses that resolve to public IPs unless this
# is true (EVENTSVC_WEBHOOK_ALLOW_PRIVATE=true: loopback, link-local and private ones too);
# seconds a receiver has to answer; seconds between the worker's polls (flask send-webhooks).
WEBHOOK_ALLOW_PRIVATE = False
WEBHOOK_TIMEOUT = 10
WEBHOOK_INTERVAL = 5
#: Deliver webhooks from a thread of the serving process: None = only under `flask run`.
WEBHOOK_DELIVERY_THREAD = None
RATELIMIT_HEADERS_ENABLED = True
# A Redis outage must not take registration down: the limits then let requests through (logged).
RATELIMIT_SWALLOW_ERRORS = True
# The public form's caps. Beyond them a registration is still stored, but its mail is held
# until an organiser lets it go on the dashboard: messages the form sends to one mailbox an hour
# (sub-addresses folded: ana+1@ and ana+2@ are ana@), and new registrations an hour from one
# client address (counted in the database with the registration, across all workers).
MAILBOX_MESSAGES_PER_HOUR = 5
REGISTRATIONS_PER_SOURCE_PER_HOUR = 50
# At an event in "confirm your address" mode, how long a new place is held for the registrant
# to click the link of the first mail; unconfirmed, it is freed for the waitlist.
ADDRESS_CONFIRMATION_HOURS = 24
# Answers to questions marked sensitive (health, disability…) are erased this many days after
# the event ends, by `flask purge-registrations` (issue 16).
SENSITIVE_ANSWERS_RETENTION_DAYS = 30
# Number of reverse proxies in front of the app whose X-Forwarded-* headers are trusted.
PROXY_FIX_HOPS = 0

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Organiser accounts (see docs/production.md, "Security").
# Failed sign-ins counted over this sliding window, per (typed address, client address) and per
# client address; never per account alone, so nobody elsewhere can lock the owner out.
SIGN_IN_WINDOW_MINUTES = 15
SIGN_IN_FAILURES_PER_ADDRESS_AND_SOURCE = 5
SIGN_IN_FAILURES_PER_SOURCE = 30
# The account's owner is mailed once per window when the failures on it reach this number.
SIGN_IN_NOTICE_AFTER = 10
# Sessions end after this long without a request, and this long after signing in, whatever.
SESSION_IDLE_TIMEOUT = 8 * 3600  # seconds
SESSION_ABSOLUTE_TIMEOUT = 14 * 24 * 3600  # seconds
# How long the links to choose a password stay valid.
PASSWORD_RESET_MAX_AGE = 3600  # seconds
INVITATION_MAX_AGE = 7 * 24 * 3600  # seconds
# Every organiser must set up a second factor (TOTP) before using the workspace.
REQUIRE_SECOND_FACTOR = False
# werkzeug hash method for passwords; unset means scrypt, or a cheap pbkdf2 under TESTING
# (passwords.py). Production refuses anything but scrypt.
PASSWORD_HASH_METHOD = None
