"""`make run`'s console: each log line printed once, every line on the site's clock."""

import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.utils import timezone

from relais.core.logformat import Formatter

ROOT = Path(__file__).resolve().parents[3]


def minutes_just_past() -> set[str]:
    """This minute and the one before on the site's clock (Paris), as the lines print them."""
    now = timezone.localtime()
    return {f"{moment:%Y-%m-%d %H:%M}" for moment in (now, now - timedelta(minutes=1))}


EMIT = """
import logging, django
django.setup()
logging.getLogger("django.tasks").info("Task id=probe-task path=x state=RUNNING")
logging.getLogger("django.request").warning("Not Found: /probe-404")
logging.getLogger("django.server").info('"GET /probe-server HTTP/1.1" 200 12', extra={"status_code": 200})
logging.getLogger("relais.core.scheduling").info("probe-schedule")
"""


def test_each_record_is_written_once_with_the_sites_time(tmp_path):
    """In a process configured as `manage.py runserver` and `db_worker` are (DEBUG on, as in
    development), a record of the tasks logger, a "Not Found" and a request line appear once."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "relais.settings", "DEBUG": "1", "TZ": "UTC"}
    env["RELAIS_DATA_DIR"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", EMIT], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    output = done.stdout + done.stderr
    for probe in ("probe-task", "probe-404", "probe-server", "probe-schedule"):
        assert output.count(probe) == 1, output
    stamps = re.findall(r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d):\d\d\]", output, re.M)
    assert len(stamps) == 4, output
    assert set(stamps) <= minutes_just_past()


def test_the_formatter_writes_the_sites_time_whatever_the_process_clock():
    import logging

    record = logging.LogRecord("django.tasks", logging.INFO, __file__, 1, "x", None, None)
    record.created = datetime(2026, 7, 1, 12, 0, tzinfo=UTC).timestamp()
    line = Formatter("[{asctime}] {message}", style="{").format(record)
    assert line == "[2026-07-01 14:00:00] x"  # Paris in summer: UTC+2


def test_start_schedules_prints_the_next_runs_on_the_sites_clock(db):
    out = StringIO()
    call_command("start_schedules", stdout=out)
    printed = re.findall(r"next run (\d{4}-\d\d-\d\d \d\d:\d\d)", out.getvalue())
    assert printed
    assert set(printed) <= minutes_just_past()
