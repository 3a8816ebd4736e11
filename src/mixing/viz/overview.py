"""``results/index.html``: every municipality of a run on one offline page.

A small map of the municipalities coloured by the dissimilarity index D, a sortable table of
the headline indices with a link to each municipality's map, and, when a scenarios table
exists, a sortable table of scenario effects. Computes nothing: it shows the finished index
and scenario tables; the outlines are the units dissolved per municipality for display.
"""

from __future__ import annotations

import html
from collections.abc import Collection, Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from mixing.dimensions import Label
from mixing.io.demo import is_synthetic
from mixing.viz import compare, style
from mixing.viz.caveats import CAVEAT_CSS, CAVEAT_LABELS, caveats_html
from mixing.viz.layers import GROUPS, MapTables, build, dimension_label
from mixing.viz.maps import LABELS, map_geometry, map_page
from mixing.viz.page import inline_script, inline_style, static_text
from mixing.viz.pages import (
    NAV_CSS,
    PAGE_FILES,
    PAGE_LABELS,
    document_title,
    nav_html,
    run_place,
    sibling,
)

__all__ = ["overview_page", "no_data_page", "OVERVIEW_LABELS"]

OVERVIEW_LABELS = style.by_language({
    "title": Label("Segregatie per gemeente: overzicht", "Segregation per municipality: overview"),
    "intro": Label("Segregatie-index D per gemeente (0 = gelijk verdeeld over de buurten, "
                   "1 = volledig gescheiden). Klik op een kolomkop om te sorteren, op een "
                   "gemeente om haar kaart te openen.",
                   "Dissimilarity index D per municipality (0 = evenly spread over the "
                   "neighbourhoods, 1 = completely separated). Click a column heading to sort, "
                   "a municipality to open its map."),
    "municipality": Label("Gemeente", "Municipality"),
    "code": "Code",
    "year": Label("Jaar", "Year"),
    "level": Label("Niveau", "Level"),
    "units": Label("Aantal eenheden", "Number of units"),
    "map": Label("Kaart", "Map"),
    "open": Label("kaart openen", "open map"),
    "compare": Label("scenario's vergelijken", "compare scenarios"),
    "trends": Label("trend bekijken", "see the trend"),
    "d": "D {dimension}",
    "scenarios": Label("Effect van scenario's", "Scenario effects"),
    "scenarios_note": Label("Per gemeente gerangschikt zoals op haar scenariopagina: ",
                            "Per municipality ranked as on its scenario page: "),
    "page": Label("scenariopagina", "scenario page"),
    "not_computed": Label("niet berekend (geen gegevens)", "not computed (no data)"),
    "synthetic": Label("Let op: {codes} is een synthetische demogemeente, geen CBS-gegevens.",
                       "Note: {codes} is a synthetic demo municipality, not CBS data."),
    "group_current": Label("Deze berekening ({run}), {year}", "This run ({run}), {year}"),
    "group_earlier": Label("Eerdere berekening in deze map ({run}), {year}: niet samen te "
                           "lezen met deze berekening", "Earlier run in this folder ({run}), "
                           "{year}: not to be read together with this run"),
    "group_synthetic": Label("Synthetische demogemeente ({run}): geen CBS-gegevens, niet te "
                             "vergelijken met echte gemeenten",
                             "Synthetic demo municipality ({run}): not CBS data, not to be "
                             "compared with real municipalities"),
    "no_data": Label("Geen gegevens", "No data"),
    "reason": Label("Reden", "Reason"),
    "no_data_title": Label("{code}: geen gegevens", "{code}: no data"),
    "no_data_text": Label("Voor deze gemeente is niets berekend: {reason}.",
                          "Nothing was computed for this municipality: {reason}."),
})

_CSS = """
body { font: 14px/1.4 "Segoe UI", Arial, sans-serif; margin: 0; }
.mx-page { padding: 12px 20px; max-width: 1200px; }
.mx-page h1 { font-size: 20px; margin: 4px 0 8px 0; }
.mx-overview-map { height: 420px; border: 1px solid #aaa; margin: 8px 0 16px 0; }
table.mx-sortable { border-collapse: collapse; margin-bottom: 20px; }
table.mx-sortable th, table.mx-sortable td { padding: 3px 10px; border-bottom: 1px solid #ddd; }
table.mx-sortable th { cursor: pointer; background: #f0f0f0; text-align: left; }
table.mx-sortable th[aria-sort=ascending]::after { content: " \\25B2"; }
table.mx-sortable th[aria-sort=descending]::after { content: " \\25BC"; }
table.mx-sortable td.mx-num { text-align: right; font-variant-numeric: tabular-nums; }
.mx-synthetic { color: #b30000; font-weight: bold; }
/* phones: the page is never wider than the screen; a wide table scrolls on its own */
@media screen and (max-width: 600px) { .mx-page { padding: 8px; }
  table.mx-sortable { display: block; overflow-x: auto; max-width: 100%; }
  .mx-overview-map { height: 340px; } }
"""


def _cell(value: float, language: str, decimals: int = 2) -> str:
    if value is None or not np.isfinite(value):
        return "<td class='mx-num' data-sort=''>&ndash;</td>"
    return (f"<td class='mx-num' data-sort='{value:.6g}'>"
            f"{style.number(value, decimals, language)}</td>")


def _d(indices: pd.DataFrame, code: str, level: str, dimension: str) -> tuple[float, float, float]:
    rows = indices[(indices["municipality_code"] == code) & (indices["level"] == level)
                   & (indices["dimension"] == dimension) & (indices["index"] == "dissimilarity")]
    if rows.empty:
        return np.nan, np.nan, np.nan
    row = rows.iloc[0]
    return (float(row["value"]), float(row.get("ci_low", np.nan)),
            float(row.get("ci_high", np.nan)))


def overview_page(
    units: gpd.GeoDataFrame,
    indices: pd.DataFrame,
    *,
    links: Mapping[str, str] | None = None,
    scenarios: pd.DataFrame | None = None,
    language: str = "nl",
    level: str = "buurt",
    no_data: Mapping[str, str] | None = None,
    runs: Mapping[str, str] | None = None,
    current_run: str | None = None,
    caveats: pd.DataFrame | None = None,
    trends: Collection[str] = (),
) -> str:
    """The overview page of a run as one self-contained, offline HTML document.

    Runs are never mixed silently: municipalities are listed in one table per run, year
    and kind (CBS data or the synthetic demo), each under a heading that says so, and the
    map draws only this run's real municipalities (the demo only when the run is the demo).

    Parameters
    ----------
    units : GeoDataFrame
        Canonical units of every municipality of the run, stacked (EPSG:28992). Only
        ``level`` rows are used; they are dissolved to one outline per municipality.
    indices : DataFrame
        Stacked tidy index tables (``municipality_code, year, level, dimension, index, value,
        n_units`` and optionally ``ci_low, ci_high``).
    links : mapping of str to str, optional
        ``municipality_code`` -> relative link of its map (default ``{code}/map.html``).
        A municipality with rows in ``scenarios`` also gets a link to its scenario page,
        next to its map (:func:`mixing.viz.pages.sibling`).
    scenarios : DataFrame, optional
        The stacked scenario tables (:func:`mixing.scenarios.run_scenarios`): one row per
        municipality and scenario is listed, ranked as on its scenario page.
    language : {"nl", "en"}
    level : str
        Level whose D is shown.
    no_data : mapping of str to str, optional
        ``municipality_code`` -> why nothing was computed for it (listed under the tables).
    runs : mapping of str to str, optional
        ``municipality_code`` -> the run its results come from
        (:func:`mixing.workflow_io.run_label`); default: all from ``current_run``.
    current_run : str, optional
        The run writing this page.
    caveats : DataFrame, optional
        The stacked caveats.csv of the municipalities
        (:func:`mixing.tables.caveats.caveat_table`): a "Let op" cell per municipality.
    trends : collection of str
        Municipalities with a trend page (comparison years): a link to it.
    """
    style.check_language(language)
    text, words = LABELS[language] | style.words(language), OVERVIEW_LABELS[language]
    shown = units[units["level"] == level]
    if shown.empty:
        raise ValueError(f"units has no rows at level {level!r}")
    links = dict(links or {})
    frame = shown[["municipality_code", "municipality_name", "year", "geometry"]].to_crs(28992)
    outlines = []
    for code, group in frame.groupby("municipality_code", sort=True):
        name = group["municipality_name"].dropna()
        outlines.append({"code": str(code), "name": str(name.iat[0]) if len(name) else str(code),
                         "year": int(group["year"].iat[0]),
                         "geometry": shapely.union_all(group.geometry.to_numpy(), grid_size=0.1)})
    outlines = gpd.GeoDataFrame(outlines, geometry="geometry", crs=28992)
    codes = outlines["code"].tolist()
    current_run = current_run or ""
    run_of = {code: str((runs or {}).get(code, current_run)) for code in codes}
    # the municipalities are the units of this map: one D per municipality from the indices
    units_table = pd.DataFrame({"unit_code": codes, "unit_name": outlines["name"]})
    layers = build("d", MapTables(units_table, language, indices=indices, level=level))
    dimensions = [layer.id.removeprefix("d-") for layer in layers]
    mine = [c for c in codes if run_of[c] == current_run] or codes
    on_map = set([c for c in mine if not is_synthetic(c)] or mine)
    # a municipality none of whose buurt codes has a boundary is listed, not drawn
    drawn = [i for i, code in enumerate(codes)
             if code in on_map and not outlines.geometry.iat[i].is_empty]
    geometry = map_geometry(outlines.iloc[drawn] if drawn else outlines, tolerance=25.0,
                            decimals=4)
    features = []
    for i, geom in zip(drawn, geometry, strict=False):
        features.append({
            "type": "Feature", "geometry": shapely.geometry.mapping(geom),
            "properties": {"c": codes[i], "n": outlines["name"].iat[i], "w": "",
                           "k": [int(layer.classes[i]) for layer in layers],
                           "t": [layer.texts[i] for layer in layers],
                           "r": [codes[i], outlines["name"].iat[i]]
                           + [layer.texts[i] for layer in layers]},
        })
    west, south, east, north = geometry.total_bounds
    config = {
        "bounds": [[south, west], [north, east]],
        "title": words["title"],
        "labels": {"unit_code": text["unit_code"], "wijk": "", "click_hint": "",
                   "layers": text["layers"], "legend": text["legend"],
                   "background_group": text["background_group"],
                   "source": (text["synthetic_source"]
                              if all(is_synthetic(c) for c in on_map) else text["source"])
                   + (" " + text["pc4_limits"] if level == "pc4" else "")},
        "colors": {"unknown": style.UNKNOWN_COLOR, "empty": style.EMPTY_COLOR},
        "layers": [layer.config(language, words["not_computed"]) for layer in layers],
        "groups": [["indicators", GROUPS["indicators"](language)]],
        "summary": list(range(len(layers))),
        "rowKeys": [words["code"], words["municipality"]] + [layer.title for layer in layers],
        "background": None,
        "data": {"type": "FeatureCollection", "features": features},
    }
    title = document_title(words["title"], run_place(outlines["name"].tolist(), language),
                           outlines["year"].tolist())
    page = map_page(config, language, styles=(_CSS, CAVEAT_CSS), height="420px",
                    title=title)
    # the page scrolls: heading, the map as a block of fixed height, then the tables
    groups = _groups(outlines, run_of, current_run)
    tables = ""
    for n, (key, group) in enumerate(groups.items()):
        if len(groups) > 1:
            tables += _group_heading(key, words)
        tables += _index_table(outlines[outlines["code"].isin(group)], indices, links,
                               dimensions, words, language, level, scenarios,
                               "mx-indices" + (f"-{n + 1}" if n else ""), caveats,
                               set(trends))
    tables += (_scenario_table(scenarios, outlines, links, words, language)
               + _no_data_table(no_data or {}, links, words))
    page = page.replace("<body>", "<body><div class='mx-page'><h1>"
                        + html.escape(words["title"]) + "</h1><p>" + html.escape(words["intro"])
                        + "</p>", 1)
    head, tail = page.rsplit("</body>", 1)
    page = (head + tables + inline_script(static_text("overview.js")) + "</div></body>"
            + tail)
    return page.replace('class="folium-map"', 'class="folium-map mx-overview-map"', 1)


def _groups(outlines, run_of, current_run) -> dict[tuple, list[str]]:
    """Municipality codes per (synthetic, earlier run, run, year): this run's real ones first."""
    keys = {code: (is_synthetic(code), run_of[code] != current_run, run_of[code], -int(year))
            for code, year in zip(outlines["code"], outlines["year"], strict=True)}
    groups: dict[tuple, list[str]] = {}
    for code in sorted(keys, key=lambda c: (keys[c], c)):
        groups.setdefault(keys[code], []).append(code)
    return groups


def _group_heading(key, words) -> str:
    synthetic, earlier, run, year = key
    if synthetic:
        text = words["group_synthetic"]
    else:
        text = words["group_earlier" if earlier else "group_current"]
    text = text.format(year=-year, run=run or "?").replace(" ()", "")
    return f"<h2 class='mx-run'>{html.escape(text)}</h2>"


def _index_table(outlines, indices, links, dimensions, words, language, level,
                 scenarios, table_id, caveats, trends) -> str:
    e = html.escape
    synthetic = [c for c in outlines["code"] if is_synthetic(c)]
    parts = []
    if synthetic:
        note = words["synthetic"].format(codes=", ".join(synthetic))
        parts.append(f"<p class='mx-synthetic'>{e(note)}</p>")
    head = [words["municipality"], words["code"], words["year"], words["units"]]
    head += [words["d"].format(dimension=dimension_label(d, language)) for d in dimensions]
    head.append(words["map"])
    compared = (set(scenarios["municipality_code"].astype(str))
                if scenarios is not None and not scenarios.empty else set())
    if compared:
        head.append(PAGE_LABELS[language]["scenarios"])
    trends = trends & set(outlines["code"])
    if trends:
        head.append(PAGE_LABELS[language]["trends"])
    if caveats is not None:
        head.append(CAVEAT_LABELS[language]["title"])
    parts.append(f"<table class='mx-sortable' id='{table_id}'><thead><tr>"
                 + "".join(f"<th>{e(h)}</th>" for h in head) + "</tr></thead><tbody>")
    for row in outlines.itertuples():
        link = links.get(row.code, f"{row.code}/{PAGE_FILES['map']}")
        n_units = indices.loc[(indices["municipality_code"] == row.code)
                              & (indices["level"] == level), "n_units"]
        cells = [f"<td><a href='{e(link)}'>{e(row.name)}</a></td>", f"<td>{e(row.code)}</td>",
                 f"<td>{row.year}</td>",
                 _cell(float(n_units.max()) if len(n_units) else np.nan, language, 0)]
        for dimension in dimensions:
            value, low, high = _d(indices, row.code, level, dimension)
            cell = _cell(value, language)
            if np.isfinite(low) and np.isfinite(high):
                cell = cell.replace("</td>", f" <small>({style.number(low, 2, language)}–"
                                             f"{style.number(high, 2, language)})</small></td>")
            cells.append(cell)
        cells.append(f"<td><a href='{e(link)}'>{e(words['open'])}</a></td>")
        if compared:
            cells.append(f"<td><a href='{e(sibling(link, 'scenarios'))}'>{e(words['compare'])}"
                         "</a></td>" if row.code in compared else "<td>&ndash;</td>")
        if trends:
            cells.append(f"<td><a href='{e(sibling(link, 'trends'))}'>{e(words['trends'])}"
                         "</a></td>" if row.code in trends else "<td>&ndash;</td>")
        if caveats is not None:
            mine = caveats[caveats["municipality_code"] == row.code]
            cells.append(f"<td>{caveats_html(mine, language, open_=False) or '&ndash;'}</td>")
        parts.append("<tr>" + "".join(cells) + "</tr>")
    parts.append("</tbody></table>")
    return "".join(parts)


def _scenario_table(scenarios, outlines, links, words, language) -> str:
    """One row per municipality and scenario, in the words of the scenario page
    (:data:`mixing.viz.compare.TEXT`): title, rank, change in D of the headline dimension,
    households that must move, homes changed, and a link to its card on the page."""
    if scenarios is None or scenarios.empty:
        return ""
    e = html.escape
    page = compare.TEXT[language]
    rows = compare.headline_rows(scenarios)
    dims = {str(d) for d in rows["dimension"]}
    noun = dimension_label(dims.pop(), language) if len(dims) == 1 else "…"
    head = [words["municipality"], page["col_rank"], page["col_scenario"],
            page["col_drop"].format(dim=noun), page["col_displaced"], page["col_changed"]]
    out = [f"<h2>{e(words['scenarios'])}</h2>",
           f"<p>{e(words['scenarios_note'])}{e(page['ranking'].format(dim=noun))}</p>",
           "<table class='mx-sortable' id='mx-scenarios'><thead><tr>"
           + "".join(f"<th>{e(h)}</th>" for h in head) + "</tr></thead><tbody>"]
    names = dict(zip(outlines["code"], outlines["name"], strict=True))
    title = f"title_{language}"
    keys = [k for k in ("municipality_code", "rank") if k in rows]
    ordered = rows.sort_values(keys, kind="stable") if keys else rows
    for row in ordered.to_dict("records"):
        code = str(row.get("municipality_code", ""))
        href = sibling(links.get(code, f"{code}/{PAGE_FILES['map']}"), "scenarios") \
            + f"#{row['scenario']}"
        label = row[title] if isinstance(row.get(title), str) else str(row["scenario"])
        out.append("<tr>" + f"<td>{e(names.get(code, code))}</td>"
                   + _cell(float(row.get("rank", np.nan)), language, 0)
                   + f"<td><a href='{e(href)}'>{e(label)}</a></td>"
                   + _cell(float(row["change"]), language, 3)
                   + _cell(float(row["households_displaced"]), language, 0)
                   + _cell(float(row.get("dwellings_changed", np.nan)), language, 0) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _no_data_table(no_data: Mapping[str, str], links: Mapping[str, str], words) -> str:
    if not no_data:
        return ""
    e = html.escape
    rows = "".join(
        f"<tr><td><a href='{e(links.get(code, f'{code}/map.html'))}'>{e(code)}</a></td>"
        f"<td>{e(reason)}</td></tr>" for code, reason in sorted(no_data.items()))
    return (f"<h2 id='mx-no-data'>{e(words['no_data'])}</h2><table class='mx-sortable'><thead>"
            f"<tr><th>{e(words['code'])}</th><th>{e(words['reason'])}</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>")


def no_data_page(code: str, reason: str, *, language: str = "nl",
                 links: Mapping[str, str] | None = None) -> str:
    """A small offline page saying that nothing was computed for ``code``, and why.

    Written in place of the map of a municipality without usable data when the workflow
    runs with ``on_bad_municipality: skip``; ``links`` as in
    :func:`mixing.viz.pages.nav_html` (the overview link only: there is no other page).
    """
    words = OVERVIEW_LABELS[language]
    nav = nav_html({k: v for k, v in (links or {}).items() if k == "overview"}, "map", language)
    title = html.escape(words["no_data_title"].format(code=code))
    text = html.escape(words["no_data_text"].format(reason=reason))
    return (f"<!DOCTYPE html><html lang=\"{language}\"><head><meta charset=\"utf-8\">"
            f"<title>{title}</title>{inline_style(NAV_CSS)}</head>"
            f"<body style=\"font: 14px Arial, sans-serif\">"
            f"{nav}"
            f"<h1>{title}</h1><p class=\"mx-no-data\">{text}</p></body></html>")
