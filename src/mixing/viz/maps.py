"""Folium maps for policy staff: one self-contained HTML file per municipality.

Maps compute nothing: they style finished tables (the units table, the index table, the
optional local-statistics and scenario tables). Which layer shows which column of which
table is declared once in :mod:`mixing.viz.layers`; palettes, breaks and number formats are
in :mod:`mixing.viz.style`.

Every map works offline: Leaflet and the map's own script are inlined
(:func:`inline_assets`), the geometry is embedded once and shared by all layers, and the
PDOK background map is an optional layer that is off by default. Labels are Dutch by
default (``language="en"`` for English). Text from data is escaped in JavaScript before it
reaches the page, and the embedded JSON cannot close its ``<script>`` element. The page
prints on A4 landscape (title, legend, source line; no controls) and has a button that
downloads the current view with its legend as a PNG.
"""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Mapping, Sequence

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from mixing.catalogue import index
from mixing.dimensions import DIMENSIONS, Label
from mixing.io.demo import is_synthetic
from mixing.schema import COUNT_COLUMNS, analysis_level
from mixing.viz import style
from mixing.viz.caveats import CAVEAT_CSS, caveats_html
from mixing.viz.layers import GROUPS, MapTables, build_all, headline_d
from mixing.viz.page import MapCall, Text, inline_script, inline_style, static_bytes, static_text
from mixing.viz.pages import NAV_CSS, document_title, nav_html

__all__ = [
    "LABELS",
    "LEAFLET_DIR",
    "municipality_map",
    "map_page",
    "MixingLayers",
    "inline_assets",
    "map_geometry",
]

LEAFLET_DIR = "vendor/leaflet-1.9.4"

#: Words of the page around the layers (the layers' own words are in mixing.viz.layers).
LABELS = style.by_language({
    "title": Label("Gemengd wonen per {level}", "Residential mixing per {level}"),
    "no_map": Label("Geen kaart: geen van de eenheden ({level}) van {name} staat in het "
                    "grenzenbestand (gewijzigde CBS-codes). De tabellen zijn er wel.",
                    "No map: none of the units ({level}) of {name} is in the boundary file "
                    "(changed CBS codes). The tables are available."),
    "levels": {
        "buurt": Label("buurt", "neighbourhood"),
        "wijk": Label("wijk", "district"),
        "gemeente": Label("gemeente", "municipality"),
        "pc4": Label("postcode (4 cijfers)", "postcode (4 digits)"),
        "pc6": Label("postcode (6 cijfers)", "postcode (6 digits)"),
    },
    "synthetic": Label("Let op: synthetische demogemeente, geen echte CBS-gegevens.",
                       "Note: synthetic demo municipality, not real CBS data."),
    "headline": Label("{index} (0 = gelijk verdeeld, 1 = volledig gescheiden):",
                      "{index} (0 = evenly spread, 1 = completely separated):"),
    "ci": Label("95 %-betrouwbaarheidsinterval", "95 % confidence interval"),
    "ci_note": Label("95 %-betrouwbaarheidsinterval tussen haakjes",
                     "95 % confidence interval in brackets"),
    "layers": Label("Kaartlagen", "Map layers"),
    "legend": Label("Legenda", "Legend"),
    "background_group": Label("Achtergrond", "Background"),
    "background": Label("PDOK achtergrondkaart grijs (alleen met internet)",
                        "PDOK grey base map (needs internet)"),
    "unit_code": "Code",
    "wijk": Label("wijk", "district"),
    "click_hint": Label("Klik voor alle gegevens van deze buurt.",
                        "Click for all data of this neighbourhood."),
    "png": Label("Kaart als afbeelding (PNG) opslaan", "Save the map as an image (PNG)"),
    "png_short": "PNG",
    "saved": Label("Opgeslagen op", "Saved on"),
})

# The Dutch national grey base map; optional context, the polygons render without it.
_PDOK_GREY = "https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/grijs/EPSG:3857/{z}/{x}/{y}.png"
_PDOK_ATTRIBUTION = "Kaartgegevens &copy; Kadaster (PDOK)"


def _labels(language: str) -> dict:
    style.check_language(language)
    return LABELS[language] | style.words(language)


# --------------------------------------------------------------------------- assets


def _leaflet_css() -> str:
    css = static_bytes(f"{LEAFLET_DIR}/leaflet.css").decode()

    def data_uri(match: re.Match) -> str:
        png = base64.b64encode(static_bytes(f"{LEAFLET_DIR}/{match.group(1)}")).decode()
        return f"url(data:image/png;base64,{png})"

    return re.sub(r"url\((images/[\w.-]+\.png)\)", data_uri, css)


def _leaflet_js() -> str:
    js = static_bytes(f"{LEAFLET_DIR}/leaflet.js").decode()
    return re.sub(r"\n//# sourceMappingURL=\S+\s*$", "\n", js)


#: folium's default CDN resources that the maps do not use.
_DROPPED = re.compile(
    r"jquery|bootstrap|awesome-markers|fontawesome|font-awesome|leaflet\.awesome\.rotate"
)
_LEAFLET_URL = re.compile(r"/leaflet@[\d.]+/dist/leaflet\.(js|css)$")


def inline_assets(page: str) -> str:
    """Replace the external ``<script src>`` and ``<link>`` of a folium page by inline code.

    Leaflet becomes the vendored copy in ``mixing/viz/static``; jQuery, Bootstrap, Font Awesome
    and awesome-markers (folium defaults the maps do not use) are dropped. Any other external
    script or stylesheet raises ``ValueError``, so a new folium default cannot silently make
    a map depend on the network.
    """

    def replace(match: re.Match) -> str:
        url = match.group("script") or match.group("style")
        leaflet = _LEAFLET_URL.search(url)
        if leaflet:
            return inline_script(_leaflet_js()) if leaflet.group(1) == "js" else (
                inline_style(_leaflet_css()))
        if _DROPPED.search(url):
            return ""
        raise ValueError(
            f"the map links the external resource {url!r}, which an offline intranet cannot "
            "load; vendor it in mixing/viz/static and inline it in mixing.viz.maps.inline_assets"
        )

    tag = re.compile(
        r"<script\s+src=\"(?P<script>[^\"]+)\"\s*>\s*</script>"
        r"|<link\s+rel=\"stylesheet\"\s+href=\"(?P<style>[^\"]+)\"\s*/?>"
    )
    page = tag.sub(replace, page)
    left = re.search(r"<(script|link)\b[^>]*\b(src|href)=\"?(https?:)?//", page)
    if left:
        raise ValueError(f"external resource left in the map: {left.group(0)!r}")
    return page


# --------------------------------------------------------------------------- geometry


def _no_geometry_page(units: pd.DataFrame, level: str, text: dict, language: str,
                      links: Mapping[str, str] | None) -> str:
    """A plain page for a municipality none of whose units has a boundary to draw."""
    where = _municipality(units)
    body = text["no_map"].format(level=level, name=where)
    title = document_title(text["title"].format(level=text["levels"].get(level, level)),
                           where, int(units["year"].iat[0]))
    return (f"<!DOCTYPE html><html lang='{language}'><head><meta charset='utf-8'>"
            f"<title>{html.escape(title)}</title>{inline_style(NAV_CSS)}</head>"
            f"<body style='font:16px sans-serif;margin:2em'>{nav_html(links, 'map', language)}"
            f"<h1>{html.escape(where)}</h1><p>{html.escape(body)}</p></body></html>")


def map_geometry(
    units: gpd.GeoDataFrame, *, tolerance: float = 5.0, decimals: int = 5
) -> gpd.GeoSeries:
    """Geometry for a web map: simplified as a coverage in RD New, then WGS84, rounded.

    Shared borders are simplified once (:func:`shapely.coverage_simplify`), so neighbours
    stay gap-free; ``tolerance`` is in metres (EPSG:28992). ``decimals=5`` is about 1 m.
    """
    geoms = units.geometry.to_crs(28992).to_numpy()
    if tolerance > 0 and len(geoms):
        if shapely.coverage_is_valid(geoms):
            geoms = shapely.coverage_simplify(geoms, tolerance)
        else:  # not a clean coverage (overlaps or gaps in the source): simplify one by one
            geoms = shapely.simplify(geoms, tolerance, preserve_topology=True)
    wgs84 = gpd.GeoSeries(geoms, index=units.index, crs=28992).to_crs(4326).to_numpy()
    return gpd.GeoSeries(shapely.transform(wgs84, lambda xy: np.round(xy, decimals)),
                         index=units.index, crs=4326)


# --------------------------------------------------------------------------- title panel


def _headline(indices: pd.DataFrame | None, level: str, dimension: str):
    """(value, ci_low, ci_high) of D for one dimension at ``level``, or None."""
    row = headline_d(indices, level, dimension)
    if row is None:
        return None
    low = row["ci_low"] if "ci_low" in row else np.nan
    high = row["ci_high"] if "ci_high" in row else np.nan
    return float(row["value"]), float(low), float(high)


def _municipality(units: pd.DataFrame) -> str:
    first = units.iloc[0]
    name = first["municipality_name"]
    return str(name if isinstance(name, str) and name else first["municipality_code"])


def _is_synthetic(units: pd.DataFrame) -> bool:
    return is_synthetic(units["municipality_code"].iat[0])


def _title_panel(units, indices, text, level, language, nav: str = "",
                 caveats: str = "") -> str:
    where = html.escape(_municipality(units))
    year = int(units["year"].iat[0])
    number = style.number
    lines = []
    for dimension, dim in DIMENSIONS.items():
        head = _headline(indices, level, dimension)
        if head is None:
            continue
        value, low, high = head
        ci = (f" <span class='mx-ci' title='{text['ci']}'>({number(low, 2, language)}–"
              f"{number(high, 2, language)})</span>" if np.isfinite(low) and np.isfinite(high)
              else "")
        lines.append(f"<div class='mx-headline'>{html.escape(dim.title(language))}"
                     f": <b>{number(value, 2, language)}</b>{ci}</div>")
    headline = ""
    if lines:
        any_ci = "mx-ci" in "".join(lines)
        ci_note = f"<div class='mx-source'>{html.escape(text['ci_note'])}</div>"
        explain = text["headline"].format(index=index("dissimilarity").label(language))
        headline = (f"<div class='mx-explain'>{html.escape(explain)}</div>"
                    + "".join(lines) + (ci_note if any_ci else ""))
    synthetic = _is_synthetic(units)
    note = f"<div class='mx-synthetic'>{html.escape(text['synthetic'])}</div>" if synthetic else ""
    if level == "pc4":
        note += f"<div class='mx-source'>{html.escape(style.words(language)['pc4_limits'])}</div>"
    source = text["synthetic_source"] if synthetic else text["source"]
    level_word = text["levels"].get(level, level)
    # the print date is written by the page when it is printed: the HTML stays reproducible
    return (
        "<div id='mx-title' class='mx-title leaflet-control'>"
        f"<h1>{where}, {year}</h1>{nav}"
        f"<div>{html.escape(text['title'].format(level=level_word))}</div>"
        f"{note}{headline}{caveats}<div class='mx-source'>{html.escape(source)}"
        "<span class='mx-print-date'></span></div></div>"
    )


# --------------------------------------------------------------------------- popups

#: Popup labels of the canonical columns; other columns show their own name.
_COLUMN_LABELS = {
    "unit_code": Label("code", "code"), "unit_name": Label("naam", "name"),
    "level": Label("niveau", "level"),
    "municipality_code": Label("gemeentecode", "municipality code"),
    "municipality_name": Label("gemeente", "municipality"),
    "wijk_code": Label("wijkcode", "district code"), "year": Label("jaar", "year"),
    "population": Label("inwoners", "residents"),
    "households": Label("huishoudens", "households"), "dwellings": Label("woningen", "dwellings"),
    "dwellings_social": Label("woningen van corporaties (sociale huur)",
                              "housing-corporation dwellings (social housing)"),
    "dwellings_private_rent": Label("particuliere huurwoningen", "private rented dwellings"),
    "dwellings_owner_occupied": Label("koopwoningen", "owner-occupied dwellings"),
    "households_low_income": Label("huishoudens met laag inkomen", "low-income households"),
    "population_migration_western": Label("inwoners met westerse migratieachtergrond",
                                          "residents with a western migration background"),
    "population_migration_nonwestern": Label(
        "inwoners met niet-westerse migratieachtergrond",
        "residents with a non-western migration background"),
    "population_origin_dutch": Label("inwoners met Nederlandse herkomst",
                                     "residents of Dutch origin"),
    "population_origin_europe": Label("inwoners met herkomst Europa (excl. NL)",
                                      "residents of European origin (excl. NL)"),
    "population_origin_outside_europe": Label("inwoners met herkomst buiten Europa",
                                              "residents of origin outside Europe"),
    "population_benefits": Label("personen met uitkering (onder AOW-leeftijd)",
                                 "benefit recipients (below pension age)"),
    "mean_income": Label("gemiddeld inkomen per inwoner (x 1.000 euro)",
                         "mean income per resident (x 1,000 euro)"),
    "mean_woz": Label("gemiddelde WOZ-waarde (x 1.000 euro)", "mean WOZ value (x 1,000 euro)"),
    "is_uninhabited": Label("geen bewoners", "no residents"), "is_water": Label("water", "water"),
}


def _row_texts(units: pd.DataFrame, text: dict, language: str) -> tuple[list[str], list[list]]:
    columns = [c for c in units.columns if c != units.geometry.name]
    keys = [_COLUMN_LABELS[c](language) if c in _COLUMN_LABELS else c for c in columns]
    # counts estimated from CBS percentages carry decimals; people count whole dwellings
    whole = [c in COUNT_COLUMNS for c in columns]
    rows = []
    for record in units[columns].itertuples(index=False, name=None):
        out = []
        for value, is_count in zip(record, whole, strict=True):
            if is_count and isinstance(value, (float, np.floating)) and np.isfinite(value):
                value = float(round(value))
            if isinstance(value, (bool, np.bool_)):
                out.append(text["yes"] if value else text["no"])
            elif isinstance(value, (int, np.integer)):
                out.append(str(value))
            elif isinstance(value, (float, np.floating)):
                if not np.isfinite(value):
                    out.append(text["unknown"])
                else:
                    out.append(style.number(value, 0 if float(value).is_integer() else 2,
                                            language))
            elif value is None or value is pd.NA:
                out.append("")
            else:
                out.append(str(value))
        rows.append(out)
    return keys, rows


def _name(name, code: str) -> str:
    """The buurt's name, or "" when the data has none (or only the code again)."""
    if not isinstance(name, str) or not name.strip() or name.strip() == code:
        return ""
    return name


# --------------------------------------------------------------------------- the map


def municipality_map(
    units: gpd.GeoDataFrame,
    indices: pd.DataFrame | None = None,
    *,
    local: pd.DataFrame | None = None,
    scenarios: Mapping[str, pd.DataFrame] | None = None,
    scenario_table: pd.DataFrame | None = None,
    scenario_changes: pd.DataFrame | None = None,
    alpha: float = 0.05,
    language: str = "nl",
    level: str | None = None,
    tolerance: float = 5.0,
    extra_scripts: Sequence[str] = (),
    explorer: Mapping | None = None,
    vitality: pd.DataFrame | None = None,
    links: Mapping[str, str] | None = None,
    caveats: pd.DataFrame | None = None,
) -> str:
    """One municipality as a self-contained, offline HTML map.

    Parameters
    ----------
    units : GeoDataFrame
        Canonical units table of one municipality (EPSG:28992). One level is drawn: ``level``,
        else buurt when present.
    indices : DataFrame, optional
        Tidy index table (:func:`mixing.tables.frames.index_table`); D of each dimension at the
        drawn level is shown in the title panel, with ``ci_low``/``ci_high`` when present.
    local : DataFrame, optional
        local.csv (:func:`mixing.tables.clusters.autocorrelation_tables`), one row per
        (``unit_code``, ``variable``). Its columns are shown as they are
        (:data:`mixing.viz.layers.LAYERS`): ``concentration_class``, ``d_contribution``,
        ``quadrant`` where ``significant_fdr`` (LISA) and ``hotspot`` (Gi*). A missing
        column skips its layer; ``None`` skips them all.
    scenarios : mapping of str to DataFrame, optional
        Scenario name -> units table after the scenario (canonical columns, same unit
        codes). Each adds the social share after, its change in percentage points and the
        change of each buurt's contribution to D.
    scenario_table : DataFrame, optional
        scenarios.csv (:func:`mixing.scenarios.run_scenarios`): the costs in each scenario
        layer's legend (households that must move, dwellings sold, demolished, built).
    scenario_changes : DataFrame, optional
        scenario_changes.csv (:func:`mixing.scenarios.scenario_changes`): the per-buurt
        change in share and in the contribution to D (without it those layers are
        skipped; titles come from ``scenario_table``).
    alpha : float
        The significance level of local.csv, named in the LISA and Gi* legends.
    language : {"nl", "en"}
    level : str, optional
    tolerance : float
        Coverage simplification in metres before reprojection (0 to keep every vertex).
    extra_scripts : sequence of str
        JavaScript run after the map is built (``window.mixingMapView`` is the map's API).
    explorer : mapping, optional
        Payload of the in-map policy explorer (:func:`mixing.viz.explorer.explorer_payload`).
    vitality : DataFrame, optional
        vitality.csv (:func:`mixing.tables.vitality.vitality_table`): a layer with the
        buurten for a closer look and those inside a social-housing HH cluster.
    links : mapping of str to str, optional
        The other pages of the run, relative to the map
        (:func:`mixing.viz.pages.municipality_links`): a navigation bar in the title panel.
    caveats : DataFrame, optional
        caveats.csv (:func:`mixing.tables.caveats.caveat_table`): a "Let op" block in the
        title panel.

    Returns
    -------
    str
        The HTML document; no external script, stylesheet or tile is required.
    """
    text = _labels(language)
    if units.empty:
        raise ValueError("units is empty: nothing to map")
    if level is None:
        level = analysis_level(units)
    shown = units[units["level"] == level].reset_index(drop=True)
    if shown.empty:
        raise ValueError(f"units has no rows at level {level!r}; levels present: "
                         f"{sorted(units['level'].unique())}")
    # units whose code is missing from the boundary file cannot be drawn
    shown = shown[shown.geometry.notna() & ~shown.geometry.is_empty].reset_index(drop=True)
    if shown.empty:
        return _no_geometry_page(units, level, text, language, links)
    if local is not None:
        missing = {"unit_code", "variable"} - set(local.columns)
        if missing:
            raise ValueError(f"local must have the columns ['unit_code', 'variable']; "
                             f"missing {sorted(missing)}")
    tables = MapTables(shown, language, local=local, indices=indices, scenario_units=scenarios,
                       scenario_table=scenario_table, scenario_changes=scenario_changes,
                       alpha=alpha, level=level, vitality=vitality)
    layers = build_all(tables)
    # summary lines in every tooltip: the shares
    summary = [i for i, layer in enumerate(layers) if layer.key == "share"]

    geometry = map_geometry(shown, tolerance=tolerance)
    row_keys, rows = _row_texts(shown, text, language)
    codes = tables.codes
    names = shown["unit_name"] if "unit_name" in shown else pd.Series([None] * len(shown))
    wijk = shown["wijk_code"] if "wijk_code" in shown else pd.Series([None] * len(shown))
    features = []
    for i, geom in enumerate(geometry):
        features.append({
            "type": "Feature",
            "geometry": json.loads(shapely.to_geojson(geom)),
            "properties": {
                "c": str(codes[i]),
                "n": _name(names.iat[i], str(codes[i])),
                "w": "" if pd.isna(wijk.iat[i]) else str(wijk.iat[i]),
                "k": [int(layer.classes[i]) for layer in layers],
                "t": [layer.texts[i] for layer in layers],
                "r": rows[i],
            },
        })
    west, south, east, north = geometry.total_bounds
    source = text["synthetic_source"] if _is_synthetic(shown) else text["source"]
    config = {
        "bounds": [[south, west], [north, east]],
        "title": f"{_municipality(shown)}, {int(shown['year'].iat[0])}",
        "labels": {k: text[k] for k in ("unit_code", "wijk", "click_hint", "layers", "legend",
                                        "background_group", "png", "png_short", "printed",
                                        "saved", "locale")} | {"source": source},
        "colors": {"unknown": style.UNKNOWN_COLOR, "empty": style.EMPTY_COLOR},
        "layers": [layer.config(language) for layer in layers],
        "groups": [[g, label(language)] for g, label in GROUPS.items()],
        "summary": summary,
        "rowKeys": row_keys,
        "background": {"url": _PDOK_GREY, "attribution": _PDOK_ATTRIBUTION,
                       "label": text["background"]},
        "data": {"type": "FeatureCollection", "features": features},
    }
    level_word = text["levels"].get(level, level)
    title = document_title(text["title"].format(level=level_word), _municipality(shown),
                           int(shown["year"].iat[0]))
    nav = nav_html(links, "map", language)
    return map_page(config, language,
                    body=_title_panel(shown, indices, text, level, language, nav,
                                      caveats_html(caveats, language, open_=False)),
                    scripts=extra_scripts, explorer=explorer, title=title,
                    styles=(NAV_CSS, CAVEAT_CSS))


class MixingLayers(MapCall):
    """Calls ``mixingMap(map, config)`` after folium has created the Leaflet map."""

    def __init__(self, config: dict):
        super().__init__("mixingMap", config, "MixingLayers")


def map_page(config: dict, language: str, *, body: str = "", styles: Sequence[str] = (),
             scripts: Sequence[str] = (), height: str = "100%",
             explorer: Mapping | None = None, title: str = "") -> str:
    """A folium page that runs ``mixingMap(map, config)``: Leaflet, mixing-map.js and .css
    inlined, ``body`` HTML added, ``styles`` and ``scripts`` inlined after the map's own,
    the policy explorer (:func:`mixing.viz.explorer.add_explorer`) when given, and
    ``title`` (plain text, escaped here) as the document's ``<title>``."""
    fmap = folium.Map(tiles=None, zoom_control="bottomleft", height=height)
    root = fmap.get_root()
    root.header.add_child(Text(inline_style(static_text("mixing-map.css"))))
    for css in styles:
        root.header.add_child(Text(inline_style(css)))
    root.header.add_child(Text(inline_script(static_text("mixing-map.js"))))
    if body:
        root.html.add_child(Text(body))
    MixingLayers(config).add_to(fmap)
    if explorer is not None:
        from mixing.viz.explorer import add_explorer

        add_explorer(fmap, explorer)
    page = inline_assets(root.render())
    if scripts:  # after folium's script, so the map exists when they run
        head, tail = page.rsplit("</html>", 1)
        page = head + "".join(inline_script(code) for code in scripts) + "</html>" + tail
    if title:
        page = page.replace("<head>", f"<head><title>{html.escape(title)}</title>", 1)
    return page.replace("<html>", f"<html lang=\"{language}\">", 1)
