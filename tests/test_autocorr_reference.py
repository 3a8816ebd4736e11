"""Regression against PySAL esda (the test oracle) on real CBS data: Den Haag and Amsterdam
2019 buurten, social-housing share and non-western share, queen weights.

Deterministic quantities must agree to ``rtol=1e-10``. Permutation p-values cannot share
esda's random numbers, so they are compared statistically: the difference of two
independent estimates from R permutations has sd ~ sqrt(2 p (1 - p) / R).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from _real_units import real_units

from mixing.geometry.weights import block_diagonal, build_weights, subset
from mixing.kernels import autocorr

esda = pytest.importorskip("esda")  # dev extra; a test-only oracle
from libpysal.weights import W as PysalW  # noqa: E402

pytestmark = pytest.mark.filterwarnings(
    "ignore:The alternative hypothesis for conditional randomization:DeprecationWarning"
)

RTOL = 1e-10
R = 9999  # permutations for the p-value comparisons


@pytest.fixture(scope="module")
def units(cbs_dir):
    return real_units(cbs_dir)


def _city(units, code, column):
    """Weights and values of one city, units with an unknown value dropped."""
    city = units[units["municipality_code"] == code].reset_index(drop=True)
    w = build_weights(city, ids=city["unit_code"].to_numpy())
    y = city[column].to_numpy()
    keep = ~np.isnan(y)
    if (~keep).any():
        with pytest.warns(UserWarning, match=r"dropped \d+ of \d+ units with unknown values"):
            w = subset(w, keep)
    return w, y[keep], city[keep].reset_index(drop=True)


@pytest.fixture(scope="module")
def cities(units):
    out = {}
    for code in ("GM0518", "GM0363"):
        w, y, city = _city(units, code, "social_share")
        x = city["nonwestern_share"].to_numpy()
        ok = ~np.isnan(x)
        assert ok.all(), "non-western share is known wherever social share is"
        out[code] = (w, y, x)
    return out


def _pysal(w):
    """A fresh libpysal W with exactly our (island-joined) neighbour structure."""
    b = w.binary
    neighbours = {i: b.indices[b.indptr[i] : b.indptr[i + 1]].tolist() for i in range(w.n)}
    return PysalW(neighbours, silence_warnings=True)


def _p_esda_ties_both_sides(sim, observed):
    """esda's folded p from its own simulations, counting exact ties on both sides."""
    tol = 1e-12 * (np.abs(observed) + np.abs(sim).max(axis=0))  # esda sums with fastmath
    larger = (sim >= observed - tol).sum(axis=0)
    smaller = (sim <= observed + tol).sum(axis=0)
    return (np.minimum(larger, smaller) + 1.0) / (sim.shape[0] + 1.0)


def _assert_p_close(ours, theirs, permutations):
    p = (ours + theirs) / 2
    sd = np.sqrt(2 * p * (1 - p) / permutations)
    bound = 4 * sd + 2.0 / (permutations + 1)
    assert np.all(np.abs(ours - theirs) <= bound), np.max(np.abs(ours - theirs) / bound)


CODES = ["GM0518", "GM0363"]


def test_amsterdam_islands_are_joined_and_reported(units):
    city = units[units["municipality_code"] == "GM0363"]
    w = build_weights(city, ids=city["unit_code"].to_numpy())
    assert w.n == 479 and w.n_islands_joined >= 1
    assert set(w.islands_joined) <= set(city["unit_code"])
    assert w.isolated == ()
    assert (w.cardinalities > 0).all()
    assert np.allclose(np.asarray(w.W.sum(axis=1)).ravel(), 1.0)
    # joined symmetrically
    assert (w.binary != w.binary.T).nnz == 0


@pytest.mark.parametrize("code", CODES)
def test_global_moran_matches_esda(cities, code):
    w, y, _ = cities[code]
    ours = autocorr.moran(y, w, permutations=R, seed=1)
    ref = esda.Moran(y, _pysal(w), permutations=R)
    for mine, theirs in [
        (ours.I, ref.I), (ours.expected, ref.EI), (ours.variance_norm, ref.VI_norm),
        (ours.z_norm, ref.z_norm), (ours.p_norm, ref.p_norm),
        (ours.variance_rand, ref.VI_rand), (ours.z_rand, ref.z_rand), (ours.p_rand, ref.p_rand),
    ]:
        np.testing.assert_allclose(mine, theirs, rtol=RTOL)
    _assert_p_close(np.array([ours.p_sim]), np.array([ref.p_sim]), R)
    assert abs(ours.z_sim - ref.z_sim) < 0.15 * abs(ref.z_sim)  # Monte Carlo sd of z_sim


@pytest.mark.parametrize("code", CODES)
@pytest.mark.parametrize("transformation", ["r", "b"])
def test_geary_matches_esda(cities, code, transformation):
    w, y, _ = cities[code]
    ours = autocorr.geary(y, w, permutations=999, seed=2, transformation=transformation)
    ref = esda.Geary(y, _pysal(w), transformation=transformation, permutations=999)
    for mine, theirs in [
        (ours.C, ref.C), (ours.variance_norm, ref.VC_norm), (ours.z_norm, ref.z_norm),
        (ours.p_norm, ref.p_norm), (ours.variance_rand, ref.VC_rand),
        (ours.z_rand, ref.z_rand), (ours.p_rand, ref.p_rand),
    ]:
        np.testing.assert_allclose(mine, theirs, rtol=RTOL)
    _assert_p_close(np.array([ours.p_sim]), np.array([ref.p_sim]), 999)


@pytest.fixture(scope="module", params=CODES)
def lisa_pair(request, cities):
    w, y, _ = cities[request.param]
    ours = autocorr.local_moran(y, w, permutations=R, seed=3, alternative="directed")
    ref = esda.Moran_Local(y, _pysal(w), permutations=R, seed=4)
    return w, y, ours, ref


def test_local_moran_statistics_match_esda(lisa_pair):
    _, _, ours, ref = lisa_pair
    np.testing.assert_allclose(ours.Is, ref.Is, rtol=RTOL, atol=1e-14)
    np.testing.assert_array_equal(ours.quadrant, ref.q)
    np.testing.assert_array_equal(ours.labels, np.array(["HH", "LH", "LL", "HL"])[ref.q - 1])
    np.testing.assert_allclose(ours.z, ref.z, rtol=RTOL)


def test_local_moran_p_values_agree_with_esda_within_monte_carlo_error(lisa_pair):
    _, _, ours, ref = lisa_pair
    # the permutation engines agree: our p vs p from esda's own simulations (same tie rule)
    esda_p = _p_esda_ties_both_sides(ref.sim, ref.Is)
    _assert_p_close(ours.p_sim, esda_p, R)
    # where ties do not matter, esda's published p_sim is that same number (shares are
    # whole percentages, so ties within a few ulps are common: about a third of units)
    same = ref.p_sim == esda_p
    assert same.sum() > 0.2 * same.size
    _assert_p_close(ours.p_sim[same], ref.p_sim[same], R)
    # rejection rates at 5 %: equal up to a few borderline units
    assert abs(int((ours.p_sim <= 0.05).sum()) - int((esda_p <= 0.05).sum())) <= max(
        3, 0.02 * ours.p_sim.size
    )
    np.testing.assert_allclose(ours.expected_sim, ref.EI_sim, atol=0.05)
    finite = np.isfinite(ref.z_sim)
    np.testing.assert_allclose(ours.z_sim[finite], ref.z_sim[finite], atol=0.15)


def test_tied_lower_tail_counts_ties(lisa_pair):
    """Documented deviation: esda counts exact ties as not extreme in the lower tail."""
    _, _, ours, ref = lisa_pair
    tied = np.isclose(ref.sim, ref.Is, rtol=1e-9, atol=1e-12).any(axis=0)
    assert tied.any()  # many buurten have 0 % social housing
    assert (ours.p_sim[tied] >= ref.p_sim[tied] - 4 * np.sqrt(2 * 0.25 / R)).all()


@pytest.mark.parametrize("star", [True, False])
@pytest.mark.parametrize("transform", ["R", "B"])
def test_getis_ord_matches_esda(cities, star, transform):
    w, y, _ = cities["GM0518"]
    ours = autocorr.getis_ord_g_star(y, w, permutations=R, seed=5, transformation=transform,
                                     star=star, alternative="directed")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # esda's note on the assumed self-weight
        ref = esda.G_Local(y, _pysal(w), transform=transform, star=star, permutations=R,
                           seed=6, n_jobs=1)
    np.testing.assert_allclose(ours.G, ref.Gs, rtol=RTOL)
    np.testing.assert_allclose(ours.expected, ref.EGs, rtol=RTOL)
    np.testing.assert_allclose(ours.variance, ref.VGs, rtol=RTOL)
    np.testing.assert_allclose(ours.z, ref.Zs, rtol=RTOL)
    np.testing.assert_allclose(ours.p_norm, ref.p_norm, rtol=RTOL)
    _assert_p_close(ours.p_sim, _p_esda_ties_both_sides(ref.sim, ref.Gs), R)


@pytest.mark.parametrize("code", CODES)
def test_bivariate_moran_matches_esda(cities, code):
    w, y, x = cities[code]
    ours = autocorr.bivariate_moran(y, x, w, permutations=999, seed=7)
    ref = esda.Moran_BV(y, x, _pysal(w), permutations=999)
    np.testing.assert_allclose(ours.I, ref.I, rtol=RTOL)
    _assert_p_close(np.array([ours.p_sim]), np.array([ref.p_sim]), 999)


@pytest.mark.parametrize("code", CODES)
def test_bivariate_local_moran_matches_esda(cities, code):
    w, y, x = cities[code]
    ours = autocorr.bivariate_local_moran(y, x, w, permutations=R, seed=8,
                                          alternative="directed")
    ref = esda.Moran_Local_BV(y, x, _pysal(w), permutations=R, seed=9)
    np.testing.assert_allclose(ours.Is, ref.Is, rtol=RTOL, atol=1e-14)
    np.testing.assert_array_equal(ours.quadrant, ref.q)
    _assert_p_close(ours.p_sim, _p_esda_ties_both_sides(ref.sim, ref.Is), R)


def test_one_call_for_both_cities_equals_separate_calls(cities):
    """Block-diagonal W + groups: the national run is one call, same numbers per city."""
    ws = [cities[c][0] for c in CODES]
    ys = [cities[c][1] for c in CODES]
    w = block_diagonal(ws)
    y = np.concatenate(ys)
    groups = np.repeat(CODES, [len(v) for v in ys])
    both = autocorr.local_moran(y, w, groups=groups, permutations=999, seed=10,
                               alternative="directed")
    glob = autocorr.moran(y, w, groups=groups, permutations=99, seed=10)
    assert glob.groups.tolist() == sorted(CODES)
    start = 0
    for code, wi, yi in zip(CODES, ws, ys, strict=True):
        part = slice(start, start + len(yi))
        ref = esda.Moran_Local(yi, _pysal(wi), permutations=999, seed=11)
        np.testing.assert_allclose(both.Is[part], ref.Is, rtol=RTOL, atol=1e-14)
        np.testing.assert_array_equal(both.quadrant[part], ref.q)
        _assert_p_close(both.p_sim[part], _p_esda_ties_both_sides(ref.sim, ref.Is), 999)
        k = sorted(CODES).index(code)
        np.testing.assert_allclose(glob.I[k], esda.Moran(yi, _pysal(wi), permutations=0).I,
                                   rtol=RTOL)
        start += len(yi)
