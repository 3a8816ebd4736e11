"""The shared look of every map, figure and page: palettes, class breaks, category colours,
number formats and the words around them, in Dutch (default) and English.

One place per fact: :mod:`mixing.viz.layers` declares the map layers with these palettes and
breaks, and :mod:`mixing.viz.maps`, :mod:`mixing.viz.figures` and :mod:`mixing.viz.overview`
draw them. Colours are ColorBrewer schemes (https://colorbrewer2.org). The categorical
palettes, each with the grey of *unknown* and the white of *no residents*, keep every pair
of classes at least 9 CIEDE2000 apart in normal vision and under simulated deuteranopia and
protanopia (``tests/test_palettes_colour_blind.py``); that is why *high surrounded by low*
is orange rather than pink, and *not significant* and *unknown* are two clearly different
greys.
Numbers are written the Dutch way by default: ``1.234,5`` and ``12 %``.

Examples
--------
>>> number(1234.5, 1)
'1.234,5'
>>> number(1234.5, 1, "en")
'1,234.5'
>>> percent(12.4)
'12 %'
>>> signed(-3.26, decimals=1)
'−3,3'
>>> range_labels((10, 20), unit=" %")
['0 tot 10 %', '10 tot 20 %', '20 % of meer']
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from mixing.dimensions import Label

__all__ = [
    "LANGUAGES",
    "UNKNOWN",
    "EMPTY",
    "UNKNOWN_COLOR",
    "EMPTY_COLOR",
    "OUTLINE_COLOR",
    "Category",
    "PALETTES",
    "SHARE_BREAKS",
    "CONCENTRATION_CATEGORIES",
    "LISA_CATEGORIES",
    "HOTSPOT_CATEGORIES",
    "CONTRIBUTION_BREAKS",
    "CONTRIBUTION_COLORS",
    "CHANGE_BREAKS",
    "CHANGE_COLORS",
    "D_CHANGE_BREAKS",
    "D_BREAKS",
    "D_COLORS",
    "WORDS",
    "words",
    "by_language",
    "check_language",
    "number",
    "percent",
    "signed",
    "range_labels",
    "change_labels",
    "classify",
    "categorise",
    "colours",
]

LANGUAGES = ("nl", "en")

#: Class codes shared by Python and ``mixing-map.js``: -1 unknown (hidden by CBS or not
#: computed), -2 water or no residents.
UNKNOWN, EMPTY = -1, -2
UNKNOWN_COLOR = "#969696"
EMPTY_COLOR = "#ffffff"
OUTLINE_COLOR = "#555555"


@dataclass(frozen=True)
class Category:
    """One value of a categorical column (``hotspot == "hot"``), its colour and its label."""

    value: str
    color: str
    label: Label


# 9 classes each; the share breaks below make 9 classes.
PALETTES: dict[str, tuple[str, ...]] = {
    "social_housing": ("#ffffd9", "#edf8b1", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0",
                       "#225ea8", "#253494", "#081d58"),  # YlGnBu
    "low_income": ("#ffffe5", "#fff7bc", "#fee391", "#fec44f", "#fe9929", "#ec7014",
                   "#cc4c02", "#993404", "#662506"),  # YlOrBr
    "migration": ("#fff7f3", "#fde0dd", "#fcc5c0", "#fa9fb5", "#f768a1", "#dd3497",
                  "#ae017e", "#7a0177", "#49006a"),  # RdPu
    "origin_outside_europe": ("#fcfbfd", "#efedf5", "#dadaeb", "#bcbddc", "#9e9ac8",
                              "#807dba", "#6a51a3", "#54278f", "#3f007d"),  # Purples
}
#: Lower bounds (in %) of the share classes 1..8: round numbers, not quantiles, so maps of
#: different municipalities and years can be compared.
SHARE_BREAKS: dict[str, tuple[float, ...]] = {
    "social_housing": (10, 20, 30, 40, 50, 60, 70, 80),
    "low_income": (5, 10, 15, 20, 25, 30, 35, 40),
    "migration": (10, 20, 30, 40, 50, 60, 70, 80),
    "origin_outside_europe": (10, 20, 30, 40, 50, 60, 70, 80),
}

#: ``concentration_class`` of local.csv (:func:`mixing.kernels.concentration.class_labels`
#: with the default thresholds 0.5 and 0.7); OrRd, 3 classes.
CONCENTRATION_CATEGORIES = (
    Category("<50%", "#fee8c8", Label("minder dan 50 %", "less than 50 %")),
    Category(">=50%", "#fdbb84", Label("50 tot 70 %", "50 to 70 %")),
    Category(">=70%", "#e34a33", Label("70 % of meer", "70 % or more")),
)
#: The vitality screening (:func:`mixing.tables.vitality.vitality_table`) per buurt.
VITALITY_CATEGORIES = (
    Category("closer_look_and_hh", "#b2182b",
             Label("nader bekijken, in een cluster van sociale huur",
                   "closer look, inside a social-housing cluster")),
    Category("closer_look", "#ef8a62",
             Label("nader bekijken (score 9 of hoger)", "closer look (score 9 or more)")),
    Category("fine", "#92c5de", Label("score onder 9", "score below 9")),
)
#: ``quadrant`` of local.csv when significant; anything else significant-less is "ns".
LISA_CATEGORIES = (
    Category("HH", "#d7191c", Label("hoog omringd door hoog", "high surrounded by high")),
    Category("LH", "#92c5de", Label("laag omringd door hoog", "low surrounded by high")),
    Category("LL", "#2166ac", Label("laag omringd door laag", "low surrounded by low")),
    Category("HL", "#fdae61", Label("hoog omringd door laag", "high surrounded by low")),
    Category("ns", "#d4d4d4", Label("niet significant", "not significant")),
)
#: ``hotspot`` of local.csv (Gi*, significant after FDR); hot spots first in the legend.
HOTSPOT_CATEGORIES = (
    Category("hot", "#b2182b", Label("hotspot", "hot spot")),
    Category("ns", "#d4d4d4", Label("geen hot- of coldspot", "no hot or cold spot")),
    Category("cold", "#2166ac", Label("coldspot", "cold spot")),
)

CONTRIBUTION_BREAKS = (0.002, 0.005, 0.01, 0.02, 0.05)
CONTRIBUTION_COLORS = ("#feedde", "#fdd0a2", "#fdae6b", "#fd8d3c", "#e6550d", "#a63603")
#: Change of a share in percentage points; PuOr, 9 classes (white = about the same).
CHANGE_BREAKS = (-20, -10, -5, -1, 1, 5, 10, 20)
CHANGE_COLORS = ("#b35806", "#e08214", "#fdb863", "#fee0b6", "#f7f7f7", "#d8daeb",
                 "#b2abd2", "#8073ac", "#542788")
#: Change of a buurt's contribution to D (after - before): same colours as CHANGE_COLORS,
#: orange = the buurt now contributes less to segregation.
D_CHANGE_BREAKS = (-0.01, -0.005, -0.002, -0.001, 0.001, 0.002, 0.005, 0.01)
#: D per municipality (overview page); YlGnBu, 7 classes.
D_BREAKS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6)
D_COLORS = ("#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84")


def by_language(texts: Mapping) -> dict[str, dict]:
    """Words declared once per key, Dutch next to English, as one dict per language.

    Parameters
    ----------
    texts : mapping of str to Label, str or mapping
        ``key -> Label(nl, en)``; a plain string is the same in every language and a
        mapping is split the same way, key by key.

    Returns
    -------
    dict
        ``{"nl": {key: nl, ...}, "en": {key: en, ...}}`` (:data:`LANGUAGES`), keys in the
        order of ``texts``; a key cannot be missing in one language.

    Examples
    --------
    >>> by_language({"yes": Label("ja", "yes"), "code": "Code"})
    {'nl': {'yes': 'ja', 'code': 'Code'}, 'en': {'yes': 'yes', 'code': 'Code'}}
    """

    def pick(value, language: str):
        if isinstance(value, Mapping):
            return {key: pick(v, language) for key, v in value.items()}
        return value if isinstance(value, str) else value(language)

    return {language: pick(texts, language) for language in LANGUAGES}


#: Words around the numbers, shared by maps, figures and pages.
WORDS = by_language({
    "unknown": Label("onbekend (geheim of niet gepubliceerd door CBS)",
                     "unknown (hidden or not published by CBS)"),
    "unknown_short": Label("onbekend", "unknown"),
    "empty": Label("geen bewoners", "no residents"),
    "water": "water",
    "empty_legend": Label("water of geen bewoners", "water or no residents"),
    "no_result": Label("geen uitkomst voor deze buurt", "no result for this neighbourhood"),
    "not_computed": Label("niet berekend (geen gegevens)", "not computed (no data)"),
    "of": Label("van", "of"),
    "yes": Label("ja", "yes"),
    "no": Label("nee", "no"),
    "or_more": Label("{low} of meer", "{low} or more"),
    "or_less": Label("{high} of minder", "{high} or less"),
    "range": Label("{low} tot {high}", "{low} to {high}"),
    "unchanged": Label("{low} tot {high} (vrijwel gelijk)", "{low} to {high} (about the same)"),
    "pp": Label("procentpunt", "percentage points"),
    "source": Label("Bron: CBS, CC BY 4.0", "Source: CBS, CC BY 4.0"),
    "synthetic_source": Label("Bron: synthetische gegevens (mixing demo), niet van CBS",
                              "Source: synthetic data (mixing demo), not CBS"),
    "made": Label("Gemaakt op {date} met mixing {version}", "Made on {date} with mixing {version}"),
    "printed": Label("Afgedrukt op", "Printed on"),
    "locale": Label("nl-NL", "en-GB"),
    # the limits of CBS's PC4 statistics, shown wherever postcodes are the units
    "pc4_limits": Label(
        "Let op: postcodegebieden (PC4, gemiddeld ruim 4.000 inwoners) zijn grover dan "
        "buurten en volgen geen gemeentegrenzen; elke postcode telt in de gemeente met het "
        "grootste deel van zijn oppervlak. De PC4-tabel heeft geen inkomen: uitkeringen "
        "onder de AOW-leeftijd staan voor kwetsbaarheid. CBS rondt herkomst en huur/koop af "
        "op 10 procentpunt. De postcodegrenzen kunnen ouder zijn dan de cijfers (landelijke "
        "run: grenzen 2020, cijfers 2023).",
        "Note: postcode areas (PC4, on average over 4,000 residents) are coarser than "
        "buurten and do not follow municipal borders; each postcode counts in the "
        "municipality holding most of its area. The PC4 table has no income: benefit "
        "recipients below the pension age stand for vulnerability. CBS rounds origin and "
        "tenure to 10 percentage points. The postcode boundaries may be older than the "
        "statistics (national run: 2020 boundaries, 2023 statistics)."),
})


def check_language(language: str) -> str:
    """``language`` if it is one of :data:`LANGUAGES`; otherwise a ``ValueError``."""
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {list(LANGUAGES)}, got {language!r}")
    return language


def words(language: str) -> dict:
    """The :data:`WORDS` of ``language``."""
    return WORDS[check_language(language)]


# --------------------------------------------------------------------------- numbers


def number(value: float, decimals: int = 0, language: str = "nl") -> str:
    """``1234.5`` -> ``1.234,5`` (nl) or ``1,234.5`` (en); negative with a minus sign."""
    text = f"{abs(value):,.{decimals}f}"
    if language == "nl":
        text = text.replace(",", "_").replace(".", ",").replace("_", ".")
    negative = value < 0 and text.strip("0.,") != ""
    return ("−" if negative else "") + text


def percent(value: float, language: str = "nl", decimals: int = 0) -> str:
    """A value already in percent: ``12.4`` -> ``12 %``."""
    return f"{number(value, decimals, language)} %"


def signed(value: float, language: str = "nl", decimals: int = 0) -> str:
    """With an explicit sign: ``+3``, ``−3``, ``0``."""
    text = number(abs(value), decimals, language)
    if text.strip("0.,") == "":
        return text
    return ("+" if value > 0 else "−") + text


def range_labels(breaks: Sequence[float], language: str = "nl",
                 fmt: Callable[[float], str] | None = None, unit: str = "") -> list[str]:
    """Legend labels of the classes made by ``breaks`` (from 0): ``0 tot 10 %`` ...
    ``80 % of meer``."""
    text = words(language)
    if fmt is None:
        def fmt(v):
            return number(v, 0, language)
    labels = [text["range"].format(low=fmt(0), high=fmt(breaks[0])) + unit]
    labels += [text["range"].format(low=fmt(lo), high=fmt(hi)) + unit
               for lo, hi in zip(breaks[:-1], breaks[1:], strict=True)]
    labels.append(text["or_more"].format(low=fmt(breaks[-1]) + unit))
    return labels


def change_labels(breaks: Sequence[float], language: str = "nl",
                  fmt: Callable[[float], str] | None = None, unit: str = "") -> list[str]:
    """Legend labels of a change around 0 (breaks symmetric, the middle class is "about
    the same"): ``−20 procentpunt of minder`` ... ``+20 procentpunt of meer``."""
    text = words(language)
    if fmt is None:
        def fmt(v):
            return signed(v, language)
    middle = len(breaks) // 2 - 1
    labels = [text["or_less"].format(high=fmt(breaks[0]) + unit)]
    labels += [(text["unchanged"] if i == middle else text["range"]).format(
        low=fmt(lo), high=fmt(hi)) for i, (lo, hi) in enumerate(zip(breaks[:-1], breaks[1:],
                                                                   strict=True))]
    labels.append(text["or_more"].format(low=fmt(breaks[-1]) + unit))
    return labels


# --------------------------------------------------------------------------- classes


def classify(values: np.ndarray, breaks: Sequence[float]) -> np.ndarray:
    """Class index per value (``breaks`` are the lower bounds of classes 1..n);
    :data:`UNKNOWN` where the value is NaN."""
    values = np.asarray(values, dtype=float)
    classes = np.digitize(values, breaks).astype(int)
    return np.where(np.isfinite(values), classes, UNKNOWN)


def categorise(values: Sequence, categories: Sequence[Category]) -> np.ndarray:
    """Position of each value among ``categories``; :data:`UNKNOWN` for any other value
    (``"unknown"``, missing)."""
    index = {c.value: i for i, c in enumerate(categories)}
    return np.array([index.get(v, UNKNOWN) if isinstance(v, str) else UNKNOWN
                     for v in values], dtype=int)


def colours(classes: np.ndarray, palette: Sequence[str]) -> list[str]:
    """Fill colour per class code (palette entry, unknown grey or empty white)."""
    return [palette[k] if k >= 0 else (EMPTY_COLOR if k == EMPTY else UNKNOWN_COLOR)
            for k in np.asarray(classes)]
