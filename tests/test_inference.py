"""mixing.kernels.inference: null models, reproducibility, batching, calibration, edge cases.

Calibration tests simulate many small municipalities in ONE call (the batching is what
makes them cheap) and check rates against binomial bounds of 4 standard errors.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import SEED
from scipy import stats

from mixing.errors import InputError
from mixing.kernels import inference as inf
from mixing.kernels.aspatial import dissimilarity, exposure


def _cities(seed=SEED, G=6, n=25, shuffle=True):
    """Synthetic municipalities with string ids, units interleaved (not sorted by id)."""
    rng = np.random.default_rng(seed)
    ids = np.repeat([f"GM{i:04d}" for i in range(G)], n)
    total = rng.integers(20, 2000, G * n).astype(float)
    group = np.round(total * rng.beta(2, 4, G * n))
    if shuffle:
        order = rng.permutation(G * n)
        ids, total, group = ids[order], total[order], group[order]
    return group, total, ids


def _group_sum(group, total, *, groups=None):
    """A 'kernel' returning the group total per group: exposes what the null keeps fixed."""
    _, inverse = np.unique(groups, return_inverse=True)
    return np.bincount(inverse, weights=np.asarray(group, dtype=float))


def _total_sum(group, total, *, groups=None):
    _, inverse = np.unique(groups, return_inverse=True)
    return np.bincount(inverse, weights=np.asarray(total, dtype=float))


# ----------------------------------------------------------------------------- nulls
@pytest.mark.parametrize(
    "null, keeps_group_total, keeps_unit_totals",
    [("systematic", True, False), ("evenness", False, True), ("permutation", True, True)],
)
def test_null_models_keep_what_they_promise(null, keeps_group_total, keeps_unit_totals):
    group, total, ids = _cities()
    X = _group_sum(group, total, groups=ids)
    T = _total_sum(group, total, groups=ids)
    res = inf.single_value_test(_group_sum, group, total, groups=ids, null=null,
                                permutations=50, seed=SEED)
    assert np.all(res.simulated == X) == keeps_group_total
    # expected group total is X under every null
    se = res.null_sd / np.sqrt(50)
    assert np.all(np.abs(res.expected_under_null - X) <= 4 * se + 1e-9)
    tot = inf.single_value_test(_total_sum, group, total, groups=ids, null=null,
                                permutations=50, seed=SEED)
    assert np.all(tot.simulated == T)  # municipal totals are kept by all three


def test_permutation_null_is_multivariate_hypergeometric():
    # one municipality, 3 units: the simulated first-unit count has the hypergeometric law
    group, total = np.array([30.0, 5, 5]), np.array([40.0, 30, 30])
    first = inf.single_value_test(lambda g, t, groups=None: np.asarray(g, float)[::3], group,
                                  total, null="permutation", permutations=4000, seed=SEED)
    law = stats.hypergeom(100, 40, 40)  # 100 persons, 40 in unit 1, 40 in the group
    assert abs(first.expected_under_null - law.mean()) < 4 * law.std() / np.sqrt(4000)
    assert abs(first.null_sd / law.std() - 1) < 0.06


def test_systematic_and_evenness_means_match_the_models():
    group, total = np.array([60.0, 20, 20]), np.array([100.0, 100, 200])
    for null in ("systematic", "evenness"):
        res = inf.single_value_test(lambda g, t, groups=None: np.asarray(g, float)[::3],
                                    group, total, null=null, permutations=4000, seed=SEED)
        # unit 1 expects X * t1 / T = 100 * 0.25 under both
        assert abs(res.expected_under_null - 25.0) < 4 * res.null_sd / np.sqrt(4000)
    sd_sys = np.sqrt(100 * 0.25 * 0.75)  # Mult(X, t / T) marginal: Bin(100, 0.25)
    sd_even = np.sqrt(100 * 0.25 * 0.75)  # Bin(t1, P) = Bin(100, 0.25)
    assert abs(res.null_sd / sd_even - 1) < 0.06 and sd_sys == sd_even


# ----------------------------------------------------------------------------- seeds
@pytest.mark.parametrize("null", inf.NULLS)
def test_same_seed_same_result_different_seed_differs(null):
    group, total, ids = _cities()
    a = inf.single_value_test("dissimilarity", group, total, groups=ids, null=null,
                              permutations=99, seed=SEED)
    b = inf.single_value_test("dissimilarity", group, total, groups=ids, null=null,
                              permutations=99, seed=SEED)
    c = inf.single_value_test("dissimilarity", group, total, groups=ids, null=null,
                              permutations=99, seed=SEED + 1)
    np.testing.assert_array_equal(a.simulated, b.simulated)
    np.testing.assert_array_equal(a.p_value, b.p_value)
    assert not np.array_equal(a.simulated, c.simulated)


def test_bootstrap_and_two_value_are_seeded():
    group, total, ids = _cities()
    other = np.minimum(group + 7, total)
    kw = dict(groups=ids, seed=SEED)
    a, b = (inf.bootstrap_ci("gini", group, total, replicates=50, **kw) for _ in range(2))
    np.testing.assert_array_equal(a.simulated, b.simulated)
    c = inf.bootstrap_ci("gini", group, total, replicates=50, groups=ids, seed=SEED + 1)
    assert not np.array_equal(a.simulated, c.simulated)
    for null in inf.TWO_VALUE_NULLS:
        x, y = (inf.two_value_test("gini", (group, total), (other, total), null=null,
                                   permutations=50, **kw) for _ in range(2))
        np.testing.assert_array_equal(x.simulated, y.simulated)


# ----------------------------------------------------------------------------- batching
@pytest.mark.parametrize("index", ["dissimilarity", "gini", "entropy", "isolation"])
@pytest.mark.parametrize("null", [*inf.NULLS, "bootstrap"])
def test_batch_equals_single_municipality_calls_bit_for_bit(index, null, monkeypatch):
    """Streams are keyed by label: batch row == call with that municipality alone.

    The single calls use a tiny chunk, so this also shows that chunking does not matter.
    """
    group, total, ids = _cities(G=4, n=15)
    run = (lambda *a, **k: inf.bootstrap_ci(index, *a, replicates=40, **k)) if (
        null == "bootstrap") else (lambda *a, **k: inf.single_value_test(
            index, *a, null=null, permutations=40, **k))
    batch = run(group, total, groups=ids, seed=SEED)
    monkeypatch.setattr(inf, "CHUNK_UNITS", 37)
    for g, label in enumerate(batch.labels):
        mask = ids == label
        alone = run(group[mask], total[mask], groups=ids[mask], seed=SEED)
        np.testing.assert_array_equal(batch.simulated[:, g], alone.simulated[:, 0])
        np.testing.assert_array_equal(batch.value[g], alone.value[0])


@pytest.mark.parametrize("null", inf.TWO_VALUE_NULLS)
def test_two_value_batch_equals_single_calls(null, monkeypatch):
    group, total, ids = _cities(G=3, n=12)
    other = np.minimum(np.round(group * 1.2), total)
    batch = inf.two_value_test("dissimilarity", (group, total), (other, total), groups=ids,
                               null=null, permutations=30, seed=SEED)
    monkeypatch.setattr(inf, "CHUNK_UNITS", 29)
    for g, label in enumerate(batch.labels):
        m = ids == label
        alone = inf.two_value_test("dissimilarity", (group[m], total[m]), (other[m], total[m]),
                                   groups=ids[m], null=null, permutations=30, seed=SEED)
        np.testing.assert_array_equal(batch.simulated[:, g], alone.simulated[:, 0])


def test_scalar_call_returns_floats_and_frames():
    group, total, _ = _cities(G=1, n=30)
    res = inf.single_value_test("dissimilarity", group, total, permutations=20, seed=SEED)
    assert isinstance(res.value, float) and isinstance(res.p_value, float)
    assert res.simulated.shape == (20,) and res.labels is None
    assert res.value == dissimilarity(group, total)
    frame = res.to_frame()
    assert list(frame.columns[:6]) == ["group", "value", "expected_under_null", "null_sd",
                                       "p_value", "n_valid"]
    group, total, ids = _cities(G=3)
    table = inf.bootstrap_ci("dissimilarity", group, total, groups=ids, replicates=20,
                             seed=SEED).to_frame()
    assert list(table["group"]) == sorted(set(ids)) and len(table) == 3


# ----------------------------------------------------------------------------- calibration
@pytest.mark.parametrize("null", inf.NULLS)
def test_p_values_are_uniform_under_the_null(null):
    """600 small municipalities drawn from the null (binomial with a common share)."""
    rng = np.random.default_rng(SEED)
    G, n = 600, 12
    ids = np.repeat(np.arange(G), n)
    total = rng.integers(20, 200, G * n)
    group = rng.binomial(total, np.repeat(rng.uniform(0.1, 0.5, G), n))
    p = inf.single_value_test("dissimilarity", group, total, groups=ids, null=null,
                              permutations=199, seed=SEED).p_value
    bound = 4 * np.sqrt(0.05 * 0.95 / G)
    assert abs((p <= 0.05).mean() - 0.05) < bound
    assert stats.kstest(p, "uniform").pvalue > 1e-3


def test_two_sided_and_less_rejection_rates():
    rng = np.random.default_rng(SEED + 2)
    G, n = 500, 10
    ids = np.repeat(np.arange(G), n)
    total = rng.integers(30, 300, G * n)
    group = rng.binomial(total, 0.3)
    bound = 4 * np.sqrt(0.05 * 0.95 / G)
    for alternative in ("two-sided", "less"):
        p = inf.single_value_test("dissimilarity", group, total, groups=ids, null="evenness",
                                  alternative=alternative, permutations=199, seed=SEED).p_value
        assert abs((p <= 0.05).mean() - 0.05) < bound, alternative


def test_p_value_formula_and_power():
    group, total = np.array([90.0, 10, 50]), np.array([100.0, 100, 100])
    res = inf.single_value_test("dissimilarity", group, total, permutations=99, seed=SEED)
    assert res.p_value == 1 / 100  # far in the tail: the +1 correction is the floor
    ge = (res.simulated >= res.value).sum()
    assert res.p_value == (ge + 1) / (res.n_valid + 1)
    less = inf.single_value_test("dissimilarity", group, total, permutations=99, seed=SEED,
                                 alternative="less")
    two = inf.single_value_test("dissimilarity", group, total, permutations=99, seed=SEED,
                                alternative="two-sided")
    assert less.p_value == 1.0 and two.p_value == min(1, 2 * min(res.p_value, less.p_value))


def test_bootstrap_interval_covers_the_true_value():
    """400 municipalities, binomial sampling around known shares: ~95 % coverage.

    Shares are well separated from the municipal share, where D is nearly unbiased; for
    small units near the municipal share the percentile interval under-covers (D's
    small-unit bias, see the bootstrap_ci Notes).
    """
    rng = np.random.default_rng(SEED)
    G, n = 400, 20
    ids = np.repeat(np.arange(G), n)
    total = rng.integers(300, 1500, G * n)
    share = np.where(rng.random(G * n) < 0.5, 0.1, 0.6) + rng.uniform(-0.05, 0.05, G * n)
    true = dissimilarity(total * share, total, groups=ids)
    group = rng.binomial(total, share)
    ci = inf.bootstrap_ci("dissimilarity", group, total, groups=ids, replicates=399,
                          seed=SEED)
    covered = (ci.ci_low <= true) & (true <= ci.ci_high)
    assert abs(covered.mean() - 0.95) < 4 * np.sqrt(0.95 * 0.05 / G)
    assert np.all(ci.ci_low <= ci.ci_high) and ci.interval == (ci.ci_low, ci.ci_high)
    np.testing.assert_allclose(ci.ci_low, np.nanquantile(ci.simulated, 0.025, axis=0))
    np.testing.assert_allclose(ci.ci_high, np.nanquantile(ci.simulated, 0.975, axis=0))
    # the bootstrap sd estimates the sampling sd of D: compare with a fresh simulation
    resampled = [dissimilarity(rng.binomial(total, share), total, groups=ids) for _ in range(40)]
    ratio = np.median(ci.sd / np.std(resampled, axis=0, ddof=1))
    assert 0.85 < ratio < 1.15


# ----------------------------------------------------------------------------- bias
def test_bias_corrected_formula():
    assert inf.bias_corrected(0.3, 0.1) == pytest.approx(0.2 / 0.9)
    assert inf.bias_corrected(0.05, 0.1) == pytest.approx(-0.5)
    assert inf.bias_corrected(0.1, 0.1) == 0.0
    assert inf.bias_corrected(1.0, 0.2) == 1.0
    out = inf.bias_corrected([0.3, np.nan], [0.1, 0.1])
    assert out[0] == pytest.approx(0.2 / 0.9) and np.isnan(out[1])


def test_expected_under_evenness_matches_modified_dissimilarity():
    """bias_corrected(D, mean of the evenness null) is Carrington-Troske's D*."""
    from mixing.kernels.aspatial import modified_dissimilarity

    group, total, ids = _cities(G=3, n=20)
    res = inf.single_value_test("dissimilarity", group, total, groups=ids, null="evenness",
                                permutations=2000, seed=SEED)
    ours = inf.bias_corrected(res.value, res.expected_under_null)
    theirs = modified_dissimilarity(group, total, groups=ids, iterations=2000, seed=SEED)
    np.testing.assert_allclose(ours, theirs, atol=4 * 2 * np.max(res.null_sd) / np.sqrt(2000))


# ----------------------------------------------------------------------------- two values
@pytest.mark.parametrize("null", inf.TWO_VALUE_NULLS)
def test_identical_datasets_give_zero_difference_and_p_one(null):
    group, total, ids = _cities(G=3)
    res = inf.two_value_test("dissimilarity", (group, total), (group.copy(), total.copy()),
                             groups=ids, null=null, permutations=99, seed=SEED)
    np.testing.assert_array_equal(res.difference, 0.0)
    np.testing.assert_array_equal(res.p_value, 1.0)


@pytest.mark.parametrize("null", inf.TWO_VALUE_NULLS)
def test_two_value_detects_a_change_and_is_calibrated(null):
    rng = np.random.default_rng(SEED)
    G, n = 300, 15
    ids = np.repeat(np.arange(G), n)
    total = rng.integers(100, 1000, G * n)
    share = rng.uniform(0.1, 0.6, G * n)
    # two independent samples of the same process: H0 true
    a, b = rng.binomial(total, share), rng.binomial(total, share)
    res = inf.two_value_test("dissimilarity", (a, total), (b, total), groups=ids, null=null,
                             permutations=199, seed=SEED)
    assert (res.p_value <= 0.05).mean() < 0.05 + 4 * np.sqrt(0.05 * 0.95 / G)
    # strong desegregation in the second dataset: detected everywhere
    mixed = rng.binomial(total, np.repeat(np.bincount(ids, a) / np.bincount(ids, total), n))
    res = inf.two_value_test("dissimilarity", (a, total), (mixed, total), groups=ids, null=null,
                             permutations=199, seed=SEED)
    assert np.all(res.difference > 0) and np.mean(res.p_value <= 0.05) > 0.95


# ----------------------------------------------------------------------------- edge cases
def test_group_absent_gives_nan_row():
    group, total, ids = _cities(G=3)
    group[ids == "GM0001"] = 0
    res = inf.single_value_test("dissimilarity", group, total, groups=ids, permutations=20,
                                seed=SEED)
    row = res.to_frame().set_index("group").loc["GM0001"]
    assert np.isnan(row[["value", "expected_under_null", "null_sd", "p_value"]]
                    .astype(float)).all()
    assert row["n_valid"] == 0
    assert np.isfinite(res.p_value[[0, 2]]).all()
    ci = inf.bootstrap_ci("dissimilarity", group, total, groups=ids, replicates=20, seed=SEED)
    assert np.isnan(ci.ci_low[1]) and np.isfinite(ci.ci_low[[0, 2]]).all()


def test_one_unit_municipality():
    # D of one unit is 0 whatever is drawn: p = 1, expected 0
    res = inf.single_value_test("dissimilarity", [30.0], [100.0], permutations=50, seed=SEED)
    assert res.value == 0.0 and res.expected_under_null == 0.0 and res.p_value == 1.0


def test_zero_total_and_nan_units_are_excluded():
    group, total, ids = _cities(G=2, n=10)
    padded_g = np.concatenate([group, [0.0, np.nan, 5.0]])
    padded_t = np.concatenate([total, [0.0, 100.0, np.nan]])
    padded_ids = np.concatenate([ids, ["GM0000", "GM0001", "GM0001"]])
    a = inf.single_value_test("dissimilarity", padded_g, padded_t, groups=padded_ids,
                              permutations=30, seed=SEED)
    b = inf.single_value_test("dissimilarity", group, total, groups=ids, permutations=30,
                              seed=SEED)
    np.testing.assert_array_equal(a.simulated, b.simulated)
    # a municipality with no usable unit: NaN row, others untouched
    c = inf.single_value_test("dissimilarity", np.concatenate([group, [0.0]]),
                              np.concatenate([total, [0.0]]),
                              groups=np.concatenate([ids, ["GM0009"]]), permutations=30,
                              seed=SEED)
    assert np.isnan(c.p_value[2]) and c.n_valid[2] == 0
    np.testing.assert_array_equal(c.simulated[:, :2], b.simulated)


def test_index_kwargs_and_callables_are_passed_through():
    group, total, ids = _cities(G=2)
    a = inf.single_value_test("atkinson", group, total, groups=ids, b=0.2, permutations=20,
                              seed=SEED)
    b = inf.single_value_test("atkinson", group, total, groups=ids, b=0.8, permutations=20,
                              seed=SEED)
    assert not np.array_equal(a.value, b.value)
    c = inf.single_value_test(exposure, group, total, groups=ids, alternative="less",
                              permutations=20, seed=SEED)
    assert c.index == "exposure" and np.all(c.p_value == 1 / 21)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(index="dissim"), "not a two-group index.*dissimilarity"),
        (dict(index=3), "kernel name or a callable"),
        (dict(null="random"), "`null` must be one of"),
        (dict(alternative="bigger"), "`alternative` must be one of"),
        (dict(permutations=0), "`permutations` must be an integer >= 1"),
        (dict(permutations=9.5), "`permutations` must be an integer"),
        (dict(seed=-1), "`seed` must be a non-negative int"),
        (dict(seed="abc"), "`seed` must be a non-negative int"),
    ],
)
def test_bad_arguments_raise_with_fix(kwargs, match):
    args = dict(index="dissimilarity", permutations=10, seed=SEED) | kwargs
    index = args.pop("index")
    with pytest.raises(InputError, match=match):
        inf.single_value_test(index, [1, 2], [3, 4], **args)


def test_bad_arguments_bootstrap_and_two_value():
    with pytest.raises(InputError, match="`level` must be in"):
        inf.bootstrap_ci("dissimilarity", [1, 2], [3, 4], level=95, seed=SEED)
    with pytest.raises(InputError, match="`replicates` must be an integer >= 2"):
        inf.bootstrap_ci("dissimilarity", [1, 2], [3, 4], replicates=1, seed=SEED)
    with pytest.raises(InputError, match="differ in length"):
        inf.two_value_test("dissimilarity", ([1, 2], [3, 4]), ([1], [3]), seed=SEED)
    with pytest.raises(InputError, match="must be a \\(group, total\\) pair"):
        inf.two_value_test("dissimilarity", [1, 2], ([1, 2], [3, 4]), seed=SEED)
    with pytest.raises(InputError, match="`null` must be one of"):
        inf.two_value_test("dissimilarity", ([1], [3]), ([1], [3]), null="swap", seed=SEED)
    with pytest.raises(TypeError, match="seed"):
        inf.single_value_test("dissimilarity", [1, 2], [3, 4])  # seed is required
