"""``make bench`` (``python -m bench [--quick] [--engines postgresql,sqlite] [--only a,b]``).

Builds (or reuses) the demo network in a database of its own per engine — the large one (5,000
resellers, 50,000 introducers, 1,000,000 leads, the commission lines) or, with ``--quick``, the
small one — every engine's at once, then runs every workload there in a child process, one
engine after the other, and writes ``bench/results.json`` and ``bench/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench.measure import cpu_yardstick
from bench.report import write

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("RELAIS_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("RELAIS_BENCH_REDIS", "redis://127.0.0.1:6379")


def _pg_ready(name: str) -> bool:
    """Create the bench database when the server answers; False when there is no server."""
    try:
        import psycopg
    except ImportError:
        return False
    try:
        with psycopg.connect(f"{PG}/postgres", autocommit=True, connect_timeout=3) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
            ).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError:
        return False
    return True


def _redis(engine: str) -> str | None:
    """The cache production would share between its processes, when one answers here: a
    database of its own per engine (14, 15), emptied first, so no figure comes from a cache
    filled by another engine or an earlier run."""
    try:
        import redis
    except ImportError:
        return None
    url = f"{REDIS}/{14 if engine == 'postgresql' else 15}"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).flushdb()
    except redis.RedisError:
        return None
    return url


def engine_env(engine: str, quick: bool) -> dict[str, str] | None:
    name = "relais_bench_quick" if quick else "relais_bench"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "RELAIS_DATA_DIR")}
    env.update({"DEBUG": "false", "TASK_BACKEND": "database", "PYTHONPATH": str(ROOT)})
    redis = _redis(engine)
    if redis:
        env["REDIS_URL"] = redis
    if engine == "postgresql":
        if not _pg_ready(name):
            return None
        env["DATABASE_URL"] = f"{PG}/{name}"
    else:
        data = ROOT / "data" / name
        data.mkdir(parents=True, exist_ok=True)
        env["RELAIS_DATA_DIR"] = str(data)
    return env


def build(engines: list[str], quick: bool) -> dict[str, tuple[dict[str, str] | None, float]]:
    """Each engine's network (migrate, then ``seed_demo`` unless it holds data), all at once:
    on two cores a build is one Python process and its database's share of the other core, so
    PostgreSQL's and SQLite's side by side take little more than the longer one. Each engine's
    environment (None: no PostgreSQL answers) and build time; a build that fails stops the
    bench once the others are finished (their networks are there for the next run)."""
    with ThreadPoolExecutor(max_workers=len(engines)) as pool:
        futures = {engine: pool.submit(_build_one, engine, quick) for engine in engines}
    return {engine: future.result() for engine, future in futures.items()}


def _build_one(engine: str, quick: bool) -> tuple[dict[str, str] | None, float]:
    env = engine_env(engine, quick)
    if env is None:
        return None, 0.0
    started = time.perf_counter()
    seed = ["seed_demo", *_size(quick), "--if-empty", "-v0"]
    for step in (["migrate", "--no-input", "-v0"], seed):
        command = [sys.executable, "manage.py", *step]
        with subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        ) as child:
            assert child.stdout is not None
            for line in shown(engine, child.stdout):
                print(line, file=sys.stderr, flush=True)
        if child.returncode:
            raise subprocess.CalledProcessError(child.returncode, command)
    return env, time.perf_counter() - started


def _size(quick: bool) -> list[str]:
    return ["--size", "small", "--leads", "20000"] if quick else ["--size", "large"]


BAR = re.compile(r"\s*(?P<label>[^:]+):\s+(?P<percent>\d+)%\|")


def shown(engine: str, lines: Iterable[str]) -> Iterator[str]:
    """A build's output, each line named by its engine: two builds at once would redraw each
    other's progress bars on one console line. A bar (tqdm redraws it after a carriage
    return, which text mode reads as a line) is shown at each tenth; every other line as is."""
    tenths: dict[str, int] = {}
    for line in lines:
        text = line.rstrip()
        bar = BAR.match(text)
        if bar:
            tenth = int(bar["percent"]) // 10
            if tenths.get(bar["label"]) == tenth:
                continue
            tenths[bar["label"]] = tenth
        if text:
            yield f"[{engine}] {text.strip()}"


def run_engine(
    engine: str, env: dict[str, str] | None, built: float, args: argparse.Namespace
) -> dict[str, Any]:
    if env is None:
        return {"skipped": "no PostgreSQL answers at " + PG}
    started = time.perf_counter()
    command = [sys.executable, "-m", "bench.engine"] + (["--quick"] if args.quick else [])
    if args.only:
        command += ["--only", args.only]
    yardstick = cpu_yardstick()
    before = cpu_ticks()
    data = child_results(command, env)
    after = cpu_ticks()
    data["build_seconds"] = round(built, 1)
    data["run_seconds"] = round(time.perf_counter() - started, 1)
    data["steal_percent"] = steal_percent(before, after)
    data["yardstick_ms"] = yardstick
    return data


def child_results(command: list[str], env: dict[str, str]) -> dict[str, Any]:
    """The JSON a child process prints. Only that is captured: its progress and tracebacks go
    to the console as they come (held until the end, a run showed nothing for ten minutes, and
    nothing at all when the child failed)."""
    out = subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=subprocess.PIPE, text=True)
    results: dict[str, Any] = json.loads(out.stdout)
    return results


def cpu_ticks() -> list[int]:
    """The machine's CPU time by state (``/proc/stat``), to tell a slow run from a slow host."""
    try:
        with open("/proc/stat") as stat:
            return [int(x) for x in stat.readline().split()[1:]]
    except OSError:
        return []


def steal_percent(before: list[int], after: list[int]) -> float | None:
    """The share of CPU time the hypervisor gave to other machines while the workloads ran:
    on a shared host, figures of the same code move with it (the eighth column, "steal")."""
    if len(before) < 8 or len(after) < 8:
        return None
    spent = [b - a for a, b in zip(before, after, strict=False)]
    total = sum(spent[:8])
    return round(100 * spent[7] / total, 1) if total else None


def _earlier(mode: str) -> dict[str, Any]:
    """The engines of the last run of the same mode: a run of one engine, or of some workloads
    (``--only``), updates those and keeps the rest, each engine saying when it ran."""
    try:
        earlier = json.loads((ROOT / "bench" / "results.json").read_text())
    except (OSError, ValueError):
        return {}
    return dict(earlier.get("engines", {})) if earlier.get("mode") == mode else {}


def _merged(old: dict[str, Any] | None, new: dict[str, Any], only: str) -> dict[str, Any]:
    if not only or not old or "results" not in old or "results" not in new:
        return new
    fresh = {r["name"] for r in new["results"]}
    kept = [r for r in old["results"] if r["name"] not in fresh]
    return {**new, "results": kept + new["results"]}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--quick", action="store_true", help="small data, short runs (< 3 min)")
    parser.add_argument("--engines", default="postgresql,sqlite")
    parser.add_argument("--only", default="", help="comma-separated workload names")
    args = parser.parse_args()
    started = time.perf_counter()
    report: dict[str, Any] = {
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "mode": "quick" if args.quick else "full",
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "system": platform.platform(),
        },
        "engines": {},
    }
    report["engines"] = _earlier(report["mode"])
    engines = args.engines.split(",")
    built = build(engines, args.quick)
    for engine in engines:
        print(f"== {engine}", file=sys.stderr, flush=True)
        data = run_engine(engine, *built[engine], args)
        data["when"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        report["engines"][engine] = _merged(report["engines"].get(engine), data, args.only)
        # Written after each engine: a long run stopped midway keeps what it measured.
        report["total_seconds"] = round(time.perf_counter() - started, 1)
        write(report, ROOT / "bench")
    print(f"bench/RESULTS.md written in {report['total_seconds']} s", file=sys.stderr)


if __name__ == "__main__":
    main()
