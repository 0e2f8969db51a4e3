"""What every benchmark shares: the result rows, servers on loopback, wrk, PostgreSQL, timing.

Every load here is bounded: wrk runs for a fixed duration, mail runs send a fixed count, and
every server and worker started here is stopped by the same code that started it.
"""

import contextlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from testkit.servers import Gunicorn, free_port, gunicorn  # noqa: F401  (the benchmarks' names)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
PYTHON = sys.executable
SECRET_KEY = "bench-" + "0" * 58

#: Set this to a PostgreSQL URI the benchmarks may create and drop schemas in; otherwise the
#: machine's cluster is used through the ``postgres`` system account (as ``.ci/run`` does).
PG_URI_VARIABLE = "EVENTSVC_BENCH_DATABASE_URI"
LOCAL_PG_ROLE = ("eventsvc", "eventsvc")
LOCAL_PG_PORT = 5432


@dataclass
class Row:
    """One line of the table: an eventsvc figure beside the baseline's, and the verdict."""

    benchmark: str
    figure: str
    unit: str
    eventsvc: float | None
    baseline: float | None = None
    target: str = ""
    passed: bool | None = None  # None: information only
    note: str = ""
    ratio: float | None = field(default=None)

    def __post_init__(self):
        if self.ratio is None and self.eventsvc is not None and self.baseline:
            self.ratio = self.eventsvc / self.baseline

    @property
    def verdict(self) -> str:
        if self.passed is None:
            return "" if self.eventsvc is not None else "SKIP"
        return "PASS" if self.passed else "MISS"

    def as_dict(self) -> dict:
        return {**asdict(self), "verdict": self.verdict}


def worker_cpu_row(benchmark: str, ours: list[dict], base: list[dict], note: str) -> Row:
    """The gunicorn workers' CPU per request, eventsvc beside the baseline (information)."""
    return Row(
        benchmark,
        "workers' CPU per request",
        "ms",
        median(r["worker_cpu_ms"] for r in ours),
        median(r["worker_cpu_ms"] for r in base),
        note=f"gunicorn workers' user + system time (/proc) over the requests answered; {note}",
    )


@dataclass(frozen=True)
class Settings:
    """Durations and counts; ``--quick`` shrinks them all so the whole run takes a minute or two."""

    quick: bool
    http_seconds: float
    http_rounds: int
    clients: int
    mail_messages: int
    mail_rounds: int
    export_sizes: tuple[int, ...]
    export_rounds: int
    invite_counts: tuple[int, ...]
    invite_rounds: int

    @classmethod
    def full(cls) -> "Settings":
        return cls(
            quick=False,
            http_seconds=15,
            http_rounds=3,
            clients=16,
            mail_messages=10_000,
            mail_rounds=2,
            export_sizes=(10_000, 100_000),
            export_rounds=3,
            invite_counts=(1, 100, 1000),
            invite_rounds=5,
        )

    @classmethod
    def quick_run(cls) -> "Settings":
        """One short round of everything: checks the benchmarks run, not what they measure."""
        return cls(
            quick=True,
            http_seconds=2,
            http_rounds=1,
            clients=16,
            mail_messages=500,
            mail_rounds=1,
            export_sizes=(1_000, 5_000),
            export_rounds=1,
            invite_counts=(1, 100, 1000),
            invite_rounds=1,
        )


def median(values) -> float:
    return statistics.median(values)


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def machine() -> dict:
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "nproc": os.cpu_count(),
        "cpu": model or platform.processor(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "load": " ".join(f"{value:.1f}" for value in os.getloadavg()),
    }


def scratch_dir(prefix: str) -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix=f"eventsvc-bench-{prefix}-")


def clean_environment(**settings: str) -> dict[str, str]:
    """This process's environment without EVENTSVC_/FLASK_ variables, plus ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EVENTSVC_", "FLASK_"))}
    env.update(settings)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def eventsvc_environment(instance: Path, database_uri: str, **extra: str) -> dict[str, str]:
    """Production settings (``EVENTSVC_ENV=production``, an explicit secret key), a fresh
    instance folder, and rate limits off: every request of a benchmark comes from one address."""
    return clean_environment(
        EVENTSVC_ENV="production",
        EVENTSVC_INSTANCE_PATH=str(instance),
        EVENTSVC_SQLALCHEMY_DATABASE_URI=database_uri,
        EVENTSVC_SECRET_KEY=SECRET_KEY,
        EVENTSVC_RATELIMIT_ENABLED="false",
        EVENTSVC_PUBLIC_BASE_URL="https://events.example.org",
        EVENTSVC_CALENDAR_DOMAIN="events.example.org",
        **extra,
    )


# --- wrk ---------------------------------------------------------------------------------------

WRK_MARK = "BENCH-JSON "


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def wrk(
    url: str,
    seconds: float,
    connections: int,
    script: Path,
    script_args: list[str] = (),
    threads: int = 2,
) -> dict:
    """Run wrk for ``seconds`` with ``connections`` keep-alive clients; the script prints JSON.

    Returns requests, seconds, rps, p50_ms, p99_ms, statuses and socket errors.
    """
    command = [
        "wrk",
        f"--threads={min(threads, connections)}",
        f"--connections={connections}",
        f"--duration={max(1, round(seconds))}s",
        "--timeout=10s",
        "--latency",
        f"--script={script}",
        url,
    ]
    if script_args:
        command += ["--", *script_args]
    completed = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    if completed.returncode != 0:
        raise RuntimeError(f"wrk failed ({completed.returncode}):\n{completed.stderr}")
    for line in completed.stdout.splitlines():
        if line.startswith(WRK_MARK):
            result = json.loads(line.removeprefix(WRK_MARK))
            result["rps"] = result["requests"] / result["seconds"]
            return result
    raise RuntimeError(f"wrk printed no result:\n{completed.stdout}\n{completed.stderr}")


# --- PostgreSQL --------------------------------------------------------------------------------


def _run_as_postgres(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["runuser", "-u", "postgres", "--", *command],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
        timeout=60,
    )


def _local_postgres_uri() -> tuple[str | None, str]:
    """Start the machine's cluster if needed and make sure the ``eventsvc`` role exists."""
    if shutil.which("pg_ctlcluster") is None or shutil.which("runuser") is None:
        return None, "no local PostgreSQL (pg_ctlcluster) and no EVENTSVC_BENCH_DATABASE_URI"
    if os.geteuid() != 0:
        return None, "local PostgreSQL needs root (runuser); set EVENTSVC_BENCH_DATABASE_URI"
    status = subprocess.run(
        ["pg_ctlcluster", "15", "main", "status"], capture_output=True, check=False
    )
    if status.returncode != 0:
        started = subprocess.run(
            ["pg_ctlcluster", "15", "main", "start"], capture_output=True, text=True, check=False
        )
        if started.returncode != 0:
            return None, f"could not start PostgreSQL: {started.stderr.strip()}"
    role, password = LOCAL_PG_ROLE
    exists = _run_as_postgres(
        "psql", "-tAc", f"SELECT 1 FROM pg_roles WHERE rolname = '{role}'"
    ).stdout.strip()
    if exists != "1":
        created = _run_as_postgres("psql", "-qc", f"CREATE ROLE {role} LOGIN PASSWORD '{password}'")
        if created.returncode != 0:
            return None, f"could not create role {role}: {created.stderr.strip()}"
    return f"postgresql+psycopg://{role}:{password}@127.0.0.1:{LOCAL_PG_PORT}", ""


@contextlib.contextmanager
def postgres_database() -> Iterator[tuple[str | None, str]]:
    """A throwaway PostgreSQL database for one benchmark: yields (uri, "") or (None, why not).

    With EVENTSVC_BENCH_DATABASE_URI, a fresh schema in that database; otherwise a fresh
    database on the local cluster, dropped afterwards.
    """
    configured = os.environ.get(PG_URI_VARIABLE)
    if configured:
        with _fresh_schema(configured) as uri:
            yield uri, ""
        return
    server, problem = _local_postgres_uri()
    if server is None:
        yield None, problem
        return
    name = f"eventsvc_bench_{uuid.uuid4().hex[:10]}"
    created = _run_as_postgres("createdb", "-p", str(LOCAL_PG_PORT), "-O", LOCAL_PG_ROLE[0], name)
    if created.returncode != 0:
        yield None, f"could not create a database: {created.stderr.strip()}"
        return
    try:
        yield f"{server}/{name}", ""
    finally:
        _run_as_postgres("dropdb", "-p", str(LOCAL_PG_PORT), "--force", "--if-exists", name)


@contextlib.contextmanager
def _fresh_schema(uri: str) -> Iterator[str]:
    from sqlalchemy import create_engine, make_url, text
    from sqlalchemy.pool import NullPool

    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(uri, poolclass=NullPool)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = make_url(uri).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


# --- eventsvc in this process (seeding and checking what the servers wrote) -------------------


@contextlib.contextmanager
def eventsvc_app(instance: Path, database_uri: str, **config) -> Iterator:
    """An eventsvc app on ``database_uri`` with its tables created, inside an app context."""
    previous = os.environ.get("EVENTSVC_INSTANCE_PATH")
    os.environ["EVENTSVC_INSTANCE_PATH"] = str(instance)
    try:
        from eventsvc import create_app
        from eventsvc.extensions import db

        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": database_uri,
                "SECRET_KEY": SECRET_KEY,
                "RATELIMIT_ENABLED": False,
                "PUBLIC_BASE_URL": "https://events.example.org",
                "CALENDAR_DOMAIN": "events.example.org",
                **config,
            }
        )
    finally:
        if previous is None:
            os.environ.pop("EVENTSVC_INSTANCE_PATH", None)
        else:
            os.environ["EVENTSVC_INSTANCE_PATH"] = previous
    with app.app_context():
        db.create_all()
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


def sqlite_uri(path: Path) -> str:
    return f"sqlite:///{path}"
