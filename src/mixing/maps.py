"""Folium maps for policy staff. Maps compute nothing: they style finished tables.

Every map has a legend, tooltips with the buurt name and values, and a title that says
what, where and which year. Labels are Dutch by default (``language="en"`` for English).
"""

from __future__ import annotations

import html

import branca.colormap as cm
import folium
import geopandas as gpd
import numpy as np
import pandas as pd

__all__ = ["LABELS", "social_housing_map"]

LABELS = {
    "nl": {
        "social_share": "Aandeel sociale huur (corporatiewoningen)",
        "unit_name": "Buurt",
        "unit_code": "Code",
        "wijk_code": "Wijk",
        "dwellings": "Woningen",
        "unknown": "onbekend (geheim of niet gepubliceerd door CBS)",
        "title": "Sociale huur per buurt",
        "source": "Bron: CBS, CC BY 4.0",
        "synthetic": "Let op: synthetische demogemeente, geen echte CBS-gegevens.",
        "dissimilarity": "Segregatie-index D (sociale huur t.o.v. alle woningen)",
        "year": "jaar",
        "legend": "Sociale huur, % van de woningvoorraad",
        "water": "water",
        "empty": "geen bewoners",
    },
    "en": {
        "social_share": "Share of social housing (housing-corporation dwellings)",
        "unit_name": "Neighbourhood",
        "unit_code": "Code",
        "wijk_code": "District",
        "dwellings": "Dwellings",
        "unknown": "unknown (hidden or not published by CBS)",
        "title": "Social housing per neighbourhood",
        "source": "Source: CBS, CC BY 4.0",
        "synthetic": "Note: synthetic demo municipality, not real CBS data.",
        "dissimilarity": "Dissimilarity index D (social vs all dwellings)",
        "year": "year",
        "legend": "Social housing, % of the dwelling stock",
        "water": "water",
        "empty": "no residents",
    },
}

# ColorBrewer YlGnBu, 5 classes: sequential and colour-blind safe.
_PALETTE = ["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"]
_BREAKS = [0, 10, 30, 50, 70, 100]
_NO_DATA = "#d9d9d9"
# The Dutch national grey base map; optional context, the polygons render without it.
_PDOK_GREY = "https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/grijs/EPSG:3857/{z}/{x}/{y}.png"
_PDOK_ATTRIBUTION = "Kaartgegevens &copy; Kadaster (PDOK)"


def _labels(language: str) -> dict[str, str]:
    if language not in LABELS:
        raise ValueError(f"language must be one of {sorted(LABELS)}, got {language!r}")
    return LABELS[language]


def _format_percent(values: np.ndarray, unknown: str) -> list[str]:
    return [unknown if not np.isfinite(v) else f"{v:.0f} %" for v in values]


def social_housing_map(
    units: gpd.GeoDataFrame, indices: pd.DataFrame, *, language: str = "nl"
) -> str:
    """Render the social-housing share per buurt as a self-contained folium HTML page.

    Parameters
    ----------
    units : GeoDataFrame
        Canonical units table of one municipality (EPSG:28992); the finest level is drawn.
    indices : DataFrame
        The tidy index table from :func:`mixing.frames.index_table`; the headline D is
        shown in the title panel.
    language : {"nl", "en"}

    Returns
    -------
    str
        The HTML document.
    """
    text = _labels(language)
    level = "buurt" if (units["level"] == "buurt").any() else units["level"].iat[0]
    shown = units[units["level"] == level].to_crs(4326)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = 100 * shown["dwellings_social"].to_numpy(float) / shown["dwellings"].to_numpy(float)
    # Names come from data files: escape them so a name can never inject markup.
    layer = gpd.GeoDataFrame(
        {
            "name": shown["unit_name"].astype(str).map(html.escape),
            "code": shown["unit_code"].astype(str),
            "wijk": shown["wijk_code"].fillna("").astype(str),
            "share": np.where(np.isfinite(share), np.round(share, 1), np.nan),
            "share_text": _format_percent(share, text["unknown"]),
            "dwellings": shown["dwellings"].map(
                lambda v: text["unknown"] if pd.isna(v) else f"{v:,.0f}".replace(",", ".")
            ),
        },
        geometry=shown.geometry.values,
        crs=4326,
    )
    colormap = cm.StepColormap(
        _PALETTE, index=_BREAKS, vmin=0, vmax=100,
        caption=text["legend"],
    )

    def style(feature: dict) -> dict:
        value = feature["properties"]["share"]
        fill = _NO_DATA if value is None or not np.isfinite(value) else colormap(value)
        return {"fillColor": fill, "color": "#555555", "weight": 0.6, "fillOpacity": 0.8}

    west, south, east, north = layer.total_bounds
    fmap = folium.Map(tiles=None, control_scale=True)
    folium.TileLayer(_PDOK_GREY, attr=_PDOK_ATTRIBUTION, name="PDOK BRT achtergrondkaart",
                     max_zoom=19).add_to(fmap)
    fmap.fit_bounds([[south, west], [north, east]])
    folium.GeoJson(
        layer.to_json(na="null"),
        name=text["social_share"],
        style_function=style,
        highlight_function=lambda _: {"weight": 2.5, "color": "#000000"},
        tooltip=folium.GeoJsonTooltip(
            fields=["name", "code", "wijk", "share_text", "dwellings"],
            aliases=[text["unit_name"], text["unit_code"], text["wijk_code"],
                     text["social_share"], text["dwellings"]],
            sticky=True,
        ),
    ).add_to(fmap)
    colormap.add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)
    fmap.get_root().html.add_child(folium.Element(_title_panel(units, indices, text, level)))
    return fmap.get_root().render()


def _title_panel(units: pd.DataFrame, indices: pd.DataFrame, text: dict, level: str) -> str:
    first = units.iloc[0]
    where = html.escape(str(first["municipality_name"] or first["municipality_code"]))
    year = int(first["year"])
    d = indices.query("dimension == 'social_housing' and index == 'dissimilarity' "
                      "and level == @level")["value"]
    headline = (
        f"<div>{text['dissimilarity']}: <b>{d.iat[0]:.2f}</b></div>"
        if len(d) and np.isfinite(d.iat[0]) else ""
    )
    synthetic = (
        f"<div style='color:#b30000'>{text['synthetic']}</div>"
        if str(first["municipality_code"]).startswith("DEMO") else ""
    )
    return (
        "<div style='position:fixed;top:10px;left:60px;z-index:9999;background:white;"
        "padding:8px 12px;border:1px solid #999;border-radius:4px;font:14px sans-serif;"
        "max-width:420px'>"
        f"<div style='font-size:16px;font-weight:bold'>{text['title']}: {where}, "
        f"{year} ({level})</div>{headline}{synthetic}"
        f"<div style='color:#555'>{text['source']}</div></div>"
    )
