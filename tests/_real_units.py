"""Real CBS buurt units for the autocorrelation reference tests (Den Haag, Amsterdam 2019).

Built here from the OData CSVs and the national 2019 buurt TopoJSON (see
``../shared/data/cbs/PROVENANCE.md``) so these tests do not depend on the project's
readers. Only what the tests need: code, municipality, social-housing share,
non-western share, geometry in EPSG:28992.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

ODATA = "kwb_odata_denhaag_amsterdam_utrecht/data"
FILES = {
    "GM0518": f"{ODATA}/marginal_distributions_TheHague_2019_84583NED.csv",
    "GM0363": f"{ODATA}/ams_2019/marginal_distributions_84583NED.csv",
}
GEOMETRY = "buurt_2019_nl_topojson/buurten.json"


def _number(column: pd.Series) -> np.ndarray:
    text = column.astype(str).str.strip()
    return pd.to_numeric(text.where(~text.isin([".", ""])), errors="coerce").to_numpy(
        dtype="float64"
    )


def read_odata(path: Path) -> pd.DataFrame:
    """Buurt rows of one 84583NED OData CSV, with the columns the tests use."""
    raw = pd.read_csv(path, sep=";", encoding="utf-8-sig", dtype=str)
    raw = raw.apply(lambda c: c.str.strip())
    buurt = raw[raw["SoortRegio_2"] == "Buurt"]
    population = _number(buurt["AantalInwoners_5"])
    with np.errstate(invalid="ignore", divide="ignore"):
        nonwestern = _number(buurt["NietWestersTotaal_18"]) / population
    return pd.DataFrame(
        {
            "unit_code": buurt["Codering_3"].to_numpy(),
            "population": population,
            "social_share": _number(buurt["InBezitWoningcorporatie_42"]) / 100.0,
            "nonwestern_share": np.where(population > 0, nonwestern, np.nan),
        }
    )


def read_geometry(cbs_dir: Path) -> gpd.GeoDataFrame:
    """National 2019 buurt polygons in EPSG:28992 (no CRS recorded in the file: WGS84)."""
    geo = gpd.read_file(cbs_dir / GEOMETRY)
    return geo.set_crs(4326).to_crs(28992)[["statcode", "geometry"]]


def real_units(cbs_dir: Path, geometry: gpd.GeoDataFrame | None = None) -> gpd.GeoDataFrame:
    """Den Haag and Amsterdam 2019 buurten with shares and geometry, sorted by code."""
    geo = read_geometry(cbs_dir) if geometry is None else geometry
    frames = []
    for municipality, rel in FILES.items():
        table = read_odata(cbs_dir / rel)
        table["municipality_code"] = municipality
        frames.append(table)
    table = pd.concat(frames, ignore_index=True)
    units = geo.merge(table, left_on="statcode", right_on="unit_code", how="inner")
    assert len(units) == len(table), "every buurt code must have a geometry"
    units = units.drop(columns="statcode").sort_values("unit_code", ignore_index=True)
    return gpd.GeoDataFrame(units, geometry="geometry", crs=28992)
