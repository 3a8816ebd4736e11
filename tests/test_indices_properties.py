"""Invariants of the aspatial kernels (hypothesis): bounds, evenness, scale and order
invariance, batch == loop; and the additivity of the mutual-information decomposition."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from mixing import catalogue
from mixing.kernels import aspatial as indices
from mixing.kernels import multigroup

SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# The catalogue declares each index's bounds and scale-freeness; these tests hold it to them.
ASPATIAL = {name: catalogue.index(name) for name in catalogue.names("aspatial")}
DETERMINISTIC = [n for n, s in ASPATIAL.items() if not s.seeded]
BOUNDED = [n for n, s in ASPATIAL.items() if s.bounds != (None, None)]
SCALE_FREE = [n for n, s in ASPATIAL.items() if s.scale_free and not s.seeded]
MULTIGROUP = {name: catalogue.index(name) for name in catalogue.names("multigroup")}
MULTI_SCALE_FREE = [n for n, s in MULTIGROUP.items() if s.scale_free]


def _within(value, bounds, name):
    low, high = bounds
    assert low is None or value >= low - 1e-12, name
    assert high is None or value <= high + 1e-12, name


@st.composite
def two_group(draw, min_units=1, max_units=30):
    n = draw(st.integers(min_units, max_units))
    total = draw(arrays(np.float64, n, elements=st.integers(0, 10_000).map(float)))
    frac = draw(arrays(np.float64, n, elements=st.floats(0, 1)))
    group = np.floor(total * frac)
    return group, total


@st.composite
def counts_matrix(draw, max_units=30):
    n = draw(st.integers(1, max_units))
    k = draw(st.integers(2, 4))
    return draw(arrays(np.float64, (n, k), elements=st.integers(0, 5_000).map(float)))


def _defined(value):
    return np.isfinite(value)


@pytest.mark.parametrize("name", BOUNDED)
@SETTINGS
@given(data=two_group())
def test_bounds(name, data):
    value = ASPATIAL[name].kernel(*data)
    if _defined(value):
        _within(value, ASPATIAL[name].bounds, name)


@SETTINGS
@given(data=two_group())
def test_isolation_plus_exposure_is_one_and_isolation_at_least_P(data):
    group, total = data
    iso, exp = indices.isolation(group, total), indices.exposure(group, total)
    if _defined(iso):
        assert iso + exp == pytest.approx(1.0)
        assert iso >= group.sum() / total.sum() - 1e-12


@SETTINGS
@given(data=two_group(), share=st.floats(0.05, 0.95))
def test_identical_composition_gives_zero(data, share):
    _, total = data
    group = total * share
    for name in ["dissimilarity", "gini", "entropy", "correlation_ratio", "min_max"]:
        value = getattr(indices, name)(group, total)
        assert not _defined(value) or abs(value) < 1e-9, name


@pytest.mark.parametrize("name", SCALE_FREE)
@SETTINGS
@given(data=two_group(), factor=st.sampled_from([0.5, 3.0, 10.0, 1e3]))
def test_invariant_to_scaling_all_counts(name, data, factor):
    group, total = data
    a = getattr(indices, name)(group, total)
    b = getattr(indices, name)(group * factor, total * factor)
    np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", DETERMINISTIC)
@SETTINGS
@given(data=two_group(), seed=st.integers(0, 2**32 - 1))
def test_invariant_to_unit_order(name, data, seed):
    group, total = data
    perm = np.random.default_rng(seed).permutation(group.shape[0])
    a = getattr(indices, name)(group, total)
    b = getattr(indices, name)(group[perm], total[perm])
    np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", DETERMINISTIC)
@SETTINGS
@given(data=two_group(min_units=2, max_units=40), seed=st.integers(0, 2**32 - 1))
def test_batch_equals_loop(name, data, seed):
    group, total = data
    ids = np.random.default_rng(seed).integers(0, 4, group.shape[0])
    got = getattr(indices, name)(group, total, groups=ids)
    want = [getattr(indices, name)(group[ids == g], total[ids == g]) for g in np.unique(ids)]
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("name", MULTI_SCALE_FREE)
@SETTINGS
@given(counts=counts_matrix(), factor=st.sampled_from([0.5, 7.0]), seed=st.integers(0, 999))
def test_multigroup_scale_order_and_batch(name, counts, factor, seed):
    f = getattr(multigroup, name)
    base = f(counts)
    np.testing.assert_allclose(f(counts * factor), base, rtol=1e-9, atol=1e-12)
    perm = np.random.default_rng(seed).permutation(counts.shape[0])
    np.testing.assert_allclose(f(counts[perm]), base, rtol=1e-9, atol=1e-12)
    ids = np.random.default_rng(seed).integers(0, 3, counts.shape[0])
    np.testing.assert_array_equal(
        f(counts, groups=ids), [f(counts[ids == g]) for g in np.unique(ids)]
    )


@pytest.mark.parametrize("name", sorted(MULTIGROUP))
@SETTINGS
@given(counts=counts_matrix(), where=st.integers(0, 3))
def test_multigroup_absent_group_is_ignored(name, counts, where):
    # one rule for every multigroup index (module conventions of mixing.kernels.multigroup):
    # a population group absent from the whole municipality changes nothing
    f = MULTIGROUP[name].kernel
    where = min(where, counts.shape[1])
    padded = np.insert(counts, where, 0.0, axis=1)
    np.testing.assert_allclose(f(padded), f(counts), rtol=1e-12, atol=1e-15, equal_nan=True)


def test_diversity_normalised_ignores_an_absent_group():
    counts = np.array([[5.0, 5, 0], [5, 5, 0]])
    assert multigroup.diversity(counts, normalized=True) == pytest.approx(1.0, rel=1e-15)
    assert multigroup.diversity([[5.0, 0], [4, 0]], normalized=True) == 0.0


@SETTINGS
@given(counts=counts_matrix())
def test_multigroup_bounds_and_two_group_reduction(counts):
    for name, spec in MULTIGROUP.items():
        value = spec.kernel(counts)
        if _defined(value):
            _within(value, spec.bounds, name)
    two = counts[:, :2]
    total = two.sum(axis=1)
    np.testing.assert_allclose(
        multigroup.multigroup_dissimilarity(two), indices.dissimilarity(two[:, 0], total), rtol=1e-9
    )
    np.testing.assert_allclose(
        multigroup.multigroup_gini(two), indices.gini(two[:, 0], total), rtol=1e-9
    )


@SETTINGS
@given(counts=counts_matrix(max_units=40), seed=st.integers(0, 999))
def test_mutual_information_decomposition_adds_up(counts, seed):
    rng = np.random.default_rng(seed)
    clusters = rng.integers(0, 5, counts.shape[0])
    d = multigroup.mutual_information_decomposition(counts, clusters)
    if _defined(d.total):
        assert d.total == pytest.approx(d.between + d.within, rel=1e-9, abs=1e-12)
        assert d.between >= -1e-12 and d.within >= -1e-12
        assert d.total == multigroup.mutual_information(counts)
    ids = rng.integers(0, 3, counts.shape[0])
    batch = multigroup.mutual_information_decomposition(counts, clusters, groups=ids)
    for i, g in enumerate(np.unique(ids)):
        one = multigroup.mutual_information_decomposition(counts[ids == g], clusters[ids == g])
        np.testing.assert_allclose(
            [batch.total[i], batch.between[i], batch.within[i]],
            [one.total, one.between, one.within],
            rtol=1e-12,
            atol=1e-15,
        )
