"""What every benchmark shares: the result rows, the settings, timing, scratch space and the
environment of the processes it starts (servers: ``servers``; wrk: ``load_generator``;
PostgreSQL: ``postgres``; eventsvc in this process: ``in_process``).

Every load here is bounded: wrk runs for a fixed duration, mail runs send a fixed count, and
every server and worker started here is stopped by the same code that started it.
"""

import contextlib
import os
import platform
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from testkit.servers import free_port  # noqa: F401  (the benchmarks' name for it)

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
        # Production refuses to start on the placeholder sender (identity.placeholders).
        EVENTSVC_MAIL_DEFAULT_SENDER='["OMEP events", "events@events.example.org"]',
        **extra,
    )
