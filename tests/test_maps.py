"""Maps: title, legends, layers, tooltips texts, escaping and offline assets, in the HTML.

The browser tests (rendering, console, hover) are in test_maps_browser.py.
"""

import re

import numpy as np
import pandas as pd
import pytest
import shapely
from conftest import page_data

from mixing.schema import empty_units
from mixing.viz.maps import inline_assets, municipality_map
from mixing.viz.page import script_json


def _units(names=("Oud-Noord", "Nieuw-Zuid", "Haven"), social=(600.0, 50.0, np.nan),
           code="GM0001"):
    n = len(names)
    units = empty_units().reindex(range(n))
    units["unit_code"] = [f"BU0001000{i}" for i in range(n)]
    units["unit_name"] = list(names)
    units["level"] = "buurt"
    units["municipality_code"] = code
    units["municipality_name"] = "Teststad"
    units["wijk_code"] = "WK000100"
    units["year"] = 2019
    units["dwellings"] = 1000.0
    units["dwellings_social"] = list(social)
    units["households"] = 900.0
    units["households_low_income"] = 90.0
    units["is_uninhabited"] = False
    units["is_water"] = False
    return units.set_geometry(
        [shapely.box(150000 + i * 500, 460000, 150500 + i * 500, 460500) for i in range(n)],
        crs="EPSG:28992",
    )


INDICES = pd.DataFrame({
    "municipality_code": ["GM0001"], "year": [2019], "level": ["buurt"],
    "dimension": ["social_housing"], "index": ["dissimilarity"], "value": [0.4321],
    "n_units": [2],
})

LOCAL = pd.DataFrame({
    "unit_code": ["BU00010000", "BU00010001", "BU00010002"],
    "variable": "social_housing",
    "value": [0.6, 0.05, np.nan],
    "lag": [0.3, 0.3, np.nan],
    "quadrant": ["HH", "LL", None],
    "p_value": [0.01, 0.2, np.nan],
    "significant": [True, False, False],
    "significant_fdr": [True, False, False],
    "gi_z": [3.0, -1.7, np.nan],
    "gi_p_value": [0.001, 0.04, np.nan],
    "hotspot": ["hot", "ns", "unknown"],
    "concentration_class": [">=50%", "<50%", "unknown"],
    "location_quotient": [1.8, 0.15, np.nan],
    "d_contribution": [0.012, 0.004, np.nan],
})


def _config(page: str) -> dict:
    """The JSON handed to mixingMap(map, config) in the page."""
    assert re.search(r"mixingMap\(map_\w+, JSON\.parse\(", page), "no call of mixingMap"
    return page_data(page)


def test_dutch_map_has_title_legend_and_tooltip_texts():
    page = municipality_map(_units(), INDICES)
    assert "Teststad, 2019" in page and "Gemengd wonen per buurt" in page
    assert "Segregatie-index D" in page and "<b>0,43</b>" in page  # Dutch decimal comma
    assert "Bron: CBS, CC BY 4.0" in page
    config = _config(page)
    social = next(layer for layer in config["layers"] if layer["id"] == "share-social_housing")
    assert social["legend"]["title"] == "Sociale huur: % woningen van corporaties"
    assert [item[1] for item in social["legend"]["items"]][:2] == ["0 tot 10 %", "10 tot 20 %"]
    assert social["legend"]["items"][-1][1] == "onbekend (geheim of niet gepubliceerd door CBS)"
    i = config["layers"].index(social)
    texts = [f["properties"]["t"][i] for f in config["data"]["features"]]
    assert texts == ["60 % (600 van 1.000 woningen)", "5 % (50 van 1.000 woningen)",
                     "onbekend (geheim of niet gepubliceerd door CBS)"]
    classes = [f["properties"]["k"][i] for f in config["data"]["features"]]
    assert classes == [6, 0, -1]  # 60 % is in class 60-70, NaN is unknown
    assert "synthetische" not in page


def test_confidence_intervals_in_the_title_when_present():
    indices = INDICES.assign(ci_low=0.40, ci_high=0.47)
    page = municipality_map(_units(), indices)
    assert "<b>0,43</b> <span class='mx-ci'" in page and "(0,40–0,47)" in page
    assert "95 %-betrouwbaarheidsinterval" in page
    assert "(0,40–0,47)" not in municipality_map(_units(), INDICES)


def test_demo_municipality_is_marked_synthetic():
    page = municipality_map(_units(code="DEMO01"), INDICES.assign(municipality_code="DEMO01"))
    assert "Let op: synthetische demogemeente, geen echte CBS-gegevens." in page
    assert "Bron: CBS" not in page  # synthetic numbers never carry the CBS source line


def test_layers_from_local_table_and_scenarios():
    after = _units(social=(300.0, 50.0, np.nan))
    from mixing.scenarios import scenario_changes

    changes = scenario_changes(_units(), {"Verkoop <b>": after})
    page = municipality_map(_units(), INDICES, local=LOCAL, scenarios={"Verkoop <b>": after},
                            scenario_changes=changes)
    config = _config(page)
    titles = {layer["id"]: layer["title"] for layer in config["layers"]}
    assert titles["share-social_housing"] == "Sociale huur"
    assert titles["share-low_income"] == "Lage inkomens"
    assert titles["concentration-social_housing"] == "Concentratie sociale huur"
    assert titles["contribution-social_housing"] == "Bijdrage aan D: sociale huur"
    assert titles["lisa-social_housing"] == "LISA-clusters: sociale huur"
    assert titles["gi-social_housing"] == "Hot- en coldspots (Gi*): sociale huur"
    assert titles["scenario_share-0"] == "Verkoop <b>: sociale huur na"  # escaped in JS
    groups = {layer["id"]: layer["group"] for layer in config["layers"]}
    assert groups["lisa-social_housing"] == "local" and groups["scenario_change-0"] == "scenarios"

    def column(layer_id, key="t"):
        i = [layer["id"] for layer in config["layers"]].index(layer_id)
        return [f["properties"][key][i] for f in config["data"]["features"]]

    # LISA: the quadrant where significant after FDR; hidden data is unknown, never "ns"
    assert column("lisa-social_housing") == [
        "hoog omringd door hoog (p = 0,010)", "niet significant (p = 0,200)",
        "onbekend (geheim of niet gepubliceerd door CBS)"]
    assert column("lisa-social_housing", "k") == [0, 4, -1]
    lisa = next(layer for layer in config["layers"] if layer["id"] == "lisa-social_housing")
    assert [item[1] for item in lisa["legend"]["items"]][:5] == [
        "hoog omringd door hoog", "laag omringd door hoog", "laag omringd door laag",
        "hoog omringd door laag", "niet significant"]
    # Gi*: local.csv's hotspot column as is (z = -1.7 is no coldspot after FDR)
    assert column("gi-social_housing", "k") == [0, 1, -1]
    assert column("gi-social_housing")[0] == "hotspot (z = 3,00; p = 0,001)"
    assert "FDR" in next(layer for layer in config["layers"]
                         if layer["id"] == "gi-social_housing")["legend"]["note"]
    assert column("concentration-social_housing", "k") == [1, 0, -1]
    assert column("scenario_change-0") == [
        "−30,0 procentpunt (60 % → 30 %)", "0,0 procentpunt (5 % → 5 %)",
        "onbekend (geheim of niet gepubliceerd door CBS)"]
    assert "Verkoop <b>" not in page  # the JSON escapes < and >


def test_layers_are_skipped_without_their_tables():
    ids = [layer["id"] for layer in _config(municipality_map(_units(), INDICES))["layers"]]
    assert ids == ["share-social_housing", "share-low_income"]
    no_gi = municipality_map(_units(), INDICES, local=LOCAL.drop(columns=["hotspot",
                                                                          "d_contribution"]))
    ids = [layer["id"] for layer in _config(no_gi)["layers"]]
    assert "lisa-social_housing" in ids and not any(i.startswith(("gi-", "contribution-"))
                                                    for i in ids)


def test_uninhabited_and_water_units_are_not_unknown():
    units = _units()
    units.loc[2, ["is_uninhabited", "is_water", "dwellings", "households"]] = [True, True, 0, 0]
    units.loc[2, "dwellings_social"] = 0.0
    config = _config(municipality_map(units, INDICES))
    props = config["data"]["features"][2]["properties"]
    assert props["k"][0] == -2 and props["t"][0] == "water"
    assert config["layers"][0]["legend"]["items"][-1][1] == "water of geen bewoners"


def test_english_on_request():
    page = municipality_map(_units(), INDICES.assign(ci_low=0.4, ci_high=0.47),
                            local=LOCAL, language="en")
    assert "Teststad, 2019" in page and "Residential mixing per neighbourhood" in page
    assert "Source: CBS, CC BY 4.0" in page and "<b>0.43</b>" in page
    config = _config(page)
    lisa = next(layer for layer in config["layers"] if layer["id"] == "lisa-social_housing")
    assert lisa["legend"]["items"][0][1] == "high surrounded by high"
    assert config["data"]["features"][2]["properties"]["t"][0] == (
        "unknown (hidden or not published by CBS)")
    assert "Sociale huur" not in page and 'lang="en"' in page


def test_unknown_language_is_refused():
    with pytest.raises(ValueError, match=r"language must be one of \['nl', 'en'\], got 'fr'"):
        municipality_map(_units(), INDICES, language="fr")


def test_names_from_data_are_escaped():
    page = municipality_map(_units(names=("<script>alert(1)</script>", "B&B", "C")), INDICES)
    assert "<script>alert(1)</script>" not in page
    # JSON-encoded with < and > escaped; the script escapes it again before display
    assert r"\u003cscript\u003ealert(1)\u003c/script\u003e" in page
    assert _config(page)["data"]["features"][0]["properties"]["n"] == "<script>alert(1)</script>"


def test_script_json_cannot_close_the_script_element():
    assert script_json({"a": "</script><b>&"}) == (
        '{"a":"\\u003c/script\\u003e\\u003cb\\u003e\\u0026"}')


def test_page_has_no_external_scripts_or_stylesheets():
    page = municipality_map(_units(), INDICES)
    assert not re.search(r"<script[^>]+src=", page)
    assert "<link" not in page
    assert "cdn.jsdelivr" not in page and "jquery" not in page.lower()
    assert "Leaflet 1.9.4" in page or 'version="1.9.4"' in page
    assert "sourceMappingURL" not in page
    assert "url(images/" not in page  # leaflet.css images are data URIs


def test_inline_assets_refuses_unknown_external_resources():
    page = '<head><script src="https://example.org/lib.js"></script></head>'
    with pytest.raises(ValueError, match="external resource 'https://example.org/lib.js'"):
        inline_assets(page)


def test_amsterdam_2019_map_is_under_3_mb(cbs_dir):
    from mixing.io.cbs import read_units
    from mixing.tables.frames import index_table

    units = read_units(
        geometry=cbs_dir / "buurt_2019_nl_topojson/buurten.json",
        table=cbs_dir / "kwb_odata_denhaag_amsterdam_utrecht/data/ams_2019/"
        "marginal_distributions_84583NED.csv",
        year=2019,
    )
    assert len(units) == 479
    page = municipality_map(units, index_table(units))
    assert len(page.encode()) < 3_000_000
    config = _config(page)
    assert len(config["data"]["features"]) == 479
    coordinate = config["data"]["features"][0]["geometry"]["coordinates"]
    while isinstance(coordinate[0], list):
        coordinate = coordinate[0]
    assert all(len(str(c).split(".")[1]) <= 5 for c in coordinate)  # rounded to ~1 m


def test_a_municipality_without_any_boundary_gets_a_plain_page():
    """National 2024 data on 2019 boundaries: Amsterdam's recoded buurten have no geometry."""
    from mixing.viz.figures import lisa_figure, share_figure
    from mixing.viz.maps import municipality_map

    units = _units().set_geometry([None, None, None], crs="EPSG:28992")
    page = municipality_map(units, INDICES)
    assert "Geen kaart" in page and "Teststad" in page and "<script" not in page
    share_figure(units)  # an empty figure with its title, not a crash
    lisa_figure(units, pd.DataFrame(columns=["unit_code", "variable", "quadrant", "p_value"]))


def test_vitality_layer_agrees_with_the_vitality_table():
    from mixing.io.demo import make_demo_city, make_demo_vitality
    from mixing.tables.vitality import vitality_table
    from mixing.viz import style
    from mixing.viz.layers import MapTables, build

    city = make_demo_city()
    table = vitality_table(make_demo_vitality(city), city)
    table.loc[table.index[:5], "closer_look_and_hh"] = True  # as if in an HH cluster
    table.loc[table.index[:5], "closer_look"] = True
    (layer,) = build("vitality", MapTables(city, vitality=table))
    codes = [c.value for c in style.VITALITY_CATEGORIES]
    shown = {value: int((layer.classes == k).sum()) for k, value in enumerate(codes)}
    assert shown["closer_look_and_hh"] == int(table["closer_look_and_hh"].sum()) == 5
    assert shown["closer_look"] == int((table["closer_look"] & ~table["closer_look_and_hh"]
                                        .fillna(False)).sum())
    assert shown["fine"] == int((~table["closer_look"]).sum())
    assert (layer.classes == style.EMPTY).sum() == int(city["is_uninhabited"].sum())
