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


def _pdf_pages(pdf: bytes) -> tuple[int, list[tuple[float, float]]]:
    """Number of pages of a Chromium PDF and their sizes in points (from each /MediaBox)."""
    import re

    pages = re.findall(rb"/Type\s*/Page\b(?!s)", pdf)
    boxes = [(float(w), float(h)) for w, h in re.findall(
        rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)]
    return len(pages), boxes


def test_page_prints_as_a_compact_dated_a4_document(driver, lab):  # noqa: F811
    import base64
    import datetime

    driver.get((lab["folder"] / "scenarios.html").as_uri())
    pdf = base64.b64decode(driver.execute_cdp_cmd(
        "Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True})["data"])
    pages, boxes = _pdf_pages(pdf)
    assert 1 < pages <= 12  # 20 portrait pages before issue 21
    assert len(boxes) == pages
    assert all(abs(w - 595.3) < 1.5 and abs(h - 841.9) < 1.5 for w, h in boxes)  # A4 portrait
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        months = ("januari februari maart april mei juni juli augustus september oktober "
                  "november december").split()
        today = datetime.date.today()
        stamp = driver.find_element("css selector", "h1 + .print-only")
        assert stamp.text == (f"Bron: CBS, CC BY 4.0 · Afgedrukt op {today.day} "
                              f"{months[today.month - 1]} {today.year}")
        # every <details> is open on paper: the assumptions and the long buurt lists
        hidden = driver.execute_script(
            "var out = []; document.querySelectorAll('details > :not(summary)')"
            ".forEach(function (e) { if (!e.checkVisibility() ||"
            " e.getBoundingClientRect().height === 0) out.push(e.outerHTML.slice(0, 60)); });"
            "return [document.querySelectorAll('details').length, out];")
        assert hidden[0] >= 2 and hidden[1] == []
        assumption = driver.execute_script(
            "var t = document.querySelector('section.box details table.facts');"
            "return t.innerText;")
        assert "sociale huurwoningen die per jaar vrijkomen" in assumption
        # the running footer: title, place and source on every page, and the page number
        footer = driver.execute_script(
            "var out = []; for (const sheet of document.styleSheets) for (const rule of"
            " sheet.cssRules) if (rule.type === CSSRule.PAGE_RULE) out.push(rule.cssText);"
            "return out.join(' ');")
        assert "@bottom-left" in footer and "counter(pages)" in footer
        assert "Gravenhage" in footer and "CBS" in footer
    finally:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    assert _errors(driver) == []


def test_page_fits_a_phone(driver, lab):  # noqa: F811
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True})
    try:
        driver.get((lab["folder"] / "scenarios.html").as_uri())
        width, inner, boxes = driver.execute_script(
            "return [document.documentElement.scrollWidth, window.innerWidth,"
            " Array.prototype.map.call(document.querySelectorAll('section.box, article.card'),"
            " function (e) { var r = e.getBoundingClientRect(); return [r.left, r.right]; })];")
        assert inner == 390 and width <= 390  # 541 px before issue 21
        assert all(0 <= left and right <= 390 for left, right in boxes)
        # the overview fits its box: each title on its own line, the numbers below it
        fits = driver.execute_script(
            "var t = document.querySelector('table.overview'), box = t.parentElement;"
            "return [t.getBoundingClientRect().right, box.getBoundingClientRect().right,"
            " box.scrollWidth, box.clientWidth];")
        assert fits[0] <= fits[1] and fits[2] <= fits[3]
        # cards are one column on a phone
        columns = driver.execute_script(
            "return getComputedStyle(document.querySelector('.cols')).gridTemplateColumns")
        assert len(columns.split()) == 1
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
