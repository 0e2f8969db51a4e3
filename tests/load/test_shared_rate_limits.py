"""The rate limits hold across gunicorn's worker processes: the counts live in the database
every worker shares, not in each process (where 4 workers would allow 4 times the limit)."""

import re
import time
from collections import Counter

import pytest
import requests

from bench.servers import Gunicorn
from tests.load.conftest import APP
from tests.load.harness import CSRF_INPUT, registration_form

pytestmark = pytest.mark.slow

LIMIT = 10
POSTS = 45
ACCESS_LINE = re.compile(r"worker=<(\d+)> POST /en/events/\S+/register \S+ (\d{3})")


@pytest.fixture
def limited_site(database, tmp_path):
    """4 sync workers with the registration limit on, logging which worker answered each
    request (through ``GUNICORN_CMD_ARGS``, which gunicorn reads besides its arguments)."""
    env = {
        **database.env,
        "EVENTSVC_RATELIMIT_ENABLED": "true",
        "EVENTSVC_RATELIMIT_REGISTER": f"{LIMIT} per hour",
        "GUNICORN_CMD_ARGS": "--access-logfile - --access-logformat 'worker=%(p)s %(r)s %(s)s'",
    }
    log = tmp_path / "gunicorn.log"
    server = Gunicorn(APP, env, log, workers=4, preload=True)
    try:
        server.wait_until_ready("/healthz")
        database.base_url = server.base_url
        yield database, log
    finally:
        server.stop()


def _post_once(base_url: str, slug: str, n: int) -> int:
    """One visitor, one fresh connection: the page, then the form (with its CSRF token)."""
    with requests.Session() as session:
        session.headers["Connection"] = "close"
        page = session.get(f"{base_url}/en/events/{slug}", timeout=60)
        token = CSRF_INPUT.search(page.text).group(1)
        answer = session.post(
            f"{base_url}/en/events/{slug}/register",
            data={**registration_form(n), "csrf_token": token},
            allow_redirects=False,
            timeout=60,
        )
        return answer.status_code


def _workers_that_answered(log, timeout: float = 10) -> Counter:
    """Which worker answered each post, once the workers' access lines have reached the log."""
    deadline = time.monotonic() + timeout
    while True:
        lines = ACCESS_LINE.findall(log.read_text(errors="replace"))
        if len(lines) >= POSTS or time.monotonic() > deadline:
            return Counter(pid for pid, _status in lines)
        time.sleep(0.2)


def test_registration_limit_is_shared_by_four_workers(limited_site):
    site, log = limited_site
    statuses = Counter(_post_once(site.base_url, site.event.slug, n) for n in range(POSTS))

    assert statuses == {303: LIMIT, 429: POSTS - LIMIT}
    answered_by = _workers_that_answered(log)
    assert sum(answered_by.values()) == POSTS, log.read_text(errors="replace")[-2000:]
    assert len(answered_by) >= 2, f"all posts went to one worker: {answered_by}"
