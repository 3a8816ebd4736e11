"""The policy explorer inside the map: try your own sale, demolition or cap, offline.

A policy officer clicks buurten on the map, chooses *sale* (social homes sold as tenants
leave) or *demolition and rebuild*, and either a share of the social homes or a cap on the
social share per buurt; D, isolation, Moran's I and the households that must move update
at once. The arithmetic runs in the browser (``static/explorer.js``), a line-by-line port
of the accounting of :mod:`mixing.scenarios`:

- :func:`mixing.scenarios.state.split_state` (households and low-income households split
  over tenures with the explicit :class:`~mixing.scenarios.assumptions.Assumptions`),
- :func:`mixing.scenarios.transforms.convert_social` (sale),
  :func:`mixing.scenarios.transforms.demolish_rebuild` (with the vacancy-chain rehousing
  and :func:`mixing.scenarios.state.fill_limited`),
- :func:`mixing.scenarios.state.write_state`, and the kernels
  :func:`mixing.kernels.aspatial.dissimilarity` / :func:`~mixing.kernels.aspatial.isolation`
  and :func:`mixing.kernels.autocorr.moran` (statistic only).

A cap is :func:`mixing.scenarios.transforms.differentiate` with ``threshold = target = cap``
(restricted to the chosen buurten, or every buurt when none is chosen). Moran's I uses the
row-standardised queen weights of the workflow, restricted per dimension to the buurten
with a known share exactly as :func:`mixing.scenarios.tables.run_scenarios` does
(:func:`mixing.geometry.weights.subset`); their neighbour lists travel in the payload.
``tests/test_explorer_browser.py`` drives ``window.mixingExplorer.apply(spec)`` in Chromium
and compares it with the Python functions on Den Haag 2019 (rtol 1e-9).

The panel opens beside the map (below it on a phone) and never on top of it; a skip link,
the first Tab stop of the page, leads to it. Buurten are chosen by a click on the map or by
keyboard (a search field over a list of all buurten, name and code). Amounts update as they
are typed, with a decimal comma or point, and an amount outside the bounds is clamped with
a note beside the field. The bounds are :func:`explorer_params` (declared once in
:data:`mixing.scenarios.types.EXPLORER`), carried in the payload; ``apply(spec)`` refuses a
spec outside them with the words of the Python checks.

The map calls :func:`add_explorer` once; this module builds the payload
(:func:`explorer_payload`) and adds the script, its style and the call.
"""

from __future__ import annotations

import warnings
from dataclasses import asdict

import numpy as np
import pandas as pd

from mixing.dimensions import DIMENSIONS, Label
from mixing.scenarios.assumptions import Assumptions
from mixing.scenarios.tables import CHANGE_COUNTS
from mixing.scenarios.types import EXPLORER, Param
from mixing.viz import style
from mixing.viz.page import MapCall, Text, inline_script, inline_style, static_text

__all__ = ["explorer_payload", "explorer_params", "add_explorer", "EXPLORER_COUNTS",
           "EXPLORER_LABELS"]

#: Counts the explorer needs per buurt: those the scenario accounting changes.
EXPLORER_COUNTS = CHANGE_COUNTS
#: Dimensions whose D, isolation and Moran's I the explorer shows (who first, then what).
_DIMENSIONS = ("low_income", "social_housing")

EXPLORER_LABELS = style.by_language({
    "title": Label("Probeer zelf een ingreep", "Try an intervention yourself"),
    "open": Label("Zelf proberen", "Try it"),
    "close": Label("Sluiten", "Close"),
    "how": Label("Klik op buurten in de kaart om ze te kiezen (nog een keer klikken: weer weg).",
                 "Click neighbourhoods on the map to choose them (click again to remove)."),
    "selected": Label("Gekozen buurten", "Chosen neighbourhoods"),
    "none": Label("nog geen; een plafond geldt dan voor alle buurten",
                  "none yet; a cap then applies to every neighbourhood"),
    "clear": Label("Wis keuze", "Clear"),
    "measure": Label("Maatregel", "Measure"),
    "sale": Label("Verkopen (als huurders vertrekken)", "Sell (as tenants leave)"),
    "demolish_rebuild": Label("Slopen en nieuw bouwen ({social} sociaal, {private_rent} "
                              "middenhuur, {owner_occupied} koop)",
                              "Demolish and rebuild ({social} social, {private_rent} mid-rent, "
                              "{owner_occupied} owned)"),
    "amount": Label("Hoeveel", "How much"),
    "share": Label("Aandeel van de sociale huurwoningen in de gekozen buurten",
                   "Share of the social homes in the chosen neighbourhoods"),
    "cap": Label("Plafond: hoogstens dit aandeel sociale huur per buurt",
                 "Cap: at most this share of social housing per neighbourhood"),
    "indicator": "",
    "now": Label("Nu", "Now"),
    "after": Label("Na ingreep", "After"),
    "d": Label("Segregatie-index D, {dim}", "Dissimilarity index D, {dim}"),
    "isolation": Label("Isolatie, {dim}", "Isolation, {dim}"),
    "moran": Label("Ruimtelijke clustering (Moran's I), {dim}",
                   "Spatial clustering (Moran's I), {dim}"),
    "displaced": Label("Huishoudens die moeten verhuizen", "Households that must move"),
    "low_income_displaced": Label("van wie met een laag inkomen", "of whom low-income"),
    "converted": Label("Sociale huurwoningen verkocht", "Social homes sold"),
    "demolished": Label("Woningen gesloopt", "Homes demolished"),
    "built": Label("Woningen gebouwd", "Homes built"),
    "years": Label("Duur bij verkoop (langzaamste buurt)",
                   "Time for a sale (slowest neighbourhood)"),
    "years_value": Label("{years} jaar", "{years} years"),
    "search": Label("Buurt zoeken (naam of code)", "Find a neighbourhood (name or code)"),
    "pick": Label("Kiezen", "Choose"),
    "pick_hint": Label("Pijltjes en Enter kiezen een buurt uit de lijst.",
                       "Arrow keys and Enter choose a neighbourhood from the list."),
    "remove": Label("Verwijder {name}", "Remove {name}"),
    "skip": Label("Naar de verkenner: zelf een ingreep proberen",
                  "To the explorer: try an intervention yourself"),
    "not_a_number": Label("Geen getal: typ bijvoorbeeld 12,5",
                          "Not a number: type for example 12.5"),
    "clamped": Label("{typed} % kan niet; gerekend met {used} % (toegestaan: {range})",
                     "{typed} % is not possible; computed with {used} % (allowed: {range})"),
    "range_closed": Label("{low} tot en met {high} %", "{low} to {high} %"),
    "range_open": Label("meer dan {low} en minder dan {high} %",
                        "more than {low} and less than {high} %"),
    "note": Label("Zelfde rekenmodel en aannames als de scenario's (geen voorspelling). "
                  "D: 0 = gelijk verdeeld, 1 = volledig gescheiden.",
                  "Same accounting model and assumptions as the scenarios (not a forecast). "
                  "D: 0 = evenly spread, 1 = completely separated."),
    "unit": "%",
})


def _labels(language: str) -> dict:
    """The explorer's words, the rebuild mix written from its declared default."""
    labels = dict(EXPLORER_LABELS[language])
    mix = {k: style.percent(100 * v, language)
           for k, v in EXPLORER.params["rebuild_mix"].default.items()}
    labels["demolish_rebuild"] = labels["demolish_rebuild"].format(**mix)
    return labels


def _values(column: pd.Series) -> list:
    """Floats with None for NaN (JSON has no NaN)."""
    array = column.to_numpy(dtype="float64")
    return [float(v) if np.isfinite(v) else None for v in array]


def _neighbour_lists(weights, positions: np.ndarray) -> list[list[int]]:
    """Neighbours of each kept unit, as positions in the payload's arrays."""
    binary = weights.binary.tocsr()
    return [positions[binary.indices[binary.indptr[i]:binary.indptr[i + 1]]].tolist()
            for i in range(binary.shape[0])]


def explorer_params(dimensions: tuple[str, ...] = _DIMENSIONS) -> dict[str, Param]:
    """The allowed values of every key of an explorer spec (besides ``codes``).

    :data:`mixing.scenarios.types.EXPLORER` (share or cap, method, rebuild) and
    ``dimension``, one of the shown ``dimensions``. ``explorer.js`` refuses a spec outside
    them with the words of :meth:`Param.check <mixing.scenarios.types.Param.check>`.
    """
    params = dict(EXPLORER.params)
    params["dimension"] = Param("choice", dimensions[0], choices=tuple(dimensions))
    return params


def explorer_payload(
    units: pd.DataFrame,
    weights=None,
    *,
    assumptions: Assumptions | None = None,
    language: str = "nl",
    dimensions: tuple[str, ...] = _DIMENSIONS,
) -> dict:
    """Everything the in-map explorer needs, as JSON-ready data.

    Parameters
    ----------
    units : GeoDataFrame
        The buurten of ONE municipality as drawn on the map (canonical columns, EPSG:28992).
    weights : SpatialWeights, optional
        The workflow's weights of these buurten (``results/{m}/weights.npz``, loaded with
        :func:`mixing.geometry.weights.load_weights`); ids must cover ``unit_code``. Default:
        queen contiguity built here, as :func:`mixing.scenarios.run_scenarios` does.
    assumptions : Assumptions, optional
        The assumptions of the configured scenarios file (``load_scenarios(path)
        .assumptions``: its ``assumptions:`` block over the package defaults), so the
        explorer computes what the scenarios compute; default the package defaults.
    language : {"nl", "en"}
    dimensions : tuple of str
        Two-group dimensions to show (default low incomes, then social housing).

    Returns
    -------
    dict
        ``codes``, ``names``, the counts of :data:`EXPLORER_COUNTS`, ``assumptions``,
        ``neighbours`` (per dimension: ``keep`` positions and their neighbour lists),
        ``dimensions`` (name, group, total, noun), ``params`` (the allowed values of every
        key of a spec: :data:`mixing.scenarios.types.EXPLORER` and the shown dimensions,
        which ``apply`` checks) and ``labels``.
    """
    from mixing.geometry.weights import build_weights, subset

    if language not in EXPLORER_LABELS:
        raise ValueError(f"language must be one of {sorted(EXPLORER_LABELS)}, got {language!r}")
    units = units.reset_index(drop=True)
    codes = units["unit_code"].astype(str).to_numpy()
    if weights is None:
        weights = build_weights(units.geometry, kind="queen", ids=codes)
    ids = np.asarray(weights.ids).astype(str)
    missing = sorted(set(codes) - set(ids))
    if missing:
        raise ValueError(f"the weights have no row for {len(missing)} buurten, e.g. "
                         f"{missing[:3]}; build them from the same units table")
    position = pd.Index(codes).get_indexer(ids)  # weights row -> payload position (-1: absent)
    neighbours = {}
    for name in dimensions:
        dim = DIMENSIONS[name]
        g = units[dim.group].to_numpy(dtype="float64")
        t = units[dim.total].to_numpy(dtype="float64")
        known = np.isfinite(g) & np.isfinite(t) & (t > 0)
        keep = (position >= 0) & known[np.maximum(position, 0)]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the count of dropped units is in the payload
            wk = weights if keep.all() else subset(weights, keep)
        kept = position[keep]
        neighbours[name] = {"keep": kept.tolist(), "lists": _neighbour_lists(wk, kept)}
    names = units["unit_name"] if "unit_name" in units else units["unit_code"]
    return {
        "codes": codes.tolist(),
        "names": [str(n) if isinstance(n, str) and n else str(c)
                  for n, c in zip(names, codes, strict=True)],
        "counts": {c: _values(units[c]) for c in EXPLORER_COUNTS},
        "assumptions": asdict(assumptions or Assumptions()),
        "neighbours": neighbours,
        "dimensions": [{"name": n, "group": DIMENSIONS[n].group, "total": DIMENSIONS[n].total,
                        "noun": DIMENSIONS[n].group_noun(language)} for n in dimensions],
        "params": {key: {**asdict(param), "choices": list(param.choices)}
                   for key, param in explorer_params(dimensions).items()},
        "labels": _labels(language),
        "language": language,
    }


def add_explorer(folium_map, payload: dict) -> None:
    """Add the explorer (script, style, payload) to a folium map; call after the layers.

    Also makes ``map.html#BU...`` zoom to that buurt (links from the comparison page).
    """
    root = folium_map.get_root()
    root.header.add_child(Text(inline_style(static_text("explorer.css"))))
    root.header.add_child(Text(inline_script(static_text("explorer.js"))))
    MapCall("mixingExplorer.init", payload, "MixingExplorer").add_to(folium_map)
