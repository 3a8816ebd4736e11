"""What a reader of a municipality's results should know about its data: the caveats table.

Written by the ingest step as ``results/{municipality}/caveats.csv`` and shown as a short
"Let op" block on the map, the scenario page and the overview (:mod:`mixing.viz.caveats`),
and counted in the console summary at the end of a run. Every row is computed from the
units table itself (and the boundary file's repair count), not parsed from the logs:

``hidden``
    values of a column CBS kept secret or did not publish (NaN in a column that the source
    has), per column, at the source level;
``lower_bound``
    wijk or gemeente sums of a count with unknown parts: the known parts only, so a lower
    bound (:func:`mixing.io.aggregate.aggregate_units`);
``unnamed``
    units no source of the run names (:mod:`mixing.io.names`): the pages show their code;
``no_geometry``
    units whose code is not in the boundary file: in the tables, not on the map;
``repaired``
    invalid boundaries of the boundary file repaired with ``shapely.make_valid`` (the count
    is the whole file's).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
import shapely

from mixing.io.names import unnamed
from mixing.schema import COUNT_COLUMNS, INTENSIVE_COLUMNS

__all__ = ["CAVEAT_COLUMNS", "CAVEAT_KINDS", "caveat_table", "run_summary"]

#: Columns of caveats.csv.
CAVEAT_COLUMNS = ("municipality_code", "kind", "level", "column", "count", "total")
#: The kinds of caveat, in the order the pages list them.
CAVEAT_KINDS = ("hidden", "lower_bound", "unnamed", "no_geometry", "repaired")


def _rows(code: str, kind: str, level: str, counts: pd.Series, total) -> list[dict]:
    return [{"municipality_code": code, "kind": kind, "level": level, "column": column,
             "count": int(n), "total": total} for column, n in counts.items() if n > 0]


def caveat_table(units: pd.DataFrame, *, source_level: str = "buurt",
                 repaired: int = 0) -> pd.DataFrame:
    """The caveats of one municipality's units table (all its levels), one row per caveat.

    Parameters
    ----------
    units : DataFrame
        Canonical units of ONE municipality, levels stacked (the ingest output).
    source_level : str
        The level the source was read at; coarser levels are its sums.
    repaired : int
        How many boundaries of the boundary file were repaired when it was read.

    Returns
    -------
    DataFrame
        :data:`CAVEAT_COLUMNS`: ``count`` of ``total`` units (``total`` empty for
        ``repaired``), rows in :data:`CAVEAT_KINDS` order; no rows when there is nothing to
        say.

    Examples
    --------
    >>> from mixing.io.demo import make_demo_city
    >>> caveat_table(make_demo_city())[["kind", "column", "count", "total"]]
    ... # doctest: +NORMALIZE_WHITESPACE
         kind       column  count  total
    0  hidden  mean_income      6    135
    1  hidden     mean_woz      6    135
    """
    if units.empty:
        return pd.DataFrame(columns=list(CAVEAT_COLUMNS))
    code = str(units["municipality_code"].iat[0])
    finest = units[units["level"] == source_level]
    rows: list[dict] = []
    columns = [c for c in COUNT_COLUMNS + INTENSIVE_COLUMNS if c in finest]
    missing = finest[columns].isna()
    # a column the source does not have at all is not hidden: it is absent
    hidden = missing.sum()[missing.sum() < len(finest)]
    rows += _rows(code, "hidden", source_level, hidden, len(finest))
    if "wijk_code" in finest and source_level == "buurt":
        counts = [c for c in COUNT_COLUMNS if c in hidden.index and hidden[c] > 0]
        for level, key in (("wijk", finest["wijk_code"]), ("gemeente", None)):
            if counts and (units["level"] == level).any():
                groups = missing[counts].groupby(key if key is not None else 0 * missing.index)
                partial = groups.any() & ~groups.all()
                rows += _rows(code, "lower_bound", level, partial.sum(), len(partial))
    for level in ("buurt", "wijk"):
        at = units[units["level"] == level]
        if len(at):
            rows += _rows(code, "unnamed", level, pd.Series({"unit_name": unnamed(at).sum()}),
                          len(at))
    shapes = finest.geometry.to_numpy() if "geometry" in finest else None
    if shapes is not None and not (shapely.is_missing(shapes)).all():
        blank = shapely.is_missing(shapes) | shapely.is_empty(shapes)
        rows += _rows(code, "no_geometry", source_level, pd.Series({"geometry": blank.sum()}),
                      len(finest))
    if repaired:
        rows += _rows(code, "repaired", source_level, pd.Series({"geometry": repaired}), None)
    table = pd.DataFrame(rows, columns=list(CAVEAT_COLUMNS)).astype({"total": "Int64"})
    order = table["kind"].map({k: i for i, k in enumerate(CAVEAT_KINDS)})
    return table.iloc[order.argsort(kind="stable")].reset_index(drop=True)


#: What the console summary says per kind: (one, many) with the count of units.
_CONSOLE = {
    "hidden": "{count} values hidden by CBS in {columns} column(s)",
    "lower_bound": "{count} {level} totals (over {columns} column(s)) are lower bounds",
    "unnamed": "{count} {level} unit(s) without a name",
    "no_geometry": "{count} {level} unit(s) not in the boundary file (not on the map)",
    "repaired": "{count} boundaries repaired in the boundary file",
}


def run_summary(paths: Mapping[str, str | os.PathLike], shown: int = 10) -> str:
    """The caveats of a run as a few console lines (the workflow's ``onsuccess``).

    Parameters
    ----------
    paths : mapping
        ``municipality_code`` -> its caveats.csv; missing files (municipalities without
        data) are counted as such.
    shown : int
        Up to this many municipalities get a line each; more are summed in one line.
    """
    frames = {code: pd.read_csv(path) for code, path in paths.items() if Path(path).is_file()}
    lines = [f"mixing: {len(frames)} municipalities with results"
             + (f", {len(paths) - len(frames)} without data" if len(paths) > len(frames)
                else "") + "; caveats per municipality in results/{code}/caveats.csv"]

    def words(table: pd.DataFrame) -> str:
        parts = []
        for (kind, level), rows in table.groupby(["kind", "level"], sort=False):
            count = int(rows["count"].max() if kind == "repaired" else rows["count"].sum())
            parts.append(_CONSOLE[kind].format(count=count, level=level,
                                               columns=rows["column"].nunique()))
        return "; ".join(parts) or "none"

    if len(frames) <= shown:
        lines += [f"mixing: let op {code}: {words(table)}" for code, table in frames.items()]
    elif frames:
        stacked = pd.concat(frames.values(), ignore_index=True)
        with_any = sum(not t.empty for t in frames.values())
        lines.append(f"mixing: let op ({with_any} of {len(frames)} municipalities): "
                     f"{words(stacked[stacked['kind'] != 'repaired'])}")
    return "\n".join(lines)
