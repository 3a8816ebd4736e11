"""The scenario comparison page: one self-contained HTML page per municipality for policy staff.

One card per scenario, in the order of ``config/scenarios.yaml``: its title (written from
the parameters, :mod:`mixing.scenarios.labels`) and the Dutch description of the spec;
**what it does to the stock** (dwellings sold, demolished, built; the municipal social stock
before and after; the years it takes); **who pays** (households that must move, low-income
households among them, social homes no longer available to low-income applicants, the
isolation of low-income households before and after, with the experts' warning that mixing
often works by replacing the original residents); **what it buys** (D and isolation before
and after with their 95 % intervals and the p-value of the change; buurten above 50 % and
70 % social housing; Moran's I and high-high clusters); **efficiency** (change in D per
1,000 dwellings changed, and per 100 households that must move); and **the buurten it
touches**, by name, each linked to the map (``map.html#BU...`` zooms to that buurt).
A chart (inline SVG) sets the effect against two costs: households that must move, and
dwellings changed -- so that a scenario that sells and builds thousands of homes does not
look free because it displaces nobody.

Like the maps, the page computes nothing: it formats the cells of the scenario table of
:func:`mixing.scenarios.run_scenarios` (titles and descriptions included) and of the
per-buurt table of :func:`mixing.scenarios.scenario_changes`. Every number sits in a
``<span data-field=...>`` naming its column and holding the cell's value, so a test can
find each number in its table. Sign convention everywhere: change = after - before
(negative = the index fell, more mixed). No network; Dutch by default. Its one script writes
the print date. On paper it is a compact A4 document (about 10 pages for Den Haag's eight
scenarios): title, source and print date on page 1, the source and page number in the
footer of every page, two columns per card, every ``<details>`` open (the assumptions
and the full lists of buurten). At phone width (390 px) nothing is wider than the screen.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from mixing.dimensions import DIMENSIONS
from mixing.io.demo import is_synthetic
from mixing.viz import style
from mixing.viz.caveats import CAVEAT_CSS, caveats_html
from mixing.viz.pages import NAV_CSS, document_title, nav_html

__all__ = ["scenario_page", "headline_rows", "TEXT", "HEADLINE_DIMENSION"]

#: The dimension whose D ranks the scenarios on the page and the overview (segregation of
#: people, not of bricks); a municipality without it is ranked on its first dimension.
HEADLINE_DIMENSION = "low_income"

#: Index names in the page.
_INDEX = {
    "nl": {"dissimilarity": "Segregatie-index D", "isolation": "Isolatie"},
    "en": {"dissimilarity": "Dissimilarity index D", "isolation": "Isolation"},
}

TEXT = {
    "nl": {
        "title": "Scenario's vergeleken",
        "intro": "Wat zou er gebeuren als de woningvoorraad of de toewijzing anders was? Elke "
                 "kaart hieronder laat één scenario zien: wat het met de woningen doet, wie "
                 "ervoor betaalt en wat het oplevert. Dit is een rekenmodel (wat als de "
                 "voorraad anders was), geen voorspelling van gedrag.",
        "d_explain": "Segregatie-index D: 0 = gelijk verdeeld over de buurten, 1 = volledig "
                     "gescheiden. Isolatie: het aandeel van de eigen groep in de buurt van een "
                     "gemiddeld lid van de groep.",
        "overview": "Overzicht",
        "chart": "Effect tegenover kosten",
        "chart_y": "Verandering D {dim} (na − voor)",
        "chart_x_displaced": "Huishoudens die moeten verhuizen",
        "chart_x_changed": "Woningen verkocht, gesloopt of gebouwd",
        "chart_note": "Verandering = na − voor, hier en in elke tabel: onder de stippellijn "
                      "daalt D (meer gemengd). Een scenario zonder verhuizingen is niet "
                      "gratis: rechts staan de woningen die verkocht, gesloopt of gebouwd "
                      "worden.",
        "col_scenario": "Scenario",
        "col_rank": "Rang",
        "col_drop": "Verandering D {dim} (na − voor)",
        "col_per_100": "Per 100 huishoudens die moeten verhuizen",
        "col_per_1000": "Per 1.000 woningen veranderd",
        "ranking": "Gerangschikt op de verandering van de segregatie-index D van {dim} (na − "
                   "voor): de grootste daling eerst (rang 1).",
        "sort_by": "Sorteer op:",
        "sort_rank": "effect",
        "sort_displaced": "wie moet verhuizen",
        "sort_changed": "woningen veranderd",
        "col_displaced": "Moeten verhuizen",
        "col_changed": "Woningen veranderd",
        "col_years": "Duur",
        "stock": "Wat het met de woningen doet",
        "pays": "Wie betaalt",
        "buys": "Wat het oplevert",
        "efficiency": "Rendement",
        "buurten": "Buurten die veranderen",
        "converted": "Sociale huurwoningen verkocht of omgezet",
        "demolished": "Woningen gesloopt",
        "built": "Woningen gebouwd",
        "social_stock": "Sociale huurwoningen in de gemeente",
        "years": "Duur",
        "years_turnover": "tot {max} jaar (gemiddeld {mean} jaar per buurt), op het tempo "
                          "waarin huurders vertrekken ({turnover} per jaar)",
        "years_rule": "{years} jaar (zolang de regel geldt)",
        "years_short": "tot {max} jaar",
        "years_build": "niet berekend: hangt af van het bouwproject",
        "years_none": "direct: het rekenmodel kent hier geen wachttijd",
        "years_steps": "tot {max} jaar (de langste stap van het pakket)",
        "not_rehoused": "Huishoudens die geen woning elders vinden: er komen in een jaar niet "
                        "genoeg sociale huurwoningen vrij in de andere buurten",
        "not_redirected": "Woningzoekenden met een laag inkomen voor wie elders geen woning "
                          "vrijkomt (zij blijven in de buurt)",
        "not_placed": "Woningen waarvoor geen plaats is: de ontvangende buurten zitten aan hun "
                      "grens (of het budget is niet op)",
        "rule": "Vergelijking: de drempelregel met hetzelfde aantal woningen (alle buurten "
                "boven {level} sociale huur terug naar {level})",
        "rule_value": "D {dim} na de drempelregel",
        "displaced": "Huishoudens die moeten verhuizen (sloop)",
        "low_income_displaced": "van wie met een laag inkomen",
        "rehoused": "Huishoudens die elders een vrijkomende sociale huurwoning krijgen",
        "redirected": "Woningzoekenden met een laag inkomen die elders een woning krijgen",
        "lost_social": "Sociale huurwoningen minder voor woningzoekenden met een laag inkomen "
                       "in de buurten die ze verliezen (verkocht of gesloopt)",
        "low_isolation": "Lage inkomens onder elkaar (isolatie): buurtgenoten van een "
                         "huishouden met een laag inkomen die zelf een laag inkomen hebben",
        "low_exposure": "Buurtgenoten van een huishouden met een laag inkomen die geen laag "
                        "inkomen hebben (blootstelling)",
        "warning": "Let op: een lagere segregatie-index betekent niet dat het de bewoners "
                   "beter gaat. Vaak daalt de index vooral doordat er andere mensen komen "
                   "wonen: een deel van de oorspronkelijke bewoners woont daarna elders, en "
                   "nieuwkomers hebben hun contacten vaak buiten de buurt.",
        "warning_displaced": " In dit scenario moeten {n} huishoudens verhuizen, van wie {low} "
                             "met een laag inkomen.",
        "warning_lost": " In dit scenario verdwijnen {n} sociale huurwoningen uit de buurten "
                        "die ze verliezen; wie daarna een woning zoekt met een laag inkomen, "
                        "moet elders terecht.",
        "indicator": "Indicator",
        "before": "Voor",
        "after": "Na",
        "change": "Verandering",
        "p_value": "p-waarde",
        "p_explain": "95 %-interval tussen haakjes. p-waarde: hoe vaak een even grote "
                     "verandering ontstaat door buurten willekeurig tussen voor en na te "
                     "wisselen (klein = duidelijk effect).",
        "above": "Buurten met meer dan {pct} % sociale huur",
        "moran": "Ruimtelijke clustering (Moran's I), {dim}",
        "hh": "Clusters van buurten met een hoog aandeel {dim} (hoog-hoog)",
        "per_1000": "Verandering van D {dim} per 1.000 woningen verkocht, gesloopt of gebouwd",
        "per_100": "Verandering van D {dim} per 100 huishoudens die moeten verhuizen",
        "no_dwellings": "geen woningen veranderd",
        "no_displaced": "niemand hoeft te verhuizen",
        "changed_definition": "Woningen veranderd = verkocht of omgezet + gesloopt + gebouwd:",
        "n_buurten": "{n} buurten",
        "more": "alle buurten",
        "social_homes": "sociale huurwoningen",
        "none": "geen",
        "social_short": "sociale huur",
        "open_map": "Klik op een buurt om haar op de kaart te zien.",
        "assumptions": "Aannames van het rekenmodel",
        "unknown": "onbekend",
        "computed": "berekend met mixing (rekenmodel, geen voorspelling).",
        "empty": "Geen scenario's berekend (geen gegevens over sociale huur).",
        "new_unit": "nieuw",
        "assumption_names": {
            "occupancy_social": "huishoudens per sociale huurwoning",
            "occupancy_private_rent": "huishoudens per particuliere huurwoning",
            "occupancy_owner_occupied": "huishoudens per koopwoning",
            "low_income_new_social": "aandeel lage inkomens onder nieuwe sociale huurders",
            "low_income_new_private_rent": "aandeel lage inkomens onder nieuwe particuliere "
                                           "huurders",
            "low_income_new_owner_occupied": "aandeel lage inkomens onder nieuwe kopers",
            "low_income_concentration": "hoeveel vaker een sociale huurder een laag inkomen "
                                        "heeft dan een andere bewoner van dezelfde buurt",
            "turnover_social": "sociale huurwoningen die per jaar vrijkomen",
        },
    },
    "en": {
        "title": "Scenarios compared",
        "intro": "What would happen if the housing stock or the allocation were different? "
                 "Each card below shows one scenario: what it does to the homes, who pays, and "
                 "what it buys. This is an accounting model (what if the stock were "
                 "different), not a forecast of behaviour.",
        "d_explain": "Dissimilarity index D: 0 = evenly spread over the neighbourhoods, 1 = "
                     "completely separated. Isolation: the share of the own group in the "
                     "neighbourhood of an average member of the group.",
        "overview": "Overview",
        "chart": "Effect against cost",
        "chart_y": "Change in D {dim} (after − before)",
        "chart_x_displaced": "Households that must move",
        "chart_x_changed": "Homes sold, demolished or built",
        "chart_note": "Change = after − before, here and in every table: below the dashed "
                      "line D falls (more mixed). A scenario without displacement is not "
                      "free: the right panel shows the homes sold, demolished or built.",
        "col_scenario": "Scenario",
        "col_rank": "Rank",
        "col_drop": "Change in D {dim} (after − before)",
        "col_per_100": "Per 100 households that must move",
        "col_per_1000": "Per 1,000 homes changed",
        "ranking": "Ranked on the change in the dissimilarity index D of {dim} (after − "
                   "before): the largest fall first (rank 1).",
        "sort_by": "Sort by:",
        "sort_rank": "effect",
        "sort_displaced": "who must move",
        "sort_changed": "homes changed",
        "col_displaced": "Must move",
        "col_changed": "Homes changed",
        "col_years": "Time",
        "stock": "What it does to the homes",
        "pays": "Who pays",
        "buys": "What it buys",
        "efficiency": "Efficiency",
        "buurten": "Neighbourhoods that change",
        "converted": "Social homes sold or converted",
        "demolished": "Homes demolished",
        "built": "Homes built",
        "social_stock": "Social homes in the municipality",
        "years": "Time",
        "years_turnover": "up to {max} years (mean {mean} years per neighbourhood), at the "
                          "pace at which tenants leave ({turnover} a year)",
        "years_rule": "{years} years (while the rule applies)",
        "years_short": "up to {max} years",
        "years_build": "not computed: depends on the building project",
        "years_none": "immediate: the model has no waiting time here",
        "years_steps": "up to {max} years (the longest step of the package)",
        "not_rehoused": "Households that find no home elsewhere: not enough social homes fall "
                        "vacant in a year in the other neighbourhoods",
        "not_redirected": "Low-income applicants for whom no home falls vacant elsewhere (they "
                          "stay in the neighbourhood)",
        "not_placed": "Homes that find no place: the receiving neighbourhoods are at their "
                      "limit (or the budget is not used up)",
        "rule": "Comparison: the threshold rule with the same number of homes (every "
                "neighbourhood above {level} social housing down to {level})",
        "rule_value": "D {dim} after the threshold rule",
        "displaced": "Households that must move (demolition)",
        "low_income_displaced": "of whom low-income",
        "rehoused": "Households who get a vacant social home elsewhere",
        "redirected": "Low-income applicants housed elsewhere",
        "lost_social": "Social homes fewer for low-income applicants in the neighbourhoods "
                       "that lose them (sold or demolished)",
        "low_isolation": "Low incomes among themselves (isolation): neighbours of a low-income "
                         "household who are low-income themselves",
        "low_exposure": "Neighbours of a low-income household who are not low-income "
                        "(exposure)",
        "warning": "Note: a lower segregation index does not mean the residents are better "
                   "off. Often the index falls mainly because different people come to live "
                   "there: part of the original residents live elsewhere afterwards, and "
                   "newcomers often have their contacts outside the neighbourhood.",
        "warning_displaced": " In this scenario {n} households must move, {low} of them "
                             "low-income.",
        "warning_lost": " In this scenario {n} social homes leave the neighbourhoods that "
                        "lose them; low-income applicants must look elsewhere afterwards.",
        "indicator": "Indicator",
        "before": "Before",
        "after": "After",
        "change": "Change",
        "p_value": "p-value",
        "p_explain": "95 % interval in brackets. p-value: how often a change this large arises "
                     "from swapping neighbourhoods at random between before and after (small = "
                     "clear effect).",
        "above": "Neighbourhoods above {pct} % social housing",
        "moran": "Spatial clustering (Moran's I), {dim}",
        "hh": "Clusters of neighbourhoods with a high share of {dim} (high-high)",
        "per_1000": "Change in D {dim} per 1,000 homes sold, demolished or built",
        "per_100": "Change in D {dim} per 100 households that must move",
        "no_dwellings": "no homes changed",
        "no_displaced": "nobody must move",
        "changed_definition": "Homes changed = sold or converted + demolished + built:",
        "n_buurten": "{n} neighbourhoods",
        "more": "all neighbourhoods",
        "social_homes": "social homes",
        "none": "none",
        "social_short": "social housing",
        "open_map": "Click a neighbourhood to see it on the map.",
        "assumptions": "Assumptions of the accounting model",
        "unknown": "unknown",
        "computed": "computed with mixing (accounting model, not a forecast).",
        "empty": "No scenarios computed (no social-housing data).",
        "new_unit": "new",
        "assumption_names": {
            "occupancy_social": "households per social home",
            "occupancy_private_rent": "households per private rented home",
            "occupancy_owner_occupied": "households per owner-occupied home",
            "low_income_new_social": "low-income share of new social tenants",
            "low_income_new_private_rent": "low-income share of new private tenants",
            "low_income_new_owner_occupied": "low-income share of new owners",
            "low_income_concentration": "how much more often a social tenant is low-income "
                                        "than another resident of the same neighbourhood",
            "turnover_social": "social homes falling vacant per year",
        },
    },
}


# --------------------------------------------------------------------------- formatting
def _num(value, decimals: int = 0, language: str = "nl", *, signed: bool = False) -> str:
    """:func:`mixing.viz.style.number` (or ``signed``), with ``–`` for a missing value."""
    if value is None or not np.isfinite(value):
        return "–"
    return (style.signed if signed else style.number)(float(value), language=language,
                                                      decimals=decimals)


def _pct(share, language: str = "nl", decimals: int = 0) -> str:
    """A share 0.123 -> ``12 %``."""
    if share is None or not np.isfinite(share):
        return "–"
    return style.percent(100.0 * share, language, decimals)


def _esc(value) -> str:
    return html.escape(str(value), quote=True)


def _field(name: str, value, decimals: int, language: str, *, signed: bool = False,
           percent: bool = False) -> str:
    """A table cell in a ``<span>`` that names its column and holds its value.

    ``name``: a column of the scenario table, or ``changes:<column>`` of the per-buurt
    table. ``percent``: a share written in per cent (``data-format='percent'``).
    """
    raw = "" if value is None or not np.isfinite(value) else repr(float(value))
    shown = (_pct(value, language, decimals) if percent
             else _num(value, decimals, language, signed=signed))
    fmt = " data-format='percent'" if percent else ""
    return (f"<span class='num' data-field='{_esc(name)}' data-value='{raw}'{fmt}>"
            f"{_esc(shown)}</span>")


def _fill(template: str, **spans: str) -> str:
    """Page text with ``{key}`` replaced by ready HTML (the text is escaped, not formatted)."""
    out = _esc(template)
    for key, value in spans.items():
        out = out.replace("{" + key + "}", value)
    return out


# --------------------------------------------------------------------------- data access


def _first(rows: pd.DataFrame, column: str) -> float:
    if column not in rows or rows.empty:
        return float("nan")
    value = rows[column].iloc[0]
    return float(value) if value is not None and pd.notna(value) else float("nan")


def _text(rows: pd.DataFrame, column: str) -> str:
    if column not in rows or rows.empty:
        return ""
    value = rows[column].iloc[0]
    return str(value) if isinstance(value, str) else ""


def _row(rows: pd.DataFrame, dimension: str, index: str) -> pd.Series | None:
    hit = rows[(rows["dimension"] == dimension) & (rows["index"] == index)]
    return None if hit.empty else hit.iloc[0]


def _dims(summary: pd.DataFrame) -> list[str]:
    """Dimensions in the table, low incomes and social housing first (who and what)."""
    present = list(dict.fromkeys(summary["dimension"]))
    first = [d for d in ("low_income", "social_housing") if d in present]
    return first + [d for d in present if d not in first]


def _dim_noun(dimension: str, language: str) -> str:
    return DIMENSIONS[dimension].group_noun(language) if dimension in DIMENSIONS else dimension


def _thresholds(summary: pd.DataFrame) -> list[str]:
    """The concentration thresholds of the table's ``units_above_<pct>_before`` columns."""
    found = (re.fullmatch(r"units_above_([0-9]+)_before", c) for c in summary.columns)
    return [m.group(1) for m in found if m]


def headline_rows(summary: pd.DataFrame, dimension: str = HEADLINE_DIMENSION) -> pd.DataFrame:
    """One row per municipality and scenario: D of the headline dimension (the page's
    ranking), or of the municipality's first dimension (:func:`_dims`) without it."""
    parts = []
    keys = summary["municipality_code"] if "municipality_code" in summary else \
        pd.Series("", index=summary.index)
    for _, rows in summary.groupby(keys, sort=False):
        dims = _dims(rows)
        chosen = dimension if dimension in dims else dims[0]
        parts.append(rows[(rows["dimension"] == chosen) & (rows["index"] == "dissimilarity")])
    return pd.concat(parts) if parts else summary.iloc[0:0]


def _headline(rows: pd.DataFrame, dimension: str) -> pd.Series:
    """The scenario's row of D for the page's dimension (all NaN when absent)."""
    row = _row(rows, dimension, "dissimilarity")
    return row if row is not None else pd.Series(dtype=float)


def _cell(row: pd.Series, column: str) -> float:
    value = row.get(column, np.nan)
    return float(value) if value is not None and pd.notna(value) else float("nan")


# --------------------------------------------------------------------------- chart


def _ticks(high: float, n: int = 5) -> list[float]:
    """Round tick values from 0 (or below) to ``high``."""
    if not np.isfinite(high) or high <= 0:
        return [0.0, 1.0]
    raw = high / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    return [step * k for k in range(int(math.ceil(high / step - 1e-9)) + 1)]


def _spread_labels(ys: list[float], gap: float, low: float, high: float) -> list[float]:
    """Label positions near ``ys`` (pixels) that are at least ``gap`` apart."""
    order = np.argsort(ys)
    out = np.array(ys, dtype=float)
    placed = []
    for i in order:
        y = out[i]
        if placed and y < placed[-1] + gap:
            y = placed[-1] + gap
        out[i] = y
        placed.append(y)
    overflow = (placed[-1] if placed else 0) - high
    if overflow > 0:
        out -= overflow
    return np.maximum(out, low).tolist()


def _panel(points, x_key, x_label, y_label, x0, width, height, language, top=20) -> str:
    """One scatter panel: x = a cost, y = the change in D (after - before); every point
    labelled. Below the dashed zero line the index fell (more mixed)."""
    left, bottom, right = x0 + 62, top + height - 40, x0 + width - 10
    xs = [p[x_key] for p in points]
    ys = [p["change"] for p in points]
    x_ticks = _ticks(max([v for v in xs if np.isfinite(v)] + [1.0]) * 1.05)
    finite_y = [v for v in ys if np.isfinite(v)]
    y_low, y_high = min(finite_y + [0.0]), max(finite_y + [0.0])
    base = _ticks(max(abs(y_low), abs(y_high)) * 1.1 or 0.01)
    step = base[1] - base[0]
    k_low = min(math.floor(y_low * 1.1 / step), 0)
    k_high = max(math.ceil(y_high * 1.1 / step), 0, k_low + 1)
    y_ticks = [step * k for k in range(k_low, k_high + 1)]
    y_min, y_max = y_ticks[0], y_ticks[-1]
    x_max = x_ticks[-1]

    def px(v):
        return left + (right - left - 170) * (v / x_max if x_max else 0)

    def py(v):
        return bottom - (bottom - top) * ((v - y_min) / (y_max - y_min))

    dec_y = next((d for d in range(7) if abs(round(step, d) - step) < 1e-12), 6)
    out = [f"<g class='panel'><text x='{(left + right) / 2:.1f}' y='{top + height - 6}' "
           f"text-anchor='middle' class='axis-title'>{_esc(x_label)}</text>"]
    for v in y_ticks:
        y = py(v)
        out.append(f"<line x1='{left}' x2='{right}' y1='{y:.1f}' y2='{y:.1f}' "
                   f"class='{'zero' if v == 0 else 'grid'}'/>"
                   f"<text x='{left - 6}' y='{y + 4:.1f}' text-anchor='end'>"
                   f"{_num(v, dec_y, language)}</text>")
    for v in x_ticks:
        x = px(v)
        out.append(f"<line x1='{x:.1f}' x2='{x:.1f}' y1='{bottom}' y2='{bottom + 4}' "
                   f"class='tick'/><text x='{x:.1f}' y='{bottom + 17}' text-anchor='middle'>"
                   f"{_num(v, 0, language)}</text>")
    out.append(f"<line x1='{left}' x2='{left}' y1='{top}' y2='{bottom}' class='axis'/>"
               f"<line x1='{left}' x2='{right}' y1='{bottom}' y2='{bottom}' class='axis'/>")
    out.append(f"<text transform='translate({x0 + 14},{(top + bottom) / 2:.1f}) rotate(-90)' "
               f"text-anchor='middle' class='axis-title'>{_esc(y_label)}</text>")
    shown = [(p, px(p[x_key]), py(p["change"])) for p in points
             if np.isfinite(p[x_key]) and np.isfinite(p["change"])]
    label_y = _spread_labels([y for _, _, y in shown], 13.0, top + 8, bottom - 4)
    for (p, x, y), ly in zip(shown, label_y, strict=True):
        out.append(f"<circle cx='{x:.1f}' cy='{y:.1f}' r='5' class='pt'><title>"
                   f"{_esc(p['title'])}</title></circle>"
                   f"<line x1='{x + 5:.1f}' y1='{y:.1f}' x2='{x + 12:.1f}' y2='{ly:.1f}' "
                   f"class='leader'/><text x='{x + 14:.1f}' y='{ly + 4:.1f}' class='label' "
                   f"data-scenario='{_esc(p['name'])}'>{p['number']}. {_esc(p['short'])}</text>")
    out.append("</g>")
    return "".join(out)


def _chart(points, dimension, text, language) -> str:
    noun = _dim_noun(dimension, language)
    width, height = 560, 360
    y_label = text["chart_y"].format(dim=noun)
    body = (_panel(points, "displaced", text["chart_x_displaced"], y_label, 0, width, height,
                   language)
            + _panel(points, "changed", text["chart_x_changed"], y_label, width, width, height,
                     language))
    return (f"<svg class='chart' viewBox='0 0 {2 * width} {height + 20}' role='img' "
            f"aria-label='{_esc(text['chart'])}' xmlns='http://www.w3.org/2000/svg'>"
            f"{body}</svg>")


# --------------------------------------------------------------------------- card parts


def _line(label: str, value_html: str, cls: str = "") -> str:
    return f"<tr class='{cls}'><th>{_esc(label)}</th><td>{value_html}</td></tr>"


def _years(rows, text, language, *, short: bool = False) -> str:
    """The duration, by the table's ``duration_basis``; numbers as data fields."""
    basis = _text(rows, "duration_basis")
    years = _field("years_needed", _first(rows, "years_needed"), 1, language)
    if basis == "rule":
        return _fill(text["years_rule"], years=years)
    if basis in ("turnover", "steps") and np.isfinite(_first(rows, "years_needed")) \
            and _first(rows, "years_needed") > 0:
        if basis == "steps":
            return _fill(text["years_steps"], max=years)
        if short:
            return _fill(text["years_short"], max=years)
        return _fill(text["years_turnover"], max=years,
                     mean=_field("years_needed_mean", _first(rows, "years_needed_mean"), 1,
                                 language),
                     turnover=_field("assumption_turnover_social",
                                     _first(rows, "assumption_turnover_social"), 1, language,
                                     percent=True))
    if basis in ("building", "steps"):
        return _esc(text["years_build"])
    return _esc(text["years_none"])


def _stock(rows, text, language) -> str:
    lines = [
        _line(text["converted"], _field("dwellings_converted",
                                        _first(rows, "dwellings_converted"), 0, language)),
        _line(text["demolished"], _field("dwellings_demolished",
                                         _first(rows, "dwellings_demolished"), 0, language)),
        _line(text["built"], _field("dwellings_built", _first(rows, "dwellings_built"), 0,
                                    language)),
        _line(text["social_stock"],
              " → ".join(_field(f"social_stock_{when}", _first(rows, f"social_stock_{when}"), 0,
                                language) for when in ("before", "after"))),
        _line(text["years"], _years(rows, text, language), "text"),
    ]
    short = _first(rows, "dwellings_not_placed")
    if np.isfinite(short) and short > 0.5:
        lines.append(_line(text["not_placed"], _field("dwellings_not_placed", short, 0,
                                                      language), "warn"))
    return "<table class='facts'>" + "".join(lines) + "</table>"


def _pays(rows, text, language) -> str:
    displaced = _first(rows, "households_displaced")
    allocation = _text(rows, "type") == "allocation"
    lines = [
        _line(text["displaced"], _field("households_displaced", displaced, 0, language),
              "big" if displaced > 0.5 else ""),
        _line(text["low_income_displaced"], _field("low_income_displaced",
                                                   _first(rows, "low_income_displaced"), 0,
                                                   language)),
        _line(text["redirected"] if allocation else text["rehoused"],
              _field("households_rehoused", _first(rows, "households_rehoused"), 0, language)),
    ]
    missing = _first(rows, "households_not_rehoused")
    if np.isfinite(missing) and missing > 0.5:
        lines.append(_line(text["not_redirected"] if allocation else text["not_rehoused"],
                           _field("households_not_rehoused", missing, 0, language), "warn"))
    lines.append(_line(text["lost_social"], _field("social_dwellings_lost",
                                                   _first(rows, "social_dwellings_lost"), 0,
                                                   language)))
    for key, stem in (("low_isolation", "isolation"), ("low_exposure", "exposure")):
        lines.append(_line(text[key], " → ".join(
            _field(f"low_income_{stem}_{when}", _first(rows, f"low_income_{stem}_{when}"), 1,
                   language, percent=True) for when in ("before", "after"))))
    warning = _esc(text["warning"])
    if displaced > 0.5:
        warning += _fill(text["warning_displaced"],
                         n=_field("households_displaced", displaced, 0, language),
                         low=_field("low_income_displaced",
                                    _first(rows, "low_income_displaced"), 0, language))
    lost = _first(rows, "social_dwellings_lost")
    if lost > 0.5:
        warning += _fill(text["warning_lost"],
                         n=_field("social_dwellings_lost", lost, 0, language))
    return ("<table class='facts'>" + "".join(lines) + "</table>"
            f"<p class='warning'>{warning}</p>")


def _interval(row, when, language) -> str:
    low, high = _cell(row, f"{when}_ci_low"), _cell(row, f"{when}_ci_high")
    if not (np.isfinite(low) and np.isfinite(high)):
        return ""
    return (f" <span class='ci'>({_field(f'{when}_ci_low', low, 3, language)}–"
            f"{_field(f'{when}_ci_high', high, 3, language)})</span>")


def _buys(rows, dims, text, language, thresholds) -> str:
    head = (f"<tr><th>{_esc(text['indicator'])}</th><th>{_esc(text['before'])}</th>"
            f"<th>{_esc(text['after'])}</th><th>{_esc(text['change'])}</th>"
            f"<th>{_esc(text['p_value'])}</th></tr>")
    body = []
    for dim in dims:
        for index in ("dissimilarity", "isolation"):
            row = _row(rows, dim, index)
            if row is None:
                continue
            label = f"{_INDEX[language].get(index, index)}, {_dim_noun(dim, language)}"
            change = _cell(row, "change")
            # a p-value only beside a change the page can show (not beside 0,000)
            p = _cell(row, "p_value_change") if abs(change) >= 0.0005 else np.nan
            body.append(
                f"<tr data-dimension='{_esc(dim)}' data-index='{_esc(index)}'>"
                f"<th>{_esc(label)}</th>"
                f"<td>{_field('baseline', _cell(row, 'baseline'), 3, language)}"
                f"{_interval(row, 'baseline', language)}</td>"
                f"<td>{_field('scenario_value', _cell(row, 'scenario_value'), 3, language)}"
                f"{_interval(row, 'scenario', language)}</td>"
                f"<td class='chg'>{_field('change', change, 3, language, signed=True)}</td>"
                f"<td>{_field('p_value_change', p, 3, language)}</td></tr>")
    extra = [_line(text["above"].format(pct=pct), " → ".join(
        _field(f"units_above_{pct}_{when}", _first(rows, f"units_above_{pct}_{when}"), 0,
               language) for when in ("before", "after"))) for pct in thresholds]
    for dim in dims[:2]:
        sub = rows[rows["dimension"] == dim]
        noun = _dim_noun(dim, language)
        for key, stem, decimals in (("moran", "moran_i", 3), ("hh", "hh_clusters", 0)):
            values = [_first(sub, f"{stem}_{when}") for when in ("before", "after")]
            if any(np.isfinite(v) for v in values):
                extra.append(_line(text[key].format(dim=noun), " → ".join(
                    _field(f"{stem}_{when}", v, decimals, language)
                    for when, v in zip(("before", "after"), values, strict=True))))
    rule = _rule(rows, text, language)
    return (f"<table class='indices'>{head}{''.join(body)}</table>"
            f"<p class='small'>{_esc(text['p_explain'])}</p>"
            f"<table class='facts'>{''.join(extra)}</table>{rule}")


def _rule(rows, text, language) -> str:
    """The optimiser's promised comparison: the threshold rule at the same number of homes."""
    hit = rows[rows["threshold_rule_value"].notna()] if "threshold_rule_value" in rows \
        else rows.iloc[0:0]
    if hit.empty:
        return ""
    row = hit.iloc[0]
    level = _field("threshold_rule_level", _cell(row, "threshold_rule_level"), 1, language,
                   percent=True)
    noun = _dim_noun(str(row["dimension"]), language)
    after = _field("threshold_rule_value", _cell(row, "threshold_rule_value"), 3, language)
    change = _field("threshold_rule_change", _cell(row, "threshold_rule_change"), 3, language,
                    signed=True)
    value = f"{after} ({change})"
    return (f"<p class='small'>{_fill(text['rule'], level=level)}</p><table class='facts'>"
            f"{_line(text['rule_value'].format(dim=noun), value)}</table>")


def _efficiency(rows, dims, text, language) -> str:
    lines = []
    for dim in dims[:2]:
        row, noun = _headline(rows, dim), _dim_noun(dim, language)
        per_1000 = _cell(row, "change_per_1000_dwellings_changed")
        per_100 = _cell(row, "change_per_100_households_moved")
        lines.append(_line(text["per_1000"].format(dim=noun),
                           _field("change_per_1000_dwellings_changed", per_1000, 4, language,
                                  signed=True) if np.isfinite(per_1000)
                           else _esc(text["no_dwellings"])))
        lines.append(_line(text["per_100"].format(dim=noun),
                           _field("change_per_100_households_moved", per_100, 4, language,
                                  signed=True) if np.isfinite(per_100)
                           else _esc(text["no_displaced"])))
    changed = _field("dwellings_changed", _first(rows, "dwellings_changed"), 0, language)
    return (f"<table class='facts'>{''.join(lines)}</table>"
            f"<p class='small'>{_esc(text['changed_definition'])} {changed}</p>")


def _buurten(changes: pd.DataFrame, map_href: str, text, language, shown: int = 12) -> str:
    moved = changes[changes["changed"].astype(bool)].copy()
    if moved.empty:
        return f"<p>{_esc(text['none'])}</p>"
    delta = (moved["dwellings_social_after"].fillna(0) - moved["dwellings_social_before"]
             .fillna(0))
    moved = moved.assign(_order=-delta.abs()).sort_values(["_order", "unit_code"])
    items = []
    for rec in moved.to_dict("records"):
        name = rec["unit_name"] if isinstance(rec["unit_name"], str) and rec["unit_name"] \
            else rec["unit_code"]
        if rec["dwellings_before"] == 0 and rec["dwellings_after"] > 0:
            detail = (f"{_esc(text['new_unit'])}: " + _field(
                "changes:social_housing_after", rec["social_housing_after"], 0, language,
                percent=True) + f" {_esc(text['social_short'])}")
        else:
            detail = (" → ".join(_field(f"changes:social_housing_{when}",
                                        rec[f"social_housing_{when}"], 0, language,
                                        percent=True) for when in ("before", "after"))
                      + f" {_esc(text['social_short'])}; " + " → ".join(
                          _field(f"changes:dwellings_social_{when}",
                                 rec[f"dwellings_social_{when}"], 0, language)
                          for when in ("before", "after"))
                      + f" {_esc(text['social_homes'])}")
        items.append(f"<li><a href='{_esc(map_href)}#{_esc(rec['unit_code'])}' "
                     f"data-code='{_esc(rec['unit_code'])}'>{_esc(name)}</a> "
                     f"<span class='detail'>({detail})</span></li>")
    head = "".join(items[:shown])
    rest = ""
    if len(items) > shown:
        rest = (f"<details><summary>{_esc(text['more'])}</summary>"
                f"<ul class='buurten'>{''.join(items[shown:])}</ul></details>")
    count = (f"<span class='num' data-field='changes:changed' data-value='{len(items)}'>"
             f"{_esc(_num(len(items), 0, language))}</span>")
    return (f"<p class='small'>{_fill(text['n_buurten'], n=count)}. "
            f"{_esc(text['open_map'])}</p><ul class='buurten'>{head}</ul>{rest}")


# --------------------------------------------------------------------------- the page

_CSS = """
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body { font: 15px/1.45 "Segoe UI", Arial, sans-serif; color: #222; margin: 0; background: #f4f4f1; }
main { max-width: 1180px; margin: 0 auto; padding: 16px 20px 40px; }
h1 { font-size: 24px; margin: 8px 0 4px; } h2 { font-size: 19px; margin: 0 0 2px; }
h3 { font-size: 15px; margin: 14px 0 4px; color: #333; border-bottom: 1px solid #ddd; }
.intro, .small { color: #444; } .small { font-size: 13px; }
section.box, article.card { background: #fff; border: 1px solid #ccc; border-radius: 6px;
  padding: 12px 16px; margin: 14px 0; box-shadow: 0 1px 3px rgba(0,0,0,.12); }
.card .id { color: #777; font-size: 12px; } .card .desc { margin: 6px 0; }
.card .number { display: inline-block; min-width: 26px; height: 26px; border-radius: 13px;
  background: #253494; color: #fff; text-align: center; font-weight: bold; margin-right: 6px; }
.cols { display: grid; grid-template-columns: minmax(0, 5fr) minmax(0, 6fr); gap: 0 28px; }
table { border-collapse: collapse; width: 100%; }
table.facts th { text-align: left; font-weight: normal; color: #333; padding: 3px 8px 3px 0;
  vertical-align: top; }
table.facts td { text-align: right; white-space: nowrap; padding: 3px 0; vertical-align: top; }
table.facts tr.text td { white-space: normal; text-align: left; padding-left: 8px; }
table.indices { font-size: 13px; }
table.facts tr.big td, table.facts tr.warn td { font-weight: bold; color: #a50f15; }
table.indices th, table.indices td { padding: 3px 6px; border-bottom: 1px solid #eee;
  text-align: right; } table.indices th:first-child { text-align: left; font-weight: normal; }
table.indices tr:first-child th { font-weight: bold; border-bottom: 1px solid #999; }
table.overview th, table.overview td { padding: 4px 8px; border-bottom: 1px solid #eee;
  text-align: right; } table.overview th:first-child, table.overview td:first-child {
  text-align: left; } table.overview tr:first-child th { border-bottom: 1px solid #999; }
.ci { color: #666; font-size: 12px; } .chg { font-weight: bold; }
.warning { background: #fff4e5; border-left: 4px solid #e6550d; padding: 6px 10px;
  font-size: 14px; }
ul.buurten { columns: 2; margin: 4px 0; padding-left: 18px; } ul.buurten li { break-inside: avoid; }
.detail { color: #555; font-size: 13px; }
svg.chart { width: 100%; height: auto; font-size: 12px; }
svg.chart .grid { stroke: #e6e6e6; } svg.chart .zero { stroke: #777; stroke-dasharray: 4 3; }
svg.chart .axis { stroke: #333; } svg.chart .tick { stroke: #333; }
svg.chart .pt { fill: #e6550d; stroke: #fff; stroke-width: 1.5; }
svg.chart .leader { stroke: #aaa; } svg.chart .label { font-size: 12px; fill: #222; }
svg.chart .axis-title { font-size: 13px; fill: #333; }
footer { color: #555; font-size: 12px; margin-top: 20px; }
.orders table.alt { display: none; }
.orders:has(table:target) table { display: none; }
.orders:has(table:target) table:target { display: table; }
.print-only { display: none; }
@media screen and (max-width: 800px) { .cols { grid-template-columns: 1fr; }
  ul.buurten { columns: 1; } }
/* phones: nothing wider than the screen; a table too wide scrolls inside its own box */
@media screen and (max-width: 600px) {
  main { padding: 8px 8px 24px; } h1 { font-size: 20px; } h2 { font-size: 17px; }
  section.box, article.card { padding: 10px; overflow-x: auto; }
  table.overview th, table.overview td { padding: 3px 4px; font-size: 13px; }
  /* the overview: the scenario's title on its own line, its numbers below in equal columns
     under the same headings (any number of columns) */
  table.overview, table.overview tbody { display: block; }
  table.overview tr { display: flex; flex-wrap: wrap; border-bottom: 1px solid #ccc; }
  table.overview tr > * { border-bottom: 0; }
  table.overview tr > :first-child { flex: 0 0 100%; box-sizing: border-box; }
  table.overview tr > :not(:first-child) { flex: 1 1 0; min-width: 0; overflow-wrap: anywhere; }
  table.facts td { white-space: normal; } svg.chart { min-width: 560px; } }
/* Paper: a compact A4 document. Two columns per card, small type, every <details> open
   (the assumptions and the full lists are on paper), a running footer with the source
   and the page number (@page margin boxes: _print_style), the print date under the title. */
@page { size: A4; margin: 11mm 11mm 14mm; }
@media print {
  body { background: #fff; font-size: 8.5pt; line-height: 1.3; }
  main { max-width: none; padding: 0; }
  a { color: inherit; text-decoration: none; }
  h1 { font-size: 15pt; margin: 0 0 2pt; } h2 { font-size: 11pt; break-after: avoid; }
  h3 { font-size: 9pt; margin: 5pt 0 1pt; break-after: avoid; }
  .print-only { display: block; }
  .intro, .small, .detail, .ci, footer, .card .id { font-size: 7.5pt; }
  section.box, article.card { box-shadow: none; border: 0; border-radius: 0;
    border-top: 1.5pt solid #253494; padding: 3pt 0 0; margin: 6pt 0 0; break-inside: auto; }
  .cols { grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 0 12pt; }
  table.facts th, table.facts td { padding: 0.5pt 4pt 0.5pt 0; }
  table.indices, table.overview { font-size: 7.5pt; }
  table.indices th, table.indices td, table.overview th, table.overview td { padding: 1pt 3pt; }
  tr, li, .warning { break-inside: avoid; }
  .warning { font-size: 7.5pt; padding: 2pt 6pt; }
  ul.buurten { columns: 3; font-size: 7.5pt; }
  details::details-content { content-visibility: visible; display: contents; }
  details > summary { list-style: none; font-weight: bold; }
  details > summary::-webkit-details-marker { display: none; }
  svg.chart { max-height: 75mm; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def _css_string(text: str) -> str:
    """``text`` as a CSS string literal: every character but letters, digits and spaces is
    a CSS escape (six hex digits and the space that ends it), so nothing in it can end the
    string or the ``<style>`` element."""
    return '"' + "".join(c if c.isascii() and (c.isalnum() or c == " ") else f"\\{ord(c):06x} "
                         for c in text) + '"'


def _print_style(footer: str) -> str:
    """The running footer of every printed page: ``footer`` left, ``page / pages`` right."""
    return ("@page { @bottom-left { content: " + _css_string(footer) + "; font: 7pt Arial, "
            "sans-serif; color: #555; } @bottom-right { content: counter(page) \" / \" "
            "counter(pages); font: 7pt Arial, sans-serif; color: #555; } }")


#: Writes the date into ``.print-date`` when the page is opened and again before printing,
#: so the HTML file itself stays reproducible (the same bytes for the same inputs).
_PRINT_DATE = (
    "(function () { var locale = document.documentElement.getAttribute('data-locale');"
    " function stamp() { var d = new Date().toLocaleDateString(locale, { day: 'numeric',"
    " month: 'long', year: 'numeric' }); document.querySelectorAll('.print-date')"
    ".forEach(function (e) { e.textContent = d; }); }"
    " stamp(); window.addEventListener('beforeprint', stamp); })();"
)


def _per(row, column: str, language: str) -> str:
    return _field(column, _cell(row, column), 4, language, signed=True)


def _overview(entries, order: str, text, language, noun, hidden: bool) -> str:
    """The overview table in one order (``rank``, ``displaced`` or ``changed``)."""
    key = {"rank": lambda e: (e["rank"] if np.isfinite(e["rank"]) else np.inf, e["number"]),
           "displaced": lambda e: (e["displaced"], e["number"]),
           "changed": lambda e: (e["changed"], e["number"])}[order]
    rows = "".join(e["html"] for e in sorted(entries, key=key))
    return (f"<table class='overview{' alt' if hidden else ''}' id='order-{order}' "
            f"data-order='{order}'><tr><th>{_esc(text['col_scenario'])}</th>"
            f"<th>{_esc(text['col_rank'])}</th>"
            f"<th>{_esc(text['col_drop'].format(dim=noun))}</th>"
            f"<th>{_esc(text['col_displaced'])}</th><th>{_esc(text['col_changed'])}</th>"
            f"<th>{_esc(text['col_per_100'])}</th><th>{_esc(text['col_per_1000'])}</th>"
            f"<th>{_esc(text['col_years'])}</th></tr>{rows}</table>")


def scenario_page(
    summary: pd.DataFrame,
    changes: pd.DataFrame,
    units: pd.DataFrame,
    *,
    language: str = "nl",
    map_href: str = "map.html",
    dimension: str = HEADLINE_DIMENSION,
    links: Mapping[str, str] | None = None,
    caveats: pd.DataFrame | None = None,
) -> str:
    """The comparison page of one municipality's scenarios, as one offline HTML document.

    Parameters
    ----------
    summary : DataFrame
        The scenario table of ONE municipality (:func:`mixing.scenarios.run_scenarios`,
        ``results/{municipality}/scenarios.csv``): every number, title and description.
    changes : DataFrame
        Its per-buurt table (:func:`mixing.scenarios.scenario_changes`,
        ``results/{municipality}/scenario_changes.csv``): the buurten each scenario touches.
    units : DataFrame
        The units before: the municipality's name, code and year.
    language : {"nl", "en"}
    map_href : str
        The map of the same municipality, relative to the page; buurt links add
        ``#<unit_code>``.
    dimension : str
        The dimension whose D the chart and the overview set against the costs and rank
        the scenarios on (default low incomes: segregation of people, not of bricks).
    links : mapping of str to str, optional
        The other pages of the run, relative to this page
        (:func:`mixing.viz.pages.municipality_links`): a navigation bar under the title.
    caveats : DataFrame, optional
        caveats.csv (:func:`mixing.tables.caveats.caveat_table`): a "Let op" block under
        the introduction.

    Returns
    -------
    str
        HTML without external resources (one script: the print date). The overview can be
        read in three orders (links to ``#order-...``, CSS ``:target``, no script).
    """
    if language not in TEXT:
        raise ValueError(f"language must be one of {sorted(TEXT)}, got {language!r}")
    text = TEXT[language]
    first = units.iloc[0]
    name = first.get("municipality_name")
    where = name if isinstance(name, str) and name else str(first["municipality_code"])
    words = style.words(language)
    source = words["synthetic_source" if is_synthetic(first["municipality_code"]) else "source"]
    year = int(first["year"])
    heading = f"{text['title']}: {where}, {year}"
    head = (f"<!DOCTYPE html><html lang='{language}' data-locale='{_esc(words['locale'])}'>"
            f"<head><meta charset='utf-8'>"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{_esc(document_title(text['title'], where, year))}</title>"
            f"<style>{_CSS}{NAV_CSS}{CAVEAT_CSS}{_print_style(heading + ' · ' + source)}"
            f"</style><script>{_PRINT_DATE}</script></head><body><main>"
            f"<h1>{_esc(heading)}</h1>"
            f"{nav_html(links, 'scenarios', language)}"
            f"<p class='print-only small'>{_esc(source)} · {_esc(words['printed'])} "
            f"<span class='print-date'></span></p>"
            f"<p class='intro'>{_esc(text['intro'])}</p>"
            f"<p class='small'>{_esc(text['d_explain'])}</p>"
            f"{caveats_html(caveats, language)}")
    names = list(dict.fromkeys(summary["scenario"])) if len(summary) else []
    if not names:
        return head + f"<p>{_esc(text['empty'])}</p></main></body></html>"
    dims = _dims(summary)
    if dimension not in dims:
        dimension = dims[0]
    noun = _dim_noun(dimension, language)
    thresholds = _thresholds(summary)

    points, entries, cards = [], [], []
    for number, sc_name in enumerate(names, start=1):
        rows = summary[summary["scenario"] == sc_name]
        own = changes[changes["scenario"].astype(str) == str(sc_name)]
        title = _text(rows, f"title_{language}") or str(sc_name)
        row = _headline(rows, dimension)
        change, rank = _cell(row, "change"), _cell(row, "rank")
        displaced = _first(rows, "households_displaced")
        changed = _first(rows, "dwellings_changed")
        points.append({"name": sc_name, "number": number, "title": title,
                       "short": _text(rows, f"short_{language}") or title, "change": change,
                       "displaced": displaced, "changed": changed})
        entries.append({"rank": rank, "number": number, "displaced": displaced,
                        "changed": changed, "html": (
            f"<tr data-scenario='{_esc(sc_name)}' data-dimension='{_esc(dimension)}' "
            f"data-index='dissimilarity'>"
            f"<td><a href='#{_esc(sc_name)}'>{number}. {_esc(title)}</a></td>"
            f"<td>{_field('rank', rank, 0, language)}</td>"
            f"<td>{_field('change', change, 3, language, signed=True)}</td>"
            f"<td>{_field('households_displaced', displaced, 0, language)}</td>"
            f"<td>{_field('dwellings_changed', changed, 0, language)}</td>"
            f"<td>{_per(row, 'change_per_100_households_moved', language)}</td>"
            f"<td>{_per(row, 'change_per_1000_dwellings_changed', language)}</td>"
            f"<td>{_years(rows, text, language, short=True)}</td></tr>")})
        about = _text(rows, f"description_{language}")
        description = f"<p class='desc'>{_esc(about)}</p>" if about else ""
        cards.append(
            f"<article class='card' id='{_esc(sc_name)}' data-scenario='{_esc(sc_name)}'>"
            f"<h2><span class='number'>{number}</span>{_esc(title)}</h2>{description}"
            f"<div class='cols'><div><h3>{_esc(text['stock'])}</h3>"
            f"{_stock(rows, text, language)}"
            f"<h3>{_esc(text['pays'])}</h3>{_pays(rows, text, language)}</div>"
            f"<div><h3>{_esc(text['buys'])}</h3>{_buys(rows, dims, text, language, thresholds)}"
            f"<h3>{_esc(text['efficiency'])}</h3>{_efficiency(rows, dims, text, language)}"
            f"</div></div><h3>{_esc(text['buurten'])}</h3>"
            f"{_buurten(own, map_href, text, language)}</article>")

    orders = ("rank", "displaced", "changed")
    sort_links = " · ".join(f"<a href='#order-{o}'>{_esc(text['sort_' + o])}</a>"
                            for o in orders)
    tables = "".join(_overview(entries, o, text, language, noun, hidden=o != "rank")
                     for o in orders)
    assumptions = "".join(
        f"<tr><th>{_esc(label)}</th><td>"
        f"{_field('assumption_' + key, _first(summary, 'assumption_' + key), 3, language)}"
        f"</td></tr>" for key, label in text["assumption_names"].items()
        if f"assumption_{key}" in summary)
    return (
        head
        + f"<section class='box'><h2>{_esc(text['chart'])}</h2>"
        f"{_chart(points, dimension, text, language)}"
        f"<p class='small'>{_esc(text['chart_note'])}</p></section>"
        f"<section class='box'><h2>{_esc(text['overview'])}</h2>"
        f"<p class='small'>{_esc(text['ranking'].format(dim=noun))} "
        f"{_esc(text['sort_by'])} {sort_links}</p>"
        f"<div class='orders'>{tables}</div></section>"
        + "".join(cards)
        + f"<section class='box'><details><summary>{_esc(text['assumptions'])}</summary>"
        f"<table class='facts'>{assumptions}</table></details></section>"
        f"<footer>{_esc(source)}; {_esc(text['computed'])}</footer></main></body></html>"
    )
