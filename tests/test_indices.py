"""Known answers, edge cases, input validation and batching of the aspatial kernels."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from conftest import SEED

from mixing import catalogue
from mixing.errors import InputError
from mixing.kernels import aspatial as indices
from mixing.kernels import multigroup

# the two-group aspatial and the multigroup kernels, as the catalogue lists them
DETERMINISTIC = list(catalogue.names("aspatial", seeded=False))
SIMULATED = list(catalogue.names("aspatial", seeded=True))
MULTI = list(catalogue.names("multigroup"))


def call(name, *args, **kwargs):
    if name in SIMULATED:
        kwargs.setdefault("seed", SEED)
        kwargs.setdefault("iterations" if name.startswith("modified") else "draws", 50)
    return catalogue.index(name).kernel(*args, **kwargs)


def _batch_data(seed=SEED, n=400, n_groups=7):
    rng = np.random.default_rng(seed)
    total = rng.integers(0, 2000, n).astype(float)
    group = rng.binomial(total.astype(int), rng.beta(2, 4, n)).astype(float)
    total[5] = 0.0
    group[5] = 0.0
    group[11] = np.nan
    ids = rng.choice([f"GM{k:04d}" for k in range(n_groups)], n)
    return group, total, ids


# --- known answers -----------------------------------------------------------------------


def test_complete_segregation_and_evenness():
    for name in ["dissimilarity", "gini", "entropy", "correlation_ratio", "atkinson", "min_max"]:
        assert call(name, [10, 0], [10, 10]) == pytest.approx(1.0)
        assert call(name, [2, 4, 6], [10, 20, 30]) == pytest.approx(0.0, abs=1e-12)
    assert indices.isolation([10, 0], [10, 10]) == 1.0
    assert indices.exposure([10, 0], [10, 10]) == 0.0


def test_hand_computed_dissimilarity_and_exposure():
    group, total = [20, 10, 0], [40, 20, 40]  # X = 30, Y = 70, P = 0.3
    # D = 1/2 (|20/30 - 20/70| + |10/30 - 10/70| + |0 - 40/70|) = 4/7
    assert indices.dissimilarity(group, total) == pytest.approx(4 / 7, rel=1e-12)
    # xPx = (20/30)(20/40) + (10/30)(10/20) = 1/2
    assert indices.isolation(group, total) == pytest.approx(0.5, rel=1e-12)
    assert indices.exposure(group, total) == pytest.approx(0.5, rel=1e-12)
    # V = (0.5 - 0.3) / 0.7
    assert indices.correlation_ratio(group, total) == pytest.approx(2 / 7, rel=1e-12)
    # MinMax = 2D / (1 + D)
    assert indices.min_max(group, total) == pytest.approx((8 / 7) / (11 / 7), rel=1e-12)


def test_gini_equals_pairwise_definition():
    rng = np.random.default_rng(SEED)
    total = rng.integers(1, 100, 60).astype(float)
    group = rng.binomial(total.astype(int), 0.3).astype(float)
    p, P, T = group / total, group.sum() / total.sum(), total.sum()
    pairwise = (np.outer(total, total) * np.abs(p[:, None] - p[None, :])).sum()
    assert indices.gini(group, total) == pytest.approx(
        pairwise / (2 * T * T * P * (1 - P)), rel=1e-12
    )


def test_fold_normal_mle_solves_its_equation():
    theta = np.array([0.0, 0.5, 1.0, 1.0001, 1.5, 3.0, 40.0])
    mu = indices._fold_normal_mle(theta)
    assert np.all(mu[theta <= 1] == 0)
    big = theta > 1
    np.testing.assert_allclose(
        mu[big], theta[big] * np.tanh(theta[big] * mu[big]), rtol=1e-10, atol=1e-9
    )
    assert np.all(mu[big] > 0)


# --- edge cases (documented results) --------------------------------------------------------


@pytest.mark.parametrize("name", DETERMINISTIC + SIMULATED)
def test_one_unit(name):
    value = call(name, [3.0], [10.0])
    if name in ("isolation", "exposure"):
        assert value == pytest.approx(0.3 if name == "isolation" else 0.7)
    elif name == "con_prof":
        assert np.isfinite(value)
    elif name in SIMULATED:
        assert np.isfinite(value) or np.isnan(value)
    else:
        assert value == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("name", DETERMINISTIC + SIMULATED)
def test_group_absent_gives_nan_without_warning(name):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = call(name, [0, 0, 0], [5, 6, 7])
        batch = call(name, [0, 0, 1, 2], [5, 6, 7, 8], groups=["a", "a", "b", "b"])
    assert np.isnan(value)
    assert np.isnan(batch[0]) and np.isfinite(batch[1])


@pytest.mark.parametrize("name", DETERMINISTIC)
def test_zero_total_and_nan_units_are_excluded(name):
    group, total = np.array([2.0, 4, 6, 1]), np.array([10.0, 5, 30, 9])
    base = call(name, group, total)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        padded = call(name, np.r_[group, 0, np.nan, 3, np.nan], np.r_[total, 0, 5, np.nan, np.nan])
    assert padded == base


@pytest.mark.parametrize("name", DETERMINISTIC + SIMULATED)
def test_municipality_with_only_empty_units_is_nan(name):
    out = call(name, [1, 2, 0, np.nan], [4, 4, 0, 3], groups=[1, 1, 2, 2])
    assert np.isfinite(out[0]) or name in SIMULATED
    assert np.isnan(out[1])


def test_nan_for_group_everyone():
    assert np.isnan(indices.dissimilarity([5, 5], [5, 5]))
    assert indices.isolation([5, 5], [5, 5]) == 1.0
    assert indices.exposure([5, 5], [5, 5]) == 0.0


# --- validation ---------------------------------------------------------------------------


def test_group_above_total_names_position():
    with pytest.raises(InputError, match=r"`group` exceeds `total` at position 2"):
        indices.dissimilarity([1, 2, 9], [5, 5, 5])
    with pytest.raises(ValueError, match="Fix:"):
        indices.gini([1, 2, 9], [5, 5, 5])


def test_negative_count_names_argument_and_position():
    with pytest.raises(InputError, match=r"`total` has a negative count -3.0 at position 1"):
        indices.isolation([1, 1], [5, -3])
    with pytest.raises(InputError, match=r"`group` has a negative count"):
        indices.exposure([-1, 1], [5, 3])
    with pytest.raises(InputError, match=r"`counts` has a negative count .* position \(1, 2\)"):
        multigroup.mutual_information([[1, 2, 3], [1, 2, -3]])


def test_length_mismatch():
    with pytest.raises(InputError, match=r"`group` \(2 units\) and `total` \(3 units\)"):
        indices.dissimilarity([1, 2], [3, 4, 5])
    with pytest.raises(InputError, match=r"`groups` has 2 ids but the counts have 3 units"):
        indices.dissimilarity([1, 2, 3], [3, 4, 5], groups=["a", "b"])


def test_bad_values_and_parameters():
    with pytest.raises(InputError, match="infinite"):
        indices.dissimilarity([1, np.inf], [3, np.inf])
    with pytest.raises(InputError, match="missing id"):
        indices.dissimilarity([1, 2], [3, 4], groups=[1.0, np.nan])
    with pytest.raises(InputError, match="missing id"):
        indices.dissimilarity([1, 2], [3, 4], groups=["a", None])
    with pytest.raises(InputError, match="2-D"):
        multigroup.mutual_information([1, 2, 3])
    with pytest.raises(InputError, match="at least 2"):
        multigroup.mutual_information([[1], [2]])
    with pytest.raises(ValueError, match="`b` must be in"):
        indices.atkinson([1, 2], [3, 4], b=1.0)
    with pytest.raises(ValueError, match="`m` must be an integer"):
        indices.con_prof([1, 2], [3, 4], m=1)
    with pytest.raises(ValueError, match="`iterations` must be an integer"):
        indices.modified_dissimilarity([1, 2], [3, 4], iterations=1, seed=1)


# --- batching -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", DETERMINISTIC)
def test_batch_equals_per_group_calls_exactly(name):
    group, total, ids = _batch_data()
    got = call(name, group, total, groups=ids)
    labels = np.unique(ids)
    assert got.shape == labels.shape
    want = np.array([call(name, group[ids == g], total[ids == g]) for g in labels])
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("name", MULTI)
def test_multigroup_batch_equals_per_group_calls_exactly(name):
    rng = np.random.default_rng(SEED)
    counts = rng.integers(0, 300, size=(300, 3)).astype(float)
    counts[7] = 0.0
    counts[9, 2] = np.nan
    ids = rng.integers(0, 5, 300) * 10
    got = getattr(multigroup, name)(counts, groups=ids)
    want = [getattr(multigroup, name)(counts[ids == g]) for g in np.unique(ids)]
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("name", SIMULATED)
def test_simulated_batch_equals_per_group_in_distribution(name):
    group, total, ids = _batch_data(n=300, n_groups=3)
    kw = {"iterations" if name.startswith("modified") else "draws": 400}
    got = call(name, group, total, groups=ids, seed=SEED, **kw)
    want = [
        call(name, group[ids == g], total[ids == g], seed=SEED + 1, **kw) for g in np.unique(ids)
    ]
    np.testing.assert_allclose(got, want, atol=0.02)
    again = call(name, group, total, groups=ids, seed=SEED, **kw)
    np.testing.assert_array_equal(got, again)  # same seed, same result


def test_group_ids_of_any_sortable_dtype():
    group, total = [1, 2, 3, 4], [5, 5, 5, 5]
    a = indices.dissimilarity(group, total, groups=["b", "a", "b", "a"])
    b = indices.dissimilarity(group, total, groups=np.array([2, 1, 2, 1]))
    np.testing.assert_array_equal(a, b)
    assert isinstance(indices.dissimilarity(group, total), float)
