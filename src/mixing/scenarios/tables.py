"""Run scenarios on a municipality and tabulate before / after, costs and assumptions.

:func:`run_scenarios` is what the workflow calls: one summary row per scenario x
dimension x index, with the costs and side effects the experts ask for ("show who had to
move, and whether the low-income households' own exposure changed") and every
assumption as a column. The lab is an accounting model, not a behavioural forecast; the
``model`` column and ``table.attrs["model"]`` say so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from mixing.checks import integer, quiet
from mixing.dimensions import DIMENSIONS, share
from mixing.errors import InputError
from mixing.kernels import aspatial as kernels
from mixing.kernels.concentration import THRESHOLDS
from mixing.kernels.inference import two_value_test
from mixing.kernels.local import dissimilarity_contribution
from mixing.scenarios.assumptions import ASSUMPTION_COLUMNS, MODEL_NOTE
from mixing.scenarios.spec import Scenario
from mixing.scenarios.state import social_share
from mixing.scenarios.transforms import ScenarioCosts, ScenarioResult
from mixing.scenarios.types import TYPES
from mixing.tables.clusters import cluster_counts
from mixing.tables.frames import index_table

__all__ = [
    "TRANSFORMS",
    "apply_scenario",
    "run_scenarios",
    "unit_changes",
    "scenario_changes",
    "summary_columns",
    "concentration_columns",
    "SUMMARY_COLUMNS",
    "COST_COLUMNS",
    "WORD_COLUMNS",
    "CHANGE_COUNTS",
]

#: Scenario type -> transform, read from the type records (``combine``: its steps).
TRANSFORMS = {name: t.transform for name, t in TYPES.items() if t.transform is not None}

COST_COLUMNS = [
    "dwellings_converted",
    "dwellings_demolished",
    "dwellings_built",
    "households_displaced",
    "households_rehoused",
    "low_income_displaced",
    "years_needed",
    "years_needed_mean",
    "households_not_rehoused",
    "dwellings_not_placed",
    "units_changed",
]
#: Words of a scenario, from its type record (:mod:`mixing.scenarios.titles`).
WORD_COLUMNS = ["title_nl", "title_en", "short_nl", "short_en", "description_nl",
                "description_en"]


def concentration_columns(thresholds: Sequence[float] = THRESHOLDS) -> list[str]:
    """``units_above_<pct>_before`` / ``_after`` for each threshold (0.5 -> ``50``)."""
    return [f"units_above_{round(100 * t):d}_{when}" for t in thresholds
            for when in ("before", "after")]


def summary_columns(thresholds: Sequence[float] = THRESHOLDS) -> list[str]:
    """The columns of the scenario table for the given concentration thresholds."""
    return (
        ["municipality_code", "year", "level", "scenario", "type", *WORD_COLUMNS,
         "dimension", "index", "baseline", "baseline_ci_low", "baseline_ci_high",
         "scenario_value", "scenario_ci_low", "scenario_ci_high", "change", "p_value_change",
         "rank"]
        + COST_COLUMNS
        + ["duration_basis", "dwellings_changed", "social_dwellings_lost",
           "social_stock_before", "social_stock_after"]
        + concentration_columns(thresholds)
        + ["low_income_isolation_before", "low_income_isolation_after",
           "low_income_exposure_before", "low_income_exposure_after",
           "moran_i_before", "moran_i_after", "hh_clusters_before", "hh_clusters_after",
           "change_per_100_households_moved", "change_per_1000_dwellings_changed",
           "threshold_rule_level", "threshold_rule_value", "threshold_rule_change", "model"]
        + list(ASSUMPTION_COLUMNS)
        + ["notes"]
    )


#: The columns of the scenario table with the default thresholds.
SUMMARY_COLUMNS = summary_columns()


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
    """Units whose social share is strictly above ``level`` (a buurt brought down to the
    cap is no longer above it)."""
    share = social_share(units)
    return int(np.sum(np.nan_to_num(share, nan=-1.0) > level))


def _low_income_isolation(units) -> float:
    return float(
        kernels.isolation(
            units["households_low_income"].to_numpy(dtype="float64"),
            units["households"].to_numpy(dtype="float64"),
        )
    )


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


def _words(sc: Scenario, scenarios: Mapping[str, Scenario]) -> dict[str, str]:
    """The title, short label and description of a scenario, in Dutch and English."""
    record = TYPES[sc.type]
    steps = tuple(scenarios[s].type if s in scenarios else s
                  for s in sc.params.get("steps", ())) if sc.type == "combine" else ()
    out = {}
    for language in ("nl", "en"):
        out[f"title_{language}"] = record.title(sc.params, language, steps)
        out[f"short_{language}"] = record.short(sc.params, language)
        own = sc.description if language == "nl" else ""
        out[f"description_{language}"] = own or record.about(language)
    return out


def _social_lost(units, after) -> tuple[float, float, float]:
    """Social stock before and after, and the social dwellings the buurten that lose any
    lose in all (sum of the per-buurt falls; built elsewhere does not make up for it)."""
    before = np.nan_to_num(units["dwellings_social"].to_numpy(dtype="float64"))
    now = np.nan_to_num(after["dwellings_social"].to_numpy(dtype="float64"))
    padded = np.zeros(len(now))
    padded[: len(before)] = before  # a new district is appended after the old buurten
    lost = float(np.maximum(padded - now, 0.0).sum())
    return float(before.sum()), float(now.sum()), (0.0 if lost < 1e-6 else lost)


def _per(change: float, amount: float, scale: float) -> float:
    return scale * change / amount if amount > 1e-9 and np.isfinite(change) else np.nan


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
    alpha: float = 0.05,
    thresholds: Sequence[float] = THRESHOLDS,
) -> tuple[pd.DataFrame, dict[str, gpd.GeoDataFrame]]:
    """Apply every scenario to one municipality and tabulate the effects.

    Every number a page shows about a scenario is a cell of this table (or of
    :func:`scenario_changes` per buurt); pages only format them.

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
        Compute ``moran_i_*`` and ``hh_clusters_*`` with
        :func:`mixing.tables.clusters.cluster_counts`: the rule, seed, permutations and
        ``alpha`` of ``local.csv`` (HH quadrant, significant after FDR), so the count
        before any scenario is the one on the map. False leaves them NaN.
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
    alpha : float
        Significance level of the cluster counts (the config's ``autocorrelation.alpha``).
    thresholds : sequence of float
        Concentration thresholds (the config's ``autocorrelation.thresholds``): columns
        ``units_above_<pct>_before`` / ``_after`` count buurten strictly above each.

    Returns
    -------
    summary : DataFrame
        :func:`summary_columns` ``(thresholds)``: one row per scenario x dimension x index;
        cost columns repeat per scenario. Sign convention: ``change`` = after - before
        (negative = the index fell, more mixed), and every ``change_*`` column follows it.

        - words: ``title_*``, ``short_*``, ``description_*`` (nl, en) from the type record;
        - ``rank``: 1 = the largest fall of this dimension's index among the scenarios
          (ties share a rank; NaN without a value);
        - ``baseline_ci_*`` / ``scenario_ci_*``: 95 % percentile bootstrap interval
          (:func:`~mixing.tables.frames.index_table`, NaN for indices without inference);
        - ``duration_basis``: how ``years_needed`` is known
          (:data:`mixing.scenarios.types.DURATIONS`);
        - ``dwellings_changed`` = converted + demolished + built;
          ``social_dwellings_lost``: social dwellings the buurten that lose any lose in
          all (sale or demolition alike; no longer there for low-income applicants);
          ``social_stock_*``: the municipal social stock;
        - ``low_income_exposure_*`` = 1 - isolation of low-income households;
        - ``change_per_100_households_moved`` = 100 change / households_displaced and
          ``change_per_1000_dwellings_changed`` = 1000 change / dwellings_changed, NaN when
          nothing moved or changed;
        - ``threshold_rule_*`` (``target`` only, on its own dimension and index): the
          threshold rule at the same number of dwellings (its level, its index value and
          its change), the comparison the optimiser promises.
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

    def spatial_of(table):
        if not spatial:
            return {}
        return cluster_counts(table, dims, weights=weights, permutations=permutations,
                              seed=seed, alpha=alpha, kind=weights_kind)

    spatial_before = spatial_of(units)
    thresholds = tuple(thresholds)
    iso_before = _low_income_isolation(units)
    common = {f"units_above_{round(100 * t):d}_before": _above(units, t) for t in thresholds}
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
        spatial_after = spatial_of(result.units)
        c = result.costs
        changed = c.dwellings_converted + c.dwellings_demolished + c.dwellings_built
        stock_before, stock_after, lost = _social_lost(units, result.units)
        iso_after = _low_income_isolation(result.units)
        per_scenario = {
            **_words(sc, scenarios),
            **{k: _clean(getattr(c, k)) for k in COST_COLUMNS},
            "duration_basis": TYPES[sc.type].duration(sc.params),
            "dwellings_changed": _clean(changed),
            "social_dwellings_lost": lost,
            "social_stock_before": stock_before,
            "social_stock_after": stock_after,
            **common,
            **{f"units_above_{round(100 * t):d}_after": _above(result.units, t)
               for t in thresholds},
            "low_income_isolation_before": iso_before,
            "low_income_isolation_after": iso_after,
            "low_income_exposure_before": 1.0 - iso_before,
            "low_income_exposure_after": 1.0 - iso_after,
            "model": MODEL_NOTE,
            **sc.assumptions.as_columns(),
            "notes": "; ".join(c.notes),
        }
        for rec in merged.itertuples(index=False):
            change = rec.value_after - rec.value_before
            own = (rec.dimension == sc.params.get("dimension")
                   and rec.index == sc.params.get("index"))
            rule_value = result.extra.get("threshold_rule_value", np.nan) if own else np.nan
            rows.append({
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
                **per_scenario,
                "moran_i_before": spatial_before.get(rec.dimension, (np.nan,))[0],
                "moran_i_after": spatial_after.get(rec.dimension, (np.nan,))[0],
                "hh_clusters_before": spatial_before.get(rec.dimension, (np.nan, np.nan))[1],
                "hh_clusters_after": spatial_after.get(rec.dimension, (np.nan, np.nan))[1],
                "change_per_100_households_moved": _per(change, c.households_displaced, 100.0),
                "change_per_1000_dwellings_changed": _per(change, changed, 1000.0),
                "threshold_rule_level": result.extra.get("threshold_rule_level", np.nan)
                if own else np.nan,
                "threshold_rule_value": rule_value,
                "threshold_rule_change": rule_value - rec.value_before,
            })
    summary = pd.DataFrame(rows, columns=summary_columns(thresholds))
    if len(summary):
        summary["rank"] = summary.groupby(["dimension", "index"])["change"].rank(
            method="min", ascending=True)
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


def _dimension_columns(units: pd.DataFrame, when: str, dimensions) -> dict[str, np.ndarray]:
    out = {}
    for name in dimensions:
        dim = DIMENSIONS[name]
        if dim.group not in units or dim.total not in units:
            continue
        out[f"share_{name}_{when}"] = share(units, name)
        out[f"d_contribution_{name}_{when}"] = dissimilarity_contribution(
            units[dim.group].to_numpy(dtype="float64"),
            units[dim.total].to_numpy(dtype="float64"))
    return out


def scenario_changes(units: pd.DataFrame, after: Mapping[str, pd.DataFrame],
                     dimensions: Sequence[str] | None = None) -> pd.DataFrame:
    """Per scenario and buurt: counts, shares and contributions to D, before and after.

    The per-buurt numbers the scenario page and the map's scenario layers show
    (``results/{municipality}/scenario_changes.csv``); they only format these cells.

    Parameters
    ----------
    units : DataFrame
        Canonical units before (one municipality, buurt level).
    after : mapping
        ``{name: units after}`` (``run_scenarios(...)[1]``).
    dimensions : sequence of str, optional
        Default every dimension whose counts the units have.

    Returns
    -------
    DataFrame
        ``scenario`` and the columns of :func:`unit_changes`, then per dimension
        ``share_<dim>_before`` / ``_after`` / ``_change`` (group / total, NaN when
        unknown) and
        ``d_contribution_<dim>_before`` / ``_after`` / ``_change`` (each buurt's term of
        D, :func:`mixing.kernels.local.dissimilarity_contribution`; they add up to D).
        Sign convention: change = after - before. A unit the scenario adds has no
        "before" (counts 0, shares and contributions NaN; its change is its term after).
    """
    names = [d for d in (dimensions or DIMENSIONS) if d in DIMENSIONS]
    frames = []
    for name, table in after.items():
        base = unit_changes(units, table)
        old = pd.DataFrame(_dimension_columns(units, "before", names))
        old.index = units["unit_code"].astype(str).to_numpy()
        old = old.reindex(base["unit_code"].astype(str).to_numpy()).reset_index(drop=True)
        new = pd.DataFrame(_dimension_columns(table.reset_index(drop=True), "after", names))
        parts = [base.assign(scenario=name)]
        for dim in names:
            key = f"d_contribution_{dim}"
            if f"{key}_after" not in new or f"{key}_before" not in old:
                continue
            b, a = old[f"{key}_before"].to_numpy(), new[f"{key}_after"].to_numpy()
            share_before = old[f"share_{dim}_before"].to_numpy()
            share_after = new[f"share_{dim}_after"].to_numpy()
            parts.append(pd.DataFrame({
                f"share_{dim}_before": share_before, f"share_{dim}_after": share_after,
                f"share_{dim}_change": share_after - share_before,
                f"{key}_before": b, f"{key}_after": a,
                f"{key}_change": a - np.nan_to_num(b),
            }))
        frames.append(pd.concat(parts, axis=1))
    if not frames:
        return pd.DataFrame(columns=["scenario", "unit_code", "unit_name"])
    table = pd.concat(frames, ignore_index=True)
    first = ["scenario", "unit_code", "unit_name"]
    return table[first + [c for c in table.columns if c not in first]]
