"""2. Event page: GET of a published event's page in French, eventsvc against the baseline.

The event already has 2,000 registrations (the page shows the seats left), two partners and a
Markdown description in both languages. The baseline renders one row through a small Jinja
template. SQLite, 16 clients, 2 sync gunicorn workers.
"""

from bench.common import Row, Settings, log, median, worker_cpu_row
from bench.sites import serve, timed_wrk

NAME = "event_page"
TITLE = "2. Event page (sqlite)"
MIN_RATIO = 0.5
REGISTRATIONS = 2_000


def run(settings: Settings) -> tuple[list[Row], dict]:
    with serve("sqlite", registrations=REGISTRATIONS) as site:
        urls = {
            "eventsvc": f"{site.eventsvc_url}/fr/events/{site.slug}",
            "baseline": f"{site.baseline_url}/items/1",
        }
        runs = {"eventsvc": [], "baseline": []}
        for round_number in range(settings.http_rounds):
            order = ("baseline", "eventsvc") if round_number % 2 == 0 else ("eventsvc", "baseline")
            for who in order:
                result = timed_wrk(
                    urls[who],
                    settings.http_seconds,
                    settings.clients,
                    "get.lua",
                    server=site.servers[who],
                )
                runs[who].append(result)
                log(
                    f"page round {round_number + 1} {who}: {result['rps']:.0f} GET/s, "
                    f"p99 {result['p99_ms']:.1f} ms, non-2xx "
                    f"{result['requests'] - result['status_2xx']}"
                )
    return _rows(runs), {"runs": runs}


def _rows(runs: dict) -> list[Row]:
    ours, base = runs["eventsvc"], runs["baseline"]
    rps, base_rps = median(r["rps"] for r in ours), median(r["rps"] for r in base)
    failed = sum(r["requests"] - r["status_2xx"] for r in ours)
    client = median(r["client_cpu_share"] for r in ours + base)
    return [
        Row(
            TITLE,
            "throughput",
            "GET/s",
            rps,
            base_rps,
            target=f"ratio >= {MIN_RATIO}",
            passed=rps / base_rps >= MIN_RATIO and failed == 0,
            note=f"wrk used {client:.0%} of a core; {failed} eventsvc answers not 200",
        ),
        Row(
            TITLE,
            "latency p50",
            "ms",
            median(r["p50_ms"] for r in ours),
            median(r["p50_ms"] for r in base),
        ),
        Row(
            TITLE,
            "latency p99",
            "ms",
            median(r["p99_ms"] for r in ours),
            median(r["p99_ms"] for r in base),
        ),
        worker_cpu_row(
            TITLE,
            ours,
            base,
            "half the baseline's throughput on two cores allows about twice its CPU",
        ),
    ]
