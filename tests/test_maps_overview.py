"""The overview page (results/index.html) and the static figures, in their output."""

import re

import pandas as pd
import pytest

from mixing.io.demo import make_demo_city
from mixing.tables.frames import index_table
from mixing.viz.figures import lisa_figure, save_figure, scenario_effects_figure, share_figure
from mixing.viz.overview import overview_page

SCENARIOS = pd.DataFrame({
    "municipality_code": ["DEMO01", "DEMO01"], "scenario": ["verkoop", "<sloop>"],
    "dimension": "social_housing", "index": "dissimilarity", "change": [-0.02, -0.05],
    "households_displaced": [120, 800],
})


@pytest.fixture(scope="module")
def two_cities():
    a = make_demo_city()
    b = make_demo_city(seed=7, code="DEMO02", name="Tweestad (synthetisch)")
    b["geometry"] = b.geometry.translate(12_000, 0)
    units = pd.concat([a, b], ignore_index=True).set_geometry("geometry")
    return units, index_table(units)


@pytest.fixture(scope="module")
def local(seed):
    from mixing.tables.clusters import autocorrelation_tables

    return autocorrelation_tables(make_demo_city(), permutations=99, seed=seed)[1]


def test_overview_lists_every_municipality_with_link_and_d(two_cities):
    units, indices = two_cities
    page = overview_page(units, indices, links={"DEMO01": "DEMO01/map.html"},
                         scenarios=SCENARIOS)
    assert "Segregatie per gemeente: overzicht" in page
    assert "<a href='DEMO01/map.html'>Demostad (synthetisch)</a>" in page
    assert "<a href='DEMO02/map.html'>Tweestad (synthetisch)</a>" in page  # default link
    d = indices.query("municipality_code == 'DEMO01' and dimension == 'social_housing' "
                      "and index == 'dissimilarity'")["value"].iat[0]
    assert f"data-sort='{d:.6g}'>{d:.2f}".replace(".", ",").replace(
        f"{d:.6g}".replace(".", ","), f"{d:.6g}") in page  # sort key with ., text with ,
    assert "Effect van scenario&#x27;s" in page
    assert "&lt;sloop&gt;" in page and "<sloop>" not in page
    # one row per scenario, ranked on the D of the page's headline, in the page's words
    assert "Moeten verhuizen" in page and "Verhuisde huishoudens" not in page
    assert "Rang" in page and "<td>dissimilarity</td>" not in page
    assert "DEMO01/scenarios.html#verkoop" in page  # each row opens its card
    assert "synthetische demogemeente" in page
    assert not re.search(r"<script[^>]+src=", page) and "<link" not in page
    assert page.count("class='mx-sortable'") == 2


def test_overview_in_english_without_scenarios(two_cities):
    units, indices = two_cities
    page = overview_page(units, indices, language="en")
    assert "Segregation per municipality: overview" in page and "open map" in page
    assert "Scenario effects" not in page


def test_overview_of_demo_cities_only_does_not_credit_cbs(two_cities):
    units, indices = two_cities
    page = overview_page(units, indices)
    assert "Bron: synthetische gegevens (mixing demo), niet van CBS" in page
    assert "Bron: CBS" not in page


def test_figures_are_written_as_png_and_svg(tmp_path, local):
    units = make_demo_city()
    for name, fig in {"share": share_figure(units), "lisa": lisa_figure(units, local),
                      "effects": scenario_effects_figure(SCENARIOS, language="en")}.items():
        png, svg = save_figure(fig, tmp_path / name)
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
        assert b"<svg" in svg.read_bytes()[:500]
    assert b"hoog omringd door hoog" in (tmp_path / "lisa.svg").read_bytes()
    assert b"synthetische gegevens" in (tmp_path / "share.svg").read_bytes()


def test_scenario_chart_names_missing_columns():
    with pytest.raises(ValueError, match=r"scenarios lacks the columns \['households_displaced'\]"):
        scenario_effects_figure(SCENARIOS.drop(columns="households_displaced"))
