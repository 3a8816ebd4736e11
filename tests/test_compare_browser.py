"""The comparison page of Den Haag 2019 in Chromium, network refused.

Every scenario's households that must move and dwellings sold, demolished and built, as a
person reads them on the page, equal ``scenarios.csv`` (written by
:func:`mixing.scenarios.run_scenarios` on the real data in this test); a buurt link opens
the map zoomed to that buurt.
"""

from __future__ import annotations

import pandas as pd
import pytest
from _lab_real import den_haag_lab
from test_maps_browser import _errors, driver  # noqa: F401  (the Chromium fixture)


@pytest.fixture(scope="module")
def lab(den_haag_2019, tmp_path_factory):
    return den_haag_lab(den_haag_2019, tmp_path_factory.mktemp("GM0518"))


def parse_nl(text: str) -> float:
    return float(text.replace("−", "-").replace("+", "").replace(".", "").replace(",", "."))


COLUMNS = ("dwellings_converted", "dwellings_demolished", "dwellings_built",
           "households_displaced", "low_income_displaced", "households_rehoused")


def test_page_shows_the_numbers_of_scenarios_csv(driver, lab):  # noqa: F811
    table = pd.read_csv(lab["folder"] / "scenarios.csv")
    driver.get_log("browser")
    driver.get((lab["folder"] / "scenarios.html").as_uri())
    shown = driver.execute_script(
        "var out = [];"
        "document.querySelectorAll('article.card').forEach(function (card) {"
        "  var f = {}; card.querySelectorAll('[data-field]').forEach(function (el) {"
        "    f[el.getAttribute('data-field')] = el.innerText; });"
        "  out.push([card.getAttribute('data-scenario'), f]); });"
        "return out;")
    shown = dict(shown)  # cards in the order of the scenario file
    assert list(shown) == list(dict.fromkeys(table["scenario"]))
    assert len(shown) == 8
    for name, fields in shown.items():
        row = table[table["scenario"] == name].iloc[0]
        for column in COLUMNS:
            assert parse_nl(fields[column]) == round(float(row[column])), (name, column)
    # the overview row shows the same displaced households
    overview = driver.execute_script(
        "var out = {}; document.querySelectorAll('table.overview tr[data-scenario]')"
        ".forEach(function (tr) { out[tr.getAttribute('data-scenario')] = "
        "tr.querySelector('[data-field=households_displaced]').innerText; }); return out;")
    for name, text in overview.items():
        row = table[table["scenario"] == name].iloc[0]
        assert parse_nl(text) == round(float(row["households_displaced"]))
    # known values of Den Haag 2019 (tests/expected/GM0518/scenarios.csv)
    assert shown["herstructurering_sloop"]["households_displaced"] == "6.931"
    assert shown["spreiden_50"]["dwellings_converted"] == "9.549"
    assert shown["spreiden_50"]["households_displaced"] == "0"
    assert _errors(driver) == []


def test_buurt_link_opens_the_map_at_that_buurt(driver, lab):  # noqa: F811
    driver.get((lab["folder"] / "scenarios.html").as_uri())
    link = driver.execute_script(
        "var a = document.querySelector('#herstructurering_sloop ul.buurten a');"
        "return [a.getAttribute('href'), a.getAttribute('data-code')];")
    assert link[0] == f"map.html#{link[1]}"
    driver.get((lab["folder"] / link[0].split("#")[0]).as_uri() + "#" + link[1])
    focused = driver.execute_script("return window.mixingExplorer.focused")
    zoom = driver.execute_script(
        "var m = null; for (var k in window) { if (k.indexOf('map_') === 0 && window[k] "
        "&& window[k].getZoom) m = window[k]; } return m.getZoom();")
    assert focused == link[1]
    assert zoom >= 13  # the whole city fits at about 11
    popup = driver.execute_script(
        "var p = document.querySelector('.leaflet-popup-content'); return p && p.innerText;")
    assert link[1] in popup
