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
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from conftest import page_data

from mixing.io.demo import make_demo_city
from mixing.scenarios import scenario_changes
from mixing.tables.clusters import autocorrelation_tables
from mixing.tables.frames import index_table
from mixing.viz import style
from mixing.viz.maps import municipality_map

REPO = Path(__file__).resolve().parents[1]
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
def demo(tmp_path_factory, seed):
    units = make_demo_city()
    # the hostile name goes on the central buurt, which the test hovers
    code = _central_unit(units)
    units.loc[units["unit_code"] == code, "unit_name"] = "<script>alert(1)</script>"
    local = autocorrelation_tables(units, permutations=99, seed=seed)[1]
    after = units.copy()
    after["dwellings_social"] = units["dwellings_social"] * 0.8
    buurt = units["level"] == "buurt"
    changes = scenario_changes(units[buurt], {"Verkoop 20 %": after[buurt]})
    path = tmp_path_factory.mktemp("maps") / "demo.html"
    path.write_text(municipality_map(units, index_table(units), local=local,
                                     scenarios={"Verkoop 20 %": after},
                                     scenario_changes=changes), encoding="utf-8")
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
                  "sociale huur na", "verandering sociale huur", "verandering in D",
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
    for layer in ("lisa-social_housing", "scenario_change-0", "gi-social_housing"):
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
def den_haag(den_haag_2019, seed, tmp_path_factory):
    """Den Haag 2019 with local.csv and one scenario, built by the library as the workflow
    does (999 permutations, as config.yaml)."""
    from mixing.scenarios import load_scenarios, run_scenarios, scenario_changes

    units = den_haag_2019
    _, local = autocorrelation_tables(units, permutations=999, seed=seed)
    specs = load_scenarios(REPO / "config" / "scenarios.yaml")
    chosen = {name: specs[name] for name in ("herstructurering_sloop",)}
    summary, after = run_scenarios(units, chosen, seed=seed, permutations=0, p_values=False)
    path = tmp_path_factory.mktemp("maps") / "GM0518.html"
    path.write_text(municipality_map(units, index_table(units), local=local, scenarios=after,
                                     scenario_table=summary,
                                     scenario_changes=scenario_changes(units, after)),
                    encoding="utf-8")
    return path, units, local, summary


def test_den_haag_2019_map_renders_offline_with_tooltips(driver, den_haag):
    path, units, _, _ = den_haag
    _open(driver, path)
    assert _errors(driver) == []
    assert _visible_paths(driver) == len(units)
    assert "'s-Gravenhage, 2019" in driver.find_element("id", "mx-title").text
    assert "Bron: CBS, CC BY 4.0" in driver.find_element("id", "mx-title").text
    assert _visible_legends(driver) == ["share-social_housing"]
    code = _central_unit(units)
    # the OData file has no buurt names: unit_name is the code, shown once
    assert (units["unit_name"] == units["unit_code"]).all()
    text = _hover(driver, code)
    assert text.count(code) == 1 and "%" in text
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


def _fills(driver, layer: str) -> dict[str, str]:
    """Show ``layer``; the fill colour of every drawn buurt, by unit code."""
    driver.execute_script("window.mixingMapView.show(arguments[0])", layer)
    return driver.execute_script(
        "var out = {}; document.querySelectorAll('.leaflet-overlay-pane path[data-code]')"
        ".forEach(function (p) { out[p.getAttribute('data-code')] = p.getAttribute('fill'); });"
        "return out;")


def _empty(units, variable) -> set[str]:
    """Water, no residents, or nothing to count for ``variable`` (white on the map)."""
    from mixing.dimensions import DIMENSIONS

    total = units[DIMENSIONS[variable].total]
    return set(units.loc[units["is_water"] | units["is_uninhabited"] | (total == 0),
                         "unit_code"])


def _expected(local, variable, column, colours, empty_codes) -> dict[str, str]:
    rows = local[local["variable"] == variable].set_index("unit_code")[column]
    return {code: (colours[value] if value in colours else
                   style.EMPTY_COLOR if code in empty_codes else style.UNKNOWN_COLOR)
            for code, value in rows.items()}


def test_den_haag_gi_layer_paints_local_csv_hotspots(driver, den_haag):
    path, units, local, _ = den_haag
    _open(driver, path)
    colours = {c.value: c.color for c in style.HOTSPOT_CATEGORIES}
    for variable in ("social_housing", "low_income", "migration"):
        fills = _fills(driver, f"gi-{variable}")
        assert fills == _expected(local, variable, "hotspot", colours, _empty(units, variable))
        rows = local[local["variable"] == variable]
        for value in ("hot", "cold"):
            painted = sum(f == colours[value] for f in fills.values())
            assert painted == (rows["hotspot"] == value).sum()
    # Den Haag 2019 (seed 20191231, 999 permutations, FDR): hot and cold spots on the map
    rows = local[local["variable"] == "low_income"]
    assert ((rows["hotspot"] == "hot").sum(), (rows["hotspot"] == "cold").sum()) == (13, 5)
    legend = driver.execute_script(
        "return document.querySelector(\".mx-legend[data-layer='gi-migration']\").textContent")
    assert "FDR, Benjamini-Hochberg" in legend and "p < 0,05" in legend


def test_den_haag_lisa_layer_shows_hidden_data_as_unknown(driver, den_haag):
    path, units, local, _ = den_haag
    _open(driver, path)
    colours = {c.value: c.color for c in style.LISA_CATEGORIES}
    for variable in ("social_housing", "low_income"):
        empty = _empty(units, variable)
        rows = local[local["variable"] == variable]
        shown = rows["quadrant"].where(rows["significant_fdr"].fillna(False).astype(bool),
                                       "ns").where(rows["quadrant"] != "unknown", "unknown")
        expected = dict(zip(rows["unit_code"], [
            colours.get(q) or (style.EMPTY_COLOR if c in empty else style.UNKNOWN_COLOR)
            for c, q in zip(rows["unit_code"], shown, strict=True)], strict=True))
        fills = _fills(driver, f"lisa-{variable}")
        assert fills == expected
        unknown = (rows["quadrant"] == "unknown").sum()
        assert unknown > 0  # hidden CBS values: 5 and 8 buurten
        painted = sum(f in (style.UNKNOWN_COLOR, style.EMPTY_COLOR) for f in fills.values())
        assert painted == unknown
        assert sum(f == colours["ns"] for f in fills.values()) == (
            (rows["quadrant"] != "unknown") & ~rows["significant_fdr"].fillna(False)).sum()


def test_den_haag_scenario_layers_in_dutch_with_costs(driver, den_haag):
    path, units, _, summary = den_haag
    _open(driver, path)
    assert _errors(driver) == []
    control = driver.find_element("class name", "mx-control").text
    assert "Sloop en nieuwbouw: buurten boven 70 % sociale huur naar 50 %" in control
    assert "herstructurering_sloop" not in control
    row = summary[(summary["dimension"] == "social_housing")
                  & (summary["index"] == "dissimilarity")].iloc[0]
    driver.find_element("id", "mx-radio-scenario_d-0").click()
    legend = driver.find_element(
        "css selector", ".mx-legend[data-layer='scenario_d-0']").text
    displaced = style.number(row["households_displaced"], 0)
    built = style.number(row["dwellings_built"], 0)
    assert f"{displaced} huishoudens moeten verhuizen" in legend
    assert f"{built} woningen gesloopt" in legend and f"{built} woningen gebouwd" in legend
    assert (f"D sociale huur: {style.number(row['baseline'], 3)} → "
            f"{style.number(row['scenario_value'], 3)}") in legend


def test_change_in_d_layer_adds_up_to_the_change_in_scenarios_csv(den_haag):
    """The per-buurt changes of the contribution to D sum to scenarios.csv's change in D."""

    path, _, _, summary = den_haag
    page = path.read_text(encoding="utf-8")
    config = page_data(page)
    i = [layer["id"] for layer in config["layers"]].index("scenario_d-0")
    texts = [f["properties"]["t"][i] for f in config["data"]["features"]]
    change = sum(float(t.split(" ")[0].replace("−", "-").replace(",", "."))
                 for t in texts if t[0] in "+−0")
    row = summary[(summary["dimension"] == "social_housing")
                  & (summary["index"] == "dissimilarity")].iloc[0]
    # texts carry 4 decimals: 114 buurten round to within 114 * 0.00005
    assert abs(change - row["change"]) < len(texts) * 5e-5
    assert row["change"] < -0.01


def test_print_preview_hides_the_controls(driver, den_haag):
    path, _, _, _ = den_haag
    _open(driver, path)

    def display(selector):
        return driver.execute_script(
            "var e = document.querySelector(arguments[0]);"
            "return e ? getComputedStyle(e).display : null;", selector)

    controls = (".mx-control", ".leaflet-control-zoom", "#mx-png")
    assert all(display(s) not in (None, "none") for s in controls)
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        assert [display(s) for s in controls] == ["none"] * len(controls)
        assert display("#mx-title") == "block"
        assert _visible_legends(driver) == ["share-social_housing"]
        title = driver.find_element("id", "mx-title").text
        assert "Bron: CBS, CC BY 4.0" in title and "Afgedrukt op" in title
        assert _visible_paths(driver) > 100
    finally:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    assert display(".mx-control") != "none"


def test_png_button_downloads_the_view_with_its_legend(driver, den_haag):
    import base64

    from PIL import Image
    from selenium.webdriver.support.ui import WebDriverWait

    path, _, _, _ = den_haag
    _open(driver, path)
    driver.execute_script("window.mixingMapView.show('gi-low_income')")
    # record what is written on the picture
    driver.execute_script(
        "window.pngTexts = []; var f = CanvasRenderingContext2D.prototype.fillText;"
        "CanvasRenderingContext2D.prototype.fillText = function (t) {"
        "  window.pngTexts.push(String(t)); return f.apply(this, arguments); };")
    driver.find_element("id", "mx-png").click()
    url = WebDriverWait(driver, 10).until(lambda d: d.execute_script(
        "var a = document.getElementById('mx-png-link'); return a && a.href"))
    assert url.startswith("data:image/png;base64,")
    # a shared picture says where, what, from which source and when it was saved
    import datetime

    months = ("januari februari maart april mei juni juli augustus september oktober "
              "november december").split()
    today = datetime.date.today()
    texts = driver.execute_script("return window.pngTexts")
    assert texts[0] == "'s-Gravenhage, 2019"
    assert (f"Bron: CBS, CC BY 4.0 · Opgeslagen op {today.day} {months[today.month - 1]} "
            f"{today.year}") in texts
    assert driver.execute_script("return document.getElementById('mx-png-link').download") \
        == "_s-Gravenhage_2019_gi-low_income.png"
    image = Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))).convert("RGB")
    width, height = driver.execute_script(
        "var s = window.mixingMapView.map.getSize(); return [s.x, s.y];")
    assert image.size == (2 * (width + 300), 2 * (height + 56 + 26))
    colours = set(image.resize((400, 200)).getdata())
    assert len(colours) > 20
    # the hot spots are drawn (fill #b2182b at 0.8 opacity over the map's background)
    hot = np.array([0xb2, 0x18, 0x2b])
    pixels = np.asarray(image, dtype=float).reshape(-1, 3)
    assert (np.abs(pixels - (0.8 * hot + 0.2 * 244)).max(axis=1) < 12).sum() > 100
    assert _errors(driver) == []


def test_tooltips_show_the_whole_value(driver, den_haag):
    from selenium.webdriver.common.by import By

    path, units, _, _ = den_haag
    _open(driver, path)
    driver.execute_script("window.mixingMapView.show('scenario_change-0')")
    code = _central_unit(units)
    text = _hover(driver, code)
    assert "procentpunt (" in text and "%)" in text
    box = driver.find_element(By.CSS_SELECTOR, ".leaflet-tooltip")
    sizes = driver.execute_script(
        "var t = arguments[0], r = t.getBoundingClientRect();"
        "return [t.scrollWidth, t.clientWidth, t.scrollHeight, t.clientHeight,"
        " getComputedStyle(t).whiteSpace, r.left, r.right, window.innerWidth];", box)
    scroll_w, client_w, scroll_h, client_h, white_space, left, right, window_w = sizes
    assert scroll_w <= client_w and scroll_h <= client_h and white_space == "normal"
    assert 0 <= left and right <= window_w
    # every line of the tooltip is the layer's full text, nothing cut off
    config_text = driver.execute_script(
        "var v = window.mixingMapView, code = arguments[0], i = v.config.layers.findIndex("
        "function (d) { return d.id === 'scenario_change-0'; });"
        "return v.config.data.features.find(function (f) {"
        " return f.properties.c === code; }).properties.t[i];", code)
    assert config_text in text.replace("\n", " ")


def _national_like(empty_code: str = "GM0002"):
    """Three 'real' municipalities of one run (GM codes), one of them without any boundary
    (its buurt codes have no shape, as 15 have in the national 2024 run on 2019 shapes), and
    the demo city of an earlier run in the same folder."""
    parts = []
    for i, code in enumerate(("GM0001", empty_code, "GM0003")):
        city = make_demo_city(seed=i + 3, code=code, name=f"Stad {i + 1}")
        city["geometry"] = city.geometry.translate(12_000 * i, 0)
        parts.append(city)
    parts[1]["geometry"] = None
    parts.append(make_demo_city())
    units = pd.concat(parts, ignore_index=True).set_geometry("geometry", crs=28992)
    runs = {"GM0001": "nl-2024.yaml (aaaa)", empty_code: "nl-2024.yaml (aaaa)",
            "GM0003": "nl-2024.yaml (aaaa)", "DEMO01": "config.yaml (bbbb)"}
    return units, runs


def test_national_overview_opens_without_error_with_municipalities_without_geometry(
        driver, tmp_path):
    from mixing.viz.overview import overview_page

    units, runs = _national_like()
    indices = index_table(units, indices=("dissimilarity",), inference_indices=())
    path = tmp_path / "index.html"
    path.write_text(overview_page(units, indices, runs=runs,
                                  current_run="nl-2024.yaml (aaaa)"), encoding="utf-8")
    _open(driver, path)
    assert _errors(driver) == []
    # a layer is chosen and its legend shown on load, without a click
    assert driver.execute_script("return window.mixingMapView.active()") == "d-social_housing"
    assert _visible_legends(driver) == ["d-social_housing"]
    # drawn: this run's two municipalities with a boundary; the demo of the other run is not
    drawn = driver.execute_script(
        "return Array.from(document.querySelectorAll('.leaflet-overlay-pane path[data-code]'))"
        ".map(function (p) { return p.getAttribute('data-code'); }).sort()")
    assert drawn == ["GM0001", "GM0003"]
    # listed: every municipality, this run's (GM0002 too) apart from the demo's run
    tables = driver.execute_script(
        "return Array.from(document.querySelectorAll('table[id^=mx-indices]')).map("
        "function (t) { return Array.from(t.tBodies[0].rows).map("
        "function (r) { return r.cells[1].textContent; }); })")
    assert tables == [["GM0001", "GM0002", "GM0003"], ["DEMO01"]]
    headings = [h.text for h in driver.find_elements("css selector", "h2.mx-run")]
    assert headings == ["Deze berekening (nl-2024.yaml (aaaa)), 2024",
                        "Synthetische demogemeente (config.yaml (bbbb)): geen CBS-gegevens, "
                        "niet te vergelijken met echte gemeenten"]
    assert "Bron: CBS" in driver.find_element("css selector", ".leaflet-control-attribution").text


def test_layer_groups_without_an_element_do_not_break_the_map(driver, tmp_path):
    from mixing.viz.maps import map_page

    square = [[[4.0, 52.0], [4.01, 52.0], [4.01, 52.01], [4.0, 52.01], [4.0, 52.0]]]
    shapes = [{"type": "GeometryCollection", "geometries": []},
              {"type": "GeometryCollection",
               "geometries": [{"type": "Polygon", "coordinates": square}]},
              {"type": "Polygon", "coordinates": square}]
    features = [{"type": "Feature", "geometry": g,
                 "properties": {"c": f"GM000{i}", "n": "", "w": "", "k": [0], "t": ["x"],
                                "r": []}} for i, g in enumerate(shapes)]
    config = {"bounds": [[52.0, 4.0], [52.01, 4.01]], "title": "t",
              "labels": {"unit_code": "Code", "wijk": "", "click_hint": "", "layers": "L",
                         "background_group": "", "source": "Bron"},
              "colors": {"unknown": "#ccc", "empty": "#fff"},
              "layers": [{"id": "a", "group": "g", "title": "A", "short": "A",
                          "colors": ["#123456"], "legend": {"title": "A", "items": []}}],
              "groups": [["g", "G"]], "summary": [], "rowKeys": [], "background": None,
              "data": {"type": "FeatureCollection", "features": features}}
    path = tmp_path / "collections.html"
    path.write_text(map_page(config, "nl"), encoding="utf-8")
    _open(driver, path)
    assert _errors(driver) == []
    assert driver.execute_script("return window.mixingMapView.active()") == "a"
    assert _visible_paths(driver) == 2


def test_overview_page_fits_a_phone(driver, tmp_path):
    from mixing.viz.overview import overview_page

    a = make_demo_city()
    b = make_demo_city(seed=7, code="DEMO02", name="Tweestad (synthetisch)")
    b["geometry"] = b.geometry.translate(12_000, 0)
    units = pd.concat([a, b], ignore_index=True).set_geometry("geometry")
    path = tmp_path / "index.html"
    path.write_text(overview_page(units, index_table(units)), encoding="utf-8")
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True})
    try:
        _open(driver, path)
        width = driver.execute_script("return [document.documentElement.scrollWidth,"
                                      " window.innerWidth]")
        assert width == [390, 390]  # the wide table scrolls inside itself, not the page
        folded = driver.execute_script(
            "return document.querySelector('.mx-control').classList.contains('mx-folded')")
        assert folded  # the layer choice does not cover the small map
        assert _visible_paths(driver) == 2
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
