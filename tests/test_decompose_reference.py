"""Shapley decomposition of a difference (mixing.kernels.decompose) vs PySAL segregation.

Real data: Den Haag vs Amsterdam 2019 buurten read with :func:`mixing.io.cbs.read_units`.
``segregation`` keeps units with NaN or zero totals in its percentile ranks; we drop them
first (the project's exclusion rule), so both receive the kept units.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from conftest import DEN_HAAG_2019, read_quietly

from mixing.errors import InputError
from mixing.kernels import aspatial
from mixing.kernels.decompose import APPROACHES, counterfactual, decompose_difference

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import segregation.singlegroup as sg
    from segregation.decomposition import DecomposeSegregation

AMSTERDAM_2019 = ("kwb_odata_denhaag_amsterdam_utrecht/data/ams_2019/"
                  "marginal_distributions_84583NED.csv")
RTOL = 1e-9
PAIRS = [("dwellings_social", "dwellings"), ("population_migration_nonwestern", "population")]
INDICES = {"dissimilarity": sg.Dissim, "gini": sg.Gini, "entropy": sg.Entropy}


@pytest.fixture(scope="module")
def cities(cbs_dir, nl_geometry):
    amsterdam = read_quietly(nl_geometry, cbs_dir / AMSTERDAM_2019, year=2019)
    den_haag = read_quietly(nl_geometry, cbs_dir / DEN_HAAG_2019, year=2019)
    return den_haag, amsterdam


def _kept(frame, g, t):
    df = frame[[g, t]].dropna()
    return df[df[t] > 0]


@pytest.mark.parametrize("approach", APPROACHES)
@pytest.mark.parametrize("name", sorted(INDICES))
@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: p[0])
def test_den_haag_vs_amsterdam_matches_segregation(cities, pair, name, approach):
    g, t = pair
    a, b = (_kept(c, g, t) for c in cities)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = DecomposeSegregation(INDICES[name](a, g, t), INDICES[name](b, g, t),
                                   counterfactual_approach=approach)
    ours = decompose_difference(name, cities[0][g], cities[0][t], cities[1][g],
                                cities[1][t], approach=approach)
    np.testing.assert_allclose(ours.shapley_spatial, ref.c_s, rtol=RTOL)
    np.testing.assert_allclose(ours.shapley_attribute, ref.c_a, rtol=RTOL)
    np.testing.assert_allclose(ours.index_a_structure_b_attribute, ref.indices["s1_a2"],
                               rtol=RTOL)
    np.testing.assert_allclose(ours.index_b_structure_a_attribute, ref.indices["s2_a1"],
                               rtol=RTOL)
    assert ours.difference == pytest.approx(ref.indices["s1_a1"] - ref.indices["s2_a2"],
                                            rel=RTOL)


def test_parts_add_up_and_swap_sign():
    ga, ta = np.array([10.0, 0, 5, 8]), np.array([10.0, 10, 10, 20])
    gb, tb = np.array([2.0, 4, 4, 1, 3]), np.array([10.0, 10, 10, 5, 30])
    d = decompose_difference("dissimilarity", ga, ta, gb, tb)
    assert d.shapley_spatial + d.shapley_attribute == pytest.approx(d.difference, abs=1e-15)
    assert d.index_a == pytest.approx(aspatial.dissimilarity(ga, ta))
    r = decompose_difference("dissimilarity", gb, tb, ga, ta)
    assert r.shapley_spatial == pytest.approx(-d.shapley_spatial, abs=1e-15)
    assert r.shapley_attribute == pytest.approx(-d.shapley_attribute, abs=1e-15)


def test_reordered_units_known_answer():
    # B = A's units in reverse order: same index, and both parts are 0
    ga, ta = np.array([1.0, 5, 9]), np.array([10.0, 10, 10])
    d = decompose_difference("dissimilarity", ga, ta, ga[::-1], ta)
    assert (d.difference, d.shapley_attribute, d.shapley_spatial) == (0.0, 0.0, 0.0)
    # D of A = (|.1-.5| + 0 + |.9-.5|) * 10 / (2 * 30 * .5 * .5) = 8/15
    assert d.index_a == pytest.approx(8 / 15, rel=1e-12)


def test_counterfactual_by_hand():
    # A: shares .1 .5 .9 in units of 10; B: the same shares in units of 10, 20, 50.
    # A's ranks 1/3, 2/3, 1 read B's shares at positions (3-1)*q = 2/3, 4/3, 2 (linear):
    # .1 + .4 * 2/3, .5 + .4 / 3, .9
    ga, ta = np.array([1.0, 5, 9]), np.array([10.0, 10, 10])
    gb, tb = np.array([1.0, 10, 45]), np.array([10.0, 20, 50])
    d = decompose_difference("dissimilarity", ga, ta, gb, tb)
    cf = np.array([0.1 + 0.4 * 2 / 3, 0.5 + 0.4 / 3, 0.9])
    P = cf.mean()
    expected = 10 * np.abs(cf - P).sum() / (2 * 30 * P * (1 - P))
    assert d.index_a_structure_b_attribute == pytest.approx(expected, rel=1e-12)


def test_counterfactual_composition_keeps_sizes_and_swaps_quantiles():
    ga = np.array([1.0, 5, 9])
    ta = np.array([10.0, 10, 10])
    gb, tb = np.array([0.0, 2, 4, 6, 8]), np.array([10.0] * 5)
    gac, tac, gbc, tbc = counterfactual(ga, ta, gb, tb, "composition")
    np.testing.assert_array_equal(tac, ta)
    # ranks 1/3, 2/3, 1 -> quantiles of B's shares (0, .2, .4, .6, .8) at those points
    np.testing.assert_allclose(gac, np.quantile(gb / tb, [1 / 3, 2 / 3, 1]) * 10, rtol=1e-15)
    np.testing.assert_array_equal(tbc, tb)
    assert gbc.shape == gb.shape


def test_callable_index_and_kwargs():
    seen = []

    def f(group, total, *, tag):
        seen.append(tag)
        return aspatial.dissimilarity(group, total)

    decompose_difference(f, [1, 2, 3], [4, 4, 4], [1, 1, 3], [4, 4, 4],
                         kwargs_a={"tag": "a"}, kwargs_b={"tag": "b"})
    assert seen == ["a", "b", "a", "b"]


def test_bad_input_names_the_problem():
    with pytest.raises(InputError, match="unknown counterfactual approach 'ranks'"):
        decompose_difference("dissimilarity", [1, 2], [2, 2], [1, 2], [2, 2], approach="ranks")
    with pytest.raises(InputError, match="unknown index 'dissim'.*dissimilarity"):
        decompose_difference("dissim", [1, 2], [2, 2], [1, 2], [2, 2])
    with pytest.raises(InputError, match="context b: unit 1 has group 3.0 outside"):
        decompose_difference("dissimilarity", [1, 2], [2, 2], [1, 3], [2, 2])
    with pytest.raises(InputError, match="context a has fewer than 2 units"):
        decompose_difference("dissimilarity", [1, np.nan], [2, 2], [1, 2], [2, 2])
