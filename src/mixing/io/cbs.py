"""Read any CBS download into the canonical units table: :func:`read_units`.

The flow is one direction: parse (:mod:`mixing.io.readers`) -> resolve columns
(:mod:`mixing.io.columns`) -> keep the rows of one level and municipality -> numbers with one
missing-data policy (:mod:`mixing.io.missing`) -> percentages to counts -> join geometry ->
flags -> aggregate to wijk/gemeente (:mod:`mixing.io.aggregate`) -> :func:`validate_units`.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from mixing.checks import quiet
from mixing.errors import InputError
from mixing.io.aggregate import aggregate_units, finalise
from mixing.io.columns import (
    COUNT,
    PERCENT,
    PERCENT_BASE,
    Resolved,
    check_column_spec,
    normalise,
    resolve_columns,
)
from mixing.io.complete import check_complete, code_column_by_content
from mixing.io.missing import clip_to_wholes, infer_decimal, to_float
from mixing.io.plausible import check_counts, check_year, usable
from mixing.io.postcodes import assign_postcodes
from mixing.io.readers import TEXT_SUFFIXES, RawTable, read_source
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

__all__ = ["read_units", "read_names", "MissingGeometryWarning", "NoNamesWarning",
           "YearMismatchWarning", "DroppedRowsWarning"]

_YEAR = re.compile(r"(?<!\d)(19[89]\d|20\d\d)(?!\d)")
#: Region codes of CBS tables that are not units of any level (Nederland, landsdelen,
#: provincies, COROP): rows with these codes are totals, not lost data.
_AGGREGATE_CODE = re.compile(r"^(NL|LD|PV|CR)\d{2}$")
#: StatLine's "Soort regio" -> level.
_REGION_TYPES = {"buurt": "buurt", "wijk": "wijk", "gemeente": "gemeente", "land": "land",
                 "landsdeel": "land", "provincie": "land", "corop": "land"}
PathLike = str | Path


class MissingGeometryWarning(UserWarning):
    """Units of the table have no geometry in the boundary file."""


class NoNamesWarning(UserWarning):
    """The source carries no unit names; ``unit_name`` holds the code."""


class YearMismatchWarning(UserWarning):
    """The year read differs from the year in the file name."""


class DroppedRowsWarning(UserWarning):
    """Rows of the source were left out of the table (counted in the message)."""


# ----------------------------------------------------------------------------- arguments
def _check_arguments(level, year, municipality, columns) -> list[str] | None:
    if level not in LEVELS:
        raise InputError(f"level must be one of {list(LEVELS)}", column="level", value=level,
                         fix="pass level='buurt' (wijk and gemeente are aggregated from buurten)")
    if year is not None:
        check_year(year)
    if columns is not None:
        check_column_spec(columns)
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
                    f"{base.file} ({_where(base.locate(row))})", file=other.file,
                    column=column, value=theirs[column][row], **other.locate(row),
                    fix="both downloads must list the same regions in the same order")
    data = pd.concat([t.data for t in tables], axis=1, ignore_index=True)
    years = {t.title_year for t in tables} - {None}
    return RawTable(data, sum((t.names for t in tables), []), sum((t.units for t in tables), []),
                    " + ".join(t.file for t in tables), base.kind, base.decimal,
                    years.pop() if len(years) == 1 else None, base.geometry, base.lines)


def _where(location: dict) -> str:
    (kind, number), = location.items()
    return f"{kind} {number}"


def _read_table(table, geometry, layer: str | None, level: str) -> RawTable:
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
        return read_source(geometry, layer=layer, level=level)
    paths = [table] if isinstance(table, str | Path) else list(table)
    if not paths:
        raise InputError("table= is an empty list", fix="pass one path or a list of paths")
    return _align([read_source(p) for p in paths])


def _codes(raw: RawTable, resolved: dict[str, Resolved]) -> pd.Series:
    if "unit_code" not in resolved:
        shown = [n for n in raw.names if n][:20]
        if "unit_name" in resolved or "municipality_name" in resolved:
            raise InputError(
                f"the table has region names but no region codes; it has {shown}",
                file=raw.file, column="unit_code",
                fix="include the region codes (Regiocode / 'Codering') when you download "
                "from StatLine: add the topic 'Regioaanduiding > Codering'")
        raise InputError(
            f"no code column (BU/WK/GM or postcode) found; the file has {shown}. "
            "Supported formats: OData/StatLine kerncijfers, wijk- en buurtkaart, PDOK, PC4, "
            "canonical names", file=raw.file, column="unit_code",
            fix="map it yourself: columns={'unit_code': '<code column>', 'population': ...}")
    values = raw.data[resolved["unit_code"].position]
    if pd.api.types.is_float_dtype(values):
        values = values.astype("Int64")
    # A CBS code never holds white space: "BU 0518 0373" is BU05180373 (not a lost row).
    return values.astype("string").str.replace(r"\s+", "", regex=True).str.upper().fillna("")


def _row_levels(codes: pd.Series) -> pd.Series:
    levels = pd.Series(None, index=codes.index, dtype=object)
    for level, pattern in CODE_PATTERNS.items():
        levels = levels.mask(levels.isna() & codes.str.match(pattern.pattern), level)
    return levels


def _check_codes(codes: pd.Series, levels: pd.Series, raw: RawTable,
                 resolved: dict[str, Resolved]) -> None:
    """Every row is a unit of some level or a known total: no row is dropped unseen."""
    column = resolved["unit_code"].source
    unknown = levels.isna() & ~codes.str.match(_AGGREGATE_CODE.pattern)
    if unknown.any():
        label = unknown.idxmax()
        raise InputError(
            "not a CBS region code (BU12345678, WK123456, GM1234, a PC4 such as 2511 or a "
            f"PC6 such as 2511AB); {int(unknown.sum())} row(s) like this", file=raw.file,
            column=column, value=codes[label], **raw.locate(label),
            fix="correct or remove the row; every row must name one region")
    if "region_type" in resolved:
        stated = (raw.data[resolved["region_type"].position].astype("string").str.strip()
                  .str.lower().map(_REGION_TYPES))
        implied = levels.where(levels.notna(), "land")
        clash = stated.notna() & (stated != implied) & ~levels.isin(["pc4", "pc6"])
        if clash.any():
            label = clash.idxmax()
            raise InputError(
                f"the row says it is a {stated[label]} ("
                f"{resolved['region_type'].source}) but its code is a {implied[label]} code",
                file=raw.file, column=column, value=codes[label], **raw.locate(label),
                fix="correct the code or the region type of this row")
    if "unit_name" in resolved:
        # OData files repeat the code in WijkenEnBuurten: the two must agree.
        names = raw.data[resolved["unit_name"].position].astype("string").str.replace(
            r"\s+", "", regex=True).str.upper()
        looks_like_code = _row_levels(names.fillna("")).notna()
        if looks_like_code.mean() > 0.5:
            clash = looks_like_code & (names != codes)
            if clash.any():
                label = clash.idxmax()
                raise InputError(
                    f"the two code columns disagree: {resolved['unit_name'].source} says "
                    f"{names[label]!r}", file=raw.file, column=column, value=codes[label],
                    **raw.locate(label), fix="correct the code in one of the two columns")


def _source_level(levels: pd.Series, level: str, raw: RawTable, column: str,
                  prefer: str | None = None) -> str:
    present = levels.value_counts().to_dict()
    if not present:
        raise InputError(
            "the code column holds no CBS codes (BU12345678, WK123456, GM1234, or a PC4)",
            file=raw.file, column=column,
            fix="map the right column with columns={'unit_code': ...}")
    order = {"wijk": ("buurt", "wijk"), "gemeente": ("buurt", "wijk", "gemeente")}
    candidates = order.get(level, (level,))
    if prefer in candidates and prefer in present:  # the level of the boundary file
        candidates = (prefer,)
    for candidate in candidates:
        if candidate in present:
            return candidate
    raise InputError(f"the file has no {level} rows; it has {present}", file=raw.file,
                     column=column, fix=f"pass level= one of {sorted(present)}")


# ----------------------------------------------------------------------------- identity
def _regions_frame(regions):
    frame = read_geometry(regions)
    file = frame.attrs.get("file", "<GeoDataFrame>")
    names = [str(c) for c in frame.columns if c != frame.geometry.name]
    found = resolve_columns(names, exact_only=True, file=file)
    if "unit_code" not in found:
        raise InputError(f"regions= has no code column; it has {names[:20]}", file=file,
                         fix="pass buurt or gemeente boundaries with statcode/buurtcode/GM_CODE")
    codes = frame[found["unit_code"].source].astype("string").str.strip().str.upper()
    if not codes.str.match(r"^(GM\d{4}|WK\d{6}|BU\d{8})$").any():
        raise InputError("regions= holds no buurt, wijk or gemeente codes", file=file,
                         value=codes.head(3).tolist(),
                         fix="pass CBS buurt or gemeente boundaries")
    return frame, file, codes


def _postcode_shapes(codes: pd.Series, raw: RawTable, boundaries) -> np.ndarray:
    """The polygon of every postcode row: the map file's own, or the boundary file's."""
    if raw.geometry is not None and boundaries is None:
        return raw.geometry.loc[codes.index].to_numpy()
    if boundaries is None:
        raise InputError("assigning postcodes to municipalities needs their geometry",
                         file=raw.file, fix="read the postcode map file (PC4 GeoPackage or "
                         "shapefile), or pass it as geometry= beside the table")
    frame, file, geo_codes = boundaries
    lookup = _boundary_lookup(frame, file, geo_codes)
    shapes = lookup["shape"].reindex(codes.to_numpy()).to_numpy(dtype=object).copy()
    shapes[pd.isna(shapes)] = None
    return shapes


def _postcode_municipalities(codes: pd.Series, raw: RawTable, regions, boundaries,
                             year: int, keep: pd.Series, wanted) -> pd.Series:
    """Each postcode's municipality (:func:`mixing.io.postcodes.assign_postcodes`).

    Warns, with counts, about postcodes that overlap ``wanted`` municipalities but are left
    out because most of their area lies outside the regions, and about postcodes without polygon
    placed by their nearest postcode number (:func:`_filter_municipality` counts those
    without municipality).
    """
    frame, file, region_codes = _regions_frame(regions)
    rows = keep[keep].index
    found = assign_postcodes(codes[rows].to_numpy(), _postcode_shapes(codes[rows], raw,
                                                                      boundaries),
                             region_codes.to_numpy(), frame.geometry.to_numpy(), year=year)
    result = pd.Series(None, index=codes.index, dtype=object)
    result.loc[rows] = found.municipality
    shown = codes[rows]
    if found.beyond.any():
        warnings.warn(
            f"{raw.file}: {int(found.beyond.sum())} postcodes lie mostly outside the regions "
            f"of {file}, which cover all other postcodes (land newer than the boundaries); "
            "each is counted in the municipality it overlaps most (e.g. "
            f"{shown[found.beyond].head(3).tolist()})", MissingGeometryWarning, stacklevel=4)
    if found.placed.any():
        pairs = [f"{c} -> {m}" for c, m in zip(shown[found.placed], found.municipality[
            found.placed], strict=True)]
        warnings.warn(
            f"{raw.file}: {int(found.placed.sum())} postcodes have no polygon; each is counted "
            f"in the municipality of its nearest postcode number ({', '.join(pairs[:5])})",
            MissingGeometryWarning, stacklevel=4)
    if wanted:  # left out of every municipality, not counted in a neighbour
        touch = found.overlaps[found.overlaps["municipality"].isin(wanted)]["postcode"]
        lost = np.zeros(len(rows), dtype=bool)
        lost[touch.unique()] = True
        lost &= found.outside
        if lost.any():
            warnings.warn(
                f"{raw.file}: {int(lost.sum())} postcodes overlap {', '.join(wanted)} only "
                "partly and lie mostly outside the regions of "
                f"{file}; they are left out (e.g. {shown[lost].head(3).tolist()})",
                DroppedRowsWarning, stacklevel=4)
    return result


def _municipality(codes, level, raw, resolved, wanted, keep, year, regions=None,
                  boundaries=None) -> pd.Series:
    if level in ("pc4", "pc6"):
        if regions is not None:
            return _postcode_municipalities(codes, raw, regions, boundaries, year, keep,
                                            wanted)
        if not wanted or len(wanted) != 1:
            raise InputError(
                f"{level} files carry no municipality; say which one the postcodes belong to",
                file=raw.file, fix=f"pass municipality='GM0200' (one code) for level {level}, "
                "or regions=<buurt or gemeente boundaries> to assign every postcode to the "
                "municipality it overlaps most")
        return pd.Series(wanted[0], index=codes.index, dtype=object)
    if "municipality_code" in resolved:
        given = raw.data.loc[codes.index, resolved["municipality_code"].position]
        return given.astype("string").str.strip().astype(object)
    return ("GM" + codes.str[2:6]).astype(object)


def _filter_municipality(keep: pd.Series, municipality: pd.Series, wanted, raw) -> pd.Series:
    if not wanted:
        unassigned = keep & municipality.isna()
        if unassigned.any():
            warnings.warn(
                f"{raw.file}: {int(unassigned.sum())} of {int(keep.sum())} postcodes overlap "
                "none of the regions= or lie mostly outside them, and are left out (e.g. "
                f"{unassigned[unassigned].index[:3].tolist()} by position)",
                DroppedRowsWarning, stacklevel=3)
            keep = keep & municipality.notna()
        return keep
    if (municipality[keep].nunique() == 1 and municipality[keep].notna().all()
            and municipality[keep].iloc[0] in wanted):
        return keep
    present = sorted(municipality[keep].dropna().unique())
    missing = [c for c in wanted if c not in present]
    if missing:
        raise InputError(
            f"municipality {missing} not in the data; it has {present[:8]}"
            f"{' ...' if len(present) > 8 else ''}", file=raw.file,
            fix="pass one of the codes the file holds")
    return keep & municipality.isin(wanted)


def _row_years(raw: RawTable, resolved) -> pd.Series | None:
    if "year" not in resolved:
        return None
    text = raw.data[resolved["year"].position].astype("string")
    return pd.to_numeric(text.str.extract(_YEAR.pattern, expand=False), errors="coerce")


def _year(year, raw: RawTable, resolved, keep: pd.Series) -> tuple[int, pd.Series]:
    """The year of the table, and the rows of that year (a table may hold several)."""
    row_years = _row_years(raw, resolved)
    found: dict[int, str] = {}
    if row_years is not None:
        for value in sorted(row_years[keep].dropna().unique()):
            found[int(value)] = f"column {resolved['year'].source!r}"
    if raw.title_year is not None and not found:
        found[raw.title_year] = "the title line"
    if len(found) > 1:
        if year is None:
            raise InputError(f"the table holds the years {sorted(found)}", file=raw.file,
                             fix=f"pass year= one of {sorted(found)} to read that year")
        if year not in found:
            raise InputError(f"year={year} is not in the table; it holds {sorted(found)}",
                             file=raw.file, fix=f"pass year= one of {sorted(found)}")
        keep = keep & (row_years == year)
        return year, keep
    if year is not None and found and year not in found:
        (said, where), = found.items()
        raise InputError(f"year={year} contradicts the file, whose {where} says {said}",
                         file=raw.file, fix=f"drop year= or pass year={said}")
    names = [Path(f).name for f in raw.file.split(" + ")]
    in_names = {int(y) for name in names for y in _YEAR.findall(Path(name).stem)}
    if year is None and not found:
        example = min(in_names) if len(in_names) == 1 else 2019
        raise InputError("the file does not say which year it describes", file=raw.file,
                         fix=f"pass year={example}")
    result = int(year if year is not None else next(iter(found)))
    check_year(result, file=raw.file, where="the year of the file")
    if len(in_names) == 1 and result not in in_names:
        warnings.warn(
            f"{raw.file}: the data are read as {result}, but the file name says "
            f"{in_names.pop()}; check that this is the file you mean",
            YearMismatchWarning, stacklevel=3)
    return result, keep


def _text(raw, resolved, name, rows) -> pd.Series | None:
    if name not in resolved:
        return None
    values = raw.data.loc[rows, resolved[name].position].astype("string").str.strip()
    return values.mask(values == "").astype(object)


# ----------------------------------------------------------------------------- numbers
def _numbers(raw: RawTable, resolved: dict[str, Resolved], rows) -> tuple[pd.DataFrame,
                                                                          set[str]]:
    """Floats for every resolved count/intensive column, percentages converted to counts.

    Also returns the count columns derived from a percentage (fractions are expected there).
    """
    out = pd.DataFrame(index=rows)
    wanted = [c for c in COUNT_COLUMNS + INTENSIVE_COLUMNS + ("dwellings_rented",)
              if c in resolved]
    decimal = raw.decimal or infer_decimal(
        raw.data.loc[rows, resolved[c].position] for c in wanted)
    units = {}
    for canonical in wanted:
        spec = resolved[canonical]
        values = to_float(raw.data.loc[rows, spec.position], file=raw.file,
                          column=raw.names[spec.position] if spec.parts else spec.source,
                          decimal=decimal, locate=raw.locate)
        for part in spec.parts:  # CBS splits some columns over several (columns.SUMS)
            values = values + to_float(raw.data.loc[rows, part], file=raw.file,
                                       column=raw.names[part], decimal=decimal,
                                       locate=raw.locate)
        _check_range(values, spec, raw)
        out[canonical], units[canonical] = values, spec.unit
    derived = set()
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
        derived.add(canonical)
    if "dwellings_private_rent" not in out and {"dwellings_rented", "dwellings_social"} <= set(
            out) and units["dwellings_rented"] == PERCENT:
        # Rented minus corporation-owned = other landlords (both parts of the same stock; the
        # PC4 tables give the corporations' dwellings as a count, the rented as a share).
        out["dwellings_private_rent"] = (out["dwellings_rented"]
                                         - out["dwellings_social"]).clip(lower=0)
        derived.add("dwellings_private_rent")
    return out, derived


def _check_range(values: pd.Series, spec: Resolved, raw: RawTable) -> None:
    with quiet():
        negative = (values < 0).to_numpy()
        above = (values > 100).to_numpy() & (spec.unit == PERCENT)
    if negative.any():
        label = values.index[int(negative.argmax())]
        raise InputError("negative value that is not a CBS sentinel (-99995 ... -99999999)",
                         file=raw.file, column=spec.source, **raw.locate(label),
                         value=float(values[label]), fix="correct the source value")
    if above.any():
        label = values.index[int(above.argmax())]
        raise InputError("percentage above 100", file=raw.file, column=spec.source,
                         **raw.locate(label), value=float(values[label]),
                         fix="check the column; if it holds counts, map it with "
                         "columns={..: {'column': .., 'unit': 'count'}}")


# ----------------------------------------------------------------------------- geometry
def _geometry_frame(geometry, columns: Mapping | None, layer: str | None = None,
                    level: str | None = None) -> tuple[gpd.GeoDataFrame, str, pd.Series]:
    """A boundary source read once: frame, file label, normalised codes per feature."""
    if isinstance(geometry, str | Path) and Path(geometry).suffix.lower() in TEXT_SUFFIXES:
        raise InputError(
            "geometry= is a text table, not a map file", file=geometry,
            fix="pass the CSV as table= and a boundary file (GeoPackage, GeoJSON, TopoJSON, "
            "shapefile) as geometry=")
    frame = read_geometry(geometry, layer=layer, level=level)
    file = frame.attrs.get("file", "<GeoDataFrame>")
    names = [str(c) for c in frame.columns if c != frame.geometry.name]
    found = resolve_columns(names, exact_only=True, file=file)
    if "unit_code" not in found:
        found.update(code_column_by_content(frame[names].reset_index(drop=True), names))
    user_code = (columns or {}).get("unit_code")
    if isinstance(user_code, str) and user_code in names:  # the user's code column, if shared
        found["unit_code"] = Resolved(names.index(user_code), user_code, "text")
    if "unit_code" not in found:
        raise InputError(f"the geometry has no code column; it has {names[:20]}", file=file,
                         fix="use a boundary file with statcode/buurtcode/BU_CODE")
    values = frame[found["unit_code"].source]
    if pd.api.types.is_float_dtype(values):  # postcodes stored as numbers (1011.0)
        values = values.astype("Int64")
    codes = (values.astype("string")
             .str.replace(r"\s+", "", regex=True).str.upper())
    return frame, file, codes.reset_index(drop=True)


def _boundary_lookup(frame: gpd.GeoDataFrame, file: str, codes: pd.Series) -> pd.DataFrame:
    """One row per code: geometry and feature number; a code with two shapes is an error."""
    shapes = frame.geometry.to_numpy()
    table = pd.DataFrame({"code": codes.to_numpy(), "shape": shapes,
                          "feature": np.arange(1, len(frame) + 1)})
    repeated = table[table["code"].duplicated(keep=False)]
    if len(repeated):
        first = repeated.groupby("code", sort=False)["shape"].transform("first").to_numpy()
        differs = ~shapely.equals(repeated["shape"].to_numpy(), first)
        differs &= ~(shapely.is_missing(repeated["shape"].to_numpy()) & shapely.is_missing(
            first))
        if differs.any():
            bad = repeated[differs].iloc[0]
            earlier = repeated[repeated["code"] == bad["code"]]["feature"].iloc[0]
            raise InputError(
                f"the code appears in several features with different shapes (features "
                f"{int(earlier)} and {int(bad['feature'])})", file=file,
                feature=int(bad["feature"]), value=bad["code"],
                fix="keep one feature per code, or dissolve the parts first "
                "(geopandas: frame.dissolve(by=<code column>))")
    return table.drop_duplicates("code").set_index("code")


def _join_geometry(units: pd.DataFrame, boundaries, raw: RawTable) -> gpd.GeoSeries:
    if boundaries is None:
        if raw.geometry is not None:
            return gpd.GeoSeries(raw.geometry.loc[units.index].to_numpy(), index=units.index,
                                 crs=CRS)
        return gpd.GeoSeries([None] * len(units), index=units.index, crs=CRS)
    frame, file, geo_codes = boundaries
    lookup = _boundary_lookup(frame, file, geo_codes)
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
    found = lookup.reindex(units["unit_code"].to_numpy())
    values = found["shape"].to_numpy(dtype=object).copy()
    values[pd.isna(values)] = None  # reindex fills unmatched codes with NaN
    _check_shapes(units, values, matched.to_numpy(), file,
                  lambda i: {"feature": int(found["feature"].iloc[i])})
    return gpd.GeoSeries(values, index=units.index, crs=CRS)


def _check_shapes(units: pd.DataFrame, values: np.ndarray, present: np.ndarray, file,
                  locate) -> None:
    """A unit with data whose feature has a null or empty geometry is an error."""
    has_data = (units["population"].notna() | units["dwellings"].notna()).to_numpy()
    blank = present & has_data & (shapely.is_missing(values) | shapely.is_empty(values))
    if blank.any():
        i = int(np.flatnonzero(blank)[0])
        raise InputError(
            f"the feature of a unit with data has no geometry (null or empty); "
            f"{int(blank.sum())} unit(s) like this", file=file,
            value=units["unit_code"].iloc[i], **locate(i),
            fix="take the boundary file from CBS/PDOK again, or repair the feature in a GIS")


# ----------------------------------------------------------------------------- main
def read_units(
    geometry: PathLike | gpd.GeoDataFrame | None = None,
    table: PathLike | Sequence[PathLike] | None = None,
    *,
    level: str = "buurt",
    year: int | None = None,
    columns: Mapping | None = None,
    municipality: str | Sequence[str] | None = None,
    regions: PathLike | gpd.GeoDataFrame | None = None,
    names: Mapping[str, str] | pd.Series | None = None,
    layer: str | None = None,
    allow_unusable: bool = False,
) -> gpd.GeoDataFrame:
    """Read CBS data (any supported format) into the canonical units table.

    Parameters
    ----------
    geometry : path or GeoDataFrame, optional
        Boundary file (GeoJSON, TopoJSON, GeoPackage, shapefile, also inside a .zip/.gz),
        joined to ``table`` by code; or a map file that carries attributes too. A
        GeoDataFrame (e.g. from :func:`mixing.io.readers.geo.read_geometry`) avoids
        re-reading a national file. Wijk boundaries select the table's wijk rows.
    table : path or list of paths, optional
        Attribute table. A list is read as row-aligned split downloads (same regions, same
        order; names and inhabitants must agree row by row).
    level : {"buurt", "wijk", "gemeente", "pc4", "pc6"}
        Wijk and gemeente are aggregated from the buurten (:func:`aggregate_units`) unless
        the boundary file is of that level.
    year : int, optional
        Required when the file does not state its year; must agree with it otherwise. A
        table with several years (a ``Perioden``/``Jaar`` column) keeps this year's rows.
    columns : mapping, optional
        ``{canonical: source}`` or ``{canonical: {"column": source, "unit": "count" |
        "percent"}}`` for files the registry does not know.
    municipality : str or list of str, optional
        GM codes to keep. Postcode files carry no municipality: pass one code (every
        postcode belongs to it) or ``regions=``.
    regions : path or GeoDataFrame, optional
        Buurt, wijk or gemeente boundaries for postcode files: each postcode goes to the
        municipality it overlaps most by area, so a national PC4 file works.
    names : mapping or Series, optional
        Unit code -> unit name, for sources without names (OData files written before
        names were downloaded).
    layer : str, optional
        The layer of a multi-layer map file (GeoPackage). Default: the only polygon layer,
        or the one named after ``level`` (``buurten``, ``wijken``, ``gemeenten`` as in the
        CBS wijk- en buurtkaart; :func:`mixing.io.readers.geo.choose_layer`).
    allow_unusable : bool
        Return a municipality whose population and dwellings are unknown in every unit
        instead of raising (:func:`mixing.io.plausible.usable` gives the reason).

    Returns
    -------
    geopandas.GeoDataFrame
        Exactly :data:`mixing.schema.CANONICAL_COLUMNS`, EPSG:28992. Counts are floats, NaN
        when unknown. Without any geometry source the geometry column is empty (None).

    Raises
    ------
    InputError
        For every problem with the input, naming file, column, line (text) or feature (map
        file), value and the fix; :mod:`mixing.io.plausible` lists what CBS data can be.

    Warns
    -----
    HiddenValuesWarning, RoundedCountsWarning, MissingGeometryWarning, NoNamesWarning,
    YearMismatchWarning, DroppedRowsWarning
        Documented artefacts, each counted in its message.

    Examples
    --------
    >>> units = read_units("buurten.json", "kwb_2019.csv", year=2019,
    ...                    municipality="GM0518")  # doctest: +SKIP
    """
    wanted = _check_arguments(level, year, municipality, columns)
    if layer is not None and not isinstance(geometry, str | Path):
        raise InputError(
            "layer= names a layer of a map file, but no map file is passed as geometry=",
            value=layer, fix="pass the GeoPackage as geometry= (a table has no layers)")
    if regions is not None and level not in ("pc4", "pc6"):
        raise InputError(
            f"regions= only assigns postcodes (level 'pc4' or 'pc6') to municipalities; with "
            f"level {level!r} the codes already say the municipality", value=level,
            fix="drop regions=, or pass level='pc4' for a postcode file")
    if isinstance(geometry, str | Path) and not Path(geometry).exists():
        raise InputError("file not found", file=geometry, fix="check the geometry path")
    own_geometry = table is None
    boundaries = None if own_geometry or geometry is None else _geometry_frame(
        geometry, columns, layer, level)
    raw = _read_table(table, geometry, layer, level)
    resolved = resolve_columns(raw.names, raw.units, columns=columns,
                               exact_only=raw.kind == "map file" and not columns, file=raw.file)
    if "unit_code" not in resolved:
        resolved.update(code_column_by_content(raw.data, raw.names))
    codes = _codes(raw, resolved)
    levels = _row_levels(codes)
    _check_codes(codes, levels, raw, resolved)
    prefer = None
    if boundaries is not None:
        geo_levels = _row_levels(boundaries[2].fillna("")).dropna()
        prefer = geo_levels.mode().iloc[0] if len(geo_levels) else None
    source_level = _source_level(levels, level, raw, resolved["unit_code"].source, prefer)
    if "population" not in resolved and not (allow_unusable and raw.kind == "map file"):
        shown = [n for n in raw.names if n][:20]
        if raw.kind == "map file":
            raise InputError(
                f"a boundary-only map file (no statistics; it has {shown})", file=raw.file,
                column="population",
                fix="pass it as geometry= beside a table= of statistics, or pass "
                "allow_unusable=True to read the boundaries alone (counts NaN)")
        raise InputError(
            f"no population column found; the file has {shown}",
            file=raw.file, column="population",
            fix="map it: columns={'population': '<inhabitants column>'}")
    codes_all = codes
    keep = levels == source_level
    the_year, keep = _year(year, raw, resolved, keep)
    municipality_codes = _municipality(codes, source_level, raw, resolved, wanted, keep,
                                       the_year, regions, boundaries)
    keep = _filter_municipality(keep, municipality_codes, wanted, raw)
    rows = keep[keep].index
    codes = codes[rows]
    duplicated = codes.duplicated()
    if duplicated.any():
        label = duplicated.idxmax()
        raise InputError(f"unit codes must be unique; {int(codes.duplicated(keep=False).sum())} "
                         "rows share a code", file=raw.file,
                         column=resolved["unit_code"].source, **raw.locate(label),
                         value=codes[label],
                         fix="remove duplicate rows, or read one year at a time")
    units = pd.DataFrame(index=rows)
    units["unit_code"] = codes.astype(object)
    unit_names = _text(raw, resolved, "unit_name", rows)
    units["unit_name"] = codes.astype(object) if unit_names is None else unit_names.where(
        unit_names.notna() & (unit_names.str.upper() != codes), codes)
    _apply_names(units, names, raw, source_level)
    units["level"] = source_level
    units["municipality_code"] = municipality_codes[rows]
    units["municipality_name"] = _municipality_names(raw, resolved, codes, levels, units)
    units["wijk_code"] = ("WK" + codes.str[2:8]).astype(object) if source_level == "buurt" \
        else None
    units["year"] = the_year
    numbers, derived = _numbers(raw, resolved, rows)
    for column in COUNT_COLUMNS + INTENSIVE_COLUMNS:
        units[column] = numbers[column] if column in numbers else np.nan
    sources = {c: resolved[c].source for c in resolved}
    # A table with the canonical names (written by mixing) holds parts derived from CBS
    # percentages already: fractions are expected there.
    derived |= {c for c in SUBGROUP_OF if c in resolved and normalise(
        resolved[c].source) == normalise(c)}
    check_counts(units, file=raw.file, level=source_level, derived=derived, sources=sources,
                 locate=raw.locate)
    check_complete(raw, codes_all, levels, resolved, units)
    units = clip_to_wholes(units, SUBGROUP_OF, file=raw.file, locate=raw.locate)
    water = _text(raw, resolved, "water", rows)
    units["is_water"] = False if water is None else water.str.upper().isin(["JA", "TRUE", "1"])
    units["is_uninhabited"] = uninhabited(units)
    shapes = _join_geometry(units, boundaries, raw)
    result = gpd.GeoDataFrame(units, geometry=shapes, crs=CRS)[list(CANONICAL_COLUMNS)]
    result = finalise(result.reset_index(drop=True))
    if not allow_unusable:
        _check_usable(result, raw.file)
    if level != source_level:
        result = aggregate_units(result, level)
    return validate_units(result, source=raw.file)


def _apply_names(units: pd.DataFrame, names, raw: RawTable, level: str) -> None:
    """Fill ``unit_name`` from ``names=``; warn once when the source has no names."""
    if names is not None:
        if not isinstance(names, Mapping | pd.Series):
            raise InputError("names= must map unit codes to names (a dict or Series)",
                             value=type(names).__name__,
                             fix="pass names={'BU05180170': 'Oostduinen', ...}")
        lookup = pd.Series(dict(names))
        lookup.index = lookup.index.astype(str).str.strip().str.upper()
        given = units["unit_code"].map(lookup)
        if len(units) and len(lookup) and given.isna().all():
            raise InputError(
                f"names= matches none of the {len(units)} unit codes (names= has codes like "
                f"{lookup.index[:3].tolist()}, the table {units['unit_code'].head(3).tolist()})",
                file=raw.file, fix=f"key names= by the {level} codes of this table "
                "(e.g. BU05180170)")
        units["unit_name"] = given.where(given.notna(), units["unit_name"]).astype(object)
        return
    if level in ("buurt", "wijk") and len(units) and (units["unit_name"] == units[
            "unit_code"]).all():
        warnings.warn(
            f"{raw.file}: no {level} names in the source; unit_name holds the code. Download "
            "with names (mixing.io.download.download_kerncijfers fetches them) or pass "
            "names={code: name}", NoNamesWarning, stacklevel=3)


def read_names(path: PathLike) -> pd.Series:
    """The region names of a CBS file: unit code -> name, every level the file has.

    Any file :func:`read_units` reads will do, as long as it has a code column and a name
    column (a StatLine or OData kerncijfers table downloaded with names, a wijk- en
    buurtkaart or PDOK boundary file with ``buurtnaam``); its statistics are not read.
    A name that is empty or only repeats the code is not a name.

    Raises
    ------
    InputError
        When the file has no code column or no name column.

    Examples
    --------
    >>> names = read_names("kwb_2024.csv")  # doctest: +SKIP
    >>> names["BU05182916"]  # doctest: +SKIP
    'Morgenstond-Zuid'
    """
    raw = read_source(path)
    resolved = resolve_columns(raw.names, raw.units, exact_only=raw.kind == "map file",
                               file=raw.file)
    found = pd.Series(dtype=object)
    if "unit_name" in resolved:
        codes = _codes(raw, resolved).astype("string").str.strip().str.upper()
        names = _text(raw, resolved, "unit_name", raw.data.index).astype("string")
        real = codes.notna() & names.notna() & (names.str.upper() != codes)
        found = pd.Series(names[real].to_numpy(dtype=object),
                          index=codes[real].to_numpy(dtype=object))
    if found.empty:
        where = (f"its name column {resolved['unit_name'].source!r} holds codes only"
                 if "unit_name" in resolved else f"it has {[n for n in raw.names if n][:20]}")
        raise InputError(
            f"no region names in this file; {where}", file=raw.file, column="unit_name",
            fix="name a file with codes and names (StatLine: add 'Wijken en buurten' and "
                "'Regioaanduiding > Codering'; a PDOK file has buurtnaam), or drop it from "
                "names:")
    return found[~found.index.duplicated()]


def _check_usable(units: gpd.GeoDataFrame, file: str) -> None:
    for code, group in units.groupby("municipality_code", sort=True):
        reason = usable(group)
        if reason is not None:
            name = group["municipality_name"].dropna()
            label = f"{code} ({name.iloc[0]})" if len(name) else str(code)
            raise InputError(
                f"municipality {label} has no usable data: {reason}", file=file,
                fix="use a source in which CBS publishes inhabitants or dwellings for this "
                "municipality (e.g. the kerncijfers table joined to these boundaries), or "
                "pass allow_unusable=True to read it anyway")


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
