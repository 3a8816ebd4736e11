"""The pages of a run link to each other and name place and year in their <title>.

Overview (results/index.html) <-> map (results/{code}/map.html) <-> scenario page
(results/{code}/scenarios.html), all with relative links, read from the rendered HTML.
"""

from __future__ import annotations

import re
import warnings

import pandas as pd
import pytest
from conftest import REPO, SEED

from mixing.io.demo import make_demo_city
from mixing.scenarios import load_scenarios, run_scenarios, scenario_changes
from mixing.tables.frames import index_table
from mixing.viz.compare import scenario_page
from mixing.viz.maps import municipality_map
from mixing.viz.overview import no_data_page, overview_page
from mixing.viz.pages import document_title, municipality_links, nav_html, run_place

LINKS = municipality_links(scenarios=True)


def _title(page: str) -> str:
    head = page.split("</head>", 1)[0]
    (title,) = re.findall(r"<title>(.*?)</title>", head, flags=re.S)
    return title


def _nav(page: str) -> dict[str, str]:
    (nav,) = re.findall(r"<nav class='mx-nav'.*?</nav>", page, flags=re.S)
    return {page: href for href, page in re.findall(r"<a href='([^']+)' data-page='(\w+)'", nav)}


@pytest.fixture(scope="module")
def demo():
    units = make_demo_city()
    return units[units["level"] == "buurt"].reset_index(drop=True)


@pytest.fixture(scope="module")
def scenario_run(demo):
    specs = load_scenarios(REPO / "config" / "scenarios.yaml")
    chosen = {k: specs[k] for k in ("spreiden_50", "herstructurering_sloop")}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        summary, after = run_scenarios(demo, chosen, seed=SEED, permutations=19)
    return chosen, summary, after


def test_links_of_a_municipality_are_relative_to_its_folder():
    assert LINKS == {"overview": "../index.html", "map": "map.html",
                     "scenarios": "scenarios.html"}
    assert "scenarios" not in municipality_links(scenarios=False)


def test_map_has_a_title_with_place_and_year_and_links_to_the_other_pages(demo):
    page = municipality_map(demo, index_table(demo), links=LINKS)
    assert _title(page) == "Demostad (synthetisch), 2024 – Gemengd wonen per buurt"
    assert _nav(page) == {"overview": "../index.html", "scenarios": "scenarios.html"}
    assert "<span aria-current='page'>Kaart</span>" in page
    # written on its own (no run around it): a title, but no links to pages that do not exist
    alone = municipality_map(demo, index_table(demo), language="en")
    assert _title(alone) == "Demostad (synthetisch), 2024 – Residential mixing per neighbourhood"
    assert "mx-nav" not in alone.split("</head>", 1)[1]


def test_scenario_page_links_back_to_map_and_overview(demo, scenario_run):
    specs, summary, after = scenario_run
    page = scenario_page(summary, scenario_changes(demo, after), demo, links=LINKS)
    assert _title(page) == "Demostad (synthetisch), 2024 – Scenario&#x27;s vergeleken"
    assert _nav(page) == {"overview": "../index.html", "map": "map.html"}


def test_overview_links_every_map_and_the_scenario_pages_that_exist(demo):
    other = make_demo_city(seed=7, code="DEMO02", name="Tweestad (synthetisch)")
    other["geometry"] = other.geometry.translate(12_000, 0)
    units = pd.concat([demo, other], ignore_index=True).set_geometry("geometry")
    scenarios = pd.DataFrame({"municipality_code": ["DEMO01"], "scenario": ["verkoop"],
                              "dimension": "social_housing", "index": "dissimilarity",
                              "change": [-0.02], "households_displaced": [120]})
    page = overview_page(units, index_table(units), scenarios=scenarios,
                         links={"DEMO01": "DEMO01/map.html", "DEMO02": "runs/x/DEMO02/map.html"})
    assert _title(page) == ("Demostad (synthetisch), Tweestad (synthetisch), 2024 – "
                            "Segregatie per gemeente: overzicht")
    assert "<a href='DEMO01/scenarios.html'>scenario&#x27;s vergelijken</a>" in page
    assert "<a href='runs/x/DEMO02/map.html'>kaart openen</a>" in page
    assert "DEMO02/scenarios.html" not in page  # DEMO02 has no scenario rows


def test_no_data_page_links_only_to_the_overview():
    page = no_data_page("GM0001", "geen buurten", links=LINKS)
    assert _nav(page) == {"overview": "../index.html"}


def test_titles_and_links_escape_data_text():
    assert run_place(["A", "B", "C", "D"]) == "4 gemeenten"
    assert run_place(["A", "B", "A"], "en") == "A, B"
    title = document_title("Kaart", "<b>x</b>", [2019, 2017])
    assert title == "<b>x</b>, 2017, 2019 – Kaart"  # plain text: the pages escape it
    nav = nav_html({"overview": "a'b.html"}, "map")
    assert "href='a&#x27;b.html'" in nav
    with pytest.raises(ValueError, match="unknown pages \\['kaart'\\]"):
        nav_html({"kaart": "x.html"}, "map")
