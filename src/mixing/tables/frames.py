"""Frame-level wrappers: canonical units table in, tidy index tables out.

Kernels in :mod:`mixing.kernels.aspatial`, :mod:`mixing.kernels.spatial`,
:mod:`mixing.kernels.multigroup` and
:mod:`mixing.kernels.local` take arrays; this module picks the columns for each *dimension* (which
group against which total, or which set of groups) and computes every index for every
(municipality, year, level) of the input in one vectorised call per index.

Each (municipality, year, level) is one group of the kernels, labelled
``"GM0518|2019|buurt"``; random draws (inference, simulated indices) are keyed by that label,
so a municipality gets the same numbers whether it is computed alone or in a batch.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mixing.dimensions import DIMENSIONS, MULTI_DIMENSIONS, group_counts, present
from mixing.geometry.distances import spatial_inputs
from mixing.kernels import aspatial, inference, multigroup, spatial
from mixing.kernels import local as local_kernels

__all__ = [
    "ASPATIAL_INDICES",
    "SPATIAL_INDICES",
    "MULTIGROUP_INDICES",
    "INFERENCE_INDICES",
    "DEFAULT_INDICES",
    "INDEX_COLUMNS",
    "LOCAL_COLUMNS",
    "index_table",
    "local_index_table",
]


ASPATIAL_INDICES = ("dissimilarity", "gini", "entropy", "isolation", "exposure",
                    "correlation_ratio", "atkinson", "modified_dissimilarity",
                    "bias_corrected_dissimilarity", "density_corrected_dissimilarity",
                    "con_prof", "min_max")
SPATIAL_INDICES = ("spatial_dissimilarity", "boundary_spatial_dissimilarity",
                   "perimeter_area_dissimilarity", "spatial_proximity",
                   "distance_decay_isolation", "distance_decay_exposure", "delta",
                   "absolute_concentration", "relative_concentration",
                   "absolute_centralization", "relative_centralization",
                   "absolute_clustering", "relative_clustering")
MULTIGROUP_INDICES = ("multigroup_dissimilarity", "multigroup_gini", "normalized_exposure",
                      "information_theory", "mutual_information", "relative_diversity",
                      "squared_coefficient_of_variation", "diversity",
                      "simpsons_concentration", "simpsons_interaction")
#: The headline indices of summaries (scales, years, regions).
DEFAULT_INDICES = ("dissimilarity", "isolation", "exposure")
#: Indices that get a permutation p-value, the null expectation and a bootstrap interval.
INFERENCE_INDICES = ("dissimilarity", "gini", "entropy", "isolation", "exposure")
_SIMULATED = ("modified_dissimilarity", "bias_corrected_dissimilarity")

INDEX_COLUMNS = ["municipality_code", "year", "level", "dimension", "index", "value",
                 "expected_under_null", "ci_low", "ci_high", "p_value", "n_units"]
LOCAL_COLUMNS = ["municipality_code", "year", "level", "unit_code", "unit_name", "dimension",
                 "index", "value"]
_KEYS = ["municipality_code", "year", "level"]


def _keys(units: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """One row per (municipality, year, level) in sorted order, and each unit's label."""
    labels = (units["municipality_code"].astype(str) + "|" + units["year"].astype(str) + "|"
              + units["level"].astype(str)).to_numpy(dtype=object)
    keys = (units[_KEYS].drop_duplicates().assign(label=lambda f: f["municipality_code"]
            .astype(str) + "|" + f["year"].astype(str) + "|" + f["level"].astype(str))
            .sort_values("label").reset_index(drop=True))
    return keys, labels


def _spatial_values(name, group, total, inputs, groups, missing_shape, keys) -> np.ndarray:
    kernel = getattr(spatial, name)
    if name == "spatial_dissimilarity":
        out = kernel(group, total, inputs.contiguity, groups=groups)
    elif name == "boundary_spatial_dissimilarity":
        out = kernel(group, total, inputs.boundary_lengths, groups=groups)
    elif name == "perimeter_area_dissimilarity":
        out = kernel(group, total, inputs.boundary_lengths, inputs.perimeters, inputs.areas,
                     groups=groups)
    elif name in ("delta", "absolute_concentration", "relative_concentration"):
        out = kernel(group, total, inputs.areas, groups=groups)
    elif name == "absolute_centralization":
        out = kernel(group, total, inputs.centroids, inputs.areas, groups=groups)
    elif name == "relative_centralization":
        out = kernel(group, total, inputs.centroids, groups=groups)
    else:  # distance-based: proximity, decay isolation/exposure, clustering
        out = kernel(group, total, inputs.distances, inputs.areas, groups=groups)
    # kernels return one value per label that has geometry; align with every key
    values = pd.Series(np.asarray(out, dtype=float), index=np.unique(groups))
    aligned = values.reindex(keys["label"]).to_numpy(copy=True)
    aligned[missing_shape] = np.nan  # a municipality with populated units lacking geometry
    return aligned


def index_table(
    units: pd.DataFrame,
    *,
    dimensions: tuple[str, ...] | None = None,
    indices: tuple[str, ...] | None = None,
    inference_indices: tuple[str, ...] = INFERENCE_INDICES,
    permutations: int = 999,
    replicates: int = 999,
    seed: int = 0,
) -> pd.DataFrame:
    """Every index for every (municipality, year, level) in ``units``, as one tidy table.

    Parameters
    ----------
    units : DataFrame or GeoDataFrame
        Canonical units table (see :mod:`mixing.schema`); several municipalities, years and
        levels may be stacked. Spatial indices need a GeoDataFrame in EPSG:28992.
    dimensions : tuple of str, optional
        Names from :data:`DIMENSIONS` and :data:`MULTI_DIMENSIONS`. Default: every dimension
        whose columns have at least one known value.
    indices : tuple of str, optional
        Kernel names; default all of :data:`ASPATIAL_INDICES`, :data:`SPATIAL_INDICES`
        (when there is geometry) and :data:`MULTIGROUP_INDICES`. Two-group indices apply to
        two-group dimensions, multigroup indices to multigroup dimensions.
    inference_indices : tuple of str
        Two-group indices that get ``p_value`` (one-sided in the direction of segregation:
        greater, or less for exposure; segregation's systematic null; +1 corrected),
        ``expected_under_null`` (the null mean: the value
        expected from random allocation alone, i.e. the small-unit bias) and a percentile
        bootstrap interval ``ci_low``/``ci_high`` (95 %, units re-drawn from their own
        composition). Other rows have NaN there.
    permutations, replicates, seed : int
        Null replicates, bootstrap replicates and the seed of every draw.

    Returns
    -------
    DataFrame
        :data:`INDEX_COLUMNS`, sorted by municipality, year, level, dimension, index.
        ``n_units`` counts the units that enter (known counts, non-zero total); water-only
        and uninhabited units never do.
    """
    valid = set(DIMENSIONS) | set(MULTI_DIMENSIONS)
    unknown = [d for d in (dimensions or ()) if d not in valid]
    if unknown:
        raise ValueError(f"unknown dimensions {unknown}; valid: {sorted(valid)}")
    all_indices = ASPATIAL_INDICES + SPATIAL_INDICES + MULTIGROUP_INDICES
    unknown = [i for i in (indices or ()) if i not in all_indices]
    if unknown:
        raise ValueError(f"unknown indices {unknown}; valid: {sorted(all_indices)}")
    chosen = tuple(indices) if indices is not None else all_indices
    if dimensions is None:
        dimensions = present(units)
    if len(units) == 0:
        return pd.DataFrame(columns=INDEX_COLUMNS)
    keys, labels = _keys(units)
    inputs, missing_shape = _geometry_inputs(units, labels, keys, chosen)

    frames = []
    for name in dimensions:
        if name in DIMENSIONS:
            frames += _two_group_rows(units, DIMENSIONS[name], keys, labels, chosen,
                                      inference_indices, inputs, missing_shape,
                                      permutations, replicates, seed)
        else:
            frames += _multigroup_rows(units, MULTI_DIMENSIONS[name], keys, labels, chosen)
    if not frames:
        return pd.DataFrame(columns=INDEX_COLUMNS)
    table = pd.concat(frames, ignore_index=True)[INDEX_COLUMNS]
    return table.sort_values(_KEYS + ["dimension", "index"], kind="stable", ignore_index=True)


def _geometry_inputs(units, labels, keys, chosen):
    """Spatial inputs (block-diagonal by label), built once; None without usable geometry."""
    if not any(i in SPATIAL_INDICES for i in chosen) or "geometry" not in units:
        return None, None
    geometry = units.geometry
    has_shape = (geometry.notna() & ~geometry.is_empty).to_numpy()
    if not has_shape.any():
        return None, None
    populated = (units[["population", "dwellings"]].fillna(0).sum(axis=1) > 0).to_numpy()
    lacking = pd.Series(populated & ~has_shape).groupby(labels).any()
    missing_shape = keys["label"].map(lacking).fillna(False).to_numpy(dtype=bool)
    return (spatial_inputs(geometry[has_shape], groups=labels[has_shape]), has_shape), \
        missing_shape


def _two_group_rows(units, dim, keys, labels, chosen, inference_indices, inputs,
                    missing_shape, permutations, replicates, seed) -> list[pd.DataFrame]:
    group = units[dim.group].to_numpy(dtype="float64")
    total = units[dim.total].to_numpy(dtype="float64")
    usable = np.isfinite(group) & np.isfinite(total) & (total > 0)
    n_units = pd.Series(usable).groupby(labels).sum().reindex(keys["label"]).to_numpy()
    rows = []
    for index in chosen:
        expected = ci_low = ci_high = p_value = np.full(len(keys), np.nan)
        if index in ASPATIAL_INDICES:
            kwargs = {"seed": seed} if index in _SIMULATED else {}
            value = getattr(aspatial, index)(group, total, groups=labels, **kwargs)
        elif index in SPATIAL_INDICES:
            if inputs is None:
                continue
            (spatial_in, has_shape) = inputs
            value = _spatial_values(index, group[has_shape], total[has_shape], spatial_in,
                                    labels[has_shape], missing_shape, keys)
        else:
            continue
        if index in inference_indices:
            # segregation lowers exposure and raises every other index: test that direction
            alternative = "less" if index == "exposure" else "greater"
            test = inference.single_value_test(index, group, total, groups=labels,
                                               permutations=permutations, seed=seed,
                                               alternative=alternative)
            boot = inference.bootstrap_ci(index, group, total, groups=labels,
                                          replicates=replicates, seed=seed)
            expected, p_value = test.expected_under_null, test.p_value
            ci_low, ci_high = boot.ci_low, boot.ci_high
        rows.append(keys[_KEYS].assign(
            dimension=dim.name, index=index, value=np.asarray(value, dtype=float),
            expected_under_null=expected, ci_low=ci_low, ci_high=ci_high, p_value=p_value,
            n_units=n_units))
    return rows


def _multigroup_rows(units, dim, keys, labels, chosen) -> list[pd.DataFrame]:
    counts = group_counts(units, dim.name)
    usable = np.isfinite(counts).all(axis=1) & (np.nan_to_num(counts).sum(axis=1) > 0)
    n_units = pd.Series(usable).groupby(labels).sum().reindex(keys["label"]).to_numpy()
    nan = np.full(len(keys), np.nan)
    return [keys[_KEYS].assign(dimension=dim.name, index=index,
                               value=np.asarray(getattr(multigroup, index)(counts, groups=labels),
                                                dtype=float),
                               expected_under_null=nan, ci_low=nan, ci_high=nan, p_value=nan,
                               n_units=n_units)
            for index in chosen if index in MULTIGROUP_INDICES]


def local_index_table(units: pd.DataFrame, *, dimensions: tuple[str, ...] | None = None
                      ) -> pd.DataFrame:
    """Per-unit segregation measures, one row per unit x dimension x index (long format).

    Two-group dimensions: ``location_quotient`` (the unit's share over the municipal share)
    and ``dissimilarity_contribution`` (0.5 |x_i/X - y_i/Y|; sums to D per municipality).
    Multigroup dimensions: ``local_entropy`` (normalised to [0, 1]), ``local_diversity``,
    ``local_simpson_concentration`` and ``local_simpson_interaction``, in their corrected
    variant (``empty="nan"``): an uninhabited unit is NaN, not "perfectly homogeneous" as
    PySAL ``segregation`` reports it.
    """
    if dimensions is None:
        dimensions = present(units)
    _, labels = _keys(units)
    base = units[["municipality_code", "year", "level", "unit_code", "unit_name"]]
    frames = []
    for name in dimensions:
        if name in DIMENSIONS:
            dim = DIMENSIONS[name]
            group = units[dim.group].to_numpy(dtype="float64")
            total = units[dim.total].to_numpy(dtype="float64")
            values = {
                "location_quotient": local_kernels.location_quotient(group, total, groups=labels),
                "dissimilarity_contribution": local_kernels.dissimilarity_contribution(
                    group, total, groups=labels),
            }
        else:
            counts = group_counts(units, name)
            values = {index: getattr(local_kernels, index)(counts, groups=labels, empty="nan")
                      for index in ("local_entropy", "local_diversity",
                                    "local_simpson_concentration", "local_simpson_interaction")}
        for index, value in values.items():
            frames.append(base.assign(dimension=name, index=index,
                                      value=np.asarray(value, dtype=float)))
    if not frames:
        return pd.DataFrame(columns=LOCAL_COLUMNS)
    return pd.concat(frames, ignore_index=True)[LOCAL_COLUMNS]
