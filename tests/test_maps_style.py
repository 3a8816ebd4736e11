"""The shared style (mixing.viz.style) and the layer registry (mixing.viz.layers)."""

import ast
from pathlib import Path

import numpy as np
import pytest

from mixing.viz import style
from mixing.viz.layers import LAYERS, MapTables, build, layer_spec

SRC = Path(__file__).resolve().parents[1] / "src" / "mixing"


@pytest.mark.parametrize(("value", "decimals", "language", "text"), [
    (1234.5, 1, "nl", "1.234,5"), (1234.5, 1, "en", "1,234.5"), (-0.034, 3, "nl", "−0,034"),
    (-0.0004, 3, "nl", "0,000"), (1_000_000, 0, "nl", "1.000.000"), (0.5, 2, "nl", "0,50"),
])
def test_numbers_are_written_the_dutch_way(value, decimals, language, text):
    assert style.number(value, decimals, language) == text


def test_percent_signed_and_range_labels():
    assert style.percent(12.4) == "12 %" and style.percent(12.45, "en", 1) == "12.4 %"
    assert [style.signed(v) for v in (3.2, -3.2, 0.2)] == ["+3", "−3", "0"]
    assert style.range_labels((10, 20), unit=" %") == ["0 tot 10 %", "10 tot 20 %",
                                                        "20 % of meer"]
    assert style.range_labels((10, 20), "en", unit=" %")[-1] == "20 % or more"
    assert style.change_labels((-5, -1, 1, 5), unit=" procentpunt") == [
        "−5 procentpunt of minder", "−5 tot −1", "−1 tot +1 (vrijwel gelijk)", "+1 tot +5",
        "+5 procentpunt of meer"]


def test_classes_and_categories():
    # a value on a break belongs to the class above it; NaN is unknown
    assert style.classify(np.array([0, 10, 9.99, 80, np.nan]), (10, 20, 80)).tolist() == [
        0, 1, 0, 3, style.UNKNOWN]
    assert style.categorise(["hot", "cold", "unknown", None, "ns"],
                            style.HOTSPOT_CATEGORIES).tolist() == [0, 2, -1, -1, 1]
    assert style.colours(np.array([0, -1, -2]), ("#000000",)) == [
        "#000000", style.UNKNOWN_COLOR, style.EMPTY_COLOR]


def test_concentration_categories_are_the_kernel_classes():
    from mixing.kernels.concentration import class_labels

    assert [c.value for c in style.CONCENTRATION_CATEGORIES] == class_labels()[:-1]


def test_every_palette_has_a_colour_per_class():
    for name, breaks in style.SHARE_BREAKS.items():
        assert len(style.PALETTES[name]) == len(breaks) + 1
    for spec in LAYERS.values():
        if spec.breaks is not None:
            assert len(spec.palette) == len(spec.breaks) + 1, spec.key


def test_unknown_layer_names_the_valid_ones():
    with pytest.raises(ValueError, match=r"unknown map layer 'hotspots'; valid: \['concentra"):
        layer_spec("hotspots")


def test_a_layer_reads_its_column_as_is():
    import pandas as pd

    units = pd.DataFrame({"unit_code": ["A", "B", "C", "D"], "unit_name": "x",
                          "dwellings": [10.0, 10, 10, 0], "dwellings_social": [1.0, 2, 3, 0],
                          "is_water": [False, False, False, True]})
    local = pd.DataFrame({"unit_code": ["A", "B", "C", "D"], "variable": "social_housing",
                          "hotspot": ["hot", "cold", "unknown", "unknown"],
                          "gi_z": [3.1, -2.5, np.nan, np.nan]})
    (gi,) = build("gi", MapTables(units, local=local))
    assert gi.classes.tolist() == [0, 2, style.UNKNOWN, style.EMPTY]
    assert gi.texts == ["hotspot (z = 3,10)", "coldspot (z = −2,50)",
                        "onbekend (geheim of niet gepubliceerd door CBS)", "water"]


def test_no_module_imports_private_names_of_another_viz_module():
    private = []
    for path in (SRC / "viz").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("mixing"):
                private += [(path.name, a.name) for a in node.names
                            if a.name.startswith("_") and not a.name.startswith("__")]
    assert private == []
