"""Static figures: Dutch number formats, municipality names, the maps' colours, and no
change to the user's matplotlib backend."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from mixing.io.demo import make_demo_city
from mixing.viz import style
from mixing.viz.figures import lisa_figure, scenario_effects_figure, share_figure
from mixing.viz.layers import MapTables, build

SCENARIOS = pd.DataFrame({
    "municipality_code": ["GM0518", "GM0518", "GM0363"],
    "scenario": ["verkoop", "sloop", "verkoop"],
    "dimension": "social_housing", "index": "dissimilarity",
    "change": [-0.0125, -0.034, -0.02], "households_displaced": [0, 6931, 1500],
})


def _texts(fig) -> list[str]:
    fig.canvas.draw()
    ax = fig.axes[0]
    return ([t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels()]
            + [t.get_text() for t in ax.get_legend().get_texts()] if ax.get_legend() else [])


def test_importing_mixing_leaves_the_matplotlib_backend_alone():
    code = ("import matplotlib; matplotlib.use('svg'); import mixing.viz.figures, "
            "mixing.viz.maps, mixing.viz.overview; print(matplotlib.get_backend())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "svg"


def test_scenario_chart_has_dutch_numbers_and_municipality_names():
    fig = scenario_effects_figure(SCENARIOS, names={"GM0518": "'s-Gravenhage",
                                                    "GM0363": "Amsterdam"})
    texts = _texts(fig)
    assert "'s-Gravenhage" in texts and "Amsterdam" in texts
    assert not any("GM0" in t for t in texts)
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert "6.000" in ticks  # thousands separator is a dot
    yticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert "−0,030" in yticks or "−0,020" in yticks  # decimal comma, minus sign
    assert fig.axes[0].get_xlabel() == "Huishoudens die moeten verhuizen"


def test_scenario_chart_takes_names_and_short_titles_from_the_table():
    table = SCENARIOS.assign(municipality_name=SCENARIOS["municipality_code"].map(
        {"GM0518": "'s-Gravenhage", "GM0363": "Amsterdam"}),
        short_nl=SCENARIOS["scenario"].map({"sloop": "Sloop en nieuwbouw"}))
    fig = scenario_effects_figure(table)
    fig.canvas.draw()
    notes = [t.get_text().replace("\n", " ") for t in fig.axes[0].texts]
    assert "Sloop en nieuwbouw" in notes  # the table's short title, not the id
    assert "verkoop" in notes
    assert {t.get_text() for t in fig.axes[0].get_legend().get_texts()} == {
        "'s-Gravenhage", "Amsterdam"}


def test_share_figure_uses_the_map_layer_colours():
    units = make_demo_city()
    fig = share_figure(units)
    drawn = fig.axes[0].collections[0].get_facecolor()
    layer = build("share", MapTables(units.reset_index(drop=True)))[0]
    expected = style.colours(layer.classes, layer.colors)
    from matplotlib.colors import to_rgba

    assert np.allclose(drawn, [to_rgba(c) for c in expected])
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels[:2] == ["0 tot 10 %", "10 tot 20 %"]


def test_lisa_figure_legend_names_the_significance_rule(seed):
    from mixing.tables.clusters import autocorrelation_tables

    units = make_demo_city()
    local = autocorrelation_tables(units, permutations=99, seed=seed)[1]
    fig = lisa_figure(units, local)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels[:5] == ["hoog omringd door hoog", "laag omringd door hoog",
                          "laag omringd door laag", "hoog omringd door laag",
                          "niet significant"]
    drawn = fig.axes[0].collections[0].get_facecolor()
    rows = local[local["variable"] == "social_housing"].set_index("unit_code").reindex(
        units["unit_code"])
    hh = ((rows["quadrant"] == "HH") & rows["significant_fdr"].fillna(False)).to_numpy(bool)
    from matplotlib.colors import to_rgba

    red = np.array(to_rgba(style.LISA_CATEGORIES[0].color))
    assert (np.abs(drawn - red).max(axis=1) < 1e-9).sum() == hh.sum()


def test_scenario_chart_refuses_a_table_without_its_columns():
    with pytest.raises(ValueError, match=r"scenarios lacks the columns \['change'\]"):
        scenario_effects_figure(SCENARIOS.drop(columns="change"))
