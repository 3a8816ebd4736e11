"""Run scenarios on a municipality and tabulate before / after, costs and assumptions.

:func:`run_scenarios` is what the workflow calls: one summary row per scenario x
dimension x index, with the costs and side effects the experts ask for ("show who had to
move, and whether the low-income households' own exposure changed") and every
assumption as a column. The lab is an accounting model, not a behavioural forecast; the
``model`` column and ``table.attrs["model"]`` say so.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from mixing.checks import integer, quiet
from mixing.dimensions import DIMENSIONS
from mixing.errors import InputError
from mixing.geometry.weights import build_weights, subset
from mixing.kernels import aspatial as kernels
from mixing.kernels import autocorr
from mixing.kernels.inference import two_value_test
from mixing.scenarios import district, optimiser, transforms
from mixing.scenarios.assumptions import ASSUMPTION_COLUMNS, MODEL_NOTE
from mixing.scenarios.spec import Scenario
from mixing.scenarios.state import social_share
from mixing.scenarios.transforms import ScenarioCosts, ScenarioResult
from mixing.tables.frames import index_table

__all__ = [
    "TRANSFORMS",
    "apply_scenario",
    "run_scenarios",
    "unit_changes",
    "SUMMARY_COLUMNS",
    "COST_COLUMNS",
    "CHANGE_COUNTS",
]

#: Scenario type -> transform (``combine`` is handled by :func:`apply_scenario`).
TRANSFORMS = {
    "differentiate": transforms.differentiate,
    "spread": transforms.spread,
    "add_social": transforms.add_social,
    "allocation": transforms.allocation,
    "new_district": district.new_district,
    "target": optimiser.target,
}

COST_COLUMNS = [
    "dwellings_converted",
    "dwellings_demolished",
    "dwellings_built",
    "households_displaced",
    "households_rehoused",
    "low_income_displaced",
    "years_needed",
    "years_needed_mean",
    "shortfall",
    "units_changed",
]
SUMMARY_COLUMNS = (
    [
        "municipality_code",
        "year",
        "level",
        "scenario",
        "type",
        "dimension",
        "index",
        "baseline",
        "baseline_ci_low",
        "baseline_ci_high",
        "scenario_value",
        "scenario_ci_low",
        "scenario_ci_high",
        "change",
        "p_value_change",
    ]
    + COST_COLUMNS
    + [
        "units_above_50_before",
        "units_above_50_after",
        "units_above_70_before",
        "units_above_70_after",
        "low_income_isolation_before",
        "low_income_isolation_after",
        "moran_i_before",
        "moran_i_after",
        "hh_clusters_before",
        "hh_clusters_after",
        "efficiency_per_displaced_household",
        "efficiency_per_converted_dwelling",
        "threshold_rule_value",
        "model",
    ]
    + list(ASSUMPTION_COLUMNS)
    + ["notes"]
)


def apply_scenario(
    units: gpd.GeoDataFrame, scenario: Scenario, scenarios: Mapping[str, Scenario] | None = None
) -> ScenarioResult:
    """Apply one scenario (``combine``: its steps in sequence) to one municipality.

    Errors raised by a transform are re-raised with the scenario's name in front.
    """
    try:
        if scenario.type == "combine":
            table, costs, extra = units, ScenarioCosts(), {}
            for step in scenario.params["steps"]:
                if scenarios is None or step not in scenarios:
                    raise InputError(f"step {step!r} is not a scenario")
                result = apply_scenario(table, scenarios[step], scenarios)
                table, costs = result.units, costs.plus(result.costs)
                extra.update(result.extra)
            return ScenarioResult(table, costs, extra)
        transform = TRANSFORMS[scenario.type]
        return transform(units, assumptions=scenario.assumptions, **scenario.kwargs())
    except InputError as exc:
        if f"scenario {scenario.name!r}" in str(exc):
            raise
        raise InputError(f"scenario {scenario.name!r}: {exc}") from exc


def _clean(value):
    """Round float noise of the water filling (|x| < 1e-6) to 0."""
    return 0.0 if isinstance(value, float) and abs(value) < 1e-6 else value


def _above(units, level: float) -> int:
    share = social_share(units)
    return int(np.sum(np.nan_to_num(share, nan=-1.0) > level))


def _low_income_isolation(units) -> float:
    return float(
        kernels.isolation(
            units["households_low_income"].to_numpy(dtype="float64"),
            units["households"].to_numpy(dtype="float64"),
        )
    )


def _aligned(weights, units):
    """Saved weights (``weights.npz``) in the row order of ``units``; None if they differ."""
    import dataclasses

    from scipy import sparse

    if weights is None:
        return None
    order = pd.Index(np.asarray(weights.ids)).get_indexer(units["unit_code"].to_numpy())
    if len(order) != weights.n or (order < 0).any():
        return None

    def take(m):
        return sparse.csr_array(m)[order][:, order]

    def rows(a):
        return None if a is None else np.asarray(a)[order]

    return dataclasses.replace(weights, W=take(weights.W), binary=take(weights.binary),
                               ids=rows(weights.ids), groups=rows(weights.groups),
                               centroids=rows(weights.centroids))


def _spatial(units, dimensions, permutations, seed, kind,
             saved=None) -> dict[str, tuple[float, float]]:
    """Moran's I and the number of significant HH clusters (FDR) per dimension's share.

    NaN when a unit has no geometry (no contiguity to build).
    """
    out = {d: (np.nan, np.nan) for d in dimensions}
    if units.geometry.isna().any() or units.geometry.is_empty.any():
        return out
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = _aligned(saved, units)
        if w is None:
            w = build_weights(units.geometry, kind=kind, ids=units["unit_code"].to_numpy())
        for name in dimensions:
            dim = DIMENSIONS[name]
            g = units[dim.group].to_numpy(dtype="float64")
            t = units[dim.total].to_numpy(dtype="float64")
            keep = np.isfinite(g) & np.isfinite(t) & (t > 0)
            if keep.sum() < 4:
                continue
            y = g[keep] / t[keep]
            if np.ptp(y) == 0:  # one share everywhere (a few PC4s): no pattern to test
                continue
            wk = w if keep.all() else subset(w, keep)
            I = float(autocorr.moran(y, wk, permutations=0).I)  # noqa: E741
            hh = np.nan
            if permutations:
                lisa = autocorr.local_moran(y, wk, permutations=permutations, seed=seed,
                                            alternative="directed")
                hh = float(np.sum(lisa.clusters == "HH"))
            out[name] = (I, hh)
    return out


def _p_value_change(before, after, dim, index, seed, permutations):
    """Two-sided p-value of the change, from :func:`mixing.kernels.inference.two_value_test`.

    ``paired_swap`` null (each buurt's baseline and scenario rows swap with probability
    1/2): is the change larger than exchanging buurten between the two states would give
    by chance? The scenario itself is deterministic, so read it as a signal-to-noise
    measure of the change, not as sampling uncertainty. Units the scenario adds (a new
    district) are empty rows in the baseline. NaN when ``permutations`` is 0.
    """
    if not permutations:
        return np.nan
    d = DIMENSIONS[dim]
    n = len(after)

    def pair(frame):
        g = np.zeros(n)
        t = np.zeros(n)
        g[: len(frame)] = frame[d.group].to_numpy(dtype="float64")
        t[: len(frame)] = frame[d.total].to_numpy(dtype="float64")
        return g, t

    result = two_value_test(
        index, pair(after), pair(before), null="paired_swap", permutations=permutations, seed=seed
    )
    return float(result.p_value)


def run_scenarios(
    units: gpd.GeoDataFrame,
    scenarios: Mapping[str, Scenario],
    *,
    seed: int,
    dimensions: Sequence[str] | None = None,
    indices: Sequence[str] = ("dissimilarity", "isolation"),
    spatial: bool = True,
    permutations: int = 199,
    weights_kind: str = "queen",
    p_values: bool = True,
    weights=None,
) -> tuple[pd.DataFrame, dict[str, gpd.GeoDataFrame]]:
    """Apply every scenario to one municipality and tabulate the effects.

    Parameters
    ----------
    units : GeoDataFrame
        Canonical units table of ONE municipality at buurt level.
    scenarios : mapping
        ``{name: Scenario}`` from :func:`~mixing.scenarios.spec.load_scenarios`.
    seed : int
        Seed for the permutation inference (LISA clusters, p-values).
    dimensions : sequence of str, optional
        Names from :data:`mixing.dimensions.DIMENSIONS`; default every dimension with data.
    indices : sequence of str
        Two-group kernels of :mod:`mixing.kernels.aspatial`.
    spatial : bool
        Compute ``moran_i_*`` and ``hh_clusters_*`` (queen weights, Moran's I of the
        dimension's share; HH = significant high-high LISA clusters after FDR, with
        ``permutations``). False leaves them NaN.
    permutations : int
    weights_kind : str
        Passed to :func:`mixing.geometry.weights.build_weights`.
    weights : SpatialWeights, optional
        The baseline's weights (e.g. the workflow's ``weights.npz``), used instead of
        building them again when they cover exactly the units; scenarios that add units
        build their own.
    p_values : bool
        Fill ``p_value_change`` with :func:`mixing.kernels.inference.two_value_test` (paired-swap
        null, ``permutations`` draws; see :func:`_p_value_change`).

    Returns
    -------
    summary : DataFrame
        :data:`SUMMARY_COLUMNS`: one row per scenario x dimension x index; cost columns
        repeat per scenario. ``baseline_ci_*`` / ``scenario_ci_*``: 95 % percentile
        bootstrap interval of the index before / after (from
        :func:`~mixing.tables.frames.index_table`, NaN for indices without inference).
        ``efficiency_per_displaced_household`` = change /
        households_displaced and ``efficiency_per_converted_dwelling`` = change /
        (dwellings_converted + dwellings_demolished), NaN when the denominator is 0
        (negative = the index fell). ``threshold_rule_value`` only for ``target``.
    units_after : dict
        ``{name: GeoDataFrame}`` the transformed tables (with per-tenure accounting
        columns).

    Raises
    ------
    InputError
        If ``units`` holds more than one municipality, year or level; errors of a
        scenario name it.
    """
    integer(permutations, "permutations", 0)  # bounded before any scenario runs
    for key in ("municipality_code", "year", "level"):
        values = units[key].unique()
        if len(values) != 1:
            raise InputError(
                f"run_scenarios needs one municipality, year and level; "
                f"{key} has {len(values)} values",
                column=key,
                fix="call it once per municipality (units.groupby(...))",
            )
    if not units["level"].isin(("buurt", "pc4")).all():  # the finest units a source has
        raise InputError(
            "scenarios work on buurt (or PC4) units",
            column="level",
            value=units["level"].iloc[0],
            fix="read the buurt level",
        )
    before = index_table(
        units,
        dimensions=tuple(dimensions) if dimensions else None,
        indices=tuple(indices),
        seed=seed,
    )
    dims = tuple(before["dimension"].unique())
    spatial_before = (_spatial(units, dims, permutations, seed, weights_kind, weights)
                      if spatial else {})
    common = {
        "units_above_50_before": _above(units, 0.5),
        "units_above_70_before": _above(units, 0.7),
        "low_income_isolation_before": _low_income_isolation(units),
    }
    rows, after_tables = [], {}
    for name, sc in scenarios.items():
        result = apply_scenario(units, sc, scenarios)
        after_units = result.units.assign(scenario=name)
        after_tables[name] = after_units
        after = index_table(result.units, dimensions=dims, indices=tuple(indices), seed=seed)
        merged = before.merge(
            after,
            on=["municipality_code", "year", "level", "dimension", "index"],
            suffixes=("_before", "_after"),
        )
        spatial_after = (
            _spatial(result.units, dims, permutations, seed, weights_kind, weights)
            if spatial else {}
        )
        c = result.costs
        converted = c.dwellings_converted + c.dwellings_demolished
        for rec in merged.itertuples(index=False):
            change = rec.value_after - rec.value_before
            with quiet():
                per_household = (
                    change / c.households_displaced if c.households_displaced else np.nan
                )
                per_dwelling = change / converted if converted else np.nan
            row = {
                "municipality_code": rec.municipality_code,
                "year": rec.year,
                "level": rec.level,
                "scenario": name,
                "type": sc.type,
                "dimension": rec.dimension,
                "index": rec.index,
                "baseline": rec.value_before,
                "baseline_ci_low": rec.ci_low_before,
                "baseline_ci_high": rec.ci_high_before,
                "scenario_value": rec.value_after,
                "scenario_ci_low": rec.ci_low_after,
                "scenario_ci_high": rec.ci_high_after,
                "change": change,
                "p_value_change": _p_value_change(
                    units, result.units, rec.dimension, rec.index, seed, permutations
                )
                if p_values
                else np.nan,
                **{k: _clean(getattr(c, k)) for k in COST_COLUMNS},
                **common,
                "units_above_50_after": _above(result.units, 0.5),
                "units_above_70_after": _above(result.units, 0.7),
                "low_income_isolation_after": _low_income_isolation(result.units),
                "moran_i_before": spatial_before.get(rec.dimension, (np.nan,))[0],
                "moran_i_after": spatial_after.get(rec.dimension, (np.nan,))[0],
                "hh_clusters_before": spatial_before.get(rec.dimension, (np.nan, np.nan))[1],
                "hh_clusters_after": spatial_after.get(rec.dimension, (np.nan, np.nan))[1],
                "efficiency_per_displaced_household": per_household,
                "efficiency_per_converted_dwelling": per_dwelling,
                "threshold_rule_value": result.extra.get("threshold_rule_value", np.nan)
                if rec.dimension == sc.params.get("dimension")
                and rec.index == sc.params.get("index")
                else np.nan,
                "model": MODEL_NOTE,
                **sc.assumptions.as_columns(),
                "notes": "; ".join(c.notes),
            }
            rows.append(row)
    summary = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    summary.attrs["model"] = MODEL_NOTE
    return summary, after_tables


#: Counts compared by :func:`unit_changes` (before / after per buurt).
CHANGE_COUNTS = (
    "dwellings",
    "dwellings_social",
    "dwellings_private_rent",
    "dwellings_owner_occupied",
    "households",
    "households_low_income",
)


def unit_changes(
    units: pd.DataFrame, after: pd.DataFrame, *, tolerance: float = 0.5
) -> pd.DataFrame:
    """Per buurt: the counts before and after a scenario, and whether the buurt changed.

    Parameters
    ----------
    units : DataFrame
        Canonical units table before the scenario (one municipality, buurt level).
    after : DataFrame
        The units after the scenario (``run_scenarios(...)[1][name]``); units the scenario
        adds (a new district) have no "before" and count as 0 there.
    tolerance : float
        A buurt counts as changed when any count moves by more than this (default half
        a dwelling or household: the water filling leaves float noise far below it).

    Returns
    -------
    DataFrame
        ``unit_code``, ``unit_name``, ``<count>_before``, ``<count>_after`` for
        :data:`CHANGE_COUNTS`, ``social_housing_before`` / ``_after`` (share of
        dwellings, NaN when unknown), ``changed``; in the order of ``after``. The per-buurt
        table researchers asked for as CSV, and the list of buurten the comparison page
        names.
    """
    keys = ["unit_code", "unit_name"]
    left = units[keys + list(CHANGE_COUNTS)].copy()
    right = after[keys + list(CHANGE_COUNTS)].copy()
    table = right.merge(left.drop(columns="unit_name"), on="unit_code", how="left",
                        suffixes=("_after", "_before"), indicator=True)
    new = (table.pop("_merge") == "left_only").to_numpy()
    out = table[keys].copy()
    moved = np.zeros(len(table), dtype=bool)
    for column in CHANGE_COUNTS:
        before = table[f"{column}_before"].to_numpy(dtype="float64")
        before = np.where(new, 0.0, before)
        now = table[f"{column}_after"].to_numpy(dtype="float64")
        out[f"{column}_before"] = before
        out[f"{column}_after"] = now
        with quiet():
            moved |= np.abs(np.nan_to_num(now) - np.nan_to_num(before)) > tolerance
    with quiet():
        for when in ("before", "after"):
            d = out[f"dwellings_{when}"].to_numpy(dtype="float64")
            out[f"social_housing_{when}"] = np.where(
                d > 0, out[f"dwellings_social_{when}"].to_numpy(dtype="float64") / d, np.nan
            )
    out["changed"] = moved
    return out.reset_index(drop=True)
