"""The trend page: segregation and concentration over the years of one municipality.

``results/{municipality}/trends.html`` for a municipality with ``compare_years`` in the
config: small multiples (inline SVG, one panel per dimension and index) of the
dissimilarity index D and the isolation index (how concentrated a group lives: the share
of its own group in the buurt of an average member) with their 95 % intervals, from
``change/trends.csv`` (:func:`mixing.tables.change.compare_years`, every year harmonised to
one geometry), and the same numbers as a table. Computes nothing; no script, no network.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

import numpy as np
import pandas as pd

from mixing.catalogue import index as index_spec
from mixing.dimensions import DIMENSIONS, Label
from mixing.io.demo import is_synthetic
from mixing.schema import analysis_level
from mixing.viz import style
from mixing.viz.caveats import CAVEAT_CSS, caveats_html
from mixing.viz.pages import NAV_CSS, PAGE_LABELS, document_title, nav_html

__all__ = ["TREND_INDICES", "TREND_LABELS", "trend_page"]

#: The indices the page draws, in this order: evenness (D) and concentration (isolation).
TREND_INDICES = ("dissimilarity", "isolation")

TREND_LABELS = style.by_language({
    "intro": Label("Hoe de segregatie zich door de jaren ontwikkelde. Alle jaren zijn omgerekend "
                   "naar de buurtindeling van {year}, zodat ze vergelijkbaar zijn. De band om "
                   "de lijn is het 95 %-betrouwbaarheidsinterval; elk paneel heeft zijn eigen "
                   "schaal.",
                   "How segregation developed over the years. Every year is recomputed on the "
                   "neighbourhoods of {year}, so the years compare. The band around the line "
                   "is the 95 % confidence interval; each panel has its own scale."),
    "explain": Label("Segregatie-index D: 0 = gelijk verdeeld over de buurten, 1 = volledig "
                     "gescheiden. Isolatie (concentratie): het aandeel van de eigen groep in "
                     "de buurt van een gemiddeld lid van de groep.",
                     "Dissimilarity index D: 0 = evenly spread over the neighbourhoods, "
                     "1 = completely separated. Isolation (concentration): the share of the "
                     "own group in the neighbourhood of an average member of the group."),
    "table": Label("De getallen", "The numbers"),
    "dimension": Label("Dimensie", "Dimension"),
    "index": "Index",
    "none": Label("Geen jaren om te vergelijken.", "No years to compare."),
})

_CSS = """
body { font: 15px/1.45 "Segoe UI", Arial, sans-serif; color: #222; margin: 0; background: #f4f4f1; }
main { max-width: 1180px; margin: 0 auto; padding: 16px 20px 40px; }
h1 { font-size: 24px; margin: 8px 0 4px; } h2 { font-size: 18px; margin: 18px 0 6px; }
.small { font-size: 13px; color: #444; }
.panels { display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr));
  gap: 12px; }
figure.panel { background: #fff; border: 1px solid #ccc; border-radius: 6px; margin: 0;
  padding: 6px 8px; }
figure.panel figcaption { font-weight: bold; font-size: 14px; }
svg.trend { width: 100%; height: auto; font-size: 11px; }
svg.trend .band { fill: #9ecae1; opacity: .55; } svg.trend .line { stroke: #08519c;
  stroke-width: 2; fill: none; } svg.trend .pt { fill: #08519c; }
svg.trend .grid { stroke: #e6e6e6; } svg.trend .axis { stroke: #777; }
table.numbers { border-collapse: collapse; background: #fff; font-size: 13px; }
table.numbers th, table.numbers td { padding: 3px 8px; border-bottom: 1px solid #ddd;
  text-align: right; white-space: nowrap; }
table.numbers th:first-child, table.numbers th:nth-child(2) { text-align: left; }
.scroll { overflow-x: auto; }
footer { color: #555; font-size: 12px; margin-top: 20px; }
@media print { body { background: #fff; } figure.panel { break-inside: avoid; } }
"""

_W, _H, _LEFT, _RIGHT, _TOP, _BOTTOM = 280, 170, 40, 12, 12, 24


def _panel(rows: pd.DataFrame, language: str, title: str) -> str:
    """One panel: value per year as a line with its interval as a band."""
    rows = rows.sort_values("year")
    years = rows["year"].to_numpy(dtype=float)
    value = rows["value"].to_numpy(dtype=float)
    low = rows["ci_low"].to_numpy(dtype=float) if "ci_low" in rows else value
    high = rows["ci_high"].to_numpy(dtype=float) if "ci_high" in rows else value
    low, high = np.where(np.isfinite(low), low, value), np.where(np.isfinite(high), high, value)
    bottom, top = float(np.nanmin(low)), float(np.nanmax(high))
    pad = max((top - bottom) * 0.15, 0.01)
    bottom, top = max(bottom - pad, 0.0), min(top + pad, 1.0)
    first, last = years.min(), years.max()

    def px(year):
        span = (last - first) or 1.0
        return _LEFT + (year - first) / span * (_W - _LEFT - _RIGHT)

    def py(v):
        return _TOP + (top - v) / ((top - bottom) or 1.0) * (_H - _TOP - _BOTTOM)

    out = [f"<svg class='trend' viewBox='0 0 {_W} {_H}' role='img' "
           f"aria-label='{html.escape(title)}'>"]
    for tick in np.linspace(bottom, top, 4):
        y = py(tick)
        out.append(f"<line class='grid' x1='{_LEFT}' x2='{_W - _RIGHT}' y1='{y:.1f}' "
                   f"y2='{y:.1f}'/><text x='{_LEFT - 4}' y='{y + 4:.1f}' text-anchor='end'>"
                   f"{style.number(tick, 2, language)}</text>")
    for year in years:
        out.append(f"<text x='{px(year):.1f}' y='{_H - 6}' text-anchor='middle'>"
                   f"{int(year)}</text>")
    band = [f"{px(x):.1f},{py(v):.1f}" for x, v in zip(years, high, strict=True)] + [
        f"{px(x):.1f},{py(v):.1f}" for x, v in zip(years[::-1], low[::-1], strict=True)]
    out.append(f"<polygon class='band' points='{' '.join(band)}'/>")
    line = " ".join(f"{px(x):.1f},{py(v):.1f}" for x, v in zip(years, value, strict=True))
    out.append(f"<polyline class='line' points='{line}'/>")
    for x, v, lo, hi in zip(years, value, low, high, strict=True):
        label = (f"{int(x)}: {style.number(v, 3, language)} ({style.number(lo, 3, language)}–"
                 f"{style.number(hi, 3, language)})")
        out.append(f"<circle class='pt' cx='{px(x):.1f}' cy='{py(v):.1f}' r='3.5' "
                   f"data-year='{int(x)}' data-value='{v:.6g}'><title>{html.escape(label)}"
                   "</title></circle>")
    out.append("</svg>")
    return "".join(out)


def trend_page(trends: pd.DataFrame, *, name: str, base_year: int, language: str = "nl",
               links: Mapping[str, str] | None = None,
               caveats: pd.DataFrame | None = None) -> str:
    """The trend page of one municipality as one offline HTML document.

    Parameters
    ----------
    trends : DataFrame
        change/trends.csv of ONE municipality (``year, level, dimension, index, value``,
        optionally ``ci_low, ci_high``); rows of :data:`TREND_INDICES` are drawn.
    name : str
        The municipality's name (escaped here).
    base_year : int
        The year whose buurten every year was harmonised onto.
    language : {"nl", "en"}
    links : mapping of str to str, optional
        The other pages (:func:`mixing.viz.pages.municipality_links`).
    caveats : DataFrame, optional
        Its caveats.csv: the "Let op" block.
    """
    words, text = TREND_LABELS[style.check_language(language)], PAGE_LABELS[language]
    shown = trends[trends["index"].isin(TREND_INDICES)]
    if "level" in shown and len(shown):
        shown = shown[shown["level"] == analysis_level(shown)]
    years = sorted(int(y) for y in shown["year"].unique()) or [0]
    code = str(trends["municipality_code"].iat[0]) if len(trends) else ""
    title = document_title(text["trends"], name, years)
    source = style.words(language)["synthetic_source" if is_synthetic(code) else "source"]
    head = (f"<!DOCTYPE html><html lang='{language}'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{html.escape(title)}</title><style>{_CSS}{NAV_CSS}{CAVEAT_CSS}</style>"
            f"</head><body><main><h1>{html.escape(text['trends'])}: {html.escape(name)}, "
            f"{years[0]}–{years[-1]}</h1>{nav_html(links, 'trends', language)}")
    if shown.empty:
        return head + f"<p>{html.escape(words['none'])}</p></main></body></html>"
    panels, rows = [], []
    for dimension in [d for d in DIMENSIONS if d in set(shown["dimension"])]:
        for name_ in TREND_INDICES:
            part = shown[(shown["dimension"] == dimension) & (shown["index"] == name_)]
            if part.empty:
                continue
            label = (f"{DIMENSIONS[dimension].title(language)}: "
                     f"{index_spec(name_).label(language)}")
            panels.append(f"<figure class='panel' data-dimension='{dimension}' "
                          f"data-index='{name_}'><figcaption>{html.escape(label)}</figcaption>"
                          f"{_panel(part, language, label)}</figure>")
            by_year = part.set_index("year")["value"]
            rows.append(f"<tr><th>{html.escape(DIMENSIONS[dimension].title(language))}</th>"
                        f"<th>{html.escape(index_spec(name_).label(language))}</th>"
                        + "".join(f"<td>{style.number(float(by_year[y]), 3, language)}</td>"
                                  if y in by_year.index else "<td>&ndash;</td>" for y in years)
                        + "</tr>")
    table = (f"<table class='numbers'><tr><th>{html.escape(words['dimension'])}</th>"
             f"<th>{html.escape(words['index'])}</th>"
             + "".join(f"<th>{y}</th>" for y in years) + "</tr>" + "".join(rows) + "</table>")
    return (head + f"<p>{html.escape(words['intro'].format(year=base_year))}</p>"
            f"<p class='small'>{html.escape(words['explain'])}</p>"
            f"{caveats_html(caveats, language)}<div class='panels'>{''.join(panels)}</div>"
            f"<h2>{html.escape(words['table'])}</h2><div class='scroll'>{table}</div>"
            f"<footer>{html.escape(source)}</footer></main></body></html>")
