"""Mutual information complete (mixing.kernels.mutual, H decomposition, change tolerance).

Known answers use the small tables of R ``segregation``'s own test suite
(tests/testthat/test_mutual_total.R, test_mutual_local.R, test_mutual_difference.R);
real-data references use PySAL ``segregation`` on Den Haag 2019 buurten. R itself and its
``schools00``/``schools05`` data are not available offline, so R's README numbers are not
re-run here (see the report in the branch history).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from conftest import MIGRATION_COLUMNS, SEED

from mixing.errors import InputError
from mixing.kernels import multigroup
from mixing.kernels.mutual import (
    _random_table,
    bootstrap_summary,
    mutual_expected,
    mutual_local,
    mutual_total,
)
from mixing.tables.change import mutual_information_difference

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import segregation.multigroup as smg
    from segregation.dynamics import compute_divergence_profiles

RTOL = 1e-9
# R test_mutual_total.R / test_mutual_local.R: units a, b (rows) x groups 1..4 (columns)
R_TABLE = np.array([[40.0, 20, 5, 1], [20, 40, 60, 80]])
COLS = MIGRATION_COLUMNS



# ----------------------------------------------------------------------------- total / H
def test_r_table_known_answers():
    r = mutual_total(R_TABLE)
    T = R_TABLE.sum()
    p = R_TABLE / T
    M = (p * np.log(p / np.outer(p.sum(1), p.sum(0)))).sum()
    P = p.sum(0)
    assert r.M == pytest.approx(M, rel=1e-14)
    assert r.H == pytest.approx(M / -(P * np.log(P)).sum(), rel=1e-14)
    # M is symmetric in units and groups (R: "mutual works both ways around")
    assert mutual_total(R_TABLE.T).M == pytest.approx(r.M, rel=1e-14)
    # R "max bound correct": 40 residents of group 1 in a, 40 of group 4 in b -> ln 2
    extreme = np.array([[40.0, 0, 0, 0], [0, 0, 0, 40]])
    assert mutual_total(extreme).M == pytest.approx(np.log(2), rel=1e-15)


def test_h_between_within_r_supergroups():
    # R: groups 1,2 form supergroup 12 and 3,4 form 34; as units here (transposed table)
    units = R_TABLE.T
    super_ = np.array([12, 12, 34, 34])
    d = multigroup.mutual_information_decomposition(units, super_)
    between = multigroup.mutual_information(np.array([units[:2].sum(0), units[2:].sum(0)]))
    assert d.between == pytest.approx(between, rel=1e-14)
    assert d.H_total == pytest.approx(d.H_between + d.H_within, rel=1e-14)
    assert d.H_total == pytest.approx(multigroup.information_theory(units), rel=1e-14)
    # R: within = sum_c p_c M_c; H_within = sum_c p_c (E_c / E) H_c
    T = units.sum()
    parts = [(units[:2], units[:2].sum() / T), (units[2:], units[2:].sum() / T)]
    E = multigroup.diversity(units)
    assert d.within == pytest.approx(sum(p * multigroup.mutual_information(u)
                                         for u, p in parts), rel=1e-13)
    assert d.H_within == pytest.approx(sum(p * multigroup.diversity(u) / E
                                           * multigroup.information_theory(u)
                                           for u, p in parts), rel=1e-13)
    w = mutual_total(units, within=super_)
    assert (w.M, w.H) == pytest.approx((d.within, d.H_within), rel=1e-14)


def test_h_decomposition_den_haag_matches_segregation(den_haag_migration):
    df = den_haag_migration
    d = multigroup.mutual_information_decomposition(df[COLS].to_numpy(), df["wijk_code"])
    wijk = df.groupby("wijk_code")[COLS].sum().reset_index()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        h_total = smg.MultiInfoTheory(df, COLS).statistic
        h_between = smg.MultiInfoTheory(wijk, COLS).statistic
        m_total = smg.MultiDivergence(df, COLS).statistic
    np.testing.assert_allclose(d.H_total, h_total, rtol=RTOL)
    np.testing.assert_allclose(d.H_between, h_between, rtol=RTOL)
    np.testing.assert_allclose(d.H_within, h_total - h_between, rtol=RTOL)
    np.testing.assert_allclose(d.total, m_total, rtol=RTOL)
    assert 0 < d.H_between < d.H_total


def test_bootstrap_interval_is_rs_debiased_percentiles():
    # R bootstrap_summary: quantile(2 * est - boot, c(.025, .975)), type 7. On these
    # skewed replicates R gives [-2.6, 1]; shifting the replicates' own percentiles by
    # -2 bias would give [-0.6, 3].
    est, se, bias, lo, hi = bootstrap_summary(np.float64(1.0), np.array([1.0, 1, 1, 1, 5]), 0.95)
    assert (est, bias) == pytest.approx((0.2, 0.8), abs=1e-15)
    assert se == pytest.approx(np.std([1, 1, 1, 1, 5], ddof=1), rel=1e-15)
    assert (lo, hi) == pytest.approx((-2.6, 1.0), abs=1e-14)


def test_bootstrap_bias_matches_first_order_theory():
    # plug-in M is biased upwards by about (n - 1)(k - 1) / (2N) (chi-square approximation)
    rng = np.random.default_rng(SEED)
    counts = rng.integers(20, 80, size=(40, 3)).astype(float)
    N = counts.sum()
    r = mutual_total(counts, se=True, replicates=400, seed=SEED)
    plain = multigroup.mutual_information(counts)
    theory = 39 * 2 / (2 * N)
    assert r.M_bias == pytest.approx(theory, rel=0.15)
    assert r.M == pytest.approx(plain - r.M_bias, rel=1e-12)
    assert r.M_ci_low < r.M < r.M_ci_high
    assert 0 < r.M_se < 0.01 and 0 < r.H_se
    frame = r.to_frame()
    assert list(frame["stat"]) == ["M", "H"] and frame["se"].gt(0).all()


def test_bootstrap_batch_equals_separate_calls(den_haag_migration):
    c = den_haag_migration[COLS].to_numpy()
    ids = np.where(np.arange(len(c)) < 50, "GM0001", "GM0002")
    both = mutual_total(c, groups=ids, se=True, replicates=20, seed=SEED)
    one = mutual_total(c[ids == "GM0002"], groups=ids[ids == "GM0002"], se=True,
                       replicates=20, seed=SEED)
    assert both.M_se[1] == one.M_se[0] and both.H[1] == one.H[0]
    assert list(both.labels) == ["GM0001", "GM0002"]


def test_bad_arguments():
    with pytest.raises(InputError, match="`replicates` must be an integer >= 2"):
        mutual_total(R_TABLE, se=True, replicates=1)
    with pytest.raises(InputError, match="`ci` must be in"):
        mutual_total(R_TABLE, ci=95)


# ----------------------------------------------------------------------------- expected
def test_random_tables_keep_margins():
    gen = np.random.default_rng(SEED)
    u = np.broadcast_to(np.array([5, 0, 12, 3]), (50, 4))
    k = np.broadcast_to(np.array([10, 7, 3]), (50, 3))
    tab = _random_table(gen, u, k)
    np.testing.assert_array_equal(tab.sum(axis=2), u)
    np.testing.assert_array_equal(tab.sum(axis=1), k)
    assert (tab >= 0).all()


def test_expected_m_under_random_allocation():
    # r2dtable null: E[M] ~ (n - 1)(k - 1) / (2N)
    counts = np.tile([[30.0, 20, 10]], (25, 1))
    e = mutual_expected(counts, replicates=300, seed=SEED)
    assert e.M == pytest.approx(24 * 2 / (2 * counts.sum()), rel=0.1)
    assert e.H == pytest.approx(e.M / multigroup.diversity(counts), rel=0.02)
    free = mutual_expected(counts, replicates=300, seed=SEED, fixed_margins=False)
    assert free.M == pytest.approx(e.M, rel=0.15)
    # R's example: 100 pupils in 10 schools, 10 % minority -> large expected M; 10x -> ~1/10
    small = np.tile([[1.0, 9.0]], (10, 1))
    e_small = mutual_expected(small, replicates=300, seed=SEED)
    e_big = mutual_expected(small * 10, replicates=300, seed=SEED)
    assert e_big.M == pytest.approx(e_small.M / 10, rel=0.35)


def test_expected_batch_and_degenerate():
    counts = np.tile([[30.0, 20, 10]], (6, 1))
    ids = np.array(["a"] * 3 + ["b"] * 3)
    both = mutual_expected(counts, groups=ids, replicates=10, seed=SEED)
    one = mutual_expected(counts[3:], groups=ids[3:], replicates=10, seed=SEED)
    assert both.M[1] == one.M[0]
    assert np.isnan(mutual_expected([[5.0, 5.0]], replicates=5, seed=1).M)  # one unit


# ----------------------------------------------------------------------------- local
def test_local_r_table():
    loc = mutual_local(R_TABLE)
    M = multigroup.mutual_information(R_TABLE)
    assert loc.unit_p.sum() == pytest.approx(1.0)
    assert (loc.unit_p * loc.unit_ls).sum() == pytest.approx(M, rel=1e-14)
    assert loc.group_M.sum() == pytest.approx(M, rel=1e-14)  # R: sum of M_group == M
    # swapping units and groups swaps the two kinds of local scores (R local vs local2)
    swapped = mutual_local(R_TABLE.T)
    np.testing.assert_allclose(swapped.unit_ls, loc.group_ls, rtol=1e-14)
    np.testing.assert_allclose(swapped.group_p, loc.unit_p, rtol=1e-14)
    # unit a by hand: mix (40, 20, 5, 1)/66 against the city's (60, 60, 65, 81)/266
    pa, P = R_TABLE[0] / 66, R_TABLE.sum(0) / 266
    assert loc.unit_ls[0] == pytest.approx((pa * np.log(pa / P)).sum(), rel=1e-14)


def test_local_den_haag_equals_first_step_of_divergence_profile(den_haag_migration):
    df = den_haag_migration
    loc = mutual_local(df[COLS].to_numpy())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        prof = compute_divergence_profiles(df, COLS)
    first = prof.groupby("observation", sort=True).first()["divergence"].to_numpy()
    np.testing.assert_allclose(loc.unit_ls, first, rtol=RTOL, atol=1e-15)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = smg.MultiDivergence(df, COLS).statistic
    np.testing.assert_allclose(loc.unit_M.sum(), m, rtol=RTOL)


def test_local_excluded_units_and_batch():
    counts = np.array([[10.0, 0], [np.nan, 1], [0, 0], [0, 10], [5, 5], [1, 9]])
    ids = np.array(["x", "x", "x", "x", "y", "y"])
    loc = mutual_local(counts, groups=ids)
    assert np.isnan(loc.unit_ls[[1, 2]]).all() and (loc.unit_p[[1, 2]] == 0).all()
    assert loc.group_ls.shape == (2, 2)
    np.testing.assert_allclose(loc.unit_ls[:1], [np.log(2)], rtol=1e-14)
    y = mutual_local(counts[4:])
    np.testing.assert_allclose(loc.unit_ls[4:], y.unit_ls, rtol=1e-15)


# ----------------------------------------------------------------------------- change
R_DIFF_1 = np.array([[40.0, 30, 20, 10], [5, 10, 15, 20]])
R_DIFF_2 = np.array([[20.0, 20, 20, 15], [5, 10, 10, 15]])


@pytest.mark.parametrize("precision, tol", [(None, 1e-8), (0.001, 1e-4)])
def test_change_symmetries_as_r(precision, tol):
    # R test_mutual_difference.R "mutual_difference SHAPLEY": R asserts these to 1e-4
    # at its default precision; at the fixed point they hold to IPF tolerance
    d = mutual_information_difference(R_DIFF_1, R_DIFF_2, precision=precision)
    s = mutual_information_difference(R_DIFF_1.T, R_DIFF_2.T, precision=precision)
    r = mutual_information_difference(R_DIFF_2, R_DIFF_1, precision=precision)
    parts = d.group_marginal + d.unit_marginal + d.structural
    assert parts == pytest.approx(d.difference, abs=1e-14)
    assert d.additions == 0 and d.removals == 0
    assert s.group_marginal == pytest.approx(d.unit_marginal, abs=tol)
    assert s.structural == pytest.approx(d.structural, abs=tol)
    assert r.structural == pytest.approx(-d.structural, abs=tol)


def test_change_precision_changes_the_split():
    exact = mutual_information_difference(R_DIFF_1, R_DIFF_2)
    loose = mutual_information_difference(R_DIFF_1, R_DIFF_2, precision=0.1)
    r_default = mutual_information_difference(R_DIFF_1, R_DIFF_2, precision=0.001)
    assert loose.difference == exact.difference
    assert abs(loose.structural - exact.structural) > 1e-3
    assert abs(r_default.structural - exact.structural) < 1e-3
    assert r_default.structural != exact.structural


def test_change_marginal_only_changes_as_r():
    # R "correctly identifies marginal/structural changes": doubling unit c is a unit change
    base = np.array([[25.0, 25], [28, 2], [2, 18]])
    cols = np.array([[25.0, 25], [28, 2], [4, 36]])
    d = mutual_information_difference(base, cols, precision=0.001)
    assert d.structural == pytest.approx(0.0, abs=1e-3)
    assert abs(d.unit_marginal) == max(abs(d.unit_marginal), abs(d.group_marginal),
                                       abs(d.structural))
    exact = mutual_information_difference(base, cols)
    assert exact.structural == pytest.approx(0.0, abs=1e-9)  # odds ratios unchanged


# R test_mutual_difference.R "difference same as mutual_total (zero weights)": units a, b,
# c (first year only), d (second year only) x groups 1..4, with zero cells
R_ZERO_1 = np.array([[0.0, 30, 20, 10], [5, 10, 15, 20], [4, 3, 2, 1], [0, 0, 0, 0]])
R_ZERO_2 = np.array([[40.0, 20, 20, 15], [5, 10, 10, 0], [0, 0, 0, 0], [1, 2, 3, 4]])


def test_change_zero_weights_match_r():
    # R 1.1.0.9000 mutual_difference(method = "shapley", precision = 1e-11), printed to 1e-11
    d = mutual_information_difference(R_ZERO_1, R_ZERO_2)
    assert d.group_marginal == pytest.approx(0.10327986325, abs=2e-11)
    assert d.unit_marginal == pytest.approx(-0.10048315817, abs=2e-11)
    assert d.structural == pytest.approx(-0.03376576752, abs=2e-11)
    assert d.M_first == pytest.approx(multigroup.mutual_information(R_ZERO_1), rel=1e-14)
    assert d.M_second == pytest.approx(multigroup.mutual_information(R_ZERO_2), rel=1e-14)


def test_change_very_small_weights_as_r():
    # R "very small weights": the first year's counts / 1000 keep the structural part
    # (tolerance .001 relative); the former fixed fill of 1e-4 gave -0.00624 here
    d = mutual_information_difference(R_ZERO_1, R_ZERO_2)
    small = mutual_information_difference(R_ZERO_1 / 1000, R_ZERO_2)
    assert small.structural == pytest.approx(d.structural, rel=1e-3)


def test_change_bad_precision():
    with pytest.raises(InputError, match="`precision` must be > 0"):
        mutual_information_difference(R_DIFF_1, R_DIFF_2, precision=0.0)
