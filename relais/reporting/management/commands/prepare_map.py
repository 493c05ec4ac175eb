from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from relais.reporting import geometry


class Command(BaseCommand):
    help = "Prepare the map's geometry (projected, simplified SVG paths) from the GeoJSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", type=Path, help="departements-avec-outre-mer.geojson")

    def handle(self, *args: Any, source: Path, **options: Any) -> None:
        size = geometry.write(source)
        self.stdout.write(f"{geometry.DATA}: {size // 1024} KB")
