"""The capacity holds when many people register at the same moment (threaded server, file DB)."""

import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPRedirectHandler, Request, build_opener

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from eventsvc.extensions import db
from eventsvc.models import Registration, RegistrationStatus

CAPACITY = 5
PEOPLE = 16


class NoRedirect(HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture
def live_server(app):
    """The app served by a threaded werkzeug server on a free loopback port."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


def post_registration(base_url: str, n: int) -> int:
    form = {
        "full_name": f"Person {n}",
        "email": f"person{n}@example.org",
        "country": "FR",
        "language": "en",
        "consent": "y",
    }
    request = Request(f"{base_url}/en/events/gps/register", data=urlencode(form).encode())
    opener = build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=60) as response:
            return response.status
    except HTTPError as answer:
        return answer.code


@pytest.mark.slow
def test_parallel_registrations_never_exceed_capacity(app, live_server, make_event):
    event = make_event(slug="gps", capacity=CAPACITY)
    barrier = threading.Barrier(PEOPLE)

    def register(n: int) -> int:
        barrier.wait()
        return post_registration(live_server, n)

    with ThreadPoolExecutor(max_workers=PEOPLE) as pool:
        statuses = list(pool.map(register, range(PEOPLE)))

    assert statuses == [303] * PEOPLE
    db.session.expire_all()
    counts = dict(
        db.session.execute(
            select(Registration.status, func.count(Registration.id))
            .where(Registration.event_id == event.id)
            .group_by(Registration.status)
        ).all()
    )
    assert counts == {
        RegistrationStatus.CONFIRMED: CAPACITY,
        RegistrationStatus.WAITLISTED: PEOPLE - CAPACITY,
    }
