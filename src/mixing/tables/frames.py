"""Frame-level wrappers: canonical units table in, tidy index tables out.

The kernels (:mod:`mixing.kernels`) take arrays; this module picks the columns of each
*dimension* (:mod:`mixing.dimensions`: which group against which total, or which set of
groups) and computes every index of the catalogue (:mod:`mixing.catalogue`) for every
(municipality, year, level) of the input in one vectorised call per index.

Each (municipality, year, level) is one group of the kernels, labelled
``"GM0518|2019|buurt"``; random draws (inference, simulated indices) are keyed by that label,
so a municipality gets the same numbers whether it is computed alone or in a batch.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mixing import catalogue
from mixing.catalogue import INDICES, LOCAL_INDICES, inputs_for
from mixing.checks import integer
from mixing.dimensions import DIMENSIONS, MULTI_DIMENSIONS, group_counts, present
from mixing.errors import InputError
from mixing.geometry.distances import spatial_inputs
from mixing.kernels import inference

__all__ = [
    "INDEX_COLUMNS",
    "LOCAL_COLUMNS",
    "index_table",
    "local_index_table",
]


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


def _align(values, groups, missing_shape, keys) -> np.ndarray:
    """Values of the labels with geometry (``np.unique(groups)`` order), one per key."""
    series = pd.Series(np.asarray(values, dtype=float), index=np.unique(groups))
    aligned = series.reindex(keys["label"]).to_numpy(copy=True)
    aligned[missing_shape] = np.nan  # a municipality with populated units lacking geometry
    return aligned


def index_table(
    units: pd.DataFrame,
    *,
    dimensions: tuple[str, ...] | None = None,
    indices: tuple[str, ...] | None = None,
    inference_indices: tuple[str, ...] | None = None,
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
        Names from :data:`mixing.dimensions.DIMENSIONS` and
        :data:`mixing.dimensions.MULTI_DIMENSIONS`. Default: every dimension whose columns
        have at least one known value.
    indices : tuple of str, optional
        Names from :data:`mixing.catalogue.INDICES`; default all of them (spatial ones when
        there is geometry). Two-group indices apply to two-group dimensions, multigroup
        indices to multigroup dimensions.
    inference_indices : tuple of str, optional
        Two-group indices, aspatial or spatial, that get ``p_value`` (one-sided in the
        direction of segregation, :attr:`mixing.catalogue.IndexSpec.alternative`;
        segregation's systematic null, on the units' own geometry for a spatial index;
        +1 corrected); default those marked ``inference`` in the catalogue,
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
    integer(permutations, "permutations", 1)  # bounded before any work is done
    integer(replicates, "replicates", 2)
    valid = set(DIMENSIONS) | set(MULTI_DIMENSIONS)
    unknown = [d for d in (dimensions or ()) if d not in valid]
    if unknown:
        raise InputError(f"unknown dimensions {unknown}", fix=f"use some of {sorted(valid)}")
    unknown = [i for i in (indices or ()) if i not in INDICES]
    if unknown:
        raise InputError(f"unknown indices {unknown}", fix=f"use some of {sorted(INDICES)}")
    chosen = tuple(INDICES[i] for i in (indices if indices is not None else INDICES))
    if inference_indices is None:
        inference_indices = catalogue.names(inference=True)
    for name in inference_indices:
        if name not in catalogue.testable():
            raise InputError(f"inference is for unseeded two-group indices, got {name!r}",
                             fix=f"use some of {list(catalogue.testable())}")
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
    if not any(spec.family == "spatial" for spec in chosen) or "geometry" not in units:
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
    aspatial = [spec for spec in chosen if spec.family == "aspatial"]
    spatial = [spec for spec in chosen if spec.family == "spatial"] if inputs else []
    spatial_in, has_shape = inputs if spatial else (None, np.ones(len(group), dtype=bool))
    # every unit has geometry (the usual case): one set of draws serves every index
    whole = bool(has_shape.all())
    tested = _inference(group, total, labels, aspatial + (spatial if whole else []),
                        inference_indices, permutations, replicates, seed, geometry=spatial_in)
    if not whole:
        inside = labels[has_shape]
        spatial_tested = _inference(group[has_shape], total[has_shape], inside, spatial,
                                    inference_indices, permutations, replicates, seed,
                                    geometry=spatial_in)
        tested |= {name: tuple(_align(v, inside, missing_shape, keys) for v in values)
                   for name, values in spatial_tested.items()}
    nan = np.full(len(keys), np.nan)
    rows = []
    for spec in aspatial + spatial:
        if spec.family == "aspatial":
            kwargs = {"seed": seed} if spec.seeded else {}
            value = spec.kernel(group, total, groups=labels, **kwargs)
        else:
            inside = labels[has_shape]
            value = _align(spec.kernel(group[has_shape], total[has_shape],
                                       *inputs_for(spec, spatial_in), groups=inside),
                           inside, missing_shape, keys)
        expected, ci_low, ci_high, p_value = tested.get(spec.name, (nan, nan, nan, nan))
        rows.append(keys[_KEYS].assign(
            dimension=dim.name, index=spec.name, value=np.asarray(value, dtype=float),
            expected_under_null=expected, ci_low=ci_low, ci_high=ci_high, p_value=p_value,
            n_units=n_units))
    return rows


def _inference(group, total, labels, chosen, inference_indices, permutations,
               replicates, seed, geometry=None) -> dict[str, tuple[np.ndarray, ...]]:
    """Null expectation, bootstrap interval and p-value of every inference index.

    One pass per dimension: the null and bootstrap replicates are drawn once and every
    index is evaluated on them (:func:`mixing.kernels.inference.single_value_tests`); the
    numbers are those of one test per index, bit for bit.
    """
    specs = [spec for spec in chosen if spec.name in inference_indices]
    if not specs:
        return {}
    names = [spec.name for spec in specs]
    tests = inference.single_value_tests(names, group, total, groups=labels,
                                         geometry=geometry, permutations=permutations,
                                         seed=seed,
                                         alternative=[spec.alternative for spec in specs])
    boots = inference.bootstrap_cis(names, group, total, groups=labels, geometry=geometry,
                                    replicates=replicates, seed=seed)
    return {name: (test.expected_under_null, boot.ci_low, boot.ci_high, test.p_value)
            for name, test, boot in zip(names, tests, boots, strict=True)}


def _multigroup_rows(units, dim, keys, labels, chosen) -> list[pd.DataFrame]:
    counts = group_counts(units, dim.name)
    usable = np.isfinite(counts).all(axis=1) & (np.nan_to_num(counts).sum(axis=1) > 0)
    n_units = pd.Series(usable).groupby(labels).sum().reindex(keys["label"]).to_numpy()
    nan = np.full(len(keys), np.nan)
    return [keys[_KEYS].assign(dimension=dim.name, index=spec.name,
                               value=np.asarray(spec.kernel(counts, groups=labels), dtype=float),
                               expected_under_null=nan, ci_low=nan, ci_high=nan, p_value=nan,
                               n_units=n_units)
            for spec in chosen if spec.family == "multigroup"]


def local_index_table(units: pd.DataFrame, *, dimensions: tuple[str, ...] | None = None
                      ) -> pd.DataFrame:
    """Per-unit segregation measures, one row per unit x dimension x index (long format).

    Two-group dimensions: ``location_quotient`` (the unit's share over the municipal share)
    and ``dissimilarity_contribution`` (:math:`0.5 |x_i/X - y_i/Y|`; sums to D per municipality).
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
            args = (units[dim.group].to_numpy(dtype="float64"),
                    units[dim.total].to_numpy(dtype="float64"))
            specs = [s for s in LOCAL_INDICES.values() if not s.multigroup_counts]
            kwargs = {}
        else:
            args = (group_counts(units, name),)
            specs = [s for s in LOCAL_INDICES.values() if s.multigroup_counts]
            kwargs = {"empty": "nan"}
        for spec in specs:
            value = spec.kernel(*args, groups=labels, **kwargs)
            frames.append(base.assign(dimension=name, index=spec.name,
                                      value=np.asarray(value, dtype=float)))
    if not frames:
        return pd.DataFrame(columns=LOCAL_COLUMNS)
    return pd.concat(frames, ignore_index=True)[LOCAL_COLUMNS]
