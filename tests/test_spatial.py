"""Spatial indices on hand-made lattices (known answers), invariants (hypothesis), edge cases."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import sparse

from mixing import catalogue
from mixing.errors import InputError
from mixing.geometry.distances import centroid_distances, spatial_inputs
from mixing.kernels import aspatial as indices
from mixing.kernels import spatial

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CELL = 100.0


def grid(nx: int, ny: int) -> gpd.GeoSeries:
    """nx * ny square cells of 100 m, row by row from the lower left."""
    cells = [shapely.box(x * CELL, y * CELL, (x + 1) * CELL, (y + 1) * CELL)
             for y in range(ny) for x in range(nx)]
    return gpd.GeoSeries(cells, crs="EPSG:28992")


@pytest.fixture(scope="module")
def g4():
    return spatial_inputs(grid(4, 4))


@pytest.fixture(scope="module")
def g4_rook():
    return spatial_inputs(grid(4, 4), rook=True)


COLUMN = np.tile(np.arange(4), 4)
ROW = np.repeat(np.arange(4), 4)
TOTAL = np.full(16, 100.0)
HALVES = np.where(COLUMN < 2, 100.0, 0.0)
CHECKER = np.where((COLUMN + ROW) % 2 == 0, 100.0, 0.0)
EVEN = np.full(16, 30.0)


def every_kernel(group, total, inp, **kw):
    """Every spatial index of the catalogue, plus the profile kernel, on one lattice."""
    out = {name: catalogue.index(name).kernel(group, total,
                                              *catalogue.inputs_for(catalogue.index(name), inp),
                                              **kw)
           for name in catalogue.names("spatial")}
    out["spatial_prox_prof"] = spatial.spatial_prox_prof(group, total, inp.contiguity, **kw)
    return out


# ---------------------------------------------------------------------------------------
# geometry inputs
# ---------------------------------------------------------------------------------------


def test_inputs_of_a_4x4_grid(g4, g4_rook):
    assert g4.n == 16
    np.testing.assert_allclose(g4.areas, CELL**2)
    np.testing.assert_allclose(g4.perimeters, 4 * CELL)
    assert g4.contiguity.nnz == 84  # 24 edges + 18 diagonals, both directions
    assert g4_rook.contiguity.nnz == 48
    # boundary lengths: every rook pair shares 100 m, diagonal pairs share a point (dropped)
    assert g4.boundary_lengths.nnz == 48
    np.testing.assert_allclose(g4.boundary_lengths.data, CELL)
    assert g4.distances.nnz == 16 * 15
    assert g4.distances[0, 5] == pytest.approx(np.hypot(CELL, CELL))


def test_inputs_are_block_diagonal_by_group():
    groups = np.where(COLUMN < 2, "GM0001", "GM0002")
    inp = spatial_inputs(grid(4, 4), groups=groups)
    for m in (inp.contiguity, inp.boundary_lengths, inp.distances):
        coo = m.tocoo()
        assert (groups[coo.row] == groups[coo.col]).all()
    assert inp.distances.nnz == 2 * 8 * 7


def test_distance_band_keeps_near_pairs_only():
    xy = np.array([[0.0, 0.0], [0.0, 0.0], [300.0, 400.0], [5000.0, 0.0]])
    d = centroid_distances(xy, distance_band=600)
    assert d.nnz == 6 and d[0, 1] == 0.0 and d[0, 2] == 500.0  # zero distance kept
    full = centroid_distances(xy)
    assert full.nnz == 12


def test_inputs_refuse_too_many_pairs():
    with pytest.raises(InputError, match="max_pairs"):
        centroid_distances(np.zeros((20, 2)), max_pairs=100)


def test_inputs_need_rd_new():
    with pytest.raises(InputError, match="EPSG:28992"):
        spatial_inputs(grid(2, 2).set_crs(4326, allow_override=True))


# ---------------------------------------------------------------------------------------
# known answers
# ---------------------------------------------------------------------------------------


def test_two_halves(g4, g4_rook):
    # queen: 20 of 84 directed links cross the divide, D = 1
    assert spatial.spatial_dissimilarity(HALVES, TOTAL, g4.contiguity) == pytest.approx(
        1 - 20 / 84)
    assert spatial.spatial_dissimilarity(HALVES, TOTAL, g4_rook.contiguity) == pytest.approx(
        1 - 8 / 48)
    # boundary lengths (standardised rows): of the 8 cells at the divide, the 4 in the top
    # and bottom rows have 1 of 3 equal edges across, the 4 others 1 of 4: (4/3 + 4/4) / 16
    assert spatial.boundary_spatial_dissimilarity(HALVES, TOTAL, g4.boundary_lengths) == (
        pytest.approx(1 - (4 / 3 + 4 / 4) / 16))
    assert spatial.boundary_spatial_dissimilarity(
        HALVES, TOTAL, g4.boundary_lengths, standardize=False) == pytest.approx(1 - 8 / 48)
    # D(s): |dp| = 1 on 8 directed unit-length pairs of 48, ratio 0.04 everywhere
    assert spatial.perimeter_area_dissimilarity(
        HALVES, TOTAL, g4.boundary_lengths, g4.perimeters, g4.areas) == pytest.approx(1 - 8 / 48)
    assert spatial.delta(HALVES, TOTAL, g4.areas) == pytest.approx(0.5)
    assert spatial.relative_centralization(HALVES, TOTAL, g4.centroids,
                                           center=(0.0, 200.0)) > 0.9


def test_checkerboard(g4, g4_rook):
    # every rook neighbour differs: D(adj) = D - 1 = 0; queen diagonals agree
    assert spatial.spatial_dissimilarity(CHECKER, TOTAL, g4_rook.contiguity) == pytest.approx(0.0)
    assert spatial.spatial_dissimilarity(CHECKER, TOTAL, g4.contiguity) == pytest.approx(
        1 - 48 / 84)
    assert spatial.boundary_spatial_dissimilarity(
        CHECKER, TOTAL, g4.boundary_lengths) == pytest.approx(0.0, abs=1e-12)
    # the checkerboard is less clustered than the halves
    halves = spatial.absolute_clustering(HALVES, TOTAL, g4.distances, g4.areas,
                                         match_segregation=False)
    checker = spatial.absolute_clustering(CHECKER, TOTAL, g4.distances, g4.areas,
                                          match_segregation=False)
    assert halves > checker


@pytest.mark.parametrize("match", [True, False])
def test_identical_composition_everywhere(g4, match):
    out = every_kernel(EVEN, TOTAL, g4)
    for name in ("spatial_dissimilarity", "boundary_spatial_dissimilarity",
                 "perimeter_area_dissimilarity", "delta", "relative_centralization",
                 "absolute_centralization"):
        assert out[name] == pytest.approx(0.0, abs=1e-12), name
    kw = dict(match_segregation=match)
    assert spatial.spatial_proximity(EVEN, TOTAL, g4.distances, g4.areas, **kw) == (
        pytest.approx(1.0))
    assert spatial.relative_clustering(EVEN, TOTAL, g4.distances, g4.areas,
                                       match_segregation=False) == pytest.approx(0.0, abs=1e-12)
    iso = spatial.distance_decay_isolation(EVEN, TOTAL, g4.distances, g4.areas, **kw)
    exp = spatial.distance_decay_exposure(EVEN, TOTAL, g4.distances, g4.areas, **kw)
    if not match:  # segregation's broadcasting keeps k_ij from summing to 1
        assert iso == pytest.approx(0.3) and exp == pytest.approx(0.7)


def test_corrected_distance_decay_sums_to_one(g4):
    kw = dict(match_segregation=False)
    iso = spatial.distance_decay_isolation(HALVES, TOTAL, g4.distances, g4.areas, **kw)
    exp = spatial.distance_decay_exposure(HALVES, TOTAL, g4.distances, g4.areas, **kw)
    assert iso + exp == pytest.approx(1.0)
    assert iso > 0.5


def test_delta_group_in_one_cell(g4):
    group = np.zeros(16)
    group[5] = 100.0
    assert spatial.delta(group, TOTAL, g4.areas) == pytest.approx(15 / 16)


def test_centralization_at_the_centre():
    inp = spatial_inputs(grid(5, 5))
    centre = np.zeros(25)
    centre[12] = 50.0  # the middle cell
    total = np.full(25, 50.0)
    assert spatial.relative_centralization(centre, total, inp.centroids) == pytest.approx(1.0)
    assert spatial.absolute_centralization(centre, total, inp.centroids, inp.areas) == (
        pytest.approx(1 - 1 / 25))
    # the group lives in the cell farthest from a given corner
    corner = np.zeros(25)
    corner[24] = 50.0
    assert spatial.relative_centralization(corner, total, inp.centroids,
                                           center=(0.0, 0.0)) == pytest.approx(-1.0)


def test_concentration_bounds_reached():
    # the group fills exactly the smallest units: ACO = 1, RCO = 1
    areas = np.array([1.0, 1.0, 5.0, 5.0])
    total = np.full(4, 10.0)
    group = np.array([10.0, 10.0, 0.0, 0.0])
    assert spatial.absolute_concentration(group, total, areas) == pytest.approx(1.0)
    assert spatial.relative_concentration(group, total, areas) == pytest.approx(1.0)
    # Massey & Denton's RCO is not symmetric: the group in the largest units gives
    # (5 - 1) / (1/5 - 1) = -5, not -1 (same in segregation)
    assert spatial.relative_concentration(group[::-1], total, areas) == pytest.approx(-5.0)


def test_corrected_proximity_uses_km(g4):
    c = spatial.proximity_matrix(g4.distances, g4.areas, match_segregation=False)
    assert c[0, 1] == pytest.approx(np.exp(-0.1))
    assert c[0, 0] == pytest.approx(np.exp(-np.sqrt(0.6 * CELL**2) / 1000))
    seg = spatial.proximity_matrix(g4.distances, g4.areas)
    assert seg[0, 0] == pytest.approx(1.0)  # 1 - exp(-77 m): segregation's convention
    assert seg[0, 15] > seg[0, 1]  # and its "proximity" grows with distance


def test_corrected_variant_works_on_a_distance_band(g4):
    full = spatial.spatial_proximity(HALVES, TOTAL, g4.distances, g4.areas,
                                     match_segregation=False, distance_scale=50.0)
    band = spatial_inputs(grid(4, 4), distance_band=1000).distances
    assert spatial.spatial_proximity(HALVES, TOTAL, band, g4.areas, match_segregation=False,
                                     distance_scale=50.0) == pytest.approx(full)
    short = spatial_inputs(grid(4, 4), distance_band=150).distances
    with pytest.raises(InputError, match="lacks pairs"):
        spatial.spatial_proximity(HALVES, TOTAL, short, g4.areas)


def test_multiscale_profile_smooths_towards_evenness(g4):
    prof = spatial.multiscale_profile("dissimilarity", CHECKER, TOTAL, g4.centroids,
                                      distances=[50, 150, 400, 1000], match_segregation=False)
    assert prof.values[0] == 1.0 and prof.values[1] == 1.0  # no neighbour within 50 m
    assert np.all(np.diff(prof.values[1:]) <= 1e-12)
    assert prof.values[-1] < 0.2
    boxcar = spatial.multiscale_profile("entropy", CHECKER, TOTAL, g4.centroids,
                                        distances=[150], kernel="boxcar")
    assert 0 < boxcar.values[1] < 1
    with pytest.raises(ValueError, match="unknown index 'dissim'"):
        spatial.multiscale_profile("dissim", CHECKER, TOTAL, g4.centroids, distances=[1])
    with pytest.raises(ValueError, match="kernel"):
        spatial.multiscale_profile("entropy", CHECKER, TOTAL, g4.centroids, distances=[1],
                                   kernel="gaussian")
    with pytest.raises(ValueError, match="distances"):
        spatial.multiscale_profile("entropy", CHECKER, TOTAL, g4.centroids, distances=[0])


# ---------------------------------------------------------------------------------------
# edge cases
# ---------------------------------------------------------------------------------------


def test_group_absent_is_nan_everywhere(g4):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = every_kernel(np.zeros(16), TOTAL, g4)
    for name, value in out.items():
        assert np.isnan(value), name


def test_one_unit_does_not_warn():
    inp = spatial_inputs(grid(1, 1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = every_kernel([3.0], [10.0], inp)
    assert np.isnan(out["spatial_dissimilarity"])  # no link
    assert out["delta"] == 0.0
    assert out["relative_centralization"] == 0.0


@pytest.mark.parametrize("bad", ["zero", "nan"])
def test_excluded_units_equal_dropping_them(g4, bad):
    group, total = HALVES.copy(), TOTAL.copy()
    group[[3, 6]] = [40.0, 10.0]
    drop = np.array([1, 10, 11])
    if bad == "zero":
        group[drop], total[drop] = 0.0, 0.0
    else:
        group[drop[:2]] = np.nan
        total[drop[2]] = np.nan
    keep = np.setdiff1d(np.arange(16), drop)
    kept = spatial_inputs(grid(4, 4)[keep])
    ours = every_kernel(group, total, g4)
    theirs = every_kernel(group[keep], total[keep], kept)
    for name in ours:
        np.testing.assert_allclose(ours[name], theirs[name], rtol=1e-12, err_msg=name)


def test_island_adds_nothing_when_standardised():
    cells = list(grid(2, 1)) + [shapely.box(1000, 0, 1100, 100)]
    inp = spatial_inputs(gpd.GeoSeries(cells, crs="EPSG:28992"))
    assert inp.contiguity[2].nnz == 0
    group, total = [10.0, 0.0, 5.0], [10.0, 10.0, 10.0]
    d = indices.dissimilarity(group, total)
    assert spatial.spatial_dissimilarity(group, total, inp.contiguity, standardize=True) == (
        pytest.approx(d - 1.0))  # rows 0 and 1: |dp| = 1 each, 2 rows with neighbours
    assert spatial.boundary_spatial_dissimilarity(group, total, inp.boundary_lengths) == (
        pytest.approx(d - 1.0))


def test_links_across_groups_are_ignored(g4):
    groups = np.where(COLUMN < 2, 1, 2)
    full = spatial.spatial_dissimilarity(CHECKER, TOTAL, g4.contiguity, groups=groups)
    block = spatial_inputs(grid(4, 4), groups=groups)
    np.testing.assert_array_equal(
        full, spatial.spatial_dissimilarity(CHECKER, TOTAL, block.contiguity, groups=groups))


def test_batch_equals_per_group_exactly():
    groups = np.where(COLUMN < 2, "b", "a")
    inp = spatial_inputs(grid(4, 4), groups=groups)
    rng = np.random.default_rng(7)
    total = rng.integers(1, 200, 16).astype(float)
    group = np.floor(total * rng.random(16))
    batch = every_kernel(group, total, inp, groups=groups)
    for k, label in enumerate(["a", "b"]):
        m = groups == label
        single = every_kernel(group[m], total[m], spatial_inputs(grid(4, 4)[m]))
        for name in batch:
            np.testing.assert_array_equal(batch[name][k], single[name], err_msg=name)


def test_bad_inputs_name_the_argument(g4):
    with pytest.raises(InputError, match=r"`contiguity` must have shape \(16, 16\)"):
        spatial.spatial_dissimilarity(HALVES, TOTAL, np.eye(3))
    with pytest.raises(InputError, match="`boundary_lengths` has a negative entry"):
        spatial.boundary_spatial_dissimilarity(HALVES, TOTAL, -g4.boundary_lengths)
    with pytest.raises(InputError, match="`areas` must hold one value per unit"):
        spatial.delta(HALVES, TOTAL, [1.0, 2.0])
    with pytest.raises(InputError, match="`group` exceeds `total`"):
        spatial.delta(TOTAL + 1, TOTAL, g4.areas)
    with pytest.raises(InputError, match="`center` must be one"):
        spatial.relative_centralization(HALVES, TOTAL, g4.centroids, center=(1, 2, 3))
    with pytest.raises(ValueError, match="`alpha`"):
        spatial.spatial_proximity(HALVES, TOTAL, g4.distances, g4.areas, alpha=-1)
    with pytest.raises(ValueError, match="`distance_scale`"):
        spatial.spatial_proximity(HALVES, TOTAL, g4.distances, g4.areas, distance_scale=0)


def test_accepts_spatial_weights(g4):
    from mixing.geometry.weights import build_weights

    w = build_weights(grid(4, 4), kind="queen")
    assert spatial.spatial_dissimilarity(HALVES, TOTAL, w) == spatial.spatial_dissimilarity(
        HALVES, TOTAL, g4.contiguity)


def test_center_per_group():
    groups = np.where(COLUMN < 2, 1, 2)
    inp = spatial_inputs(grid(4, 4), groups=groups)
    centres = np.array([[0.0, 0.0], [400.0, 400.0]])
    out = spatial.relative_centralization(HALVES, TOTAL, inp.centroids, groups=groups,
                                          center=centres)
    assert out.shape == (2,) and np.isnan(out).all()  # each half is all group or all rest
    group = np.where(ROW < 2, 100.0, 0.0)
    out = spatial.relative_centralization(group, TOTAL, inp.centroids, groups=groups,
                                          center=centres)
    assert out[0] > 0 > out[1]


# ---------------------------------------------------------------------------------------
# invariants (hypothesis) on a 4x4 lattice
# ---------------------------------------------------------------------------------------


@st.composite
def counts(draw):
    total = np.array(draw(st.lists(st.integers(1, 500), min_size=16, max_size=16)), float)
    share = np.array(draw(st.lists(st.floats(0, 1), min_size=16, max_size=16)))
    group = np.floor(total * share)
    if group.sum() == 0:
        group[0] = 1.0
    if group.sum() == total.sum():
        group[0] -= 1.0
    return group, total


@pytest.fixture(scope="module")
def lattice():
    return spatial_inputs(grid(4, 4))


@SETTINGS
@given(data=counts(), factor=st.sampled_from([0.5, 3.0, 1e3]))
def test_scaling_counts_changes_nothing(lattice, data, factor):
    group, total = data
    a = every_kernel(group, total, lattice)
    b = every_kernel(group * factor, total * factor, lattice)
    for name in a:
        np.testing.assert_allclose(b[name], a[name], rtol=1e-9, atol=1e-12, err_msg=name)
    pa = spatial.multiscale_profile("dissimilarity", group, total, lattice.centroids,
                                    distances=[250], match_segregation=False)
    pb = spatial.multiscale_profile("dissimilarity", group * factor, total * factor,
                                    lattice.centroids, distances=[250], match_segregation=False)
    np.testing.assert_allclose(pa.values, pb.values, rtol=1e-9)


@SETTINGS
@given(data=counts())
def test_bounds(lattice, data):
    group, total = data
    out = every_kernel(group, total, lattice)
    d = indices.dissimilarity(group, total)
    # Morrill/Wong subtract the neighbours' differences from D: never above D, but below 0
    # when neighbours differ more than the city average (a checkerboard), so no lower bound.
    for name in ("spatial_dissimilarity", "boundary_spatial_dissimilarity"):
        assert out[name] <= d + 1e-12, name
    assert 0 <= out["delta"] <= 1
    assert out["relative_concentration"] <= 1 + 1e-12 or np.isnan(out["relative_concentration"])
    for name in ("absolute_centralization", "relative_centralization"):
        assert -1 - 1e-12 <= out[name] <= 1 + 1e-12, name
    kw = dict(match_segregation=False)
    iso = spatial.distance_decay_isolation(group, total, lattice.distances, lattice.areas, **kw)
    exp = spatial.distance_decay_exposure(group, total, lattice.distances, lattice.areas, **kw)
    assert 0 <= iso <= 1 and iso + exp == pytest.approx(1.0)
    sp = spatial.spatial_proximity(group, total, lattice.distances, lattice.areas, **kw)
    assert sp > 0  # a ratio of positive proximities; near 1 when groups are not clustered
    for name in catalogue.names("spatial"):  # the bounds the catalogue declares
        low, high = catalogue.index(name).bounds
        value = out[name]
        if np.isfinite(value):
            assert low is None or value >= low - 1e-12, name
            assert high is None or value <= high + 1e-12, name


def test_sparse_matrix_formats_agree(g4):
    dense = g4.contiguity.toarray()
    coo = sparse.coo_matrix(dense)
    a = spatial.spatial_dissimilarity(HALVES, TOTAL, dense)
    assert spatial.spatial_dissimilarity(HALVES, TOTAL, coo) == a
