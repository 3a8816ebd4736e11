"""Run many municipalities in one process: read shared sources once, split results per code.

A national run has 342 municipalities; paying Python start-up, imports and the read of a
national boundary file once per municipality would dominate the run time. The workflow
therefore hands each job a *batch* of municipalities; this module does the per-batch
bookkeeping so the scripts stay thin.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterable, Mapping, Sequence

import geopandas as gpd
import pandas as pd

from mixing.errors import InputError
from mixing.io.aggregate import aggregate_units
from mixing.io.cbs import NoNamesWarning, read_units
from mixing.io.demo import is_synthetic
from mixing.io.names import resolve_names, unnamed
from mixing.io.readers.geo import GeometryRepairedWarning

__all__ = ["make_batches", "repair_batch", "batch_members", "home_batch", "read_batch",
           "split_by_municipality"]


def make_batches(municipalities: Sequence[str], size: int) -> dict[str, list[str]]:
    """Split sorted municipality codes into named batches of at most ``size``.

    A batch of one is named by its code (``GM0518``), a larger one by its first and last
    code (``GM0003-GM0363``), so logs and job names say what they cover.
    """
    if size < 1:
        raise ValueError(f"batch_size must be >= 1, got {size}")
    codes = sorted(municipalities)
    batches = {}
    for start in range(0, len(codes), size):
        members = codes[start:start + size]
        name = members[0] if len(members) == 1 else f"{members[0]}-{members[-1]}"
        batches[name] = members
    return batches


def repair_batch(code: str) -> str:
    """The batch that makes one municipality's files again: ``GM0518-GM0518``.

    A batch is named by its first and last code; a batch of one configured municipality is
    named by the code alone (:func:`make_batches`), so this name never is a configured
    batch and its folder never is the folder of one (``results/batches/{batch}/{rule}``).
    """
    return f"{code}-{code}"


def batch_members(name: str, batches: Mapping[str, Sequence[str]]) -> list[str]:
    """The municipalities of batch ``name``: a configured batch, or ``FIRST-LAST``.

    ``FIRST-LAST`` that is not configured (a :func:`repair_batch`) holds the configured
    codes from FIRST to LAST; they must lie in one configured batch, whose results (the
    units, weights, ...) the job reads (:func:`home_batch`).

    Raises
    ------
    InputError
        When ``name`` covers no configured code, or codes of several configured batches.
    """
    if name in batches:
        return list(batches[name])
    first, _, last = name.partition("-")
    codes = sorted(c for members in batches.values() for c in members
                   if first <= c <= (last or first))
    homes = [batch for batch, members in batches.items() if set(members) & set(codes)]
    if len(homes) != 1:
        raise InputError(
            f"batch {name!r} is no configured batch and its codes lie in "
            f"{len(homes)} configured batches",
            fix=f"use one of {list(batches)[:5]} or one municipality's batch "
                f"{repair_batch(first)!r}")
    return codes


def home_batch(name: str, batches: Mapping[str, Sequence[str]]) -> str:
    """The configured batch that holds the municipalities of batch ``name``."""
    if name in batches:
        return name
    first = batch_members(name, batches)[0]
    return next(batch for batch, members in batches.items() if first in members)


def _source_key(source: Mapping) -> str:
    """Municipalities with identical sources are read together, in one call."""
    shared = {k: v for k, v in source.items() if k in ("geometry", "table", "year", "level",
                                                       "layer", "columns", "regions")}
    return json.dumps(shared, sort_keys=True, default=str)


def read_batch(
    sources: Mapping[str, Mapping], levels: Iterable[str] = ("buurt",), *,
    allow_unusable: bool = False,
) -> dict[str, gpd.GeoDataFrame]:
    """Read the units of every municipality in ``sources`` at every level in ``levels``.

    Parameters
    ----------
    sources : mapping
        Municipality code -> source: ``geometry`` and/or ``table`` paths (already resolved),
        ``year``, ``level``, ``layer``, ``columns``, ``regions`` (postcode sources: the
        boundaries that place each postcode in a municipality; see config/README.md).
        Municipalities that share the same files are read with one
        :func:`mixing.io.cbs.read_units` call. Units
        without a name get one from ``name_inputs`` (the municipality's other inputs,
        e.g. its other years) and then from ``names`` (the config's names files), by
        :func:`mixing.io.names.resolve_names`.
    levels : iterable of str
        Levels to produce; levels coarser than the source level are aggregated.
    allow_unusable : bool
        Passed to :func:`mixing.io.cbs.read_units`: read a municipality without any known
        population or dwellings instead of raising (the workflow then decides, per
        municipality, with :func:`mixing.io.plausible.usable`).

    Returns
    -------
    dict
        Municipality code -> canonical units table (levels stacked), in input order. Its
        ``attrs["repaired_geometries"]`` counts the boundaries of its boundary file that
        were repaired on reading (:mod:`mixing.tables.caveats`).
    """
    groups: dict[str, list[str]] = {}
    for code, source in sources.items():
        groups.setdefault(_source_key(source), []).append(code)
    result: dict[str, gpd.GeoDataFrame] = {}
    for codes in groups.values():
        source = sources[codes[0]]
        demo = all(is_synthetic(code) for code in codes)
        tables = source.get("table")
        if isinstance(tables, list) and len(tables) == 1:
            tables = tables[0]
        named = any(sources[c].get("names") or sources[c].get("name_inputs") for c in codes)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("default")
            if named:  # names may come from the other sources: counted after resolving
                warnings.simplefilter("ignore", NoNamesWarning)
            units = read_units(
                geometry=source.get("geometry"), table=tables,
                level=source.get("level", "buurt"), year=source.get("year"),
                columns=source.get("columns"), layer=source.get("layer"),
                municipality=None if demo else codes, regions=source.get("regions"),
                allow_unusable=allow_unusable,
            )
        repaired = 0
        for record in caught:  # passed on unchanged; the repair count is kept as data
            if isinstance(record.message, GeometryRepairedWarning):
                repaired += record.message.count
            warnings.warn_explicit(record.message, record.category, record.filename,
                                   record.lineno, source=record.source)
        frames = [units] + [aggregate_units(units, level) for level in levels
                            if level != source.get("level", "buurt")]
        stacked = pd.concat(frames, ignore_index=True)
        result.update(split_by_municipality(stacked, codes))
        for code in codes:
            if named:
                result[code] = _named(result[code], sources[code])
            result[code].attrs["repaired_geometries"] = repaired
    return {code: result[code] for code in sources}


def _named(units: gpd.GeoDataFrame, source: Mapping) -> gpd.GeoDataFrame:
    """Names from the municipality's other sources; a warning counts the units still unnamed."""
    units = resolve_names(units, source.get("name_inputs", ()), source.get("names", ()))
    left = unnamed(units)
    for level, count in units.loc[left, "level"].value_counts(sort=False).items():
        if level in ("buurt", "wijk"):
            warnings.warn(f"{units['municipality_code'].iat[0]}: {count} of "
                          f"{int((units['level'] == level).sum())} {level} units have no name "
                          "in any source of the run; unit_name holds the code (add a CBS file "
                          "with codes and names under names: in the config)", NoNamesWarning,
                          stacklevel=3)
    return units


def split_by_municipality(frame: pd.DataFrame, codes: Sequence[str]) -> dict[str, pd.DataFrame]:
    """Rows of ``frame`` per municipality code, for every code in ``codes`` (empty if absent)."""
    parts = dict(tuple(frame.groupby("municipality_code", sort=False)))
    return {code: parts.get(code, frame.iloc[0:0]).reset_index(drop=True) for code in codes}
