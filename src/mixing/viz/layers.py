"""The map layers, declared once: which table and column each layer shows, and how.

Every layer of the municipality maps, the overview page and the static figures is a
:class:`LayerSpec` in :data:`LAYERS`: its source table (``units``, ``local`` = local.csv of
:func:`mixing.tables.clusters.autocorrelation_tables`, ``local_indices`` = local_indices.csv
of :func:`mixing.tables.frames.local_index_table`, ``indices``, ``scenario_units``), the
column it reads *as is*, the palette and breaks or categories (:mod:`mixing.viz.style`), the
legend, the layer group and the extra columns in the tooltip. :func:`build` turns a spec and
the tables into a :class:`Layer`: one class code and one tooltip text per unit, aligned with
the units drawn. Nothing is recomputed here: a buurt is a hotspot on the map exactly when
local.csv says ``hotspot == "hot"``.

Class codes are palette positions, or :data:`~mixing.viz.style.UNKNOWN` (hidden by CBS, not
computed, no row in the table) and :data:`~mixing.viz.style.EMPTY` (water or no residents).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from mixing import catalogue
from mixing.dimensions import DIMENSIONS, Label
from mixing.dimensions import share as dimension_share
from mixing.viz import style
from mixing.viz.style import EMPTY, UNKNOWN, Category

__all__ = [
    "LayerSpec",
    "Layer",
    "LAYERS",
    "GROUPS",
    "SIGNIFICANCE",
    "layer_spec",
    "MapTables",
    "build",
    "build_all",
    "empty_units",
    "dimension_label",
    "scenario_costs",
    "scenario_titles",
]

#: Layer groups of the layer control, in order.
GROUPS = {
    "indicators": Label("Indicatoren", "Indicators"),
    "local": Label("Lokale clusters", "Local clusters"),
    "scenarios": Label("Scenario's (na de ingreep)", "Scenarios (after the intervention)"),
}

#: The significance rule of the LISA and Gi* layers, named in their legends. Both read the
#: false-discovery-rate columns of local.csv (``significant_fdr``, ``hotspot``), the same
#: rule as the HH clusters counted in scenarios.csv.
SIGNIFICANCE = Label(
    "Significant: p < {alpha} na correctie voor het aantal buurten (FDR, Benjamini-Hochberg), "
    "getoetst met permutaties.",
    "Significant: p < {alpha} after correcting for the number of neighbourhoods (FDR, "
    "Benjamini-Hochberg), tested by permutation.")


@dataclass(frozen=True)
class LayerSpec:
    """One kind of map layer.

    Attributes
    ----------
    key : str
        Registry key; the layer id is ``key-variable`` (or ``key-k`` for scenario ``k``).
    source : {"units", "local", "local_indices", "indices", "scenario_units"}
        The table the layer reads.
    column : str
        The column read as is (``"share"``: the dimension's ``group / total`` of the units,
        :func:`mixing.dimensions.share`, in percent).
    group : str
        Layer group (:data:`GROUPS`).
    title, legend_title : Label
        ``{variable}`` is replaced by the dimension's noun, ``{scenario}`` by the scenario's
        title.
    breaks, palette :
        Numeric layers: lower bounds of classes 1..n and one colour per class; ``None``
        palette/breaks = the dimension's (:data:`mixing.viz.style.PALETTES`).
    categories : tuple of Category
        Categorical layers: the values of ``column`` and their colours and labels.
    significance : str, optional
        Boolean column: a category counts only where it is true, otherwise ``"ns"``.
    decimals, unit :
        How a value is written in the tooltip (``unit`` in the language's words).
    tooltip : tuple of (column, Label, decimals)
        Further columns of the source shown after the value: ``(p = 0,012)``.
    note : Label, optional
        Explanation under the legend.
    short : Label, optional
        The layer's name in the layer control under its scenario's heading.
    diverging : bool
        Classes around 0 (a change): legend ``−0,010 of minder`` ... ``+0,010 of meer``.
    variables : tuple of str, optional
        Only these variables (dimensions); default every one the source has.
    """

    key: str
    source: str
    column: str
    group: str
    title: Label
    legend_title: Label
    breaks: tuple[float, ...] | None = None
    palette: tuple[str, ...] | None = None
    categories: tuple[Category, ...] = ()
    significance: str | None = None
    decimals: int = 0
    unit: Label | None = None
    tooltip: tuple[tuple[str, Label, int], ...] = ()
    note: Label | None = None
    short: Label | None = None
    diverging: bool = False
    variables: tuple[str, ...] | None = None


_PERCENT = Label("%", "%")
_PP = Label("procentpunt", "percentage points")


def _scenario_layer(key: str, column: str, title: Label, legend_title: Label,
                    **more) -> LayerSpec:
    """A layer of every scenario: its units after the intervention, social housing only."""
    return LayerSpec(key, "scenario_units", column, "scenarios", title, legend_title,
                     variables=("social_housing",), **more)


LAYERS: dict[str, LayerSpec] = {s.key: s for s in (
    LayerSpec("share", "units", "share", "indicators",
              Label("{title}", "{title}"), Label("{legend}", "{legend}"),
              decimals=0, unit=_PERCENT),
    LayerSpec("concentration", "local", "concentration_class", "indicators",
              Label("Concentratie {variable}", "Concentration of {variable}"),
              Label("Concentratie {variable} (% {total})", "Concentration of {variable} "
                    "(% {total})"),
              categories=style.CONCENTRATION_CATEGORIES, variables=("social_housing",)),
    LayerSpec("contribution", "local", "d_contribution", "indicators",
              Label("Bijdrage aan D: {variable}", "Contribution to D: {variable}"),
              Label("Bijdrage van de buurt aan D ({variable})",
                    "Neighbourhood's contribution to D ({variable})"),
              breaks=style.CONTRIBUTION_BREAKS, palette=style.CONTRIBUTION_COLORS, decimals=4,
              note=Label("Alle bijdragen samen vormen D{total_d}. Hoe donkerder, hoe meer deze "
                         "buurt afwijkt van de samenstelling van de hele gemeente.",
                         "All contributions add up to D{total_d}. The darker, the more this "
                         "neighbourhood differs from the municipality's composition.")),
    LayerSpec("lisa", "local", "quadrant", "local",
              Label("LISA-clusters: {variable}", "LISA clusters: {variable}"),
              Label("Clusters (lokale Moran, {variable})", "Clusters (local Moran, {variable})"),
              categories=style.LISA_CATEGORIES, significance="significant_fdr",
              tooltip=(("p_value", Label("p", "p"), 3),),
              note=Label("Hoog of laag: boven of onder het gemiddelde van de gemeente; omringd "
                         "door: het gemiddelde van de aangrenzende buurten. {significance}",
                         "High or low: above or below the municipality's mean; surrounded by: "
                         "the mean of the adjacent neighbourhoods. {significance}")),
    LayerSpec("gi", "local", "hotspot", "local",
              Label("Hot- en coldspots (Gi*): {variable}",
                    "Hot and cold spots (Gi*): {variable}"),
              Label("Hot- en coldspots (Gi*, {variable})", "Hot and cold spots (Gi*, {variable})"),
              categories=style.HOTSPOT_CATEGORIES,
              tooltip=(("gi_z", Label("z", "z"), 2), ("gi_p_value", Label("p", "p"), 3)),
              note=Label("Hotspot: de buurt en haar buren hebben samen een hoog aandeel; "
                         "coldspot: samen een laag aandeel. {significance}",
                         "Hot spot: the neighbourhood and its neighbours together have a high "
                         "share; cold spot: together a low share. {significance}")),
    _scenario_layer("scenario_share", "share",
                    Label("{scenario}: {variable} na", "{scenario}: {variable} after"),
                    Label("{Variable} na de ingreep (% {total})",
                          "{Variable} after the intervention (% {total})"),
                    decimals=0, unit=_PERCENT, short=Label("{variable} na", "{variable} after")),
    _scenario_layer("scenario_change", "share_change",
                    Label("{scenario}: verandering {variable}",
                          "{scenario}: change in {variable}"),
                    Label("Verandering {variable} (procentpunt)",
                          "Change in {variable} (percentage points)"),
                    breaks=style.CHANGE_BREAKS, palette=style.CHANGE_COLORS, decimals=1,
                    unit=_PP, diverging=True,
                    short=Label("verandering {variable}", "change in {variable}")),
    _scenario_layer("scenario_d", "dissimilarity_contribution_change",
                    Label("{scenario}: verandering in D ({variable})",
                          "{scenario}: change in D ({variable})"),
                    Label("Verandering van de bijdrage aan D ({variable})",
                          "Change in the contribution to D ({variable})"),
                    breaks=style.D_CHANGE_BREAKS, palette=style.CHANGE_COLORS, decimals=3,
                    diverging=True, short=Label("verandering in D", "change in D"),
                    note=Label("Per buurt: haar bijdrage aan D na min voor; oranje = "
                               "minder segregatie. Alle buurten samen: D {d_before} → "
                               "{d_after}.",
                               "Per neighbourhood: its contribution to D after minus before; "
                               "orange = less segregation. All neighbourhoods together: "
                               "D {d_before} → {d_after}.")),
    LayerSpec("vitality", "vitality", "screening", "local",
              Label("Vitaliteitsscan", "Vitality screening"),
              Label("Vitaliteit: leefbaarheid x organiserend vermogen x veerkracht",
                    "Vitality: liveability x organising capacity x resilience"),
              categories=style.VITALITY_CATEGORIES,
              tooltip=(("vitality_score", Label("score", "score"), 0),),
              note=Label("Elk 1 (goed) tot 3 (zorgelijk); vanaf 9 punten wordt een buurt nader "
                         "bekeken. Cluster: LISA hoog-hoog sociale huur, {significance}",
                         "Each 1 (good) to 3 (worrying); from 9 points a neighbourhood gets a "
                         "closer look. Cluster: LISA high-high social housing, "
                         "{significance}")),
    LayerSpec("d", "indices", "value", "indicators",
              Label("D {variable}", "D {variable}"),
              Label("{index} ({variable})", "{index} ({variable})"),
              breaks=style.D_BREAKS, palette=style.D_COLORS, decimals=2),
)}


def layer_spec(key: str) -> LayerSpec:
    """The spec called ``key``; an error lists the valid keys."""
    try:
        return LAYERS[key]
    except KeyError:
        raise ValueError(f"unknown map layer {key!r}; valid: {sorted(LAYERS)}") from None


@dataclass
class Layer:
    """A built layer: one class code and one tooltip text per unit drawn."""

    id: str
    key: str
    group: str
    title: str
    colors: list[str]
    legend_title: str
    legend_labels: list[str]
    classes: np.ndarray
    texts: list[str]
    note: str = ""
    details: list[str] = field(default_factory=list)
    short: str = ""
    subgroup: str = ""

    def legend(self, language: str, unknown: str | None = None) -> list[tuple[str, str]]:
        """(colour, label) rows: the classes, then unknown and empty when a unit has them."""
        text = style.words(language)
        items = list(zip(self.colors, self.legend_labels, strict=True))
        if (self.classes == UNKNOWN).any():
            items.append((style.UNKNOWN_COLOR, unknown or text["unknown"]))
        if (self.classes == EMPTY).any():
            items.append((style.EMPTY_COLOR, text["empty_legend"]))
        return items

    def config(self, language: str, unknown: str | None = None) -> dict:
        """The layer as ``mixing-map.js`` reads it (classes and texts go per feature)."""
        return {"id": self.id, "group": self.group, "title": self.title,
                "short": self.short or self.title, "subgroup": self.subgroup,
                "colors": list(self.colors),
                "legend": {"heading": self.subgroup, "title": self.legend_title,
                           "items": [list(i) for i in self.legend(language, unknown)],
                           "note": self.note, "details": list(self.details)}}


# --------------------------------------------------------------------------- helpers


def dimension_label(variable: str, language: str, kind: str = "group_noun") -> str:
    """A dimension's label (``title``, ``group_noun``, ``total_noun``, ``legend``), or the
    variable's own name when it is not a dimension."""
    dim = DIMENSIONS.get(str(variable))
    return getattr(dim, kind)(language) if dim is not None else str(variable)


def empty_units(units: pd.DataFrame, language: str = "nl") -> tuple[np.ndarray, list[str]]:
    """Which units are water or have no residents (``is_water``, ``is_uninhabited``), and the
    word shown for them."""
    text = style.words(language)

    def flag(column):
        if column not in units:
            return np.zeros(len(units), bool)
        return units[column].fillna(False).to_numpy(bool)

    water, empty = flag("is_water"), flag("is_uninhabited")
    said = [text["water"] if w else (text["empty"] if e else "")
            for w, e in zip(water, empty, strict=True)]
    return water | empty, said


def _total(units: pd.DataFrame, variable: str) -> np.ndarray:
    dim = DIMENSIONS.get(str(variable))
    if dim is None or dim.total not in units:
        return np.full(len(units), np.nan)
    return units[dim.total].to_numpy(float)


def _percent_share(units: pd.DataFrame, variable: str) -> np.ndarray:
    dim = DIMENSIONS[variable]
    if dim.group not in units or dim.total not in units:
        return np.full(len(units), np.nan)
    return 100 * dimension_share(units, variable)


@dataclass
class MapTables:
    """The finished tables a map shows, aligned on the units drawn (``units``)."""

    units: pd.DataFrame
    language: str = "nl"
    local: pd.DataFrame | None = None
    local_indices: pd.DataFrame | None = None
    indices: pd.DataFrame | None = None
    scenario_units: Mapping[str, pd.DataFrame] | None = None
    scenario_table: pd.DataFrame | None = None
    scenario_changes: pd.DataFrame | None = None
    alpha: float = 0.05
    level: str = "buurt"
    vitality: pd.DataFrame | None = None

    def __post_init__(self):
        """Check the language; note the codes and the empty units once."""
        style.check_language(self.language)
        self.codes = self.units["unit_code"].astype(str).to_numpy()
        self.empty, self.said = empty_units(self.units, self.language)

    def local_rows(self, variable: str) -> pd.DataFrame:
        """local.csv rows of ``variable`` in the order of the units; all-NaN rows for units
        the table does not have."""
        rows = self.local[self.local["variable"].astype(str) == str(variable)]
        rows = rows.drop_duplicates("unit_code")
        return rows.set_index(rows["unit_code"].astype(str)).reindex(self.codes)

    def local_variables(self) -> list[str]:
        """The variables of local.csv, in table order."""
        if self.local is None or self.local.empty:
            return []
        return [str(v) for v in pd.unique(self.local["variable"])]


def headline_d(indices, level: str, dimension: str) -> pd.Series | None:
    """The index-table row of D for one dimension at ``level``, or None without a value."""
    if indices is None or indices.empty:
        return None
    rows = indices[(indices["dimension"] == dimension) & (indices["index"] == "dissimilarity")
                   & (indices["level"] == level)]
    if rows.empty or not np.isfinite(rows["value"].iat[0]):
        return None
    return rows.iloc[0]


# --------------------------------------------------------------------------- building


def _labels_for(spec: LayerSpec, variable: str, language: str, **more) -> dict:
    dim = DIMENSIONS.get(variable)
    noun = dimension_label(variable, language)
    fields = {"variable": noun, "Variable": noun[:1].upper() + noun[1:],
              "title": dim.title(language) if dim else variable,
              "legend": dim.legend(language) if dim else variable,
              "total": dim.total_noun(language) if dim else ""}
    return fields | more


def _numeric(spec, layer_id, variable, values, unknown_text, t: MapTables, *,
             empty=None, texts=None, labels=None, **fields) -> Layer:
    language = t.language
    breaks = spec.breaks if spec.breaks is not None else style.SHARE_BREAKS[variable]
    palette = spec.palette if spec.palette is not None else style.PALETTES[variable]
    empty = t.empty if empty is None else empty
    classes = style.classify(values, breaks)
    classes = np.where(empty & ~np.isfinite(values), EMPTY, classes)
    unit = spec.unit(language) if spec.unit else ""
    if texts is None:
        texts = [_value_text(v, spec.decimals, unit, language) if np.isfinite(v)
                 else (t.said[i] or style.words(language)["empty"]) if classes[i] == EMPTY
                 else unknown_text(i) for i, v in enumerate(values)]
    if labels is None:
        if spec.diverging:
            labels = style.change_labels(
                breaks, language, lambda v: style.signed(v, language, _decimals(breaks)),
                f" {unit}" if unit else "")
        else:
            fmt_unit = " %" if unit == "%" else ""
            labels = style.range_labels(
                breaks, language, lambda v: style.number(v, _decimals(breaks), language),
                fmt_unit)
    f = _labels_for(spec, variable, language, **fields)
    return Layer(id=layer_id, key=spec.key, group=spec.group,
                 title=spec.title(language).format(**f), colors=list(palette),
                 legend_title=spec.legend_title(language).format(**f), legend_labels=labels,
                 classes=classes, texts=texts,
                 note=spec.note(language).format(**f) if spec.note else "",
                 short=spec.short(language).format(**f) if spec.short else "",
                 subgroup=f.get("scenario", ""))


def _decimals(breaks) -> int:
    """Fewest decimals that write every break exactly (0.005 -> 3)."""
    for decimals in range(6):
        if all(abs(round(b, decimals) - b) < 1e-12 for b in breaks):
            return decimals
    return 6


def _value_text(value: float, decimals: int, unit: str, language: str) -> str:
    if unit == "%":
        return style.percent(value, language, decimals)
    return style.number(value, decimals, language) + (f" {unit}" if unit else "")


def _categorical(spec, layer_id, variable, rows: pd.DataFrame, unknown_text, t: MapTables,
                 empty: np.ndarray, **fields) -> Layer:
    language = t.language
    values = rows[spec.column].astype(object).where(rows[spec.column].notna(), None)
    values = values.to_numpy(object)
    known = np.array([v in {c.value for c in spec.categories} for v in values])
    if spec.significance is not None:
        significant = rows[spec.significance].astype("boolean").fillna(False).to_numpy(bool)
        # a known but not significant value, or a quadrant without neighbours ("isolated"),
        # is "ns"; a unit without a value ("unknown", hidden by CBS) stays unknown
        values = np.where(known & significant, values,
                          np.where(known | (values == "isolated"), "ns", values))
    classes = style.categorise(values, spec.categories)
    classes = np.where(empty & (classes == UNKNOWN), EMPTY, classes)
    extras = [(rows[c].to_numpy(float) if c in rows else np.full(len(rows), np.nan), label, d)
              for c, label, d in spec.tooltip]
    texts = []
    for i, k in enumerate(classes):
        if k == EMPTY:
            texts.append(t.said[i] or style.words(language)["empty"])
        elif k == UNKNOWN:
            texts.append(unknown_text(i))
        else:
            shown = [f"{label(language)} = {style.number(v[i], d, language)}"
                     for v, label, d in extras if np.isfinite(v[i])]
            texts.append(spec.categories[k].label(language)
                         + (f" ({'; '.join(shown)})" if shown else ""))
    f = _labels_for(spec, variable, language, **fields)
    return Layer(id=layer_id, key=spec.key, group=spec.group,
                 title=spec.title(language).format(**f),
                 colors=[c.color for c in spec.categories],
                 legend_title=spec.legend_title(language).format(**f),
                 legend_labels=[c.label(language) for c in spec.categories],
                 classes=classes, texts=texts,
                 note=spec.note(language).format(**f) if spec.note else "")


def _share_texts(values, group, total, noun, t: MapTables) -> list[str]:
    text = style.words(t.language)
    out = []
    for i, (s, g, n) in enumerate(zip(values, group, total, strict=True)):
        if np.isfinite(s):
            out.append(f"{style.percent(s, t.language)} ({style.number(g, 0, t.language)} "
                       f"{text['of']} {style.number(n, 0, t.language)} {noun})")
        elif t.empty[i] or (np.isfinite(n) and n == 0):
            out.append(t.said[i] or text["empty"])
        else:
            out.append(text["unknown"])
    return out


def _build_units(spec: LayerSpec, t: MapTables) -> list[Layer]:
    layers = []
    for name, dim in DIMENSIONS.items():
        if name not in style.PALETTES or (spec.variables and name not in spec.variables):
            continue
        values = _percent_share(t.units, name)
        if not np.isfinite(values).any():
            continue
        total = _total(t.units, name)
        group = t.units[dim.group].to_numpy(float)
        texts = _share_texts(values, group, total, dim.total_noun(t.language), t)
        layers.append(_numeric(spec, f"{spec.key}-{name}", name, values, None, t,
                               empty=t.empty | (total == 0), texts=texts))
    return layers


def _build_local(spec: LayerSpec, t: MapTables) -> list[Layer]:
    if t.local is None or spec.column not in t.local:
        return []
    text = style.words(t.language)
    layers = []
    for variable in t.local_variables():
        if spec.variables and variable not in spec.variables:
            continue
        rows = t.local_rows(variable)
        if not rows[spec.column].notna().any():
            continue
        absent = rows["variable"].isna().to_numpy()

        def unknown_text(i, _absent=absent):
            return text["no_result"] if _absent[i] else text["unknown"]

        layer_id = f"{spec.key}-{variable}"
        significance = SIGNIFICANCE(t.language).format(
            alpha=style.number(t.alpha, 2, t.language))
        empty = t.empty | (_total(t.units, variable) == 0)
        if spec.categories:
            layers.append(_categorical(spec, layer_id, variable, rows, unknown_text, t,
                                       empty, significance=significance))
        else:
            row = headline_d(t.indices, t.level, variable)
            d = None if row is None else float(row["value"])
            total_d = "" if d is None else f" = {style.number(d, 2, t.language)}"
            layers.append(_numeric(spec, layer_id, variable, rows[spec.column].to_numpy(float),
                                   unknown_text, t, empty=empty, total_d=total_d))
    return layers


def scenario_titles(table: pd.DataFrame | None, language: str) -> dict[str, str]:
    """``{scenario: title}`` from the scenario table's ``title_<language>`` column."""
    column = f"title_{language}"
    if table is None or table.empty or column not in table:
        return {}
    rows = table.drop_duplicates("scenario")
    return dict(zip(rows["scenario"].astype(str), rows[column].astype(str), strict=True))


def _changes_of(t: MapTables, name: str) -> pd.DataFrame | None:
    """The per-buurt rows of one scenario (scenario_changes.csv), aligned on the units."""
    if t.scenario_changes is None or t.scenario_changes.empty:
        return None
    rows = t.scenario_changes[t.scenario_changes["scenario"].astype(str) == str(name)]
    if rows.empty:
        return None
    return rows.set_index(rows["unit_code"].astype(str)).reindex(t.codes)


def _build_scenarios(spec: LayerSpec, t: MapTables) -> list[Layer]:
    """Scenario layers: the share after from the units after, the change in share and in
    each buurt's contribution to D from scenario_changes.csv, D before and after and the
    costs from scenarios.csv. Without the per-buurt table the change layers are skipped."""
    if not t.scenario_units:
        return []
    text = style.words(t.language)
    titles = scenario_titles(t.scenario_table, t.language)
    layers = []
    for k, (name, after) in enumerate(t.scenario_units.items()):
        if "unit_code" not in after:
            raise ValueError(f"scenario {name!r}: the units-after table has no unit_code column")
        after = after.set_index(after["unit_code"].astype(str)).reindex(t.codes)
        changes = _changes_of(t, name)
        if spec.column != "share" and changes is None:
            continue
        title = titles.get(str(name), str(name))
        for variable in spec.variables or tuple(DIMENSIONS):
            dim = DIMENSIONS[variable]
            total = _total(after, variable)
            empty = t.empty | (total == 0)
            layer_id = f"{spec.key}-{k}" + ("" if spec.variables else f"-{variable}")

            def unknown_text(i):
                return text["unknown"]

            if spec.column == "share":
                after_share = _percent_share(after, variable)
                texts = _share_texts(after_share, after[dim.group].to_numpy(float), total,
                                     dim.total_noun(t.language), t)
                layer = _numeric(spec, layer_id, variable, after_share, unknown_text, t,
                                 empty=empty, texts=texts, scenario=title)
            elif f"share_{variable}_change" not in changes:
                continue
            elif spec.column == "share_change":
                change, before_share, after_share = (
                    100 * changes[f"share_{variable}_{when}"].to_numpy(float)
                    for when in ("change", "before", "after"))
                texts = [f"{style.signed(c, t.language, 1)} {text['pp']} "
                         f"({style.percent(b, t.language)} → {style.percent(a, t.language)})"
                         if np.isfinite(c) else (t.said[i] or text["empty"]) if empty[i]
                         and not np.isfinite(c) else text["unknown"]
                         for i, (c, b, a) in enumerate(zip(change, before_share, after_share,
                                                           strict=True))]
                layer = _numeric(spec, layer_id, variable, change, unknown_text, t,
                                 empty=empty, texts=texts, scenario=title)
            else:  # change of each unit's contribution to D, from scenario_changes.csv
                before_c, after_c, change = (
                    changes[f"d_contribution_{variable}_{when}"].to_numpy(float)
                    for when in ("before", "after", "change"))
                row = _d_row(t.scenario_table, name, variable)
                fields = {"d_before": _cell_text(row, "baseline", t.language),
                          "d_after": _cell_text(row, "scenario_value", t.language)}
                layer = _numeric(spec, layer_id, variable, change, unknown_text, t,
                                 empty=empty, scenario=title, **fields)
                layer.texts = [
                    f"{style.signed(c, t.language, 4)} ({style.number(b, 4, t.language)} → "
                    f"{style.number(a, 4, t.language)})" if np.isfinite(c) else layer.texts[i]
                    for i, (c, b, a) in enumerate(zip(change, before_c, after_c, strict=True))]
            layer.details = scenario_costs(name, t.scenario_table, variable, t.language)
            layers.append(layer)
    return layers


def _d_row(table: pd.DataFrame | None, name: str, variable: str) -> pd.Series | None:
    if table is None or table.empty:
        return None
    rows = table[(table["scenario"].astype(str) == str(name)) & (table["dimension"] == variable)
                 & (table["index"] == "dissimilarity")]
    return None if rows.empty else rows.iloc[0]


def _cell_text(row: pd.Series | None, column: str, language: str) -> str:
    if row is None or pd.isna(row.get(column)):
        return "–"
    return style.number(float(row[column]), 3, language)


def _build_indices(spec: LayerSpec, t: MapTables) -> list[Layer]:
    """One value per unit (municipality) from the index table: D of each dimension."""
    if t.indices is None or t.indices.empty:
        return []
    layers = []
    text = style.words(t.language)
    rows = t.indices[(t.indices["index"] == "dissimilarity") & (t.indices["level"] == t.level)]
    for variable in DIMENSIONS:
        part = rows[rows["dimension"] == variable]
        if part.empty:
            continue
        values = (part.drop_duplicates("municipality_code")
                  .set_index("municipality_code")["value"].reindex(t.codes).to_numpy(float))
        texts = [style.number(v, spec.decimals, t.language) if np.isfinite(v) else "–"
                 for v in values]
        layers.append(_numeric(spec, f"{spec.key}-{variable}", variable, values,
                               lambda i: text["not_computed"], t,
                               empty=np.zeros(len(values), bool), texts=texts,
                               index=catalogue.index("dissimilarity").label(t.language)))
    return layers


def _build_vitality(spec: LayerSpec, t: MapTables) -> list[Layer]:
    """The screening per buurt, as vitality.csv says it: closer look, inside an HH cluster."""
    if t.vitality is None or t.vitality.empty:
        return []
    rows = t.vitality.drop_duplicates("unit_code")
    rows = rows.set_index(rows["unit_code"].astype(str)).reindex(t.codes)
    closer = rows["closer_look"].astype("boolean")
    both = rows["closer_look_and_hh"].astype("boolean").fillna(False)
    rows["screening"] = np.where(closer.isna(), None, np.where(
        both, "closer_look_and_hh", np.where(closer.fillna(False), "closer_look", "fine")))
    text = style.words(t.language)
    significance = SIGNIFICANCE(t.language).format(alpha=style.number(t.alpha, 2, t.language))
    return [_categorical(spec, spec.key, "social_housing", rows, lambda i: text["unknown"], t,
                         t.empty, significance=significance)]


_BUILDERS = {"units": _build_units, "local": _build_local, "scenario_units": _build_scenarios,
             "indices": _build_indices, "vitality": _build_vitality}


def build(spec: LayerSpec | str, tables: MapTables) -> list[Layer]:
    """The layers of one spec (one per variable or scenario) that the tables can fill."""
    spec = layer_spec(spec) if isinstance(spec, str) else spec
    if spec.source not in _BUILDERS:
        raise ValueError(f"layer {spec.key!r}: no builder for source {spec.source!r}; "
                         f"valid: {sorted(_BUILDERS)}")
    return _BUILDERS[spec.source](spec, tables)


#: The municipality map's layers, in the order of the layer control.
MAP_LAYERS = ("share", "concentration", "contribution", "lisa", "gi", "vitality",
              "scenario_share", "scenario_change", "scenario_d")


def build_all(tables: MapTables, keys=MAP_LAYERS) -> list[Layer]:
    """Every layer of ``keys`` the tables can fill; shares then the concentration of social
    housing right after the social-housing share."""
    built = {key: build(key, tables) for key in keys}
    out = []
    for key in keys:
        if key == "concentration":
            continue
        for layer in built[key]:
            out.append(layer)
            if layer.id == "share-social_housing":
                out += built.get("concentration", [])
    if "share" not in keys:
        out = built.get("concentration", []) + out
    return out


# --------------------------------------------------------------------------- scenarios

_COSTS = (
    ("households_displaced", Label("huishoudens moeten verhuizen", "households must move")),
    ("dwellings_converted", Label("woningen verkocht of omgezet", "dwellings sold or converted")),
    ("dwellings_demolished", Label("woningen gesloopt", "dwellings demolished")),
    ("dwellings_built", Label("woningen gebouwd", "dwellings built")),
)


def scenario_costs(name: str, table: pd.DataFrame | None, variable: str = "social_housing",
                   language: str = "nl") -> list[str]:
    """Legend lines of a scenario from scenarios.csv: what it costs (households that must
    move, dwellings sold, demolished, built, years needed) and D before and after."""
    if table is None or table.empty:
        return []
    rows = table[table["scenario"].astype(str) == str(name)]
    if rows.empty:
        return []
    chosen = rows[(rows["dimension"] == variable) & (rows["index"] == "dissimilarity")]
    row = (chosen if not chosen.empty else rows).iloc[0]
    # households that must move always (0 is an answer); a stock change only when it happens
    lines = [f"{style.number(float(row[c]), 0, language)} {label(language)}"
             for c, label in _COSTS if c in row and pd.notna(row[c])
             and (c == "households_displaced" or float(row[c]) != 0)]
    years = row.get("years_needed", np.nan)
    if pd.notna(years) and float(years) > 0:
        lines.append(("{} jaar nodig" if language == "nl" else "{} years needed").format(
            style.number(float(years), 1, language)))
    if not chosen.empty and pd.notna(row.get("baseline")) and pd.notna(row.get("change")):
        lines.append(f"D {dimension_label(variable, language)}: "
                     f"{style.number(float(row['baseline']), 3, language)} → "
                     f"{style.number(float(row['scenario_value']), 3, language)} "
                     f"({style.signed(float(row['change']), language, 3)})")
    return lines
