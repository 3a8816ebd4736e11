r"""Aggregate buurten to wijken or gemeenten: dissolve, sum counts, weight the means.

Notes
-----
For a group :math:`g` of units :math:`i`:

* counts: :math:`N_g = \sum_{i \in g,\ N_i \text{ known}} N_i`, NaN only when every part
  is unknown. When some parts are unknown the sum is a lower bound; a
  :class:`PartialSumWarning` names the column and how many parts were unknown.
* intensive values: weighted means over the parts where both value and weight are known,
  ``mean_income`` weighted by population (it is income per inhabitant) and ``mean_woz`` by
  dwellings (it is the mean value per dwelling).
* geometry: union of the parts; ``is_water`` only when every part is water; ``is_uninhabited``
  is recomputed from the sums. Aggregated units are named by their code (CBS buurt tables
  carry no wijk names).
"""

from __future__ import annotations

import warnings

import geopandas as gpd
import pandas as pd

from mixing.checks import quiet
from mixing.errors import InputError
from mixing.schema import (
    CANONICAL_COLUMNS,
    COUNT_COLUMNS,
    CRS,
    IDENTITY_COLUMNS,
    uninhabited,
)

__all__ = ["aggregate_units", "PartialSumWarning", "INTENSIVE_WEIGHTS", "finalise"]

#: Intensive column -> the count it is a mean over.
INTENSIVE_WEIGHTS = {"mean_income": "population", "mean_woz": "dwellings"}

_SOURCES = {"wijk": ("buurt",), "gemeente": ("buurt", "wijk")}


class PartialSumWarning(UserWarning):
    """An aggregated count summed only its known parts."""


def finalise(units: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Canonical column order and dtypes (identity text as object, like ``empty_units``)."""
    units = units[list(CANONICAL_COLUMNS)].copy()
    for column in IDENTITY_COLUMNS:
        if column != "year":
            units[column] = units[column].astype(object).where(units[column].notna(), None)
    units["year"] = units["year"].astype("int64")
    return units


def _weighted_means(units: pd.DataFrame, keys: list[pd.Series]) -> pd.DataFrame:
    out = {}
    for column, weight_column in INTENSIVE_WEIGHTS.items():
        value, weight = units[column], units[weight_column]
        usable = value.notna() & weight.notna()
        weight = weight.where(usable, 0.0)
        numerator = (value.fillna(0.0) * weight).groupby(keys).sum()
        denominator = weight.groupby(keys).sum()
        with quiet():
            out[column] = (numerator / denominator).where(denominator > 0)
    return pd.DataFrame(out)


def _warn_partial(units: pd.DataFrame, keys: list[pd.Series], sums: pd.DataFrame,
                  level: str) -> None:
    unknown = units[list(COUNT_COLUMNS)].isna().groupby(keys).sum()
    for column in COUNT_COLUMNS:
        partial = (unknown[column] > 0) & sums[column].notna()
        if partial.any():
            warnings.warn(
                f"{column}: {int(unknown[column][partial].sum())} of {len(units)} parts were "
                f"unknown; {int(partial.sum())} {level} sums use the known parts only "
                "(lower bounds)", PartialSumWarning, stacklevel=3)


def aggregate_units(units: gpd.GeoDataFrame, level: str) -> gpd.GeoDataFrame:
    """Aggregate a canonical units table to ``level`` ("wijk" or "gemeente").

    Parameters
    ----------
    units : geopandas.GeoDataFrame
        Canonical units (buurten; for gemeente also wijken), EPSG:28992.
    level : {"wijk", "gemeente"}

    Returns
    -------
    geopandas.GeoDataFrame
        Canonical units of ``level``, one row per wijk/gemeente and year, sorted by code.

    Examples
    --------
    >>> wijken = aggregate_units(buurten, "wijk")  # doctest: +SKIP
    >>> bool(wijken.population.sum() == buurten.population.sum())  # doctest: +SKIP
    True
    """
    if level not in _SOURCES:
        raise InputError("can only aggregate to 'wijk' or 'gemeente'", column="level",
                         value=level, fix="pass level='wijk' or level='gemeente'")
    bad = ~units["level"].isin(_SOURCES[level])
    if bad.any():
        raise InputError(f"cannot aggregate {units['level'][bad].iloc[0]} units to {level}",
                         column="level", value=units["level"][bad].iloc[0],
                         fix=f"aggregate units of level {_SOURCES[level]}")
    code = units["wijk_code"] if level == "wijk" else units["municipality_code"]
    code = code.rename("unit_code")
    keys = [code, units["year"]]
    sums = units[list(COUNT_COLUMNS)].groupby(keys).sum(min_count=1)
    _warn_partial(units, keys, sums, level)
    first = units[["municipality_code", "municipality_name"]].groupby(keys).first()
    water = units["is_water"].astype(bool).groupby(keys).all()
    means = _weighted_means(units, keys)
    has_shape = ~units.geometry.isna() & ~units.geometry.is_empty
    if has_shape.any():
        shapes = gpd.GeoDataFrame({"unit_code": code, "year": units["year"]},
                                  geometry=units.geometry.where(has_shape), crs=CRS)
        shapes = shapes[has_shape].dissolve(by=["unit_code", "year"]).geometry
    else:
        shapes = gpd.GeoSeries([], crs=CRS, index=sums.index[:0])
    out = pd.concat([first, sums, means], axis=1).reset_index()
    out["unit_name"] = out["unit_code"]
    out["level"] = level
    out["wijk_code"] = None
    out["is_water"] = water.to_numpy()
    out["is_uninhabited"] = uninhabited(out)
    geometry = shapes.reindex(pd.MultiIndex.from_frame(out[["unit_code", "year"]])).to_numpy()
    result = gpd.GeoDataFrame(out, geometry=gpd.GeoSeries(geometry, crs=CRS), crs=CRS)
    return finalise(result.sort_values("unit_code", ignore_index=True))
