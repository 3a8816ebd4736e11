"""The ``target`` scenario: spend a conversion budget where it lowers an index most.

Greedy, in blocks of ``step`` dwellings. In every step the marginal effect of one block in
EVERY candidate buurt is evaluated in ONE kernel call: the (candidates x units) counts are
flattened with group id = candidate, so candidate ``c`` is the municipality with only buurt
``c`` changed (:mod:`mixing.kernels.aspatial` computes every group in one vectorised pass). The
result is compared with the threshold rule of
:func:`~mixing.scenarios.transforms.differentiate` at the same budget.

Like the rest of the lab this is an accounting model: it says where a given number of
conversions changes the index most, not what would happen to the people.
"""

from __future__ import annotations

import math

import numpy as np

from mixing.checks import quiet
from mixing.dimensions import DIMENSIONS
from mixing.docstrings import shared_parameters
from mixing.errors import InputError
from mixing.kernels import aspatial as kernels
from mixing.limits import MAX_OPTIMISER_STEPS
from mixing.scenarios.assumptions import REBUILD_MIX, TENURES, Assumptions
from mixing.scenarios.state import S, State, split_state, write_state
from mixing.scenarios.transforms import (
    ScenarioCosts,
    ScenarioResult,
    convert_social,
    demolish_rebuild,
    years_at_turnover,
)

__all__ = ["target", "threshold_rule", "index_value", "TARGET_DIMENSIONS", "TARGET_INDICES"]

#: The dimensions the optimiser can target: those the accounting state tracks.
TARGET_DIMENSIONS = ("social_housing", "low_income")
#: The indices it can lower: deterministic aspatial indices where higher is more segregated.
TARGET_INDICES = ("dissimilarity", "isolation", "gini", "entropy", "correlation_ratio",
                  "atkinson")


def index_value(units, dimension: str = "social_housing", index: str = "dissimilarity") -> float:
    """One index of one dimension for one municipality's units table."""
    dim = DIMENSIONS[dimension]
    group, total = dim.group, dim.total
    return float(
        getattr(kernels, index)(
            units[group].to_numpy(dtype="float64"), units[total].to_numpy(dtype="float64")
        )
    )


def _per_dwelling(state: State, dimension, method, convert_to, r, mix, a):
    """Change of (group, total) per converted social dwelling, per buurt (constant rates)."""
    d_s = state.D[:, S]
    with quiet():
        h = np.where(d_s > 0, state.H[:, S] / d_s, 0.0)
        l_per = np.where(d_s > 0, state.L[:, S] / d_s, 0.0)
        l_share = np.where(state.H[:, S] > 0, state.L[:, S] / state.H[:, S], 0.0)
    if method == "sale":
        if dimension == "social_housing":
            return -np.ones_like(d_s), np.zeros_like(d_s)
        return -l_per + h * a.low_income_new(convert_to), np.zeros_like(d_s)
    if dimension == "social_housing":
        return np.full_like(d_s, -1.0 + r * mix.get("social", 0.0)), np.full_like(d_s, r - 1.0)
    occ = a.occupancy_social
    new_h = r * sum(mix.get(t, 0.0) * a.occupancy(t) for t in TENURES[:3])
    new_l = r * sum(mix.get(t, 0.0) * a.occupancy(t) * a.low_income_new(t) for t in TENURES[:3])
    return -occ * l_share + new_l, np.full_like(d_s, new_h - occ)


def _apply(units, before, x, method, convert_to, r, mix, a, rehouse=True):
    if method == "sale":  # sold as tenants leave: the same years rule as differentiate
        after = convert_social(before, x, convert_to, a)
        years = years_at_turnover(x, before.D[:, S], a.turnover_social)
        costs = ScenarioCosts(dwellings_converted=float(x.sum()), years_needed=years[0],
                              years_needed_mean=years[1], units_changed=int((x > 0).sum()))
    else:
        after, costs = demolish_rebuild(
            before, x, rebuild_ratio=r, rebuild_mix=mix, rehouse=rehouse, assumptions=a
        )
    return write_state(units, before, after), costs


def _dwelling_budget(budget, budget_unit, a):
    return (
        float(budget) / a.occupancy_social
        if budget_unit == "households_displaced"
        else float(budget)
    )


def _level(before: State, B: float, method: str, r: float, mix) -> tuple[float, np.ndarray]:
    """The threshold rule for a budget of ``B`` dwellings: its level and the conversions."""
    m_s = float(mix.get("social", 0.0))
    ok = before.tenure_known & (before.D[:, :3].sum(axis=1) > 0)
    D_all = before.D.sum(axis=1)

    def amounts(lam):
        denom = 1.0 - lam + r * (lam - m_s) if method != "sale" else 1.0
        x = np.where(ok, np.maximum(before.D[:, S] - lam * D_all, 0.0), 0.0) / max(denom, 1e-12)
        return np.minimum(x, before.D[:, S])

    lo, hi = 0.0, 1.0
    if amounts(0.0).sum() <= B:
        hi = 0.0
    else:
        for _ in range(60):
            mid = 0.5 * (lo + hi)
            lo, hi = (mid, hi) if amounts(mid).sum() > B else (lo, mid)
    return hi, amounts(hi)


@shared_parameters
def threshold_rule(units, *, budget=1000, budget_unit="dwellings", method="sale",
                   convert_to="owner_occupied", rebuild_ratio=1.0, rebuild_mix=None,
                   assumptions=None) -> ScenarioResult:
    r"""The threshold rule at a given budget: bring the highest social shares down to one level.

    Parameters
    ----------
    {SCENARIO_UNITS}
    budget, budget_unit, method, convert_to, rebuild_ratio, rebuild_mix, assumptions
        As in :func:`target`.

    Returns
    -------
    ScenarioResult
        ``extra["threshold_rule_level"]`` is the level :math:`\lambda`.

    Notes
    -----
    The level :math:`\lambda` is found by bisection so that converting every buurt above it
    down to it uses exactly the budget (``differentiate(threshold=λ, target=λ)``). It is
    the baseline :func:`target` compares its greedy path with.
    """
    a = assumptions or Assumptions()
    mix = dict(rebuild_mix or REBUILD_MIX)
    r = float(rebuild_ratio)
    before = split_state(units, a)
    level, x = _level(before, _dwelling_budget(budget, budget_unit, a), method, r, mix)
    table, costs = _apply(units, before, x, method, convert_to, r, mix, a)
    return ScenarioResult(table, costs, {"threshold_rule_level": level})


@shared_parameters
def target(units, *, budget=1000, budget_unit="dwellings", method="sale",
           convert_to="owner_occupied", rebuild_ratio=1.0, rebuild_mix=None,
           dimension="social_housing", index="dissimilarity", step=None,
           assumptions=None) -> ScenarioResult:
    r"""Choose the buurten where converting social dwellings lowers ``index`` the most.

    Parameters
    ----------
    {SCENARIO_UNITS}
    budget : float
        Social dwellings to convert, or households that may be displaced
        (``budget_unit="households_displaced"``, with ``method="demolish_rebuild"``;
        one demolished dwelling displaces ``occupancy_social`` households).
    method : {"sale", "demolish_rebuild"}
        As in :func:`~mixing.scenarios.transforms.differentiate`.
    convert_to, rebuild_ratio, rebuild_mix
        As in :func:`~mixing.scenarios.transforms.differentiate`.
    dimension : {"social_housing", "low_income"}
    index : str
        A two-group kernel of :mod:`mixing.kernels.aspatial` (lower = more mixed).
    step : float, optional
        Dwellings per greedy step; default ``ceil(budget / 100)`` (at most ~100 kernel
        calls).
    assumptions : Assumptions, optional

    Returns
    -------
    ScenarioResult
        ``extra`` holds ``optimiser_value``, ``threshold_rule_value`` (the index after the
        threshold rule at the same budget), ``threshold_rule_level``, ``budget_used`` and
        ``optimiser_steps``; the table has ``scenario_converted`` per buurt.

    Notes
    -----
    Per converted dwelling the counts of buurt :math:`c` change by constant rates
    (:math:`\Delta x_c, \Delta t_c`, from the split assumptions), so the state after
    :math:`k_c` conversions is :math:`x + k \Delta x`. Each step evaluates, for every
    candidate :math:`c` at once, the index with :math:`k_c` raised by one block, picks
    the lowest (ties: the buurt with the highest social share, which makes the greedy path
    follow the threshold rule where the index cannot tell buurten apart, as D cannot among
    buurten above the municipal share), and stops early when no block lowers the index
    (the unused budget is reported). For ``low_income`` with demolition the optimiser's
    objective ignores where the displaced are rehoused; the reported value uses the full
    transform. Greedy is not guaranteed optimal; the result is compared with the
    threshold rule and, if that is better (it never was on the test cities), the threshold
    rule's allocation is returned with a note.
    """
    a = assumptions or Assumptions()
    mix = dict(rebuild_mix or REBUILD_MIX)
    r = float(rebuild_ratio)
    kernel = getattr(kernels, index)
    before = split_state(units, a)
    group_col, total_col = DIMENSIONS[dimension].group, DIMENSIONS[dimension].total
    g0 = units[group_col].to_numpy(dtype="float64")
    t0 = units[total_col].to_numpy(dtype="float64")
    dg, dt = _per_dwelling(before, dimension, method, convert_to, r, mix, a)
    if dimension == "low_income":
        ok_income = np.isfinite(g0) & np.isfinite(t0)
        dg, dt = np.where(ok_income, dg, 0.0), np.where(ok_income, dt, 0.0)
    x_max = np.where(before.tenure_known & (before.D[:, :3].sum(axis=1) > 0), before.D[:, S], 0.0)
    if method != "sale":
        x_max = np.minimum(
            x_max, np.where(a.occupancy_social > 0, before.H[:, S] / a.occupancy_social, x_max)
        )
    B = min(_dwelling_budget(budget, budget_unit, a), float(x_max.sum()))
    step = float(step) if step else max(1.0, math.ceil(B / 100.0))
    if B / step > MAX_OPTIMISER_STEPS:
        raise InputError(
            f"argument `step` ({step:g} dwellings) would take {math.ceil(B / step)} greedy "
            f"steps for a budget of {B:g} dwellings; at most {MAX_OPTIMISER_STEPS} are run "
            "(mixing.limits.MAX_OPTIMISER_STEPS)",
            fix=f"step={math.ceil(B / MAX_OPTIMISER_STEPS)} or more, or leave it out")
    with quiet():
        share = (
            np.where(t0 > 0, g0 / t0, 0.0)
            if dimension == "social_housing"
            else np.where(before.D.sum(axis=1) > 0, before.D[:, S] / before.D.sum(axis=1), 0.0)
        )

    n = len(g0)
    x = np.zeros(n)
    current = float(kernel(g0, t0))
    used, steps = 0.0, 0
    while B - used > 1e-9:
        room = x_max - x
        cand = np.flatnonzero(room > 1e-9)
        if cand.size == 0:
            break
        amount = np.minimum(min(step, B - used), room[cand])
        C = cand.size
        g = np.broadcast_to(g0 + x * dg, (C, n)).copy()
        t = np.broadcast_to(t0 + x * dt, (C, n)).copy()
        rows = np.arange(C)
        g[rows, cand] += amount * dg[cand]
        t[rows, cand] += amount * dt[cand]
        np.clip(g, 0.0, None, out=g)
        np.minimum(g, np.maximum(t, 0.0), out=g)
        values = kernel(g.ravel(), np.maximum(t, 0.0).ravel(), groups=np.repeat(rows, n))
        values = np.where(np.isnan(values), np.inf, values)
        best = values.min()
        if not np.isfinite(best) or best >= current - 1e-12 * max(1.0, abs(current)):
            break
        ties = np.flatnonzero(values <= best + 1e-12 * max(1.0, abs(best)))
        pick = ties[np.argmax(share[cand[ties]])]
        x[cand[pick]] += amount[pick]
        used += float(amount[pick])
        current = float(best)
        steps += 1

    table, costs = _apply(units, before, x, method, convert_to, r, mix, a)
    value = index_value(table, dimension, index)
    level, x_rule = _level(before, used, method, r, mix)
    rule_table, rule_costs = _apply(units, before, x_rule, method, convert_to, r, mix, a)
    rule_value = index_value(rule_table, dimension, index)
    notes = list(costs.notes)
    if used < B - 1e-9:
        notes.append(f"stopped after {used:.0f} of {B:.0f} dwellings: no block lowered the index")
    if rule_value < value - 1e-9 * max(1.0, abs(value)):
        notes.append("the threshold rule beat the greedy path; its allocation is returned")
        table, costs, value = rule_table, rule_costs, rule_value
        x = before.D[:, S] - split_state(table, a).D[:, S]
    table = table.assign(scenario_converted=x)
    costs = ScenarioCosts(
        **{**costs.__dict__, "notes": tuple(notes), "dwellings_not_placed": max(B - used, 0.0)}
    )
    extra = {
        "optimiser_value": value,
        "threshold_rule_value": rule_value,
        "threshold_rule_level": level,
        "budget_used": used,
        "optimiser_steps": steps,
    }
    return ScenarioResult(table, costs, extra)
