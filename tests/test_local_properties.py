"""Invariants of the local kernels (hypothesis): bounds, invariance to scaling all counts,
contributions summing to D, the location quotients averaging to 1, batch == loop."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from mixing.kernels import aspatial as indices
from mixing.kernels import local

SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
COMPOSITION = [
    local.local_entropy,
    local.local_diversity,
    local.local_simpson_concentration,
    local.local_simpson_interaction,
]


@st.composite
def counts_matrix(draw, max_units=25):
    n = draw(st.integers(1, max_units))
    k = draw(st.integers(2, 4))
    return draw(arrays(np.float64, (n, k), elements=st.integers(0, 5_000).map(float)))


@st.composite
def two_group(draw, max_units=25):
    n = draw(st.integers(1, max_units))
    total = draw(arrays(np.float64, n, elements=st.integers(0, 10_000).map(float)))
    frac = draw(arrays(np.float64, n, elements=st.floats(0, 1)))
    return np.floor(total * frac), total


@st.composite
def points(draw, n):
    # distinct integer coordinates: no distance ties, so the orderings are well defined
    flat = draw(st.lists(st.integers(0, 10_000), min_size=n, max_size=n, unique=True))
    return np.column_stack([np.asarray(flat, float), np.asarray(flat, float) ** 1.5 % 97])


def _scales():
    return st.sampled_from([0.5, 3.0, 7.25, 1000.0])


@SETTINGS
@given(counts_matrix())
def test_bounds_of_composition_kernels(counts):
    k = counts.shape[1]
    nonempty = counts.sum(axis=1) > 0
    e = local.local_entropy(counts, empty="nan")
    h = local.local_diversity(counts, empty="nan")
    lam = local.local_simpson_concentration(counts, empty="nan")
    i = local.local_simpson_interaction(counts, empty="nan")
    assert np.isnan(e[~nonempty]).all()
    eps = 1e-12
    assert ((e[nonempty] >= -eps) & (e[nonempty] <= 1 + eps)).all()
    assert ((h[nonempty] >= -eps) & (h[nonempty] <= np.log(k) + eps)).all()
    assert ((lam[nonempty] >= 1 / k - eps) & (lam[nonempty] <= 1 + eps)).all()
    np.testing.assert_allclose(lam[nonempty] + i[nonempty], 1.0, rtol=1e-12)
    np.testing.assert_allclose(e[nonempty], h[nonempty] / np.log(k), rtol=1e-12, atol=1e-15)


@SETTINGS
@given(counts_matrix())
def test_location_quotient_is_nonnegative_and_averages_to_one(counts):
    lq = local.location_quotient(counts)
    t = counts.sum(axis=1)
    present = counts.sum(axis=0) > 0
    assert (lq[~np.isnan(lq)] >= 0).all()
    assert np.isnan(lq[:, ~present]).all()
    if t.sum() > 0:
        # sum_i t_i LQ_ik / T = 1 for every group present in the municipality
        weighted = np.nansum(t[:, None] * lq[:, present], axis=0) / t.sum()
        np.testing.assert_allclose(weighted, 1.0, rtol=1e-12)


@SETTINGS
@given(counts_matrix(), _scales())
def test_multigroup_kernels_are_scale_invariant(counts, factor):
    n = counts.shape[0]
    xy = np.column_stack([np.arange(n, dtype=float) ** 1.3, np.zeros(n)])
    for kernel in [local.location_quotient, *COMPOSITION]:
        np.testing.assert_allclose(
            kernel(counts * factor), kernel(counts), rtol=1e-9, atol=1e-12, equal_nan=True
        )
    np.testing.assert_allclose(
        local.local_distortion(counts * factor, centroids=xy),
        local.local_distortion(counts, centroids=xy),
        rtol=1e-9,
        atol=1e-12,
        equal_nan=True,
    )


@SETTINGS
@given(two_group(), _scales())
def test_two_group_kernels_are_scale_invariant(pair, factor):
    x, t = pair
    xy = np.column_stack([np.arange(x.size, dtype=float) ** 1.3, np.zeros(x.size)])
    for kernel in [local.location_quotient, local.dissimilarity_contribution]:
        np.testing.assert_allclose(
            kernel(x * factor, t * factor), kernel(x, t), rtol=1e-9, atol=1e-12, equal_nan=True
        )
    np.testing.assert_allclose(
        local.local_relative_centralization(x * factor, t * factor, xy),
        local.local_relative_centralization(x, t, xy),
        rtol=1e-9,
        atol=1e-12,
    )


@SETTINGS
@given(two_group())
def test_dissimilarity_contributions_sum_to_d(pair):
    x, t = pair
    parts = local.dissimilarity_contribution(x, t)
    d = indices.dissimilarity(x, t)
    if np.isnan(d):
        assert np.isnan(parts).all()
    else:
        assert (parts >= 0).all() and (parts <= 0.5 + 1e-15).all()
        np.testing.assert_allclose(parts.sum(), d, rtol=1e-9, atol=1e-12)


@SETTINGS
@given(st.data())
def test_centralization_and_distortion_bounds(data):
    x, t = data.draw(two_group())
    xy = data.draw(points(x.size))
    k = data.draw(st.integers(1, 6))
    rce = local.local_relative_centralization(x, t, xy, k=k)
    assert ((rce >= -1 - 1e-12) & (rce <= 1 + 1e-12)).all()
    counts = np.column_stack([x, t - x])
    dist = local.local_distortion(counts, centroids=xy)
    assert (dist[np.isfinite(dist)] >= -1e-12).all()


@SETTINGS
@given(st.data())
def test_batch_equals_per_group_calls(data):
    counts = data.draw(counts_matrix(max_units=30))
    n = counts.shape[0]
    ids = np.asarray(data.draw(st.lists(st.sampled_from("abc"), min_size=n, max_size=n)))
    xy = data.draw(points(n))

    def run(c, pts, groups=None):
        kw = {"groups": groups}
        cols = [
            local.location_quotient(c, **kw),
            local.location_quotient(c[:, 0], c.sum(axis=1), **kw)[:, None],
            local.dissimilarity_contribution(c[:, 0], c.sum(axis=1), **kw)[:, None],
            local.local_relative_centralization(c[:, 0], c.sum(axis=1), pts, k=2, **kw)[:, None],
            local.local_distortion(c, centroids=pts, **kw)[:, None],
            local.local_distortion(c, centroids=pts, empty="nan", **kw)[:, None],
        ]
        cols += [kernel(c, **kw)[:, None] for kernel in COMPOSITION]
        return np.concatenate(cols, axis=1)

    batch = run(counts, xy, groups=ids)
    for g in np.unique(ids):
        sel = ids == g
        np.testing.assert_array_equal(batch[sel], run(counts[sel], xy[sel]))
