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
