"""The kit the load tests (``tests/load``) and the benchmarks (``bench/``) share: real servers
on loopback and visitors that go through the pages as a browser would.

Tests never import ``bench``; both import this (``tests/test_kit.py`` checks the first).
"""
