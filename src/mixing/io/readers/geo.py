"""Map files: CBS wijk- en buurtkaart, PDOK wijken en buurten, PC4 shapefiles, boundaries.

Everything leaves this module in EPSG:28992 with valid (multi)polygons:

* a recorded CRS is honoured and reprojected; if the coordinates then fall outside the
  Netherlands the CRS is wrong and that is an :class:`~mixing.errors.InputError`;
* no recorded CRS (TopoJSON often has none): lon/lat or RD New is recognised from the
  coordinate bounds, set with a :class:`CRSAssumedWarning`, and reprojected; coordinates
  that fit neither are an InputError;
* invalid geometries are repaired with :func:`shapely.make_valid`, keeping only polygonal
  parts, with one :class:`GeometryRepairedWarning` that gives the count;
* NaN coordinates and a feature outside the Netherlands (:mod:`mixing.io.plausible`) are an
  InputError naming the 1-based feature number;
* a GeoJSON that is not valid JSON (e.g. a trailing comma after the last feature) is an
  InputError naming the line and column, found with Python's JSON parser.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from mixing.checks import quiet
from mixing.errors import InputError
from mixing.io.archives import check_archive, check_parquet
from mixing.io.plausible import check_coordinates, check_inside
from mixing.io.readers.raw import TEXT_SUFFIXES, RawTable
from mixing.schema import CRS

__all__ = [
    "CRSAssumedWarning",
    "GeometryRepairedWarning",
    "RD_BOUNDS",
    "read_geometry",
    "read_geo_table",
    "to_rd",
    "repair",
]

#: Generous RD New extent of the Netherlands incl. the North Sea coast (xmin, ymin, xmax, ymax).
RD_BOUNDS = (-10_000.0, 280_000.0, 310_000.0, 640_000.0)


class CRSAssumedWarning(UserWarning):
    """The file records no CRS; one was inferred from the coordinates."""


class GeometryRepairedWarning(UserWarning):
    """Invalid geometries were repaired; ``count`` says how many (for the caveats table)."""

    def __init__(self, message: str, count: int = 0):
        super().__init__(message)
        self.count = count


def _inside(bounds: np.ndarray, box: tuple[float, float, float, float]) -> bool:
    return bool(np.all(np.isfinite(bounds)) and bounds[0] >= box[0] and bounds[1] >= box[1]
                and bounds[2] <= box[2] and bounds[3] <= box[3])


def to_rd(frame: gpd.GeoDataFrame, file: object) -> gpd.GeoDataFrame:
    """Return ``frame`` in EPSG:28992, inferring a missing CRS from the coordinate bounds."""
    bounds = frame.total_bounds
    if frame.crs is None:
        if _inside(bounds, (-180.0, -90.0, 180.0, 90.0)):
            assumed = "EPSG:4326"
        elif _inside(bounds, RD_BOUNDS):
            assumed = CRS
        else:
            raise InputError(
                "the file records no CRS and its coordinates are neither lon/lat nor RD New",
                file=file, value=[round(float(b), 1) for b in bounds],
                fix="save the file with its CRS (e.g. EPSG:28992 or EPSG:4326)",
            )
        warnings.warn(
            f"{file}: no CRS recorded; the coordinate bounds {np.round(bounds, 3).tolist()} "
            f"look like {assumed} ({'lon/lat' if assumed == 'EPSG:4326' else 'RD New'}), "
            f"so that CRS was set and the geometry reprojected to {CRS}",
            CRSAssumedWarning, stacklevel=3,
        )
        frame = frame.set_crs(assumed)
    declared = frame.crs.to_string()
    if frame.crs.is_geographic and not _inside(bounds, (-180.0, -90.0, 180.0, 90.0)):
        raise InputError(
            f"the coordinates do not fit the declared CRS {declared} (not degrees)",
            file=file, value=[round(float(b), 1) for b in bounds],
            fix="the file's CRS is wrong; set the right one (RD New is EPSG:28992)",
        )
    with quiet():
        frame = frame.to_crs(CRS)
    bounds = frame.geometry.bounds.to_numpy()
    with quiet():
        fits = ((bounds[:, 0] >= RD_BOUNDS[0]) & (bounds[:, 1] >= RD_BOUNDS[1])
                & (bounds[:, 2] <= RD_BOUNDS[2]) & (bounds[:, 3] <= RD_BOUNDS[3]))
    # No feature in the Netherlands: the CRS is wrong. Some outside: those features are
    # wrong, and mixing.io.plausible.check_inside names them.
    if not fits.any() and len(bounds):
        raise InputError(
            f"after reprojection from {declared} the geometry lies outside the Netherlands; "
            "the declared CRS is wrong (or lon/lat are swapped)",
            file=file, value=[round(float(b), 1) for b in frame.total_bounds],
            fix="set the CRS the coordinates are really in",
        )
    return frame


def repair(geometry: gpd.GeoSeries, file: object) -> gpd.GeoSeries:
    """Make geometries valid, keeping polygonal parts only; warn with the count."""
    values = geometry.to_numpy()
    present = ~shapely.is_missing(values)
    invalid = present & ~shapely.is_valid(values)
    if not invalid.any():
        return geometry
    fixed = shapely.make_valid(values[invalid])
    # Flatten collections twice (a GeometryCollection may hold MultiPolygons).
    parts, index = shapely.get_parts(fixed, return_index=True)
    parts2, index2 = shapely.get_parts(parts, return_index=True)
    index2 = index[index2]
    keep = shapely.get_type_id(parts2) == 3  # Polygon
    out = np.full(int(invalid.sum()), None, dtype=object)
    if keep.any():
        groups = np.unique(index2[keep])
        merged = shapely.multipolygons(parts2[keep], indices=np.searchsorted(groups,
                                                                            index2[keep]))
        out[groups] = merged
    values = values.copy()
    values[invalid] = out
    warnings.warn(GeometryRepairedWarning(
        f"{file}: repaired {int(invalid.sum())} invalid geometries with shapely.make_valid "
        "(kept the polygonal parts)", int(invalid.sum())), stacklevel=3)
    return gpd.GeoSeries(values, index=geometry.index, crs=geometry.crs)


def _json_error(path: Path) -> InputError | None:
    """Where a (Geo/Topo)JSON file stops being JSON, as an InputError; None when it parses."""
    import json

    try:
        with path.open("rb") as handle:
            json.loads(handle.read().decode("utf-8-sig"))
    except UnicodeDecodeError:
        return InputError("the file is not UTF-8 JSON", file=path,
                          fix="re-save it as UTF-8 GeoJSON")
    except json.JSONDecodeError as err:
        before = err.doc[: err.pos].rstrip()
        if err.msg.startswith("Expecting") and before.endswith(","):
            # Report the comma itself, not the bracket after it.
            position = len(before) - 1
            line = before.count("\n") + 1
            column = position - before.rfind("\n")
            problem = "a trailing comma (a comma before a closing bracket)"
        else:
            line, column, problem = err.lineno, err.colno, err.msg
        return InputError(
            f"the file is not valid JSON: {problem} at line {line}, column {column}",
            file=path, line=line,
            fix="repair it there (e.g. remove the comma after the last feature) or export "
            "it again from a GIS")
    return None


def _read(path: str | Path, label: object = None) -> gpd.GeoDataFrame:
    text_path = str(path)
    virtual = text_path.startswith("/vsi")
    path = Path(path)
    file = label if label is not None else path
    if not virtual and not path.exists():
        raise InputError("file not found", file=file, fix="check the path")
    if path.suffix.lower() in TEXT_SUFFIXES:
        raise InputError(
            "a text table is not a map file", file=file,
            fix="pass the CSV as table= and a boundary file (GeoPackage, GeoJSON, TopoJSON, "
            "shapefile) as geometry=")
    try:
        if path.suffix.lower() == ".parquet":
            check_parquet(path, file)
            return gpd.read_parquet(path)
        if not virtual and path.stat().st_size == 0:
            raise InputError("the file is empty", file=file, fix="download it again")
        if not virtual:  # GDAL opens a zip or gzip itself: count its bytes first
            check_archive(path, file)
        return gpd.read_file(text_path)
    except InputError:
        raise
    except Exception as err:  # pyogrio/GDAL raise many types; all mean "cannot read"
        if not virtual and path.suffix.lower() in (".json", ".geojson", ".topojson"):
            broken = _json_error(path)
            if broken is not None:
                raise broken from None
        raise InputError(
            f"cannot read this as a map file ({type(err).__name__}: {err})".replace("\n", " "),
            file=file,
            fix="check that it is a complete GeoJSON/TopoJSON/GeoPackage/shapefile",
        ) from None


def read_geometry(path: str | Path | gpd.GeoDataFrame, *,
                  label: object = None) -> gpd.GeoDataFrame:
    """Read a map file into EPSG:28992 with valid polygons (attributes kept).

    Read an expensive national boundary file once and pass the result to
    :func:`mixing.io.cbs.read_units` as ``geometry=`` for every table. ``label`` names a
    GDAL virtual path (``/vsizip/...``) in messages.
    """
    if isinstance(path, gpd.GeoDataFrame):
        frame, file = path.reset_index(drop=True), "<GeoDataFrame>"
    else:
        frame, file = _read(path, label), str(label if label is not None else path)
        # GDAL reports EPSG:4326 for any GeoJSON without a "crs" member (RFC 7946 default);
        # for RD coordinates that is a default, not a statement, so infer the CRS instead.
        if (Path(path).suffix.lower() in (".json", ".geojson") and frame.crs is not None
                and frame.crs.equals("EPSG:4326")
                and _inside(frame.total_bounds, RD_BOUNDS)
                and not _inside(frame.total_bounds, (-180.0, -90.0, 180.0, 90.0))):
            frame = frame.set_crs(None, allow_override=True)
    if frame.empty:
        raise InputError("the map file has no features", file=file, fix="download it again")
    polygonal = frame.geometry.geom_type.isin(["Polygon", "MultiPolygon"]) | frame.geometry.isna()
    if not polygonal.all():
        position = int((~polygonal).to_numpy().argmax())
        raise InputError("units must be polygons", file=file, feature=position + 1,
                         value=frame.geometry.geom_type.iloc[position],
                         fix="use the area (vlak) layer, not points or lines")
    check_coordinates(frame.geometry.to_numpy(), file=file)
    frame = to_rd(frame, file)
    frame = frame.set_geometry(repair(frame.geometry, file))
    check_inside(frame.geometry.to_numpy(), file=file)
    frame.attrs["file"] = file
    return frame


def read_geo_table(path: str | Path, *, label: object = None) -> RawTable:
    """A map file as a :class:`~mixing.io.readers.RawTable` (attributes + RD geometry)."""
    frame = read_geometry(path, label=label)
    attributes = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    names = [str(c) for c in attributes.columns]
    attributes.columns = range(attributes.shape[1])
    return RawTable(attributes.reset_index(drop=True), names, [None] * len(names),
                    str(label if label is not None else path), "map file",
                    geometry=frame.geometry.reset_index(drop=True))
