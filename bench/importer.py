"""Import one CSV file through the real import service, in its own process, and print the
seconds it took and the process's peak RSS (``python -m bench.importer FILE DRY_RUN``)."""

from __future__ import annotations

import json
import os
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relais.settings")
django.setup()

from django.core.files.uploadedfile import UploadedFile  # noqa: E402

from bench.measure import peak_rss_mb  # noqa: E402
from relais.accounts.models import User  # noqa: E402
from relais.leads import imports  # noqa: E402


def main(path: str, dry_run: bool) -> None:
    actor = User.objects.get(email="bench-manager@relais.demo")
    with open(path, "rb") as handle:
        # Streamed from disk, as Django hands over a large upload: the file is never in memory.
        upload = UploadedFile(handle, "bench.csv", "text/csv", os.path.getsize(path))
        batch = imports.import_upload(upload=upload, actor=actor)
    mapping = {
        "last_name": "nom",
        "phone": "telephone",
        "postcode": "code postal",
        "email": "email",
    }
    batch = imports.import_queue(batch=batch, mapping=mapping, mode="valid_only", dry_run=dry_run)
    started = time.perf_counter()
    imports.run(batch.pk)
    seconds = time.perf_counter() - started
    rss_mb = peak_rss_mb()
    batch.refresh_from_db()
    result = {"seconds": seconds, "rss_mb": round(rss_mb, 1), "created": batch.created}
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] == "1")
