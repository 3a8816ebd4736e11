"""Unit names from every source of a run: :func:`resolve_names`.

CBS OData kerncijfers (84583NED as the shared Den Haag and Amsterdam files have it) and the
national boundary file carry codes only, so maps would say ``BU05182916`` where a policy
officer looks for Moerwijk. The name of a code is often in another input of the same run
(another year's table of the same municipality) or in any CBS file with codes and names
(the ``names:`` files of the config, e.g. the national 2024 table). This module fills
``unit_name`` from those, in a stated order; the code stays in ``unit_code``, and a unit
whose name is found nowhere keeps its code as its name (:func:`unnamed` counts those).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import pandas as pd

from mixing.errors import InputError
from mixing.io.cbs import read_names

__all__ = ["resolve_names", "unnamed"]

PathLike = str | os.PathLike


@lru_cache(maxsize=16)
def _cached(path: str, stamp: float) -> pd.Series:
    return read_names(path)


def _names(path: PathLike, required: bool) -> pd.Series:
    if not Path(path).is_file():
        raise InputError("file not found", file=path,
                         fix="check the names: path (relative to the repository)")
    try:
        return _cached(str(Path(path).resolve()), os.path.getmtime(path))
    except InputError:
        if required:
            raise
        return pd.Series(dtype=object)


def unnamed(units: pd.DataFrame) -> pd.Series:
    """``True`` for each unit without a name of its own (its name is missing or its code).

    Examples
    --------
    >>> import pandas as pd
    >>> units = pd.DataFrame({"unit_code": ["BU1", "BU2"], "unit_name": ["BU1", "Oost"]})
    >>> unnamed(units).tolist()
    [True, False]
    """
    names = units["unit_name"]
    return names.isna() | (names.astype(str).str.strip() == "") | (
        names.astype(str) == units["unit_code"].astype(str))


def resolve_names(units: pd.DataFrame, inputs: Sequence[PathLike] = (),
                  names: Sequence[PathLike] = ()) -> pd.DataFrame:
    """``units`` with every missing ``unit_name`` filled from the first source naming its code.

    Parameters
    ----------
    units : DataFrame
        A canonical units table (any levels). Names it already has are kept.
    inputs : sequence of path
        The run's other inputs for this municipality, in order of preference (the nearest
        other year first). A file without names (a boundary file with codes only) is
        simply not a source of names.
    names : sequence of path
        The ``names:`` files of the config, tried after ``inputs``: any CBS file with codes
        and names (:func:`mixing.io.cbs.read_names`).

    Returns
    -------
    DataFrame
        A copy; only ``unit_name`` differs. ``unit_code`` is never changed.

    Raises
    ------
    InputError
        A ``names`` file that is missing or has no code or name column; an ``inputs`` file
        that is missing.
    """
    result = units.copy()
    sources = [(p, False) for p in inputs] + [(p, True) for p in names]
    for path, required in sources:
        missing = unnamed(result)
        if not missing.any():
            break
        found = result.loc[missing, "unit_code"].astype(str).map(_names(path, required))
        found = found[found.notna()]
        result.loc[found.index, "unit_name"] = found.astype(object)
    return result
