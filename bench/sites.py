"""eventsvc and the baseline app served side by side by gunicorn, on SQLite or PostgreSQL.

Both servers run for the whole benchmark and take the load in turns, so a slow minute on a
shared machine hits both. Each is ``gunicorn --workers 2 --worker-class sync`` on loopback.
"""

import contextlib
import re
import resource
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bench import fixtures
from bench.baseline_app import create_schema
from bench.common import BENCH_DIR, clean_environment, eventsvc_environment, log, scratch_dir
from bench.in_process import eventsvc_app, sqlite_uri
from bench.load_generator import wrk
from bench.postgres import postgres_database
from bench.servers import gunicorn
from bench.stack_app import create_schema as create_stack_schema

CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
WRK_SCRIPTS = BENCH_DIR / "wrk"


@dataclass
class Site:
    backend: str
    eventsvc_url: str
    baseline_url: str
    event_id: int
    slug: str
    folder: Path
    app: object  # the eventsvc app, in an app context, on the servers' database
    servers: dict  # "eventsvc" / "baseline" -> its Gunicorn


@contextlib.contextmanager
def serve(
    backend: str, registrations: int = 0, sent_mail: bool = False, stack: bool = False
) -> Iterator[Site | None]:
    """Both servers on ``backend`` ("sqlite" or "postgresql"); ``None`` if it is unavailable.

    The event gets ``registrations`` confirmed registrations before the servers start, with
    ``sent_mail`` each one's confirmation, sent two days ago, in the outbox. With ``stack`` a
    third server runs ``bench/stack_app.py`` (the stack's floor), as ``servers["stack"]`` with
    the event at ``stack_url``.
    """
    with scratch_dir(backend) as folder_name, _databases(backend, Path(folder_name)) as uris:
        if uris is None:
            yield None
            return
        folder = Path(folder_name)
        eventsvc_uri, baseline_uri = uris
        instance = folder / "instance"
        with eventsvc_app(instance, eventsvc_uri) as app:
            event = fixtures.create_event()
            if registrations:
                fixtures.insert_registrations(event.id, registrations)
                if sent_mail:
                    fixtures.insert_sent_confirmations(event.id)
            event_id, slug = event.id, event.slug
            create_schema(baseline_uri)
            if stack:
                create_stack_schema(stack_uri(backend, folder, baseline_uri), slug)
            from eventsvc.extensions import db

            db.session.remove()  # the servers take over: no transaction left open here
            eventsvc_env = eventsvc_environment(instance, eventsvc_uri)
            baseline_env = clean_environment(BENCH_BASELINE_DATABASE_URI=baseline_uri)
            with (
                gunicorn(
                    "eventsvc:create_app()", eventsvc_env, folder / "eventsvc.log", "/healthz"
                ) as eventsvc_server,
                gunicorn(
                    "bench.baseline_app:create_app()",
                    baseline_env,
                    folder / "baseline.log",
                    "/healthz",
                ) as baseline_server,
                _stack_server(backend, folder, baseline_uri, stack) as stack_server,
            ):
                servers = {"eventsvc": eventsvc_server, "baseline": baseline_server}
                if stack_server is not None:
                    servers["stack"] = stack_server
                log(
                    f"{backend}: eventsvc on {eventsvc_server.base_url}, "
                    f"baseline on {baseline_server.base_url}"
                )
                yield Site(
                    backend=backend,
                    eventsvc_url=eventsvc_server.base_url,
                    baseline_url=baseline_server.base_url,
                    event_id=event_id,
                    slug=slug,
                    folder=folder,
                    app=app,
                    servers=servers,
                )


def stack_uri(backend: str, folder: Path, baseline_uri: str) -> str:
    """The stack floor's database: its own SQLite file, or the shared PostgreSQL database (its
    tables are named ``stack_…``)."""
    return sqlite_uri(folder / "stack.sqlite3") if backend == "sqlite" else baseline_uri


@contextlib.contextmanager
def _stack_server(backend: str, folder: Path, baseline_uri: str, wanted: bool):
    if not wanted:
        yield None
        return
    env = clean_environment(BENCH_BASELINE_DATABASE_URI=stack_uri(backend, folder, baseline_uri))
    with gunicorn("bench.stack_app:create_app()", env, folder / "stack.log", "/healthz") as server:
        yield server


@contextlib.contextmanager
def _databases(backend: str, folder: Path) -> Iterator[tuple[str, str] | None]:
    if backend == "sqlite":
        yield sqlite_uri(folder / "eventsvc.sqlite3"), sqlite_uri(folder / "baseline.sqlite3")
        return
    with postgres_database() as (uri, problem):
        if uri is None:
            log(f"PostgreSQL skipped: {problem}")
            yield None
            return
        yield uri, uri


def visitor_sessions(page_url: str, count: int, path: Path) -> Path:
    """Open the event page ``count`` times as new visitors; write "cookie<TAB>token" lines."""
    lines = []
    for _ in range(count):
        with urllib.request.urlopen(page_url, timeout=30) as response:
            body = response.read().decode()
            cookies = [
                value.split(";", 1)[0] for value in response.headers.get_all("Set-Cookie") or []
            ]
        token = CSRF_INPUT.search(body)
        if token is None or not cookies:
            raise RuntimeError(f"no CSRF token or session cookie on {page_url}")
        lines.append(f"{'; '.join(cookies)}\t{token.group(1)}")
    path.write_text("\n".join(lines) + "\n")
    return path


def timed_wrk(url: str, seconds: float, clients: int, script: str, args=(), server=None) -> dict:
    """wrk, with the CPU time it used (to show the load generator left the servers room) and,
    given the ``server`` it loads, its workers' CPU per request (``worker_cpu_ms``)."""
    workers_before = server.workers_cpu_seconds() if server else 0.0
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = wrk(url, seconds, clients, WRK_SCRIPTS / script, list(args))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    result["client_cpu_share"] = cpu / result["seconds"]
    if server:
        spent = server.workers_cpu_seconds() - workers_before
        result["worker_cpu_ms"] = spent / max(result["requests"], 1) * 1000
    return result
