"""aggregate_units: known answers on a hand-made lattice, and real Den Haag buurten -> wijken."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely import box

from mixing.errors import InputError
from mixing.io.aggregate import PartialSumWarning, aggregate_units
from mixing.io.cbs import read_units
from mixing.schema import CANONICAL_COLUMNS, COUNT_COLUMNS, empty_units, validate_units


def _lattice() -> gpd.GeoDataFrame:
    """Four 1x1 km buurten in two wijken of GM0001: WK000101 = {a, b}, WK000102 = {c, d}."""
    units = empty_units()
    codes = ["BU00010101", "BU00010102", "BU00010201", "BU00010202"]
    frame = pd.DataFrame({
        "unit_code": codes, "unit_name": list("abcd"), "level": "buurt",
        "municipality_code": "GM0001", "municipality_name": "Lattice",
        "wijk_code": [f"WK{c[2:8]}" for c in codes], "year": 2020,
        "population": [100.0, 300.0, 0.0, 50.0], "households": [50.0, 100.0, 0.0, 20.0],
        "dwellings": [60.0, 100.0, 0.0, 40.0], "dwellings_social": [30.0, np.nan, np.nan, np.nan],
        "mean_income": [20.0, 40.0, np.nan, 30.0], "mean_woz": [200.0, 400.0, np.nan, np.nan],
        "is_uninhabited": [False, False, True, False], "is_water": [False, False, True, False],
    })
    for column in COUNT_COLUMNS:
        frame[column] = frame.get(column, np.nan)
    geometry = [box(x, 0, x + 1000, 1000) for x in (0, 1000, 2000, 3000)]
    units = gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:28992")
    return validate_units(units[list(CANONICAL_COLUMNS)])


def test_lattice_wijken_known_answer():
    with pytest.warns(PartialSumWarning, match=r"dwellings_social: 1 of 4 parts were unknown"):
        wijken = aggregate_units(_lattice(), "wijk")
    validate_units(wijken)
    assert list(wijken.unit_code) == ["WK000101", "WK000102"]
    assert list(wijken.population) == [400.0, 50.0]
    assert wijken.dwellings_social[0] == 30.0  # known part only (lower bound, warned)
    assert np.isnan(wijken.dwellings_social[1])  # every part unknown -> NaN
    assert wijken.mean_income[0] == pytest.approx((20 * 100 + 40 * 300) / 400)  # by population
    assert wijken.mean_woz[0] == pytest.approx((200 * 60 + 400 * 100) / 160)  # by dwellings
    assert wijken.mean_income[1] == 30.0 and np.isnan(wijken.mean_woz[1])
    assert list(wijken.area) == [2e6, 2e6]
    assert not wijken["is_water"].any() and not wijken["is_uninhabited"].any()
    assert wijken.wijk_code.isna().all() and (wijken.level == "wijk").all()


def test_lattice_gemeente_preserves_totals():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PartialSumWarning)
        gemeente = aggregate_units(_lattice(), "gemeente")
    assert len(gemeente) == 1 and gemeente.unit_code.item() == "GM0001"
    assert gemeente.population.item() == 450.0
    assert gemeente.area.item() == pytest.approx(4e6)
    assert gemeente.municipality_name.item() == "Lattice"


def test_bad_level():
    with pytest.raises(InputError, match="only aggregate to 'wijk' or 'gemeente'"):
        aggregate_units(_lattice(), "pc4")


def test_real_den_haag_wijken_equal_manual_sums(cbs_dir):
    path = cbs_dir / ("kwb_odata_denhaag_amsterdam_utrecht/data/"
            "marginal_distributions_TheHague_2019_84583NED.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        buurten = read_units(table=path, year=2019)
        wijken = aggregate_units(buurten, "wijk")
    manual = buurten.groupby("wijk_code")[list(COUNT_COLUMNS)].sum(min_count=1)
    result = wijken.set_index("unit_code")[list(COUNT_COLUMNS)]
    pd.testing.assert_frame_equal(result, manual, check_names=False, check_index_type=False)
    for column in COUNT_COLUMNS:
        assert result[column].sum() == pytest.approx(buurten[column].sum())
