"""Where do social housing and vulnerable households cluster? Frame-level autocorrelation.

Thin wrappers over :mod:`mixing.geometry.weights`, :mod:`mixing.kernels.autocorr` and
:mod:`mixing.kernels.concentration`: canonical units in, two tidy tables out, for every
municipality of the input in one vectorised pass (block-diagonal weights).

Variables are shares (0..1) computed from the canonical counts; a unit whose share is
unknown (hidden by CBS, or no dwellings/residents) or that has no geometry is dropped from
the weights with a warning that counts it (:func:`mixing.geometry.weights.subset`), and appears in
the local table with NaN statistics and concentration class ``unknown``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import sparse

from mixing.checks import integer
from mixing.dimensions import BIVARIATE, DIMENSIONS, share
from mixing.geometry.weights import SpatialWeights, build_weights, subset
from mixing.kernels import autocorr
from mixing.kernels.concentration import THRESHOLDS, concentration_classes
from mixing.kernels.local import dissimilarity_contribution, location_quotient
from mixing.schema import FINEST_FIRST

__all__ = [
    "JOIN_COUNTS",
    "GLOBAL_COLUMNS",
    "LOCAL_COLUMNS",
    "analysis_units",
    "unit_weights",
    "variable_values",
    "autocorrelation_tables",
    "local_clusters",
    "cluster_counts",
]


#: Join counts: the dimension's share made binary, a unit "black" when above the threshold.
JOIN_COUNTS = {"social_housing": 0.5}

GLOBAL_COLUMNS = ["municipality_code", "year", "level", "variable", "statistic", "value",
                  "expected", "z", "p_value", "p_analytical", "permutations", "n_units",
                  "islands_joined"]
LOCAL_COLUMNS = ["municipality_code", "year", "level", "unit_code", "unit_name", "variable",
                 "value", "lag", "quadrant", "p_value", "significant", "significant_fdr",
                 "gi_z", "gi_p_value", "hotspot", "concentration_class", "location_quotient",
                 "d_contribution"]


def analysis_units(units: pd.DataFrame) -> pd.DataFrame:
    """The finest level of every municipality (:func:`mixing.schema.analysis_level`), in a
    stable order (municipality, code)."""
    finest = units["level"].map({level: k for k, level in enumerate(FINEST_FIRST)})
    keep = finest == finest.groupby(units["municipality_code"]).transform("min")
    return units[keep].sort_values(["municipality_code", "unit_code"]).reset_index(drop=True)


def unit_weights(units: pd.DataFrame, *, kind: str = "queen", k: int = 6,
                 threshold: float | None = None) -> SpatialWeights:
    """Block-diagonal weights (one block per municipality) of the units with a geometry.

    Without any geometry (codes missing from the boundary file) the weights are empty.
    """
    has_shape = units.geometry.notna() & ~units.geometry.is_empty
    shown = units[has_shape]
    if shown.empty:
        empty = sparse.csr_array((0, 0))
        return SpatialWeights(W=empty, binary=empty, ids=np.array([], dtype=str), kind=kind)
    return build_weights(shown.geometry, kind=kind, k=k, threshold=threshold,
                         ids=shown["unit_code"].to_numpy(),
                         groups=shown["municipality_code"].to_numpy())


def variable_values(units: pd.DataFrame, variable: str) -> np.ndarray:
    """A dimension's share per unit (NaN when unknown or the total is 0), or a numeric column."""
    if variable in DIMENSIONS:
        return share(units, variable)
    if variable not in units:
        raise ValueError(f"unknown variable {variable!r}; valid: {sorted(DIMENSIONS)} or a "
                         f"numeric column of the units table")
    return units[variable].to_numpy(dtype="float64")


def _available(units: pd.DataFrame, variables) -> list[str]:
    chosen = list(variables) if variables is not None else list(DIMENSIONS)
    return [v for v in chosen if np.isfinite(variable_values(units, v)).sum() >= 3]


def autocorrelation_tables(
    units: pd.DataFrame,
    *,
    weights: SpatialWeights | None = None,
    variables: tuple[str, ...] | None = None,
    permutations: int = 999,
    seed: int,
    alpha: float = 0.05,
    thresholds: tuple[float, ...] = THRESHOLDS,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Global and local spatial autocorrelation of shares, for every municipality at once.

    Parameters
    ----------
    units : GeoDataFrame
        Canonical units (several municipalities may be stacked); the finest level of each
        municipality is analysed (see :func:`analysis_units`).
    weights : SpatialWeights, optional
        Built once by :func:`unit_weights` on the same units (rows in the same order as
        ``analysis_units(units)`` restricted to units with a geometry); built here if None.
    variables : tuple of str, optional
        Dimension names (:data:`mixing.dimensions.DIMENSIONS`) or numeric columns;
        default every dimension with at least three known values.
    permutations, seed, alpha :
        Conditional permutations, the seed of every draw, and the significance level
        (local significance is also given after Benjamini-Hochberg FDR per municipality).
    thresholds : tuple of float
        Concentration classes: share >= 0.5 and >= 0.7 by default.

    Returns
    -------
    global_table : DataFrame
        :data:`GLOBAL_COLUMNS`; statistics ``moran_i`` (z analytical under normality,
        p by permutation, ``p_analytical`` under normality), ``geary_c`` and
        ``bivariate_moran`` (variable ``"x~y"``), then ``moran_rate`` (Moran's I of the
        empirical-Bayes standardised rate group / total), ``getis_ord_g`` (global G) and
        ``join_counts`` (black-black joins of the share above :data:`JOIN_COUNTS`'s
        threshold; expected and z under non-free sampling, p by permutation).
    local_table : DataFrame
        :data:`LOCAL_COLUMNS`: LISA (``quadrant`` HH/LH/LL/HL, or ``isolated`` /
        ``undefined``), Gi* (``gi_z``, ``hotspot`` hot/cold/not significant after FDR),
        concentration class and location quotient against the municipality.
    """
    integer(permutations, "permutations", 0)  # bounded before the weights are built
    units = analysis_units(units)
    has_shape = (units.geometry.notna() & ~units.geometry.is_empty).to_numpy()
    shown = units[has_shape].reset_index(drop=True)
    if weights is None:
        weights = unit_weights(shown)
    if weights.n != len(shown) or not np.array_equal(weights.ids, shown["unit_code"].to_numpy()):
        raise ValueError("weights do not match the units: build them with unit_weights() on "
                         "the same units table")
    globals_, locals_, extra = [], [], []
    names = _available(units, variables)
    values = {v: variable_values(shown, v) for v in names}
    for name in names:
        y = values[name]
        known = np.isfinite(y)
        w = subset(weights, known, reason=f"unknown {name}")
        g = shown["municipality_code"].to_numpy()[known]
        part = shown[known]
        kw = {"permutations": permutations, "seed": seed, "groups": g}
        mi = autocorr.moran(y[known], w, **kw)
        gc = autocorr.geary(y[known], w, **kw)
        globals_ += [_global_rows(part, name, "moran_i", mi.I, mi.expected, mi.z_norm,
                                  mi.p_sim, mi.p_norm, permutations, w),
                     _global_rows(part, name, "geary_c", gc.C, gc.expected, gc.z_norm,
                                  gc.p_sim, gc.p_norm, permutations, w)]
        extra += _new_global_rows(part, name, y[known], w, permutations, kw)
        local_kw = {"alpha": alpha, "adjust": "fdr", "alternative": "directed", **kw}
        lisa = local_clusters(y[known], w, groups=g, permutations=permutations, seed=seed,
                              alpha=alpha)
        gi = autocorr.getis_ord_g_star(y[known], w, **local_kw)
        lq, contribution = _relative_measures(shown, name)
        locals_.append(_local_rows(shown, known, name, y, lisa, gi, thresholds, lq)
                       .assign(d_contribution=contribution))
    for x_name, y_name in BIVARIATE:
        if x_name not in values or y_name not in values:
            continue
        known = np.isfinite(values[x_name]) & np.isfinite(values[y_name])
        w = subset(weights, known, reason=f"unknown {x_name} or {y_name}")
        g = shown["municipality_code"].to_numpy()[known]
        bv = autocorr.bivariate_moran(values[x_name][known], values[y_name][known], w,
                                      permutations=permutations, seed=seed, groups=g)
        globals_.append(_global_rows(shown[known], f"{x_name}~{y_name}", "bivariate_moran",
                                     bv.I, bv.expected_sim, bv.z_sim, bv.p_sim, np.nan,
                                     permutations, w))
    globals_ += extra  # after the rows of earlier releases, which stay as they were
    global_table = (pd.concat(globals_, ignore_index=True) if globals_
                    else pd.DataFrame(columns=GLOBAL_COLUMNS))
    local_table = (pd.concat(locals_, ignore_index=True) if locals_
                   else pd.DataFrame(columns=LOCAL_COLUMNS))
    return global_table[GLOBAL_COLUMNS], local_table[LOCAL_COLUMNS]


def local_clusters(y: np.ndarray, weights: SpatialWeights, *, groups, permutations: int,
                   seed: int, alpha: float = 0.05):
    """LISA under the one rule of every cluster count: directed p-values, FDR per group.

    ``local.csv``, the map's LISA layer, ``vitality.csv`` and the ``hh_clusters_*``
    columns of the scenario table all count a unit as a high-high cluster when its
    quadrant is HH and it is significant after Benjamini-Hochberg FDR (``"directed"``
    alternative: the p-value rule of every earlier release). ``y``: known values only,
    rows of ``weights``; ``groups``: one municipality code per row.
    """
    return autocorr.local_moran(y, weights, alpha=alpha, adjust="fdr", alternative="directed",
                                permutations=permutations, seed=seed, groups=groups)


def cluster_counts(units: pd.DataFrame, variables, *, weights: SpatialWeights | None = None,
                   permutations: int, seed: int, alpha: float = 0.05, kind: str = "queen"
                   ) -> dict[str, tuple[float, float]]:
    """Moran's I and the number of high-high clusters per variable, as ``local.csv`` has them.

    Parameters
    ----------
    units : GeoDataFrame
        Canonical units of ONE municipality (the finest level is analysed, in the order of
        :func:`analysis_units`, as :func:`autocorrelation_tables` does).
    variables : iterable of str
    weights : SpatialWeights, optional
        The saved weights of these units (any row order; rows are matched on
        ``unit_code``); built with :func:`unit_weights` when None or when they do not cover
        exactly the units with a geometry (a scenario that adds a unit).
    permutations, seed, alpha
        As for :func:`autocorrelation_tables`; the same values give the same counts as
        ``local.csv`` (quadrant HH and ``significant_fdr``; :func:`local_clusters`).
    kind : str
        Weights built here: :func:`unit_weights` ``kind``.

    Returns
    -------
    dict
        ``{variable: (moran_i, hh_clusters)}``; NaN when fewer than three units have a
        value, clusters NaN when ``permutations`` is 0.
    """
    units = analysis_units(units)
    shown = units[(units.geometry.notna() & ~units.geometry.is_empty).to_numpy()]
    shown = shown.reset_index(drop=True)
    codes = shown["unit_code"].to_numpy()
    w = _reordered(weights, codes) if weights is not None else None
    if w is None:
        w = unit_weights(shown, kind=kind)
    out = {}
    for name in variables:
        y = variable_values(shown, name)
        known = np.isfinite(y)
        if known.sum() < 3 or np.ptp(y[known]) == 0:  # one share everywhere: no pattern
            out[name] = (np.nan, np.nan)
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # dropped units are counted in local.csv's run
            wk = subset(w, known, reason=f"unknown {name}")
        g = shown["municipality_code"].to_numpy()[known]
        moran_i = float(np.atleast_1d(autocorr.moran(y[known], wk, permutations=0,
                                                     groups=g).I)[0])
        hh = np.nan
        if permutations:
            lisa = local_clusters(y[known], wk, groups=g, permutations=permutations, seed=seed,
                                  alpha=alpha)
            hh = float(np.sum((lisa.labels == "HH") & lisa.significant_adjusted))
        out[name] = (moran_i, hh)
    return out


def _reordered(weights: SpatialWeights, codes: np.ndarray) -> SpatialWeights | None:
    """``weights`` with rows in the order of ``codes``; None unless they cover them exactly."""
    import dataclasses

    order = pd.Index(np.asarray(weights.ids).astype(str)).get_indexer(codes.astype(str))
    if len(order) != weights.n or (order < 0).any():
        return None

    def take(m):
        return sparse.csr_array(m)[order][:, order]

    def rows(a):
        return None if a is None else np.asarray(a)[order]

    return dataclasses.replace(weights, W=take(weights.W), binary=take(weights.binary),
                               ids=rows(weights.ids), groups=rows(weights.groups),
                               centroids=rows(weights.centroids))


def _new_global_rows(part, name, y, w, permutations, kw) -> list[pd.DataFrame]:
    """EB-rate Moran's I (dimensions), global Getis-Ord G and join counts."""
    rows = []
    if name in DIMENSIONS:
        dim = DIMENSIONS[name]
        rate = autocorr.moran_rate(part[dim.group].to_numpy(dtype="float64"),
                                   part[dim.total].to_numpy(dtype="float64"), w, **kw)
        rows.append(_global_rows(part, name, "moran_rate", rate.I, rate.expected, rate.z_norm,
                                 rate.p_sim, rate.p_norm, permutations, w))
    g = autocorr.getis_ord_g(y, w, **kw)
    rows.append(_global_rows(part, name, "getis_ord_g", g.G, g.expected, g.z_norm, g.p_sim,
                             g.p_norm, permutations, w))
    if name in JOIN_COUNTS:
        jc = autocorr.join_counts((y > JOIN_COUNTS[name]).astype(np.float64), w, **kw)
        rows.append(_global_rows(part, name, "join_counts", jc.bb, jc.expected_bb, jc.z_bb,
                                 jc.p_sim_bb, jc.p_norm_bb, permutations, w))
    return rows


def _global_rows(part, variable, statistic, value, expected, z, p, p_analytical,
                 permutations, w) -> pd.DataFrame:
    keys = part.groupby("municipality_code", sort=True).agg(
        year=("year", "first"), level=("level", "first"), n_units=("unit_code", "size"))
    islands = pd.Series(w.ids, dtype=object).isin(list(w.islands_joined))
    joined = pd.Series(islands.to_numpy()).groupby(part["municipality_code"].to_numpy()).sum()
    frame = keys.reset_index().assign(
        variable=variable, statistic=statistic,
        value=np.atleast_1d(value), expected=np.broadcast_to(expected, len(keys)),
        z=np.atleast_1d(z), p_value=np.atleast_1d(p),
        p_analytical=np.broadcast_to(p_analytical, len(keys)), permutations=permutations,
    )
    frame["islands_joined"] = frame["municipality_code"].map(joined).fillna(0).astype(int)
    return frame


def _relative_measures(shown: pd.DataFrame, variable: str) -> tuple[np.ndarray, np.ndarray]:
    """Location quotient (share / municipal share, from the counts) and contribution to D."""
    if variable not in DIMENSIONS:
        return np.full(len(shown), np.nan), np.full(len(shown), np.nan)
    part = shown[DIMENSIONS[variable].group].to_numpy(dtype="float64")
    whole = shown[DIMENSIONS[variable].total].to_numpy(dtype="float64")
    groups = shown["municipality_code"].to_numpy()
    return (location_quotient(part, whole, groups=groups),
            dissimilarity_contribution(part, whole, groups=groups))


def _local_rows(shown, known, name, y, lisa, gi, thresholds, lq) -> pd.DataFrame:
    n = len(shown)

    def spread(values, fill):
        out = np.full(n, fill, dtype=object if isinstance(fill, str) else float)
        out[known] = values
        return out

    def flags(values):
        out = pd.array([pd.NA] * n, dtype="boolean")
        out[known] = np.asarray(values, dtype=bool)
        return out

    hot = np.where(gi.significant_adjusted, np.where(gi.z > 0, "hot", "cold"), "ns")
    return pd.DataFrame({
        "municipality_code": shown["municipality_code"].to_numpy(),
        "year": shown["year"].to_numpy(), "level": shown["level"].to_numpy(),
        "unit_code": shown["unit_code"].to_numpy(), "unit_name": shown["unit_name"].to_numpy(),
        "variable": name, "value": y,
        "lag": spread(lisa.lag, np.nan),
        "quadrant": spread(np.asarray(lisa.labels, dtype=object), "unknown"),
        "p_value": spread(lisa.p_sim, np.nan),
        "significant": flags(lisa.significant),
        "significant_fdr": flags(lisa.significant_adjusted),
        "gi_z": spread(gi.z, np.nan), "gi_p_value": spread(gi.p_sim, np.nan),
        "hotspot": spread(hot.astype(object), "unknown"),
        "concentration_class": concentration_classes(y, thresholds),
        "location_quotient": lq,
    })
