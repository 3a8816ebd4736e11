# ruff: noqa: NPY002  -- legacy np.random.seed on purpose: segregation draws from it
"""mixing.kernels.inference.two_value_test against ``segregation.inference.TwoValueTest``.

Den Haag non-western migration background in 2019 and 2021 (the same buurten; CBS
kerncijfers, see PROVENANCE.md). Compared statistically as in
``test_inference_reference.py`` (whose helpers this module reuses).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from _monte_carlo import assert_same_distribution
from conftest import SEED
from test_inference_reference import R_OURS, _counts, _units

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import segregation.singlegroup as sg
    from segregation.inference import TwoValueTest

from mixing.kernels import inference as inf  # noqa: E402


def test_two_value_random_label_matches_segregation(cbs_dir):
    """Den Haag non-western migration background, 2019 against 2021, same buurten."""
    a = _counts(_units(cbs_dir, "GM0518", 2019), "migration")
    b = _counts(_units(cbs_dir, "GM0518", 2021), "migration")
    both = a.merge(b, on="unit_code", suffixes=("_1", "_2"))
    assert len(both) > 100
    d1 = both[["g_1", "t_1"]].set_axis(["g", "t"], axis=1)
    d2 = both[["g_2", "t_2"]].set_axis(["g", "t"], axis=1)
    np.random.seed(SEED)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = TwoValueTest(sg.Dissim(d1, "g", "t"), sg.Dissim(d2, "g", "t"),
                              iterations=60, null_approach="random_label", n_jobs=1)
    ours = inf.two_value_test("dissimilarity", (d1["g"], d1["t"]), (d2["g"], d2["t"]),
                              null="random_label", permutations=R_OURS, seed=SEED)
    assert ours.difference == pytest.approx(theirs.est_point_diff, rel=1e-12)
    sims = np.asarray(theirs.est_sim, dtype=float)
    assert_same_distribution(ours.simulated, sims)
    # p-values: |sim| >= |obs| (ours) and 2 min(#>, #<) / m agree for a symmetric null
    p_theirs = (np.abs(sims) >= abs(ours.difference)).mean()
    se = np.sqrt(ours.p_value * (1 - ours.p_value) * (1 / R_OURS + 1 / sims.size))
    assert abs(ours.p_value - p_theirs) < 4 * se + 1 / R_OURS
    assert abs(ours.p_value - theirs.p_value) < 2 * 4 * se + 2 / sims.size


DH19, DH21, AMS19 = ("GM0518", 2019), ("GM0518", 2021), ("GM0363", 2019)


@pytest.mark.parametrize("null, pair, first, second", [
    ("composition", "social", DH19, AMS19),
    ("share", "migration", DH19, DH21),
    ("dual_composition", "social", DH19, AMS19)])
def test_two_value_counterfactual_nulls_match_segregation(cbs_dir, null, pair, first, second):
    """Counterfactual nulls; the contexts may be different places with different units."""
    a = _counts(_units(cbs_dir, *first), pair)[["g", "t"]]
    b = _counts(_units(cbs_dir, *second), pair)[["g", "t"]]
    np.random.seed(SEED)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = TwoValueTest(sg.Dissim(a, "g", "t"), sg.Dissim(b, "g", "t"),
                              iterations=60, null_approach=null, n_jobs=1)
    ours = inf.two_value_test("dissimilarity", (a["g"], a["t"]), (b["g"], b["t"]),
                              null=null, permutations=R_OURS, seed=SEED)
    assert ours.difference == pytest.approx(theirs.est_point_diff, rel=1e-12)
    assert_same_distribution(ours.simulated, np.asarray(theirs.est_sim, dtype=float))
    # the null is not centred on 0: two tails, each with the +1 rule
    sims = ours.simulated
    p = 2 * min((sims >= ours.difference).sum() + 1, (sims <= ours.difference).sum() + 1)
    assert ours.p_value == pytest.approx(min(1.0, p / (R_OURS + 1)), rel=1e-12)


def test_share_null_where_segregation_fails(cbs_dir):
    """Den Haag against Amsterdam, social housing: segregation's share null pairs observed
    group counts with counterfactual totals and stops (group > total); ours caps them."""
    a = _counts(_units(cbs_dir, *DH19), "social")[["g", "t"]]
    b = _counts(_units(cbs_dir, *AMS19), "social")[["g", "t"]]
    np.random.seed(SEED)
    with warnings.catch_warnings(), pytest.raises(ValueError, match="must equal or lower"):
        warnings.simplefilter("ignore")
        TwoValueTest(sg.Dissim(a, "g", "t"), sg.Dissim(b, "g", "t"), iterations=5,
                     null_approach="share", n_jobs=1)
    ours = inf.two_value_test("dissimilarity", (a["g"], a["t"]), (b["g"], b["t"]),
                              null="share", permutations=99, seed=SEED)
    assert ours.n_valid == 99 and 0 < ours.p_value <= 1
