"""Static figures (PNG and SVG) for reports: the same classes, colours and labels as the maps.

matplotlib runs with the Agg backend (no display). Figures compute nothing: they style the
units, local-statistics and scenario tables, as :mod:`mixing.viz.maps` does.
"""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from mixing.io.files import atomic_path  # noqa: E402
from mixing.viz.maps import (  # noqa: E402
    _EMPTY,
    _EMPTY_COLOR,
    _LISA_COLORS,
    _LISA_ORDER,
    _PALETTES,
    _SHARE_BREAKS,
    _UNKNOWN,
    _UNKNOWN_COLOR,
    _classify,
    _labels,
    _number,
    _range_labels,
    _share,
    _status,
    _variable,
    _variable_label,
)

__all__ = ["share_figure", "lisa_figure", "scenario_effects_figure", "save_figure"]


def _source(units: pd.DataFrame, text: dict) -> str:
    synthetic = str(units["municipality_code"].iat[0]).startswith("DEMO")
    return text["synthetic_source"] if synthetic else text["source"]


def _where(units: pd.DataFrame) -> str:
    name = units["municipality_name"].iat[0]
    return f"{name if isinstance(name, str) and name else units['municipality_code'].iat[0]}, " \
        f"{int(units['year'].iat[0])}"


def _choropleth(units, colors_per_unit, legend, title, subtitle, source) -> Figure:
    fig, ax = plt.subplots(figsize=(8, 7), layout="constrained")
    units.to_crs(28992).plot(ax=ax, color=colors_per_unit, edgecolor="#555555", linewidth=0.3)
    ax.set_axis_off()
    ax.set_aspect("equal")
    ax.set_title(f"{title}\n{subtitle}", loc="left", fontsize=12)
    ax.legend(handles=[Patch(facecolor=c, edgecolor="#888888", label=label)
                       for c, label in legend],
              loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=9)
    fig.text(0.01, 0.01, source, fontsize=8, color="#555555")
    return fig


def _colors(classes: np.ndarray, palette: list[str]) -> list[str]:
    return [palette[k] if k >= 0 else (_EMPTY_COLOR if k == _EMPTY else _UNKNOWN_COLOR)
            for k in classes]


def _extra_legend(classes: np.ndarray, text: dict) -> list[tuple[str, str]]:
    out = []
    if (classes == _UNKNOWN).any():
        out.append((_UNKNOWN_COLOR, text["unknown"]))
    if (classes == _EMPTY).any():
        out.append((_EMPTY_COLOR, text["empty_legend"]))
    return out


def share_figure(
    units: gpd.GeoDataFrame, *, dimension: str = "social_housing", language: str = "nl"
) -> Figure:
    """Choropleth of a share (default social housing) in the maps' classes and colours."""
    text = _labels(language)
    shown = _drawable(units)
    empty, _ = _status(shown, text)
    share, _, total = _share(shown, dimension)
    breaks = _SHARE_BREAKS[dimension]
    classes = _classify(share, breaks)
    classes = np.where((empty | (total == 0)) & ~np.isfinite(share), _EMPTY, classes)
    labels = _range_labels(breaks, text, lambda v: _number(v, 0, language), " %")
    legend = list(zip(_PALETTES[dimension], labels, strict=True)) + _extra_legend(classes, text)
    return _choropleth(shown, _colors(classes, _PALETTES[dimension]), legend,
                       text["dimensions"][dimension][3], _where(units), _source(units, text))


def lisa_figure(
    units: gpd.GeoDataFrame,
    local: pd.DataFrame,
    *,
    variable: str = "social_housing",
    language: str = "nl",
) -> Figure:
    """LISA cluster map (HH red, LL blue, LH light blue, HL pink, not significant grey)."""
    text = _labels(language)
    shown = _drawable(units)
    empty, _ = _status(shown, text)
    rows = local[local["variable"].map(_variable) == _variable(variable)]
    rows = rows.drop_duplicates("unit_code").set_index("unit_code").reindex(
        shown["unit_code"].astype(str))
    significant = (rows["significant"].fillna(False).astype(bool).to_numpy()
                   if "significant" in rows else rows["p_value"].to_numpy(float) <= 0.05)
    quadrant = rows["quadrant"].to_numpy(object)
    classes = np.array([
        (_LISA_ORDER.index(q) if s and q in _LISA_COLORS else _LISA_ORDER.index("ns"))
        if isinstance(q, str) else (_EMPTY if e else _UNKNOWN)
        for q, s, e in zip(quadrant, significant, empty, strict=True)
    ])
    palette = [_LISA_COLORS[q] for q in _LISA_ORDER]
    legend = [(_LISA_COLORS[q], text["lisa_classes"][q]) for q in _LISA_ORDER]
    legend += _extra_legend(classes, text)
    label = _variable_label(variable, text)
    return _choropleth(shown, _colors(classes, palette), legend,
                       text["lisa_legend"].format(variable=label), _where(units),
                       _source(units, text))


def scenario_effects_figure(
    scenarios: pd.DataFrame,
    *,
    dimension: str = "social_housing",
    index: str = "dissimilarity",
    language: str = "nl",
) -> Figure:
    """Change in an index against the number of displaced households, one point per scenario.

    ``scenarios`` has the columns ``scenario, dimension, index, change, households_displaced``
    (and optionally ``municipality_code``: one colour per municipality).
    """
    text = _labels(language)
    missing = {"scenario", "dimension", "index", "change", "households_displaced"} - set(
        scenarios.columns)
    if missing:
        raise ValueError(f"scenarios lacks the columns {sorted(missing)}")
    rows = scenarios[(scenarios["dimension"] == dimension) & (scenarios["index"] == index)]
    fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
    groups = rows.groupby("municipality_code") if "municipality_code" in rows else [("", rows)]
    for (code, group), color in zip(groups, plt.get_cmap("tab10").colors, strict=False):
        ax.scatter(group["households_displaced"], group["change"], color=color, label=code or None,
                   zorder=3)
        for row in group.itertuples():
            ax.annotate(str(row.scenario), (row.households_displaced, row.change),
                        textcoords="offset points", xytext=(5, 3), fontsize=8)
    ax.axhline(0, color="#888888", linewidth=0.8)
    ax.margins(x=0.15, y=0.1)
    ax.grid(True, color="#eeeeee", zorder=0)
    label = text["dimensions"].get(dimension, (dimension, dimension))[1]
    if language == "nl":
        ax.set_xlabel("Aantal verhuisde huishoudens")
        ax.set_ylabel(f"Verandering in D ({label})")
        ax.set_title("Effect van scenario's: minder segregatie (lager) tegen verhuizingen",
                     loc="left", fontsize=11)
    else:
        ax.set_xlabel("Households displaced")
        ax.set_ylabel(f"Change in D ({label})")
        ax.set_title("Scenario effects: less segregation (lower) against displacement",
                     loc="left", fontsize=11)
    if "municipality_code" in rows and rows["municipality_code"].nunique() > 1:
        ax.legend(frameon=False, fontsize=8)
    return fig


def _drawable(units: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The finest level's units that have a geometry (codes missing from the boundary file
    cannot be drawn)."""
    level = "buurt" if (units["level"] == "buurt").any() else units["level"].iat[0]
    shown = units[units["level"] == level]
    return shown[shown.geometry.notna() & ~shown.geometry.is_empty]


def save_figure(fig: Figure, stem: str | os.PathLike, *, dpi: int = 150) -> list[Path]:
    """Write ``stem.png`` and ``stem.svg``; close the figure; return both paths."""
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = [stem.with_suffix(".png"), stem.with_suffix(".svg")]
    # fixed metadata: the same figure gives the same bytes on every run
    with atomic_path(paths[0]) as tmp:
        fig.savefig(tmp, format="png", dpi=dpi, metadata={"Software": None})
    with atomic_path(paths[1]) as tmp:
        fig.savefig(tmp, format="svg", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    return paths
