"""The raw attribute table every reader returns, and the file formats the readers know.

Shared by the dispatcher (:func:`mixing.io.readers.read_source`) and the readers
(:mod:`mixing.io.readers.geo`, :mod:`mixing.io.readers.statline`); it imports none of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from mixing.errors import InputError

__all__ = ["RawTable", "TEXT_SUFFIXES", "GEO_SUFFIXES", "ARCHIVE_SUFFIXES", "SUPPORTED",
           "unsupported"]

TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
#: Containers read without unpacking: gzip (one file) and zip (one data file inside).
ARCHIVE_SUFFIXES = (".gz", ".zip")
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
    is aligned with ``data``'s index and already in EPSG:28992. ``lines`` (text files) holds
    the 1-based line number in the file of every data row; map files number their features
    (``data`` row 0 is feature 1). :meth:`locate` turns a data row label into the
    ``line=``/``feature=``/``row=`` argument of :class:`~mixing.errors.InputError`.
    """

    data: pd.DataFrame
    names: list[str]
    units: list[str | None]
    file: str
    kind: str
    decimal: str = "."
    title_year: int | None = None
    geometry: gpd.GeoSeries | None = field(default=None, repr=False)
    lines: list[int] | None = field(default=None, repr=False)

    def locate(self, label: object) -> dict[str, int]:
        """Where data row ``label`` is in the file: ``{"line": n}`` or ``{"feature": n}``."""
        position = int(label)  # data rows carry a RangeIndex
        if self.lines is not None:
            return {"line": int(self.lines[position])}
        if self.kind == "map file":
            return {"feature": position + 1}
        return {"row": position + 1}


def unsupported(path: Path) -> InputError:
    """The error for a file no reader understands."""
    return InputError(
        f"unknown format {path.suffix!r}; supported are " + "; ".join(SUPPORTED)
        + f" with suffixes {list(TEXT_SUFFIXES + GEO_SUFFIXES)} (also inside .gz/.zip)",
        file=path,
        fix="convert the file to CSV or GeoPackage and map its columns with "
        "columns={'unit_code': ..., 'population': ...}",
    )
