"""The map's geometry, prepared once from the départements' GeoJSON (``prepare_map``): each
département a projected, simplified SVG path, the overseas ones drawn as insets below the
mainland. The product reads only the JSON file this writes (``data/departements.json``)."""

from __future__ import annotations

import functools
import json
import math
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data" / "departements.json"
ATTRIBUTION = "Source : IGN, Admin Express (Licence Ouverte / Etalab)"
WIDTH = 600
MAINLAND = 560  # the mainland's height; the insets sit in a row below it
INSET = 90  # each inset's box
OVERSEAS = ("971", "972", "973", "974", "976")
TOLERANCE = 0.6  # in output pixels: what the simplification may move a point by

Point = tuple[float, float]


def _project(lon: float, lat: float, lat0: float) -> Point:
    # Equirectangular around the area's middle latitude: shapes are right at this scale.
    return lon * math.cos(math.radians(lat0)), -lat


def _rings(geometry: dict[str, Any]) -> list[list[list[float]]]:
    polygons = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        polygons = [polygons]
    return [ring for polygon in polygons for ring in polygon]


def _simplify(points: list[Point], tolerance: float) -> list[Point]:
    """Douglas–Peucker, iterative (a coastline has thousands of points)."""
    if len(points) < 4:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        dx, dy = x2 - x1, y2 - y1
        norm = math.hypot(dx, dy) or 1.0
        far, index = 0.0, 0
        for i in range(first + 1, last):
            x, y = points[i]
            d = (
                abs(dy * (x - x1) - dx * (y - y1)) / norm
                if (dx or dy)
                else math.hypot(x - x1, y - y1)
            )
            if d > far:
                far, index = d, i
        if far > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def _fit(features: list[dict[str, Any]], box: tuple[float, float, float, float]) -> dict[str, str]:
    """Paths of these features scaled into ``box`` (x, y, width, height), aspect kept."""
    lats = [pt[1] for f in features for ring in _rings(f["geometry"]) for pt in ring]
    lat0 = (min(lats) + max(lats)) / 2
    projected = {
        f["properties"]["code"]: [
            [_project(lon, lat, lat0) for lon, lat in ring] for ring in _rings(f["geometry"])
        ]
        for f in features
    }
    xs = [x for rings in projected.values() for ring in rings for x, _y in ring]
    ys = [y for rings in projected.values() for ring in rings for _x, y in ring]
    left, top, width, height = box
    x0, y0, x1, y1 = min(xs), min(ys), max(xs), max(ys)
    scale = min(width / (x1 - x0), height / (y1 - y0))
    dx = left + (width - scale * (x1 - x0)) / 2
    dy = top + (height - scale * (y1 - y0)) / 2
    paths = {}
    for code, rings in projected.items():
        parts = []
        for ring in rings:
            pts = [((x - x0) * scale + dx, (y - y0) * scale + dy) for x, y in ring]
            pts = _simplify(pts, TOLERANCE)
            if len(pts) < 3:
                continue
            parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in pts) + "Z")
        paths[code] = "".join(parts)
    return paths


def prepare(source: Path) -> dict[str, Any]:
    features = json.loads(source.read_text())["features"]
    names = {f["properties"]["code"]: f["properties"]["nom"] for f in features}
    mainland = [f for f in features if f["properties"]["code"] not in OVERSEAS]
    paths = _fit(mainland, (0, 0, WIDTH, MAINLAND))
    insets = []
    for i, code in enumerate(OVERSEAS):
        box = (10 + i * (INSET + 26), MAINLAND + 10, INSET, INSET)
        found = [f for f in features if f["properties"]["code"] == code]
        if found:
            paths |= _fit(found, box)
            insets.append({"code": code, "box": box})
    return {
        "viewBox": f"0 0 {WIDTH} {MAINLAND + INSET + 20}",
        "attribution": ATTRIBUTION,
        "insets": insets,
        "departements": {code: {"name": names[code], "d": paths[code]} for code in sorted(paths)},
    }


def write(source: Path, target: Path = DATA) -> int:
    target.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(prepare(source), ensure_ascii=False, separators=(",", ":"))
    target.write_text(text + "\n")
    return len(text)


@functools.cache
def load() -> dict[str, Any]:
    """The prepared geometry, read once per process."""
    return json.loads(DATA.read_text())
