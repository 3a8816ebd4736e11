"""The explorer in the map reproduces mixing.scenarios on Den Haag 2019 (Chromium, offline).

``window.mixingExplorer.apply(spec)`` is the JavaScript port of the scenario accounting;
it must give the D, isolation and Moran's I of the Python kernels and the costs of the
Python transforms at rtol 1e-9 for: sale of 30 % of the social homes in 5 named buurten,
demolition and rebuild in 3 buurten, and a 50 % cap (sale and demolition).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from _lab_real import den_haag_lab
from test_maps_browser import _errors, driver  # noqa: F401  (the Chromium fixture)

from mixing.dimensions import DIMENSIONS
from mixing.geometry.weights import build_weights, subset
from mixing.kernels.aspatial import dissimilarity, isolation
from mixing.kernels.autocorr import moran
from mixing.scenarios import Assumptions, differentiate
from mixing.scenarios.state import split_state, write_state
from mixing.scenarios.transforms import convert_social, demolish_rebuild

RTOL = 1e-9
# five buurten with the most social homes, and three of them for demolition
FIVE = ["BU05182915", "BU05182916", "BU05183398", "BU05182718", "BU05181840"]
THREE = FIVE[:3]


@pytest.fixture(scope="module")
def lab(den_haag_2019, tmp_path_factory):
    return den_haag_lab(den_haag_2019, tmp_path_factory.mktemp("GM0518"))


@pytest.fixture(scope="module")
def page(driver, lab):  # noqa: F811
    driver.get_log("browser")
    driver.get((lab["folder"] / "map.html").as_uri())
    assert driver.execute_script("return typeof window.mixingExplorer.apply") == "function"
    return driver


def measures(units) -> dict:
    """D, isolation and Moran's I per dimension, as run_scenarios computes them."""
    w = build_weights(units.geometry, kind="queen", ids=units["unit_code"].to_numpy())
    out = {}
    for name in ("low_income", "social_housing"):
        dim = DIMENSIONS[name]
        g, t = units[dim.group].to_numpy(float), units[dim.total].to_numpy(float)
        keep = np.isfinite(g) & np.isfinite(t) & (t > 0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wk = w if keep.all() else subset(w, keep)
        out[name] = {"D": float(dissimilarity(g, t)), "isolation": float(isolation(g, t)),
                     "moran_I": float(moran(g[keep] / t[keep], wk, permutations=0).I)}
    return out


def check(js: dict, python: dict, costs: dict) -> float:
    worst = 0.0
    for name, values in python.items():
        for key, value in values.items():
            np.testing.assert_allclose(js["dimensions"][name][key], value, rtol=RTOL,
                                       err_msg=f"{name} {key}")
            worst = max(worst, abs(js["dimensions"][name][key] - value) / abs(value))
    for key, value in costs.items():
        np.testing.assert_allclose(js[key], value, rtol=RTOL, atol=1e-9, err_msg=key)
    np.testing.assert_allclose(js["D"], python["low_income"]["D"], rtol=RTOL)
    np.testing.assert_allclose(js["moran_I"], python["low_income"]["moran_I"], rtol=RTOL)
    return worst


def apply(browser, spec) -> dict:
    return browser.execute_script("return window.mixingExplorer.apply(arguments[0])", spec)


def test_all_five_buurten_exist(den_haag_2019):
    assert set(FIVE) <= set(den_haag_2019["unit_code"])


def test_explorer_bounds_are_those_of_the_scenario_types():
    """A cap is differentiate(threshold = target = cap): inside both their ranges; the
    rebuild parameters are differentiate's own declarations, not copies."""
    from mixing.scenarios.types import EXPLORER, TYPES, ScenarioError
    from mixing.viz.explorer import explorer_params

    diff = TYPES["differentiate"].params
    for key in ("method", "convert_to", "rebuild_ratio", "rebuild_mix"):
        assert EXPLORER.params[key] == diff[key]
    cap = EXPLORER.params["cap"]
    for value in (1e-6, 0.5, 1 - 1e-6):
        cap.check("explorer", "cap", value)
        diff["threshold"].check("x", "threshold", value)
        diff["target"].check("x", "target", value)
    for value in (0.0, 1.0):
        with pytest.raises(ScenarioError, match=r"cap must be in \(0, 1\)"):
            cap.check("explorer", "cap", value)
    assert explorer_params()["dimension"].choices == ("low_income", "social_housing")
    with pytest.raises(ScenarioError, match="can never bring a buurt down to target 0.1"):
        EXPLORER.rules("explorer", {"cap": 0.1, "method": "demolish_rebuild",
                                    "rebuild_ratio": 5, "rebuild_mix": {"social": 0.3}}, {})


def test_sale_of_30_percent_in_five_buurten(page, den_haag_2019):
    units, a = den_haag_2019, Assumptions()
    before = split_state(units, a)
    amount = np.where(units["unit_code"].isin(FIVE), 0.3 * before.D[:, 0], 0.0)
    after = write_state(units, before, convert_social(before, amount, "owner_occupied", a))
    js = apply(page, {"codes": FIVE, "method": "sale", "share": 0.3})
    check(js, measures(after), {"dwellings_converted": amount.sum(),
                                "dwellings_changed": amount.sum(), "households_displaced": 0.0})
    assert js["D"] < js["baseline"]["low_income"]["D"]  # a sale in these buurten mixes


def test_demolition_and_rebuild_in_three_buurten(page, den_haag_2019):
    units, a = den_haag_2019, Assumptions()
    before = split_state(units, a)
    amount = np.where(units["unit_code"].isin(THREE), 0.5 * before.D[:, 0], 0.0)
    state, costs = demolish_rebuild(before, amount, assumptions=a)
    js = apply(page, {"codes": THREE, "method": "demolish_rebuild", "share": 0.5})
    check(js, measures(write_state(units, before, state)), {
        "households_displaced": costs.households_displaced,
        "low_income_displaced": costs.low_income_displaced,
        "households_rehoused": costs.households_rehoused,
        "dwellings_demolished": costs.dwellings_demolished,
        "dwellings_built": costs.dwellings_built,
        "dwellings_changed": costs.dwellings_demolished + costs.dwellings_built})
    assert js["households_displaced"] > 1000


@pytest.mark.parametrize("method", ["sale", "demolish_rebuild"])
def test_cap_of_50_percent_equals_differentiate(page, den_haag_2019, method):
    result = differentiate(den_haag_2019, threshold=0.5, target=0.5, method=method)
    c = result.costs
    js = apply(page, {"codes": [], "method": method, "cap": 0.5})
    check(js, measures(result.units), {
        "households_displaced": c.households_displaced,
        "households_rehoused": c.households_rehoused,
        "dwellings_changed": c.dwellings_converted + c.dwellings_demolished + c.dwellings_built,
        "units_changed": c.units_changed})
    if method == "sale":
        np.testing.assert_allclose(js["years_needed"], c.years_needed, rtol=RTOL)


def test_cap_on_chosen_buurten_only(page, den_haag_2019):
    result = differentiate(den_haag_2019, threshold=0.5, target=0.5, restrict_to=FIVE)
    js = apply(page, {"codes": FIVE, "method": "sale", "cap": 0.5})
    check(js, measures(result.units), {"dwellings_converted": result.costs.dwellings_converted})


def test_baseline_equals_the_scenario_table(page, lab):
    summary = lab["summary"]
    js = apply(page, {"codes": [], "method": "sale", "share": 0.0})
    for name in ("low_income", "social_housing"):
        row = summary[(summary["dimension"] == name) & (summary["index"] == "dissimilarity")]
        np.testing.assert_allclose(js["baseline"][name]["D"], row["baseline"].iat[0], rtol=RTOL)
        np.testing.assert_allclose(js["baseline"][name]["moran_I"],
                                   row["moran_i_before"].iat[0], rtol=RTOL)


def test_bad_spec_names_the_problem(page):
    from selenium.common.exceptions import JavascriptException

    with pytest.raises(JavascriptException, match="unknown unit codes: BU0000"):
        apply(page, {"codes": ["BU0000"], "share": 0.3})
    with pytest.raises(JavascriptException, match="either share or cap"):
        apply(page, {"codes": FIVE})


def test_clicking_buurten_updates_the_panel(page):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    page.find_element(By.CSS_SELECTOR, ".mxe-toggle").click()
    before = page.find_element(By.CSS_SELECTOR, ".mxe-results").text
    path = page.find_element(By.CSS_SELECTOR, f"path[data-code='{FIVE[0]}']")
    ActionChains(page).move_to_element(path).click().perform()
    assert FIVE[0] in page.find_element(By.CSS_SELECTOR, ".mxe-selected").text
    assert page.find_elements(By.CSS_SELECTOR, ".leaflet-popup") == []  # no popup in the way
    after = page.find_element(By.CSS_SELECTOR, ".mxe-results").text
    assert after != before  # the numbers moved at once
    assert _errors(page) == []


def test_explorer_computes_with_the_assumptions_of_the_scenarios_file(driver, den_haag_2019,  # noqa: F811
                                                                       tmp_path):
    """Change assumptions in a scenarios file: the explorer's payload carries them and its
    cap computes what mixing.scenarios computes for a scenario of that file."""
    from dataclasses import asdict

    from mixing.scenarios import load_scenarios
    from mixing.scenarios.transforms import differentiate as python_differentiate
    from mixing.viz.explorer import explorer_payload
    from mixing.viz.maps import municipality_map

    path = tmp_path / "scenarios.yaml"
    path.write_text("assumptions:\n  turnover_social: 0.05\n  occupancy_social: 0.9\n"
                    "  low_income_concentration: 2.5\nscenarios:\n"
                    "  cap: {type: differentiate, threshold: 0.5, target: 0.5, "
                    "method: demolish_rebuild}\n", encoding="utf-8")
    loaded = load_scenarios(path)
    assert loaded.assumptions != Assumptions()
    payload = explorer_payload(den_haag_2019, assumptions=loaded.assumptions)
    assert payload["assumptions"] == asdict(loaded["cap"].assumptions)
    page = tmp_path / "map.html"
    page.write_text(municipality_map(den_haag_2019, None, explorer=payload), encoding="utf-8")
    driver.get(page.as_uri())
    for method in ("sale", "demolish_rebuild"):
        result = python_differentiate(den_haag_2019, threshold=0.5, target=0.5, method=method,
                                      assumptions=loaded["cap"].assumptions)
        js = apply(driver, {"codes": [], "method": method, "cap": 0.5})
        check(js, measures(result.units), {
            "households_displaced": result.costs.households_displaced,
            "households_rehoused": result.costs.households_rehoused})
        if method == "sale":  # the file's turnover, not the package's 7.5 %
            np.testing.assert_allclose(js["years_needed"], result.costs.years_needed,
                                       rtol=RTOL)
            default = python_differentiate(den_haag_2019, threshold=0.5, target=0.5)
            assert js["years_needed"] > 1.4 * default.costs.years_needed


# ------------------------------------------------------------------ input, keyboard, layout
# What a policy officer does with the panel: types an amount (Dutch comma, out of range),
# chooses buurten by keyboard, on a laptop (1400 px) and a phone (390 px).

def _fresh(browser, lab, width=None):
    """The map, newly loaded; ``width``: a phone-sized viewport (CDP device metrics)."""
    if width is None:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    else:
        browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": 844, "deviceScaleFactor": 1, "mobile": True})
    browser.get_log("browser")
    browser.get((lab["folder"] / "map.html").as_uri())
    return browser


@pytest.fixture
def fresh(driver, lab):  # noqa: F811
    yield lambda width=None: _fresh(driver, lab, width)
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def _type(browser, selector, text):
    """Replace the field's text key by key, as a person types (no blur, no Enter)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    field = browser.find_element(By.CSS_SELECTOR, selector)
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys(Keys.DELETE)
    field.send_keys(text)
    assert browser.switch_to.active_element == field  # the focus never left the field
    return field


def _shown(browser, label: str) -> str:
    """The number in the results row whose heading is ``label``."""
    return browser.execute_script(
        "var rows = document.querySelectorAll('.mxe-results tr');"
        "for (var i = 0; i < rows.length; i++) { var th = rows[i].querySelector('th');"
        "  if (th && th.textContent === arguments[0])"
        "    return rows[i].querySelector('td').innerText; }"
        "return null;", label)


def _sold(browser) -> float:
    from mixing.viz.explorer import EXPLORER_LABELS

    text = _shown(browser, EXPLORER_LABELS["nl"]["converted"])
    return float(text.replace(".", "").replace(",", "."))


def test_typed_amount_counts_at_once_with_comma_or_point(fresh):
    page = fresh()
    page.find_element("id", "mxe-open").click()
    page.execute_script("window.mixingExplorer.select(arguments[0])", FIVE)
    expected = apply(page, {"codes": FIVE, "share": 0.125})["dwellings_converted"]
    assert expected > 500
    for text in ("12,5", "12.5"):
        _type(page, "#mxe-share", text)
        assert _sold(page) == round(expected), text
        assert page.find_element("id", "mxe-share-msg").text == ""
    _type(page, "#mxe-share", "12,,5")
    assert "Geen getal" in page.find_element("id", "mxe-share-msg").text
    assert "mxe-stale" in page.find_element("css selector", ".mxe-results").get_attribute("class")
    assert _errors(page) == []


def test_out_of_range_amount_is_clamped_and_says_so(fresh):
    page = fresh()
    page.find_element("id", "mxe-open").click()
    page.execute_script("window.mixingExplorer.select(arguments[0])", FIVE)
    field = _type(page, "#mxe-share", "150")
    message = page.find_element("id", "mxe-share-msg").text
    assert message == "150 % kan niet; gerekend met 100 % (toegestaan: 0 tot en met 100 %)"
    assert field.get_attribute("value") == "150"  # what was typed stays, the note explains
    everything = apply(page, {"codes": FIVE, "share": 1.0})["dwellings_converted"]
    assert _sold(page) == round(everything)
    # the cap is open at both ends (differentiate: threshold in (0, 1], target in [0, 1))
    _type(page, "#mxe-cap", "0")
    assert page.find_element("id", "mxe-cap-msg").text == (
        "0 % kan niet; gerekend met 0,1 % (toegestaan: meer dan 0 en minder dan 100 %)")
    assert page.find_element("css selector", "input[name=mxe-mode][value=cap]").is_selected()
    capped = apply(page, {"codes": FIVE, "cap": 0.001})["dwellings_converted"]
    assert _sold(page) == round(capped)


BAD_SPECS = [
    ({"codes": FIVE, "share": 2}, "share", 2),
    ({"codes": FIVE, "cap": -0.5}, "cap", -0.5),
    ({"codes": FIVE, "share": 0.3, "rebuild_ratio": -3}, "rebuild_ratio", -3),
    ({"codes": FIVE, "share": 0.3, "dimension": "income"}, "dimension", "income"),
    ({"codes": FIVE, "share": 0.3, "method": "burn"}, "method", "burn"),
]


@pytest.mark.parametrize(("spec", "key", "value"), BAD_SPECS, ids=[b[1] for b in BAD_SPECS])
def test_apply_refuses_a_spec_out_of_bounds_as_python_does(page, spec, key, value):
    from selenium.common.exceptions import JavascriptException

    from mixing.scenarios.types import ScenarioError
    from mixing.viz.explorer import explorer_params

    with pytest.raises(ScenarioError) as python:
        explorer_params()[key].check("explorer", key, value)
    words = str(python.value).split("scenario 'explorer': ", 1)[1]
    with pytest.raises(JavascriptException) as js:
        apply(page, spec)
    assert f"mixingExplorer.apply: {words}" in js.value.msg
    assert key in words and ("[0, 1]" in words or "[0, 5]" in words or "(0, 1)" in words
                             or "one of" in words)


def test_apply_refuses_unknown_keys_and_an_impossible_rebuild(page):
    from selenium.common.exceptions import JavascriptException

    with pytest.raises(JavascriptException, match=r"unknown keys \['sahre'\]; valid: "):
        apply(page, {"codes": FIVE, "sahre": 0.3})
    with pytest.raises(JavascriptException, match="can never bring a buurt down to target 0.1"):
        apply(page, {"method": "demolish_rebuild", "cap": 0.1, "rebuild_ratio": 5})


def test_keyboard_reaches_the_explorer_and_chooses_buurten(fresh):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    page = fresh()
    # the button that opens the explorer is the third Tab stop (116 presses before issue 21):
    # the skip link, the map, then the map's controls before its buurten
    stops = []
    for _ in range(6):
        ActionChains(page).send_keys(Keys.TAB).perform()
        stops.append(page.switch_to.active_element.get_attribute("id"))
    assert stops.index("mxe-open") == 2
    page = fresh()
    body = page.find_element("tag name", "body")
    body.send_keys(Keys.TAB)
    skip = page.switch_to.active_element
    assert skip.get_attribute("class") == "mx-skip"  # the first Tab stop, visible on focus
    assert skip.is_displayed() and skip.location["x"] >= 0
    skip.send_keys(Keys.ENTER)
    search = page.switch_to.active_element
    assert search.get_attribute("id") == "mxe-search"
    assert page.find_element("id", "mxe-panel").is_displayed()
    # type a code, Enter: chosen; type part of it, arrow down into the list, Enter: chosen
    search.send_keys(FIVE[0], Keys.ENTER)
    search.send_keys(Keys.CONTROL, "a")
    search.send_keys(FIVE[1][:-2])
    search.send_keys(Keys.ARROW_DOWN)
    listbox = page.switch_to.active_element
    assert listbox.get_attribute("id") == "mxe-options"
    codes = page.execute_script(
        "return Array.prototype.map.call(document.getElementById('mxe-options').options,"
        " function (o) { return o.value; })")
    assert FIVE[1] in codes and len(codes) < 20  # filtered by the typed text
    for _ in range(codes.index(FIVE[1])):
        listbox.send_keys(Keys.ARROW_DOWN)
    listbox.send_keys(Keys.ENTER)
    chosen = page.find_element("css selector", ".mxe-selected").text
    assert FIVE[0] in chosen and FIVE[1] in chosen
    expected = apply(page, {"codes": FIVE[:2], "share": 0.3})["dwellings_converted"]
    assert _sold(page) == round(expected)
    # and off again with the remove button, by keyboard
    page.find_element("css selector", f"[data-remove='{FIVE[0]}']").send_keys(Keys.ENTER)
    assert FIVE[0] not in page.find_element("css selector", ".mxe-selected").text
    # a buurt on the map is a Tab stop (Leaflet's tooltip); Enter there chooses it too
    path = page.find_element("css selector", f"path[data-code='{FIVE[2]}']")
    page.execute_script("arguments[0].focus()", path)
    assert page.switch_to.active_element == path
    path.send_keys(Keys.ENTER)
    assert FIVE[2] in page.find_element("css selector", ".mxe-selected").text
    assert _errors(page) == []


def _rgb(colour: str) -> np.ndarray:
    colour = colour.lstrip("#")
    return np.array([int(colour[i:i + 2], 16) for i in (0, 2, 4)], dtype=float)


def _contrast(a, b) -> float:
    """WCAG 2 contrast ratio of two sRGB colours (0-255)."""
    def lum(c):
        c = np.asarray(c, dtype=float) / 255
        c = np.where(c <= 0.03928, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]
    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_chosen_buurten_stand_out_from_their_fill_and_neighbours(fresh, den_haag_2019):
    page = fresh()
    page.find_element("id", "mxe-open").click()
    units = den_haag_2019
    share = units["dwellings_social"] / units["dwellings"]
    # the darkest and the lightest fill of the social-housing layer, and a middle one
    code = units["unit_code"]
    chosen = [code.iat[int(share.idxmax())], code.iat[int(share.idxmin())], FIVE[2]]
    page.execute_script("window.mixingExplorer.select(arguments[0])", chosen)
    fills = page.execute_script(
        "var out = {}; document.querySelectorAll('.leaflet-overlay-pane path[data-code]')"
        ".forEach(function (p) { out[p.getAttribute('data-code')] = [p.getAttribute('fill'),"
        " +p.getAttribute('fill-opacity')]; }); return out;")
    lines = page.execute_script(
        "var pane = window.mixingMapView.map.getPane('mxe-outlines');"
        "return [pane.querySelectorAll('path.mxe-core').length,"
        " Array.prototype.map.call(pane.querySelectorAll('path.mxe-core, path.mxe-casing'),"
        " function (p) { return [p.getAttribute('class'),"
        "  p.getAttribute('stroke'), +p.getAttribute('stroke-width')]; })];")
    assert lines[0] == len(chosen)
    w = build_weights(units.geometry, kind="queen", ids=units["unit_code"].to_numpy())
    background = np.array([244, 244, 241], dtype=float)  # .leaflet-container
    adjacency = w.binary.tocsr()
    pairs = iter(lines[1])
    for code in chosen:  # one casing then one core per chosen buurt, in the order chosen
        (c1, casing, wc), (c2, core, wk) = next(pairs), next(pairs)
        assert "mxe-casing" in c1 and "mxe-core" in c2
        assert wc > wk >= 3 and _contrast(_rgb(core), _rgb(casing)) >= 3
        row = list(w.ids).index(code)
        neighbours = [w.ids[j] for j in
                      adjacency.indices[adjacency.indptr[row]:adjacency.indptr[row + 1]]]
        assert neighbours
        for other in [code, *neighbours]:
            colour, opacity = fills[other]
            seen = opacity * _rgb(colour) + (1 - opacity) * background
            best = max(_contrast(_rgb(core), seen), _contrast(_rgb(casing), seen))
            assert best >= 3, (code, other, colour)
        colour, opacity = fills[code]
        own = opacity * _rgb(colour) + (1 - opacity) * background
        assert _contrast(_rgb(core), own) >= 3  # the core always stands out inside the buurt


def _boxes(browser) -> dict:
    return browser.execute_script(
        "function r(e) { if (!e || getComputedStyle(e).display === 'none') return null;"
        " var b = e.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; }"
        "var q = function (s) { return r(document.querySelector(s)); };"
        "return {map: q('.folium-map'), dock: q('#mxe-panel'), results: q('.mxe-results table'),"
        " title: q('#mx-title'), toggle: q('#mxe-open'), layers: q('.mx-control'),"
        " legend: q('.mx-legends'), png: q('#mx-png'), zoom: q('.leaflet-control-zoom'),"
        " scale: q('.leaflet-control-scale'), attribution: q('.leaflet-control-attribution'),"
        " page: [0, 0, document.documentElement.scrollWidth,"
        "  document.documentElement.scrollHeight],"
        " window: [0, 0, window.innerWidth, window.innerHeight]};")


def _overlap(a, b) -> bool:
    return a[0] < b[2] - 0.5 and b[0] < a[2] - 0.5 and a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5


def _top_social(units, n=3) -> list[str]:
    share = units["dwellings_social"] / units["dwellings"]
    return units["unit_code"].iloc[share.sort_values(ascending=False).index[:n]].tolist()


def _uncovered(browser, units, code) -> bool:
    """The buurt is what a tap on a point inside it hits (no panel or control on it)."""
    point = units[units["unit_code"] == code].to_crs(4326).representative_point().iat[0]
    return browser.execute_script(
        "var m = window.mixingMapView.map, c = m.getContainer().getBoundingClientRect();"
        "var p = m.latLngToContainerPoint([arguments[1], arguments[2]]);"
        "var hit = document.elementFromPoint(c.left + p.x, c.top + p.y);"
        "return !!hit && hit.getAttribute('data-code') === arguments[0];",
        code, point.y, point.x)


CONTROLS = ("title", "toggle", "layers", "legend", "png", "zoom", "scale", "attribution")
#: not shown on a phone's small map (mixing-map.css)
PHONE_HIDDEN = ("png", "scale")


@pytest.mark.parametrize("width", [1400, 390])
def test_open_explorer_hides_neither_the_map_nor_its_results(fresh, den_haag_2019, width):
    page = fresh(None if width == 1400 else width)
    if width == 390:  # "Zelf proberen" can be tapped: nothing lies on it
        assert page.execute_script(
            "var b = document.getElementById('mxe-open').getBoundingClientRect();"
            "return document.elementFromPoint((b.left + b.right) / 2, (b.top + b.bottom) / 2)"
            ".id;") == "mxe-open"
    page.find_element("id", "mxe-open").click()
    page.execute_script("window.mixingExplorer.select(arguments[0])", FIVE)
    box = _boxes(page)
    assert box["page"][2] <= box["window"][2]  # no horizontal scrolling
    assert not _overlap(box["dock"], box["map"])  # beside (laptop) or below (phone) the map
    assert box["results"] is not None and box["results"][1] < box["window"][3]  # in view
    for a in CONTROLS:  # the map's own controls lie apart, and inside the map
        if box[a] is None and width < 700 and a in PHONE_HIDDEN:
            continue
        assert box[a] is not None, a
        assert box["map"][0] - 1 <= box[a][0] and box[a][2] <= box["map"][2] + 1, a
        for b in CONTROLS[CONTROLS.index(a) + 1:]:
            if box[a] is not None and box[b] is not None:
                assert not _overlap(box[a], box[b]), (a, b)
    for code in _top_social(den_haag_2019):  # the high-share buurten stay in sight
        assert _uncovered(page, den_haag_2019, code), code
    # on paper the map takes the whole page again, without the explorer
    page.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        printed = _boxes(page)
        assert printed["dock"] is None and printed["toggle"] is None
        assert printed["map"][0] == 0
    finally:
        page.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    assert _errors(page) == []


def test_phone_map_folds_layers_and_legend_and_scrolls_nowhere(fresh, den_haag_2019):
    page = fresh(390)
    box = _boxes(page)
    assert box["window"][2] == 390 and box["page"][2] <= 390
    folded = page.execute_script(
        "return [document.querySelector('.mx-control').classList.contains('mx-folded'),"
        " document.querySelector('.mx-legends').classList.contains('mx-folded')];")
    assert folded == [True, True]
    assert box["png"] is None and box["scale"] is None
    shown = [a for a in CONTROLS if a not in PHONE_HIDDEN]
    for a in shown:
        for b in shown[shown.index(a) + 1:]:
            assert not _overlap(box[a], box[b]), (a, b)
    for code in _top_social(den_haag_2019):
        assert _uncovered(page, den_haag_2019, code), code
    # one tap opens the layer choice; choosing a layer works
    page.find_element("css selector", ".mx-control .mx-fold").click()
    page.find_element("id", "mx-radio-share-low_income").click()
    assert page.execute_script("return window.mixingMapView.active()") == "share-low_income"
