"""The caveats table (mixing.tables.caveats) and its "Let op" block on every page.

Den Haag 2019 (OData 84583NED): CBS hides the corporation share of 5 of the 114 buurten,
so 3 of the 44 wijk sums of social dwellings are lower bounds; the national 2019 boundary
file has 21 invalid shapes that are repaired on reading.
"""

from __future__ import annotations

import warnings

import pandas as pd
import pytest
from conftest import DEN_HAAG_2019

from mixing.io.aggregate import aggregate_units
from mixing.io.demo import make_demo_city
from mixing.tables.batch import read_batch
from mixing.tables.caveats import CAVEAT_COLUMNS, caveat_table, run_summary
from mixing.tables.frames import index_table
from mixing.viz.caveats import caveat_sentences, caveats_html
from mixing.viz.maps import municipality_map
from mixing.viz.overview import overview_page


@pytest.fixture(scope="module")
def den_haag(den_haag_2019):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the lower-bound warning is what is tested here
        wijken = aggregate_units(den_haag_2019, "wijk")
    return pd.concat([den_haag_2019, wijken], ignore_index=True).set_geometry("geometry")


@pytest.fixture(scope="module")
def caveats(den_haag):
    return caveat_table(den_haag, repaired=21)


def _row(caveats, kind, column, level="buurt"):
    rows = caveats[(caveats["kind"] == kind) & (caveats["column"] == column)
                   & (caveats["level"] == level)]
    assert len(rows) == 1, rows
    return int(rows["count"].iat[0]), rows["total"].iat[0]


def test_den_haag_caveats_are_counted_from_the_data(den_haag, caveats):
    assert tuple(caveats.columns) == CAVEAT_COLUMNS
    assert _row(caveats, "hidden", "dwellings_social") == (5, 114)
    assert _row(caveats, "hidden", "mean_income") == (7, 114)
    # a wijk with some, not all, buurten hidden has a lower-bound sum
    assert _row(caveats, "lower_bound", "dwellings_social", "wijk") == (3, 44)
    assert _row(caveats, "unnamed", "unit_name") == (114, 114)  # OData has no names
    assert _row(caveats, "repaired", "geometry")[0] == 21
    # population is never hidden in this file: no row, not a row with 0
    assert not ((caveats["kind"] == "hidden") & (caveats["column"] == "population")).any()
    assert list(dict.fromkeys(caveats["kind"])) == ["hidden", "lower_bound", "unnamed",
                                                     "repaired"]


def test_units_without_boundary_are_a_caveat():
    units = make_demo_city()
    units.loc[:2, "geometry"] = None
    table = caveat_table(units)
    assert _row(table, "no_geometry", "geometry") == (3, 135)


def test_read_batch_keeps_the_repair_count_of_the_boundary_file(cbs_dir):
    source = {"geometry": str(cbs_dir / "buurt_2019_nl_topojson/buurten.json"),
              "table": [str(cbs_dir / DEN_HAAG_2019)], "year": 2019}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        units = read_batch({"GM0518": source})["GM0518"]
    assert units.attrs["repaired_geometries"] == 21
    # the warning still reaches the log
    assert any("repaired 21 invalid geometries" in str(w.message) for w in caught)


def test_sentences_say_what_is_hidden_in_dutch_and_english(caveats):
    nl = caveat_sentences(caveats)
    assert nl[0].startswith("Geheim gehouden of niet gepubliceerd door CBS (van 114 buurten):")
    assert "woningen in bezit van woningcorporaties 5" in nl[0]
    assert nl[1].startswith("Totalen per wijk tellen alleen de bekende buurten op")
    assert "woningen in bezit van woningcorporaties in 3 van 44 wijken" in nl[1]
    assert "114 van 114 buurten hebben in geen enkele bron een naam" in nl[2]
    assert nl[3].startswith("44 van 44 wijken hebben in geen enkele bron een naam")
    assert nl[4].startswith("21 ongeldige grenzen in het grenzenbestand zijn hersteld")
    en = caveat_sentences(caveats, "en")
    assert en[0].startswith("Kept secret or not published by CBS (of 114 neighbourhoods):")
    assert caveat_sentences(caveats.iloc[0:0]) == [] and caveats_html(None) == ""


def test_let_op_block_on_the_map_and_the_overview():
    units = make_demo_city()
    table = caveat_table(units)
    page = municipality_map(units, index_table(units, indices=("dissimilarity",),
                                               inference_indices=()), caveats=table)
    panel = page.split("id='mx-title'", 1)[1]
    assert "<details class='mx-caveats' role='note'><summary>Let op: 1 punt</summary>" in panel
    assert "gemiddeld inkomen" in panel.split("</details>", 1)[0]
    overview = overview_page(units, index_table(units, indices=("dissimilarity",),
                                                inference_indices=()), caveats=table)
    assert "<th>Let op</th>" in overview and "Let op: 1 punt" in overview


def test_data_text_in_caveats_is_escaped():
    table = pd.DataFrame([{"municipality_code": "GM0001", "kind": "no_geometry",
                           "level": "<b>buurt</b>", "column": "geometry", "count": 2,
                           "total": 9}])
    block = caveats_html(table)
    assert "&lt;b&gt;buurt&lt;/b&gt;" in block and "<b>" not in block


def test_console_summary_counts_each_municipality(tmp_path, caveats):
    caveats.to_csv(tmp_path / "GM0518.csv", index=False)
    caveat_table(make_demo_city()).iloc[0:0].to_csv(tmp_path / "DEMO01.csv", index=False)
    text = run_summary({"GM0518": tmp_path / "GM0518.csv", "DEMO01": tmp_path / "DEMO01.csv",
                        "GM0599": tmp_path / "none.csv"})
    lines = text.splitlines()
    assert lines[0].startswith("mixing: 2 municipalities with results, 1 without data")
    assert lines[1].startswith("mixing: let op GM0518: 37 values hidden by CBS in 6 column(s);"
                               " 11 wijk totals (over 4 column(s)) are lower bounds;")
    assert "114 buurt unit(s) without a name" in lines[1]
    assert lines[2] == "mixing: let op DEMO01: none"
