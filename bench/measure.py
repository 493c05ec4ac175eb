"""Timing helpers: repeat a workload, keep the median and the spread; a process's peak memory."""

from __future__ import annotations

import resource
import statistics
import time
from collections.abc import Callable
from typing import Any


def repeat(fn: Callable[[], Any], times: int, warmup: int = 1) -> list[float]:
    """Seconds per run, after ``warmup`` runs that are not kept."""
    for _ in range(warmup):
        fn()
    return [_timed(fn) for _ in range(times)]


def interleaved(
    fn: Callable[[], Any], floor: Callable[[], Any], times: int, warmup: int = 1
) -> tuple[list[float], list[float]]:
    """Seconds per run of a workload and of its floor, run by turns: the machine's speed drifts
    (by a third between two runs here), and a drift while one was measured after the other
    weighed on the ratio alone."""
    for _ in range(warmup):
        fn()
        floor()
    ours, floors = [], []
    for _ in range(times):
        ours.append(_timed(fn))
        floors.append(_timed(floor))
    return ours, floors


def _timed(fn: Callable[[], Any]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "median": statistics.median(ordered),
        "min": ordered[0],
        "max": ordered[-1],
        "runs": len(ordered),
    }


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def result(
    name: str,
    *,
    value: float,
    unit: str,
    spread: tuple[float, float],
    floor: float | None,
    ratio: float | None,
    target: str,
    met: bool | None,
    note: str = "",
    **extra: Any,
) -> dict[str, Any]:
    return {
        "name": name,
        "value": round(value, 4),
        "unit": unit,
        "spread": [round(spread[0], 4), round(spread[1], 4)],
        "floor": None if floor is None else round(floor, 4),
        "ratio": None if ratio is None else round(ratio, 3),
        "target": target,
        "met": met,
        "note": note,
        **extra,
    }


def peak_rss_mb() -> float:
    """This process's own peak RSS: ``VmHWM``, the high-water mark of its address space since
    it was exec'd. Not ``getrusage``'s ``ru_maxrss``: Linux carries into it the peak of the
    image the process replaced at exec — here the benchmark that spawned it (vfork shares its
    memory until then) — so the import reported the parent's 690 MB instead of its own ~75."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # no /proc (not Linux)


def cpu_yardstick(loops: int = 2_000_000) -> float:
    """Milliseconds a fixed pure-Python loop takes here (best of three): this host's speed.
    Two hosts of the same kind ran the same code twice apart (the /ping floor 1,656 and
    776 requests/s): figures from different days compare only through this, or through their
    ratios to the floors."""

    def once() -> float:
        started, total = time.perf_counter(), 0
        for n in range(loops):
            total += n
        return time.perf_counter() - started

    return round(min(once() for _ in range(3)) * 1000, 1)
