"""The benchmark's arithmetic and its report, without running the workloads (make bench does)."""

import json

import pytest

from bench.measure import interleaved, percentile, repeat, result, summary
from bench.report import write


def test_repeat_drops_the_warmup_and_summary_keeps_median_and_spread():
    calls = []
    samples = repeat(lambda: calls.append(1), times=5, warmup=2)
    assert (len(calls), len(samples)) == (7, 5)
    assert summary([3.0, 1.0, 2.0]) == {"median": 2.0, "min": 1.0, "max": 3.0, "runs": 3}
    assert percentile([float(n) for n in range(1, 101)], 0.95) == 95.0


def test_a_workload_and_its_floor_are_timed_by_turns():
    calls = []
    ours, floors = interleaved(lambda: calls.append("ours"), lambda: calls.append("floor"), 3)
    assert calls == ["ours", "floor"] * 4  # one warm-up each, then three of each by turns
    assert (len(ours), len(floors)) == (3, 3)


def test_the_report_writes_both_files_with_floor_ratio_and_verdict(tmp_path):
    row = result(
        "kpi_table",
        value=120.0,
        unit="ms",
        spread=(110.0, 130.0),
        floor=100.0,
        ratio=1.2,
        target="≤ 150 ms and ≤ 1.5× the SQL floor",
        met=True,
        odoo="265–700 ms",
        note="GROUP BY",
    )
    row["host_ms"] = [231.4, 118.0]  # the machine sped up during the workload
    older = result(
        "dashboard",
        value=9.0,
        unit="ms",
        spread=(8.0, 10.0),
        floor=7.0,
        ratio=1.3,
        target="",
        met=True,
    )
    report = {
        "when": "2026-11-22 10:00 UTC",
        "mode": "quick",
        "total_seconds": 12.0,
        "machine": {"cpus": 2, "python": "3.13.0", "system": "Linux"},
        "engines": {
            "postgresql": {
                "results": [row, older],
                "build_seconds": 1.0,
                "run_seconds": 2.0,
                "server": {"autovacuum": "off", "shared_buffers": "128MB"},
                "steal_percent": 3.5,
                "yardstick_ms": 540.2,
            },
            "sqlite": {"skipped": "no PostgreSQL"},
        },
    }
    write(report, tmp_path)
    assert (
        json.loads((tmp_path / "results.json").read_text())["engines"]["postgresql"]["results"][0][
            "ratio"
        ]
        == 1.2
    )
    table = (tmp_path / "RESULTS.md").read_text()
    assert "| postgresql | kpi_table | 120.0 ms | 110.0 – 130.0 | 100.0 | 1.200 |" in table
    assert "| yes | 265–700 ms | 118.0 – 231.4 |" in table  # the host's speed around it
    (dashboard,) = [line for line in table.splitlines() if "| dashboard |" in line]
    assert dashboard.endswith("| yes |  | — |")  # a row of an older run: no speed measured
    assert "skipped: no PostgreSQL" in table
    assert "server settings: `autovacuum = off`, `shared_buffers = 128MB`" in table
    assert "taken by the host for other machines: 3.5 %" in table
    assert "this host's speed: a fixed Python loop took 540.2 ms" in table


def test_the_yardstick_grows_with_the_work():
    from bench.measure import cpu_yardstick

    assert cpu_yardstick(4_000_000) > 1.5 * cpu_yardstick(1_000_000) > 0


def test_steal_is_the_share_of_cpu_time_the_host_took():
    from bench.__main__ import steal_percent

    # user nice system idle iowait irq softirq steal
    before = [100, 0, 50, 800, 10, 0, 0, 40]
    after = [200, 0, 100, 1550, 10, 0, 0, 140]
    assert steal_percent(before, after) == 10.0  # 100 of 1,000 ticks
    assert steal_percent([], after) is None


def test_a_partial_run_updates_its_workloads_and_keeps_the_others():
    from bench.__main__ import _merged

    def row(name, value):
        return result(
            name,
            value=value,
            unit="ms",
            spread=(value, value),
            floor=None,
            ratio=None,
            target="",
            met=None,
        )

    old = {"results": [row("kpi_table", 900.0), row("dashboard", 200.0)], "when": "then"}
    new = {"results": [row("kpi_table", 90.0)], "when": "now"}
    merged = _merged(old, new, only="kpi_table")
    assert {r["name"]: r["value"] for r in merged["results"]} == {
        "kpi_table": 90.0,
        "dashboard": 200.0,
    }
    assert merged["when"] == "now"
    assert _merged(old, new, only="") == new  # a whole run replaces the engine's figures


@pytest.mark.django_db
def test_the_report_names_the_database_settings_its_figures_depend_on():
    from django.db import connection

    from bench.workloads import server_settings

    settings = server_settings()
    if connection.vendor == "postgresql":
        assert set(settings) == {
            "autovacuum",
            "max_wal_size",
            "shared_buffers",
            "synchronous_commit",
        }
        assert settings["autovacuum"] in ("on", "off")
    else:
        assert set(settings) == {"journal_mode", "synchronous"}  # the tests' database is in memory
        assert settings["synchronous"] == "normal"


def test_a_spawned_process_reports_its_own_peak_memory_not_its_parents():
    """The import's memory is measured in a process the benchmark spawns: its figure must not
    include the benchmark's own memory, as ``ru_maxrss`` does on Linux."""
    import subprocess
    import sys

    ballast = bytearray(300 * 1024 * 1024)  # the parent's memory, touched
    ballast[::4096] = b"x" * len(ballast[::4096])
    script = (
        "import resource; from bench.measure import peak_rss_mb; "
        "print(peak_rss_mb(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    own, inherited = (float(x) for x in out.stdout.split())
    assert own < 100  # a bare interpreter
    assert inherited > 300  # what the report showed before: the parent's 300 MB
    del ballast


def test_the_workloads_progress_reaches_the_console_while_only_the_results_are_read(capfd):
    """The engine's child process: its stderr (the workload names, a traceback) is not held."""
    import os
    import subprocess
    import sys

    from bench.__main__ import child_results

    script = (
        "import json, sys; print('  kpis…', file=sys.stderr); print(json.dumps({'results': []}))"
    )
    assert child_results([sys.executable, "-c", script], dict(os.environ)) == {"results": []}
    assert capfd.readouterr().err == "  kpis…\n"

    failing = "import sys; sys.exit('Traceback: the workload broke')"
    with pytest.raises(subprocess.CalledProcessError):
        child_results([sys.executable, "-c", failing], dict(os.environ))
    assert "the workload broke" in capfd.readouterr().err


def test_a_build_shows_each_bar_at_its_tenths_and_every_other_line_named_by_engine():
    from bench.__main__ import shown

    bars = [f"leads:  {n}%|▏| {n * 10_000}/1000000 [00:01<00:10, 700 rows/s]\n" for n in range(101)]
    lines = ["Operations to perform:\n", *bars, "\n", "Demo network (large, seed 2026): …\n"]
    out = list(shown("sqlite", lines))
    assert out[0] == "[sqlite] Operations to perform:"
    assert [line.split("%")[0] for line in out[1:-1]] == [
        f"[sqlite] leads:  {n}" for n in range(0, 101, 10)
    ]
    assert out[-1] == "[sqlite] Demo network (large, seed 2026): …"


def test_a_failed_build_stops_the_bench_with_its_error_once_the_other_is_built(
    monkeypatch, capfd, tmp_path
):
    """Two engines' builds in their own processes; one that fails says why, under its name, and
    the other is finished (its network is there for the next run)."""
    import os
    import subprocess

    import bench.__main__ as bench_main

    def env(engine, quick):
        # SQLite in a directory of its own, whatever database the test run itself was given.
        inherited = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        broken = {"DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"} if engine == "bad" else {}
        own = {"RELAIS_DATA_DIR": str(tmp_path / engine), "DEBUG": "false"}
        return {**inherited, **own, **broken}

    monkeypatch.setattr(bench_main, "engine_env", env)
    # The small network, kept small: a few hundred leads are enough to see it built.
    monkeypatch.setattr(bench_main, "_size", lambda quick: ["--size", "small", "--leads", "300"])
    with pytest.raises(subprocess.CalledProcessError):
        bench_main.build(["good", "bad"], quick=True)
    err = capfd.readouterr().err.splitlines()
    assert any(line.startswith("[bad] ") and "refused" in line for line in err), err[-5:]
    assert any(line.startswith("[good] Demo network (small, seed 2026)") for line in err)
