"""Readers: every CBS download format into one raw attribute table (:class:`RawTable`).

A reader only parses; it does not pick columns or convert units. :mod:`mixing.io.cbs` resolves
the columns through :mod:`mixing.io.columns` and builds the canonical units table.

Supported formats (detected from the content, :mod:`mixing.io.readers.sniff`, then from the
extension and the headers):

* ``.csv`` / ``.txt``: CBS OData "Kerncijfers wijken en buurten" CSV (``Name_N`` keys);
  StatLine web export (title lines, ``|`` hierarchy, unit row, decimal comma); the same
  rewritten by R (dotted names, row-index column); the 2024 StatLine download
  (``Bevolking/Aantal inwoners (aantal)``); any CSV whose columns already are canonical.
* ``.gz`` / ``.zip`` around any of these (a zip must hold one data file).
* JSON record tables: CBS OData ``{"value": [...]}`` or a list of records.
* ``.gpkg``, ``.shp``, ``.geojson``/``.json``, ``.topojson``, ``.parquet``: CBS wijk- en
  buurtkaart (``BU_CODE``, ``AANT_INW``), PDOK snake_case (``buurtcode``,
  ``aantal_inwoners``), CBS PC4 statistics (``PC4``, ``INWONER``), boundary-only files
  (``statcode``).
"""

from __future__ import annotations

from pathlib import Path

from mixing.errors import InputError
from mixing.io.readers.geo import read_geo_table
from mixing.io.readers.raw import (
    ARCHIVE_SUFFIXES,
    GEO_SUFFIXES,
    SUPPORTED,
    TEXT_SUFFIXES,
    RawTable,
    unsupported,
)
from mixing.io.readers.statline import read_text_table

__all__ = ["RawTable", "TEXT_SUFFIXES", "GEO_SUFFIXES", "ARCHIVE_SUFFIXES", "SUPPORTED",
           "read_source"]


def _archive_members(path: Path) -> list[str]:
    from mixing.io.archives import zip_members

    return [i.filename for i in zip_members(path) if not i.filename.startswith("__MACOSX")]


def _read_zip(path: Path, layer: str | None, level: str | None) -> RawTable:
    """A zip holding ONE CSV or ONE map file (a shapefile's .shp with its sidecars)."""
    from mixing.io.archives import check_archive, read_zip_member
    from mixing.io.readers.geo import shapefile_encoding
    from mixing.io.readers.sniff import sniff_bytes

    members = _archive_members(path)
    data = [n for n in members if Path(n).suffix.lower() in TEXT_SUFFIXES + GEO_SUFFIXES
            and Path(n).suffix.lower() not in (".parquet",)]
    if len(data) != 1:
        what = "no CSV or map file" if not data else f"several data files {data}"
        raise InputError(
            f"the zip archive holds {what}; it has {members[:12]}", file=path,
            fix="unzip it and pass the one file you mean (a shapefile as its .shp)")
    member = data[0]
    label = f"{path}!{member}"
    data_bytes = read_zip_member(path, member, label)  # bounded (mixing.io.archives)
    kind = sniff_bytes(bytes(data_bytes[:512]))
    if kind == "text" and Path(member).suffix.lower() in TEXT_SUFFIXES:
        return read_text_table(Path(member), data=data_bytes, label=label)
    check_archive(path)  # GDAL reads the member and its sidecars: count them all first
    if kind == "json":
        return _read_json(Path(member), bytes(data_bytes), label, layer, level,
                          f"/vsizip/{path.resolve()}/{member}")
    options = {}
    if Path(member).suffix.lower() == ".shp":
        stem = str(Path(member).with_suffix(""))
        sidecars = {Path(n).suffix.lower(): n for n in members
                    if str(Path(n).with_suffix("")) == stem}
        dbf = bytes(read_zip_member(path, sidecars[".dbf"])) if ".dbf" in sidecars else None
        cpg = (bytes(read_zip_member(path, sidecars[".cpg"])).decode("ascii", errors="replace")
               if ".cpg" in sidecars else None)
        encoding = shapefile_encoding(member, label, set(sidecars), dbf, cpg)
        options = {"encoding": encoding} if encoding else {}
    return read_geo_table(f"/vsizip/{path.resolve()}/{member}", label=label, layer=layer,
                          level=level, options=options)


def _read_json(path: Path, data: bytes | None, label: object, layer: str | None,
               level: str | None, gdal_path: str) -> RawTable:
    """A JSON file (or its bytes): GeoJSON/TopoJSON through GDAL, a record table here."""
    from mixing.io.readers.jsontable import json_kind, load_json, read_json_table

    document = load_json(path, data, label)
    if json_kind(document) == "map":
        return read_geo_table(gdal_path, label=label, layer=layer, level=level)
    return read_json_table(path, document, label=label)


def _is_geoparquet(path: Path) -> bool:
    import pyarrow.parquet as pq

    try:
        return b"geo" in (pq.read_schema(path).metadata or {})
    except Exception:  # noqa: BLE001 - unreadable: the map reader reports it
        return True


def _read_parquet_table(path: Path) -> RawTable:
    """A Parquet file without geometry (e.g. written by pandas) as a table of strings."""
    import pandas as pd

    try:
        frame = pd.read_parquet(path)
    except Exception as err:  # noqa: BLE001 - pyarrow raises many types for a bad file
        raise InputError(f"cannot read this Parquet file ({type(err).__name__})", file=path,
                         fix="write it again (pandas: frame.to_parquet)") from None
    names = [str(c) for c in frame.columns]
    data = frame.astype("string").fillna("").astype(object)
    data.columns = range(len(names))
    return RawTable(data.reset_index(drop=True), names, [None] * len(names), str(path),
                    "Parquet table", decimal=".")


def read_source(path: str | Path, *, layer: str | None = None,
                level: str | None = None) -> RawTable:
    """Parse ``path`` with the reader its CONTENT calls for (:mod:`.sniff`), then its suffix.

    gzip-compressed files (``kwb.csv.gz``, or a ``.csv`` that is gzip inside) and zip
    archives holding one CSV or one map file (GeoPackage, shapefile with its sidecars,
    GeoJSON) are read without unpacking them first, and never beyond
    :data:`mixing.limits.MAX_UNPACKED_BYTES` (:mod:`mixing.io.archives`). JSON is a map
    (GeoJSON/TopoJSON) or a record table (OData). Spreadsheets, web pages and PDFs are
    refused with what they are. ``layer``/``level`` choose the layer of a multi-layer map
    file (:func:`mixing.io.readers.geo.choose_layer`).
    """
    from mixing.io.archives import check_archive, read_gzip
    from mixing.io.readers.sniff import (
        GEO_KINDS,
        KNOWN_KINDS,
        REFUSED_KINDS,
        refuse,
        sniff,
        sniff_bytes,
    )

    path = Path(path)
    if not path.exists():
        raise InputError("file not found", file=path,
                         fix="check the path (relative paths are relative to the working "
                         f"directory {Path.cwd()})")
    if path.is_dir():
        raise InputError("expected a file, got a directory", file=path,
                         fix="pass the CSV/GeoPackage inside the directory")
    suffix = path.suffix.lower()
    if path.stat().st_size == 0:
        raise InputError("the file is empty", file=path,
                         fix="download it again; CBS files have a header and data rows")
    kind = sniff(path)
    if kind == "database":  # SQLite without the GeoPackage id: GDAL may still read it
        return read_geo_table(path, layer=layer, level=level)
    if kind in REFUSED_KINDS:
        raise refuse(kind, path, "a CBS table (CSV) or map file")
    if kind == "gzip":
        data = read_gzip(path)  # bounded (mixing.io.archives)
        inner_kind = sniff_bytes(bytes(data[:512]))
        if inner_kind in GEO_KINDS:
            check_archive(path)
            return read_geo_table(f"/vsigzip/{path.resolve()}", label=str(path), layer=layer,
                                  level=level)
        if inner_kind in REFUSED_KINDS:
            raise refuse(inner_kind, path, "a CBS table (CSV) or map file")
        if inner_kind == "json":
            return _read_json(path, bytes(data), str(path), layer, level,
                              f"/vsigzip/{path.resolve()}")
        return read_text_table(path, data=data)
    if kind == "zip":
        return _read_zip(path, layer, level)
    if kind not in KNOWN_KINDS:  # another compression (bzip2, xz, 7-Zip...): refused there
        check_archive(path)
    if kind == "parquet" and not _is_geoparquet(path):
        return _read_parquet_table(path)
    if kind in GEO_KINDS:
        return read_geo_table(path, layer=layer, level=level)
    if kind == "json":
        return _read_json(path, None, path, layer, level, str(path))
    if suffix in TEXT_SUFFIXES or suffix in GEO_SUFFIXES:  # text, whatever the name says
        return read_text_table(path)
    raise unsupported(path)
