"""Autocorrelation kernels on hand-made lattices (known answers), degenerate input,
multiple-testing adjustment, groups and seeds."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from conftest import SEED
from scipy import stats

from mixing.errors import InputError
from mixing.geometry.weights import block_diagonal, build_weights, from_matrix
from mixing.kernels import autocorr
from mixing.kernels.autocorr._permutation import _sample_without_replacement


def lattice(n: int, kind: str = "rook"):
    cells = [shapely.box(x, y, x + 1, y + 1) for y in range(n) for x in range(n)]
    xy = np.array([(x, y) for y in range(n) for x in range(n)])
    return build_weights(gpd.GeoSeries(cells, crs="EPSG:28992"), kind=kind), xy


def test_perfect_checkerboard_has_moran_minus_one():
    w, xy = lattice(6)
    y = ((xy[:, 0] + xy[:, 1]) % 2).astype(float)
    r = autocorr.moran(y, w, permutations=99, seed=SEED)
    assert r.I == pytest.approx(-1.0, abs=1e-12)
    assert r.z_norm < -5 and r.p_sim == pytest.approx(0.01)
    assert autocorr.geary(y, w, permutations=0).C > 1  # negative autocorrelation
    lisa = autocorr.local_moran(y, w, permutations=99, seed=SEED)
    assert set(lisa.labels) == {"LH", "HL"}


def test_checkerboard_is_negative_with_queen_weights_too():
    w, xy = lattice(6, "queen")
    y = ((xy[:, 0] + xy[:, 1]) % 2).astype(float)
    assert autocorr.moran(y, w, permutations=0).I < 0


def test_smooth_gradient_is_positive_and_clusters_at_the_ends():
    w, xy = lattice(8)
    y = xy[:, 0] + 0.5 * xy[:, 1]
    r = autocorr.moran(y, w, permutations=199, seed=SEED)
    assert r.I > 0.7 and r.p_norm < 1e-6 and r.p_sim == pytest.approx(1 / 200)
    assert autocorr.geary(y, w, permutations=0).C < 0.3
    lisa = autocorr.local_moran(y, w, permutations=199, seed=SEED)
    corner_hi, corner_lo = int(np.argmax(y)), int(np.argmin(y))
    assert lisa.labels[corner_hi] == "HH" and lisa.labels[corner_lo] == "LL"
    assert lisa.significant[corner_hi] and lisa.significant[corner_lo]
    g = autocorr.getis_ord_g_star(y + 1, w, permutations=199, seed=SEED)
    assert g.z[corner_hi] > 0 > g.z[corner_lo]


def test_local_moran_sums_to_global_moran():
    w, xy = lattice(5)
    y = np.random.default_rng(SEED).normal(size=25)
    n = y.size
    g = autocorr.moran(y, w, permutations=0)
    lisa = autocorr.local_moran(y, w, permutations=0)
    assert lisa.Is.sum() / n * n / (n - 1) == pytest.approx(g.I, rel=1e-12)
    assert np.isnan(lisa.p_sim).all()


def test_same_seed_same_result_and_seed_changes_draws():
    w, xy = lattice(5)
    y = np.random.default_rng(SEED).normal(size=25)
    a = autocorr.local_moran(y, w, permutations=99, seed=SEED)
    b = autocorr.local_moran(y, w, permutations=99, seed=SEED)
    c = autocorr.local_moran(y, w, permutations=99, seed=SEED + 1)
    np.testing.assert_array_equal(a.p_sim, b.p_sim)
    assert not np.array_equal(a.p_sim, c.p_sim)
    assert autocorr.moran(y, w, seed=SEED).p_sim == autocorr.moran(y, w, seed=SEED).p_sim


def test_p_values_are_calibrated_under_the_null():
    """Random values on a lattice: about alpha of the local tests reject."""
    w, _ = lattice(20)
    y = np.random.default_rng(SEED).normal(size=400)
    lisa = autocorr.local_moran(y, w, permutations=499, seed=SEED, adjust="fdr")
    # folded one-sided p: P(p <= 0.05) ~ 0.10 under the null
    assert 0.05 < lisa.significant.mean() < 0.16
    assert lisa.significant_adjusted.sum() <= lisa.significant.sum()


def test_chunking_does_not_change_results(monkeypatch):
    w, xy = lattice(6)
    y = np.random.default_rng(SEED).normal(size=36)
    a = autocorr.local_moran(y, w, permutations=99, seed=SEED)
    monkeypatch.setattr(autocorr, "CHUNK_ELEMENTS", 50)
    b = autocorr.local_moran(y, w, permutations=99, seed=SEED)
    np.testing.assert_array_equal(a.p_sim, b.p_sim)


def test_draws_are_without_replacement_and_uniform():
    rng = np.random.default_rng(SEED)
    d = _sample_without_replacement(rng, 10, 4, 20000)
    assert d.min() >= 0 and d.max() <= 9
    assert all(len(set(row)) == 4 for row in d[:500])
    counts = np.bincount(d[:, 0], minlength=10)  # first column alone is uniform
    assert stats.chisquare(counts).pvalue > 1e-4


@pytest.mark.parametrize(
    "kernel",
    [autocorr.moran, autocorr.geary, autocorr.local_moran, autocorr.getis_ord_g_star],
)
def test_degenerate_input_raises_clearly(kernel):
    w, _ = lattice(3)
    with pytest.raises(InputError, match="constant variable"):
        kernel(np.full(9, 0.3), w, permutations=9)
    y = np.full(9, np.nan)
    with pytest.raises(InputError, match=r"9 unknown \(NaN\).*subset"):
        kernel(y, w, permutations=9)
    with pytest.raises(InputError, match="at least 2 units"):
        kernel([1.0], from_matrix(np.zeros((1, 1))), permutations=9)
    with pytest.raises(InputError, match="have 8 units but the weights have 9"):
        kernel(np.arange(8.0), w, permutations=9)


def test_weights_that_are_no_square_matrix_raise_with_the_fix():
    """The same check (mixing.checks.square_matrix) as the spatial kernels' geometry."""
    y = np.arange(9.0)
    with pytest.raises(InputError, match=r"`w` must be an \(n, n\) scipy sparse matrix.*"
                                         r"got str.*build_weights"):
        autocorr.moran(y, "queen", permutations=0)
    with pytest.raises(InputError, match=r"`w` must have shape \(n, n\).*got \(9, 8\)"):
        autocorr.moran(y, np.ones((9, 8)), permutations=0)


def test_grouped_run_gives_nan_for_degenerate_groups_and_warns():
    a, _ = lattice(3)
    b, _ = lattice(2)
    w = block_diagonal([a, b])
    y = np.concatenate([np.arange(9.0), np.full(4, 2.0)])
    groups = ["GM0001"] * 9 + ["GM0002"] * 4
    with pytest.warns(RuntimeWarning, match="1 of 2 groups are undefined"):
        lisa = autocorr.local_moran(y, w, groups=groups, permutations=19, seed=SEED)
    assert np.isfinite(lisa.Is[:9]).all() and np.isnan(lisa.Is[9:]).all()
    assert (lisa.labels[9:] == "undefined").all() and not lisa.significant[9:].any()
    with pytest.warns(RuntimeWarning):
        g = autocorr.moran(y, w, groups=groups, permutations=19, seed=SEED)
    assert np.isfinite(g.I[0]) and np.isnan(g.I[1])


def test_groups_need_block_diagonal_weights():
    w, _ = lattice(3)
    with pytest.raises(InputError, match="different groups.*block_diagonal"):
        autocorr.local_moran(np.arange(9.0), w, groups=[0] * 4 + [1] * 5)


def test_grouped_global_moran_equals_separate_calls():
    a, _ = lattice(4)
    b, _ = lattice(3)
    rng = np.random.default_rng(SEED)
    ya, yb = rng.normal(size=16), rng.normal(size=9) + 100  # different means
    both = autocorr.moran(np.concatenate([ya, yb]), block_diagonal([a, b]),
                          groups=[1] * 16 + [2] * 9, permutations=0)
    for k, (y, w) in enumerate([(ya, a), (yb, b)]):
        one = autocorr.moran(y, w, permutations=0)
        assert both.I[k] == pytest.approx(one.I, rel=1e-12)
        assert both.z_norm[k] == pytest.approx(one.z_norm, rel=1e-12)
        assert both.p_rand[k] == pytest.approx(one.p_rand, rel=1e-9)


def test_isolated_unit_has_no_p_value():
    m = np.zeros((4, 4))
    m[0, 1] = m[1, 0] = m[1, 2] = m[2, 1] = 1  # unit 3 has no neighbour
    lisa = autocorr.local_moran([1.0, 2.0, 3.0, 4.0], from_matrix(m), permutations=9, seed=1)
    assert lisa.labels[3] == "isolated" and np.isnan(lisa.p_sim[3]) and lisa.Is[3] == 0


def test_fdr_matches_scipy_and_bonferroni():
    p = np.random.default_rng(SEED).uniform(size=50) ** 3
    np.testing.assert_allclose(autocorr.adjust_pvalues(p), stats.false_discovery_control(p))
    np.testing.assert_allclose(autocorr.adjust_pvalues(p, method="bonferroni"),
                               np.minimum(1, 50 * p))
    groups = np.repeat(["a", "b"], 25)
    per_group = autocorr.adjust_pvalues(p, groups=groups)
    np.testing.assert_allclose(per_group[:25], stats.false_discovery_control(p[:25]))
    np.testing.assert_allclose(per_group[25:], stats.false_discovery_control(p[25:]))
    with_nan = autocorr.adjust_pvalues(np.r_[np.nan, p])
    assert np.isnan(with_nan[0])
    np.testing.assert_allclose(with_nan[1:], stats.false_discovery_control(p))
    with pytest.raises(InputError, match="adjust"):
        autocorr.adjust_pvalues(p, method="holm")


def test_bivariate_with_itself_is_univariate():
    w, _ = lattice(5)
    y = np.random.default_rng(SEED).normal(size=25)
    uni = autocorr.local_moran(y, w, permutations=0)
    bi = autocorr.bivariate_local_moran(y, y, w, permutations=0)
    np.testing.assert_allclose(bi.Is, uni.Is, rtol=1e-12)
    gbi = autocorr.bivariate_moran(y, y, w, permutations=0).I
    # ddof=1 standardisation and the 1/(n-1) factor cancel: Moran's I itself
    assert gbi == pytest.approx(autocorr.moran(y, w, permutations=0).I, rel=1e-12)


def test_permutations_of_a_municipality_do_not_depend_on_its_batch():
    """Draws are keyed by the group label: a batch gives the same p-values as one call each."""
    import geopandas as gpd
    import shapely

    from mixing.geometry.weights import build_weights
    from mixing.kernels.autocorr import local_moran, moran

    rng = np.random.default_rng(7)
    cells = [shapely.box(x, y, x + 1, y + 1) for y in range(5) for x in range(5)]
    a = gpd.GeoSeries(cells, crs="EPSG:28992")
    b = gpd.GeoSeries([shapely.box(x + 10, y, x + 11, y + 1) for y in range(4) for x in range(6)],
                      crs="EPSG:28992")
    ya, yb = rng.random(25), rng.random(24)
    both = gpd.GeoSeries(pd.concat([a, b], ignore_index=True), crs="EPSG:28992")
    groups = np.array(["GM0001"] * 25 + ["GM0002"] * 24)
    w_both = build_weights(both, groups=groups)
    w_a = build_weights(a, groups=groups[:25])
    y = np.concatenate([ya, yb])
    batch_local = local_moran(y, w_both, permutations=199, seed=3, groups=groups)
    alone_local = local_moran(ya, w_a, permutations=199, seed=3, groups=groups[:25])
    np.testing.assert_array_equal(batch_local.p_sim[:25], alone_local.p_sim)
    batch_global = moran(y, w_both, permutations=199, seed=3, groups=groups)
    alone_global = moran(ya, w_a, permutations=199, seed=3, groups=groups[:25])
    assert batch_global.p_sim[0] == alone_global.p_sim[0]
