"""Real servers for the load tests: gunicorn serving the app, ``flask send-mail`` workers, and
HTTP clients that go through the pages as a browser would (CSRF token included)."""

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests

PROJECT_ROOT = Path(__file__).resolve().parents[1]
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SECRET_KEY = "load-test-" + "0" * 54
#: The app as gunicorn is told to serve it.
APP = "eventsvc:create_app()"


def server_environment(instance: Path, database_uri: str, **settings) -> dict[str, str]:
    """The process environment for the app: EVENTSVC_* settings and nothing inherited."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EVENTSVC_", "FLASK_"))}
    env.update(
        EVENTSVC_INSTANCE_PATH=str(instance),
        EVENTSVC_SQLALCHEMY_DATABASE_URI=database_uri,
        EVENTSVC_SECRET_KEY=SECRET_KEY,
        EVENTSVC_RATELIMIT_ENABLED="false",
        EVENTSVC_PUBLIC_BASE_URL="http://events.test",
        EVENTSVC_CALENDAR_DOMAIN="events.test",
        EVENTSVC_MAIL_DEFAULT_SENDER='["OMEP events", "events@events.test"]',
    )
    env.update({f"EVENTSVC_{key}": str(value) for key, value in settings.items()})
    return env


def send_mail_once(env: dict[str, str], smtp_port: int, batch_size: int) -> subprocess.Popen:
    """Start ``flask send-mail --once`` against the SMTP sink; the caller waits for it."""
    worker_env = {
        **env,
        "EVENTSVC_MAIL_SERVER": "127.0.0.1",
        "EVENTSVC_MAIL_PORT": str(smtp_port),
        "EVENTSVC_MAIL_BATCH_SIZE": str(batch_size),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "eventsvc", "send-mail", "--once"],
        cwd=PROJECT_ROOT,
        env=worker_env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


@dataclass
class Answer:
    status: int
    location: str = ""

    @property
    def shown_status(self) -> str:
        """``confirmed`` or ``waitlisted``, from the thank-you page address."""
        return parse_qs(urlsplit(self.location).query).get("status", [""])[0]


class Visitor:
    """One person's browser: a cookie jar, pages fetched before forms are posted."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.session = requests.Session()
        self._csrf = ""

    def open(self, path: str) -> None:
        response = self.session.get(self.base_url + path, timeout=60)
        response.raise_for_status()
        found = CSRF_INPUT.search(response.text)
        assert found, f"no CSRF token on {path}"
        self._csrf = found.group(1)

    def post(self, path: str, data: dict[str, str]) -> Answer:
        response = self.session.post(
            self.base_url + path,
            data={**data, "csrf_token": self._csrf},
            allow_redirects=False,
            timeout=60,
        )
        return Answer(response.status_code, response.headers.get("Location", ""))

    def close(self) -> None:
        self.session.close()


def registration_form(n: int) -> dict[str, str]:
    return {
        "full_name": f"Participant {n}",
        "email": f"participant{n}@example.org",
        "organisation": "OMEP",
        "country": "FR",
        "language": "fr" if n % 2 else "en",
        "consent": "y",
        "website": "",
    }
