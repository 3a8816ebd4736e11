"""The "Let op" block: a municipality's caveats table in a few plain sentences.

The same block is on the map (in the title panel), the scenario page and the overview, built
from ``results/{municipality}/caveats.csv`` (:mod:`mixing.tables.caveats`). Every text from
data is escaped here; the sentences are this module's own.
"""

from __future__ import annotations

import html

import pandas as pd

from mixing import dictionary
from mixing.dimensions import Label
from mixing.viz import style

__all__ = ["CAVEAT_LABELS", "CAVEAT_CSS", "caveat_sentences", "caveats_html"]

CAVEAT_LABELS = style.by_language({
    "title": Label("Let op", "Please note"),
    "points": Label("{n} punten", "{n} points"),
    "point": Label("1 punt", "1 point"),
    "hidden": Label("Geheim gehouden of niet gepubliceerd door CBS (van {total} {units}): "
                    "{items}.", "Kept secret or not published by CBS (of {total} {units}): "
                    "{items}."),
    "lower_bound": Label("Totalen per {unit} tellen alleen de bekende buurten op (een "
                         "ondergrens): {items}.",
                         "Totals per {unit} add up the known neighbourhoods only (a lower "
                         "bound): {items}."),
    "lower_item": Label("{column} in {count} van {total} {units}",
                        "{column} in {count} of {total} {units}"),
    "unnamed": Label("{count} van {total} {units} hebben in geen enkele bron een naam; de "
                     "pagina's tonen hun code.",
                     "{count} of {total} {units} have no name in any source; the pages show "
                     "their code."),
    "no_geometry": Label("{count} van {total} {units} staan niet in het grenzenbestand: ze "
                         "tellen mee in de tabellen, maar staan niet op de kaart.",
                         "{count} of {total} {units} are not in the boundary file: they are "
                         "in the tables, not on the map."),
    "repaired": Label("{count} ongeldige grenzen in het grenzenbestand zijn hersteld "
                      "(shapely.make_valid); die vlakken kunnen iets afwijken.",
                      "{count} invalid boundaries of the boundary file were repaired "
                      "(shapely.make_valid); those shapes may differ slightly."),
    "unit": {"buurt": Label("buurt", "neighbourhood"), "wijk": Label("wijk", "district"),
             "gemeente": Label("gemeente", "municipality"),
             "pc4": Label("postcodegebied", "postcode area")},
    "units": {"buurt": Label("buurten", "neighbourhoods"), "wijk": Label("wijken", "districts"),
              "gemeente": Label("gemeenten", "municipalities"),
              "pc4": Label("postcodegebieden", "postcode areas")},
})

CAVEAT_CSS = """
.mx-caveats { background: #fff4e5; border-left: 4px solid #e6550d; padding: 4px 10px;
  margin: 6px 0; font-size: 13px; }
.mx-caveats summary { font-weight: bold; cursor: pointer; }
.mx-caveats ul { margin: 4px 0; padding-left: 18px; }
.mx-caveats li { margin: 2px 0; }
@media print { .mx-caveats { break-inside: avoid; } }
"""


def _column(column: str, language: str) -> str:
    described = dictionary.describe("units", column)
    return (described.nl if language == "nl" and described.nl else described.en)


def _word(words, key: str, level: str) -> str:
    return words[key].get(level, level)


def caveat_sentences(caveats: pd.DataFrame | None, language: str = "nl") -> list[str]:
    """The caveats of one municipality as plain sentences (not yet escaped), one per kind.

    Parameters
    ----------
    caveats : DataFrame or None
        caveats.csv of one municipality (:func:`mixing.tables.caveats.caveat_table`).
    language : {"nl", "en"}
    """
    words = CAVEAT_LABELS[style.check_language(language)]
    if caveats is None or caveats.empty:
        return []
    number = style.number
    out = []
    for (kind, level), rows in caveats.groupby(["kind", "level"], sort=False):
        total = rows["total"].iat[0]
        total = number(float(total), 0, language) if pd.notna(total) else ""
        count = number(float(rows["count"].sum()), 0, language)
        if kind == "hidden":
            items = ", ".join(f"{_column(r.column, language)} {number(r.count, 0, language)}"
                              for r in rows.itertuples())
            out.append(words["hidden"].format(total=total, units=_word(words, "units", level),
                                              items=items))
        elif kind == "lower_bound":
            items = "; ".join(words["lower_item"].format(
                column=_column(r.column, language), count=number(r.count, 0, language),
                total=number(float(r.total), 0, language), units=_word(words, "units", level))
                for r in rows.itertuples())
            out.append(words["lower_bound"].format(unit=_word(words, "unit", level),
                                                   items=items))
        elif kind in ("unnamed", "no_geometry", "repaired"):
            out.append(words[kind].format(count=count, total=total,
                                          units=_word(words, "units", level)))
    return out


def caveats_html(caveats: pd.DataFrame | None, language: str = "nl", *,
                 open_: bool = True) -> str:
    """The "Let op" block (``<details class='mx-caveats'>``), or "" when there is none.

    ``open_=False`` shows only the heading and the number of points until clicked (for
    the overview's table cells and the map's title panel).
    """
    sentences = caveat_sentences(caveats, language)
    if not sentences:
        return ""
    words = CAVEAT_LABELS[language]
    n = len(sentences)
    count = words["point"] if n == 1 else words["points"].format(n=n)
    items = "".join(f"<li>{html.escape(s)}</li>" for s in sentences)
    return (f"<details class='mx-caveats' role='note'{' open' if open_ else ''}><summary>"
            f"{html.escape(words['title'])}: {html.escape(count)}</summary><ul>{items}</ul>"
            "</details>")
