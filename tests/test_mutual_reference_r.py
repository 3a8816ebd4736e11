"""The mutual-information kernels against R ``segregation`` (Elbers) on its own data.

Data: ``schools00``, ``schools05`` and ``school_ses`` as shipped with the R package
(``../shared/data/peers/elbersb_segregation``, read with ``pyreadr``). Asserted values
are those of the R package's documentation and its tests in ``testthat/`` there (R is
not run here); simulated quantities are compared at R's own tolerances or within Monte
Carlo error.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import SEED

from mixing.kernels import multigroup
from mixing.kernels.mutual import (
    mutual_expected,
    mutual_local,
    mutual_local_expected,
    mutual_total,
)
from mixing.kernels.mutual_within import mutual_within
from mixing.tables.change import COMPONENTS, mutual_information_difference

pyreadr = pytest.importorskip("pyreadr")  # dev extra; reads the R package's .rda files

# R test_mutual_local.R / test_mutual_total_expected.R: units x groups
R_TABLE = np.array([[40.0, 20, 5, 1], [20, 40, 60, 80]])
DOC = 1e-3  # the R documentation prints three decimals
SMALL = np.column_stack([np.ones(10), np.full(10, 9.0)])  # R's data2: 10 schools, 10 %


def _read(elbers_dir, name) -> pd.DataFrame:
    frame = pyreadr.read_r(elbers_dir / f"{name}.rda")[name]
    return frame.astype({c: str for c in frame.columns if c != "n"})


def _wide(frame, unit, group="race", keys=()) -> tuple[np.ndarray, pd.DataFrame]:
    """(units, groups) counts with one row per unit and the unit's key columns."""
    table = frame.pivot_table(index=[*keys, unit], columns=group, values="n", aggfunc="sum",
                              fill_value=0.0, observed=True)
    return table.to_numpy(float), table.index.to_frame(index=False)


@pytest.fixture(scope="module")
def schools00(elbers_dir):
    return _read(elbers_dir, "schools00")


@pytest.fixture(scope="module")
def schools05(elbers_dir):
    return _read(elbers_dir, "schools05")


# ----------------------------------------------------------------------------- docs
def test_schools00_readme_values(schools00):
    # R mutual_total / mutual_within examples: M .425 (school x race), .087 within
    # districts, .338 between districts; state A .409; within states .326 and H .321
    # (three printed decimals, truncated or rounded: within 1e-3)
    counts, keys = _wide(schools00, "school", keys=("state", "district"))
    assert mutual_total(counts).M == pytest.approx(0.425, abs=DOC)
    assert mutual_total(counts, within=keys["district"]).M == pytest.approx(0.087, abs=DOC)
    districts, _ = _wide(schools00, "district")
    assert mutual_total(districts).M == pytest.approx(0.338, abs=DOC)
    table = mutual_within(counts, keys["state"]).pivot(index="cluster", columns="stat",
                                                       values="est")
    assert table.loc["A", "M"] == pytest.approx(0.409, abs=DOC)
    assert (table.p * table.M).sum() == pytest.approx(0.326, abs=DOC)
    assert (table.p * table.ent_ratio * table.H).sum() == pytest.approx(0.321, abs=DOC)
    within = mutual_total(counts, within=keys["state"])
    assert (table.p * table.M).sum() == pytest.approx(within.M, rel=1e-12)
    assert (table.p * table.ent_ratio * table.H).sum() == pytest.approx(within.H, rel=1e-12)


# ----------------------------------------------------------------------------- base
def test_log_base_as_r():
    # R test_mutual_local.R / test_mutual_total.R with base = 2
    local = mutual_local(R_TABLE.T, base=2)
    assert (local.unit_p * local.unit_ls).sum() == pytest.approx(
        mutual_total(R_TABLE, base=2).M, rel=1e-14)
    assert mutual_total(R_TABLE, base=2).M == pytest.approx(
        mutual_total(R_TABLE).M / np.log(2), rel=1e-14)
    assert mutual_total(R_TABLE, base=2).H == pytest.approx(mutual_total(R_TABLE).H, rel=1e-14)
    d2 = mutual_information_difference(R_TABLE, R_TABLE[:, ::-1], base=2)
    d = mutual_information_difference(R_TABLE, R_TABLE[:, ::-1])
    assert d2.structural == pytest.approx(d.structural / np.log(2), rel=1e-12)


def test_bad_base():
    from mixing.errors import InputError

    with pytest.raises(InputError, match="`base` must be a positive number other than 1"):
        mutual_total(R_TABLE, base=1)


# ----------------------------------------------------------------------------- bootstrap
def test_local_bootstrap_as_r():
    # R "bootstrapping works": every unit gets se > 0; est is the debiased mean
    plain = mutual_local(R_TABLE)
    boot = mutual_local(R_TABLE, se=True, replicates=200, seed=SEED)
    assert boot.replicates == 200 and (boot.unit_ls_se > 0).all()
    np.testing.assert_allclose(boot.unit_ls, plain.unit_ls - boot.unit_ls_bias, rtol=1e-12)
    assert (boot.unit_ls_ci_low < boot.unit_ls).all()
    assert (boot.unit_ls < boot.unit_ls_ci_high).all()
    # p (and the sum rule) are untouched by the bootstrap
    np.testing.assert_array_equal(boot.unit_p, plain.unit_p)


def test_within_bootstrap_as_r():
    # R test_mutual_within.R: units a, b x groups 1..4, groups in supergroups 12 and 34
    units, supergroup = R_TABLE.T, np.array([12, 12, 34, 34])
    plain = mutual_within(units, supergroup)
    assert plain.shape == (2 * 4, 4)
    boot = mutual_within(units, supergroup, se=True, replicates=50, seed=SEED)
    assert boot.shape == (2 * 4, 8) and (boot["se"] > 0).all()
    h = plain[plain.stat == "H"].est
    assert ((h >= 0) & (h <= 1)).all()
    np.testing.assert_allclose(boot.est, plain.est - boot.bias, rtol=1e-12)


def test_difference_bootstrap_as_r():
    # R "mutual_difference SE": 8 rows; se > 0 wherever the estimate is positive
    a = np.array([[40.0, 30, 20, 10], [5, 10, 15, 20]])
    b = np.array([[20.0, 20, 20, 15], [5, 10, 10, 15]])
    plain = mutual_information_difference(a, b)
    boot = mutual_information_difference(a, b, se=True, replicates=20, seed=SEED)
    frame = boot.to_frame()
    assert frame.shape == (len(COMPONENTS), 7) and boot.replicates == 20
    for name in COMPONENTS:
        est = getattr(plain, name)
        assert getattr(boot, name) == pytest.approx(est - boot.bias[name], abs=1e-15)
        if est > 0:
            assert boot.se[name] > 0
    parts = sum(getattr(boot, c) for c in COMPONENTS[3:])
    assert parts == pytest.approx(boot.difference, abs=1e-12)  # debiasing is linear
    batch = mutual_information_difference(np.vstack([a, a]), np.vstack([b, b]),
                                          groups=["x", "x", "y", "y"], se=True,
                                          replicates=20, seed=SEED)
    assert batch.se["structural"].shape == (2,)


# ----------------------------------------------------------------------------- expected
@pytest.mark.parametrize("table", [R_TABLE, SMALL.T], ids=["data1", "data2"])
def test_local_expected_aligns_with_total_expected_as_r(table):
    # R test_mutual_local_expected.R "works both ways around" / "aligns with
    # mutual_total_expected": sum(est * p_mean) both ways ~ M under 0 (tolerance 0.01)
    total = mutual_expected(table, replicates=500, seed=SEED)
    units = mutual_local_expected(table, replicates=500, seed=SEED)
    groups = mutual_local_expected(table.T, replicates=500, seed=SEED + 1)
    assert units.ls.shape == (table.shape[0],) and groups.ls.shape == (table.shape[1],)
    # same seed, same tables: the unit scores add up to the simulated M exactly
    assert (units.p_mean * units.ls).sum() == pytest.approx(total.M, rel=1e-12)
    assert (groups.p_mean * groups.ls).sum() == pytest.approx(total.M, rel=0.05)
    # simulated margins: sum(mean p * mean ls) is not mean(sum p ls) -- a unit drawn small
    # scores high -- so R's 1 % tolerance cannot hold here; the gap is ~9 % on both tables
    free = mutual_local_expected(table, fixed_margins=False, replicates=500, seed=SEED)
    assert (free.p_mean * free.ls).sum() == pytest.approx(
        mutual_expected(table, fixed_margins=False, replicates=500, seed=SEED).M, rel=0.15)


def test_expected_within_as_r(elbers_dir):
    # R test_mutual_total_expected.R "within argument": school_ses, ethnic group x school
    # within SES quintile = the quintiles' expected values weighted by their sizes
    ses = _read(elbers_dir, "school_ses").assign(n=1.0)
    counts, keys = _wide(ses, "school_id", group="ethnic_group", keys=("ses_quintile",))
    within = mutual_expected(counts, within=keys["ses_quintile"], replicates=100, seed=SEED)
    parts, sizes = [], []
    for q in sorted(keys["ses_quintile"].unique()):
        rows = (keys["ses_quintile"] == q).to_numpy()
        parts.append(mutual_expected(counts[rows], replicates=100, seed=SEED))
        sizes.append(counts[rows].sum())
    p = np.array(sizes) / sum(sizes)
    manual_m = sum(w * e.M for w, e in zip(p, parts, strict=True))
    manual_se = np.sqrt(sum(w * e.M_se**2 for w, e in zip(p, parts, strict=True)))
    # independent simulations: agree within Monte Carlo error of the two means
    assert abs(within.M - manual_m) < 4 * np.sqrt(2 / 100) * manual_se
    assert within.M_se == pytest.approx(manual_se, rel=0.25)


def test_expected_within_drops_singletons(schools00):
    # R "errors": schools00 within districts has one-school districts ("singleton items"),
    # which are left out; the rest is the size-weighted mean
    counts, keys = _wide(schools00, "school", keys=("district",))
    single = keys.groupby("district")["school"].transform("size").to_numpy() == 1
    assert single.any()
    e = mutual_expected(counts, within=keys["district"], replicates=10, seed=SEED)
    kept = mutual_expected(counts[~single], within=keys["district"][~single], replicates=10,
                           seed=SEED)
    assert np.isfinite(e.M) and e.M == pytest.approx(kept.M, rel=1e-12)


# ----------------------------------------------------------------------------- change
def test_schools_difference_components_add_up(schools00, schools05):
    # R test_mutual_difference.R "shapley_detailed structural": schools05 vs schools00,
    # same M as mutual_total; components add up to the difference
    both = pd.concat([schools05.assign(year=1), schools00.assign(year=2)])
    table = both.pivot_table(index="school", columns=["year", "race"], values="n",
                             aggfunc="sum", fill_value=0.0, observed=False)
    first, second = table[1].to_numpy(float), table[2].to_numpy(float)
    d = mutual_information_difference(first, second)
    assert d.M_first == pytest.approx(multigroup.mutual_information(first), rel=1e-12)
    assert d.M_second == pytest.approx(multigroup.mutual_information(second), rel=1e-12)
    parts = sum(getattr(d, c) for c in COMPONENTS[3:])
    assert parts == pytest.approx(d.difference, abs=1e-12)
    assert d.additions != 0 and d.removals != 0  # schools open and close


# ----------------------------------------------------------------------------- methods
R_DIFF_1 = np.array([[40.0, 30, 20, 10], [5, 10, 15, 20]])
R_DIFF_2 = np.array([[20.0, 20, 20, 15], [5, 10, 10, 15]])


def test_km_as_r():
    # R "mutual_difference KM" (precision .0001): parts add up; unit <-> group symmetric
    # when the table is transposed, to 5 decimals
    d = mutual_information_difference(R_DIFF_1, R_DIFF_2, method="km", precision=1e-4)
    t = mutual_information_difference(R_DIFF_1.T, R_DIFF_2.T, method="km", precision=1e-4)
    assert len(d.to_frame()) == 9
    parts = d.group_marginal + d.unit_marginal + d.interaction + d.structural
    assert parts == pytest.approx(d.difference, abs=1e-15)
    assert d.additions == 0 and d.removals == 0
    assert d.M_first == pytest.approx(mutual_total(R_DIFF_1).M, rel=1e-14)
    for mine, theirs in ((d.unit_marginal, t.group_marginal), (d.group_marginal,
                         t.unit_marginal), (d.interaction, t.interaction),
                         (d.structural, t.structural)):
        assert round(mine, 5) == round(theirs, 5)


def test_mrc_as_r():
    # R "mutual_difference MRC": 8 rows, parts add up, M1 / M2 = mutual_total
    for first, second in ((R_DIFF_1, R_DIFF_2), (R_DIFF_1.T, R_DIFF_2.T)):
        d = mutual_information_difference(first, second, method="mrc")
        assert len(d.to_frame()) == 8 and d.additions == 0 and d.removals == 0
        parts = d.group_marginal + d.unit_marginal + d.structural
        assert parts == pytest.approx(d.difference, abs=1e-15)
        assert d.M_second == pytest.approx(mutual_total(second).M, rel=1e-14)
    # the unit part is the change of the units' entropy (Mora & Ruiz-Castillo 2009)
    d = mutual_information_difference(R_DIFF_1, R_DIFF_2, method="mrc")
    assert d.unit_marginal == pytest.approx(
        multigroup.diversity(R_DIFF_2.T) - multigroup.diversity(R_DIFF_1.T), rel=1e-14)


def test_methods_bootstrap_and_base_as_r():
    # R "mutual_difference SE" (km: 9 rows, mrc: 8) and "log base" (diff = M2 - M1)
    for method, rows in (("km", 9), ("mrc", 8)):
        boot = mutual_information_difference(R_DIFF_1, R_DIFF_2, method=method, se=True,
                                             replicates=5, seed=SEED)
        frame = boot.to_frame()
        assert len(frame) == rows and (frame.loc[frame.value > 0, "se"] > 0).all()
        two = mutual_information_difference(R_DIFF_1, R_DIFF_2, method=method, base=2)
        assert two.difference == pytest.approx(two.M_second - two.M_first, abs=1e-15)


def test_unknown_method():
    from mixing.errors import InputError

    with pytest.raises(InputError, match="unknown method 'X'"):
        mutual_information_difference(R_DIFF_1, R_DIFF_2, method="X")


@pytest.fixture(scope="module")
def race_by_school(schools00, schools05):
    """schools05 (first) and schools00 (second) as race x school tables, one column order."""
    both = pd.concat([schools05.assign(year=1), schools00.assign(year=2)])
    table = both.pivot_table(index="race", columns=["year", "school"], values="n",
                             aggfunc="sum", fill_value=0.0, observed=False)
    schools = sorted(set(schools00.school) | set(schools05.school))
    first = table[1].reindex(columns=schools, fill_value=0.0).to_numpy(float)
    second = table[2].reindex(columns=schools, fill_value=0.0).to_numpy(float)
    return first, second


def test_shapley_detailed_as_r(race_by_school, schools00, schools05):
    # R "mutual_difference shapley_detailed structural" (group = school, unit = race)
    first, second = race_by_school
    simple = mutual_information_difference(first, second)
    d = mutual_information_difference(first, second, method="shapley_detailed")
    for name in COMPONENTS:
        assert getattr(d, name) == pytest.approx(getattr(simple, name), abs=1e-5)
    assert len(d.detail) == 5 * 6  # races x (p1, p2, ls_diff1, ls_diff2, ls_diff_mean, total)
    wide = d.detail.pivot(index="unit", columns="stat", values="value")
    identity = (0.5 * wide.p1 * wide.ls_diff1 + 0.5 * wide.p2 * wide.ls_diff2).sum()
    assert identity == pytest.approx(wide.total.sum(), abs=1e-5)
    assert wide.total.sum() == pytest.approx(d.structural, abs=1e-14)
    # reversed: one row per school in both years (R: tolerance .001)
    r = mutual_information_difference(first.T, second.T, method="shapley_detailed")
    common = set(schools00.school) & set(schools05.school)
    assert len(r.detail) == len(common) * 6
    wide = r.detail.pivot(index="unit", columns="stat", values="value")
    identity = (0.5 * wide.p1 * wide.ls_diff1 + 0.5 * wide.p2 * wide.ls_diff2).sum()
    assert identity == pytest.approx(r.structural, abs=1e-3)


def test_shapley_detailed_marginal_as_r(race_by_school, schools00, schools05):
    first, second = race_by_school
    d = mutual_information_difference(first, second, method="shapley_detailed_marginal")
    assert len(d.detail) == 5 and d.detail.value.sum() == pytest.approx(d.unit_marginal,
                                                                        abs=1e-14)
    r = mutual_information_difference(first.T, second.T, method="shapley_detailed_marginal")
    assert len(r.detail) == len(set(schools00.school) & set(schools05.school))
    assert r.detail.value.sum() == pytest.approx(r.unit_marginal, abs=1e-14)


def test_no_common_support_is_an_error_as_r(schools00, schools05):
    # R "errors": schools00 white/black vs schools05 asian/hisp share no group
    from mixing.errors import InputError

    a = np.array([[10.0, 5, 0, 0], [3, 4, 0, 0]])
    b = np.array([[0.0, 0, 3, 4], [0, 0, 5, 6]])
    with pytest.raises(InputError, match="no unit and population group with residents"):
        mutual_information_difference(a, b)
    both = mutual_information_difference(np.vstack([a, a]), np.vstack([b, a]),
                                         groups=[1, 1, 2, 2])
    assert np.isnan(both.structural[0]) and both.structural[1] == 0.0
    assert np.isfinite(both.M_first).all()


def test_shapley_detailed_with_se_as_r():
    # R "mutual_difference shapley_detailed with SE": the detail rows get se, CI, bias too
    d = mutual_information_difference(R_DIFF_1.T, R_DIFF_2.T, method="shapley_detailed",
                                      se=True, replicates=10, seed=SEED)
    assert len(d.to_frame()) == 8 and len(d.detail) == 4 * 6
    assert list(d.detail.columns) == ["group", "unit", "stat", "value", "se", "bias",
                                      "ci_low", "ci_high"]
    plain = mutual_information_difference(R_DIFF_1.T, R_DIFF_2.T, method="shapley_detailed")
    np.testing.assert_allclose(d.detail.value, plain.detail.value - d.detail.bias, rtol=1e-12,
                               atol=1e-15)
    assert (d.detail.se > 0).all()
