"""Policy lab: conservation, known answers and properties on the synthetic demo city."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely
from conftest import SEED
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mixing.geometry.weights import build_weights
from mixing.io.demo import make_demo_city
from mixing.kernels.aspatial import dissimilarity
from mixing.scenarios import (
    SUMMARY_COLUMNS,
    Assumptions,
    add_social,
    allocation,
    differentiate,
    new_district,
    run_scenarios,
    scenario,
    spread,
    target,
    threshold_rule,
)
from mixing.scenarios.optimiser import index_value
from mixing.scenarios.state import fill_limited
from mixing.scenarios.tables import CHANGE_COUNTS
from mixing.schema import validate_units

COUNTS = [*CHANGE_COUNTS, "population"]
TOL = 1e-6


@pytest.fixture(scope="module")
def city():
    return make_demo_city()


def total(units, column):
    return float(units[column].sum())


def check_sane(before, after):
    """No count negative, shares in [0, 1], group <= total, schema still valid."""
    for column in COUNTS + [c for c in after.columns if c.startswith("households_")]:
        assert (after[column].fillna(0) >= -TOL).all(), column
    d = after["dwellings"].to_numpy()
    for column in ("dwellings_social", "dwellings_private_rent", "dwellings_owner_occupied"):
        assert (after[column].fillna(0).to_numpy() <= d + TOL).all(), column
    assert (after["households_low_income"] <= after["households"] + TOL).all()
    validate_units(after)


def test_differentiate_sale_conserves_dwellings_and_households(city):
    r = differentiate(city, threshold=0.7, target=0.5, method="sale")
    u = r.units
    check_sane(city, u)
    assert total(u, "dwellings") == pytest.approx(total(city, "dwellings"))
    assert total(u, "households") == pytest.approx(total(city, "households"))
    converted = total(city, "dwellings_social") - total(u, "dwellings_social")
    assert converted == pytest.approx(r.costs.dwellings_converted)
    assert total(u, "dwellings_owner_occupied") - total(
        city, "dwellings_owner_occupied"
    ) == pytest.approx(converted)
    share = u["dwellings_social"] / u["dwellings"]
    assert share.max() <= 0.7 + 1e-9
    assert r.costs.households_displaced == 0
    assert r.costs.years_needed >= r.costs.years_needed_mean > 0


def test_differentiate_demolish_promises(city):
    a = Assumptions()
    r = differentiate(
        city,
        method="demolish_rebuild",
        rebuild_ratio=0.8,
        rebuild_mix={"social": 0.2, "private_rent": 0.3, "owner_occupied": 0.5},
    )
    u, c = r.units, r.costs
    check_sane(city, u)
    assert total(u, "dwellings") == pytest.approx(
        total(city, "dwellings") - 0.2 * c.dwellings_demolished
    )
    new_households = (
        0.8
        * c.dwellings_demolished
        * (
            0.2 * a.occupancy_social
            + 0.3 * a.occupancy_private_rent
            + 0.5 * a.occupancy_owner_occupied
        )
    )
    assert total(u, "households") == pytest.approx(
        total(city, "households") - c.households_displaced + new_households
    )
    assert c.households_displaced == pytest.approx(a.occupancy_social * c.dwellings_demolished)
    assert 0 < c.low_income_displaced <= c.households_displaced
    assert c.households_rehoused + c.shortfall == pytest.approx(c.households_displaced)
    # the buurten restructured end at the target share
    changed = (city["dwellings_social"] - u["dwellings_social"]).abs() > 1e-9
    share = u.loc[changed, "dwellings_social"] / u.loc[changed, "dwellings"]
    assert np.allclose(share, 0.5)


def test_differentiate_threshold_one_changes_nothing(city):
    for method in ("sale", "demolish_rebuild"):
        r = differentiate(city, threshold=1.0, target=0.5, method=method)
        for column in COUNTS:
            np.testing.assert_allclose(r.units[column], city[column])
        assert r.costs.units_changed == 0


def test_spread_keeps_social_stock_and_caps(city):
    r = spread(city, cap=0.5, capacity=0.1)
    u = r.units
    check_sane(city, u)
    assert total(u, "dwellings_social") == pytest.approx(total(city, "dwellings_social"))
    assert total(u, "dwellings") == pytest.approx(
        total(city, "dwellings") + r.costs.dwellings_built
    )
    assert r.costs.dwellings_built == pytest.approx(r.costs.dwellings_converted)
    assert dissimilarity(u["dwellings_social"], u["dwellings"]) < dissimilarity(
        city["dwellings_social"], city["dwellings"]
    )


def test_spread_at_municipal_share_gives_d_near_zero(city):
    P = total(city, "dwellings_social") / total(city, "dwellings")
    r = spread(city, cap=P, capacity=10.0)
    D = dissimilarity(r.units["dwellings_social"], r.units["dwellings"])
    # receivers rise to P while P itself falls a little with the new stock: D ~ 0.05
    assert D < 0.06
    assert r.costs.shortfall == pytest.approx(0.0, abs=1e-6)


def test_spread_shortfall_is_reported_not_lost(city):
    r = spread(city, cap=0.1, capacity=0.01)
    assert r.costs.shortfall > 0 and "capacity too small" in r.costs.notes[0]
    assert total(r.units, "dwellings_social") == pytest.approx(total(city, "dwellings_social"))
    assert r.costs.dwellings_converted + r.costs.shortfall == pytest.approx(
        float(np.clip(city["dwellings_social"] - 0.1 * city["dwellings"], 0, None).sum())
    )


def test_add_social_builds_in_lowest_share_first(city):
    r = add_social(city, n=500, capacity=0.1)
    u = r.units
    check_sane(city, u)
    assert total(u, "dwellings_social") == pytest.approx(total(city, "dwellings_social") + 500)
    assert total(u, "dwellings") == pytest.approx(total(city, "dwellings") + 500)
    added = (u["dwellings_social"] - city["dwellings_social"]).to_numpy()
    assert (added <= 0.1 * city["dwellings"].to_numpy() + 1e-9).all()
    share = (city["dwellings_social"] / city["dwellings"]).to_numpy()
    assert (
        share[added > 0].max() <= np.nanmin(share[(added == 0) & (city["dwellings"] > 0)]) + 1e-12
    )


def test_add_social_too_big_reports_shortfall(city):
    r = add_social(city, n=1e6, capacity=0.01)
    assert r.costs.shortfall == pytest.approx(1e6 - r.costs.dwellings_built)
    assert r.costs.dwellings_built == pytest.approx(
        0.01 * total(city[city.dwellings > 0], "dwellings")
    )


def test_allocation_moves_income_not_tenure(city):
    r = allocation(city, years=10, share=0.2, concentration_threshold=0.5)
    u = r.units
    check_sane(city, u)
    for column in ("dwellings", "dwellings_social", "households"):
        np.testing.assert_allclose(u[column], city[column])
    assert total(u, "households_low_income") == pytest.approx(total(city, "households_low_income"))
    share = (city["dwellings_social"] / city["dwellings"]).to_numpy()
    delta = (u["households_low_income"] - city["households_low_income"]).to_numpy()
    assert (delta[share >= 0.5] <= 1e-9).all() and (delta[share < 0.5] >= -1e-9).all()
    assert r.costs.households_rehoused == pytest.approx(delta[delta > 0].sum())


def test_new_district_adds_a_contiguous_unit(city):
    r = new_district(city, dwellings=2750, social_share=0.35, private_rent_share=0.3)
    u = r.units
    assert len(u) == len(city) + 1
    check_sane(city, u)
    new = u.iloc[-1]
    assert new["dwellings"] == 2750 and new["dwellings_social"] == pytest.approx(962.5)
    assert total(u, "households") == pytest.approx(
        total(city, "households") + 2750 * (0.35 * 0.97 + 0.3 * 0.95 + 0.35 * 0.97)
    )
    w = build_weights(u.geometry, kind="queen", ids=u["unit_code"].to_numpy())
    assert w.cardinalities[-1] >= 1 and r.extra["new_unit_code"] not in w.islands_joined
    old = u.geometry.iloc[:-1]
    assert shapely.area(shapely.intersection(new.geometry, old.to_numpy())).max() < 1.0  # m2
    np.testing.assert_allclose(new.geometry.area, 2750 / 100 * 1e4, rtol=0.3)


def test_new_district_near_named_buurt(city):
    code = city["unit_code"].iloc[10]
    r = new_district(city, dwellings=1000, near=[code])
    geom = r.units.geometry.iloc[-1]
    assert shapely.intersects(geom, r.units.geometry.iloc[10])
    w = build_weights(r.units.geometry, kind="queen", ids=r.units["unit_code"].to_numpy())
    assert 10 in w.binary[[len(r.units) - 1]].indices


def test_target_budget_zero_changes_nothing(city):
    r = target(city, budget=0)
    for column in COUNTS:
        np.testing.assert_allclose(r.units[column], city[column])


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"index": "isolation"},
        {"dimension": "low_income", "index": "isolation"},
        {"method": "demolish_rebuild"},
        {"budget": 3000, "step": 50},
        {"budget": 500, "budget_unit": "households_displaced", "method": "demolish_rebuild"},
    ],
)
def test_target_never_worse_than_threshold_rule(city, kwargs):
    r = target(city, **kwargs)
    dim, index = kwargs.get("dimension", "social_housing"), kwargs.get("index", "dissimilarity")
    base = index_value(city, dim, index)
    assert r.extra["optimiser_value"] <= r.extra["threshold_rule_value"] + 1e-9
    assert r.extra["optimiser_value"] < base
    check_sane(city, r.units)
    budget = kwargs.get("budget", 1000)
    if kwargs.get("budget_unit") == "households_displaced":
        assert r.costs.households_displaced <= budget + 1e-6
    else:
        used = r.costs.dwellings_converted + r.costs.dwellings_demolished
        assert used == pytest.approx(r.extra["budget_used"]) and used <= budget + 1e-9


def test_threshold_rule_uses_the_budget(city):
    r = threshold_rule(city, budget=1234)
    assert r.costs.dwellings_converted == pytest.approx(1234, rel=1e-6)


def test_fill_limited_water_filling():
    out = fill_limited(10.0, np.array([1.0, 1.0, 2.0, 0.0]), np.array([1.0, 10.0, 10.0, 5.0]))
    np.testing.assert_allclose(out, [1.0, 3.0, 6.0, 0.0])
    assert fill_limited(100.0, np.ones(3), np.ones(3)).sum() == pytest.approx(3.0)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    kind=st.sampled_from(["sale", "demolish", "spread", "add", "allocation"]),
    threshold=st.floats(0.05, 1.0),
    target_share=st.floats(0.0, 1.0),
    capacity=st.floats(0.0, 2.0),
    n=st.floats(0, 20000),
    years=st.floats(0.5, 40),
    share=st.floats(0, 1),
    ratio=st.floats(0, 2),
    mix_social=st.floats(0, 1),
)
def test_conservation_properties(
    city, kind, threshold, target_share, capacity, n, years, share, ratio, mix_social
):
    target_share = min(target_share, threshold) * 0.999
    d0, h0, s0 = (total(city, c) for c in ("dwellings", "households", "dwellings_social"))
    l0 = total(city, "households_low_income")
    if kind == "sale":
        r = differentiate(city, threshold=threshold, target=target_share)
        promise = (d0, h0, s0 - r.costs.dwellings_converted)
    elif kind == "demolish":
        mix = {
            "social": mix_social * target_share,
            "private_rent": 0.0,
            "owner_occupied": 1 - mix_social * target_share,
        }
        r = differentiate(
            city,
            threshold=threshold,
            target=target_share,
            method="demolish_rebuild",
            rebuild_ratio=ratio,
            rebuild_mix=mix,
        )
        c = r.costs
        new_h = (
            ratio * c.dwellings_demolished * (mix["social"] * 0.97 + mix["owner_occupied"] * 0.97)
        )
        promise = (
            d0 + (ratio - 1) * c.dwellings_demolished,
            h0 - c.households_displaced + new_h,
            s0 - c.dwellings_demolished + ratio * mix["social"] * c.dwellings_demolished,
        )
    elif kind == "spread":
        r = spread(city, cap=threshold, capacity=capacity)
        promise = (d0 + r.costs.dwellings_built, h0 + 0.97 * r.costs.dwellings_built, s0)
    elif kind == "add":
        r = add_social(city, n=n, capacity=capacity)
        assert r.costs.dwellings_built + r.costs.shortfall == pytest.approx(n)
        promise = (
            d0 + r.costs.dwellings_built,
            h0 + 0.97 * r.costs.dwellings_built,
            s0 + r.costs.dwellings_built,
        )
    else:
        r = allocation(city, years=years, share=share, concentration_threshold=threshold)
        promise = (d0, h0, s0)
        assert total(r.units, "households_low_income") == pytest.approx(l0)
    u = r.units
    got = (total(u, "dwellings"), total(u, "households"), total(u, "dwellings_social"))
    # atol: write_state snaps |count| < 1e-6 per unit to 0
    np.testing.assert_allclose(got, promise, rtol=1e-9, atol=1e-3)
    check_sane(city, u)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = u["dwellings_social"] / u["dwellings"]
    assert ((shares.dropna() >= -1e-12) & (shares.dropna() <= 1 + 1e-12)).all()


def test_run_scenarios_table(city):
    scenarios = {
        "s": scenario("s", "spread", cap=0.5),
        "d": scenario("d", "differentiate", method="demolish_rebuild"),
        "t": scenario("t", "target", budget=200),
        "n": scenario("n", "new_district", dwellings=1000),
    }
    summary, after = run_scenarios(
        city,
        scenarios,
        seed=SEED,
        dimensions=("social_housing", "low_income"),
        indices=("dissimilarity", "isolation"),
        permutations=19,
    )
    assert list(summary.columns) == SUMMARY_COLUMNS
    assert len(summary) == 4 * 2 * 2
    assert set(after) == set(scenarios)
    np.testing.assert_allclose(summary["change"], summary["scenario_value"] - summary["baseline"])
    assert (summary["model"].str.contains("not a behavioural forecast")).all()
    assert summary.attrs["model"].startswith("accounting model")
    row = summary[
        (summary.scenario == "d")
        & (summary.dimension == "social_housing")
        & (summary["index"] == "dissimilarity")
    ].iloc[0]
    assert row.households_displaced > 0
    assert row.change_per_100_households_moved == pytest.approx(
        100 * row.change / row.households_displaced
    )
    assert row.dwellings_changed == pytest.approx(row.dwellings_demolished + row.dwellings_built)
    assert row.change_per_1000_dwellings_changed == pytest.approx(
        1000 * row.change / row.dwellings_changed)
    # demolition takes social homes from low-income applicants just as a sale does
    assert row.social_dwellings_lost > 0
    assert row.social_dwellings_lost >= row.social_stock_before - row.social_stock_after - 1e-6
    assert row.duration_basis == "building" and row.title_nl.startswith("Sloop en nieuwbouw")
    trow = summary[
        (summary.scenario == "t")
        & (summary.dimension == "social_housing")
        & (summary["index"] == "dissimilarity")
    ].iloc[0]
    assert trow.scenario_value <= trow.threshold_rule_value + 1e-9
    assert trow.threshold_rule_change == pytest.approx(trow.threshold_rule_value - trow.baseline)
    assert 0 < trow.threshold_rule_level < 1
    # the optimiser's sale takes years at the turnover pace, like every sale
    assert trow.duration_basis == "turnover" and trow.years_needed > 0
    ranks = summary[(summary.dimension == "social_housing")
                    & (summary["index"] == "dissimilarity")].set_index("scenario")
    assert ranks["rank"].min() == 1
    assert ranks["change"].idxmin() in ranks.index[ranks["rank"] == 1]
    assert summary["moran_i_before"].notna().all() and summary["moran_i_after"].notna().all()
    assert summary["p_value_change"].between(0, 1).all()
    assert summary["hh_clusters_before"].notna().all()
    assert (summary["assumption_low_income_new_social"] == 0.5).all()
    assert (summary["units_above_50_after"] <= summary["units_above_50_before"]).any()


def test_run_scenarios_rejects_two_municipalities(city):
    two = city.copy()
    two.loc[two.index[:5], "municipality_code"] = "GM0001"
    with pytest.raises(ValueError, match="one municipality"):
        run_scenarios(two, {"s": scenario("s", "spread")}, seed=SEED)


def test_concentration_thresholds_come_from_the_caller(city):
    summary, _ = run_scenarios(city, {"s": scenario("s", "spread", cap=0.5)}, seed=SEED,
                               dimensions=("social_housing",), indices=("dissimilarity",),
                               permutations=0, p_values=False, thresholds=(0.4, 0.6))
    from mixing.scenarios import summary_columns

    assert list(summary.columns) == summary_columns((0.4, 0.6))
    share = (city["dwellings_social"] / city["dwellings"]).to_numpy()
    assert summary["units_above_40_before"].iat[0] == int((share > 0.4).sum())
    assert summary["units_above_60_before"].iat[0] == int((share > 0.6).sum())
    assert "units_above_50_before" not in summary


def test_the_analysis_level_is_decided_in_one_place():
    """schema.analysis_level is the one rule (the finest level); no module decides it by
    another rule (the first row's level, or buurt-else-first)."""
    import re

    import pandas as pd

    from mixing.errors import InputError
    from mixing.schema import analysis_level, shared_level

    def levels(*names):
        return pd.DataFrame({"level": list(names)})

    assert analysis_level(levels("wijk", "buurt", "gemeente")) == "buurt"
    assert analysis_level(levels("gemeente", "pc4")) == "pc4"
    assert analysis_level(levels("wijk")) == "wijk"
    assert shared_level(levels("pc4", "buurt", "wijk")) == "buurt"
    assert shared_level(levels("gemeente", "pc4")) == "pc4"
    with pytest.raises(InputError, match="level"):
        analysis_level(levels())
    root = Path(__file__).resolve().parents[1]
    other_rules = re.compile(r'\["level"\]\.(iloc|iat)\[0\]\]|"buurt" if \(units\["level"\]')
    offenders = [str(p.relative_to(root)) for folder in ("src", "workflow")
                 for p in (root / folder).rglob("*.py")
                 if other_rules.search(p.read_text(encoding="utf-8"))]
    assert offenders == []
