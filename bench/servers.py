"""Servers on loopback for the benchmarks and the load tests: gunicorn as production runs it,
started and stopped by the same code."""

import contextlib
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench.common import (
    PROJECT_ROOT,
    PYTHON,
    free_port,
)


class Gunicorn:
    """``gunicorn <app>`` on a free loopback port, as production runs it; stopped with SIGTERM.

    Sync workers by default (the benchmarks' setting); ``threads`` > 1 uses gthread workers and
    ``preload`` imports the app once before forking (the load tests, to start faster). The
    load tests in ``tests/load`` run their servers through this class too.
    """

    def __init__(
        self,
        app_spec: str,
        env: dict[str, str],
        log_path: Path,
        workers: int = 2,
        threads: int = 1,
        preload: bool = False,
    ):
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self._log = log_path.open("wb")
        worker_class = ["gthread", "--threads", str(threads)] if threads > 1 else ["sync"]
        command = [
            PYTHON,
            "-m",
            "gunicorn",
            "--workers",
            str(workers),
            "--worker-class",
            *worker_class,
            "--bind",
            f"127.0.0.1:{self.port}",
            "--backlog",
            "2048",
            "--timeout",
            "120",
            "--graceful-timeout",
            "5",
            *(["--preload"] if preload else []),
            app_spec,
        ]
        self.process = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT
        )

    def workers_cpu_seconds(self) -> float:
        """User + system CPU seconds of this master's worker processes so far (``/proc``)."""
        ticks = 0
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as stat_file:
                    fields = stat_file.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                ticks += int(fields[11]) + int(fields[12])
        return ticks / os.sysconf("SC_CLK_TCK")

    def wait_until_ready(self, path: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.base_url + path, timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not become ready:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        self._log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


@contextlib.contextmanager
def gunicorn(app_spec: str, env: dict[str, str], log_path: Path, ready_path: str):
    server = Gunicorn(app_spec, env, log_path)
    try:
        server.wait_until_ready(ready_path)
        yield server
    finally:
        server.stop()
