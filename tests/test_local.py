"""Local kernels on tiny hand-made inputs: known answers, edge cases, the corrected
(``empty="nan"``) variants, neighbour search, and error messages."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from mixing.errors import InputError
from mixing.kernels import local

LN2, LN3 = np.log(2.0), np.log(3.0)
LINE = np.array([[0.0, 0.0], [1.0, 0.0], [3.0, 0.0]])  # three units on a line, no ties


@pytest.fixture(autouse=True)
def _no_floating_point_warnings():
    """Kernels silence 0/0 locally: nothing may leak to the caller."""
    with warnings.catch_warnings(), np.errstate(all="warn"):
        warnings.simplefilter("error")
        yield


# ---------------------------------------------------------------------------------------
# known answers
# ---------------------------------------------------------------------------------------


def test_location_quotient_known_answer():
    np.testing.assert_allclose(
        local.location_quotient([[8, 2], [2, 8]]), [[1.6, 0.4], [0.4, 1.6]], rtol=1e-15
    )
    np.testing.assert_allclose(local.location_quotient([8, 2], [10, 10]), [1.6, 0.4])


def test_composition_kernels_known_answers():
    counts = [[1, 1, 1], [10, 0, 0], [2, 1, 1]]
    np.testing.assert_allclose(local.local_entropy(counts), [1.0, 0.0, 1.5 * LN2 / LN3])
    np.testing.assert_allclose(local.local_diversity(counts), [LN3, 0.0, 1.5 * LN2])
    np.testing.assert_allclose(local.local_simpson_concentration(counts), [1 / 3, 1.0, 0.375])
    np.testing.assert_allclose(local.local_simpson_interaction(counts), [2 / 3, 0.0, 0.625])


def test_dissimilarity_contribution_known_answer():
    parts = local.dissimilarity_contribution([10, 0, 5, 5], [10, 10, 10, 10])
    np.testing.assert_allclose(parts, [0.25, 0.25, 0.0, 0.0])  # X = Y = 20
    assert parts.sum() == pytest.approx(0.5)


def test_local_relative_centralization_known_answer():
    # group only in unit 0: around 0 it is fully central, around 2 fully peripheral
    rce = local.local_relative_centralization([10, 0, 0], [10, 10, 10], LINE, k=2)
    np.testing.assert_allclose(rce, [1.0, 0.0, -1.0])


def test_local_distortion_known_answer():
    # P = (1/2, 1/2). Unit 0: q = (1, 0) then (1/2, 1/2), (1/2, 1/2): ln 2.
    # Unit 2: q = (1/2, 1/2), then (1/4, 3/4), then P.
    d = local.local_distortion([[10, 0], [0, 10], [5, 5]], centroids=LINE)
    third = 0.25 * np.log(0.5) + 0.75 * np.log(1.5)
    np.testing.assert_allclose(d, [LN2, LN2, third], rtol=1e-14)


def test_local_distortion_takes_precomputed_distances():
    dist = np.abs(LINE[:, None, 0] - LINE[None, :, 0])
    counts = [[10, 0], [0, 10], [5, 5]]
    np.testing.assert_allclose(
        local.local_distortion(counts, distances=dist),
        local.local_distortion(counts, centroids=LINE),
    )


# ---------------------------------------------------------------------------------------
# empty units: segregation's value by default, NaN in the corrected variant
# ---------------------------------------------------------------------------------------

COMPOSITION = [
    local.local_entropy,
    local.local_diversity,
    local.local_simpson_concentration,
    local.local_simpson_interaction,
]


@pytest.mark.parametrize("kernel", COMPOSITION, ids=lambda f: f.__name__)
def test_empty_unit_is_zero_like_segregation_or_nan(kernel):
    counts = [[3, 1, 0], [0, 0, 0], [np.nan, 1, 1]]
    default = kernel(counts)
    assert default[1] == 0.0  # segregation's 0/0 -> nansum -> 0
    assert np.isnan(default[2])  # unknown is unknown in both modes
    corrected = kernel(counts, empty="nan")
    assert np.isnan(corrected[1:]).all()
    assert corrected[0] == default[0]


def test_location_quotient_of_empty_or_unknown_unit_is_nan():
    lq = local.location_quotient([[3, 1], [0, 0], [np.nan, 1]])
    assert np.isnan(lq[1:]).all()
    np.testing.assert_allclose(lq[0], [1.0, 1.0])


def test_dissimilarity_contribution_of_empty_unit_is_zero_and_unknown_nan():
    parts = local.dissimilarity_contribution([10, 0, 0, np.nan], [10, 10, 0, 5])
    np.testing.assert_allclose(parts[:3], [0.5, 0.5, 0.0])
    assert np.isnan(parts[3])


def test_distortion_corrected_variant_ignores_empty_units():
    xy = np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0], [4.0, 0.0]])
    with_empty = [[10, 0], [0, 0], [0, 10], [5, 5]]
    default = local.local_distortion(with_empty, centroids=xy)
    corrected = local.local_distortion(with_empty, centroids=xy, empty="nan")
    without = local.local_distortion([[10, 0], [0, 10], [5, 5]], centroids=xy[[0, 2, 3]])
    assert np.isnan(corrected[1])
    np.testing.assert_allclose(corrected[[0, 2, 3]], without, rtol=1e-14)
    # segregation keeps the empty unit as a step, repeating unit 0's divergence ln 2
    assert default[0] == pytest.approx(without[0] + LN2)
    assert np.isfinite(default[1])


def test_centralization_corrected_variant():
    xy = np.array([[0.0, 0.0], [1.0, 0.0], [3.0, 0.0], [10.0, 0.0], [11.0, 0.0]])
    group, total = [5, 0, 5, 0, 0], [10, 0, 10, 10, 10]
    default = local.local_relative_centralization(group, total, xy, k=1)
    corrected = local.local_relative_centralization(group, total, xy, k=1, empty="nan")
    assert np.isfinite(default[1])  # empty focal unit: segregation still gives a value
    assert default[3] == 0.0 and default[4] == 0.0  # no group member around: "0"
    assert np.isnan(corrected[[1, 3, 4]]).all()
    np.testing.assert_array_equal(corrected[[0, 2]], default[[0, 2]])


# ---------------------------------------------------------------------------------------
# edge cases: a group absent, one unit, NaN units
# ---------------------------------------------------------------------------------------


def test_group_absent_from_the_municipality():
    counts = [[3, 0, 1], [1, 0, 3]]
    lq = local.location_quotient(counts)
    assert np.isnan(lq[:, 1]).all()  # 0 / 0: the reference share is 0
    np.testing.assert_allclose(lq[:, [0, 2]], [[1.5, 0.5], [0.5, 1.5]])
    np.testing.assert_allclose(
        local.local_diversity(counts), local.local_diversity([[3, 1], [1, 3]])
    )
    assert np.isnan(local.dissimilarity_contribution([0, 0], [5, 5])).all()  # X = 0
    assert np.isnan(local.dissimilarity_contribution([5, 5], [5, 5])).all()  # Y = 0
    assert np.isfinite(local.local_distortion(counts, centroids=LINE[:2])).all()


def test_one_unit():
    assert local.location_quotient([[3, 1]]).tolist() == [[1.0, 1.0]]
    assert local.local_entropy([[3, 3]]).tolist() == [1.0]
    assert local.dissimilarity_contribution([3], [5]).tolist() == [0.0]
    assert local.local_distortion([[3, 1]], centroids=[[0, 0]]).tolist() == [0.0]
    assert local.local_relative_centralization([3], [5], [[0, 0]]).tolist() == [0.0]
    assert local.knn_neighbors([[0, 0]], k=5).tolist() == [[-1] * 5]


def test_unknown_unit_changes_nothing_for_the_others():
    counts = np.array([[10, 0], [np.nan, 3], [0, 10], [5, 5]], dtype=float)
    xy = np.array([[0.0, 0.0], [0.5, 0.0], [1.0, 0.0], [3.0, 0.0]])
    keep = [0, 2, 3]
    for kernel in [local.location_quotient, *COMPOSITION]:
        full = kernel(counts)
        assert np.isnan(full[1]).all()
        np.testing.assert_array_equal(full[keep], kernel(counts[keep]))
    d = local.local_distortion(counts, centroids=xy)
    assert np.isnan(d[1])
    np.testing.assert_array_equal(d[keep], local.local_distortion(counts[keep], centroids=xy[keep]))
    x, t = counts[:, 0], counts.sum(axis=1)
    rce = local.local_relative_centralization(x, t, xy, k=2)
    assert np.isnan(rce[1])
    np.testing.assert_array_equal(
        rce[keep], local.local_relative_centralization(x[keep], t[keep], xy[keep], k=2)
    )


# ---------------------------------------------------------------------------------------
# neighbour search
# ---------------------------------------------------------------------------------------


def test_knn_neighbors_stay_in_their_municipality_and_pad_with_minus_one():
    xy = [[0, 0], [1, 0], [3, 0], [0.5, 0], [9, 9]]
    nb = local.knn_neighbors(xy, k=2, groups=["a", "a", "a", "b", "b"])
    np.testing.assert_array_equal(nb, [[1, 2], [0, 2], [1, 0], [4, -1], [3, -1]])


def test_knn_neighbors_mask_removes_units_from_the_search():
    nb = local.knn_neighbors([[0, 0], [1, 0], [2, 0]], k=1, mask=[True, False, True])
    np.testing.assert_array_equal(nb, [[2], [-1], [0]])


def test_centralization_takes_prebuilt_neighbors():
    x, t = [10, 0, 0], [10, 10, 10]
    nb = local.knn_neighbors(LINE, k=2)
    np.testing.assert_array_equal(
        local.local_relative_centralization(x, t, LINE, neighbors=nb),
        local.local_relative_centralization(x, t, LINE, k=2),
    )


# ---------------------------------------------------------------------------------------
# errors name the argument, the value and the fix
# ---------------------------------------------------------------------------------------


def test_location_quotient_one_dimensional_without_total():
    with pytest.raises(InputError, match=r"`counts` is 1-D but no `total`"):
        local.location_quotient([1, 2, 3])


def test_unknown_empty_option():
    with pytest.raises(
        InputError, match=r"`empty` must be one of \['segregation', 'nan'\], got 'zero'"
    ):
        local.local_entropy([[1, 2]], empty="zero")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "exactly one of `centroids`"),
        ({"centroids": LINE, "distances": np.zeros((3, 3))}, "exactly one of `centroids`"),
        ({"centroids": LINE[:2]}, r"`centroids` must have shape \(3, 2\)"),
        ({"distances": np.zeros((3, 2))}, r"`distances` must have shape \(3, 3\)"),
        ({"centroids": [[0, 0], [np.nan, 1], [2, 2]]}, "infinite coordinate at position 1"),
    ],
)
def test_distortion_geometry_errors(kwargs, message):
    with pytest.raises(InputError, match=message):
        local.local_distortion([[1, 2], [2, 1], [1, 1]], **kwargs)


def test_centralization_neighbor_errors():
    with pytest.raises(InputError, match=r"outside -1 \.\. 2 in row 1"):
        local.local_relative_centralization([1, 1, 1], [2, 2, 2], LINE, neighbors=[[1], [5], [0]])
    with pytest.raises(InputError, match="integer"):
        local.local_relative_centralization([1, 1, 1], [2, 2, 2], LINE, neighbors=[[1.0]] * 3)


def test_count_errors_come_from_the_shared_validation():
    with pytest.raises(InputError, match="`group` exceeds `total` at position 1"):
        local.dissimilarity_contribution([1, 5], [2, 2])
    with pytest.raises(InputError, match="negative count"):
        local.local_entropy([[1, -1], [1, 1]])
    with pytest.raises(InputError, match="`groups` has 1 ids but the counts have 2 units"):
        local.local_diversity([[1, 1], [1, 1]], groups=["a"])


def test_knn_k_must_be_positive():
    with pytest.raises(InputError, match="`k` must be an integer >= 1, got 0. Fix: e.g. k=6"):
        local.knn_neighbors(LINE, k=0)


def test_local_distortion_takes_sparse_block_diagonal_distances():
    from scipy import sparse

    from mixing.geometry.distances import centroid_distances

    xy = np.array([[0.0, 0.0], [1.0, 0.0], [3.0, 0.0], [0.0, 5.0], [2.0, 5.0]])
    counts = [[10, 0], [0, 10], [5, 5], [1, 3], [3, 1]]
    ids = ["a", "a", "a", "b", "b"]
    expected = local.local_distortion(counts, centroids=xy, groups=ids)
    blocks = centroid_distances(xy, groups=ids)  # diagonal not stored
    assert sparse.issparse(blocks)
    np.testing.assert_allclose(
        local.local_distortion(counts, distances=blocks, groups=ids), expected, rtol=1e-14
    )
    banded = centroid_distances(xy, groups=ids, distance_band=1.5)
    with pytest.raises(InputError, match="misses pairs of units of group 'a'"):
        local.local_distortion(counts, distances=banded, groups=ids)


def test_local_distortion_rejects_negative_distances():
    with pytest.raises(InputError, match="NaN or negative distances"):
        local.local_distortion([[1, 2], [2, 1]], distances=[[0, -1], [-1, 0]])
