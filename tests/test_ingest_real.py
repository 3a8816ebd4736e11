"""The real files of shared/data/cbs added for issue 11 (see PROVENANCE.md there)."""

from __future__ import annotations

import pytest

from mixing.errors import InputError
from mixing.io.cbs import MissingGeometryWarning, read_units

ERMELO = "pdok_gpkg_ermelo_2021/CBS_buurten.gpkg"
ROTTERDAM_JSON = "rotterdam_buurt_boundaries_geojson/Rotterdam Wijken_2.geojson"
ROTTERDAM_REPAIRED = "rotterdam_buurt_boundaries_geojson/rotterdam_buurten_repaired.geojson"
ROTTERDAM_2017 = "kwb_statline_rotterdam_2014_2018/Kerncijfers_wijken_en_buurten_2017.csv"
WIJK_2017 = "wijk_2017_nl_geojson/wijk_2017.geojson"


def _quiet(*args, **kwargs):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_units(*args, **kwargs)


def test_ermelo_without_population_says_so(cbs_dir):
    with pytest.raises(InputError, match=r"CBS_buurten.gpkg: municipality GM0233 \(Ermelo\) "
                                         r"has no usable data: population and dwellings are "
                                         r"unknown.*for all 17 units"):
        _quiet(cbs_dir / ERMELO)
    units = _quiet(cbs_dir / ERMELO, allow_unusable=True)
    assert len(units) == 17 and units["population"].isna().all()
    assert units["year"].eq(2021).all() and units["is_water"].sum() == 1


def test_rotterdam_boundaries_as_committed_name_the_comma(cbs_dir):
    with pytest.raises(InputError, match=r"Rotterdam Wijken_2.geojson, line 83: the file is "
                                         r"not valid JSON: a trailing comma.*line 83, column "
                                         r"3660"):
        _quiet(cbs_dir / ROTTERDAM_JSON, cbs_dir / ROTTERDAM_2017)


def test_rotterdam_repaired_boundaries_read(cbs_dir):
    with pytest.warns(MissingGeometryWarning, match=r"14 of 92 units"):
        units = read_units(cbs_dir / ROTTERDAM_REPAIRED, cbs_dir / ROTTERDAM_2017)
    assert len(units) == 92 and units.geometry.notna().sum() == 78
    assert units["population"].sum() == 634_490  # the buurten of the 2017 table


def test_national_wijk_boundaries_2017(cbs_dir):
    wijken = _quiet(cbs_dir / WIJK_2017, cbs_dir / ROTTERDAM_2017, level="wijk")
    assert len(wijken) == 22 and wijken["level"].eq("wijk").all()
    assert wijken.geometry.notna().all() and wijken["population"].sum() == 634_615
    assert wijken.set_index("unit_code").at["WK059901", "unit_name"] == "Rotterdam Centrum"
    with pytest.raises(InputError, match=r"boundary-only map file.*allow_unusable=True"):
        _quiet(cbs_dir / WIJK_2017, level="wijk")
    alone = _quiet(cbs_dir / WIJK_2017, level="wijk", allow_unusable=True)
    assert len(alone) == 3070 and alone["level"].eq("wijk").all()
    assert alone["year"].eq(2017).all() and alone["municipality_code"].nunique() == 388


def test_apeldoorn_pc4_assigned_by_overlap_with_national_buurten(cbs_dir, nl_geometry):
    units = _quiet(cbs_dir / "pc4_stats_sample_apeldoorn/sample_shape.shp", level="pc4",
                   year=2015, regions=nl_geometry)
    by_code = dict(zip(units["unit_code"], units["municipality_code"], strict=True))
    assert by_code["7311"] == "GM0200" and by_code["3888"] == "GM0200"  # Hoog Soeren
    assert by_code["8171"] == by_code["8172"] == "GM0232"  # Vaassen lies in Epe
    assert units["municipality_code"].value_counts().to_dict() == {
        "GM0200": 33, "GM0285": 6, "GM0232": 2}
