"""The scenario comparison page (mixing.viz.compare) on the synthetic demo city.

The page is read as a person would: one card per scenario with its title and description,
the costs in the card equal to the scenario table, every changed buurt named and linked to
the map, Dutch number formats, nothing loaded from the network.
"""

from __future__ import annotations

import html
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from conftest import REPO, SEED

from mixing.io.demo import make_demo_city
from mixing.scenarios import (
    load_scenarios,
    run_scenarios,
    scenario,
    scenario_changes,
    scenario_title,
    unit_changes,
)
from mixing.scenarios.labels import short_title
from mixing.viz.compare import _num, _pct, scenario_page


@pytest.fixture(scope="module")
def lab():
    units = make_demo_city()
    units = units[units["level"] == "buurt"].reset_index(drop=True)
    scenarios = load_scenarios(REPO / "config" / "scenarios.yaml")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        summary, after = run_scenarios(units, scenarios, seed=SEED, permutations=19)
    return units, scenarios, summary, after


@pytest.fixture(scope="module")
def page(lab):
    units, _, summary, after = lab
    return scenario_page(summary, scenario_changes(units, after), units)


def parse_nl(text: str) -> float:
    """``1.234`` -> 1234.0, ``−0,018`` -> -0.018 (the page's Dutch format)."""
    return float(text.replace("−", "-").replace("+", "").replace(".", "").replace(",", "."))


def cards(page: str) -> dict[str, str]:
    found = re.findall(r"<article class='card' id='([^']+)'.*?</article>", page, flags=re.S)
    bodies = re.findall(r"<article class='card'.*?</article>", page, flags=re.S)
    return dict(zip(found, bodies, strict=True))


def fields(card: str) -> dict[str, str]:
    """The first text of each data field of a card (the costs appear once per card)."""
    out = {}
    for name, text in re.findall(r"data-field='([a-z_:0-9]+)' data-value='[^']*'[^>]*>"
                                 r"([^<]+)<", card):
        out.setdefault(name, text)
    return out


def test_number_formats_are_dutch_by_default():
    assert _num(1234.4) == "1.234"
    assert _num(0.4213, 2) == "0,42"
    assert _pct(0.123) == "12 %"
    assert _num(-0.01803, 3, signed=True) == "−0,018"
    assert _num(1234.4, 1, "en") == "1,234.4"
    assert _num(-0.0001, 2) == "0,00"  # no "-0,00"
    assert _num(float("nan")) == "–"


def test_titles_say_what_the_scenario_does():
    assert scenario_title(scenario("a", "differentiate", threshold=0.8, target=0.6)) == (
        "Verkoop aan bewoners: buurten boven 80 % sociale huur naar 60 %")
    assert scenario_title(scenario("b", "new_district", dwellings=2750, social_share=0.35),
                          "en") == "New district: 2,750 homes, 35 % social housing"
    assert short_title(scenario("c", "allocation")) == "Toewijzing"


def test_one_card_per_scenario_with_title_and_dutch_description(lab, page):
    _, scenarios, _, _ = lab
    found = cards(page)
    assert list(found) == list(scenarios)
    for name, card in found.items():
        sc = scenarios[name]
        assert scenario_title(sc, "nl", scenarios).replace("'", "&#x27;") in card
        assert sc.description[:40] in card
    assert "<html lang='nl' " in page
    assert "Wie betaalt" in page and "Wat het oplevert" in page


def test_card_numbers_equal_the_scenario_table(lab, page):
    _, _, summary, _ = lab
    for name, card in cards(page).items():
        row = summary[summary["scenario"] == name].iloc[0]
        shown = fields(card)
        for column in ("dwellings_converted", "dwellings_demolished", "dwellings_built",
                       "households_displaced", "low_income_displaced", "households_rehoused"):
            assert parse_nl(shown[column]) == round(float(row[column])), (name, column)
        d = summary[(summary["scenario"] == name) & (summary["dimension"] == "low_income")
                    & (summary["index"] == "dissimilarity")].iloc[0]
        row_html = re.search(r"<tr data-dimension='low_income' data-index='dissimilarity'>"
                             r".*?</tr>", card).group(0)
        shown_change = parse_nl(fields(row_html)["change"])
        assert abs(shown_change - d["change"]) <= 0.0005 + 1e-12


def test_every_changed_buurt_is_named_and_linked_to_the_map(lab, page):
    units, _, summary, after = lab
    found = cards(page)
    for name, card in found.items():
        changes = unit_changes(units, after[name])
        linked = set(re.findall(r"href='map\.html#([^']+)'", card))
        assert linked == set(changes.loc[changes["changed"], "unit_code"]), name
    sale = unit_changes(units, after["herstructurering_verkoop"])
    units_changed = summary.loc[summary["scenario"] == "herstructurering_verkoop",
                                "units_changed"].iat[0]
    assert int(sale["changed"].sum()) == units_changed
    assert np.allclose(sale["dwellings_after"], sale["dwellings_before"])  # sale keeps stock


def test_costs_that_are_not_displacement_are_shown(lab, page):
    """Spreading displaces nobody but sells and builds thousands of homes over years."""
    _, _, summary, _ = lab
    card = cards(page)["spreiden_50"]
    row = summary[summary["scenario"] == "spreiden_50"].iloc[0]
    assert row["households_displaced"] == 0 and row["dwellings_converted"] > 0
    assert "tot " in card and " jaar" in card  # years needed at turnover
    assert "verdwijnen" in card  # the warning names the social homes that leave
    # the chart's right panel plots dwellings changed, so spreading is not at x = 0 there
    assert "Woningen verkocht, gesloopt of gebouwd" in page


def test_page_is_offline_and_english_on_request(lab, page):
    units, scenarios, summary, after = lab
    # one script, and it only writes the print date (the file stays reproducible)
    from mixing.viz.compare import _PRINT_DATE

    assert page.count("<script") == 1 and f"<script>{_PRINT_DATE}</script>" in page
    assert not re.search(r"(src|href)=['\"]?(https?:)?//", page)
    changes = scenario_changes(units, after)
    english = scenario_page(summary, changes, units, language="en")
    assert "Scenarios compared" in english and "Who pays" in english
    assert "<html lang='en' data-locale='en-GB'>" in english
    with pytest.raises(ValueError, match="language"):
        scenario_page(summary, changes, units, language="de")


def test_demo_page_names_its_synthetic_source(page):
    """The footer credits CBS only for CBS data (the lab fixture is the demo city)."""
    text = html.unescape(page)
    footer = text[text.index("<footer>"):text.index("</footer>")]
    assert "Bron: synthetische gegevens (mixing demo), niet van CBS; berekend met mixing" \
        in footer
    assert "CBS, CC BY" not in footer


def test_empty_table_gives_a_page_that_says_so(lab):
    units, scenarios, summary, after = lab
    empty = scenario_page(summary.iloc[0:0], scenario_changes(units, after).iloc[0:0], units)
    assert "Geen scenario's berekend" in html.unescape(empty)


def test_scenario_table_carries_intervals(lab):
    _, _, summary, _ = lab
    rows = summary[summary["index"] == "dissimilarity"]
    assert rows[["baseline_ci_low", "baseline_ci_high", "scenario_ci_low",
                 "scenario_ci_high"]].notna().all().all()
    assert (rows["baseline_ci_low"] <= rows["baseline_ci_high"]).all()
    assert isinstance(summary, pd.DataFrame)


def test_every_number_on_the_demo_page_is_a_table_cell(lab, page):
    from _page_numbers import check_scenario_page

    from mixing.viz.compare import TEXT
    from mixing.viz.style import words

    units, _, summary, after = lab
    changes = scenario_changes(units, after)
    assert check_scenario_page(page, summary, changes, TEXT["nl"] | words("nl")) > 500
    english = scenario_page(summary, changes, units, language="en")
    check_scenario_page(english, summary, changes, TEXT["en"] | words("en"), "en")


def test_every_number_on_the_den_haag_page_and_overview_is_a_table_cell(den_haag_2019):
    """Den Haag 2019: the page and the overview only format cells of scenarios.csv,
    scenario_changes.csv and indices.csv."""
    from _page_numbers import check_overview, check_scenario_page

    from mixing.tables.frames import index_table
    from mixing.viz.compare import TEXT
    from mixing.viz.overview import overview_page
    from mixing.viz.style import words

    scenarios = load_scenarios(REPO / "config" / "scenarios.yaml")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        summary, after = run_scenarios(den_haag_2019, scenarios, seed=SEED, permutations=19)
    changes = scenario_changes(den_haag_2019, after)
    page = scenario_page(summary, changes, den_haag_2019)
    assert check_scenario_page(page, summary, changes, TEXT["nl"] | words("nl")) > 500
    demo = make_demo_city()
    units = pd.concat([den_haag_2019, demo], ignore_index=True).set_geometry("geometry")
    indices = index_table(units)
    demo_buurten = demo[demo["level"] == "buurt"].reset_index(drop=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        demo_summary, _ = run_scenarios(demo_buurten, scenarios, seed=SEED, permutations=0)
    both = pd.concat([summary, demo_summary], ignore_index=True)
    overview = overview_page(units, indices, scenarios=both)
    assert check_overview(overview, both, indices) > 60
    # one row per municipality and scenario, in the page's words
    assert overview.count("<tr><td>") >= 16 and "Moeten verhuizen" in overview
    assert "Verhuisde huishoudens" not in overview and "herstructurering_sloop<" not in overview


def test_no_internal_names_where_a_person_reads(page):
    text = html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>", "", page,
                                                            flags=re.S)))
    assert "naam in de configuratie" not in text
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), re.findall(r"\b[a-z]+_[a-z_]+\b",
                                                                   text)[:5]


def test_rehousing_shortfall_is_named_under_who_pays(lab, page):
    _, _, summary, _ = lab
    card = cards(page)["herstructurering_sloop"]
    row = summary[summary["scenario"] == "herstructurering_sloop"].iloc[0]
    assert row["households_not_rehoused"] > 0
    pays = card[card.index("Wie betaalt"):card.index("Wat het oplevert")]
    assert "Huishoudens die geen woning elders vinden" in html.unescape(pays)
    assert fields(pays)["households_not_rehoused"] == _num(row["households_not_rehoused"])
    assert "Niet gelukt binnen de grenzen" not in html.unescape(page)


def test_chart_and_table_share_one_sign(lab, page):
    """change = after - before on both: a falling D is below zero in the chart and negative
    in the table."""
    assert "Verandering D lage inkomens (na − voor)" in page  # the chart's axis
    assert "Verandering D lage inkomens (na − voor)</th>" in page  # the overview's column
    assert "onder de stippellijn daalt D" in page and "Daling van D" not in page
