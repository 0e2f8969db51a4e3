"""Servers on loopback for the benchmarks: the test kit's gunicorn, which the load tests run too."""

from testkit.servers import Gunicorn, free_port, gunicorn  # noqa: F401  (the benchmarks' names)
