"""Shared result type and timing helpers for the benchmarks."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Result", "timed"]


@dataclass(frozen=True)
class Result:
    """One measurement: ``measured`` against ``baseline`` with the target ratio it must meet.

    ``higher_is_better`` is True for throughput-style ratios (target is a minimum) and False for
    time-style ratios (target is a maximum).
    """

    name: str
    measured: float
    baseline: float
    target: float
    unit: str = "s"
    higher_is_better: bool = False
    note: str = ""

    @property
    def ratio(self) -> float:
        """measured / baseline."""
        return self.measured / self.baseline if self.baseline else float("inf")

    @property
    def ok(self) -> bool:
        """Whether the ratio meets the target."""
        return self.ratio >= self.target if self.higher_is_better else self.ratio <= self.target


def timed(fn: Callable[[], object]) -> float:
    """Wall-clock seconds taken by ``fn()``."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start
