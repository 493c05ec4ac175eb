"""One engine's run (PostgreSQL or SQLite), inside Django, on the demo network already built.

Each workload is timed several times and compared with its floor, measured in the same run:
HTTP workloads against a trivial JSON view on the same server, database workloads against one
hand-written SQL statement computing the same result. Prints the results as JSON on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relais.settings")
django.setup()

from bench import workloads  # noqa: E402  (Django must be set up first)
from bench.measure import cpu_yardstick  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    fixtures = workloads.prepare()
    chosen = [w for w in workloads.ALL if not args.only or w.__name__ in args.only.split(",")]
    results: list[dict[str, Any]] = []
    for workload in chosen:
        settled = workloads.settle()
        if settled:
            print(f"  (vacuumed {', '.join(settled)})", file=sys.stderr, flush=True)
        print(f"  {workload.__name__}…", file=sys.stderr, flush=True)
        before = cpu_yardstick()
        try:
            rows = workload(fixtures, quick=args.quick)
        except Exception as exc:  # a broken workload is reported, the others still run
            traceback.print_exc()  # where it broke, in the run's log
            results.append({"name": workload.__name__, "error": f"{type(exc).__name__}: {exc}"})
            continue
        # The host's speed drifts during a run (117 → 227 ms within one, once): each row
        # says how fast the machine was around it.
        host = [before, cpu_yardstick()]
        results += [{**row, "host_ms": host} for row in rows]
    json.dump(
        {
            "vendor": django.db.connection.vendor,
            "server": workloads.server_settings(),
            "results": results,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
