"""The alias registry, the one missing-data policy and geometry repair, in isolation."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely import Polygon

from mixing.errors import InputError
from mixing.io.columns import normalise, resolve_columns, split_unit
from mixing.io.missing import HiddenValuesWarning, to_float
from mixing.io.readers.geo import GeometryRepairedWarning, repair


@pytest.mark.parametrize("header", [
    "AantalInwoners_5", "||Aantal inwoners", "Bevolking/Aantal inwoners (aantal)",
    "Bevolking.Aantal.inwoners..aantal.", "aantal_inwoners"])
def test_population_in_every_scheme(header):
    assert resolve_columns(["Codering_3", header])["population"].source == header


def test_longest_alias_wins_for_nonwestern():
    prefix = "Bevolking.Personen.met.een.migratieachtergrond."
    found = resolve_columns([prefix + "Westers.totaal..aantal.",
                             prefix + "Niet.westers.Niet.westers.totaal..aantal."])
    assert found["population_migration_western"].position == 0
    assert found["population_migration_nonwestern"].position == 1


def test_duplicate_names_resolved_by_unit_and_order():
    names = ["Codering", "Huurwoningen totaal", "Huurwoning", "Huurwoning", "Koopwoningen"]
    units = ["code", "%", "kWh", "m³", "%"]
    found = resolve_columns(names, units)
    assert found["dwellings_owner_occupied"].unit == "percent"
    assert found["dwellings_rented"].position == 1


def test_unit_row_decides_count_or_percent():
    key = "population_migration_western"
    assert resolve_columns(["Westers totaal"], ["%"])[key].unit == "percent"
    assert resolve_columns(["Westers totaal"], ["aantal"])[key].unit == "count"
    assert resolve_columns(["WestersTotaal_17"])[key].unit == "count"


def test_short_codes_match_only_exactly():
    found = resolve_columns(["BU_CODE", "WK_CODE", "WONINGEN", "G_WONING_X"], exact_only=True)
    assert found["unit_code"].source == "BU_CODE"  # buurt code before wijk code
    assert found["dwellings"].source == "WONINGEN"


def test_normalise_and_split_unit():
    assert normalise("k_65JaarOfOuder_12") == "k65jaarofouder"
    assert normalise("PC4_1") == "pc41"  # not an OData ordinal
    income = "Inkomen.Inkomen.van.personen.Gemiddeld.inkomen.per.inwoner"
    assert split_unit(income + "...x.1.000.euro.") == (income, "x 1 000 euro")
    assert split_unit("Bevolking/Bevolking naar herkomst/Herkomstland/Buiten Europa  (aantal)")[1] \
        == "aantal"


def test_to_float_hides_dots_empties_and_sentinels_with_one_warning():
    values = pd.Series(["  12", "    .", "", " 3,5", "-"])
    with pytest.warns(HiddenValuesWarning, match=r"f.csv: column 'X': 2 of 5 values hidden"):
        out = to_float(values, file="f.csv", column="X", decimal=",")
    np.testing.assert_array_equal(out, [12.0, np.nan, np.nan, 3.5, 0.0])
    numbers = pd.Series([5, -99997, -99999999, -99995, -3])
    with pytest.warns(HiddenValuesWarning, match="3 of 5"):
        out = to_float(numbers, file="g.shp", column="Y")
    assert out.isna().sum() == 3 and out.iloc[-1] == -3  # -3 is kept: the reader rejects it
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        to_float(pd.Series([1.0, 2.0]), file="h", column="Z")  # nothing hidden: no warning


def test_to_float_rejects_text():
    with pytest.raises(InputError, match=r"column 'X', row 1.*expected a number.*'abc'"):
        to_float(pd.Series(["1", "abc"]), file="f.csv", column="X")


def test_repair_bowtie_keeps_polygons():
    bowtie = Polygon([(0, 0), (2, 2), (2, 0), (0, 2)])
    square = Polygon([(0, 0), (1, 0), (1, 1), (0, 1)])
    series = gpd.GeoSeries([bowtie, square, None], crs="EPSG:28992")
    with pytest.warns(GeometryRepairedWarning, match="repaired 1 invalid"):
        fixed = repair(series, "x.gpkg")
    assert fixed.is_valid[:2].all() and fixed.iloc[0].area == pytest.approx(2.0)
    assert fixed.iloc[0].geom_type == "MultiPolygon" and fixed.iloc[2] is None
