"""Seconds per stage of a run: :class:`Laps`, which the build and the publish step keep."""
from __future__ import annotations

import time


class Laps:
    """A stopwatch of laps: ``laps("parse")`` adds the seconds since the last lap (or since the
    stopwatch began) to ``timings["parse"]``. :attr:`clock` may be set back, when a stage's wall
    time is shared out between stages that ran interleaved."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self.clock = time.perf_counter()

    def __call__(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = self.timings.get(name, 0.0) + now - self.clock
        self.clock = now


__all__ = ["Laps"]
