"""The embedded synthetic demo city: schema, realism, spatial structure, determinism."""

from __future__ import annotations

import warnings

import esda
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from conftest import REPO, SEED
from libpysal.weights import Queen
from scipy.sparse.csgraph import connected_components

from mixing.io.demo import (
    ABSENT_COUNTS,
    DEMO_CODE,
    DEMO_FILENAME,
    DEMO_LAYER,
    DEMO_SEED,
    DEMO_WIJK_NAMES,
    _outline,
    make_demo_city,
    write_demo_city,
)
from mixing.schema import CANONICAL_COLUMNS, COUNT_COLUMNS, CRS, validate_units

COMMITTED = REPO / "data" / "raw" / "demo"
REGENERATE = "mixing demo --out data/raw/demo"


@pytest.fixture(scope="module")
def city() -> gpd.GeoDataFrame:
    return make_demo_city(DEMO_SEED)


@pytest.fixture(scope="module")
def residential(city: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return city[~city["is_uninhabited"]].reset_index(drop=True)


def _queen(frame: gpd.GeoDataFrame) -> Queen:
    with warnings.catch_warnings():  # the river splits the residential units in two parts
        warnings.simplefilter("ignore", UserWarning)
        return Queen.from_dataframe(frame, use_index=False)


def _moran(y: np.ndarray, w: Queen) -> float:
    """Moran's I with row-standardised weights: ``n / S0 * z'Wz / z'z``."""
    w.transform = "r"
    matrix = w.sparse
    z = y - y.mean()
    return len(y) / matrix.sum() * (z @ (matrix @ z)) / (z @ z)


def _share(frame: pd.DataFrame, part: str, whole: str) -> np.ndarray:
    return (frame[part] / frame[whole]).to_numpy()


def _assert_same_units(actual: gpd.GeoDataFrame, expected: gpd.GeoDataFrame, hint: str) -> None:
    assert list(actual.columns) == list(CANONICAL_COLUMNS), hint
    attributes = [c for c in CANONICAL_COLUMNS if c != "geometry"]
    strings = {c: object for c in ("unit_code", "unit_name")}
    left = pd.DataFrame(actual[attributes]).astype(strings)
    right = pd.DataFrame(expected[attributes]).astype(strings)
    try:
        pd.testing.assert_frame_equal(left, right, check_dtype=False, check_exact=True)
    except AssertionError as error:
        raise AssertionError(f"{hint}\n{error}") from None
    same = shapely.equals_exact(actual.geometry.values, expected.geometry.values, tolerance=0)
    assert same.all(), f"{hint}: {int((~same).sum())} geometries differ"


# ------------------------------------------------------------------------------ schema


def test_schema_and_identity(city: gpd.GeoDataFrame) -> None:
    validate_units(city)
    assert list(city.columns) == list(CANONICAL_COLUMNS)
    assert city.crs.equals(CRS)
    assert (city["level"] == "buurt").all()
    assert (city["municipality_code"] == DEMO_CODE).all()
    assert city["municipality_name"].str.contains("synthetisch").all()
    assert city["unit_code"].str.match(r"^BU9999\d{4}$").all()
    assert (city["unit_code"].str[2:8] == city["wijk_code"].str[2:]).all()
    assert city["unit_code"].is_monotonic_increasing
    assert city["unit_name"].is_unique
    assert set(city["wijk_code"]) <= set(DEMO_WIJK_NAMES)


def test_size_and_wijken(city: gpd.GeoDataFrame) -> None:
    assert 120 <= len(city) <= 150
    per_wijk = city.groupby("wijk_code").size()
    assert 8 <= len(per_wijk) <= 12
    assert per_wijk.min() >= 4


def test_every_wijk_is_contiguous(city: gpd.GeoDataFrame) -> None:
    matrix = _queen(city).sparse.tocsr()
    for wijk, rows in city.groupby("wijk_code").indices.items():
        n_parts, _ = connected_components(matrix[rows][:, rows], directed=False)
        assert n_parts == 1, f"wijk {wijk} falls apart in {n_parts} pieces"


def test_water_and_empty_units_are_flagged(city: gpd.GeoDataFrame) -> None:
    water, empty = city["is_water"], city["is_uninhabited"]
    assert 2 <= water.sum() <= 5
    assert 2 <= (empty & ~water).sum() <= 5  # industry and a park
    assert not (water & ~empty).any()  # water units have no residents nor dwellings
    counts = city.loc[empty, [c for c in COUNT_COLUMNS if c not in ABSENT_COUNTS]].to_numpy()
    assert (counts == 0).all()
    assert city.loc[empty, ["mean_income", "mean_woz"]].isna().all().all()
    assert city.loc[~empty, ["mean_income", "mean_woz"]].notna().all().all()
    assert city["unit_name"][water].str.startswith("Demstroom").all()


# ------------------------------------------------------------------------------ counts


def test_counts_are_nonnegative_and_rounded_to_five(city: gpd.GeoDataFrame) -> None:
    assert city[list(ABSENT_COUNTS)].isna().all().all()
    counts = city[[c for c in COUNT_COLUMNS if c not in ABSENT_COUNTS]].to_numpy()
    assert np.isfinite(counts).all()
    assert (counts >= 0).all()
    assert (counts % 5 == 0).all()


def test_counts_are_plausible_and_consistent(residential: gpd.GeoDataFrame) -> None:
    r = residential
    assert r["dwellings"].between(200, 3000).all()
    assert (r["dwellings_social"] + r["dwellings_private_rent"] + r["dwellings_owner_occupied"]
            == r["dwellings"]).all()
    origin = (r["population_origin_dutch"] + r["population_origin_europe"]
              + r["population_origin_outside_europe"])
    assert (origin == r["population"]).all()
    migrants = r["population_migration_western"] + r["population_migration_nonwestern"]
    assert (r["population_origin_dutch"] == r["population"] - migrants).all()
    assert (r["households"] <= r["dwellings"]).all()
    assert (r["households_low_income"] <= r["households"]).all()
    np.testing.assert_allclose(r["households"].sum() / r["dwellings"].sum(), 0.95, atol=0.02)
    np.testing.assert_allclose(r["population"].sum() / r["households"].sum(), 2.1, atol=0.1)


def test_shares_lie_in_unit_interval(residential: gpd.GeoDataFrame) -> None:
    shares = {
        "social": _share(residential, "dwellings_social", "dwellings"),
        "private": _share(residential, "dwellings_private_rent", "dwellings"),
        "owner": _share(residential, "dwellings_owner_occupied", "dwellings"),
        "low income": _share(residential, "households_low_income", "households"),
        "non-western": _share(residential, "population_migration_nonwestern", "population"),
        "western": _share(residential, "population_migration_western", "population"),
    }
    for label, share in shares.items():
        assert ((share >= 0) & (share <= 1)).all(), label


def test_social_share_range_and_hotspots(residential: gpd.GeoDataFrame) -> None:
    social = _share(residential, "dwellings_social", "dwellings")
    assert 0.03 <= social.min() <= 0.10
    assert 0.80 <= social.max() <= 0.92
    assert 3 <= (social > 0.70).sum() <= 6


def test_social_share_is_spatially_autocorrelated(residential: gpd.GeoDataFrame) -> None:
    social = _share(residential, "dwellings_social", "dwellings")
    w = _queen(residential)
    moran = _moran(social, w)
    assert moran > 0.3
    oracle = esda.Moran(social, w, transformation="r", permutations=0)
    np.testing.assert_allclose(moran, oracle.I, rtol=1e-12)


def test_correlations(residential: gpd.GeoDataFrame) -> None:
    social = _share(residential, "dwellings_social", "dwellings")
    low = _share(residential, "households_low_income", "households")
    nonwestern = _share(residential, "population_migration_nonwestern", "population")
    corr = np.corrcoef(np.vstack([
        social, low, nonwestern, residential["mean_income"], residential["mean_woz"]
    ]))
    assert corr[0, 1] > 0.6  # social housing and low incomes
    assert corr[0, 2] > 0.5  # and non-western migration
    assert corr[0, 3] < -0.5  # income falls with social housing
    assert corr[0, 4] < -0.5  # and so does the WOZ value


# ---------------------------------------------------------------------------- geometry


def test_geometry_is_a_clean_coverage_of_the_outline(city: gpd.GeoDataFrame) -> None:
    geoms = city.geometry.to_numpy()
    assert shapely.is_valid(geoms).all()
    assert (shapely.get_type_id(geoms) == 3).all()  # single Polygons
    assert shapely.coverage_is_valid(geoms)  # no overlaps, shared edges identical
    union = shapely.union_all(geoms)
    np.testing.assert_allclose(union.area, shapely.area(geoms).sum(), rtol=1e-9)
    outline = _outline(DEMO_SEED)
    # rounding to 0.1 m moves the boundary by centimetres at most
    assert shapely.symmetric_difference(union, outline).area < 1e-6 * outline.area
    assert union.geom_type == "Polygon" and len(union.interiors) == 0
    xmin, ymin, xmax, ymax = union.bounds
    assert 140_000 < xmin < xmax < 170_000 and 450_000 < ymin < ymax < 475_000  # around Amersfoort
    decimetres = shapely.get_coordinates(geoms) * 10
    np.testing.assert_allclose(decimetres, np.round(decimetres), atol=1e-6)  # 0.1 m grid


# ------------------------------------------------------------------------- determinism


def test_same_seed_same_city_other_seed_other_city(city: gpd.GeoDataFrame) -> None:
    _assert_same_units(make_demo_city(DEMO_SEED), city, "same seed, different city")
    other = make_demo_city(SEED)
    assert not shapely.equals_exact(other.geometry.values[:10], city.geometry.values[:10]).all()
    assert not other["population"].equals(city["population"])


@pytest.mark.parametrize("seed", [SEED, 7])
def test_other_seeds_keep_the_guarantees(seed: int) -> None:
    units = make_demo_city(seed, code="DEMO02", name="Elders (synthetisch)", year=2021)
    validate_units(units)
    assert (units["municipality_code"] == "DEMO02").all() and (units["year"] == 2021).all()
    residential = units[~units["is_uninhabited"]].reset_index(drop=True)
    social = _share(residential, "dwellings_social", "dwellings")
    assert 3 <= (social > 0.70).sum() <= 6
    assert _moran(social, _queen(residential)) > 0.3
    assert shapely.coverage_is_valid(units.geometry.to_numpy())


def test_write_is_byte_identical_and_round_trips(tmp_path, city: gpd.GeoDataFrame) -> None:
    first = write_demo_city(tmp_path / "a")
    second = write_demo_city(tmp_path / "b")
    assert first == tmp_path / "a" / DEMO_FILENAME
    assert first.read_bytes() == second.read_bytes()
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["README.md", DEMO_FILENAME,
                                                                   "vitality.csv"]
    assert ((tmp_path / "a" / "vitality.csv").read_bytes()
            == (tmp_path / "b" / "vitality.csv").read_bytes())
    readme = (tmp_path / "a" / "README.md").read_text(encoding="utf-8")
    assert "SYNTHETIC" in readme and "NOT CBS" in readme
    assert f"seed: {DEMO_SEED}" in readme and "make_demo_city" in readme
    assert all(f"`{column}`" in readme for column in CANONICAL_COLUMNS)
    _assert_same_units(gpd.read_file(first, layer=DEMO_LAYER), city, "GeoPackage round trip")


def test_committed_demo_matches_the_generator(city: gpd.GeoDataFrame) -> None:
    path = COMMITTED / DEMO_FILENAME
    hint = (
        f"{path} is not what mixing.io.demo.make_demo_city({DEMO_SEED}) produces; if the generator "
        f"changed on purpose, regenerate the committed copy with `{REGENERATE}` and commit it"
    )
    assert path.is_file(), hint
    assert path.stat().st_size < 1_000_000
    assert "SYNTHETIC" in (COMMITTED / "README.md").read_text(encoding="utf-8")
    _assert_same_units(gpd.read_file(path, layer=DEMO_LAYER), city, hint)


def test_committed_vitality_screening_matches_the_generator(city: gpd.GeoDataFrame) -> None:
    import pandas as pd

    from mixing.io.demo import DEMO_VITALITY, make_demo_vitality
    from mixing.tables.vitality import vitality_table

    committed = pd.read_csv(COMMITTED / DEMO_VITALITY, dtype={"buurtcode": str})
    pd.testing.assert_frame_equal(committed, make_demo_vitality(city), check_dtype=False)
    table = vitality_table(COMMITTED / DEMO_VITALITY, city)
    assert len(table) == int((~city["is_uninhabited"]).sum())
    assert table["vitality_score"].between(1, 27).all() and table["closer_look"].any()
