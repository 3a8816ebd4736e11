"""Scales: one index table at buurt / wijk / gemeente / grid, the 500 m grid, crosswalks."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from conftest import read_quietly

from mixing.errors import InputError
from mixing.geometry.harmonise import area_table
from mixing.io.aggregate import aggregate_units
from mixing.kernels.aspatial import dissimilarity, isolation
from mixing.tables.scales import (
    crosswalk,
    grid_code,
    grid_units,
    scale_levels,
    scale_table,
    scale_tables,
)

NL_2024 = "kwb_statline_nl_2024_bevolking_herkomst/Kerncijfers_wijken_en_buurten_2024_{}.csv"
PC4 = "pc4_stats_sample_apeldoorn/sample_shape.shp"


_read = read_quietly


@pytest.fixture(scope="module")
def nl(nl_geometry):
    return nl_geometry


@pytest.fixture(scope="module")
def den_haag(den_haag_2019):
    return den_haag_2019


@pytest.fixture(scope="module")
def apeldoorn(cbs_dir, nl):
    pc4 = _read(cbs_dir / PC4, level="pc4", municipality="GM0200", year=2015)
    buurten = nl[nl.statcode.str.startswith("BU0200")].rename(columns={"statcode": "unit_code"})
    return pc4, buurten.reset_index(drop=True)


# ----------------------------------------------------------------------------- grid
def _toy_units(bounds, population, municipality=("GM0001",)):
    n = len(bounds)
    municipality = list(municipality) * (n // len(municipality))
    return gpd.GeoDataFrame({
        "unit_code": [f"BU0001000{i}" for i in range(n)], "municipality_code": municipality,
        "year": 2019, "population": population, "dwellings": np.asarray(population) / 2,
        "mean_income": [20.0 + 10 * i for i in range(n)],
    }, geometry=[shapely.box(*b) for b in bounds], crs=28992)


def test_grid_code_is_cbs_style():
    assert grid_code([81_000.0, 81_499.9, 9_999.0], [455_500.0, 455_999.0, 300_000.0]).tolist() \
        == ["E0810N4555", "E0810N4555", "E0095N3000"]
    assert grid_code([81_050.0], [455_150.0], cell=100).tolist() == ["E0810N4551"]


def test_grid_by_hand():
    # unit 0: 1000 x 500 m at the origin (100 residents) -> two cells of 50;
    # unit 1: 250 x 500 m straddling x = 1000 (40 residents) -> 20 in each of two cells
    units = _toy_units([(0, 0, 1000, 500), (875, 0, 1125, 500)], [100.0, 40.0])
    grid = grid_units(units).set_index("unit_code")
    assert grid.index.tolist() == ["E0000N0000", "E0005N0000", "E0010N0000"]
    np.testing.assert_allclose(grid.population, [50, 70, 20])
    # mean income weighted by residents: (50 * 20 + 20 * 30) / 70 in the shared cell
    np.testing.assert_allclose(grid.mean_income, [20, (50 * 20 + 20 * 30) / 70, 30])
    assert (grid.level == "grid500m").all()
    np.testing.assert_allclose(grid.geometry.bounds.loc["E0010N0000"], [1000, 0, 1500, 500])
    # cells are whole 500 m squares aligned to multiples of 500
    assert (grid.geometry.area == 250_000).all()


def test_grid_splits_border_cells_per_municipality():
    units = _toy_units([(0, 0, 250, 500), (250, 0, 500, 500)], [10.0, 30.0],
                       municipality=("GM0001", "GM0002"))
    grid = grid_units(units)
    assert grid.unit_code.tolist() == ["E0000N0000", "E0000N0000"]
    assert grid.set_index("municipality_code").population.to_dict() == {"GM0001": 10,
                                                                       "GM0002": 30}


def test_grid_rejects_bad_cell():
    units = _toy_units([(0, 0, 1000, 500)], [100.0])
    with pytest.raises(InputError, match="multiple of 100 m"):
        grid_units(units, cell=250)


def test_den_haag_grid_preserves_totals(den_haag):
    grid = grid_units(den_haag)
    assert len(grid) == 416
    assert grid.population.sum() == pytest.approx(den_haag.population.sum(), rel=1e-12)
    assert grid.dwellings_social.sum() == pytest.approx(den_haag.dwellings_social.sum(),
                                                        rel=1e-12)
    b = grid.geometry.bounds
    assert (b.minx % 500 == 0).all() and (b.miny % 500 == 0).all()


def test_den_haag_grid_equals_a_plain_overlay(den_haag):
    """Cells inside a buurt skip the overlay; the counts equal a full geopandas overlay."""
    grid = grid_units(den_haag)
    buurten = den_haag[["unit_code", "population", "geometry"]].assign(
        own_area=den_haag.geometry.area)
    cells = gpd.GeoDataFrame({"cell": grid["unit_code"]}, geometry=grid.geometry.to_numpy(),
                             crs=28992)
    pieces = gpd.overlay(buurten, cells, how="intersection", keep_geom_type=True)
    # all of a buurt's area lies in some cell, so the allocation weight is area / own area
    moved = (pieces["population"] * pieces.geometry.area / pieces["own_area"]).groupby(
        pieces["cell"]).sum()
    np.testing.assert_allclose(grid.set_index("unit_code")["population"].to_numpy(),
                               moved.reindex(grid["unit_code"]).to_numpy(), rtol=1e-9)
    # and every resident lands in exactly one cell
    assert len(grid) == 416 and grid.population.sum() == pytest.approx(
        den_haag.population.sum(), rel=1e-12)


# ----------------------------------------------------------------------------- scale table
def test_den_haag_scale_table(den_haag):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PartialSumWarning: hidden social-housing shares
        wijken = aggregate_units(den_haag, "wijk")
        gemeente = aggregate_units(den_haag, "gemeente")
    table = scale_table({"buurt": den_haag, "wijk": wijken, "gemeente": gemeente,
                         "grid500m": grid_units(den_haag)},
                        dimensions=("social_housing", "migration"))
    assert len(table) == 2 * 3
    row = table.set_index(["dimension", "index"])
    # wijk level equals aggregating the buurten ourselves
    by_wijk = den_haag.groupby("wijk_code")[["dwellings_social", "dwellings",
                                              "population_migration_nonwestern",
                                              "population"]].sum(min_count=1)
    assert row.at[("social_housing", "dissimilarity"), "value_wijk"] == pytest.approx(
        dissimilarity(by_wijk.dwellings_social, by_wijk.dwellings), rel=1e-12)
    assert row.at[("migration", "isolation"), "value_wijk"] == pytest.approx(
        isolation(by_wijk.population_migration_nonwestern, by_wijk.population), rel=1e-12)
    assert row.at[("migration", "dissimilarity"), "n_units_wijk"] == 43  # one empty wijk
    # gemeente: one unit, no unevenness left
    assert row.at[("migration", "dissimilarity"), "value_gemeente"] == 0
    # MAUP in Den Haag 2019: finer units show more unevenness
    r = row.loc[("migration", "dissimilarity")]
    assert r.value_buurt == pytest.approx(0.414661, abs=5e-7)
    assert r.value_wijk == pytest.approx(0.394070, abs=5e-7)
    assert r.value_grid500m == pytest.approx(0.403724, abs=5e-7)
    assert r.ratio_buurt_wijk == pytest.approx(1.052253, abs=5e-6)
    assert r.ratio_buurt_grid500m == pytest.approx(1.027091, abs=5e-6)
    s = row.loc[("social_housing", "dissimilarity")]
    assert s.ratio_buurt_wijk == pytest.approx(1.185420, abs=5e-6)
    assert s.ratio_buurt_grid500m == pytest.approx(1.080226, abs=5e-6)
    assert (table.filter(like="year_") == 2019).all().all()


# ----------------------------------------------------------------------------- crosswalk
def test_crosswalk_by_hand():
    src = gpd.GeoDataFrame({"unit_code": ["1000", "2000"], "population": [100.0, 60.0]},
                           geometry=[shapely.box(0, 0, 2, 1), shapely.box(2, 0, 4, 1)],
                           crs=28992)
    tgt = gpd.GeoDataFrame({"unit_code": ["BU00010001", "BU00010002"]},
                           geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 0, 3, 1)],
                           crs=28992)
    xw = crosswalk(src, tgt)
    np.testing.assert_allclose(xw.coverage, [1.0, 0.5])
    # source 2000 lies half outside: half of it (30) is carried over
    np.testing.assert_allclose(xw.apply(src, ["population"]).population, [50, 80])
    full = crosswalk(src, tgt, allocate_total=True, table=area_table(src, tgt))
    np.testing.assert_allclose(full.apply(src, ["population"]).population, [50, 110])
    frame = xw.to_frame()
    assert frame.to_dict("list") == {"source_code": ["1000", "1000", "2000"],
                                     "target_code": ["BU00010001", "BU00010002", "BU00010002"],
                                     "area_m2": [1.0, 1.0, 1.0], "weight": [0.5, 0.5, 0.5]}
    back = xw.reverse().apply(tgt.assign(population=[10.0, 20.0]), ["population"])
    np.testing.assert_allclose(back.population, [20, 10])  # target 2 is half in each source
    with pytest.raises(InputError, match="not the crosswalk's source units"):
        xw.apply(tgt.assign(population=[1.0, 2.0]))


def test_apeldoorn_pc4_onto_buurten(apeldoorn):
    pc4, buurten = apeldoorn
    xw = crosswalk(pc4, buurten)
    assert len(buurten) == 95 and len(pc4) == 41
    # Twello (7391) and Teuge (7397) lie in Voorst: no overlap with Apeldoorn
    assert xw.unallocated.tolist() == ["7391", "7397"]
    on = xw.apply(pc4, ["population", "dwellings_social", "mean_income"])
    # totals: every PC4 contributes its covered share, exactly
    assert on.population.sum() == pytest.approx((pc4.population * xw.coverage).sum(), rel=1e-12)
    assert on.population.sum() == pytest.approx(156_954.8, abs=0.1)
    assert pc4.population.sum() == 191_085
    # the Apeldoorn PC4s (73xx except the Voorst / Epe ones) lie inside the buurten
    inside = pc4.unit_code.str.startswith("73") & ~pc4.unit_code.isin(
        ["7382", "7384", "7391", "7395", "7396", "7397"])
    assert (xw.coverage[inside.to_numpy()] > 0.8).all()
    # Vaassen (Epe) touches Apeldoorn only along generalised borders
    assert (xw.coverage[pc4.unit_code.isin(["8171", "8172"]).to_numpy()] < 0.02).all()


def test_apeldoorn_buurten_onto_pc4(cbs_dir, nl, apeldoorn):
    """Vice versa: 2024 buurt population (2019 geometry) onto the 2015 PC4 areas."""
    pc4, _ = apeldoorn
    buurten = _read(nl, [cbs_dir / NL_2024.format("geslachten"),
                         cbs_dir / NL_2024.format("11122025_141648")],
                    year=2024, municipality="GM0200")
    assert len(buurten) == 95 and buurten.geometry.notna().all()
    xw = crosswalk(buurten, pc4)
    on = xw.apply(buurten, ["population"])
    assert on.population.sum() == pytest.approx(
        (buurten.population * xw.coverage).sum(), rel=1e-12)
    # same as reversing the PC4 -> buurt crosswalk (same areas, other normalisation)
    back = crosswalk(pc4, buurten[["unit_code", "geometry"]]).reverse().apply(
        buurten, ["population"])
    np.testing.assert_allclose(back.population, on.population, rtol=1e-9)
    # nine years apart, but the same places: strong agreement per Apeldoorn PC4
    inside = pc4.unit_code.str.startswith("73").to_numpy() & (pc4.population > 0).to_numpy()
    assert on.population.isna().sum() == 2  # Twello and Teuge: no Apeldoorn buurt reaches them
    inside &= on.population.notna().to_numpy()
    r = np.corrcoef(on.population[inside], pc4.population[inside])[0, 1]
    assert r > 0.9, r
    assert buurten.population.sum() == 168_225


# ----------------------------------------------------------------------------- batched scales
NL_2024_PAIR = ("geslachten", "11122025_141648")


def _alone(units, cell=500):
    """What one municipality's scale table was before batching (workflow/scripts/scales.py)."""
    buurten = units[units["level"] == "buurt"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PartialSumWarning
        by_level = {level: units[units["level"] == level] if (units["level"] == level).any()
                    else aggregate_units(buurten, level) for level in ("wijk", "gemeente")}
    by_level = {"buurt": buurten, **by_level}
    if buurten.geometry.notna().all():
        by_level[f"grid{cell}m"] = grid_units(buurten, cell=cell)
    return scale_table(by_level)


@pytest.fixture(scope="module")
def national_batch(cbs_dir, nl):
    """Six municipalities of the national 2024 table, as one ingest batch gives them."""
    from mixing.tables.batch import read_batch

    source = {"geometry": str(cbs_dir / "buurt_2019_nl_topojson/buurten.json"), "year": 2024,
              "table": [str(cbs_dir / NL_2024.format(part)) for part in NL_2024_PAIR]}
    codes = ["GM0014", "GM0060", "GM0088", "GM0363", "GM0518", "GM1992"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # hidden values, codes without a 2019 geometry
        return read_batch({code: source for code in codes}, levels=("buurt", "wijk"))


def test_scale_tables_equal_one_municipality_at_a_time(national_batch):
    units = pd.concat(national_batch.values(), ignore_index=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tables = scale_tables(scale_levels(units))
    assert list(tables) == sorted(national_batch)
    gridded = 0
    for code, own in national_batch.items():
        alone = _alone(own)
        pd.testing.assert_frame_equal(tables[code], alone, check_exact=True)
        assert tables[code].to_csv(index=False) == alone.to_csv(index=False)  # same file
        gridded += "value_grid500m" in alone
    # Amsterdam recoded its buurten in 2022: no 2019 shape, so no grid; the others have one
    # Amsterdam recoded every buurt in 2022, Groningen some, Voorne aan Zee is new: no grid
    assert "value_grid500m" not in tables["GM0363"] and gridded == 3
    row = tables["GM0014"].set_index(["dimension", "index"]).loc[
        ("origin_outside_europe", "dissimilarity")]
    assert row.value_buurt == pytest.approx(0.21549170331393064, rel=1e-12)  # Groningen
    assert row.n_units_buurt == 140 and row.value_gemeente == 0


def test_scale_tables_keep_each_municipality_s_own_dimensions():
    # GM0001 knows only social housing, GM0002 only migration: alone each has only its own
    # dimension's rows, and so it has in a batch (not NaN rows for the other's)
    units = _toy_units([(0, 0, 500, 500), (500, 0, 1000, 500), (0, 500, 500, 1000),
                        (500, 500, 1000, 1000)], [100.0, 300.0, 200.0, 50.0],
                       municipality=("GM0001", "GM0001", "GM0002", "GM0002"))
    units["dwellings_social"] = [10.0, 120.0, np.nan, np.nan]
    units["population_migration_nonwestern"] = [np.nan, np.nan, 20.0, 40.0]
    tables = scale_tables({"buurt": units, "grid500m": grid_units(units)})
    for code, dimension in (("GM0001", "social_housing"), ("GM0002", "migration")):
        own = units[units["municipality_code"] == code]
        alone = scale_table({"buurt": own, "grid500m": grid_units(own)})
        assert set(tables[code]["dimension"]) == {dimension}
        pd.testing.assert_frame_equal(tables[code], alone, check_exact=True)
    row = tables["GM0002"].set_index("index").loc["dissimilarity"]
    assert row.value_buurt == pytest.approx(dissimilarity([20.0, 40.0], [200.0, 50.0]))
