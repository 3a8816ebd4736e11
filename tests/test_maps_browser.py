"""Maps in a real browser with the network switched off: headless Chromium via selenium.

What an intranet user sees: the polygons draw without any CDN or tile server, the layer
control and a legend are there, hovering shows a tooltip with the buurt name, no
JavaScript error, and a name from the data never runs as a script.

Chromium missing is a skip on a laptop and a failure in CI (``CI=true``).
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile

import numpy as np
import pandas as pd
import pytest
import shapely

from mixing.io.demo import make_demo_city
from mixing.tables.frames import index_table
from mixing.viz.maps import municipality_map

CHROMIUM = os.environ.get("MIXING_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("MIXING_CHROMEDRIVER", "/usr/bin/chromedriver")


@pytest.fixture(scope="module")
def driver():
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not shutil.which(p)]
    if missing:
        message = (f"browser tests need {missing}; install with "
                   "`apt-get install -y chromium chromium-driver`")
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="mixing-chromium-")
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                f"--user-data-dir={profile}", "--window-size=1400,900"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        # no network at all: every http(s) request fails, as on a closed intranet
        browser.execute_cdp_cmd("Network.enable", {})
        browser.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["http://*", "https://*"]})
        yield browser
    finally:
        browser.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _open(driver, path):
    driver.get_log("browser")  # drop messages of the previous page
    driver.get(path.as_uri())
    driver.implicitly_wait(0)
    assert driver.execute_script("return typeof L") == "object", "Leaflet did not load"


def _errors(driver) -> list[dict]:
    return [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]


def _visible_paths(driver) -> int:
    return driver.execute_script(
        "return document.querySelectorAll('.leaflet-overlay-pane path.leaflet-interactive')"
        ".length")


def _hover(driver, code: str) -> str:
    """Move the mouse onto the buurt ``code``; return the tooltip's text."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    path = driver.find_element(By.CSS_SELECTOR, f"path[data-code='{code}']")
    ActionChains(driver).move_to_element(path).perform()
    tooltip = WebDriverWait(driver, 3).until(
        ec.visibility_of_element_located((By.CSS_SELECTOR, ".leaflet-tooltip")))
    return tooltip.text


def _central_unit(units) -> str:
    """A residential unit near the middle of the map, away from the panels at the edges."""
    centre = shapely.centroid(shapely.union_all(units.geometry.to_numpy()))
    inside = units[~units["is_uninhabited"]]
    distance = inside.geometry.representative_point().distance(centre)
    return str(inside.loc[distance.idxmin(), "unit_code"])


def _distinct_colours(driver) -> int:
    from PIL import Image

    image = Image.open(io.BytesIO(driver.get_screenshot_as_png())).convert("RGB")
    return len(set(image.resize((350, 225)).getdata()))


def _layer_titles(driver) -> list[str]:
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('.mx-control label span'))"
        ".map(function (s) { return s.textContent; })")


def _visible_legends(driver) -> list[str]:
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('.mx-legend'))"
        ".filter(function (d) { return d.offsetParent !== null; })"
        ".map(function (d) { return d.getAttribute('data-layer'); })")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    units = make_demo_city()
    # the hostile name goes on the central buurt, which the test hovers
    code = _central_unit(units)
    units.loc[units["unit_code"] == code, "unit_name"] = "<script>alert(1)</script>"
    residential = units[~units["is_uninhabited"]]
    rng = np.random.default_rng(20191231)
    n = len(residential)
    local = pd.DataFrame({
        "unit_code": residential["unit_code"].to_numpy(), "variable": "social_housing",
        "value": rng.random(n), "lag": rng.random(n),
        "quadrant": rng.choice(["HH", "LH", "LL", "HL"], n), "p_value": rng.random(n) / 5,
        "significant": rng.random(n) < 0.3, "significant_fdr": rng.random(n) < 0.2,
        "gi_z": rng.normal(0, 2, n), "concentration_class": None,
        "location_quotient": rng.random(n) * 2,
    })
    after = units.copy()
    after["dwellings_social"] = units["dwellings_social"] * 0.8
    path = tmp_path_factory.mktemp("maps") / "demo.html"
    path.write_text(municipality_map(units, index_table(units), local=local,
                                     scenarios={"Verkoop 20 %": after}), encoding="utf-8")
    return path, units, code


def test_demo_map_renders_offline(driver, demo):
    path, units, _ = demo
    _open(driver, path)
    assert _errors(driver) == []
    assert _visible_paths(driver) == len(units)
    # nothing was fetched: every asset is inline
    assert driver.execute_script("return performance.getEntriesByType('resource').length") == 0
    titles = _layer_titles(driver)
    assert titles[:3] == ["Sociale huur", "Concentratie sociale huur", "Lage inkomens"]
    for title in ("LISA-clusters: sociale huur", "Hot- en coldspots (Gi*): sociale huur",
                  "Verkoop 20 %: sociale huur na", "Verkoop 20 %: verandering sociale huur",
                  "PDOK achtergrondkaart grijs (alleen met internet)"):
        assert title in titles
    groups = driver.execute_script(
        "return Array.from(document.querySelectorAll('.mx-group legend'))"
        ".map(function (s) { return s.textContent; })")
    assert groups == ["Indicatoren", "Lokale clusters", "Scenario's (na de ingreep)",
                      "Achtergrond"]
    assert _visible_legends(driver) == ["share-social_housing"]
    assert "Demostad (synthetisch), 2024" in driver.find_element("id", "mx-title").text
    assert "synthetische demogemeente" in driver.find_element("id", "mx-title").text
    assert _distinct_colours(driver) > 8


def test_switching_layers_switches_legend_and_keeps_every_polygon(driver, demo):
    path, units, _ = demo
    _open(driver, path)
    for layer in ("lisa-social_housing", "scenario-0-change", "gi-social_housing"):
        driver.find_element("id", f"mx-radio-{layer}").click()
        assert _visible_legends(driver) == [layer]
        assert _visible_paths(driver) == len(units)
    legend = driver.execute_script(
        "return document.querySelector(\".mx-legend[data-layer='lisa-social_housing']\")"
        ".textContent")
    assert "hoog omringd door hoog" in legend and "niet significant" in legend
    # the background layer is off by default and harmless when its tiles are blocked
    assert driver.execute_script("return document.querySelectorAll('.leaflet-tile').length") == 0
    driver.find_element("id", "mx-background").click()
    assert _visible_paths(driver) == len(units)
    driver.find_element("id", "mx-background").click()
    assert not [e for e in _errors(driver) if "pdok" not in e["message"].lower()]


def test_hostile_name_is_shown_as_text_and_never_runs(driver, demo):
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    path, _, code = demo
    _open(driver, path)
    text = _hover(driver, code)
    assert "<script>alert(1)</script>" in text
    assert code in text and "Sociale huur" in text
    with pytest.raises(TimeoutException):
        WebDriverWait(driver, 0.5).until(ec.alert_is_present())
    assert _errors(driver) == []


@pytest.fixture(scope="module")
def den_haag(cbs_dir, tmp_path_factory):
    from mixing.io.cbs import read_units

    with pytest.warns(UserWarning):  # CBS hides values; the reader says so
        units = read_units(
            geometry=cbs_dir / "buurt_2019_nl_topojson/buurten.json",
            table=cbs_dir / "kwb_odata_denhaag_amsterdam_utrecht/data/"
            "marginal_distributions_TheHague_2019_84583NED.csv",
            year=2019,
        )
    path = tmp_path_factory.mktemp("maps") / "GM0518.html"
    path.write_text(municipality_map(units, index_table(units)), encoding="utf-8")
    return path, units


def test_den_haag_2019_map_renders_offline_with_tooltips(driver, den_haag):
    path, units = den_haag
    _open(driver, path)
    assert _errors(driver) == []
    assert _visible_paths(driver) == len(units)
    assert "'s-Gravenhage, 2019" in driver.find_element("id", "mx-title").text
    assert "Bron: CBS, CC BY 4.0" in driver.find_element("id", "mx-title").text
    assert _visible_legends(driver) == ["share-social_housing"]
    code = _central_unit(units)
    name = units.loc[units["unit_code"] == code, "unit_name"].iat[0]
    text = _hover(driver, code)
    assert name in text and code in text and "%" in text
    assert _distinct_colours(driver) > 8


def test_english_map_in_the_browser(driver, demo, tmp_path):
    _, units, _ = demo
    path = tmp_path / "en.html"
    path.write_text(municipality_map(units, index_table(units), language="en"),
                    encoding="utf-8")
    _open(driver, path)
    assert _errors(driver) == []
    assert _layer_titles(driver)[0] == "Social housing"
    assert "Map layers" in driver.find_element("class name", "mx-control").text


def test_overview_page_sorts_offline(driver, tmp_path):
    from mixing.viz.overview import overview_page

    a = make_demo_city()
    b = make_demo_city(seed=7, code="DEMO02", name="Tweestad (synthetisch)")
    b["geometry"] = b.geometry.translate(12_000, 0)
    units = pd.concat([a, b], ignore_index=True).set_geometry("geometry")
    path = tmp_path / "index.html"
    path.write_text(overview_page(units, index_table(units)), encoding="utf-8")
    _open(driver, path)
    assert _errors(driver) == []
    assert _visible_paths(driver) == 2
    assert _visible_legends(driver) == ["d-social_housing"]

    def first_column():
        return driver.execute_script(
            "return Array.from(document.querySelectorAll('#mx-indices tbody tr'))"
            ".map(function (r) { return r.cells[1].textContent; })")

    code_header = driver.find_elements("css selector", "#mx-indices th")[1]
    code_header.click()
    assert first_column() == ["DEMO01", "DEMO02"]
    code_header.click()
    assert first_column() == ["DEMO02", "DEMO01"]
