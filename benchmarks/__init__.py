"""Benchmarks: each ``bench_*.py`` module measures cpcase against a baseline in the same run.

A module defines ``run(scale: float) -> list[Result]``. ``python -m benchmarks`` (``make bench``)
runs them all and prints a table of ratios against each target. ``BENCH_SCALE`` (default 1.0)
shrinks the workloads for a quick look; targets are only meaningful at scale 1.0.
"""
