"""Postcodes (PC4) to municipalities: the Apeldoorn sample and the national 2023 table.

Issue 22: every postcode in exactly one municipality, by where most of its area lies; regions
that cover a postcode only partly never pull it in; totals over all municipalities equal
CBS's table.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
import yaml
from shapely import box

from mixing.errors import InputError
from mixing.io.cbs import DroppedRowsWarning, read_units
from mixing.io.postcodes import MERGERS, assign_postcodes, successor
from mixing.tables.batch import read_batch
from mixing.workflow_io import check_config

REPO = Path(__file__).resolve().parents[1]
SAMPLE = "pc4_stats_sample_apeldoorn/sample_shape.shp"
PC4_2023 = "pc4_stats_2023_nl/CBS_PC4.csv"
PC4_GEOMETRY = "pc4_nl_certegis/geo_postcodes4.gpkg"
BUURTEN = "buurt_2019_nl_topojson/buurten.json"
NATIONAL_CONFIG = REPO / "config" / "examples" / "nl-pc4-2023.yaml"


def _quiet(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_units(*args, **kwargs)


# --- the rule, on boxes -------------------------------------------------------------------

def test_partial_regions_never_pull_a_postcode_in():
    # 7311 lies wholly in GM0200's buurt; 7312 has 1/6 of its area there and the rest
    # outside the regions; 7313 is 3/4 in GM0232; 7314 has no polygon (placed by 7313).
    regions = ["BU02000001", "GM0232"]
    shapes = [box(0, 0, 10, 10), box(20, 0, 30, 10)]
    found = assign_postcodes(
        ["7311", "7312", "7313", "7314"],
        [box(1, 1, 9, 9), box(8, 0, 20, 10), box(17.5, 0, 27.5, 10), None], regions, shapes)
    assert found.municipality.tolist() == ["GM0200", None, "GM0232", "GM0232"]
    assert found.outside.tolist() == [False, True, False, False]
    assert found.placed.tolist() == [False, False, False, True]
    np.testing.assert_allclose(found.share[:3], [1.0, np.nan, 0.75])


def test_merged_municipalities_map_to_their_successor():
    assert successor("GM0457", 2022) == "GM0363" and successor("GM0457", 2021) == "GM0457"
    assert all(new != old for old, (new, _) in MERGERS.items())
    assert not set(MERGERS) & {new for new, _ in MERGERS.values()}  # one step each
    regions = ["BU04570001", "BU07880001"]
    shapes = [box(0, 0, 10, 10), box(10, 0, 20, 10)]
    found = assign_postcodes(["1381", "5076"], [box(0, 0, 10, 10), box(10, 0, 20, 5)],
                             regions, shapes, year=2023)
    assert found.municipality.tolist() == ["GM0363", "GM0824"]  # Weesp; Haaren's village
    before = assign_postcodes(["1381", "5076"], [box(0, 0, 10, 10), box(10, 0, 20, 5)],
                              regions, shapes, year=2020)
    assert before.municipality.tolist() == ["GM0457", "GM0788"]


# --- the Apeldoorn sample (41 postcodes: Apeldoorn 33, Voorst 6, Epe 2) -----------------

def test_apeldoorn_sample_on_national_buurten(cbs_dir, nl_geometry):
    units = _quiet(cbs_dir / SAMPLE, level="pc4", year=2015, regions=nl_geometry,
                   municipality="GM0200")
    assert len(units) == 33 and units["population"].sum() == 158_090


def test_apeldoorn_sample_on_apeldoorns_buurten_only(cbs_dir, nl_geometry):
    # Only Apeldoorn's buurten: the postcodes of Voorst and Epe touch them by 0.5-1.7 % of
    # their area and lie mostly outside them; they are left out, with a warning that
    # counts them (before issue 22: 39 postcodes, 178,200 inhabitants).
    own = nl_geometry[nl_geometry["statcode"].str.startswith("BU0200")]
    with pytest.warns(DroppedRowsWarning, match=r"6 postcodes overlap GM0200 only partly "
                                                r"and lie mostly outside the regions"):
        units = read_units(cbs_dir / SAMPLE, level="pc4", year=2015, regions=own,
                           municipality="GM0200")
    assert len(units) == 33 and units["population"].sum() == 158_090


def test_workflow_sources_split_a_pc4_file(cbs_dir):
    source = {"geometry": str(cbs_dir / SAMPLE), "level": "pc4", "year": 2015,
              "regions": str(cbs_dir / BUURTEN)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tables = read_batch({"GM0200": source, "GM0285": source}, ["pc4"])
    assert len(tables["GM0200"]) == 33 and tables["GM0200"]["population"].sum() == 158_090
    assert len(tables["GM0285"]) == 6


def test_a_pc4_entry_without_regions_is_a_config_error():
    schema = yaml.safe_load((REPO / "workflow/schemas/config.schema.yaml").read_text())
    config = {"seed": 1, "municipalities": {"GM0200": {
        "geometry": "pc4.shp", "level": "pc4", "year": 2015}}}
    with pytest.raises(InputError, match=r"municipalities.GM0200: 'regions' is a required "
                                         r"property"):
        check_config(config, schema, ["x.yaml"])
    config["municipalities"]["GM0200"]["regions"] = "buurten.json"
    check_config(config, schema, ["x.yaml"])


# --- the national PC4 table 2023 ----------------------------------------------------------

@pytest.fixture(scope="module")
def national(cbs_dir, nl_geometry):
    return _quiet(cbs_dir / PC4_GEOMETRY, cbs_dir / PC4_2023, level="pc4", year=2023,
                  regions=nl_geometry)


def test_no_postcode_lost_or_counted_twice(national):
    assert len(national) == 4070 and national["unit_code"].is_unique
    assert national["municipality_code"].notna().all()
    # the table's own totals (PROVENANCE.md), to the person: CBS rounds each PC4 to 5
    assert national["population"].sum() == 17_809_175
    assert national["dwellings_social"].sum() == 2_312_660
    assert national["dwellings"].sum() == 8_125_075
    assert national["households"].sum() == 8_268_035
    by_municipality = national.groupby("municipality_code")["population"].sum()
    assert by_municipality.sum() == 17_809_175


def test_every_2023_municipality_and_no_other(national):
    config = yaml.safe_load(NATIONAL_CONFIG.read_text(encoding="utf-8"))
    assert set(national["municipality_code"]) == set(config["municipalities"])
    assert len(config["municipalities"]) == 342


def test_merged_split_and_unmapped_postcodes_land_right(national):
    where = dict(zip(national["unit_code"], national["municipality_code"], strict=True))
    assert where["1381"] == "GM0363"  # Weesp, in Amsterdam since 2022
    assert where["5074"] == "GM0855" and where["5268"] == "GM0865"  # Haaren's villages
    assert where["1086"] == "GM0363"  # IJburg: mostly land newer than the 2019 buurten
    # no 2020 polygon: counted where the neighbouring postcode number lies
    assert (where["2236"], where["8269"], where["8323"]) == ("GM0537", "GM0166", "GM0184")
    assert national.set_index("unit_code").geometry.isna().sum() == 3


def test_national_table_columns(national):
    share = national["dwellings_social"].sum() / national.loc[
        national["dwellings_social"].notna(), "dwellings"].sum()
    assert share == pytest.approx(0.288, abs=0.001)  # PROVENANCE.md: 28.8 %
    assert national["population_benefits"].sum() == 1_309_120
    amsterdam_centre = national.set_index("unit_code").loc["1011"]
    assert amsterdam_centre["population"] == 9_910
    assert amsterdam_centre["dwellings_social"] == 2_445
    # origin: 5 CBS shares (rounded to 10 points) summed into 3 groups
    assert amsterdam_centre["population_origin_dutch"] == pytest.approx(0.5 * 9_910)
    assert amsterdam_centre["population_origin_europe"] == pytest.approx(0.3 * 9_910)
    assert amsterdam_centre["population_origin_outside_europe"] == pytest.approx(0.3 * 9_910)
    assert amsterdam_centre["mean_woz"] == 589


# --- the country as one area (results/NL00) ------------------------------------------------

def test_country_decomposition_adds_up(national):
    from mixing.kernels import multigroup
    from mixing.tables.regions import COUNTRY, as_one_area, composition, country_decomposition

    parts = country_decomposition(national)
    d = parts.decomposition.pivot(index="dimension", columns="component", values="M")
    assert set(d.index) == {"social_housing", "benefits", "origin_outside_europe", "tenure",
                            "origin"}
    np.testing.assert_allclose(d["between"] + d["within"], d["total"], rtol=1e-12)
    # social housing as two groups (corporation vs other dwellings): the total M is the
    # kernel's M of the whole country, and most of it lies within municipalities
    counts = composition(national, "social_housing")
    assert d.at["social_housing", "total"] == pytest.approx(
        float(multigroup.mutual_information(counts)), rel=1e-12)
    assert 0.5 < d.at["social_housing", "within"] / d.at["social_housing", "total"] < 1
    contributions = parts.municipalities.groupby("dimension")["contribution_M"].sum()
    np.testing.assert_allclose(contributions[d.index], d["within"], rtol=1e-9)
    country = as_one_area(national)
    assert (country["municipality_code"] == COUNTRY).all()
    assert country.set_index("unit_code").at["1011", "unit_name"] == "1011 (GM0363)"
