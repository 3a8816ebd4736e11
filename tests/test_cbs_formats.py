"""Map-file schemes built from real Den Haag 2019 data: PDOK snake_case (GeoJSON, TopoJSON),
wijk- en buurtkaart short codes (GeoPackage with sentinels), canonical names, user mappings.
Each must read WITHOUT a mapping (except the custom one) and agree with the OData read."""

from __future__ import annotations

import json
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from mixing.io.cbs import read_units
from mixing.io.missing import HiddenValuesWarning
from mixing.io.readers.geo import CRSAssumedWarning, read_geometry

DEN_HAAG = ("kwb_odata_denhaag_amsterdam_utrecht/data/"
            "marginal_distributions_TheHague_2019_84583NED.csv")
COMPARE = ["population", "households", "dwellings", "dwellings_social", "dwellings_private_rent",
           "dwellings_owner_occupied", "households_low_income", "population_migration_western",
           "population_migration_nonwestern", "mean_income", "mean_woz"]


def _quiet(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_units(*args, **kwargs)


@pytest.fixture(scope="module")
def den_haag(cbs_dir):
    """(OData read of Den Haag 2019, raw buurt rows as numbers, their lon/lat geometry)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        geometry = read_geometry(cbs_dir / "buurt_2019_nl_topojson/buurten.json")
        units = read_units(geometry, cbs_dir / DEN_HAAG, year=2019)
    raw = pd.read_csv(cbs_dir / DEN_HAAG, sep=";", dtype=str, encoding="utf-8-sig")
    raw = raw.apply(lambda col: col.str.strip())
    raw = raw[raw["Codering_3"].str.startswith("BU")].reset_index(drop=True)
    numbers = raw.drop(columns=["Gemeentenaam_1", "SoortRegio_2", "Codering_3",
                                "WijkenEnBuurten"]).apply(pd.to_numeric, errors="coerce")
    numbers["code"] = raw["Codering_3"]
    shapes = geometry.set_index("statcode").geometry.reindex(numbers["code"]).to_crs(4326)
    return units, numbers, gpd.GeoSeries(shapes.to_numpy(), crs=4326)


def _pdok(numbers: pd.DataFrame) -> pd.DataFrame:
    """PDOK 2022+ style attributes: snake_case, percentages, -99999999 for hidden."""
    pop, dwell = numbers["AantalInwoners_5"], numbers["Woningvoorraad_34"]
    attrs = pd.DataFrame({
        "buurtcode": numbers["code"], "buurtnaam": "Buurt " + numbers["code"].str[-4:],
        "wijkcode": "WK" + numbers["code"].str[2:8], "gemeentecode": "GM0518",
        "gemeentenaam": "'s-Gravenhage", "jaarstatcode": "2019" + numbers["code"],
        "water": "NEE", "aantal_inwoners": pop,
        "aantal_huishoudens": numbers["HuishoudensTotaal_28"],
        "woningvoorraad": dwell, "percentage_koopwoningen": numbers["Koopwoningen_40"],
        "percentage_huurwoningen": numbers["HuurwoningenTotaal_41"],
        "perc_huurwoningen_in_bezit_woningcorporaties": numbers["InBezitWoningcorporatie_42"],
        "perc_huurwoningen_in_bezit_overige_verhuurders": numbers["InBezitOverigeVerhuurders_43"],
        "percentage_westerse_migratieachtergrond": 100 * numbers["WestersTotaal_17"] / pop,
        "percentage_niet_westerse_migratieachtergrond":
            100 * numbers["NietWestersTotaal_18"] / pop,
        "gemiddeld_inkomen_per_inwoner": numbers["GemiddeldInkomenPerInwoner_72"],
        "percentage_huishoudens_met_laag_inkomen": numbers["HuishoudensMetEenLaagInkomen_78"],
        "gemiddelde_woningwaarde": numbers["GemiddeldeWoningwaarde_35"],
    })
    # Percentages with two decimals, as a careful writer would; zero population -> 0 %.
    percent = [c for c in attrs.columns if c.startswith("perc")]
    attrs[percent] = attrs[percent].fillna(-99999999).round(2)
    attrs.loc[pop == 0, ["percentage_westerse_migratieachtergrond",
                         "percentage_niet_westerse_migratieachtergrond"]] = 0
    return attrs.fillna(-99999999)


def _assert_same(units, reference, rtol=1e-3, atol=1.0):
    left = units.set_index("unit_code").sort_index()
    right = reference.set_index("unit_code").sort_index()
    assert list(left.index) == list(right.index)
    for column in COMPARE:
        np.testing.assert_allclose(left[column], right[column], rtol=rtol, atol=atol,
                                   err_msg=column)


def _topojson(attrs: pd.DataFrame, shapes: gpd.GeoSeries) -> dict:
    """A minimal TopoJSON: one arc per ring, no quantisation, properties per object."""
    arcs, geometries = [], []
    for (_, row), shape in zip(attrs.iterrows(), shapes, strict=True):
        polygons = []
        for polygon in shapely.get_parts(shape):
            rings = []
            for ring in [polygon.exterior, *polygon.interiors]:
                arcs.append([list(xy) for xy in ring.coords])
                rings.append([len(arcs) - 1])
            polygons.append(rings)
        props = {k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
        geometries.append({"type": "MultiPolygon", "arcs": polygons, "properties": props})
    return {"type": "Topology", "arcs": arcs,
            "objects": {"buurten": {"type": "GeometryCollection", "geometries": geometries}}}


def test_pdok_geojson_without_mapping(tmp_path, den_haag):
    units, numbers, shapes = den_haag
    path = tmp_path / "wijkenbuurten_2019.geojson"
    gpd.GeoDataFrame(_pdok(numbers), geometry=shapes).to_file(path, driver="GeoJSON")
    with pytest.warns(HiddenValuesWarning, match="perc_huurwoningen_in_bezit_woningcorporaties"):
        read = read_units(path)  # year from jaarstatcode
    assert (read.year == 2019).all()
    assert read.unit_name.str.startswith("Buurt ").all()
    _assert_same(read, units)
    assert read.geometry.area.sum() == pytest.approx(units.geometry.area.sum(), rel=1e-3)


def test_pdok_topojson_without_mapping(tmp_path, den_haag):
    units, numbers, shapes = den_haag
    path = tmp_path / "buurten.topojson"
    path.write_text(json.dumps(_topojson(_pdok(numbers), shapes)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HiddenValuesWarning)
        with pytest.warns(CRSAssumedWarning, match="lon/lat"):
            read = read_units(path)
    _assert_same(read, units)


def test_kaart_short_codes_with_sentinels(tmp_path, den_haag):
    units, numbers, shapes = den_haag
    pdok = _pdok(numbers)
    kaart = pd.DataFrame({
        "BU_CODE": pdok["buurtcode"], "BU_NAAM": pdok["buurtnaam"], "WK_CODE": pdok["wijkcode"],
        "GM_CODE": "GM0518", "GM_NAAM": "'s-Gravenhage", "WATER": "NEE",
        "AANT_INW": pdok["aantal_inwoners"], "AANTAL_HH": pdok["aantal_huishoudens"],
        "WONINGEN": pdok["woningvoorraad"], "P_KOOPWON": pdok["percentage_koopwoningen"],
        "P_HUURWON": pdok["percentage_huurwoningen"],
        "P_HUURCORP": pdok["perc_huurwoningen_in_bezit_woningcorporaties"],
        "P_HUUROVVH": pdok["perc_huurwoningen_in_bezit_overige_verhuurders"],
        "P_WEST_AL": pdok["percentage_westerse_migratieachtergrond"],
        "P_N_W_AL": pdok["percentage_niet_westerse_migratieachtergrond"],
        "INK_INW": pdok["gemiddeld_inkomen_per_inwoner"],
        "P_LAAGINKH": pdok["percentage_huishoudens_met_laag_inkomen"],
        "WOZ": pdok["gemiddelde_woningwaarde"],
    })
    kaart.loc[0, "WATER"] = "JA"
    path = tmp_path / "buurt_2019.gpkg"
    gpd.GeoDataFrame(kaart, geometry=shapes.to_crs(28992)).to_file(path)
    with pytest.warns(HiddenValuesWarning, match=r"'P_HUURCORP': 5 of 114"):
        read = read_units(path, year=2019)
    _assert_same(read, units)
    assert read["is_water"].sum() == 1
    assert (read.municipality_name == "'s-Gravenhage").all()


def test_canonical_names_are_recognised(tmp_path, den_haag):
    units, _, _ = den_haag
    path = tmp_path / "demo.gpkg"
    units.to_file(path)
    read = _quiet(path)
    pd.testing.assert_frame_equal(pd.DataFrame(read.drop(columns="geometry")),
                                  pd.DataFrame(units.drop(columns="geometry")),
                                  check_dtype=False)
    csv = tmp_path / "demo.csv"
    units.drop(columns="geometry").to_csv(csv, index=False)
    assert _quiet(table=csv)["population"].sum() == units["population"].sum()


def test_user_mapping_custom_csv_and_geojson(tmp_path, den_haag):
    units, numbers, shapes = den_haag
    custom = pd.DataFrame({
        "id": numbers["code"], "naam": "b" + numbers["code"].str[-3:],
        "mensen": numbers["AantalInwoners_5"], "huizen": numbers["Woningvoorraad_34"],
        "sociaal_pct": numbers["InBezitWoningcorporatie_42"].fillna(-99997),
    })
    table = tmp_path / "custom.csv"
    custom.to_csv(table, index=False)
    boundaries = tmp_path / "grenzen.geojson"
    gpd.GeoDataFrame({"id": numbers["code"]}, geometry=shapes).to_file(boundaries)
    mapping = {"unit_code": "id", "unit_name": "naam", "population": "mensen",
               "dwellings": "huizen",
               "dwellings_social": {"column": "sociaal_pct", "unit": "percent"}}
    read = _quiet(boundaries, table, year=2019, columns=mapping)
    assert len(read) == 114 and read.geometry.notna().all()
    np.testing.assert_allclose(read.dwellings_social, units.dwellings_social)
    assert read.unit_name.str.startswith("b").all()
    assert read.households.isna().all()


def test_rd_without_crs_is_recognised(tmp_path):
    path = tmp_path / "rd.json"
    frame = gpd.GeoDataFrame({"statcode": ["BU05180170"], "aantal_inwoners": [10]},
                             geometry=[shapely.box(80_000, 455_000, 81_000, 456_000)])
    path.write_text(frame.to_json())
    with pytest.warns(CRSAssumedWarning, match="RD New"):
        read = read_units(path, year=2019)
    assert read.area.item() == pytest.approx(1e6)
