"""wrk, the HTTP load generator: a bounded run against a URL, its counts read back as JSON."""

import json
import shutil
import subprocess
from pathlib import Path

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
