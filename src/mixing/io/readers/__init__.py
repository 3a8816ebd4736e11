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
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist()
                     if not n.endswith("/") and not n.startswith("__MACOSX")]
    except (zipfile.BadZipFile, OSError) as err:
        raise InputError(f"cannot open the zip archive ({err})", file=path,
                         fix="download it again; the archive is damaged") from None
    return names


def _read_zip(path: Path) -> RawTable:
    """A zip holding ONE CSV or ONE map file (a shapefile's .shp with its sidecars)."""
    import zipfile

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
        with zipfile.ZipFile(path) as archive:
            return read_text_table(Path(member), data=archive.read(member), label=label)
    return read_geo_table(f"/vsizip/{path.resolve()}/{member}", label=label)


def read_source(path: str | Path) -> RawTable:
    """Parse ``path`` with the reader its extension (and its first bytes) call for.

    gzip-compressed files (``kwb.csv.gz``, or a ``.csv`` that is gzip inside) and zip
    archives holding one CSV or one map file (GeoPackage, shapefile with its sidecars,
    GeoJSON) are read without unpacking them first.
    """
    import gzip

    path = Path(path)
    if not path.exists():
        raise InputError("file not found", file=path,
                         fix="check the path (relative paths are relative to the working "
                         f"directory {Path.cwd()})")
    if path.is_dir():
        raise InputError("expected a file, got a directory", file=path,
                         fix="pass the CSV/GeoPackage inside the directory")
    suffix = path.suffix.lower()
    with path.open("rb") as handle:
        head = handle.read(4)
    if suffix == ".gz" or (head[:2] == b"\x1f\x8b" and suffix in TEXT_SUFFIXES):
        inner = Path(path.stem) if suffix == ".gz" else path
        if inner.suffix.lower() in GEO_SUFFIXES:
            return read_geo_table(f"/vsigzip/{path.resolve()}", label=str(path))
        try:
            data = gzip.decompress(path.read_bytes())
        except (OSError, EOFError) as err:
            raise InputError(f"cannot decompress this gzip file ({err})", file=path,
                             fix="download it again; the file is damaged or cut short") from None
        return read_text_table(path, data=data)
    if suffix == ".zip" or (head == b"PK\x03\x04" and suffix in TEXT_SUFFIXES):
        return _read_zip(path)
    if suffix in TEXT_SUFFIXES:
        return read_text_table(path)
    if suffix in GEO_SUFFIXES:
        return read_geo_table(path)
    raise unsupported(path)
