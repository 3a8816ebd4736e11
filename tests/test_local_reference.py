"""Regression of the local kernels against PySAL ``segregation.local`` (the test oracle).

Real data: Den Haag (GM0518) and Amsterdam (GM0363) 2019 buurten, read with the project's
own reader (CBS 84583NED + the national 2019 buurt TopoJSON, see PROVENANCE.md); the
geometry is read once per module. Two multigroup variables: tenure (social / private
rent / owner-occupied dwellings) and migration background (western / non-western /
rest). ``segregation`` has no NaN rule, so it receives the units without NaN; our kernels
receive *all* units, NaN included, and must agree on the others (and give NaN on those)
-- which also checks the exclusion rule. Units with total 0 are passed to both.
"""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    # module level on purpose: the numba compile is paid once per test process
    import segregation.local as sl
    import segregation.multigroup as sm
    import segregation.singlegroup as sg

from mixing.io.cbs import read_units  # noqa: E402
from mixing.io.readers.geo import read_geometry  # noqa: E402
from mixing.kernels import aspatial as indices  # noqa: E402
from mixing.kernels import local

RTOL = 1e-9
ATOL = 1e-12  # for values that are 0 up to rounding (entropy of a one-group unit, ...)
KWB = "kwb_odata_denhaag_amsterdam_utrecht/data"
TABLES = {
    "GM0518": f"{KWB}/marginal_distributions_TheHague_2019_84583NED.csv",
    "GM0363": f"{KWB}/ams_2019/marginal_distributions_84583NED.csv",
}
TENURE = ["dwellings_social", "dwellings_private_rent", "dwellings_owner_occupied"]
MIGRATION = ["population_migration_western", "population_migration_nonwestern", "rest"]
MULTI = {"tenure": TENURE, "migration": MIGRATION}
PAIRS = [("dwellings_social", "dwellings"), ("population_migration_nonwestern", "population")]


@pytest.fixture(scope="module")
def units(cbs_dir) -> gpd.GeoDataFrame:
    """Both cities, sorted by municipality then buurt code, with centroids and 'rest'."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # CRS assumed, geometry repaired, hidden values
        geometry = read_geometry(cbs_dir / "buurt_2019_nl_topojson/buurten.json")
        frames = [
            read_units(geometry=geometry, table=cbs_dir / rel, year=2019) for rel in TABLES.values()
        ]
    gdf = pd.concat(frames, ignore_index=True)
    gdf = gdf.sort_values(["municipality_code", "unit_code"], ignore_index=True)
    migrants = gdf["population_migration_western"] + gdf["population_migration_nonwestern"]
    # CBS rounds each count to 5, so the rest can come out slightly negative: clip at 0
    gdf["rest"] = (gdf["population"] - migrants).clip(lower=0)
    gdf["cx"], gdf["cy"] = gdf.geometry.centroid.x, gdf.geometry.centroid.y
    return gpd.GeoDataFrame(gdf, geometry="geometry", crs=28992)


@pytest.fixture(scope="module", params=sorted(TABLES))
def city(request, units) -> gpd.GeoDataFrame:
    return units[units["municipality_code"] == request.param].reset_index(drop=True)


def _known(gdf: pd.DataFrame, columns: list[str]) -> np.ndarray:
    return gdf[columns].notna().all(axis=1).to_numpy()


def _check(ours: np.ndarray, theirs: np.ndarray, known: np.ndarray) -> None:
    """Agree with segregation on the known units, NaN on the others."""
    theirs = np.asarray(theirs, dtype=float)
    np.testing.assert_allclose(ours[known], theirs, rtol=RTOL, atol=ATOL)
    assert np.isnan(ours[~known]).all()


def test_real_data_has_the_edge_cases(units):
    """The fixture exercises what the tests claim: NaN units and empty units."""
    assert not _known(units, TENURE).all()
    # known but empty units (no residents): segregation's 0/0 conventions are exercised
    empty = _known(units, MIGRATION) & (units[MIGRATION].sum(axis=1) == 0).to_numpy()
    assert empty.sum() >= 10


# ---------------------------------------------------------------------------------------
# aspatial local kernels: one class of segregation.local each
# ---------------------------------------------------------------------------------------

ASPATIAL = [
    (local.location_quotient, sl.MultiLocationQuotient),
    (local.local_entropy, sl.MultiLocalEntropy),
    (local.local_diversity, sl.MultiLocalDiversity),
    (local.local_simpson_concentration, sl.MultiLocalSimpsonConcentration),
    (local.local_simpson_interaction, sl.MultiLocalSimpsonInteraction),
]


@pytest.mark.parametrize("variable", sorted(MULTI))
@pytest.mark.parametrize(("ours", "theirs"), ASPATIAL, ids=lambda f: f.__name__)
def test_aspatial_kernel_matches_segregation(city, variable, ours, theirs):
    columns = MULTI[variable]
    known = _known(city, columns)
    expected = theirs(city.loc[known, columns], columns).statistics
    _check(ours(city[columns].to_numpy()), expected, known)


@pytest.mark.parametrize(("group", "total"), PAIRS)
def test_two_group_location_quotient_is_segregations_first_column(city, group, total):
    known = _known(city, [group, total])
    frame = pd.DataFrame({"group": city[group], "rest": city[total] - city[group]}).loc[known]
    expected = sl.MultiLocationQuotient(frame, ["group", "rest"]).statistics[:, 0]
    ours = local.location_quotient(city[group].to_numpy(), city[total].to_numpy())
    # empty units are NaN on both sides
    np.testing.assert_allclose(ours[known], expected, rtol=RTOL, equal_nan=True)
    assert np.isnan(ours[~known]).all()


# ---------------------------------------------------------------------------------------
# spatial local kernels
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("group", "total"), PAIRS)
def test_local_relative_centralization_matches_segregation(city, group, total):
    known = _known(city, [group, total])
    data = city.loc[known, [group, total, "geometry"]].reset_index(drop=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = sl.LocalRelativeCentralization(data, group, total).statistics
    centroids = city[["cx", "cy"]].to_numpy()
    ours = local.local_relative_centralization(
        city[group].to_numpy(), city[total].to_numpy(), centroids
    )
    _check(ours, expected, known)


def test_knn_neighbors_match_libpysal(city):
    from libpysal.weights import KNN

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "not fully connected": irrelevant here
        w = KNN.from_dataframe(city, k=5, use_index=False)
    ours = local.knn_neighbors(city[["cx", "cy"]].to_numpy(), k=5)
    for i in range(len(city)):
        assert sorted(ours[i]) == sorted(w.neighbors[i])


@pytest.mark.parametrize("variable", sorted(MULTI))
def test_local_distortion_matches_segregation(city, variable):
    columns = MULTI[variable]
    known = _known(city, columns)
    data = city.loc[known, [*columns, "geometry"]].reset_index(drop=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = sl.LocalDistortion(data, columns).statistics.to_numpy()
    ours = local.local_distortion(city[columns].to_numpy(), centroids=city[["cx", "cy"]].to_numpy())
    _check(ours, expected, known)


def test_local_distortion_from_distances_equals_from_centroids(city):
    xy = city[["cx", "cy"]].to_numpy()
    dist = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(axis=2))
    counts = city[MIGRATION].to_numpy()
    np.testing.assert_allclose(
        local.local_distortion(counts, distances=dist),
        local.local_distortion(counts, centroids=xy),
        rtol=1e-12,
    )


# ---------------------------------------------------------------------------------------
# dissimilarity contributions: they sum to D
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("group", "total"), PAIRS)
def test_dissimilarity_contributions_sum_to_segregation_d(city, group, total):
    known = _known(city, [group, total])
    expected = sg.Dissim(city.loc[known], group, total).statistic
    parts = local.dissimilarity_contribution(city[group].to_numpy(), city[total].to_numpy())
    assert np.isnan(parts[~known]).all()
    assert np.nansum(parts) == pytest.approx(expected, rel=RTOL)


@pytest.mark.parametrize(("group", "total"), PAIRS)
def test_dissimilarity_contributions_sum_to_mixing_d_per_municipality(units, group, total):
    ids = units["municipality_code"].to_numpy()
    x, t = units[group].to_numpy(), units[total].to_numpy()
    parts = local.dissimilarity_contribution(x, t, groups=ids)
    sums = pd.Series(parts).groupby(ids).sum().to_numpy()  # skips NaN
    np.testing.assert_allclose(sums, indices.dissimilarity(x, t, groups=ids), rtol=1e-12)


# ---------------------------------------------------------------------------------------
# batch by municipality == one call per municipality, bit for bit
# ---------------------------------------------------------------------------------------

MULTI_KERNELS = [
    local.location_quotient,
    local.local_entropy,
    local.local_diversity,
    local.local_simpson_concentration,
    local.local_simpson_interaction,
]


def _per_municipality(units, call):
    ids = units["municipality_code"].to_numpy()
    parts = [call(units[ids == code]) for code in np.unique(ids)]
    return np.concatenate(parts, axis=0)


@pytest.mark.parametrize("variable", sorted(MULTI))
@pytest.mark.parametrize("kernel", MULTI_KERNELS, ids=lambda f: f.__name__)
def test_multigroup_batch_equals_per_municipality(units, variable, kernel):
    columns = MULTI[variable]
    batch = kernel(units[columns].to_numpy(), groups=units["municipality_code"].to_numpy())
    loop = _per_municipality(units, lambda u: kernel(u[columns].to_numpy()))
    np.testing.assert_array_equal(batch, loop)


@pytest.mark.parametrize("empty", ["segregation", "nan"])
def test_distortion_batch_equals_per_municipality(units, empty):
    def call(u, **kw):
        xy = u[["cx", "cy"]].to_numpy()
        return local.local_distortion(u[TENURE].to_numpy(), centroids=xy, empty=empty, **kw)

    batch = call(units, groups=units["municipality_code"].to_numpy())
    np.testing.assert_array_equal(batch, _per_municipality(units, call))


@pytest.mark.parametrize(("group", "total"), PAIRS)
def test_two_group_batch_equals_per_municipality(units, group, total):
    ids = units["municipality_code"].to_numpy()

    def kernels(u, **kw):
        x, t, xy = u[group].to_numpy(), u[total].to_numpy(), u[["cx", "cy"]].to_numpy()
        return np.column_stack(
            [
                local.location_quotient(x, t, **kw),
                local.dissimilarity_contribution(x, t, **kw),
                local.local_relative_centralization(x, t, xy, **kw),
                local.local_relative_centralization(x, t, xy, empty="nan", **kw),
            ]
        )

    np.testing.assert_array_equal(kernels(units, groups=ids), _per_municipality(units, kernels))


@pytest.mark.parametrize("variable", sorted(MULTI))
def test_global_distortion_matches_segregation(city, variable):
    columns = MULTI[variable]
    known = _known(city, columns)
    data = city.loc[known, [*columns, "geometry"]].reset_index(drop=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = sm.GlobalDistortion(data, columns).statistic
    ours = local.global_distortion(city[columns].to_numpy(),
                                   centroids=city[["cx", "cy"]].to_numpy())
    assert ours == pytest.approx(expected, rel=1e-9)
