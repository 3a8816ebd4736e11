"""EB rates, join counts, global G and the local p-value alternatives on hand-made lattices:
known answers (exhaustive enumeration of the null), consistency between alternatives,
groups and bad input."""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pytest
import shapely
from conftest import SEED
from scipy import stats

from mixing.checks import integer
from mixing.errors import InputError
from mixing.geometry.weights import block_diagonal, build_weights
from mixing.kernels import autocorr


def lattice(n: int, m: int | None = None, kind: str = "rook"):
    m = n if m is None else m
    cells = [shapely.box(x, y, x + 1, y + 1) for y in range(m) for x in range(n)]
    return build_weights(gpd.GeoSeries(cells, crs="EPSG:28992"), kind=kind)


def dense_binary(w) -> np.ndarray:
    return np.asarray(w.binary.todense())


# ------------------------------------------------------------------------ EB rates


def test_assuncao_rate_by_hand():
    e = np.array([30.0, 25.0, 25.0, 15.0, 33.0])
    b = np.array([100.0, 100.0, 110.0, 90.0, 300.0])
    beta = e.sum() / b.sum()  # 128 / 700
    r = e / b
    s2 = (b * (r - beta) ** 2).sum() / b.sum()
    v = s2 - beta / (b.sum() / 5) + beta / b
    v = np.where(v < 0, beta / b, v)
    np.testing.assert_allclose(autocorr.assuncao_rate(e, b), (r - beta) / np.sqrt(v),
                               rtol=1e-14)


def test_negative_prior_variance_falls_back_to_poisson():
    # nearly equal rates: the prior variance alpha < 0 outweighs beta / b for the big base
    e, b = np.array([1.0, 10.0, 101.0]), np.array([10.0, 100.0, 1000.0])
    beta = e.sum() / b.sum()
    r = e / b
    alpha = (b * (r - beta) ** 2).sum() / b.sum() - beta / (b.sum() / 3)
    assert alpha + beta / b[2] < 0 < alpha + beta / b[0]
    z = autocorr.assuncao_rate(e, b)
    assert z[2] == pytest.approx((r[2] - beta) / np.sqrt(beta / b[2]), rel=1e-12)
    assert z[0] == pytest.approx((r[0] - beta) / np.sqrt(alpha + beta / b[0]), rel=1e-12)


def test_moran_rate_is_moran_of_the_eb_rates():
    w = lattice(4)
    rng = np.random.default_rng(SEED)
    b = rng.integers(20, 400, 16).astype(float)
    e = rng.binomial(b.astype(int), 0.2).astype(float)
    r = autocorr.moran_rate(e, b, w, permutations=99, seed=SEED)
    m = autocorr.moran(autocorr.assuncao_rate(e, b), w, permutations=99, seed=SEED)
    assert r.I == m.I and r.z_rand == m.z_rand and r.p_sim == m.p_sim
    raw = autocorr.moran_rate(e, b, w, adjusted=False, permutations=0)
    assert raw.I == pytest.approx(autocorr.moran(e / b, w, permutations=0).I, rel=1e-14)
    lr = autocorr.local_moran_rate(e, b, w, permutations=99, seed=SEED)
    lm = autocorr.local_moran(autocorr.assuncao_rate(e, b), w, permutations=99, seed=SEED)
    np.testing.assert_array_equal(lr.Is, lm.Is)
    np.testing.assert_array_equal(lr.p_sim, lm.p_sim)


def test_rates_per_group_equal_separate_calls():
    w1, w2 = lattice(3), lattice(4)
    rng = np.random.default_rng(SEED)
    b = rng.integers(20, 400, 25).astype(float)
    e = rng.binomial(b.astype(int), 0.3).astype(float)
    groups = np.repeat(["GM0001", "GM0002"], [9, 16])
    both = autocorr.assuncao_rate(e, b, groups=groups)
    np.testing.assert_allclose(both[:9], autocorr.assuncao_rate(e[:9], b[:9]), rtol=1e-13)
    np.testing.assert_allclose(both[9:], autocorr.assuncao_rate(e[9:], b[9:]), rtol=1e-13)
    g = autocorr.moran_rate(e, b, block_diagonal([w1, w2]), groups=groups, permutations=0)
    assert g.I[1] == pytest.approx(autocorr.moran_rate(e[9:], b[9:], w2, permutations=0).I,
                                   rel=1e-12)


def test_rates_reject_bad_bases():
    w = lattice(2)
    with pytest.raises(InputError, match=r"`base` must be > 0, got 0.0 at position 2"):
        autocorr.moran_rate([1.0, 2, 0, 1], [10.0, 10, 0, 10], w)
    with pytest.raises(InputError, match=r"`events` has a negative count -1.0 at position 0"):
        autocorr.assuncao_rate([-1.0, 2, 0, 1], [10.0, 10, 10, 10])
    with pytest.raises(InputError, match="unknown \\(NaN\\)"):
        autocorr.local_moran_rate([np.nan, 2, 0, 1], [10.0, 10, 10, 10], w)


# ---------------------------------------------------------------------- join counts


def _all_colourings(n: int, n1: int):
    for black in itertools.combinations(range(n), n1):
        y = np.zeros(n)
        y[list(black)] = 1.0
        yield y


def test_join_counts_by_hand_and_their_moments_by_enumeration():
    w = lattice(3)  # rook 3 x 3: 12 joins
    A = dense_binary(w)
    y = np.array([1, 1, 0, 1, 0, 0, 0, 0, 1], dtype=float)
    r = autocorr.join_counts(y, w, permutations=0)
    assert (r.J, r.bb, r.bw, r.ww) == (12.0, 2.0, 6.0, 4.0)
    # non-free sampling: every colouring with 4 black cells is equally likely
    bb, bw = [], []
    for c in _all_colourings(9, 4):
        bb.append(c @ A @ c / 2)
        bw.append(((c[:, None] - c[None, :]) ** 2 * A).sum() / 2)
    bb, bw = np.array(bb), np.array(bw)
    assert r.expected_bb == pytest.approx(bb.mean(), rel=1e-12)
    assert r.variance_bb == pytest.approx(bb.var(), rel=1e-12)
    assert r.expected_bw == pytest.approx(bw.mean(), rel=1e-12)
    assert r.variance_bw == pytest.approx(bw.var(), rel=1e-12)
    assert r.z_bb == pytest.approx((2 - bb.mean()) / bb.std(), rel=1e-12)


def test_join_count_moments_on_an_irregular_queen_lattice():
    w = lattice(4, 2, kind="queen")
    A = dense_binary(w)
    r = autocorr.join_counts(np.array([0, 1, 1, 0, 0, 0, 1, 0.0]), w, permutations=0)
    bb = np.array([c @ A @ c / 2 for c in _all_colourings(8, 3)])
    bw = np.array([((c[:, None] - c[None, :]) ** 2 * A).sum() / 2
                   for c in _all_colourings(8, 3)])
    np.testing.assert_allclose([r.expected_bb, r.variance_bb, r.expected_bw, r.variance_bw],
                               [bb.mean(), bb.var(), bw.mean(), bw.var()], rtol=1e-12)


def test_join_counts_chi_square_is_yates_on_the_focal_neighbour_table():
    w = lattice(3)
    y = np.array([1, 1, 0, 1, 0, 0, 0, 0, 1], dtype=float)
    r = autocorr.join_counts(y, w, permutations=0)
    table = np.array([[r.ww, r.bw / 2], [r.bw / 2, r.bb]])
    chi2, p, _, _ = stats.chi2_contingency(table, correction=True)
    assert r.chi2 == pytest.approx(chi2, rel=1e-12) and r.chi2_p == pytest.approx(p, rel=1e-12)


def test_clustered_colouring_has_small_join_count_p_values():
    w = lattice(6)
    y = np.repeat([1.0, 0.0], 18)  # top half black
    r = autocorr.join_counts(y, w, permutations=199, seed=SEED)
    assert r.z_bb > 4 and r.z_bw < -4
    assert r.p_sim_bb == pytest.approx(1 / 200) and r.p_sim_bw == 1.0
    assert r.mean_bb == pytest.approx(r.expected_bb, rel=0.05)


def test_local_join_counts_by_hand_and_against_the_hypergeometric_null():
    w = lattice(5)
    y = np.zeros(25)
    y[[0, 1, 5, 6, 12, 24]] = 1.0  # a 2 x 2 black block, one lonely centre, one corner
    r = autocorr.local_join_counts(y, w, permutations=9999, seed=SEED, alternative="greater")
    counts = y * (dense_binary(w) @ y)
    np.testing.assert_array_equal(r.counts, counts)
    assert r.counts[0] == 2 and r.counts[12] == 0
    assert np.isnan(r.p_sim[counts == 0]).all() and np.isfinite(r.p_sim[counts > 0]).all()
    # unit 0 (corner, k = 2): both neighbours drawn from the other 24 units, 5 black
    exact = stats.hypergeom(24, 5, 2).sf(1)  # P(BB_0 >= 2)
    assert abs(r.p_sim[0] - exact) < 4 * np.sqrt(exact * (1 - exact) / 9999) + 1e-4


def test_join_counts_reject_non_binary_values():
    with pytest.raises(InputError, match=r"must be 0 or 1, got 0.7 at position 1"):
        autocorr.join_counts([0.0, 0.7, 1.0, 0.0], lattice(2))
    with pytest.raises(InputError, match="must be 0 or 1"):
        autocorr.local_join_counts([0.0, 2.0, 1.0, 0.0], lattice(2))


# ------------------------------------------------------------------------ global G


def test_global_g_by_hand_and_its_moments_by_enumeration():
    line = np.diag(np.ones(4), 1) + np.diag(np.ones(4), -1)  # 5 units on a line
    y = np.array([1.0, 2.0, 4.0, 3.0, 7.0])
    r = autocorr.getis_ord_g(y, line, permutations=0)
    den = y.sum() ** 2 - (y**2).sum()
    assert r.G == pytest.approx(y @ line @ y / den, rel=1e-14)
    sims = np.array([np.array(p) @ line @ np.array(p) / den
                     for p in itertools.permutations(y)])
    assert r.expected == pytest.approx(sims.mean(), rel=1e-12)
    assert r.variance == pytest.approx(sims.var(), rel=1e-12)
    assert r.p_norm == pytest.approx(stats.norm.sf(abs(r.z_norm)), rel=1e-12)


def test_global_g_separates_hot_from_cold_clustering():
    w = lattice(6)
    high = np.repeat([10.0, 1.0], 18)
    g = autocorr.getis_ord_g(high, w, permutations=99, seed=SEED)
    assert g.z_norm > 3 and g.p_sim == pytest.approx(0.01)
    checker = 1.0 + (np.add.outer(np.arange(6), np.arange(6)) % 2).ravel()
    assert autocorr.getis_ord_g(checker, w, permutations=0).z_norm < 0
    with pytest.raises(InputError, match="must be >= 0"):
        autocorr.getis_ord_g(high - 5, w)


def test_new_globals_per_group_equal_separate_calls():
    w1, w2 = lattice(4), lattice(5)
    rng = np.random.default_rng(SEED)
    y = (rng.random(41) < 0.4).astype(float)
    groups = np.repeat(["GM0002", "GM0001"], [16, 25])
    w = block_diagonal([w1, w2])
    jc = autocorr.join_counts(y, w, groups=groups, permutations=99, seed=SEED)
    alone = autocorr.join_counts(y[16:], w2, groups=groups[16:], permutations=99, seed=SEED)
    assert jc.groups.tolist() == ["GM0001", "GM0002"]
    assert jc.bb[0] == alone.bb[0] and jc.p_sim_bb[0] == alone.p_sim_bb[0]
    assert jc.variance_bw[0] == pytest.approx(alone.variance_bw[0], rel=1e-13)
    g = autocorr.getis_ord_g(y + 1, w, groups=groups, permutations=99, seed=SEED)
    g1 = autocorr.getis_ord_g(y[:16] + 1, w1, groups=groups[:16], permutations=99, seed=SEED)
    assert g.G[1] == pytest.approx(g1.G[0], rel=1e-13) and g.p_sim[1] == g1.p_sim[0]
    lj = autocorr.local_join_counts(y, w, groups=groups, permutations=99, seed=SEED)
    lj1 = autocorr.local_join_counts(y[:16], w1, groups=groups[:16], permutations=99,
                                     seed=SEED)
    np.testing.assert_array_equal(lj.p_sim[:16], lj1.p_sim)


def test_a_group_without_black_units_gets_nan_and_a_warning():
    w = block_diagonal([lattice(3), lattice(3)])
    y = np.r_[np.zeros(9), np.eye(9)[4]]
    groups = np.repeat(["GM0001", "GM0002"], 9)
    with pytest.warns(RuntimeWarning, match="join counts: 1 of 2 groups are undefined"):
        r = autocorr.join_counts(y, w, groups=groups, permutations=9, seed=SEED)
    assert np.isnan(r.bb[0]) and r.bb[1] == 0 and r.bw[1] == 4


# ---------------------------------------------------------------- local p-values


def test_pseudo_p_rules_on_a_hand_made_reference_distribution():
    sims = np.arange(1.0, 20.0)[None, :]  # 1 .. 19, R = 19
    p = {a: autocorr.pseudo_p(sims, np.array([17.0]), a)[0] for a in autocorr.ALTERNATIVES}
    assert p["greater"] == pytest.approx(4 / 20)  # 17, 18, 19 and the observation
    assert p["less"] == pytest.approx(18 / 20)
    assert p["directed"] == pytest.approx(4 / 20)
    assert p["folded"] == pytest.approx(7 / 20)  # |s - 10| >= 7: 1, 2, 3, 17, 18, 19
    # esda's two-sided: 17 sits at percentile 100 * 17/19; the 10.5 and 89.5 percentiles
    # are 2.89 and 17.1, and 1, 2, 18, 19 lie outside them
    assert p["two-sided"] == pytest.approx(5 / 20)


def test_ties_count_on_both_sides():
    """The documented difference with esda: every simulation equals the observation."""
    sims = np.zeros((1, 99))
    for alternative in autocorr.ALTERNATIVES:
        assert autocorr.pseudo_p(sims, np.array([0.0]), alternative)[0] == 1.0


def test_alternatives_share_the_draws_and_are_consistent():
    w = lattice(6)
    y = np.random.default_rng(SEED).normal(size=36)
    y[:6] += 2  # some structure
    kw = {"permutations": 499, "seed": SEED}
    p = {a: autocorr.local_moran(y, w, alternative=a, **kw).p_sim for a in autocorr.ALTERNATIVES}
    np.testing.assert_array_equal(p["directed"], np.minimum(p["greater"], p["less"]))
    assert (p["greater"] + p["less"] >= 1 + 1 / 500 - 1e-12).all()
    twice = np.minimum(1, 2 * p["directed"])
    assert (p["two-sided"] <= twice + 1e-12).all() and (p["two-sided"] >= twice - 0.02).all()
    assert (autocorr.local_moran(y, w, **kw).p_sim == p["two-sided"]).all()  # the default
    gi = {a: autocorr.getis_ord_g_star(y + 5, w, alternative=a, **kw).p_sim
          for a in ("greater", "less", "directed")}
    np.testing.assert_array_equal(gi["directed"], np.minimum(gi["greater"], gi["less"]))


def test_unknown_alternative_lists_the_valid_ones():
    with pytest.raises(InputError, match="one of \\['two-sided', 'greater', 'less'"):
        autocorr.local_moran([1.0, 2, 3, 4], lattice(2), alternative="lesser")


def test_permutations_use_the_one_integer_check():
    assert integer(np.int64(5), "permutations", 0) == 5
    for bad in (True, 2.5, -1, "9"):
        with pytest.raises(InputError, match="argument `permutations` must be an integer >= 0"):
            autocorr.moran([1.0, 2, 3, 4], lattice(2), permutations=bad)


def test_eb_rate_moran_of_a_group_without_events_is_nan_not_an_error():
    # a municipality where no unit has the event (e.g. nobody born outside Europe): its
    # EB-standardised rates are undefined; the national run must not stop on it
    from mixing.geometry.weights import from_matrix

    W = np.zeros((8, 8))
    for i in range(7):
        if i != 3:
            W[i, i + 1] = W[i + 1, i] = 1
    events = np.array([3.0, 5, 1, 0, 0, 0, 0, 0])
    groups = np.array(list("aaaabbbb"))
    with pytest.warns(RuntimeWarning, match="1 of 2 groups are undefined"):
        both = autocorr.moran_rate(events, np.full(8, 100.0), from_matrix(W), groups=groups,
                                   permutations=9, seed=1)
    alone = autocorr.moran_rate(events[:4], np.full(4, 100.0), from_matrix(W[:4, :4]),
                                permutations=9, seed=1)
    assert both.I[0] == pytest.approx(alone.I) and np.isnan(both.I[1])
