"""The shipped outline of the Netherlands is what `python -m mixing.io.outline` makes."""

from __future__ import annotations

import subprocess
import sys

import shapely

from mixing.io.outline import OUTLINE_FILE, outline


def test_shipped_outline_matches_the_script(tmp_path, cbs_dir):
    out = tmp_path / "outline.geojson"
    done = subprocess.run(
        [sys.executable, "-W", "ignore", "-m", "mixing.io.outline",
         str(cbs_dir / "buurt_2019_nl_topojson/buurten.json"), str(out)],
        capture_output=True, text=True, check=True)
    assert "outline written to" in done.stdout
    if out.read_bytes() != OUTLINE_FILE.read_bytes():  # another GEOS may round differently
        fresh = shapely.from_geojson(out.read_text())
        assert shapely.area(shapely.symmetric_difference(fresh, outline())) < 1e-4 * fresh.area
    assert OUTLINE_FILE.stat().st_size < 10_000  # small: a few KB in the package


def test_outline_is_one_valid_multipolygon():
    shape = outline()
    assert shape.geom_type == "MultiPolygon" and shape.is_valid
    # the land area of the Netherlands is 33,700 km2, with inland and Wadden water 41,500
    assert 41_500e6 < shape.area < 52_000e6
