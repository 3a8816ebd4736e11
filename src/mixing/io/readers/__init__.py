"""Readers: every CBS download format into one raw attribute table (:class:`RawTable`).

A reader only parses; it does not pick columns or convert units. :mod:`mixing.io.cbs` resolves
the columns through :mod:`mixing.io.columns` and builds the canonical units table.

Supported formats (detected from the extension, then from the headers):

* ``.csv`` / ``.txt``: CBS OData "Kerncijfers wijken en buurten" CSV (``Name_N`` keys);
  StatLine web export (title lines, ``|`` hierarchy, unit row, decimal comma); the same
  rewritten by R (dotted names, row-index column); the 2024 StatLine download
  (``Bevolking/Aantal inwoners (aantal)``); any CSV whose columns already are canonical.
* ``.gpkg``, ``.shp``, ``.geojson``/``.json``, ``.topojson``, ``.parquet``: CBS wijk- en
  buurtkaart (``BU_CODE``, ``AANT_INW``), PDOK snake_case (``buurtcode``,
  ``aantal_inwoners``), CBS PC4 statistics (``PC4``, ``INWONER``), boundary-only files
  (``statcode``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from mixing.errors import InputError

__all__ = ["RawTable", "TEXT_SUFFIXES", "GEO_SUFFIXES", "SUPPORTED", "read_source"]

TEXT_SUFFIXES = (".csv", ".txt")
GEO_SUFFIXES = (".gpkg", ".shp", ".geojson", ".json", ".topojson", ".parquet", ".fgb")
SUPPORTED = (
    "CBS OData kerncijfers CSV (Name_N columns)",
    "StatLine web CSV export (incl. R-rewritten and 2024 path-style headers)",
    "CBS wijk- en buurtkaart shapefile/GeoPackage (BU_CODE, AANT_INW, ...)",
    "PDOK wijken en buurten GeoJSON/TopoJSON/GeoPackage (buurtcode, aantal_inwoners, ...)",
    "CBS kerncijfers per postcode (PC4) shapefile",
    "boundary-only GeoJSON/TopoJSON (statcode)",
    "files with the canonical column names (unit_code, population, ...)",
)


@dataclass
class RawTable:
    """A parsed source before column resolution.

    ``data`` has positional columns ``0..n-1`` (StatLine repeats names); ``names`` and
    ``units`` are the header and the stated unit per column (None when not stated). Text
    tables hold strings; map files hold their native dtypes. ``geometry`` (map files only)
    is aligned with ``data``'s index and already in EPSG:28992.
    """

    data: pd.DataFrame
    names: list[str]
    units: list[str | None]
    file: str
    kind: str
    decimal: str = "."
    title_year: int | None = None
    geometry: gpd.GeoSeries | None = field(default=None, repr=False)


def unsupported(path: Path) -> InputError:
    """The error for a file no reader understands."""
    return InputError(
        f"unknown format {path.suffix!r}; supported are " + "; ".join(SUPPORTED)
        + f" with suffixes {list(TEXT_SUFFIXES + GEO_SUFFIXES)}",
        file=path,
        fix="convert the file to CSV or GeoPackage and map its columns with "
        "columns={'unit_code': ..., 'population': ...}",
    )


def read_source(path: str | Path) -> RawTable:
    """Parse ``path`` with the reader its extension calls for."""
    from mixing.io.readers.geo import read_geo_table
    from mixing.io.readers.statline import read_text_table

    path = Path(path)
    if not path.exists():
        raise InputError("file not found", file=path,
                         fix="check the path (relative paths are relative to the working "
                         f"directory {Path.cwd()})")
    if path.is_dir():
        raise InputError("expected a file, got a directory", file=path,
                         fix="pass the CSV/GeoPackage inside the directory")
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        return read_text_table(path)
    if suffix in GEO_SUFFIXES:
        return read_geo_table(path)
    raise unsupported(path)
