"""Harmonisation across years: area table, areal interpolation, match by code (real CBS data)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from conftest import ODATA, read_quietly
from hypothesis import given, settings
from hypothesis import strategies as st

from mixing.errors import InputError
from mixing.geometry.harmonise import (
    UnallocatedWarning,
    allocation,
    area_table,
    harmonise,
    interpolate,
)
from mixing.schema import CANONICAL_COLUMNS

AMSTERDAM_2019 = ODATA + "ams_2019/marginal_distributions_84583NED.csv"
AMSTERDAM_2017 = "kwb_statline_amsterdam_2017/Kerncijfers_wijken_en_buurten_2017.csv"
ROTTERDAM = "kwb_statline_rotterdam_2014_2018/Kerncijfers_wijken_en_buurten_{}.csv"


_read = read_quietly


@pytest.fixture(scope="module")
def nl(nl_geometry):
    return nl_geometry


@pytest.fixture(scope="module")
def den_haag(den_haag_2019):
    return den_haag_2019


# ----------------------------------------------------------------------------- hand lattices
def _boxes(*bounds):
    return gpd.GeoSeries([shapely.box(*b) for b in bounds], crs=28992)


def _units(codes, bounds, population, year, **extra):
    frame = pd.DataFrame({"unit_code": codes, "population": population,
                          "dwellings": np.asarray(population, dtype=float) / 2, **extra})
    frame["year"] = year
    return gpd.GeoDataFrame(frame, geometry=_boxes(*bounds).to_numpy(), crs=28992)


def test_area_table_by_hand():
    # sources [0,2]x[0,1] and [2,4]x[0,1]; targets split at x = 1 and x = 3
    src = _boxes((0, 0, 2, 1), (2, 0, 4, 1))
    tgt = _boxes((0, 0, 1, 1), (1, 0, 3, 1), (3, 0, 4, 2))
    A = area_table(src, tgt)
    np.testing.assert_array_equal(A.toarray(), [[1, 1, 0], [0, 1, 1]])
    W = allocation(A)
    np.testing.assert_array_equal(W.toarray(), [[0.5, 0.5, 0], [0, 0.5, 0.5]])
    # source area instead of covered area: the same here (targets cover the sources)
    np.testing.assert_array_equal(allocation(A, source_area=[2, 2]).toarray(), W.toarray())
    # 100 and 40 residents: 50 | 50 + 20 | 20
    np.testing.assert_allclose(interpolate([100.0, 40.0], W), [50, 70, 20])
    # income 10 (100 residents) and 20 (40 residents): middle target (50 + 20 residents)
    mid = (10 * 50 + 20 * 20) / 70
    np.testing.assert_allclose(interpolate([10.0, 20.0], W, intensive=True, by=[100.0, 40.0]),
                               [10, mid, 20])
    # unknown weight count: plain area weights
    np.testing.assert_allclose(interpolate([10.0, 20.0], W, intensive=True,
                                           by=[np.nan, np.nan]), [10, 15, 20])
    # an unknown count is skipped; a target reached only by it is NaN
    np.testing.assert_allclose(interpolate([np.nan, 40.0], W), [np.nan, 20, 20])


def test_area_table_rejects_degrees():
    src = gpd.GeoSeries([shapely.box(4, 52, 4.1, 52.1)], crs=4326)
    with pytest.raises(InputError, match=r"must be in EPSG:28992.*to_crs"):
        area_table(src, src)


def test_harmonise_lattice_code_and_interpolation():
    # target year: four unit squares A B C D in a row
    target = _units(["BU00010001", "BU00010002", "BU00010003", "BU00010004"],
                    [(0, 0, 1, 1), (1, 0, 2, 1), (2, 0, 3, 1), (3, 0, 4, 1)],
                    [10.0, 20.0, 30.0, 40.0], 2019)
    # earlier year: A and D have their 2019 codes; B+C were one unit with another code,
    # drawn slightly too wide (it overlaps A by 0.1): areal weights must not double count A
    earlier = _units(["BU00010001", "BU00010099", "BU00010004"],
                     [(0, 0, 1, 1), (0.9, 0, 3, 1), (3, 0, 4, 1)], [12.0, 60.0, 44.0], 2017)
    stacked, report = harmonise({2017: earlier, 2019: target}, target_year=2019)
    assert list(stacked.columns[:len(CANONICAL_COLUMNS)]) == list(CANONICAL_COLUMNS)
    old = stacked[stacked.year == 2017].set_index("unit_code")
    np.testing.assert_allclose(old.population, [12, 30, 30, 44])  # 60 split 1 : 1 over B, C
    assert old.harmonised_by.tolist() == ["code", "interpolated", "interpolated", "code"]
    s = report.summary.set_index("year")
    columns = ["n_by_code", "n_interpolated", "n_targets_interpolated"]
    assert s.loc[2017, columns].tolist() == [2, 1, 2]
    assert s.loc[2019, ["n_by_code", "n_interpolated"]].tolist() == [4, 0]
    assert report.preserved
    np.testing.assert_allclose(stacked[stacked.year == 2019].population, [10, 20, 30, 40])
    # a CBS boundary flag of 3 on D forces interpolation onto D although the code exists
    flagged = earlier.assign(boundary_change=[1, 3, 3])
    stacked, report = harmonise({2017: flagged, 2019: target}, target_year=2019)
    old = stacked[stacked.year == 2017].set_index("unit_code")
    np.testing.assert_allclose(old.population, [12, 30, 30, 44])
    assert old.harmonised_by.tolist()[-1] == "interpolated"
    assert report.summary.set_index("year").loc[2017, "n_by_code"] == 1
    # the same through changed=
    stacked2, _ = harmonise({2017: earlier, 2019: target}, target_year=2019,
                            changed={2017: ["BU00010004"]})
    assert stacked2[stacked2.year == 2017].harmonised_by.tolist()[-1] == "interpolated"


def test_harmonise_warns_when_nothing_to_allocate_to():
    target = _units(["BU00010001"], [(0, 0, 1, 1)], [10.0], 2019)
    lost = _units(["BU00010001", "BU00019999"], [(0, 0, 1, 1), (5, 5, 6, 6)], [10.0, 7.0], 2018)
    with pytest.warns(UnallocatedWarning, match=r"2018: 1 units .*BU00019999.*population 7"):
        _, report = harmonise({2018: lost, 2019: target}, target_year=2019)
    row = report.totals.set_index(["year", "column"]).loc[(2018, "population")]
    assert row.source_total == 17 and row.harmonised_total == 10
    assert not report.preserved


def test_harmonise_errors():
    target = _units(["BU00010001"], [(0, 0, 1, 1)], [10.0], 2019)
    other = _units(["BU00010002"], [(0, 0, 1, 1)], [10.0], 2018)
    with pytest.raises(InputError, match="target_year 2020 is not among the years"):
        harmonise({2019: target}, target_year=2020)
    with pytest.raises(InputError, match=r"area table of 2018 has shape \(2, 2\)"):
        harmonise({2018: other, 2019: target}, target_year=2019,
                  tables={2018: np.ones((2, 2))})


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0, 1e5), min_size=3, max_size=3),
       st.floats(0.1, 2.9), st.floats(0.1, 0.9))
def test_interpolation_preserves_totals(population, cut, height):
    # any split of a 3 x 1 strip onto 3 unit squares plus an overlapping tall box
    src = _boxes((0, 0, cut, 1), (cut, 0, 3, height), (cut, height, 3, 1))
    tgt = _boxes((0, 0, 1, 1), (1, 0, 2, 1), (2, 0, 3, 1))
    moved = interpolate(population, allocation(area_table(src, tgt)))
    assert moved.sum() == pytest.approx(sum(population), rel=1e-12, abs=1e-9)


# ----------------------------------------------------------------------------- real data
def test_rotterdam_2014_2018_match_by_code(cbs_dir, nl):
    years = {y: _read(nl, cbs_dir / ROTTERDAM.format(y), year=y) for y in (2014, 2015, 2018)}
    stacked, report = harmonise(years, target_year=2018)
    assert report.summary.n_by_code.tolist() == [92, 92, 92]
    assert report.summary.n_interpolated.sum() == 0 and report.preserved
    assert len(stacked) == 3 * 92 and (stacked.geometry_year == 2018).all()
    s2015 = stacked[stacked.year == 2015].set_index("unit_code").sort_index()
    src = years[2015].set_index("unit_code").sort_index()
    pd.testing.assert_series_equal(s2015.population, src.population)
    assert s2015.population.sum() == 623_370  # PROVENANCE: sum of Rotterdam buurten 2015


def test_amsterdam_2017_2019_match_by_code(cbs_dir, nl):
    years = {2017: _read(nl, cbs_dir / AMSTERDAM_2017, year=2017),
             2019: _read(nl, cbs_dir / AMSTERDAM_2019, year=2019)}
    stacked, report = harmonise(years, target_year=2019)
    assert report.summary.n_by_code.tolist() == [479, 479]
    assert report.preserved
    totals = report.totals.set_index(["year", "column"])
    assert totals.loc[(2017, "population"), "harmonised_total"] == 843_960  # PROVENANCE


def _recoded_den_haag(den_haag):
    """An imaginary 'earlier year' of Den Haag with different codes.

    Per wijk the two first buurten were one unit (new code ..X1); three other buurten
    were each two halves (new codes ..Y1/..Y2, 30 % and 70 % of the counts), split by a
    vertical line through the centre of their bounding box.
    """
    units = den_haag.sort_values("unit_code", ignore_index=True)
    first_two = units.groupby("wijk_code").head(2)
    pairs = first_two.groupby("wijk_code").filter(lambda g: len(g) == 2)
    merged = pairs.dissolve(by="wijk_code", aggfunc={"population": "sum", "dwellings": "sum",
                                                     "population_migration_nonwestern": "sum"})
    weight = pairs.population.groupby(pairs.wijk_code).transform("sum")
    merged["mean_income"] = (pairs.mean_income * pairs.population / weight).groupby(
        pairs.wijk_code).sum(min_count=1)
    merged = merged.reset_index()
    merged["unit_code"] = "BU" + merged.wijk_code.str[2:] + "X1"
    rest = units[~units.unit_code.isin(pairs.unit_code)]
    split = rest[rest.population > 1000].head(3)
    halves = []
    for share, suffix, side in ((0.3, "Y1", 0), (0.7, "Y2", 1)):
        part = split.copy()
        xmin, ymin, xmax, ymax = split.bounds.to_numpy().T
        mid = (xmin + xmax) / 2
        cut = shapely.box(np.where(side == 0, xmin, mid) - 1, ymin - 1,
                          np.where(side == 0, mid, xmax) + 1, ymax + 1)
        part["geometry"] = shapely.intersection(split.geometry.to_numpy(), cut)
        for column in ("population", "dwellings", "population_migration_nonwestern"):
            part[column] = split[column] * share
        part["unit_code"] = split.unit_code.str[:8] + suffix
        halves.append(part)
    keep = rest[~rest.unit_code.isin(split.unit_code)]
    columns = ["unit_code", "population", "dwellings", "population_migration_nonwestern",
               "mean_income", "geometry"]
    earlier = pd.concat([keep[columns], merged[columns]] + [h[columns] for h in halves],
                        ignore_index=True)
    earlier["year"] = 2017
    return gpd.GeoDataFrame(earlier, geometry="geometry", crs=28992), pairs, split


def test_den_haag_recoded_subset_is_interpolated(den_haag):
    earlier, pairs, split = _recoded_den_haag(den_haag)
    n_merged = pairs.wijk_code.nunique()
    assert n_merged == 29 and len(split) == 3  # 44 wijken, 29 with >= 2 buurten
    table = area_table(earlier, den_haag)  # built once, passed in
    stacked, report = harmonise({2017: earlier, 2019: den_haag}, target_year=2019,
                                tables={2017: table})
    s = report.summary.set_index("year").loc[2017]
    assert s.n_by_code == 114 - 2 * n_merged - 3
    assert s.n_interpolated == n_merged + 6 and s.n_unallocated == 0
    assert s.n_targets_interpolated == 2 * n_merged + 3
    assert report.preserved
    totals = report.totals.set_index(["year", "column"])
    assert totals.loc[(2017, "population"), "harmonised_total"] == pytest.approx(
        den_haag.population.sum(), rel=1e-12)
    old = stacked[stacked.year == 2017].set_index("unit_code")
    new = den_haag.set_index("unit_code")
    # split buurten come back whole: both halves lie inside the 2019 buurt
    for code in split.unit_code:
        assert old.at[code, "population"] == pytest.approx(new.at[code, "population"], rel=1e-9)
    # merged pairs are spread by area: x_t = X * |t| / (|t1| + |t2|)
    areas = den_haag.set_index("unit_code").area
    for _, pair in pairs.groupby("wijk_code"):
        codes = pair.unit_code.tolist()
        whole = pair.population.sum()
        expected = whole * areas[codes] / areas[codes].sum()
        np.testing.assert_allclose(old.loc[codes, "population"], expected, rtol=1e-6)
        # one pooled mean income for the merged unit -> both halves get it
        if pair.mean_income.notna().all():
            pooled = (pair.mean_income * pair.population).sum() / whole
            np.testing.assert_allclose(old.loc[codes, "mean_income"], pooled, rtol=1e-9)
    # the codes that were unchanged are copied exactly
    same = old.harmonised_by == "code"
    assert same.sum() == s.n_targets_by_code
    np.testing.assert_array_equal(old.population[same], new.population[old.index[same]])
