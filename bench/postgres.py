"""PostgreSQL for the benchmarks' PostgreSQL rows: a throwaway database (or schema) per run."""

import contextlib
import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator

from bench.common import (
    LOCAL_PG_PORT,
    LOCAL_PG_ROLE,
    PG_URI_VARIABLE,
)


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
