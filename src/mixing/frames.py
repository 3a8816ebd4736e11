"""Frame-level wrappers: canonical units table in, tidy index tables out.

Kernels in :mod:`mixing.indices` take arrays; this module picks the columns for each
*dimension* (which group against which total) and computes every index for every
(municipality, year, level) in one vectorised call per index.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mixing import indices as kernels

__all__ = ["Dimension", "DIMENSIONS", "DEFAULT_INDICES", "index_table", "INDEX_COLUMNS"]


@dataclass(frozen=True)
class Dimension:
    """A two-group comparison: ``group`` counts out of ``total`` counts, per unit."""

    name: str
    group: str
    total: str
    description: str


DIMENSIONS = {
    d.name: d
    for d in (
        Dimension("social_housing", "dwellings_social", "dwellings",
                  "dwellings owned by housing corporations vs all dwellings"),
        Dimension("low_income", "households_low_income", "households",
                  "low-income households vs all households"),
        Dimension("migration", "population_migration_nonwestern", "population",
                  "residents with a non-western migration background vs all residents"),
        Dimension("origin_outside_europe", "population_origin_outside_europe", "population",
                  "residents born outside Europe or with a parent born there (CBS 2022+) "
                  "vs all residents"),
    )
}

DEFAULT_INDICES = ("dissimilarity", "isolation", "exposure")

INDEX_COLUMNS = ["municipality_code", "year", "level", "dimension", "index", "value", "n_units"]

_KEYS = ["municipality_code", "year", "level"]


def index_table(
    units: pd.DataFrame,
    *,
    dimensions: tuple[str, ...] | None = None,
    indices: tuple[str, ...] = DEFAULT_INDICES,
) -> pd.DataFrame:
    """Compute two-group indices for every (municipality, year, level) in ``units``.

    Parameters
    ----------
    units : DataFrame
        Canonical units table (see :mod:`mixing.schema`); several municipalities, years and
        levels may be stacked.
    dimensions : tuple of str, optional
        Names from :data:`DIMENSIONS`. Default: every dimension whose group column has at
        least one known value.
    indices : tuple of str
        Kernel names from :mod:`mixing.indices`.

    Returns
    -------
    DataFrame
        Tidy table with columns ``municipality_code, year, level, dimension, index, value,
        n_units``; ``n_units`` counts the units that enter the index (known, non-zero total).
        Water-only and empty units never enter: their total is zero or unknown.
    """
    unknown = [d for d in (dimensions or ()) if d not in DIMENSIONS]
    if unknown:
        raise ValueError(f"unknown dimensions {unknown}; valid: {sorted(DIMENSIONS)}")
    unknown = [i for i in indices if not callable(getattr(kernels, i, None))]
    if unknown:
        raise ValueError(f"unknown indices {unknown}; valid: {sorted(kernels.__all__)}")
    if dimensions is None:
        dimensions = tuple(
            name for name, d in DIMENSIONS.items()
            if d.group in units and units[d.group].notna().any()
        )

    by_key = units.groupby(_KEYS, sort=True, dropna=False)
    group_ids = by_key.ngroup().to_numpy()
    keys = by_key.size().index.to_frame(index=False)

    frames = []
    for name in dimensions:
        dim = DIMENSIONS[name]
        group = units[dim.group].to_numpy(dtype="float64")
        total = units[dim.total].to_numpy(dtype="float64")
        usable = np.isfinite(group) & np.isfinite(total) & (total > 0)
        n_units = np.bincount(group_ids[usable], minlength=len(keys))
        for index in indices:
            values = getattr(kernels, index)(group, total, groups=group_ids)
            frames.append(keys.assign(dimension=name, index=index, value=values, n_units=n_units))
    if not frames:
        return pd.DataFrame(columns=INDEX_COLUMNS)
    table = pd.concat(frames, ignore_index=True)[INDEX_COLUMNS]
    return table.sort_values(_KEYS + ["dimension", "index"], kind="stable", ignore_index=True)
