"""What CBS data can look like: the plausibility layer beside the missing-data policy.

:mod:`mixing.io.missing` decides what is *hidden* (``.``, sentinels: NaN with a warning).
This module decides what is *impossible*, so that a wrong file stops with an
:class:`~mixing.errors.InputError` naming file, column, line (text files) or feature (map
files), value and fix, instead of giving a silently wrong table. Only documented CBS
artefacts are warnings that count them (hidden values; parts a few units above their whole
because CBS rounds every count on its own, see :func:`mixing.io.missing.clip_to_wholes`).

The rules and why
-----------------
Counts are finite whole numbers >= 0.
    CBS publishes people, households and dwellings as whole numbers, rounded to 5 in
    small units. ``inf``, ``123.5`` or ``-5`` (not a sentinel) cannot come from CBS.
    Counts that a reader *derived* from a percentage (``% corporation-owned x dwellings``)
    are fractional by construction and exempt from the whole-number rule; the reader
    passes their names as ``derived``.
A part is at most its whole, plus :data:`ROUNDING_SLACK`.
    Parts and wholes are rounded independently to multiples of 5, so a part can exceed
    its whole by at most 5 (2.5 up + 2.5 down). The real files in ``shared/data/cbs``
    (2014-2024, buurt to gemeente) never exceed by more than 5. A larger excess is an error.
Households are at most the population (plus :data:`ROUNDING_SLACK`).
    Every household has at least one member.
Magnitudes per level (:data:`MAX_COUNT`).
    The largest buurt of 2024 has 29,660 inhabitants (Groot IJsselmonde), the largest wijk
    97,430 (Rotterdam WK059914), the largest municipality 931,298 (Amsterdam), all from
    85984NED. The bounds are about three times those (gemeente: twice), so growth never
    trips them and a misplaced factor of 1,000 (a unit read as thousands) always does.
    PC4 areas hold up to about 30,000 inhabitants, PC6 areas up to a few thousand.
Intensive values (:data:`MAX_INTENSIVE`).
    Mean income per inhabitant (x 1,000 euro) below 1,000; mean WOZ value (x 1,000 euro)
    below 20,000 (20 million euro, some 10 times the dearest buurt).
Years (:data:`FIRST_YEAR` .. current year + 1).
    CBS' wijk- en buurtstatistiek starts in 1995; data are published up to a year ahead of
    the reference date at most.
Geometry inside the Netherlands (:mod:`mixing.io.outline`).
    At least half of every feature's area lies within the national outline shipped with
    the package (the 2019 CBS buurten, closed over the IJsselmeer and Wadden Sea, widened
    by 5 km). The rectangle that Kadaster/NSGI give for RD (x 0 .. 300 km,
    y 289 .. 629 km), used before, holds much of Belgium and Germany: a buurt moved 200 km
    east passed it.

A municipality with no usable data (population and dwellings unknown or zero in every unit,
like the PDOK 2021 GeoPackage of Ermelo) cannot be measured: :func:`usable` says why, and
:func:`mixing.io.cbs.read_units` raises unless ``allow_unusable=True``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd
import shapely

from mixing.checks import quiet
from mixing.errors import InputError
from mixing.schema import COUNT_COLUMNS, SUBGROUP_OF

__all__ = [
    "ROUNDING_SLACK",
    "MAX_COUNT",
    "MAX_INTENSIVE",
    "FIRST_YEAR",
    "last_year",
    "check_year",
    "check_counts",
    "check_coordinates",
    "check_inside",
    "usable",
]

#: The most a part may exceed its whole through CBS' independent rounding to 5.
ROUNDING_SLACK = 5.0

#: Largest plausible count (people, households or dwellings) of one unit, per level.
MAX_COUNT = {
    "buurt": 100_000.0,
    "wijk": 300_000.0,
    "gemeente": 2_000_000.0,
    "pc4": 100_000.0,
    "pc6": 20_000.0,
}

#: Largest plausible intensive value (both in x 1,000 euro).
MAX_INTENSIVE = {"mean_income": 1_000.0, "mean_woz": 20_000.0}

#: First year of CBS' wijk- en buurtstatistiek.
FIRST_YEAR = 1995

Locate = Callable[[object], dict]


def last_year() -> int:
    """The latest year CBS data can describe: next year."""
    return datetime.date.today().year + 1


def check_year(year: object, *, file: object = None, where: str = "year=") -> int:
    """``year`` as an int within CBS' range, or an InputError."""
    if isinstance(year, bool) or not isinstance(year, int | np.integer):
        raise InputError(f"{where} must be a whole year", file=file, value=year,
                         fix="pass year=2019")
    if not FIRST_YEAR <= int(year) <= last_year():
        raise InputError(
            f"{where} {year} is outside CBS' wijk- en buurtstatistiek "
            f"({FIRST_YEAR} .. {last_year()})", file=file, value=year,
            fix="pass the reference year of the data, e.g. year=2019")
    return int(year)


def _first(mask: np.ndarray, index: pd.Index) -> object:
    return index[int(np.flatnonzero(mask)[0])]


def check_counts(units: pd.DataFrame, *, file: object, level: str,
                 derived: Iterable[str] = (), sources: dict[str, str] | None = None,
                 locate: Locate | None = None) -> None:
    """Raise for any count or intensive value CBS cannot have published.

    Parameters
    ----------
    units : DataFrame
        Canonical columns; the index labels are passed to ``locate``.
    file : object
        Named in messages.
    level : str
        The units' level (selects :data:`MAX_COUNT`).
    derived : iterable of str
        Count columns computed from a percentage (fractions allowed).
    sources : dict, optional
        canonical -> source column name, so messages name the column of the file.
    locate : callable, optional
        Row label -> ``{"line": n}`` or ``{"feature": n}``.
    """
    locate = locate or (lambda label: {"row": label})
    sources = sources or {}
    derived = set(derived)
    limit = MAX_COUNT.get(level, max(MAX_COUNT.values()))

    def fail(column, mask, problem, fix):
        label = _first(mask, units.index)
        raise InputError(f"{problem}; {int(mask.sum())} unit(s) like this", file=file,
                         column=sources.get(column, column), value=units.at[label, column],
                         fix=fix, **locate(label))

    for column in [c for c in COUNT_COLUMNS + tuple(MAX_INTENSIVE) if c in units]:
        values = units[column].to_numpy(dtype="float64")
        known = ~np.isnan(values)
        if np.isinf(values).any():
            fail(column, np.isinf(values), "not a finite number",
                 "correct the source value (CBS writes '.' for an unknown value)")
        if (values[known] < 0).any():
            fail(column, known & (np.nan_to_num(values) < 0),
                 "negative value that is not a CBS sentinel (-99995 ... -99999999)",
                 "correct the source value")
        if column in MAX_INTENSIVE:
            too_big = known & (np.nan_to_num(values) > MAX_INTENSIVE[column])
            if too_big.any():
                fail(column, too_big, f"implausibly large (above {MAX_INTENSIVE[column]:g}; "
                     "the unit is x 1,000 euro)",
                     "check the unit of the column (euro instead of x 1,000 euro?)")
            continue
        if column not in derived:
            fractional = known & (np.nan_to_num(values) % 1 != 0)
            if fractional.any():
                fail(column, fractional,
                     "a count must be a whole number (CBS publishes whole people, households "
                     "and dwellings)",
                     "check the decimal and thousands separators of the file; if the column "
                     "is a percentage, map it with columns={..: {'column': .., 'unit': "
                     "'percent'}}")
        too_big = known & (np.nan_to_num(values) > limit)
        if too_big.any():
            fail(column, too_big, f"implausibly large for one {level} (above {limit:,.0f}; "
                 "the largest Dutch municipality has about 930,000 inhabitants)",
                 "check the column mapping and the thousands separators of the file")
    if {"households", "population"} <= set(units):
        excess = (units["households"] - units["population"]).to_numpy(dtype="float64")
        with quiet():
            over = excess > ROUNDING_SLACK
        if over.any():
            fail("households", over,
                 "more households than inhabitants (beyond CBS rounding)",
                 "check that households and population are mapped to the right columns")
    for part, whole in SUBGROUP_OF.items():
        if part not in units or whole not in units:
            continue
        excess = (units[part] - units[whole]).to_numpy(dtype="float64")
        with quiet():
            over = excess > ROUNDING_SLACK
        if over.any():
            fail(part, over, f"{part} is larger than its whole {whole} by more than CBS "
                 f"rounding explains (at most {ROUNDING_SLACK:g})",
                 f"check that {part} and {whole} are mapped to the right source columns and "
                 "units (a percentage read as a count?)")


def check_coordinates(values: np.ndarray, *, file: object) -> None:
    """Raise for a feature with NaN or infinite coordinates (GEOS cannot handle them)."""
    coordinates, index = shapely.get_coordinates(values, return_index=True)
    bad = ~np.isfinite(coordinates).all(axis=1)
    if bad.any():
        position = int(index[int(np.flatnonzero(bad)[0])])
        raise InputError(
            "the geometry has coordinates that are not numbers (NaN or infinite)",
            file=file, feature=position + 1, value=coordinates[bad][0].tolist(),
            fix="repair or remove this feature in a GIS (e.g. QGIS 'Check validity')")


def check_inside(values: np.ndarray, *, file: object, codes: pd.Series | None = None) -> None:
    """Raise for a feature (in EPSG:28992) that lies outside the Netherlands.

    Outside means less than half of its area within the shipped national outline
    (:func:`mixing.io.outline.outside`), not a rectangle: a rectangle holds much of Belgium
    and Germany.
    """
    from mixing.io.outline import outside

    bad = outside(values)
    if bad.any():
        position = int(np.flatnonzero(bad)[0])
        code = "" if codes is None else f" (code {codes.iloc[position]!r})"
        centre = shapely.centroid(values[position])
        raise InputError(
            f"a feature{code} lies outside the Netherlands (its centre is at RD x "
            f"{centre.x:,.0f}, y {centre.y:,.0f}, outside the national outline); "
            f"{int(bad.sum())} feature(s) like this", file=file, feature=position + 1,
            fix="the feature was moved or has a wrong CRS; take the boundary file from "
            "CBS/PDOK again")


def usable(units: pd.DataFrame) -> str | None:
    """Why ``units`` cannot be measured, or None when at least one unit has data.

    Indices need inhabitants or dwellings. When every unit's population AND dwellings are
    unknown (hidden, empty) or zero, nothing can be computed: the reason names which.

    Examples
    --------
    >>> usable(pd.DataFrame({"population": [float("nan")] * 2, "dwellings": [None, None]}))
    'population and dwellings are unknown (empty or hidden by CBS) for all 2 units'
    """
    if len(units) == 0:
        return "the table has no units"
    parts = []
    for column in ("population", "dwellings"):
        values = (units[column] if column in units else pd.Series(np.nan, index=units.index)
                  ).astype("float64")
        if (values > 0).any():
            return None
        parts.append("unknown" if values.isna().all() else "zero or unknown")
    if parts[0] == parts[1]:
        return (f"population and dwellings are {parts[0]} (empty or hidden by CBS) for all "
                f"{len(units)} units")
    return (f"population is {parts[0]} and dwellings are {parts[1]} for all {len(units)} "
            "units")
