"""Small hand-made CBS-like inputs for the ingest tests (written to tmp_path, never copied).

``odata_lines()`` is a 1 gemeente + 6 buurt table in the CBS OData layout (every field
quoted, ``;``-separated, decimal point): the shape of the files in ``shared/data/cbs``.
``statline_lines()`` is a plain StatLine-style CSV with the Dutch titles.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
from shapely import box

from mixing.io.cbs import read_units

ODATA_HEADER = ["ID", "WijkenEnBuurten", "Gemeentenaam_1", "SoortRegio_2", "Codering_3",
                "AantalInwoners_5", "WestersTotaal_17", "NietWestersTotaal_18",
                "HuishoudensTotaal_28", "Woningvoorraad_34", "InBezitWoningcorporatie_42",
                "MeestVoorkomendePostcode_103"]
#: code, population, western, non-western, households, dwellings, corporation %
ODATA_ROWS = [
    ("GM0518", 21000, 8800, 8700, 10000, 10600, "40.5"),
    ("BU05180001", 1000, 420, 410, 500, 520, "30.5"),
    ("BU05180002", 2000, 850, 830, 1000, 1010, "45.0"),
    ("BU05180003", 3000, 1300, 1250, 1450, 1500, "12.5"),
    ("BU05180004", 4000, 1700, 1650, 1900, 2000, "60.0"),
    ("BU05180005", 5000, 2100, 2050, 2500, 2600, "33.3"),
    ("BU05180006", 6000, 2500, 2500, 2950, 3000, "50.0"),
]
#: Column positions in ODATA_HEADER.
COL = {name: i for i, name in enumerate(ODATA_HEADER)}


def odata_fields(row_number: int, row: tuple) -> list[str]:
    code, pop, west, nonwest, hh, dw, corp = row
    kind = "Gemeente" if code.startswith("GM") else "Buurt"
    return [str(row_number), f"{code:<10}", "'s-Gravenhage", f"{kind:<10}", f"{code:<10}",
            f"{pop:>8}", f"{west:>8}", f"{nonwest:>8}", f"{hh:>8}", f"{dw:>8}",
            f"{corp:>8}", "2511AB"]


def join(fields: list[str], sep: str = ";", quote: bool = True) -> str:
    return sep.join(f'"{f}"' if quote else f for f in fields) + "\n"


def odata_lines() -> list[str]:
    """Header + 7 rows (line 2 = gemeente, lines 3..8 = buurten)."""
    return [join(ODATA_HEADER)] + [join(odata_fields(i, row))
                                   for i, row in enumerate(ODATA_ROWS, 1)]


def odata_cells() -> list[list[str]]:
    return [ODATA_HEADER] + [odata_fields(i, row) for i, row in enumerate(ODATA_ROWS, 1)]


STATLINE_HEADER = ["Wijken en buurten", "Soort regio", "Codering", "Aantal inwoners",
                   "Huishoudens totaal", "Woningvoorraad", "Westers totaal",
                   "In bezit woningcorporatie"]


def statline_rows() -> list[list[str]]:
    return [
        ["Centrum", "Buurt", "BU05180001", "1000", "500", "520", "420", "30,5"],
        ["Noord", "Buurt", "BU05180002", "2000", "1000", "1010", "850", "45,0"],
        ["Zuid", "Buurt", "BU05180003", "3000", "1450", "1500", "1300", "12,5"],
    ]


def write(tmp_path: Path, lines: list[str] | str, name: str = "table.csv",
          encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_text("".join(lines), encoding=encoding)
    return path


def write_rows(tmp_path: Path, rows: list[list[str]], name: str = "table.csv",
               sep: str = ";", header: list[str] = STATLINE_HEADER) -> Path:
    return write(tmp_path, [sep.join(header) + "\n"] + [sep.join(r) + "\n" for r in rows],
                 name)


def boxes(codes: list[str], *, x0: float = 80_000, y0: float = 450_000,
          size: float = 1_000, **columns) -> gpd.GeoDataFrame:
    """One square per code in a row, in RD New, with optional attribute columns."""
    shapes = [box(x0 + i * size, y0, x0 + (i + 1) * size, y0 + size)
              for i in range(len(codes))]
    return gpd.GeoDataFrame({"statcode": codes, **columns}, geometry=shapes, crs="EPSG:28992")


def quiet(*args, **kwargs):
    """read_units with its data warnings silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_units(*args, **kwargs)


#: The buurt codes of the OData table, in order (for boundary files made with boxes()).
CODES_GEOMETRY = [row[0] for row in ODATA_ROWS if row[0].startswith("BU")]
