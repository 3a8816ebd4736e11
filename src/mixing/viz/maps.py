"""Folium maps for policy staff: one self-contained HTML file per municipality.

Maps compute nothing: they style finished tables (the units table, the index table, the
optional local-statistics and scenario tables). The only arithmetic here is presentation:
a count divided by its total to show a share, after minus before for a scenario, and the
class a value falls in.

Every map works offline: Leaflet and the map's own script are inlined
(:func:`inline_assets`), the geometry is embedded once and shared by all layers, and the
PDOK background map is an optional layer that is off by default. Labels are Dutch by
default (``language="en"`` for English). Text from data is escaped in JavaScript before it
reaches the page, and the embedded JSON cannot close its ``<script>`` element.
"""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement
from jinja2 import Template

from mixing.dimensions import DIMENSIONS
from mixing.schema import COUNT_COLUMNS

__all__ = [
    "LABELS",
    "LEAFLET_DIR",
    "municipality_map",
    "social_housing_map",
    "inline_assets",
    "map_geometry",
    "script_json",
]

LEAFLET_DIR = "leaflet-1.9.4"

LABELS = {
    "nl": {
        "title": "Gemengd wonen per {level}",
        "no_map": "Geen kaart: geen van de eenheden ({level}) van {name} staat in het "
                  "grenzenbestand (gewijzigde CBS-codes). De tabellen zijn er wel.",
        "levels": {"buurt": "buurt", "wijk": "wijk", "gemeente": "gemeente",
                   "pc4": "postcode (4 cijfers)", "pc6": "postcode (6 cijfers)"},
        "source": "Bron: CBS, CC BY 4.0",
        "synthetic": "Let op: synthetische demogemeente, geen echte CBS-gegevens.",
        "synthetic_source": "Bron: synthetische gegevens (mixing demo), niet van CBS",
        "headline": "Segregatie-index D (0 = gelijk verdeeld, 1 = volledig gescheiden):",
        "ci": "95 %-betrouwbaarheidsinterval",
        "layers": "Kaartlagen",
        "groups": {"indicators": "Indicatoren", "local": "Lokale clusters",
                   "scenarios": "Scenario's (na de ingreep)"},
        "background_group": "Achtergrond",
        "background": "PDOK achtergrondkaart grijs (alleen met internet)",
        "unit_code": "Code",
        "wijk": "wijk",
        "click_hint": "Klik voor alle gegevens van deze buurt.",
        "unknown": "onbekend (geheim of niet gepubliceerd door CBS)",
        "empty": "geen bewoners",
        "water": "water",
        "empty_legend": "water of geen bewoners",
        "no_result": "geen uitkomst voor deze buurt",
        "of": "van",
        "yes": "ja",
        "no": "nee",
        "or_more": "{low} of meer",
        "or_less": "{high} of minder",
        "range": "{low} tot {high}",
        "concentration": "Concentratie sociale huur",
        "concentration_legend": "Concentratie sociale huur (% woningen)",
        "concentration_classes": ("minder dan 50 %", "50 tot 70 %", "70 % of meer"),
        "contribution": "Bijdrage aan D: {variable}",
        "contribution_legend": "Bijdrage van de buurt aan D ({variable})",
        "contribution_note": "Alle bijdragen samen vormen D{total}. Hoe donkerder, hoe meer "
                             "deze buurt afwijkt van de samenstelling van de hele gemeente.",
        "lisa": "LISA-clusters: {variable}",
        "lisa_legend": "Clusters (lokale Moran, {variable})",
        "lisa_classes": {"HH": "hoog omringd door hoog", "LH": "laag omringd door hoog",
                         "LL": "laag omringd door laag", "HL": "hoog omringd door laag",
                         "ns": "niet significant"},
        "lisa_note": "Hoog of laag: boven of onder het gemiddelde van de gemeente; "
                     "omringd door: het gemiddelde van de aangrenzende buurten.",
        "gi": "Hot- en coldspots (Gi*): {variable}",
        "gi_legend": "Hot- en coldspots (Gi*, {variable})",
        "gi_classes": ("hotspot (99 % zeker)", "hotspot (95 % zeker)", "hotspot (90 % zeker)",
                       "geen hot- of coldspot", "coldspot (90 % zeker)",
                       "coldspot (95 % zeker)", "coldspot (99 % zeker)"),
        "gi_note": "Hotspot: de buurt en haar buren hebben samen een hoog aandeel; "
                   "coldspot: samen een laag aandeel.",
        "scenario_after": "{scenario}: sociale huur na",
        "scenario_change": "{scenario}: verandering sociale huur",
        "change_legend": "Verandering sociale huur (procentpunt)",
        "pp": "procentpunt",
        "unchanged": "{low} tot {high} (vrijwel gelijk)",
    },
    "en": {
        "title": "Residential mixing per {level}",
        "no_map": "No map: none of the units ({level}) of {name} is in the boundary file "
                  "(changed CBS codes). The tables are available.",
        "levels": {"buurt": "neighbourhood", "wijk": "district", "gemeente": "municipality",
                   "pc4": "postcode (4 digits)", "pc6": "postcode (6 digits)"},
        "source": "Source: CBS, CC BY 4.0",
        "synthetic": "Note: synthetic demo municipality, not real CBS data.",
        "synthetic_source": "Source: synthetic data (mixing demo), not CBS",
        "headline": "Dissimilarity index D (0 = evenly spread, 1 = completely separated):",
        "ci": "95 % confidence interval",
        "layers": "Map layers",
        "groups": {"indicators": "Indicators", "local": "Local clusters",
                   "scenarios": "Scenarios (after the intervention)"},
        "background_group": "Background",
        "background": "PDOK grey base map (needs internet)",
        "unit_code": "Code",
        "wijk": "district",
        "click_hint": "Click for all data of this neighbourhood.",
        "unknown": "unknown (hidden or not published by CBS)",
        "empty": "no residents",
        "water": "water",
        "empty_legend": "water or no residents",
        "no_result": "no result for this neighbourhood",
        "of": "of",
        "yes": "yes",
        "no": "no",
        "or_more": "{low} or more",
        "or_less": "{high} or less",
        "range": "{low} to {high}",
        "concentration": "Concentration of social housing",
        "concentration_legend": "Concentration of social housing (% dwellings)",
        "concentration_classes": ("less than 50 %", "50 to 70 %", "70 % or more"),
        "contribution": "Contribution to D: {variable}",
        "contribution_legend": "Neighbourhood's contribution to D ({variable})",
        "contribution_note": "All contributions add up to D{total}. The darker, the more this "
                             "neighbourhood differs from the municipality's composition.",
        "lisa": "LISA clusters: {variable}",
        "lisa_legend": "Clusters (local Moran, {variable})",
        "lisa_classes": {"HH": "high surrounded by high", "LH": "low surrounded by high",
                         "LL": "low surrounded by low", "HL": "high surrounded by low",
                         "ns": "not significant"},
        "lisa_note": "High or low: above or below the municipality's mean; surrounded by: "
                     "the mean of the adjacent neighbourhoods.",
        "gi": "Hot and cold spots (Gi*): {variable}",
        "gi_legend": "Hot and cold spots (Gi*, {variable})",
        "gi_classes": ("hot spot (99 % confidence)", "hot spot (95 % confidence)",
                       "hot spot (90 % confidence)", "no hot or cold spot",
                       "cold spot (90 % confidence)", "cold spot (95 % confidence)",
                       "cold spot (99 % confidence)"),
        "gi_note": "Hot spot: the neighbourhood and its neighbours together have a high share; "
                   "cold spot: together a low share.",
        "scenario_after": "{scenario}: social housing after",
        "scenario_change": "{scenario}: change in social housing",
        "change_legend": "Change in social housing (percentage points)",
        "pp": "percentage points",
        "unchanged": "{low} to {high} (about the same)",
    },
}

# ColorBrewer palettes (colour-blind safe, https://colorbrewer2.org), 9 classes unless noted.
_PALETTES = {
    "social_housing": ["#ffffd9", "#edf8b1", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0",
                       "#225ea8", "#253494", "#081d58"],  # YlGnBu
    "low_income": ["#ffffe5", "#fff7bc", "#fee391", "#fec44f", "#fe9929", "#ec7014",
                   "#cc4c02", "#993404", "#662506"],  # YlOrBr
    "migration": ["#fff7f3", "#fde0dd", "#fcc5c0", "#fa9fb5", "#f768a1", "#dd3497",
                  "#ae017e", "#7a0177", "#49006a"],  # RdPu
    "origin_outside_europe": ["#fcfbfd", "#efedf5", "#dadaeb", "#bcbddc", "#9e9ac8",
                              "#807dba", "#6a51a3", "#54278f", "#3f007d"],  # Purples
}
#: Upper-open class breaks (in %) of each share: round numbers, not quantiles.
_SHARE_BREAKS = {
    "social_housing": (10, 20, 30, 40, 50, 60, 70, 80),
    "low_income": (5, 10, 15, 20, 25, 30, 35, 40),
    "migration": (10, 20, 30, 40, 50, 60, 70, 80),
    "origin_outside_europe": (10, 20, 30, 40, 50, 60, 70, 80),
}
_CONCENTRATION = (50, 70)
_CONCENTRATION_COLORS = ["#fee8c8", "#fdbb84", "#e34a33"]  # OrRd, 3 classes
_CONTRIBUTION_BREAKS = (0.002, 0.005, 0.01, 0.02, 0.05)
_CONTRIBUTION_COLORS = ["#feedde", "#fdd0a2", "#fdae6b", "#fd8d3c", "#e6550d", "#a63603"]
_LISA_ORDER = ("HH", "LH", "LL", "HL", "ns")
_LISA_COLORS = {"HH": "#d7191c", "LH": "#92c5de", "LL": "#2166ac", "HL": "#f4a6c6",
                "ns": "#e6e6e6"}
#: Gi* z thresholds: two-sided 90, 95 and 99 % under the normal approximation.
_GI_BREAKS = (-2.576, -1.960, -1.645, 1.645, 1.960, 2.576)
_GI_COLORS = ["#b2182b", "#ef8a62", "#fddbc7", "#e6e6e6", "#d1e5f0", "#67a9cf", "#2166ac"]
_CHANGE_BREAKS = (-20, -10, -5, -1, 1, 5, 10, 20)
_CHANGE_COLORS = ["#b35806", "#e08214", "#fdb863", "#fee0b6", "#f7f7f7", "#d8daeb",
                  "#b2abd2", "#8073ac", "#542788"]  # PuOr
_UNKNOWN_COLOR = "#bdbdbd"
_EMPTY_COLOR = "#ffffff"
_UNKNOWN, _EMPTY = -1, -2

# The Dutch national grey base map; optional context, the polygons render without it.
_PDOK_GREY = "https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/grijs/EPSG:3857/{z}/{x}/{y}.png"
_PDOK_ATTRIBUTION = "Kaartgegevens &copy; Kadaster (PDOK)"


def _labels(language: str) -> dict:
    if language not in LABELS:
        raise ValueError(f"language must be one of {sorted(LABELS)}, got {language!r}")
    dimensions = {name: (d.title(language), d.group_noun(language), d.total_noun(language),
                         d.legend(language)) for name, d in DIMENSIONS.items()}
    return {**LABELS[language], "dimensions": dimensions}


# --------------------------------------------------------------------------- formatting


def _number(value: float, decimals: int, language: str) -> str:
    """``1234.5`` -> ``1.234,5`` (nl) or ``1,234.5`` (en)."""
    text = f"{value:,.{decimals}f}"
    if language == "nl":
        text = text.replace(",", "_").replace(".", ",").replace("_", ".")
    return text


def _percent(value: float, language: str) -> str:
    return f"{_number(value, 0, language)} %"


def _signed(value: float, language: str, decimals: int = 0) -> str:
    sign = "+" if value > 0 else ("−" if value < 0 else "")
    return sign + _number(abs(value), decimals, language)


def _classify(values: np.ndarray, breaks: tuple[float, ...]) -> np.ndarray:
    """Class index per value (``breaks`` are lower bounds of classes 1..n); -1 when NaN."""
    classes = np.digitize(values, breaks).astype(int)
    return np.where(np.isfinite(values), classes, _UNKNOWN)


def _range_labels(breaks: tuple[float, ...], text: dict, fmt, unit: str = "") -> list[str]:
    """``0 tot 10 %``, ``10 tot 20 %``, ..., ``80 % of meer``."""
    labels = [text["range"].format(low=fmt(0), high=fmt(breaks[0])) + unit]
    labels += [text["range"].format(low=fmt(lo), high=fmt(hi)) + unit
               for lo, hi in zip(breaks[:-1], breaks[1:], strict=True)]
    labels.append(text["or_more"].format(low=fmt(breaks[-1]) + unit))
    return labels


def script_json(value) -> str:
    """JSON that is safe inside an HTML ``<script>``: ``<``, ``>`` and ``&`` are escaped."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


# --------------------------------------------------------------------------- assets


def _static(name: str) -> bytes:
    return resources.files("mixing.viz").joinpath("static", name).read_bytes()


def _leaflet_css() -> str:
    css = _static(f"{LEAFLET_DIR}/leaflet.css").decode()

    def data_uri(match: re.Match) -> str:
        png = base64.b64encode(_static(f"{LEAFLET_DIR}/{match.group(1)}")).decode()
        return f"url(data:image/png;base64,{png})"

    return re.sub(r"url\((images/[\w.-]+\.png)\)", data_uri, css)


def _leaflet_js() -> str:
    js = _static(f"{LEAFLET_DIR}/leaflet.js").decode()
    return re.sub(r"\n//# sourceMappingURL=\S+\s*$", "\n", js)


def _inline_script(code: str) -> str:
    return "<script>" + code.replace("</script", "<\\/script") + "</script>"


def _inline_style(css: str) -> str:
    return "<style>" + css.replace("</style", "<\\/style") + "</style>"


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
            return _inline_script(_leaflet_js()) if leaflet.group(1) == "js" else (
                _inline_style(_leaflet_css()))
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


def _no_geometry_page(units: pd.DataFrame, level: str, text: dict) -> str:
    """A plain page for a municipality none of whose units has a boundary to draw."""
    first = units.iloc[0]
    name = html.escape(str(first["municipality_name"] or first["municipality_code"]))
    body = text["no_map"].format(level=html.escape(level), name=name)
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{name}</title></head>"
            f"<body style='font:16px sans-serif;margin:2em'><p>{body}</p></body></html>")


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


# --------------------------------------------------------------------------- layers


@dataclass
class _Layer:
    id: str
    group: str
    title: str
    short: str
    colors: list[str]
    legend_title: str
    legend_labels: list[str]
    classes: np.ndarray
    texts: list[str]
    note: str = ""

    def config(self, text: dict) -> dict:
        items = [[c, label] for c, label in zip(self.colors, self.legend_labels, strict=True)]
        if (self.classes == _UNKNOWN).any():
            items.append([_UNKNOWN_COLOR, text["unknown"]])
        if (self.classes == _EMPTY).any():
            items.append([_EMPTY_COLOR, text["empty_legend"]])
        return {"id": self.id, "group": self.group, "title": self.title, "short": self.short,
                "colors": self.colors,
                "legend": {"title": self.legend_title, "items": items, "note": self.note}}


def _status(units: pd.DataFrame, text: dict) -> tuple[np.ndarray, list[str]]:
    """Which units have no residents (or are water), and the word to show for them."""
    def flag(column):
        if column not in units:
            return np.zeros(len(units), bool)
        return units[column].fillna(False).to_numpy(bool)

    water, empty = flag("is_water"), flag("is_uninhabited")
    words = [text["water"] if w else (text["empty"] if e else "")
             for w, e in zip(water, empty, strict=True)]
    return water | empty, words


def _share(units: pd.DataFrame, dimension: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    dim = DIMENSIONS[dimension]
    group = units[dim.group].to_numpy(float) if dim.group in units else np.full(len(units), np.nan)
    total = units[dim.total].to_numpy(float) if dim.total in units else np.full(len(units), np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(total > 0, 100 * group / total, np.nan)
    return share, group, total


def _share_texts(share, group, total, noun, empty, words, text, language) -> list[str]:
    out = []
    for s, g, t, e, w in zip(share, group, total, empty, words, strict=True):
        if np.isfinite(s):
            out.append(f"{_percent(s, language)} ({_number(g, 0, language)} {text['of']} "
                       f"{_number(t, 0, language)} {noun})")
        elif e or (np.isfinite(t) and t == 0):
            out.append(w or text["empty"])
        else:
            out.append(text["unknown"])
    return out


def _mark_empty(classes: np.ndarray, empty: np.ndarray, values: np.ndarray) -> np.ndarray:
    return np.where(empty & ~np.isfinite(values), _EMPTY, classes)


def _share_layers(units, empty, words, text, language) -> list[_Layer]:
    layers = []
    for name in DIMENSIONS:
        if name not in _PALETTES:
            continue
        share, group, total = _share(units, name)
        if not np.isfinite(share).any():
            continue
        title, _, noun, legend = text["dimensions"][name]
        breaks = _SHARE_BREAKS[name]
        layers.append(_Layer(
            id=f"share-{name}", group="indicators", title=title, short=title,
            colors=_PALETTES[name], legend_title=legend,
            legend_labels=_range_labels(breaks, text, lambda v: _number(v, 0, language), " %"),
            classes=_mark_empty(_classify(share, breaks), empty | (total == 0), share),
            texts=_share_texts(share, group, total, noun, empty, words, text, language),
        ))
        if name == "social_housing":
            layers.append(_Layer(
                id="concentration", group="indicators", title=text["concentration"],
                short=text["concentration"], colors=_CONCENTRATION_COLORS,
                legend_title=text["concentration_legend"],
                legend_labels=list(text["concentration_classes"]),
                classes=_mark_empty(_classify(share, _CONCENTRATION), empty | (total == 0),
                                    share),
                texts=layers[-1].texts,
            ))
    return layers


def _variable(variable: object) -> str:
    return str(variable)


def _variable_label(variable: object, text: dict) -> str:
    name = _variable(variable)
    return text["dimensions"][name][1] if name in text["dimensions"] else str(variable)


def _local_layers(local, units, indices, level, empty, words, text, language) -> list[_Layer]:
    required = {"unit_code", "variable"}
    missing = required - set(local.columns)
    if missing:
        raise ValueError(f"local must have the columns {sorted(required)}; "
                         f"missing {sorted(missing)}")
    codes = units["unit_code"].astype(str).to_numpy()
    layers = []
    for variable, rows in local.groupby("variable", sort=False):
        rows = rows.drop_duplicates("unit_code").set_index(rows["unit_code"].astype(str)[
            ~rows["unit_code"].duplicated()].to_numpy()).reindex(codes)
        label = _variable_label(variable, text)
        key = re.sub(r"[^A-Za-z0-9_-]", "_", str(variable))
        absent = rows["variable"].isna().to_numpy()

        def outside(classes, values, _absent=absent):
            classes = np.where(_absent, _UNKNOWN, classes)
            return _mark_empty(classes, empty, values)

        def missing_text(i, _absent=absent):
            return words[i] if empty[i] else (text["no_result"] if _absent[i] else text["unknown"])

        if "d_contribution" in rows and rows["d_contribution"].notna().any():
            values = rows["d_contribution"].to_numpy(float)
            total = _headline(indices, level, _variable(variable))
            total_text = "" if total is None else f" = {_number(total[0], 2, language)}"
            layers.append(_Layer(
                id=f"contribution-{key}", group="indicators",
                title=text["contribution"].format(variable=label),
                short=text["contribution"].format(variable=label),
                colors=_CONTRIBUTION_COLORS,
                legend_title=text["contribution_legend"].format(variable=label),
                legend_labels=_range_labels(_CONTRIBUTION_BREAKS, text,
                                            lambda v: _number(v, 3, language)),
                classes=outside(_classify(values, _CONTRIBUTION_BREAKS), values),
                texts=[_number(v, 4, language) if np.isfinite(v) else missing_text(i)
                       for i, v in enumerate(values)],
                note=text["contribution_note"].format(total=total_text),
            ))
        if "quadrant" in rows:
            quadrant = rows["quadrant"].astype(object).where(rows["quadrant"].notna(), None)
            if "significant" in rows:
                significant = rows["significant"].fillna(False).astype(bool).to_numpy()
            else:
                significant = (rows["p_value"].to_numpy(float) <= 0.05) if "p_value" in rows \
                    else np.ones(len(rows), bool)
            names = [(q if q in _LISA_COLORS and s else "ns") if q is not None else None
                     for q, s in zip(quadrant, significant, strict=True)]
            known = np.array([n is not None for n in names])
            classes = np.array([_LISA_ORDER.index(n) if n else _UNKNOWN for n in names])
            p = rows["p_value"].to_numpy(float) if "p_value" in rows else np.full(len(rows), np.nan)
            texts = []
            for i, n in enumerate(names):
                if n is None:
                    texts.append(missing_text(i))
                else:
                    suffix = f" (p = {_number(p[i], 3, language)})" if np.isfinite(p[i]) else ""
                    texts.append(text["lisa_classes"][n] + suffix)
            layers.append(_Layer(
                id=f"lisa-{key}", group="local", title=text["lisa"].format(variable=label),
                short=text["lisa"].format(variable=label),
                colors=[_LISA_COLORS[q] for q in _LISA_ORDER],
                legend_title=text["lisa_legend"].format(variable=label),
                legend_labels=[text["lisa_classes"][q] for q in _LISA_ORDER],
                classes=outside(classes, np.where(known, 0.0, np.nan)),
                texts=texts, note=text["lisa_note"],
            ))
        if "gi_z" in rows:
            z = rows["gi_z"].to_numpy(float)
            # hot spots first in the legend: reverse the ascending z classes
            classes = np.where(np.isfinite(z), len(_GI_BREAKS) - np.digitize(z, _GI_BREAKS),
                               _UNKNOWN)
            layers.append(_Layer(
                id=f"gi-{key}", group="local", title=text["gi"].format(variable=label),
                short=text["gi"].format(variable=label), colors=_GI_COLORS,
                legend_title=text["gi_legend"].format(variable=label),
                legend_labels=list(text["gi_classes"]),
                classes=outside(classes, z),
                texts=[f"{text['gi_classes'][c]} (z = {_number(v, 2, language)})"
                       if np.isfinite(v) else missing_text(i)
                       for i, (c, v) in enumerate(zip(classes, z, strict=True))],
                note=text["gi_note"],
            ))
    return layers


def _scenario_layers(scenarios, units, empty, words, text, language) -> list[_Layer]:
    layers = []
    before, _, _ = _share(units, "social_housing")
    codes = units["unit_code"].astype(str)
    title, _, noun, _ = text["dimensions"]["social_housing"]
    for k, (name, after_units) in enumerate(scenarios.items()):
        if "unit_code" not in after_units:
            raise ValueError(f"scenario {name!r}: the units-after table has no unit_code column")
        after_units = after_units.set_index(after_units["unit_code"].astype(str)).reindex(codes)
        after, group, total = _share(after_units, "social_housing")
        change = after - before
        breaks = _SHARE_BREAKS["social_housing"]
        layers.append(_Layer(
            id=f"scenario-{k}-after", group="scenarios",
            title=text["scenario_after"].format(scenario=name),
            short=text["scenario_after"].format(scenario=name),
            colors=_PALETTES["social_housing"],
            legend_title=text["scenario_after"].format(scenario=name) + " (%)",
            legend_labels=_range_labels(breaks, text, lambda v: _number(v, 0, language), " %"),
            classes=_mark_empty(_classify(after, breaks), empty | (total == 0), after),
            texts=_share_texts(after, group, total, noun, empty, words, text, language),
        ))
        def fmt(v):
            return _signed(v, language)

        labels = ([text["or_less"].format(high=f"{fmt(_CHANGE_BREAKS[0])} {text['pp']}")]
                  + [(text["unchanged"] if lo == -1 else text["range"]).format(
                      low=fmt(lo), high=fmt(hi))
                     for lo, hi in zip(_CHANGE_BREAKS[:-1], _CHANGE_BREAKS[1:], strict=True)]
                  + [text["or_more"].format(low=f"{fmt(_CHANGE_BREAKS[-1])} {text['pp']}")])
        layers.append(_Layer(
            id=f"scenario-{k}-change", group="scenarios",
            title=text["scenario_change"].format(scenario=name),
            short=text["scenario_change"].format(scenario=name),
            colors=_CHANGE_COLORS, legend_title=text["change_legend"], legend_labels=labels,
            classes=_mark_empty(_classify(change, _CHANGE_BREAKS), empty | (total == 0), change),
            texts=[f"{_signed(c, language, 1)} {text['pp']} ({_percent(b, language)} → "
                   f"{_percent(a, language)})" if np.isfinite(c) else
                   (words[i] or text["empty"] if empty[i] else text["unknown"])
                   for i, (c, b, a) in enumerate(zip(change, before, after, strict=True))],
        ))
    return layers


# --------------------------------------------------------------------------- title panel


def _headline(indices: pd.DataFrame | None, level: str, dimension: str):
    """(value, ci_low, ci_high) of D for one dimension at ``level``, or None."""
    if indices is None or indices.empty:
        return None
    rows = indices[(indices["dimension"] == dimension) & (indices["index"] == "dissimilarity")
                   & (indices["level"] == level)]
    if rows.empty or not np.isfinite(rows["value"].iat[0]):
        return None
    row = rows.iloc[0]
    low = row["ci_low"] if "ci_low" in rows else np.nan
    high = row["ci_high"] if "ci_high" in rows else np.nan
    return float(row["value"]), float(low), float(high)


def _title_panel(units, indices, text, level, language) -> str:
    first = units.iloc[0]
    name = first["municipality_name"]
    where = html.escape(str(name if isinstance(name, str) and name else
                            first["municipality_code"]))
    year = int(first["year"])
    lines = []
    for dimension in DIMENSIONS:
        head = _headline(indices, level, dimension)
        if head is None or dimension not in text["dimensions"]:
            continue
        value, low, high = head
        ci = (f" <span class='mx-ci' title='{text['ci']}'>({_number(low, 2, language)}–"
              f"{_number(high, 2, language)})</span>" if np.isfinite(low) and np.isfinite(high)
              else "")
        lines.append(f"<div class='mx-headline'>{html.escape(text['dimensions'][dimension][0])}"
                     f": <b>{_number(value, 2, language)}</b>{ci}</div>")
    headline = ""
    if lines:
        any_ci = "mx-ci" in "".join(lines)
        ci_note = f"<div class='mx-source'>{text['ci']} " + ("tussen haakjes" if language == "nl"
                                                             else "in brackets") + "</div>"
        headline = (f"<div class='mx-explain'>{html.escape(text['headline'])}</div>"
                    + "".join(lines) + (ci_note if any_ci else ""))
    synthetic = str(first["municipality_code"]).startswith("DEMO")
    note = f"<div class='mx-synthetic'>{html.escape(text['synthetic'])}</div>" if synthetic else ""
    source = text["synthetic_source"] if synthetic else text["source"]
    level_word = text["levels"].get(level, level)
    return (
        "<div id='mx-title' class='mx-title leaflet-control'>"
        f"<h1>{where}, {year}</h1><div>{html.escape(text['title'].format(level=level_word))}</div>"
        f"{note}{headline}<div class='mx-source'>{html.escape(source)}</div></div>"
    )


# --------------------------------------------------------------------------- the map


#: Popup labels of the canonical columns; other columns show their own name.
_COLUMN_LABELS = {
    "nl": {
        "unit_code": "code", "unit_name": "naam", "level": "niveau",
        "municipality_code": "gemeentecode", "municipality_name": "gemeente",
        "wijk_code": "wijkcode", "year": "jaar", "population": "inwoners",
        "households": "huishoudens", "dwellings": "woningen",
        "dwellings_social": "woningen van corporaties (sociale huur)",
        "dwellings_private_rent": "particuliere huurwoningen",
        "dwellings_owner_occupied": "koopwoningen",
        "households_low_income": "huishoudens met laag inkomen",
        "population_migration_western": "inwoners met westerse migratieachtergrond",
        "population_migration_nonwestern": "inwoners met niet-westerse migratieachtergrond",
        "population_origin_dutch": "inwoners met Nederlandse herkomst",
        "population_origin_europe": "inwoners met herkomst Europa (excl. NL)",
        "population_origin_outside_europe": "inwoners met herkomst buiten Europa",
        "mean_income": "gemiddeld inkomen per inwoner (x 1.000 euro)",
        "mean_woz": "gemiddelde WOZ-waarde (x 1.000 euro)",
        "is_uninhabited": "geen bewoners", "is_water": "water",
    },
    "en": {
        "unit_code": "code", "unit_name": "name", "level": "level",
        "municipality_code": "municipality code", "municipality_name": "municipality",
        "wijk_code": "district code", "year": "year", "population": "residents",
        "households": "households", "dwellings": "dwellings",
        "dwellings_social": "housing-corporation dwellings (social housing)",
        "dwellings_private_rent": "private rented dwellings",
        "dwellings_owner_occupied": "owner-occupied dwellings",
        "households_low_income": "low-income households",
        "population_migration_western": "residents with a western migration background",
        "population_migration_nonwestern": "residents with a non-western migration background",
        "population_origin_dutch": "residents of Dutch origin",
        "population_origin_europe": "residents of European origin (excl. NL)",
        "population_origin_outside_europe": "residents of origin outside Europe",
        "mean_income": "mean income per resident (x 1,000 euro)",
        "mean_woz": "mean WOZ value (x 1,000 euro)",
        "is_uninhabited": "no residents", "is_water": "water",
    },
}


def _row_texts(units: pd.DataFrame, text: dict, language: str) -> tuple[list[str], list[list]]:
    columns = [c for c in units.columns if c != units.geometry.name]
    keys = [_COLUMN_LABELS[language].get(c, c) for c in columns]
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
                    out.append(_number(value, 0 if float(value).is_integer() else 2, language))
            elif value is None or value is pd.NA:
                out.append("")
            else:
                out.append(str(value))
        rows.append(out)
    return keys, rows


def municipality_map(
    units: gpd.GeoDataFrame,
    indices: pd.DataFrame | None = None,
    *,
    local: pd.DataFrame | None = None,
    scenarios: Mapping[str, pd.DataFrame] | None = None,
    language: str = "nl",
    level: str | None = None,
    tolerance: float = 5.0,
    explorer: Mapping | None = None,
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
        Local statistics, one row per (``unit_code``, ``variable``). Used columns:
        ``quadrant`` (HH/LH/LL/HL) with ``significant`` (else ``p_value <= 0.05``) for the
        LISA layer, ``gi_z`` for the Gi* layer, ``d_contribution`` for the contribution to
        D. Missing columns skip their layer; ``None`` skips them all.
    scenarios : mapping of str to DataFrame, optional
        Scenario name -> units table after the scenario (canonical columns, same unit
        codes). Each adds the social share after and the change in percentage points.
    language : {"nl", "en"}
    level : str, optional
    tolerance : float
        Coverage simplification in metres before reprojection (0 to keep every vertex).
    explorer : mapping, optional
        Payload of the in-map policy explorer (:func:`mixing.viz.explorer.explorer_payload`).

    Returns
    -------
    str
        The HTML document; no external script, stylesheet or tile is required.
    """
    text = _labels(language)
    if units.empty:
        raise ValueError("units is empty: nothing to map")
    if level is None:
        level = "buurt" if (units["level"] == "buurt").any() else str(units["level"].iat[0])
    shown = units[units["level"] == level].reset_index(drop=True)
    if shown.empty:
        raise ValueError(f"units has no rows at level {level!r}; levels present: "
                         f"{sorted(units['level'].unique())}")
    # units whose code is missing from the boundary file cannot be drawn
    shown = shown[shown.geometry.notna() & ~shown.geometry.is_empty].reset_index(drop=True)
    if shown.empty:
        return _no_geometry_page(units, level, text)
    empty, words = _status(shown, text)

    layers = _share_layers(shown, empty, words, text, language)
    if local is not None:
        layers += _local_layers(local, shown, indices, level, empty, words, text, language)
    if scenarios:
        layers += _scenario_layers(scenarios, shown, empty, words, text, language)
    # summary lines in every tooltip: the shares
    summary = [i for i, layer in enumerate(layers) if layer.id.startswith("share-")]

    geometry = map_geometry(shown, tolerance=tolerance)
    row_keys, rows = _row_texts(shown, text, language)
    features = []
    for i, geom in enumerate(geometry):
        features.append({
            "type": "Feature",
            "geometry": json.loads(shapely.to_geojson(geom)),
            "properties": {
                "c": str(shown["unit_code"].iat[i]),
                "n": str(shown["unit_name"].iat[i]) if pd.notna(shown["unit_name"].iat[i])
                else str(shown["unit_code"].iat[i]),
                "w": "" if pd.isna(shown["wijk_code"].iat[i]) else str(shown["wijk_code"].iat[i]),
                "k": [int(layer.classes[i]) for layer in layers],
                "t": [layer.texts[i] for layer in layers],
                "r": rows[i],
            },
        })
    west, south, east, north = geometry.total_bounds
    synthetic = str(shown["municipality_code"].iat[0]).startswith("DEMO")
    source = text["synthetic_source"] if synthetic else text["source"]
    config = {
        "bounds": [[south, west], [north, east]],
        "labels": {k: text[k] for k in ("unit_code", "wijk", "click_hint", "layers",
                                        "background_group")} | {"source": source},
        "colors": {"unknown": _UNKNOWN_COLOR, "empty": _EMPTY_COLOR},
        "layers": [layer.config(text) for layer in layers],
        "groups": [[g, text["groups"][g]] for g in ("indicators", "local", "scenarios")],
        "summary": summary,
        "rowKeys": row_keys,
        "background": {"url": _PDOK_GREY, "attribution": _PDOK_ATTRIBUTION,
                       "label": text["background"]},
        "data": {"type": "FeatureCollection", "features": features},
    }
    return _page(config, _title_panel(shown, indices, text, level, language), language, explorer)


class _MixingLayers(MacroElement):
    """Calls ``mixingMap(map, config)`` after folium has created the Leaflet map."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "mixingMap({{ this._parent.get_name() }}, {{ this.json }});"
        "{% endmacro %}"
    )

    def __init__(self, config: dict):
        super().__init__()
        self._name = "MixingLayers"
        self.json = script_json(config)


def _page(config: dict, title_panel: str, language: str, explorer=None) -> str:
    fmap = folium.Map(tiles=None, zoom_control="bottomleft")
    root = fmap.get_root()
    root.header.add_child(folium.Element(_inline_style(_static("mixing-map.css").decode())))
    root.header.add_child(folium.Element(_inline_script(_static("mixing-map.js").decode())))
    root.html.add_child(folium.Element(title_panel))
    _MixingLayers(config).add_to(fmap)
    if explorer is not None:
        from mixing.viz.explorer import add_explorer

        add_explorer(fmap, explorer)
    page = inline_assets(root.render())
    return page.replace("<html>", f"<html lang=\"{language}\">", 1)


def social_housing_map(
    units: gpd.GeoDataFrame, indices: pd.DataFrame, *, language: str = "nl"
) -> str:
    """The social-housing map of the first version: :func:`municipality_map` without
    local statistics or scenarios (kept for callers of the old API)."""
    return municipality_map(units, indices, language=language)
