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
from mixing.io.readers.jsontable import json_error
from mixing.io.readers.raw import TEXT_SUFFIXES, RawTable
from mixing.io.readers.sniff import KNOWN_KINDS, REFUSED_KINDS, refuse, sniff
from mixing.schema import CRS

__all__ = [
    "CRSAssumedWarning",
    "GeometryRepairedWarning",
    "RD_BOUNDS",
    "LAYER_WORDS",
    "choose_layer",
    "shapefile_encoding",
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


#: Words a layer name holds for each level (CBS wijk- en buurtkaart: gemeenten, wijken,
#: buurten; PDOK: cbs_buurten_2021; postcode files: pc4, postcode4).
LAYER_WORDS = {"buurt": ("buurt",), "wijk": ("wijk",), "gemeente": ("gemeente",),
               "pc4": ("pc4", "postcode4", "postcode"), "pc6": ("pc6", "postcode6")}


def choose_layer(path: str, file: object, layer: str | None, level: str | None) -> str | None:
    """The layer to read: ``layer`` if given, the only polygon layer, or the level's layer.

    A file with one layer needs no choice (None: GDAL's default). Several polygon layers
    (the CBS wijk- en buurtkaart GeoPackage holds gemeenten, wijken and buurten) are matched
    to ``level`` by name (:data:`LAYER_WORDS`); no match or several is an InputError that
    lists the layers and says how to name one.
    """
    import pyogrio

    try:
        layers = pyogrio.list_layers(path)
    except Exception:  # noqa: BLE001 - unreadable: the read below reports it
        return layer
    names = [str(n) for n, _ in layers]
    if layer is not None:
        if layer not in names:
            raise InputError(f"the file has no layer {layer!r}; its layers are {names}",
                             file=file, value=layer, fix="name one of its layers (layer=)")
        return layer
    if len(names) <= 1:
        return None
    polygons = [str(n) for n, kind in layers if kind and "polygon" in str(kind).lower()]
    if len(polygons) == 1:
        return polygons[0]
    words = LAYER_WORDS.get(level or "buurt", ())
    matches = [n for n in polygons if any(w in n.lower() for w in words)]
    if level == "wijk":  # "wijken" must not take "wijkenbuurten"-style names with buurt
        matches = [n for n in matches if "buurt" not in n.lower()] or matches
    if len(matches) == 1:
        return matches[0]
    what = "several layers" if not matches else f"several {level} layers {matches}"
    raise InputError(
        f"the file holds {what} and none is clearly the {level or 'buurt'} layer; its "
        f"layers are {names}", file=file,
        fix="name the layer: layer='<name>' (API, mixing ingest --layer) or 'layer:' under "
        "the municipality in the config")


#: A shapefile is several files; these must sit beside the .shp.
SHAPEFILE_PARTS = {".dbf": "its attributes (codes, counts)", ".shx": "its index of shapes"}


def shapefile_encoding(shp: str, file: object, present: set[str], dbf: bytes | None,
                       cpg: str | None = None) -> str | None:
    """Check a shapefile's sidecars; return the encoding to read its .dbf with (or None).

    ``present`` holds the lower-case suffixes found beside the .shp, ``cpg`` the text of the
    .cpg. A missing .dbf or .shx is an InputError. Without a ``.cpg`` GDAL decodes text as
    ISO-8859-1, which turns UTF-8 ("Café") into mojibake ("CafÃ©"); so when the .dbf's
    text is valid UTF-8 with non-ASCII bytes it is read as UTF-8 (latin-1 text is almost
    never valid UTF-8). A .cpg that says UTF-8 over text that is not is an InputError, not
    a guess.
    """
    for suffix, role in SHAPEFILE_PARTS.items():
        if suffix not in present:
            raise InputError(
                f"the shapefile's {suffix} file ({role}) is missing beside {Path(shp).name}",
                file=file, fix="a shapefile is several files with one name (.shp, .shx, "
                ".dbf, .prj, .cpg): copy them all into one folder, or pass the zip you "
                "downloaded")
    if dbf is None or len(dbf) < 32:
        return None
    records = dbf[int.from_bytes(dbf[8:10], "little"):]
    if all(b < 0x80 for b in records):
        return None
    try:
        records.decode("utf-8")
        utf8 = True
    except UnicodeDecodeError as err:
        utf8, bad = False, err
    if ".cpg" in present:
        says = (cpg or "").strip().lower().replace("-", "").replace("_", "")
        if says in ("utf8", "65001") and not utf8:
            raise InputError(
                f"the .cpg says UTF-8 but the .dbf text is not UTF-8 (byte "
                f"{records[bad.start]:#04x})", file=file,
                fix="write the real encoding in the .cpg (e.g. ISO-8859-1 or 1252), or "
                "export the layer again as UTF-8")
        return None
    return "UTF-8" if utf8 else None


def _shapefile_options(path: Path, file: object) -> dict:
    siblings = {p.suffix.lower(): p for p in path.parent.iterdir()  # no glob: "[" in names
                if p.stem == path.stem}
    dbf, cpg = siblings.get(".dbf"), siblings.get(".cpg")
    encoding = shapefile_encoding(
        str(path), file, set(siblings), dbf.read_bytes() if dbf is not None else None,
        cpg.read_text(encoding="ascii", errors="replace") if cpg is not None else None)
    return {"encoding": encoding} if encoding else {}


def _read(path: str | Path, label: object = None, *, layer: str | None = None,
          level: str | None = None, options: dict | None = None) -> gpd.GeoDataFrame:
    text_path = str(path)
    virtual = text_path.startswith("/vsi")
    path = Path(path)
    file = label if label is not None else path
    if not virtual and not path.exists():
        raise InputError("file not found", file=file, fix="check the path")
    kind = None
    if not virtual and path.is_file():  # a folder (FileGDB, shapefile folder) goes to GDAL
        if path.stat().st_size == 0:
            raise InputError("the file is empty", file=file, fix="download it again")
        kind = sniff(path)
        if kind in REFUSED_KINDS and kind != "database":
            raise refuse(kind, file, "a map file (GeoPackage, GeoJSON, TopoJSON, shapefile)")
        if kind == "text" and path.suffix.lower() in TEXT_SUFFIXES:
            raise InputError(
                "a text table is not a map file", file=file,
                fix="pass the CSV as table= and a boundary file (GeoPackage, GeoJSON, "
                "TopoJSON, shapefile) as geometry=")
    options = dict(options or {})
    if not virtual and path.suffix.lower() == ".shp":
        options.update(_shapefile_options(path, file))
    try:
        if kind == "parquet" or (kind is None and path.suffix.lower() == ".parquet"):
            check_parquet(path, file)
            return gpd.read_parquet(path)
        if kind in ("gzip", "zip") or (kind is not None and kind not in KNOWN_KINDS):
            check_archive(path, file)  # GDAL unpacks zip/gzip itself: count the bytes first
        chosen = choose_layer(text_path, file, layer, level)
        if chosen is not None:
            options["layer"] = chosen
        return gpd.read_file(text_path, **options)
    except InputError:
        raise
    except Exception as err:  # pyogrio/GDAL raise many types; all mean "cannot read"
        if kind == "json":
            raise json_error(path, None, file) from None
        if kind == "database":
            raise refuse(kind, file, "a map file (GeoPackage, GeoJSON, TopoJSON, shapefile)"
                         ) from None
        # GDAL's advice to prefix a driver name ('CSV:path') is no fix for a user: drop it
        reason = " ".join(str(err).split("; It might help to specify")[0].split())
        raise InputError(
            f"cannot read this as a map file ({reason})", file=file,
            fix="check that it is a complete GeoJSON/TopoJSON/GeoPackage/shapefile",
        ) from None


def read_geometry(path: str | Path | gpd.GeoDataFrame, *, label: object = None,
                  layer: str | None = None, level: str | None = None,
                  options: dict | None = None) -> gpd.GeoDataFrame:
    """Read a map file into EPSG:28992 with valid polygons (attributes kept).

    Read an expensive national boundary file once and pass the result to
    :func:`mixing.io.cbs.read_units` as ``geometry=`` for every table. ``label`` names a
    GDAL virtual path (``/vsizip/...``) in messages. ``layer`` names the layer of a
    multi-layer file; without it the layer matching ``level`` is read
    (:func:`choose_layer`). ``options`` go to GDAL (e.g. ``encoding``).
    """
    if isinstance(path, gpd.GeoDataFrame):
        frame, file = path.reset_index(drop=True), "<GeoDataFrame>"
    else:
        frame = _read(path, label, layer=layer, level=level, options=options)
        file = str(label if label is not None else path)
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


def read_geo_table(path: str | Path, *, label: object = None, layer: str | None = None,
                   level: str | None = None, options: dict | None = None) -> RawTable:
    """A map file as a :class:`~mixing.io.readers.RawTable` (attributes + RD geometry)."""
    frame = read_geometry(path, label=label, layer=layer, level=level, options=options)
    attributes = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    names = [str(c) for c in attributes.columns]
    attributes.columns = range(attributes.shape[1])
    return RawTable(attributes.reset_index(drop=True), names, [None] * len(names),
                    str(label if label is not None else path), "map file",
                    geometry=frame.geometry.reset_index(drop=True))
