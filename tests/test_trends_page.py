"""The trend page (mixing.viz.trends) on the committed change tables of Rotterdam 2014-2018
and Amsterdam 2017-2019: every point is a number of trends.csv, nothing else is drawn."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from conftest import REPO

from mixing.viz.pages import municipality_links
from mixing.viz.trends import TREND_INDICES, trend_page

EXPECTED = REPO / "tests" / "expected"


@pytest.fixture(scope="module")
def rotterdam():
    trends = pd.read_csv(EXPECTED / "GM0599" / "change" / "trends.csv")
    page = trend_page(trends, name="Rotterdam", base_year=2017,
                      links=municipality_links(scenarios=True, trends=True))
    return trends, page


def test_one_panel_per_dimension_and_index_with_every_year(rotterdam):
    trends, page = rotterdam
    panels = re.findall(r"<figure class='panel' data-dimension='(\w+)' data-index='(\w+)'>"
                        r"(.*?)</figure>", page, flags=re.S)
    assert [(d, i) for d, i, _ in panels] == [
        ("social_housing", "dissimilarity"), ("social_housing", "isolation"),
        ("migration", "dissimilarity"), ("migration", "isolation")]
    for dimension, index, svg in panels:
        drawn = {int(y): float(v) for y, v in re.findall(
            r"data-year='(\d+)' data-value='([^']+)'", svg)}
        rows = trends[(trends["dimension"] == dimension) & (trends["index"] == index)]
        assert drawn == pytest.approx(dict(zip(rows["year"], rows["value"], strict=True)),
                                      rel=1e-5)
        assert "<polygon class='band'" in svg  # the 95 % interval
    assert set(TREND_INDICES) == {"dissimilarity", "isolation"}


def test_title_links_and_numbers_in_dutch(rotterdam):
    trends, page = rotterdam
    assert "<title>Rotterdam, 2014, 2015, 2016, 2017, 2018 – Door de jaren</title>" in page
    assert "<span aria-current='page'>Door de jaren</span>" in page
    assert "<a href='map.html' data-page='map'>Kaart</a>" in page
    assert "buurtindeling van 2017" in page
    d_2014 = trends.query("year == 2014 and dimension == 'social_housing' and "
                          "index == 'dissimilarity'")["value"].iat[0]
    assert f"<td>{d_2014:.3f}</td>".replace(".", ",") in page
    assert "<script" not in page and "http" not in page.replace("http-equiv", "")


def test_two_years_and_no_years(cbs_dir):
    trends = pd.read_csv(EXPECTED / "GM0363" / "change" / "trends.csv")
    page = trend_page(trends, name="<Amsterdam>", base_year=2019)
    assert page.count("class='pt'") == 2 * 4 and "&lt;Amsterdam&gt;" in page
    assert "<Amsterdam>" not in page
    empty = trend_page(trends.iloc[0:0], name="X", base_year=2019, language="en")
    assert "No years to compare." in empty
