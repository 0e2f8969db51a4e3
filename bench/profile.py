"""Where the time goes, in one process: ``python -m bench.profile requests|mail [--html FILE]``.

Not part of ``python -m bench``. Prints CPU time per request or message (``time.process_time``,
so other jobs on the machine do not count) and the SQL statements per request, and with
``--html`` writes a pyinstrument profile. Run it before and after a change to the hot paths.

- ``requests``: the French event page (GET) and the registration form (POST, CSRF on, as
  production: over HTTPS with a Referer) through Flask's test client, on SQLite.
- ``mail``: building a reminder (``messages.build``), flattening it, and ``dispatch_due`` with
  sending suppressed (building + database, no SMTP).
- ``floor``: CPU time per registration POST of the one-row baseline (``bench/baseline_app.py``),
  the stack's floor (``bench/stack_app.py``: the same registration on Flask-WTF, the ORM and
  Flask-Babel, nothing else) and eventsvc, in turns, on SQLite: what the stack costs before
  any rule of eventsvc's.
- ``breakdown``: the registration POST's CPU time split by what it does (cProfile cumulative
  times scaled to the unprofiled figure), on SQLite or, with ``--backend postgresql``, on a
  throwaway PostgreSQL database (see bench/README.md for what it needs).
"""

import argparse
import contextlib
import cProfile
import pstats
import re
import time
from contextlib import nullcontext
from datetime import timedelta
from pathlib import Path

from bench import fixtures
from bench.common import scratch_dir
from bench.in_process import eventsvc_app, sqlite_uri
from bench.postgres import postgres_database

HTTPS = "https://events.example.org"
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("what", choices=("requests", "mail", "breakdown", "floor"))
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--html", type=Path, help="write a pyinstrument profile here")
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    arguments = parser.parse_args()
    with scratch_dir("profile") as name, _database(arguments.backend, Path(name)) as uri:
        folder = Path(name)
        with eventsvc_app(folder / "instance", uri) as app:
            if arguments.what == "requests":
                profile_requests(app, arguments.count, arguments.html)
            elif arguments.what == "mail":
                profile_mail(app, arguments.count, arguments.html)
        if arguments.what == "breakdown":
            registration_breakdown(app, arguments.count)
        if arguments.what == "floor":
            stack_floor(app, folder, arguments.count)


@contextlib.contextmanager
def _database(backend: str, folder: Path):
    if backend == "sqlite":
        yield sqlite_uri(folder / "profile.sqlite3")
        return
    with postgres_database() as (uri, problem):
        if uri is None:
            raise SystemExit(f"PostgreSQL is not available: {problem}")
        yield uri


def _profiler(html: Path | None):
    if html is None:
        return nullcontext()
    from pyinstrument import Profiler

    class _Profile:
        def __enter__(self):
            self.profiler = Profiler(interval=0.0005)
            self.profiler.start()

        def __exit__(self, *exc):
            self.profiler.stop()
            html.write_text(self.profiler.output_html())
            print(f"profile written to {html}")

    return _Profile()


def _cpu_per_call(call, count: int) -> float:
    for _ in range(10):
        call()
    started = time.process_time()
    for _ in range(count):
        call()
    return (time.process_time() - started) / count * 1000


def _poster(client, page: str, token: str):
    """A function that posts the registration form with a new address each call, as a visitor
    over HTTPS with every field the page has."""
    counter = iter(range(10**9))

    def post():
        n = next(counter)
        response = client.post(
            f"{page}/register",
            base_url=HTTPS,
            headers={"Referer": HTTPS + page},
            data={
                "csrf_token": token,
                "full_name": f"Participant {n}",
                "email": f"profile{n}@example.org",
                "organisation": "Comité national",
                "country": "FR",
                "language": "fr",
                "interpretation_language": "fr",
                "question_for_speakers": "",
                "consent": "y",
                "website": "",
            },
        )
        assert response.status_code == 303, response.status_code

    return post


def profile_requests(app, count: int, html: Path | None) -> None:
    from sqlalchemy import event as sa_event

    from eventsvc.extensions import db

    event = fixtures.create_event()
    fixtures.insert_registrations(event.id, 2_000)
    slug = event.slug
    db.session.remove()
    client = app.test_client()
    page = f"/fr/events/{slug}"

    def get():
        response = client.get(page, base_url=HTTPS)
        assert response.status_code == 200, response.status_code
        return response

    token = CSRF_INPUT.search(get().get_data(as_text=True)).group(1)

    post = _poster(client, page, token)

    statements: list[str] = []

    def count_statement(conn, cursor, statement, *args):
        statements.append(" ".join(statement.split())[:110])

    sa_event.listen(db.engine, "before_cursor_execute", count_statement)
    for call in (get, post):
        statements.clear()
        call()
        print(f"{call.__name__.upper()}: {len(statements)} SQL statements")
        for statement in statements:  # per statement, to compare before and after a change
            print(f"    {statement}")
    sa_event.remove(db.engine, "before_cursor_execute", count_statement)
    with _profiler(html):
        for call in (get, post):
            print(f"{call.__name__.upper()}: {_cpu_per_call(call, count):.2f} ms CPU per request")


#: What a registration POST does, each as the cProfile entries whose cumulative time it is.
BREAKDOWN = {
    "CSRF check (Flask-WTF)": [r"flask_wtf/csrf.py:protect$"],
    # validate: WTForms (the CSRF token), then the registration input (services.inputs)
    "form: build + validate (WTForms, the registration input)": [
        r"eventsvc/public/forms.py:__init__$",
        r"eventsvc/public/forms.py:validate$",
    ],
    "event read by slug (the view)": [r"eventsvc/lookups.py:event_or_404$"],
    "register(): event lock + re-read": [r"eventsvc/services/locking.py:lock_event$"],
    "register(): address normalised": [r"addresses.py:address_key$"],
    "register(): messages queued (3 outbox rows, services.outbox)": [
        r"registrations.py:_queue_welcome$"
    ],
    # the view's unit_of_work commits (services only flush)
    "unit of work: ORM flush + commit (4 rows, seat count)": [r"sqlalchemy/orm/scoping.py:commit$"],
    "request context: cookie read, teardown (Flask)": [
        r"flask/ctx.py:push$",
        r"flask/ctx.py:pop$",
    ],
    "form data parsing (Werkzeug)": [r"werkzeug/wrappers/request.py:form$"],
    "session cookie + response (Flask)": [r"flask/app.py:finalize_request$"],
}


def registration_breakdown(app, count: int) -> None:
    """Each request runs in its own app context, as under gunicorn."""
    from eventsvc.extensions import db

    with app.app_context():
        event = fixtures.create_event()
        fixtures.insert_registrations(event.id, 2_000)
        page = f"/fr/events/{event.slug}"
        db.session.remove()
    client = app.test_client()
    token = CSRF_INPUT.search(client.get(page, base_url=HTTPS).get_data(as_text=True)).group(1)

    post = _poster(client, page, token)

    real = _cpu_per_call(post, count)
    profiler = cProfile.Profile(time.process_time)
    profiler.runcall(lambda: [post() for _ in range(count)])
    stats = pstats.Stats(profiler).stats

    def cumulative(pattern: str) -> float:
        return sum(
            entry[3] for key, entry in stats.items() if re.search(pattern, f"{key[0]}:{key[2]}")
        )

    total = cumulative(r"flask/app.py:wsgi_app$")
    print(f"{real:.2f} ms CPU per registration POST, split by share of the profiled time:")
    shown = 0.0
    for label, patterns in BREAKDOWN.items():
        part = sum(cumulative(pattern) for pattern in patterns)
        shown += part
        print(f"  {part / total:4.0%}  {part / total * real:.2f} ms  {label}")
    rest = total - shown
    print(f"  {rest / total:4.0%}  {rest / total * real:.2f} ms  the rest (routing, redirect, …)")


def stack_floor(app, folder: Path, count: int, rounds: int = 3) -> None:
    """CPU per registration POST: baseline, stack floor, eventsvc, in turns (median of rounds)."""
    import os
    import statistics

    from bench import baseline_app, stack_app
    from eventsvc.extensions import db

    with app.app_context():
        event = fixtures.create_event()
        page = f"/fr/events/{event.slug}"
        slug = event.slug
        db.session.remove()
    client = app.test_client()
    token = CSRF_INPUT.search(client.get(page, base_url=HTTPS).get_data(as_text=True)).group(1)
    posters = {"eventsvc": _poster(client, page, token)}

    stack_uri = sqlite_uri(folder / "stack.sqlite3")
    stack_app.create_schema(stack_uri, slug)
    os.environ["BENCH_BASELINE_DATABASE_URI"] = stack_uri
    stack_client = stack_app.create_app().test_client()
    body = stack_client.get(page, base_url=HTTPS).get_data(as_text=True)
    stack_token = CSRF_INPUT.search(body).group(1)
    posters["stack floor"] = _poster(stack_client, page, stack_token)

    baseline_uri = sqlite_uri(folder / "baseline.sqlite3")
    baseline_app.create_schema(baseline_uri)
    os.environ["BENCH_BASELINE_DATABASE_URI"] = baseline_uri
    baseline_client = baseline_app.create_app().test_client()
    posters["baseline"] = _poster(baseline_client, "", "")

    figures = {who: [] for who in posters}
    for _ in range(rounds):
        for who, post in posters.items():
            figures[who].append(_cpu_per_call(post, count))
    base = statistics.median(figures["baseline"])
    print(f"CPU per registration POST, in this process (median of {rounds} rounds of {count}):")
    for who in ("baseline", "stack floor", "eventsvc"):
        cpu = statistics.median(figures[who])
        print(f"  {who:12} {cpu:6.2f} ms  {cpu / base:5.1f} x the baseline")


def profile_mail(app, count: int, html: Path | None) -> None:
    from sqlalchemy import select, update

    from eventsvc.extensions import db
    from eventsvc.mail import messages
    from eventsvc.mail.dispatcher import dispatch_due
    from eventsvc.models import MessageStatus, OutboxMessage

    event = fixtures.create_event(starts_in=timedelta(hours=2))
    fixtures.insert_registrations(event.id, count)
    fixtures.insert_due_reminders(event.id)
    rows = db.session.scalars(select(OutboxMessage)).all()
    built = [messages.build(row) for row in rows]  # warm: caches filled, as in a running worker
    with _profiler(html):
        started = time.process_time()
        built = [messages.build(row) for row in rows]
        print(f"build: {(time.process_time() - started) / count * 1000:.3f} ms CPU per message")
        started = time.process_time()
        for message in built:
            message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
        print(f"flatten: {(time.process_time() - started) / count * 1000:.3f} ms CPU per message")
        db.session.execute(update(OutboxMessage).values(status=MessageStatus.PENDING))
        db.session.commit()
        db.session.remove()
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_SUPPRESS_SEND=True)
        started = time.process_time()
        report = dispatch_due()
        spent = (time.process_time() - started) / max(report.sent, 1) * 1000
        print(f"dispatch_due without SMTP: {spent:.3f} ms CPU per message ({report.sent} sent)")


if __name__ == "__main__":
    main()
