"""Readers: every CBS download format into one raw attribute table (:class:`RawTable`).

A reader only parses; it does not pick columns or convert units. :mod:`mixing.io.cbs` resolves
the columns through :mod:`mixing.io.columns` and builds the canonical units table.

Supported formats (detected from the extension, then from the headers):

* ``.csv`` / ``.txt``: CBS OData "Kerncijfers wijken en buurten" CSV (``Name_N`` keys);
  StatLine web export (title lines, ``|`` hierarchy, unit row, decimal comma); the same
  rewritten by R (dotted names, row-index column); the 2024 StatLine download
  (``Bevolking/Aantal inwoners (aantal)``); any CSV whose columns already are canonical.
* ``.gz`` / ``.zip`` around any of these (a zip must hold one data file).
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


def _read_zip(path: Path) -> RawTable:
    """A zip holding ONE CSV or ONE map file (a shapefile's .shp with its sidecars)."""
    from mixing.io.archives import check_archive, read_zip_member

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
    if Path(member).suffix.lower() in TEXT_SUFFIXES:
        return read_text_table(Path(member), data=read_zip_member(path, member, label),
                               label=label)
    check_archive(path)  # GDAL reads the member and its sidecars: count them all first
    return read_geo_table(f"/vsizip/{path.resolve()}/{member}", label=label)


def read_source(path: str | Path) -> RawTable:
    """Parse ``path`` with the reader its extension (and its first bytes) call for.

    gzip-compressed files (``kwb.csv.gz``, or a ``.csv`` that is gzip inside) and zip
    archives holding one CSV or one map file (GeoPackage, shapefile with its sidecars,
    GeoJSON) are read without unpacking them first, and never beyond
    :data:`mixing.limits.MAX_UNPACKED_BYTES` (:mod:`mixing.io.archives`).
    """
    from mixing.io.archives import check_archive, kind, read_gzip

    path = Path(path)
    if not path.exists():
        raise InputError("file not found", file=path,
                         fix="check the path (relative paths are relative to the working "
                         f"directory {Path.cwd()})")
    if path.is_dir():
        raise InputError("expected a file, got a directory", file=path,
                         fix="pass the CSV/GeoPackage inside the directory")
    suffix = path.suffix.lower()
    packed = kind(path)
    if suffix == ".gz" or (packed == "gzip" and suffix in TEXT_SUFFIXES):
        inner = Path(path.stem) if suffix == ".gz" else path
        if inner.suffix.lower() in GEO_SUFFIXES:
            check_archive(path)
            return read_geo_table(f"/vsigzip/{path.resolve()}", label=str(path))
        return read_text_table(path, data=read_gzip(path))
    if suffix == ".zip" or (packed == "zip" and suffix in TEXT_SUFFIXES):
        return _read_zip(path)
    if suffix in TEXT_SUFFIXES:
        return read_text_table(path)
    if suffix in GEO_SUFFIXES:
        return read_geo_table(path)
    raise unsupported(path)
