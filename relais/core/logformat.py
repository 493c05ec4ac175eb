"""The one log formatter of every logger (settings.LOGGING): the time in the site's time zone.

Django's runserver stamped its lines with the local time while other lines (the task worker's)
had none, or printed UTC: read side by side, the two seemed an hour or two apart. Every line now
carries the same clock, settings.TIME_ZONE, whatever the process's own TZ. Imported while logging
is configured, before the apps load: nothing here may touch a model.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.utils import timezone
from django.utils.log import ServerFormatter

DATE_FORMAT = "%Y-%m-%d %H:%M:%S"


class Formatter(ServerFormatter):
    """Django's server formatter (it colours request lines by status) with the site's clock."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802 - logging's name
        moment = datetime.fromtimestamp(record.created, tz=timezone.get_default_timezone())
        return moment.strftime(datefmt or DATE_FORMAT)
