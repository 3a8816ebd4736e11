"""Year comparison: IPF, the Elbers (2023) decomposition of the change in M, compare_years."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from conftest import SEED

from mixing.io.cbs import read_units
from mixing.kernels.multigroup import mutual_information
from mixing.tables.change import (
    COMPONENTS,
    compare_years,
    ipf,
    mutual_information_difference,
)
from mixing.tables.regions import composition

ROTTERDAM = "kwb_statline_rotterdam_2014_2018/Kerncijfers_wijken_en_buurten_{}.csv"
AMSTERDAM_2017 = "kwb_statline_amsterdam_2017/Kerncijfers_wijken_en_buurten_2017.csv"
ODATA = "kwb_odata_denhaag_amsterdam_utrecht/data/"
AMSTERDAM_2019 = ODATA + "ams_2019/marginal_distributions_84583NED.csv"
PARTS = ("group_marginal", "unit_marginal", "structural", "additions", "removals")


def _read(path, year):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_units(table=path, year=year).sort_values("unit_code", ignore_index=True)


@pytest.fixture(scope="module")
def rotterdam(cbs_dir):
    return {y: _read(cbs_dir / ROTTERDAM.format(y), y) for y in (2015, 2018)}


@pytest.fixture(scope="module")
def amsterdam(cbs_dir):
    return {2017: _read(cbs_dir / AMSTERDAM_2017, 2017),
            2019: _read(cbs_dir / AMSTERDAM_2019, 2019)}


def _sum_parts(d):
    return sum(getattr(d, p) for p in PARTS)


# ----------------------------------------------------------------------------- IPF
def test_ipf_fits_margins_and_keeps_odds_ratios():
    rng = np.random.default_rng(SEED)
    seed = rng.uniform(1, 10, size=(6, 3))
    rows = rng.uniform(1, 5, size=6)
    cols = rng.dirichlet([1, 1, 1]) * rows.sum()
    fitted = ipf(seed, rows, cols, tol=1e-13)
    np.testing.assert_allclose(fitted.sum(axis=1), rows, rtol=1e-12)
    np.testing.assert_allclose(fitted.sum(axis=0), cols, rtol=1e-12)
    odds = lambda x: x[0, 0] * x[1, 1] / (x[0, 1] * x[1, 0])  # noqa: E731
    assert odds(fitted[[2, 4]][:, [0, 2]]) == pytest.approx(odds(seed[[2, 4]][:, [0, 2]]))
    # batched by group: the same as fitting each group alone
    groups = np.array([0, 0, 0, 1, 1, 1])
    cols2 = np.stack([rng.dirichlet([1, 1, 1]) * rows[:3].sum(),
                      rng.dirichlet([1, 1, 1]) * rows[3:].sum()])
    both = ipf(seed, rows, cols2, groups=groups, tol=1e-13)
    np.testing.assert_allclose(both[3:], ipf(seed[3:], rows[3:], cols2[1], tol=1e-13),
                               rtol=1e-10)


# ----------------------------------------------------------------------------- Elbers
def test_identical_years_give_zero(rotterdam):
    counts = composition(rotterdam[2015], "migration_background")
    d = mutual_information_difference(counts, counts)
    for name in ("difference",) + PARTS:
        assert getattr(d, name) == pytest.approx(0.0, abs=1e-12), name


def test_pure_marginal_change_has_no_structural_part(rotterdam):
    counts = composition(rotterdam[2015], "migration_background")
    # 50 % more residents with a non-western background in every buurt
    d = mutual_information_difference(counts, counts * np.array([1.0, 1.5, 1.0]))
    assert d.structural == pytest.approx(0.0, abs=1e-9)
    assert d.additions == 0 and d.removals == 0
    assert d.difference == pytest.approx(0.0031906, abs=5e-8)
    assert d.group_marginal + d.unit_marginal == pytest.approx(d.difference, abs=1e-9)
    assert d.group_marginal == pytest.approx(0.0035370, abs=5e-8)


def test_rotterdam_2015_2018(rotterdam):
    a = composition(rotterdam[2015], "migration_background")
    b = composition(rotterdam[2018], "migration_background")
    assert (rotterdam[2015].unit_code.to_numpy() == rotterdam[2018].unit_code.to_numpy()).all()
    d = mutual_information_difference(a, b)
    assert d.M_first == pytest.approx(mutual_information(a[np.isfinite(a).all(axis=1)]))
    assert d.M_first == pytest.approx(0.093609, abs=5e-7)
    assert d.M_second == pytest.approx(0.085930, abs=5e-7)
    assert _sum_parts(d) == pytest.approx(d.difference, abs=1e-14)
    # M fell by 0.0077 nats, almost all of it structural: the groups mixed more
    assert d.structural == pytest.approx(-0.007877, abs=5e-7)
    assert d.group_marginal == pytest.approx(0.000286, abs=5e-7)
    assert d.unit_marginal == pytest.approx(-0.000088, abs=5e-7)
    assert d.additions == 0 and d.removals == 0  # the same 85 inhabited buurten
    # Shapley values are symmetric: swapping the years negates every component
    r = mutual_information_difference(b, a)
    for name in ("difference", "group_marginal", "unit_marginal", "structural"):
        assert getattr(r, name) == pytest.approx(-getattr(d, name), abs=1e-9), name


def test_amsterdam_2017_2019_additions(amsterdam):
    a, b = (composition(amsterdam[y], "migration_background") for y in (2017, 2019))
    d = mutual_information_difference(a, b)
    assert _sum_parts(d) == pytest.approx(d.difference, abs=1e-14)
    assert d.difference == pytest.approx(-0.004176, abs=5e-7)
    assert d.structural == pytest.approx(-0.005565, abs=5e-7)
    # buurten without residents in 2017 but with residents in 2019 are additions
    new = (np.nansum(a, axis=1) == 0) & (np.nansum(b, axis=1) > 0)
    assert new.sum() > 0 and d.additions == pytest.approx(0.000055, abs=5e-7)
    keep = ~new
    assert d.additions == pytest.approx(d.M_second - mutual_information(
        np.nan_to_num(b[keep])), abs=1e-12)
    # swapping years turns additions into removals
    r = mutual_information_difference(b, a)
    assert r.removals == pytest.approx(-d.additions, abs=1e-12) and r.additions == 0


def test_batched_decomposition_equals_separate(rotterdam, amsterdam):
    sep_r = mutual_information_difference(*(composition(rotterdam[y], "migration_background")
                                            for y in (2015, 2018)))
    sep_a = mutual_information_difference(*(composition(amsterdam[y], "migration_background")
                                            for y in (2017, 2019)))
    first = np.vstack([composition(rotterdam[2015], "migration_background"),
                       composition(amsterdam[2017], "migration_background")])
    second = np.vstack([composition(rotterdam[2018], "migration_background"),
                        composition(amsterdam[2019], "migration_background")])
    groups = ["GM0599"] * 92 + ["GM0363"] * 479
    both = mutual_information_difference(first, second, groups=groups)
    assert both.labels.tolist() == ["GM0363", "GM0599"]
    for name in COMPONENTS:
        np.testing.assert_allclose(getattr(both, name), [getattr(sep_a, name),
                                                         getattr(sep_r, name)], atol=1e-9)
    frame = both.to_frame()
    assert list(frame.columns) == ["group", "component", "value"] and len(frame) == 16


# ----------------------------------------------------------------------------- compare_years
def test_compare_years_rotterdam(rotterdam):
    res = compare_years(rotterdam, seed=SEED, replicates=99, permutations=99)
    assert res.notes == ()
    t = res.trends.set_index(["year", "dimension", "index"])
    row = t.loc[(2015, "migration", "dissimilarity")]
    assert row.value == pytest.approx(0.334017, abs=5e-7)
    assert row.ci_low < row.value < row.ci_high and row.se > 0
    assert t.loc[(2018, "migration", "dissimilarity"), "value"] == pytest.approx(0.308303,
                                                                                  abs=5e-7)
    tests = res.tests.set_index(["dimension", "index"])
    d = tests.loc[("migration", "dissimilarity")]
    assert d.difference == pytest.approx(0.308303 - 0.334017, abs=1e-6)
    assert d.p_value == pytest.approx(0.01)  # (0 + 1) / (99 + 1): no permutation as extreme
    assert d.n_units == 85
    dec = res.decomposition.set_index("component").value
    assert dec["structural"] == pytest.approx(-0.007877, abs=5e-7)
    assert dec[list(PARTS)].sum() == pytest.approx(dec["difference"], abs=1e-14)
    units = res.units.set_index(["unit_code", "dimension"])
    nieuwe_werk = units.loc[("BU05990118", "social_housing")]
    assert (nieuwe_werk.share_from, nieuwe_werk.share_to) == pytest.approx((0.07, 0.13))
    assert nieuwe_werk.difference == pytest.approx(0.06)
    assert len(res.units) == 2 * 92


def test_compare_years_without_inference(rotterdam):
    res = compare_years(rotterdam, seed=None)
    assert any("seed=None" in n for n in res.notes)
    assert res.trends.ci_low.isna().all() and res.tests.empty
    assert res.decomposition.value.notna().all()  # the decomposition needs no draws


def test_compare_years_amsterdam_pairs(amsterdam):
    res = compare_years(amsterdam, seed=None, dimensions=("migration",))
    assert "seed=None" in res.notes[0]
    assert set(res.trends.year) == {2017, 2019}
    dec = res.decomposition.set_index("component").value
    assert dec["difference"] == pytest.approx(-0.004176, abs=5e-7)
    assert (res.decomposition[["year_from", "year_to"]].drop_duplicates().values
            == [[2017, 2019]]).all()
