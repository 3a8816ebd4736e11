"""Read any CBS download into the canonical units table: :func:`read_units`.

The flow is one direction: parse (:mod:`mixing.io.readers`) -> resolve columns
(:mod:`mixing.io.columns`) -> keep the rows of one level and municipality -> numbers with one
missing-data policy (:mod:`mixing.io.missing`) -> percentages to counts -> join geometry ->
flags -> aggregate to wijk/gemeente (:mod:`mixing.geometry.aggregate`) -> :func:`validate_units`.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from mixing.errors import InputError
from mixing.geometry.aggregate import aggregate_units, finalise
from mixing.io.columns import COUNT, PERCENT, PERCENT_BASE, Resolved, resolve_columns
from mixing.io.missing import clip_to_wholes, to_float
from mixing.io.readers import RawTable, read_source
from mixing.io.readers.geo import read_geometry
from mixing.schema import (
    CANONICAL_COLUMNS,
    CODE_PATTERNS,
    COUNT_COLUMNS,
    CRS,
    INTENSIVE_COLUMNS,
    LEVELS,
    MUNICIPALITY_PATTERN,
    SUBGROUP_OF,
    uninhabited,
    validate_units,
)

__all__ = ["read_units", "MissingGeometryWarning"]

_YEAR = re.compile(r"(?<!\d)(19[89]\d|20\d\d)(?!\d)")
PathLike = str | Path


class MissingGeometryWarning(UserWarning):
    """Units of the table have no geometry in the boundary file."""


# ----------------------------------------------------------------------------- arguments
def _check_arguments(level, year, municipality) -> list[str] | None:
    if level not in LEVELS:
        raise InputError(f"level must be one of {list(LEVELS)}", column="level", value=level,
                         fix="pass level='buurt' (wijk and gemeente are aggregated from buurten)")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int | np.integer)):
        raise InputError("year must be an int", value=year, fix="pass year=2019")
    if municipality is None:
        return None
    codes = [municipality] if isinstance(municipality, str) else list(municipality)
    for code in codes:
        if not MUNICIPALITY_PATTERN.match(str(code)):
            raise InputError("municipality codes must look like GM0518", value=code,
                             fix="pass the CBS code, e.g. municipality='GM0518'")
    return [str(c) for c in codes]


# ----------------------------------------------------------------------------- tables
def _identity(raw: RawTable) -> dict[str, pd.Series]:
    found = resolve_columns(raw.names, raw.units, file=raw.file)
    return {c: raw.data[found[c].position].astype("string").str.strip()
            for c in ("unit_name", "municipality_name", "population") if c in found}


def _align(tables: list[RawTable]) -> RawTable:
    """Row-aligned split downloads: check shared identity columns, then put side by side."""
    base = tables[0]
    for other in tables[1:]:
        if len(other.data) != len(base.data):
            raise InputError(
                f"row-aligned tables must have equal row counts: {len(base.data)} in "
                f"{base.file}, {len(other.data)} here", file=other.file,
                fix="download both tables with the same region selection")
        mine, theirs = _identity(base), _identity(other)
        for column in set(mine) & set(theirs):
            differ = mine[column].fillna("") != theirs[column].fillna("")
            if differ.any():
                row = int(differ.to_numpy().argmax())
                raise InputError(
                    f"row-aligned tables disagree on {column}: {mine[column][row]!r} in "
                    f"{base.file}", file=other.file, column=column, row=row + 1,
                    value=theirs[column][row],
                    fix="both downloads must list the same regions in the same order")
    data = pd.concat([t.data for t in tables], axis=1, ignore_index=True)
    years = {t.title_year for t in tables} - {None}
    return RawTable(data, sum((t.names for t in tables), []), sum((t.units for t in tables), []),
                    " + ".join(t.file for t in tables), base.kind, base.decimal,
                    years.pop() if len(years) == 1 else None, base.geometry)


def _read_table(table, geometry) -> RawTable:
    if table is None:
        if geometry is None:
            raise InputError("pass a table, a geometry file, or both",
                             fix="read_units(geometry='buurten.json', table='kwb.csv')")
        if isinstance(geometry, gpd.GeoDataFrame):
            frame = read_geometry(geometry)
            names = [str(c) for c in frame.columns if c != frame.geometry.name]
            data = pd.DataFrame(frame[names].to_numpy(), columns=range(len(names)))
            return RawTable(data, names, [None] * len(names), "<GeoDataFrame>", "map file",
                            geometry=frame.geometry.reset_index(drop=True))
        return read_source(geometry)
    paths = [table] if isinstance(table, str | Path) else list(table)
    if not paths:
        raise InputError("table= is an empty list", fix="pass one path or a list of paths")
    return _align([read_source(p) for p in paths])


def _codes(raw: RawTable, resolved: dict[str, Resolved]) -> pd.Series:
    if "unit_code" not in resolved:
        shown = [n for n in raw.names if n][:20]
        raise InputError(
            f"no code column (BU/WK/GM or postcode) found; the file has {shown}. "
            "Supported formats: OData/StatLine kerncijfers, wijk- en buurtkaart, PDOK, PC4, "
            "canonical names", file=raw.file, column="unit_code",
            fix="map it yourself: columns={'unit_code': '<code column>', 'population': ...}")
    values = raw.data[resolved["unit_code"].position]
    if pd.api.types.is_float_dtype(values):
        values = values.astype("Int64")
    return values.astype("string").str.strip().str.upper().fillna("")


def _row_levels(codes: pd.Series) -> pd.Series:
    levels = pd.Series(None, index=codes.index, dtype=object)
    for level, pattern in CODE_PATTERNS.items():
        levels = levels.mask(levels.isna() & codes.str.match(pattern.pattern), level)
    return levels


def _source_level(levels: pd.Series, level: str, raw: RawTable, column: str) -> str:
    present = levels.value_counts().to_dict()
    if not present:
        raise InputError(
            "the code column holds no CBS codes (BU12345678, WK123456, GM1234, or a PC4)",
            file=raw.file, column=column,
            fix="map the right column with columns={'unit_code': ...}")
    order = {"wijk": ("buurt", "wijk"), "gemeente": ("buurt", "wijk", "gemeente")}
    for candidate in order.get(level, (level,)):
        if candidate in present:
            return candidate
    raise InputError(f"the file has no {level} rows; it has {present}", file=raw.file,
                     column=column, fix=f"pass level= one of {sorted(present)}")


# ----------------------------------------------------------------------------- identity
def _municipality(codes, level, raw, resolved, wanted) -> pd.Series:
    if level in ("pc4", "pc6"):
        if not wanted or len(wanted) != 1:
            raise InputError(
                f"{level} files carry no municipality; say which one the postcodes belong to",
                file=raw.file, fix="pass municipality='GM0200' (one code) for level pc4")
        return pd.Series(wanted[0], index=codes.index, dtype=object)
    if "municipality_code" in resolved:
        given = raw.data.loc[codes.index, resolved["municipality_code"].position]
        return given.astype("string").str.strip().astype(object)
    return ("GM" + codes.str[2:6]).astype(object)


def _filter_municipality(keep: pd.Series, municipality: pd.Series, wanted, raw) -> pd.Series:
    if not wanted or municipality.nunique() == 1 and municipality.iloc[0] in wanted:
        return keep
    present = sorted(municipality[keep].unique())
    missing = [c for c in wanted if c not in present]
    if missing:
        raise InputError(
            f"municipality {missing} not in the data; it has {present[:8]}"
            f"{' ...' if len(present) > 8 else ''}", file=raw.file,
            fix="pass one of the codes the file holds")
    return keep & municipality.isin(wanted)


def _year(year, raw: RawTable, resolved, rows) -> int:
    found: dict[int, str] = {}
    if "year" in resolved:
        text = raw.data.loc[rows, resolved["year"].position].astype("string")
        values = text.str.extract(_YEAR.pattern, expand=False)
        for value in values.dropna().unique():
            found[int(value)] = f"column {resolved['year'].source!r}"
    if raw.title_year is not None:
        found.setdefault(raw.title_year, "the title line")
    if len(found) > 1:
        raise InputError(f"the table mixes years {sorted(found)}", file=raw.file,
                         fix="read one year at a time (filter the download per year)")
    if year is not None and found and year not in found:
        (said, where), = found.items()
        raise InputError(f"year={year} contradicts the file, whose {where} says {said}",
                         file=raw.file, fix=f"drop year= or pass year={said}")
    if year is None and not found:
        hint = _YEAR.search(Path(raw.file.split(" + ")[0]).name)
        example = hint.group() if hint else "2019"
        raise InputError("the file does not say which year it describes", file=raw.file,
                         fix=f"pass year={example}")
    return int(year if year is not None else next(iter(found)))


def _text(raw, resolved, name, rows) -> pd.Series | None:
    if name not in resolved:
        return None
    values = raw.data.loc[rows, resolved[name].position].astype("string").str.strip()
    return values.mask(values == "").astype(object)


# ----------------------------------------------------------------------------- numbers
def _numbers(raw: RawTable, resolved: dict[str, Resolved], rows) -> pd.DataFrame:
    """Floats for every resolved count/intensive column, percentages converted to counts."""
    out = pd.DataFrame(index=rows)
    wanted = [c for c in COUNT_COLUMNS + INTENSIVE_COLUMNS + ("dwellings_rented",)
              if c in resolved]
    units = {}
    for canonical in wanted:
        spec = resolved[canonical]
        values = to_float(raw.data.loc[rows, spec.position], file=raw.file, column=spec.source,
                          decimal=raw.decimal)
        _check_range(values, spec, raw)
        out[canonical], units[canonical] = values, spec.unit
    for canonical, unit in units.items():
        if unit != PERCENT or canonical not in PERCENT_BASE:
            continue
        base = PERCENT_BASE[canonical]
        if base not in out or units.get(base) != COUNT:
            warnings.warn(f"{raw.file}: {canonical} is a percentage of {base}, but the file "
                          f"has no {base} count; {canonical} is left unknown (NaN)",
                          UserWarning, stacklevel=3)
            out[canonical] = np.nan
            continue
        out[canonical] = out[canonical] / 100.0 * out[base]
    if "dwellings_private_rent" not in out and {"dwellings_rented", "dwellings_social"} <= set(
            out) and units["dwellings_rented"] == units["dwellings_social"] == PERCENT:
        # Rented minus corporation-owned = other landlords (both shares of the same stock).
        out["dwellings_private_rent"] = (out["dwellings_rented"]
                                         - out["dwellings_social"]).clip(lower=0)
    return out


def _check_range(values: pd.Series, spec: Resolved, raw: RawTable) -> None:
    negative = values < 0
    if negative.any():
        label = negative.idxmax()
        raise InputError("negative value that is not a CBS sentinel (-99995 ... -99999999)",
                         file=raw.file, column=spec.source, row=label + 1,
                         value=float(values[label]), fix="correct the source value")
    if spec.unit == PERCENT and (values > 100).any():
        label = (values > 100).idxmax()
        raise InputError("percentage above 100", file=raw.file, column=spec.source,
                         row=label + 1, value=float(values[label]),
                         fix="check the column; if it holds counts, map it with "
                         "columns={..: {'column': .., 'unit': 'count'}}")


# ----------------------------------------------------------------------------- geometry
def _join_geometry(units: pd.DataFrame, geometry, raw: RawTable,
                   columns: Mapping | None) -> gpd.GeoSeries:
    if geometry is None:
        if raw.geometry is not None:
            return gpd.GeoSeries(raw.geometry.loc[units.index].to_numpy(), index=units.index,
                                 crs=CRS)
        return gpd.GeoSeries([None] * len(units), index=units.index, crs=CRS)
    frame = read_geometry(geometry)
    file = frame.attrs.get("file", "<GeoDataFrame>")
    names = [str(c) for c in frame.columns if c != frame.geometry.name]
    found = resolve_columns(names, exact_only=True, file=file)
    user_code = (columns or {}).get("unit_code")
    if isinstance(user_code, str) and user_code in names:  # the user's code column, if shared
        found["unit_code"] = Resolved(names.index(user_code), user_code, "text")
    if "unit_code" not in found:
        raise InputError(f"the geometry has no code column; it has {names[:20]}", file=file,
                         fix="use a boundary file with statcode/buurtcode/BU_CODE")
    geo_codes = frame[found["unit_code"].source].astype("string").str.strip().str.upper()
    lookup = pd.Series(frame.geometry.to_numpy(), index=geo_codes.to_numpy())
    lookup = lookup[~lookup.index.duplicated()]
    matched = units["unit_code"].isin(lookup.index)
    if not matched.any():
        raise InputError(
            f"a table whose codes match no geometry: the table {raw.file} has codes like "
            f"{units['unit_code'].head(3).tolist()}, the geometry has "
            f"{geo_codes.head(3).tolist()}", file=file,
            fix="use a boundary file of the same level and year as the table")
    if not matched.all():
        warnings.warn(
            f"{int((~matched).sum())} of {len(units)} units of {raw.file} have no geometry in "
            f"{file} (e.g. {units.loc[~matched, 'unit_code'].head(3).tolist()}); they keep an "
            "empty geometry", MissingGeometryWarning, stacklevel=3)
    values = lookup.reindex(units["unit_code"].to_numpy()).to_numpy()
    return gpd.GeoSeries(values, index=units.index, crs=CRS)


# ----------------------------------------------------------------------------- main
def read_units(
    geometry: PathLike | gpd.GeoDataFrame | None = None,
    table: PathLike | Sequence[PathLike] | None = None,
    *,
    level: str = "buurt",
    year: int | None = None,
    columns: Mapping | None = None,
    municipality: str | Sequence[str] | None = None,
) -> gpd.GeoDataFrame:
    """Read CBS data (any supported format) into the canonical units table.

    Parameters
    ----------
    geometry : path or GeoDataFrame, optional
        Boundary file (GeoJSON, TopoJSON, GeoPackage, shapefile), joined to ``table`` by
        code; or a map file that carries attributes too. A GeoDataFrame (e.g. from
        :func:`mixing.io.readers.geo.read_geometry`) avoids re-reading a national file.
    table : path or list of paths, optional
        Attribute table. A list is read as row-aligned split downloads (same regions, same
        order; names and inhabitants must agree row by row).
    level : {"buurt", "wijk", "gemeente", "pc4", "pc6"}
        Wijk and gemeente are aggregated from the buurten (:func:`aggregate_units`).
    year : int, optional
        Required when the file does not state its year; must agree with it otherwise.
    columns : mapping, optional
        ``{canonical: source}`` or ``{canonical: {"column": source, "unit": "count" |
        "percent"}}`` for files the registry does not know.
    municipality : str or list of str, optional
        GM codes to keep; required (one code) for pc4/pc6, which carry no municipality.

    Returns
    -------
    geopandas.GeoDataFrame
        Exactly :data:`mixing.schema.CANONICAL_COLUMNS`, EPSG:28992. Counts are floats, NaN
        when unknown. Without any geometry source the geometry column is empty (None).

    Raises
    ------
    InputError
        For every problem with the input, naming file, column, row and the fix.

    Examples
    --------
    >>> units = read_units("buurten.json", "kwb_2019.csv", year=2019,
    ...                    municipality="GM0518")  # doctest: +SKIP
    """
    wanted = _check_arguments(level, year, municipality)
    if isinstance(geometry, str | Path) and not Path(geometry).exists():
        raise InputError("file not found", file=geometry, fix="check the geometry path")
    raw = _read_table(table, geometry)
    own_geometry = table is None
    resolved = resolve_columns(raw.names, raw.units, columns=columns,
                               exact_only=raw.kind == "map file" and not columns, file=raw.file)
    codes = _codes(raw, resolved)
    levels = _row_levels(codes)
    source_level = _source_level(levels, level, raw, resolved["unit_code"].source)
    if "population" not in resolved:
        raise InputError(
            f"no population column found; the file has {[n for n in raw.names if n][:20]}",
            file=raw.file, column="population",
            fix="map it: columns={'population': '<inhabitants column>'}")
    keep = levels == source_level
    municipality_codes = _municipality(codes, source_level, raw, resolved, wanted)
    keep = _filter_municipality(keep, municipality_codes, wanted, raw)
    rows = keep[keep].index
    codes = codes[rows]
    duplicated = codes.duplicated()
    if duplicated.any():
        label = duplicated.idxmax()
        raise InputError(f"unit codes must be unique; {int(codes.duplicated(keep=False).sum())} "
                         "rows share a code", file=raw.file,
                         column=resolved["unit_code"].source, row=label + 1, value=codes[label],
                         fix="remove duplicate rows, or read one year at a time")
    units = pd.DataFrame(index=rows)
    units["unit_code"] = codes.astype(object)
    names = _text(raw, resolved, "unit_name", rows)
    units["unit_name"] = codes.astype(object) if names is None else names.where(
        names.notna() & (names != codes), codes)
    units["level"] = source_level
    units["municipality_code"] = municipality_codes[rows]
    units["municipality_name"] = _municipality_names(raw, resolved, codes, levels, units)
    units["wijk_code"] = ("WK" + codes.str[2:8]).astype(object) if source_level == "buurt" \
        else None
    units["year"] = _year(year, raw, resolved, rows)
    numbers = _numbers(raw, resolved, rows)
    for column in COUNT_COLUMNS + INTENSIVE_COLUMNS:
        units[column] = numbers[column] if column in numbers else np.nan
    units = clip_to_wholes(units, SUBGROUP_OF, file=raw.file)
    water = _text(raw, resolved, "water", rows)
    units["is_water"] = False if water is None else water.str.upper().isin(["JA", "TRUE", "1"])
    units["is_uninhabited"] = uninhabited(units)
    shapes = _join_geometry(units, None if own_geometry else geometry, raw, columns)
    result = gpd.GeoDataFrame(units, geometry=shapes, crs=CRS)[list(CANONICAL_COLUMNS)]
    result = finalise(result.reset_index(drop=True))
    if level != source_level:
        result = aggregate_units(result, level)
    return validate_units(result, source=raw.file)


def _municipality_names(raw, resolved, codes, levels, units) -> pd.Series:
    names = _text(raw, resolved, "municipality_name", units.index)
    if names is not None:
        return names
    # No Gemeentenaam column: take the name of the file's GM row, when it has a real name.
    unit_names = _text(raw, resolved, "unit_name", levels.index)
    if unit_names is None:
        return pd.Series([None] * len(units), index=units.index, dtype=object)
    all_codes = _codes(raw, resolved)
    is_gm = (levels == "gemeente") & unit_names.notna() & (unit_names != all_codes)
    lookup = pd.Series(unit_names[is_gm].to_numpy(), index=all_codes[is_gm].to_numpy())
    names = units["municipality_code"].map(lookup).astype(object)
    return names.where(names.notna(), None)
