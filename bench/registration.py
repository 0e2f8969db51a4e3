"""1. Registration burst: form registrations from 16 clients, eventsvc against the baseline.

Each of the 16 clients is a visitor who opened the event page once (session cookie and CSRF
token, as a browser gets them) and then posts the form again and again with a new address each
time. The baseline's POST inserts one row and redirects; the stack floor (``bench/stack_app.py``)
registers on the same stack as eventsvc with nothing but the stack's own work, to tell the
stack's cost from the design's. Afterwards every 303 eventsvc answered must be a registration in
the database with its confirmation in the outbox.
"""

from sqlalchemy import func, select

from bench.common import Row, Settings, log, median, worker_cpu_row
from bench.sites import serve, timed_wrk, visitor_sessions

NAME = "registration"
TITLE = "1. Registration burst"
MIN_RATIO = 0.5
MAX_P99_MS = 100.0


def run(settings: Settings) -> tuple[list[Row], dict]:
    rows, raw = [], {}
    for backend in ("sqlite", "postgresql"):
        backend_rows, raw[backend] = _run_backend(backend, settings)
        rows += backend_rows
    return rows, raw


def _run_backend(backend: str, settings: Settings) -> tuple[list[Row], dict]:
    label = f"{TITLE} ({backend})"
    with serve(backend, stack=True) as site:
        if site is None:
            return [Row(label, "POST/s", "req/s", None, note="PostgreSQL unavailable")], {}
        page = f"{site.eventsvc_url}/fr/events/{site.slug}"
        stack_page = f"{site.servers['stack'].base_url}/fr/events/{site.slug}"
        sessions = {
            "eventsvc": visitor_sessions(page, settings.clients, site.folder / "sessions.tsv"),
            "stack": visitor_sessions(stack_page, settings.clients, site.folder / "stack.tsv"),
        }
        targets = {
            "eventsvc": f"{page}/register",
            "stack": f"{stack_page}/register",
            "baseline": f"{site.baseline_url}/register",
        }
        runs = {who: [] for who in targets}
        for round_number in range(settings.http_rounds):
            order = ("baseline", "stack", "eventsvc")
            for who in order if round_number % 2 == 0 else reversed(order):
                args = (f"r{round_number}",)
                if who in sessions:
                    args += (str(sessions[who]),)
                result = timed_wrk(
                    targets[who],
                    settings.http_seconds,
                    settings.clients,
                    "register.lua",
                    args,
                    server=site.servers[who],
                )
                runs[who].append(result)
                log(
                    f"{backend} round {round_number + 1} {who}: {result['rps']:.0f} POST/s, "
                    f"p99 {result['p99_ms']:.1f} ms, 303: {result['status_303']}, "
                    f"4xx {result['status_4xx']} 5xx {result['status_5xx']}"
                )
        check = _check_stored(site, runs["eventsvc"], settings.clients)
    return _rows(label, runs, check), {"runs": runs, "check": check}


def _check_stored(site, runs: list[dict], clients: int) -> dict:
    """Every 303 is a stored registration with its confirmation queued.

    wrk stops counting at the end of its duration while up to one request per client is still
    being served: those registrations are stored though no 303 was counted for them.
    """
    from eventsvc.extensions import db
    from eventsvc.models import Event, MessageKind, OutboxMessage, Registration

    accepted = sum(run["status_303"] for run in runs)
    # One statement, so a registration committing between two counts cannot skew the check.
    queued = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.registration_id == Registration.id,
            OutboxMessage.kind.in_((MessageKind.CONFIRMATION, MessageKind.WAITLISTED)),
        )
        .exists()
    )
    # The running count the two workers kept, against the rows (every registration here is a
    # confirmed one: the event's capacity is far above the burst).
    seats = select(Event.confirmed_seats).where(Event.id == site.event_id).scalar_subquery()
    stored, confirmations, seats_counted = db.session.execute(
        select(
            func.count(Registration.id), func.count(Registration.id).filter(queued), seats
        ).where(Registration.event_id == site.event_id)
    ).one()
    rejected = sum(run["status_4xx"] + run["status_5xx"] + run["status_other"] for run in runs)
    db.session.remove()
    return {
        "accepted_303": accepted,
        "stored": stored,
        "with_confirmation": confirmations,
        "rejected": rejected,
        "seats_counted": seats_counted,
        "in_flight_allowance": clients * len(runs),
        "ok": (
            accepted <= stored <= accepted + clients * len(runs)
            and confirmations == stored
            and seats_counted == stored
            and rejected == 0
        ),
    }


def _rows(label: str, runs: dict, check: dict) -> list[Row]:
    ours, base, stack = runs["eventsvc"], runs["baseline"], runs["stack"]
    rps = median(r["rps"] for r in ours)
    base_rps = median(r["rps"] for r in base)
    stack_rps = median(r["rps"] for r in stack)
    p50 = median(r["p50_ms"] for r in ours)
    p99 = median(r["p99_ms"] for r in ours)
    client = median(r["client_cpu_share"] for r in ours + base)
    return [
        Row(
            label,
            "throughput",
            "POST/s",
            rps,
            base_rps,
            target=f"ratio >= {MIN_RATIO}",
            passed=rps / base_rps >= MIN_RATIO,
            note=f"wrk used {client:.0%} of a core",
        ),
        Row(
            label,
            "stack floor's throughput",
            "POST/s",
            stack_rps,
            base_rps,
            note="bench/stack_app.py: the same registration on Flask-WTF + ORM, nothing else",
        ),
        Row(
            label,
            "throughput vs the stack floor",
            "POST/s",
            rps,
            stack_rps,
            note="what eventsvc's own rules cost beyond the stack",
        ),
        Row(label, "latency p50", "ms", p50, median(r["p50_ms"] for r in base)),
        Row(
            label,
            "latency p99",
            "ms",
            p99,
            median(r["p99_ms"] for r in base),
            target=f"< {MAX_P99_MS:.0f} ms",
            passed=p99 < MAX_P99_MS,
        ),
        Row(
            label,
            "stack floor's latency p99",
            "ms",
            median(r["p99_ms"] for r in stack),
            median(r["p99_ms"] for r in base),
            note="the same 16 clients on the stack floor: what the stack alone makes of the p99",
        ),
        worker_cpu_row(label, ours, base, "the database server's own CPU is not in it"),
        Row(
            label,
            "stack floor's CPU per request",
            "ms",
            median(r["worker_cpu_ms"] for r in stack),
            median(r["worker_cpu_ms"] for r in base),
            note="the stack floor's gunicorn workers, against the baseline's",
        ),
        Row(
            label,
            "303s stored + queued",
            "regs",
            check["stored"],
            None,
            target="all, no 4xx/5xx",
            passed=check["ok"],
            note=(
                f"{check['accepted_303']} answered 303, {check['stored']} stored, "
                f"{check['with_confirmation']} with confirmation, "
                f"{check['seats_counted']} in the event's seat count, {check['rejected']} rejected"
            ),
        ),
    ]
