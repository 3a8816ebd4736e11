"""A simplified outline of the Netherlands, shipped with the package, to check map files.

A rectangle in RD coordinates lets a buurt moved 200 km east into Germany pass, because the
rectangle holds much of Germany and Belgium. :func:`outline` is the country itself: the
union of the national CBS buurt boundaries of 2019, closed over the large waters, widened
and simplified (:func:`build_outline`, parameters below). It is stored as
``nl_outline.geojson`` next to this module (integer RD metres, a few KB) and regenerated
from the shared data with::

    python -m mixing.io.outline ../shared/data/cbs/buurt_2019_nl_topojson/buurten.json

``tests/test_outline.py`` checks that the shipped file is what this command writes.

How the outline is made, and why
--------------------------------
1. Union of all 13,594 buurten (each widened by 1 m so that generalisation slivers close).
2. Holes dropped (the IJsselmeer and Markermeer, which the generalised 2019 layer leaves
   out but the CBS wijk- en buurtkaart with water divides among municipalities) and the
   shape closed over waters up to 2 x :data:`CLOSE_M` wide (buffer out by ``CLOSE_M``, back
   in by ``CLOSE_M - MARGIN_M``). A wider closing would glue the country to Belgium and
   Germany across the concave land border, so only the Wadden Sea box
   (:data:`WADDEN_BOX`) is closed with :data:`CLOSE_WADDEN_M` (the sea between the islands
   and the mainland is up to 30 km wide).
3. Net widening by :data:`MARGIN_M` (coastal water buurten, other years' boundaries,
   generalisation) and simplification to :data:`SIMPLIFY_M` (Douglas-Peucker, topology
   kept), applied so that the outline never moves inward by more than the margin it got.

A feature is outside when less than half of its area lies inside the outline
(:func:`outside`): a moved or mis-projected feature is wholly outside, a coastal water buurt
that reaches a little further into the sea is not refused.
"""

from __future__ import annotations

import json
import sys
from functools import cache
from pathlib import Path

import numpy as np
import shapely

__all__ = ["OUTLINE_FILE", "CLOSE_M", "CLOSE_WADDEN_M", "WADDEN_BOX", "MARGIN_M",
           "SIMPLIFY_M", "INSIDE_SHARE", "build_outline", "write_outline", "outline", "outside"]

#: The shipped outline (GeoJSON geometry, EPSG:28992, integer metres).
OUTLINE_FILE = Path(__file__).with_name("nl_outline.geojson")
#: Waters up to twice this wide are closed.
CLOSE_M = 8_000.0
#: ... and in the Wadden Sea box (RD xmin, ymin, xmax, ymax) up to twice this wide.
CLOSE_WADDEN_M = 20_000.0
WADDEN_BOX = (-100_000.0, 560_000.0, 260_000.0, 700_000.0)
#: Net widening of the land outline.
MARGIN_M = 5_000.0
#: Simplification tolerance.
SIMPLIFY_M = 500.0
#: A feature with less than this share of its area inside the outline is outside.
INSIDE_SHARE = 0.5


def build_outline(boundaries: str | Path) -> shapely.MultiPolygon:
    """The outline from a national buurt boundary file (the 2019 CBS TopoJSON).

    Parameters
    ----------
    boundaries : path
        ``buurt_2019_nl_topojson/buurten.json`` of the shared data (lon/lat, no CRS).
    """
    import geopandas as gpd

    frame = gpd.read_file(boundaries)
    frame = frame.set_crs(4326, allow_override=True) if frame.crs is None else frame
    shapes = frame.to_crs(28992).geometry.to_numpy()
    land = shapely.union_all(shapely.buffer(shapes, 1.0))
    filled = shapely.union_all([shapely.Polygon(shapely.get_exterior_ring(p))
                                for p in shapely.get_parts(land)])
    simple = shapely.simplify(filled, SIMPLIFY_M)

    def closing(radius: float) -> shapely.Geometry:
        # out by radius, back in so that MARGIN_M remains after both simplifications
        return shapely.buffer(shapely.buffer(simple, radius),
                              -(radius - MARGIN_M - SIMPLIFY_M))

    wadden = shapely.intersection(closing(CLOSE_WADDEN_M), shapely.box(*WADDEN_BOX))
    result = shapely.simplify(shapely.union(closing(CLOSE_M), wadden), SIMPLIFY_M)
    result = shapely.set_precision(result, 1.0)
    return result if result.geom_type == "MultiPolygon" else shapely.MultiPolygon([result])


def write_outline(geometry: shapely.Geometry, path: str | Path = OUTLINE_FILE) -> Path:
    """Write ``geometry`` as a GeoJSON geometry with integer coordinates."""
    mapping = shapely.geometry.mapping(geometry)

    def ints(value):
        if isinstance(value, list | tuple):
            if value and isinstance(value[0], float | int):
                return [int(round(v)) for v in value]
            return [ints(v) for v in value]
        return value

    mapping = {"type": mapping["type"], "coordinates": ints(mapping["coordinates"]),
               "crs": "EPSG:28992"}
    Path(path).write_text(json.dumps(mapping, separators=(",", ":")) + "\n", encoding="utf-8")
    return Path(path)


@cache
def outline() -> shapely.MultiPolygon:
    """The shipped outline (prepared for fast predicates)."""
    data = json.loads(OUTLINE_FILE.read_text(encoding="utf-8"))
    geometry = shapely.geometry.shape({k: v for k, v in data.items() if k != "crs"})
    shapely.prepare(geometry)
    return geometry


def outside(values: np.ndarray) -> np.ndarray:
    """True for every feature (EPSG:28992) with less than half its area in the Netherlands.

    Missing and empty geometries are not outside (other checks name them).
    """
    shape = outline()
    present = ~(shapely.is_missing(values) | shapely.is_empty(values))
    result = np.zeros(len(values), dtype=bool)
    candidates = np.flatnonzero(present)
    if not len(candidates):
        return result
    within = shapely.within(values[candidates], shape)
    check = candidates[~within]
    if len(check):
        area = shapely.area(values[check])
        inside = shapely.area(shapely.intersection(values[check], shape))
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(area > 0, inside / area, 0.0)
        result[check] = share < INSIDE_SHARE
    return result


if __name__ == "__main__":  # python -m mixing.io.outline <buurten.json> [out.geojson]
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: python -m mixing.io.outline <buurt_2019 buurten.json> [out.geojson]")
    written = write_outline(build_outline(sys.argv[1]),
                            sys.argv[2] if len(sys.argv) == 3 else OUTLINE_FILE)
    print(f"outline written to {written} ({written.stat().st_size:,} bytes)")
