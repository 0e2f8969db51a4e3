"""Benchmarks of eventsvc against minimal baselines on the same machine, run side by side.

``python -m bench`` runs them all and prints one table; ``bench/README.md`` explains each figure.
"""
