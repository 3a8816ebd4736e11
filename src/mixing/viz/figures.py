"""Static figures (PNG and SVG) for reports: the same layers, colours and labels as the maps.

Figures compute nothing: they draw the layers of :mod:`mixing.viz.layers` (the units,
local-statistics and scenario tables), with Dutch number formats (``1.234,5``) and
municipality names. They are :class:`matplotlib.figure.Figure` objects on an Agg canvas:
importing :mod:`mixing` never changes the user's matplotlib backend.

Text from data (municipality, buurt and scenario names) is drawn literally: every figure is
made with matplotlib's mathtext off (a name with two ``$`` would otherwise be parsed as a
formula) and legends get their labels explicitly (matplotlib drops labels that start with
``_`` when it collects them itself).
"""

from __future__ import annotations

import functools
import os
import textwrap
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import matplotlib
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from mixing.io.demo import is_synthetic
from mixing.io.files import atomic_path
from mixing.schema import analysis_level
from mixing.viz import style
from mixing.viz.layers import Layer, MapTables, build, dimension_label

__all__ = ["share_figure", "lisa_figure", "scenario_effects_figure", "save_figure"]

#: Categorical colours of the municipalities in the scenario chart (Okabe-Ito, colour-blind
#: safe).
_SERIES = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
           "#000000")


def _literal_text(make_figure):
    """Draw every text of the figure as it is: no mathtext (names come from data files)."""

    @functools.wraps(make_figure)
    def wrapper(*args, **kwargs):
        with matplotlib.rc_context({"text.parse_math": False}):
            return make_figure(*args, **kwargs)

    return wrapper


def _new_figure(size: tuple[float, float]) -> Figure:
    fig = Figure(figsize=size, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _source(units: pd.DataFrame, language: str) -> str:
    text = style.words(language)
    synthetic = is_synthetic(units["municipality_code"].iat[0])
    return text["synthetic_source"] if synthetic else text["source"]


def _where(units: pd.DataFrame) -> str:
    name = units["municipality_name"].iat[0]
    return f"{name if isinstance(name, str) and name else units['municipality_code'].iat[0]}, " \
        f"{int(units['year'].iat[0])}"


def _choropleth(units, layer: Layer | None, language: str, title: str, about) -> Figure:
    fig = _new_figure((8, 7))
    ax = fig.add_subplot()
    if layer is not None and len(units):
        units.to_crs(28992).plot(ax=ax, color=style.colours(layer.classes, layer.colors),
                                 edgecolor=style.OUTLINE_COLOR, linewidth=0.3)
        ax.legend(handles=[Patch(facecolor=c, edgecolor="#888888", label=label)
                           for c, label in layer.legend(language)],
                  loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=9)
    ax.set_axis_off()
    ax.set_aspect("equal")
    ax.set_title(f"{title}\n{_where(about)}", loc="left", fontsize=12)
    fig.text(0.01, 0.01, _source(about, language), fontsize=8, color="#555555")
    return fig


@_literal_text
def share_figure(
    units: gpd.GeoDataFrame, *, dimension: str = "social_housing", language: str = "nl"
) -> Figure:
    """Choropleth of a share (default social housing) in the maps' classes and colours."""
    shown = _drawable(units)
    layer = next((x for x in build("share", MapTables(shown, language))
                  if x.id == f"share-{dimension}"), None) if len(shown) else None
    return _choropleth(shown, layer, language, dimension_label(dimension, language, "legend"),
                       units)


@_literal_text
def lisa_figure(
    units: gpd.GeoDataFrame,
    local: pd.DataFrame,
    *,
    variable: str = "social_housing",
    language: str = "nl",
) -> Figure:
    """LISA cluster map (HH red, LL blue, LH light blue, HL pink, not significant grey):
    local.csv's ``quadrant`` where ``significant_fdr``, as on the map."""
    shown = _drawable(units)
    layer = None
    if len(shown) and {"quadrant", "significant_fdr"} <= set(local.columns):
        layer = next((x for x in build("lisa", MapTables(shown, language, local=local))
                      if x.id == f"lisa-{variable}"), None)
    spec_title = (f"{layer.legend_title}" if layer is not None else
                  dimension_label(variable, language, "title"))
    return _choropleth(shown, layer, language, spec_title, units)


@_literal_text
def scenario_effects_figure(
    scenarios: pd.DataFrame,
    *,
    dimension: str = "social_housing",
    index: str = "dissimilarity",
    names: Mapping[str, str] | None = None,
    language: str = "nl",
) -> Figure:
    """Change in an index against the number of displaced households, one point per scenario.

    ``scenarios`` has the columns ``scenario, dimension, index, change, households_displaced``
    (and optionally ``municipality_code``: one colour per municipality, labelled with
    ``names[code]`` or the ``municipality_name`` column). Points are labelled with the
    table's ``short_<language>`` column (:func:`mixing.scenarios.run_scenarios`), else the
    scenario's name.
    """
    missing = {"scenario", "dimension", "index", "change", "households_displaced"} - set(
        scenarios.columns)
    if missing:
        raise ValueError(f"scenarios lacks the columns {sorted(missing)}")
    names = dict(names or {})
    if "municipality_name" in scenarios:
        names = dict(zip(scenarios["municipality_code"], scenarios["municipality_name"],
                         strict=True)) | names
    rows = scenarios[(scenarios["dimension"] == dimension) & (scenarios["index"] == index)]
    fig = _new_figure((8, 4.8))
    ax = fig.add_subplot()
    groups = rows.groupby("municipality_code") if "municipality_code" in rows else [("", rows)]
    handles, labels = [], []
    for (code, group), color in zip(groups, _SERIES, strict=False):
        handles.append(ax.scatter(group["households_displaced"], group["change"], color=color,
                                  zorder=3))
        labels.append(str(names.get(code, code) or code))
        short = f"short_{language}"
        for row in group.to_dict("records"):
            label = row[short] if isinstance(row.get(short), str) else str(row["scenario"])
            ax.annotate(textwrap.fill(label, 34),
                        (row["households_displaced"], row["change"]),
                        textcoords="offset points", xytext=(5, 3), fontsize=7)
    ax.axhline(0, color="#888888", linewidth=0.8)
    ax.margins(x=0.2, y=0.12)
    ax.grid(True, color="#eeeeee", zorder=0)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: style.number(v, 0, language)))
    ax.yaxis.set_major_formatter(FuncFormatter(
        lambda v, _: style.number(v, 3, language)))
    label = dimension_label(dimension, language)
    if language == "nl":
        ax.set_xlabel("Huishoudens die moeten verhuizen")
        ax.set_ylabel(f"Verandering in D ({label})")
        ax.set_title("Effect van scenario's: minder segregatie (lager) tegen verhuizingen",
                     loc="left", fontsize=11)
    else:
        ax.set_xlabel("Households that must move")
        ax.set_ylabel(f"Change in D ({label})")
        ax.set_title("Scenario effects: less segregation (lower) against displacement",
                     loc="left", fontsize=11)
    if "municipality_code" in rows and rows["municipality_code"].nunique() > 1:
        ax.legend(handles, labels, frameon=False, fontsize=8)
    return fig


def _drawable(units: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The finest level's units that have a geometry (codes missing from the boundary file
    cannot be drawn)."""
    shown = units[units["level"] == analysis_level(units)]
    return shown[shown.geometry.notna() & ~shown.geometry.is_empty].reset_index(drop=True)


def save_figure(fig: Figure, stem: str | os.PathLike, *, dpi: int = 150) -> list[Path]:
    """Write ``stem.png`` and ``stem.svg``; return both paths."""
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = [stem.with_suffix(".png"), stem.with_suffix(".svg")]
    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    # fixed metadata: the same figure gives the same bytes on every run
    with atomic_path(paths[0]) as tmp:
        fig.savefig(tmp, format="png", dpi=dpi, metadata={"Software": None})
    with atomic_path(paths[1]) as tmp:
        fig.savefig(tmp, format="svg", metadata={"Date": None, "Creator": None})
    return paths
