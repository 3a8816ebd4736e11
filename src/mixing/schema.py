"""The canonical units table: one schema for every CBS source, checked at the boundary.

Every reader in :mod:`mixing.io.readers` produces this table, so nothing downstream needs to
know where the data came from.
"""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd

from mixing.errors import InputError

__all__ = [
    "CRS",
    "LEVELS",
    "FINEST_FIRST",
    "analysis_level",
    "shared_level",
    "IDENTITY_COLUMNS",
    "COUNT_COLUMNS",
    "SUBGROUP_OF",
    "INTENSIVE_COLUMNS",
    "FLAG_COLUMNS",
    "CANONICAL_COLUMNS",
    "CODE_PATTERNS",
    "MUNICIPALITY_PATTERN",
    "empty_units",
    "uninhabited",
    "validate_units",
]

#: Every distance and area is computed in RD New.
CRS = "EPSG:28992"

LEVELS = ("buurt", "wijk", "gemeente", "pc4", "pc6")
#: Levels from finest to coarsest (a postcode source is finer than buurten).
FINEST_FIRST = ("pc6", "pc4", "buurt", "wijk", "gemeente")


def analysis_level(units: pd.DataFrame) -> str:
    """The level a municipality's units are analysed and drawn at: its finest level.

    The one rule for "which level": local.csv, the scenarios, the maps, the figures and
    the comparison over years all read the rows of this level (a municipality read from
    buurten is analysed at buurt level; wijk and gemeente rows are aggregates of them).

    Raises
    ------
    InputError
        If ``units`` is empty or has no known level.
    """
    present = set(units["level"].astype(str)) if len(units) else set()
    for level in FINEST_FIRST:
        if level in present:
            return level
    raise InputError("no units at a known level", column="level",
                     value=sorted(present) or None,
                     fix=f"use one of the levels {list(FINEST_FIRST)}")


def shared_level(units: pd.DataFrame) -> str:
    """The one level a table of several municipalities is shown at (overview, national run).

    Buurt when any municipality has buurten (every buurt source does), else the finest
    level present (a run of postcode sources only): :func:`analysis_level` of the rows of
    the municipalities read from buurten, or of all rows.
    """
    if len(units) and (units["level"].astype(str) == "buurt").any():
        return "buurt"
    return analysis_level(units)

IDENTITY_COLUMNS = (
    "unit_code",
    "unit_name",
    "level",
    "municipality_code",
    "municipality_name",
    "wijk_code",
    "year",
)

#: Extensive counts (float, NaN when unknown). Sums over units are meaningful.
COUNT_COLUMNS = (
    "population",
    "households",
    "dwellings",
    "dwellings_social",
    "dwellings_private_rent",
    "dwellings_owner_occupied",
    "households_low_income",
    "population_migration_western",
    "population_migration_nonwestern",
    "population_origin_dutch",
    "population_origin_europe",
    "population_origin_outside_europe",
    "population_benefits",
)

#: Counts that are parts of another count: part -> whole. A part can never exceed its whole.
SUBGROUP_OF = {
    "dwellings_social": "dwellings",
    "dwellings_private_rent": "dwellings",
    "dwellings_owner_occupied": "dwellings",
    "households_low_income": "households",
    "population_migration_western": "population",
    "population_migration_nonwestern": "population",
    "population_origin_dutch": "population",
    "population_origin_europe": "population",
    "population_origin_outside_europe": "population",
    "population_benefits": "population",
}

#: Intensive values: averages, never summed.
INTENSIVE_COLUMNS = (
    "mean_income",  # mean income per inhabitant, x 1000 euro
    "mean_woz",  # mean WOZ value of dwellings, x 1000 euro
)

#: Flags set by the reader. Flagged units stay in the table; index denominators drop them.
FLAG_COLUMNS = (
    "is_uninhabited",  # no residents and no dwellings (or both unknown)
    "is_water",  # the unit is (almost) only water, when the source says so
)

CANONICAL_COLUMNS = (IDENTITY_COLUMNS + COUNT_COLUMNS + INTENSIVE_COLUMNS + FLAG_COLUMNS
                     + ("geometry",))

# Since 2022 Amsterdam's wijk/buurt parts hold letters (WK0363AA, BU0363AA01).
CODE_PATTERNS = {
    "buurt": re.compile(r"^BU\d{4}[0-9A-Z]{4}$"),
    "wijk": re.compile(r"^WK\d{4}[0-9A-Z]{2}$"),
    "gemeente": re.compile(r"^GM\d{4}$"),
    "pc4": re.compile(r"^\d{4}$"),
    "pc6": re.compile(r"^\d{4}[A-Z]{2}$"),
}
CODE_EXAMPLES = {
    "buurt": "BU05180170",
    "wijk": "WK051801",
    "gemeente": "GM0518",
    "pc4": "2511",
    "pc6": "2511AB",
}
#: Municipality codes, or a synthetic demo code such as DEMO01.
MUNICIPALITY_PATTERN = re.compile(r"^(GM\d{4}|DEMO\d{2})$")


def uninhabited(units: pd.DataFrame) -> pd.Series:
    """The ``is_uninhabited`` flag: no residents and no dwellings (unknown counts as none)."""
    return (units["population"].fillna(0) == 0) & (units["dwellings"].fillna(0) == 0)


def empty_units() -> gpd.GeoDataFrame:
    """An empty canonical units table with the right columns and dtypes."""
    data: dict[str, pd.Series] = {}
    for column in IDENTITY_COLUMNS:
        data[column] = pd.Series(dtype="int64" if column == "year" else "object")
    for column in COUNT_COLUMNS + INTENSIVE_COLUMNS:
        data[column] = pd.Series(dtype="float64")
    for column in FLAG_COLUMNS:
        data[column] = pd.Series(dtype="bool")
    return gpd.GeoDataFrame(data, geometry=gpd.GeoSeries([], crs=CRS), crs=CRS)


def _first_bad(mask: np.ndarray | pd.Series, frame: pd.DataFrame) -> tuple[object, int]:
    """Index label and position of the first True in ``mask``."""
    position = int(np.flatnonzero(np.asarray(mask))[0])
    return frame.index[position], position


def validate_units(units: gpd.GeoDataFrame, *, source: object = None) -> gpd.GeoDataFrame:
    """Check a units table against the canonical schema; raise :class:`InputError` if not.

    Checks: every canonical column present; CRS is EPSG:28992; codes match the level's
    pattern and are unique per (level, year); counts are >= 0 or NaN; municipality codes
    look like GM1234. Returns ``units`` unchanged so it can be chained.
    """
    missing = [c for c in CANONICAL_COLUMNS if c not in units.columns]
    if missing:
        raise InputError(
            f"the units table lacks the canonical columns {missing}",
            file=source,
            fix="build it with mixing.io.cbs.read_units, or map your columns with columns=",
        )
    if units.crs is None or not units.crs.equals(CRS):
        raise InputError(
            f"units must be in {CRS} (RD New)",
            file=source,
            value=None if units.crs is None else units.crs.to_string(),
            fix="reproject with units.to_crs('EPSG:28992')",
        )
    for level, group in units.groupby("level", sort=False):
        if level not in CODE_PATTERNS:
            raise InputError(
                f"unknown level; valid levels are {list(LEVELS)}", file=source,
                column="level", value=level,
            )
        codes = group["unit_code"].astype(str)
        bad = ~codes.str.match(CODE_PATTERNS[level].pattern)
        if bad.any():
            label, _ = _first_bad(bad, group)
            raise InputError(
                f"{level} codes must look like {CODE_EXAMPLES[level]}",
                file=source, column="unit_code", row=label, value=codes[label],
                fix="check that the code column holds CBS codes",
            )
        dup = group.duplicated(["unit_code", "year"], keep=False)
        if dup.any():
            label, _ = _first_bad(dup, group)
            raise InputError(
                f"unit codes must be unique per level and year; "
                f"{int(dup.sum())} rows share a code",
                file=source, column="unit_code", row=label, value=group.at[label, "unit_code"],
                fix="remove duplicate rows, or read one year at a time",
            )
    municipality = units["municipality_code"].astype(str)
    bad = ~municipality.str.match(MUNICIPALITY_PATTERN.pattern)
    if bad.any():
        label, _ = _first_bad(bad, units)
        raise InputError(
            "municipality codes must look like GM0518",
            file=source, column="municipality_code", row=label, value=municipality[label],
        )
    for column in COUNT_COLUMNS:
        values = units[column].to_numpy(dtype="float64")
        negative = values < 0
        if negative.any():
            label, _ = _first_bad(negative, units)
            raise InputError(
                "counts must be >= 0 (or NaN when unknown)",
                file=source, column=column, row=label, value=values[negative][0],
                fix="CBS hides values with negative sentinels (-99995 ... -99999999); "
                "other negative numbers are errors in the source",
            )
    return units
