"""Run many municipalities in one process: read shared sources once, split results per code.

A national run has 342 municipalities; paying Python start-up, imports and the read of a
national boundary file once per municipality would dominate the run time. The workflow
therefore hands each job a *batch* of municipalities; this module does the per-batch
bookkeeping so the scripts stay thin.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence

import geopandas as gpd
import pandas as pd

from mixing.geometry.aggregate import aggregate_units
from mixing.io.cbs import read_units
from mixing.io.demo import is_synthetic

__all__ = ["make_batches", "read_batch", "split_by_municipality"]


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


def _source_key(source: Mapping) -> str:
    """Municipalities with identical sources are read together, in one call."""
    shared = {k: v for k, v in source.items() if k in ("geometry", "table", "year", "level",
                                                       "layer", "columns")}
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
        ``year``, ``level``, ``layer``, ``columns`` (see config/README.md). Municipalities
        that share the same files are read with one :func:`mixing.io.cbs.read_units` call.
    levels : iterable of str
        Levels to produce; levels coarser than the source level are aggregated.
    allow_unusable : bool
        Passed to :func:`mixing.io.cbs.read_units`: read a municipality without any known
        population or dwellings instead of raising (the workflow then decides, per
        municipality, with :func:`mixing.io.plausible.usable`).

    Returns
    -------
    dict
        Municipality code -> canonical units table (levels stacked), in input order.
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
        units = read_units(
            geometry=source.get("geometry"), table=tables, level=source.get("level", "buurt"),
            year=source.get("year"), columns=source.get("columns"), layer=source.get("layer"),
            municipality=None if demo else codes, allow_unusable=allow_unusable,
        )
        frames = [units] + [aggregate_units(units, level) for level in levels
                            if level != source.get("level", "buurt")]
        stacked = pd.concat(frames, ignore_index=True)
        result.update(split_by_municipality(stacked, codes))
    return {code: result[code] for code in sources}


def split_by_municipality(frame: pd.DataFrame, codes: Sequence[str]) -> dict[str, pd.DataFrame]:
    """Rows of ``frame`` per municipality code, for every code in ``codes`` (empty if absent)."""
    parts = dict(tuple(frame.groupby("municipality_code", sort=False)))
    return {code: parts.get(code, frame.iloc[0:0]).reset_index(drop=True) for code in codes}
