"""The second hostile set (issue 23): every input read right or refused in one line.

The hostile files are built in tmp_path from the real CBS files in ../shared wherever
possible: a Den Haag buurt moved into Germany, an OData download cut short, a wijk- en
buurtkaart shapefile without .cpg or .dbf, a three-layer GeoPackage, an Excel file named
.csv, OData JSON, StatLine's "Bron: CBS" footer, renamed code columns.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from _ingest_files import ODATA_HEADER, boxes, join, odata_fields
from conftest import DEN_HAAG_2019

from mixing.errors import InputError
from mixing.io.cbs import read_units

ROTTERDAM_2017 = "kwb_statline_rotterdam_2014_2018/Kerncijfers_wijken_en_buurten_2017.csv"


def quiet(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_units(*args, **kwargs)


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8-sig").splitlines(keepends=True)


@pytest.fixture(scope="module")
def den_haag_shapes(nl_geometry):
    """The 114 Den Haag buurten of the 2019 boundaries (RD New)."""
    frame = nl_geometry[nl_geometry["statcode"].str.startswith("BU0518")]
    return frame.reset_index(drop=True)


# ------------------------------------------------------------------ geometry: the outline
def test_buurt_moved_200_km_east_into_germany(tmp_path, cbs_dir, den_haag_shapes):
    frame = den_haag_shapes.copy()
    frame.loc[7, "geometry"] = shapely.affinity.translate(frame.geometry[7], xoff=200_000)
    assert frame.total_bounds[2] < 300_000  # inside the old RD rectangle: it passed before
    frame.to_file(tmp_path / "moved.gpkg")
    with pytest.raises(InputError, match=r"moved.gpkg, feature 8: a feature lies outside the "
                                         r"Netherlands .*1 feature\(s\) like this"):
        quiet(tmp_path / "moved.gpkg", cbs_dir / DEN_HAAG_2019, year=2019)


def test_real_boundary_files_lie_inside_the_outline(cbs_dir, nl_geometry):
    from mixing.io.outline import outside

    assert not outside(nl_geometry.geometry.to_numpy()).any()
    wijken = gpd.read_file(cbs_dir / "wijk_2017_nl_geojson/wijk_2017.geojson").to_crs(28992)
    assert not outside(shapely.make_valid(wijken.geometry.to_numpy())).any()


@pytest.mark.parametrize(("x", "y", "place", "inside"), [
    (150_000, 530_000, "IJsselmeer", True), (152_000, 590_000, "Wadden Sea", True),
    (121_000, 487_000, "Amsterdam", True), (207_000, 423_000, "Kleve (DE)", False),
    (86_000, 358_000, "Antwerpen (BE)", False), (277_000, 598_000, "Emden (DE)", False),
    (300_000, 460_000, "Muenster (DE)", False)])
def test_outline_places(x, y, place, inside):
    from mixing.io.outline import outline

    assert shapely.contains_xy(outline(), x, y) == inside, place


# ------------------------------------------------------------------ cut downloads
def test_odata_download_cut_at_ten_thousand_records(tmp_path):
    rows = [("GM0263", 10_000 * 5, 0, 0, 0, 0, "0")] + [
        (f"BU0263{i:04d}", 5, 0, 0, 0, 0, "0") for i in range(9_999)]
    lines = [join(ODATA_HEADER)] + [join(odata_fields(i, r)) for i, r in enumerate(rows, 1)]
    path = tmp_path / "kwb.csv"
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(InputError, match=r"kwb.csv: the file holds exactly 10,000 records, "
                                         r"the most CBS' OData API returns"):
        quiet(table=path, year=2019)


def test_buurten_falling_short_of_their_gemeente_row(tmp_path, cbs_dir):
    """The real Den Haag table with its last 40 buurten cut off (as at the OData limit)."""
    lines = _lines(cbs_dir / DEN_HAAG_2019)
    path = tmp_path / "cut.csv"
    path.write_text("".join(lines[:-40]), encoding="utf-8")
    with pytest.raises(InputError, match=r"cut.csv, column 'AantalInwoners_5', line 2: "
                                         r"gemeente GM0518: its 82 buurten add up to "
                                         r"[\d,]+ inhabitants, its own gemeente row says "
                                         r"537,833"):
        quiet(table=path, year=2019)


def test_last_wijk_cut_in_the_middle(tmp_path, cbs_dir):
    """Amsterdam 2019 without its last buurt: 1,485 of wijk WK036398's 1,605 remain."""
    lines = _lines(cbs_dir / "kwb_odata_denhaag_amsterdam_utrecht/data/ams_2019/"
                   "marginal_distributions_84583NED.csv")
    assert '"BU03639801"' in lines[-1]
    path = tmp_path / "cut.csv"
    path.write_text("".join(lines[:-1]), encoding="utf-8")
    with pytest.raises(InputError, match=r"cut.csv, column 'AantalInwoners_5', line 578: "
                                         r"wijk WK036398: its 1 buurten add up to 1,485 "
                                         r"inhabitants, its own wijk row says 1,605"):
        quiet(table=path, year=2019)


def test_complete_real_tables_pass_the_cut_check(cbs_dir):
    units = quiet(table=cbs_dir / DEN_HAAG_2019, year=2019)
    assert len(units) == 114
    assert units["population"].sum() == pytest.approx(537_525, abs=10)


# ------------------------------------------------------------------ shapefiles
def _kaart(tmp_path: Path, name: str = "buurt_2019") -> Path:
    frame = boxes(["BU05180001", "BU05180002"], BU_NAAM=["Café Buurt", "Noord"],
                  GM_CODE=["GM0518"] * 2, AANT_INW=[100, 200], WONINGEN=[50, 90]
                  ).rename(columns={"statcode": "BU_CODE"})
    path = tmp_path / f"{name}.shp"
    frame.to_file(path, encoding="UTF-8")
    return path


def test_utf8_shapefile_without_cpg_keeps_its_accents(tmp_path):
    path = _kaart(tmp_path)
    path.with_suffix(".cpg").unlink()
    units = quiet(path, year=2019)
    assert units["unit_name"].tolist() == ["Café Buurt", "Noord"]


def test_latin1_shapefile_whose_cpg_says_utf8(tmp_path):
    frame = boxes(["BU05180001"], BU_NAAM=["Café Buurt"], AANT_INW=[100]).rename(
        columns={"statcode": "BU_CODE"})
    path = tmp_path / "kaart.shp"
    frame.to_file(path, encoding="ISO-8859-1")
    path.with_suffix(".cpg").write_text("UTF-8")
    with pytest.raises(InputError, match=r"kaart.shp: the .cpg says UTF-8 but the .dbf text is "
                                         r"not UTF-8 \(byte 0xe9\)"):
        quiet(path, year=2019)
    path.with_suffix(".cpg").write_text("ISO-8859-1")
    assert quiet(path, year=2019)["unit_name"].tolist() == ["Café Buurt"]


def test_shapefile_without_its_dbf(tmp_path):
    path = _kaart(tmp_path)
    path.with_suffix(".dbf").unlink()
    with pytest.raises(InputError, match=r"buurt_2019.shp: the shapefile's .dbf file \(its "
                                         r"attributes.*is missing beside buurt_2019.shp"):
        quiet(path, year=2019)


def test_zipped_shapefile_without_cpg_keeps_its_accents(tmp_path):
    import zipfile

    path = _kaart(tmp_path)
    archive = tmp_path / "kaart.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for suffix in (".shp", ".shx", ".dbf", ".prj"):
            zipped.write(path.with_suffix(suffix), path.with_suffix(suffix).name)
    assert quiet(archive, year=2019)["unit_name"].tolist() == ["Café Buurt", "Noord"]


# ------------------------------------------------------------------ GeoPackage layers
def _three_layers(tmp_path: Path, names=("gemeenten", "wijken", "buurten")) -> Path:
    path = tmp_path / "wijkenbuurten_2019.gpkg"
    gemeente = boxes(["GM0518"], size=3_000, AANT_INW=[300])
    wijk = boxes(["WK051801"], size=3_000, AANT_INW=[300])
    buurten = boxes(["BU05180001", "BU05180002", "BU05180003"], AANT_INW=[100, 150, 50])
    for layer, frame in zip(names, (gemeente, wijk, buurten), strict=True):
        frame.to_file(path, layer=layer)
    return path


def test_geopackage_layer_chosen_by_level(tmp_path):
    path = _three_layers(tmp_path)
    buurten = quiet(path, year=2019)
    assert buurten["unit_code"].tolist() == ["BU05180001", "BU05180002", "BU05180003"]
    wijken = quiet(path, year=2019, level="wijk")
    assert wijken["unit_code"].tolist() == ["WK051801"]


def test_geopackage_layer_named_by_the_user(tmp_path):
    path = _three_layers(tmp_path, names=("a", "b", "c"))
    with pytest.raises(InputError, match=r"several layers and none is clearly the buurt "
                                         r"layer; its layers are \['a', 'b', 'c'\].*layer="):
        quiet(path, year=2019)
    assert len(quiet(path, year=2019, layer="c")) == 3
    with pytest.raises(InputError, match=r"the file has no layer 'x'; its layers are"):
        quiet(path, year=2019, layer="x")


# ------------------------------------------------------------------ content, not name
def test_excel_file_named_csv(tmp_path, cbs_dir):
    frame = pd.read_csv(cbs_dir / DEN_HAAG_2019, sep=";", dtype=str).head(5)
    path = tmp_path / "kerncijfers.csv"
    frame.to_excel(path, index=False, engine="openpyxl")
    with pytest.raises(InputError, match=r"kerncijfers.csv: this file is an Excel workbook "
                                         r"\(.xlsx\), not a CSV text file.*CSV UTF-8"):
        quiet(table=path, year=2019)


def test_html_error_page_named_csv(tmp_path):
    path = tmp_path / "kwb.csv"
    path.write_text("<!DOCTYPE html><html><body>503 Service Unavailable</body></html>")
    with pytest.raises(InputError, match=r"a web page \(HTML\), not data"):
        quiet(table=path, year=2019)


def _odata_json(cbs_dir: Path) -> dict:
    frame = pd.read_csv(cbs_dir / DEN_HAAG_2019, sep=";", dtype=str, encoding="utf-8-sig")
    records = frame.map(lambda v: v.strip() if isinstance(v, str) else v)
    for column in ("AantalInwoners_5", "Woningvoorraad_34", "HuishoudensTotaal_28"):
        records[column] = pd.to_numeric(records[column]).astype(int)
    return {"odata.metadata": "https://opendata.cbs.nl/ODataApi/odata/84583NED/$metadata",
            "value": json.loads(records.to_json(orient="records"))}


def test_odata_json_table_reads_like_the_csv(tmp_path, cbs_dir):
    path = tmp_path / "kerncijfers.json"
    path.write_text(json.dumps(_odata_json(cbs_dir)), encoding="utf-8")
    from_json = quiet(table=path, year=2019)
    from_csv = quiet(table=cbs_dir / DEN_HAAG_2019, year=2019)
    assert from_json["unit_code"].tolist() == from_csv["unit_code"].tolist()
    np.testing.assert_allclose(from_json["population"], from_csv["population"])
    np.testing.assert_allclose(from_json["dwellings_social"], from_csv["dwellings_social"])


def test_odata_json_page_with_a_next_link(tmp_path, cbs_dir):
    document = _odata_json(cbs_dir)
    document["odata.nextLink"] = "https://opendata.cbs.nl/ODataApi/odata/84583NED?$skip=159"
    path = tmp_path / "page.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(InputError, match=r"page.json: this OData response is one page of "
                                         r"several .*incomplete \(159 records\)"):
        quiet(table=path, year=2019)


def test_json_that_is_no_table_gets_no_gdal_jargon(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text('{"municipality": "GM0518", "year": 2019}')
    with pytest.raises(InputError, match=r"settings.json: a JSON file that is neither "
                                         r"GeoJSON/TopoJSON .*nor a table") as caught:
        quiet(table=path, year=2019)
    assert "driver" not in str(caught.value).lower()


# ------------------------------------------------------------------ StatLine layouts
def test_statline_footer_bron_cbs(tmp_path, cbs_dir):
    lines = _lines(cbs_dir / ROTTERDAM_2017)
    path = tmp_path / "rotterdam.csv"
    path.write_text("".join(lines) + '"Bron: CBS"\n', encoding="utf-8")
    with_footer = quiet(table=path)
    assert len(with_footer) == 92
    assert with_footer["population"].sum() == quiet(table=cbs_dir / ROTTERDAM_2017)[
        "population"].sum()


@pytest.mark.parametrize("header", ["Regiocode (gemeente, wijk, buurt) (code)", "Area_Code"])
def test_code_column_found_by_its_content(tmp_path, cbs_dir, header):
    lines = _lines(cbs_dir / ROTTERDAM_2017)
    assert ";Codering;" in lines[3]
    lines[3] = lines[3].replace(";Codering;", f";{header};")
    path = tmp_path / "rotterdam.csv"
    path.write_text("".join(lines), encoding="utf-8")
    units = quiet(table=path)
    assert len(units) == 92 and units["unit_code"].str.match(r"^BU0599\d{4}$").all()


# ------------------------------------------------------------------ arguments
def test_unknown_key_in_a_column_spec(tmp_path, cbs_dir):
    with pytest.raises(InputError, match=r"columns\['population'\] has unknown key\(s\) "
                                         r"\['units'\]; a column spec takes only "
                                         r"\['column', 'unit'\]"):
        quiet(table=cbs_dir / DEN_HAAG_2019, year=2019,
              columns={"population": {"column": "AantalInwoners_5", "units": "count"}})


def test_regions_with_a_buurt_table(cbs_dir):
    with pytest.raises(InputError, match=r"regions= only assigns postcodes"):
        quiet(table=cbs_dir / DEN_HAAG_2019, year=2019, regions=cbs_dir / DEN_HAAG_2019)


def test_names_matching_no_code(cbs_dir):
    with pytest.raises(InputError, match=r"names= matches none of the 114 unit codes"):
        quiet(table=cbs_dir / DEN_HAAG_2019, year=2019, names={"BU03630000": "Burgwallen"})


def test_gzipped_and_zipped_json(tmp_path, cbs_dir):
    import gzip
    import zipfile

    text = json.dumps(_odata_json(cbs_dir))
    (tmp_path / "kwb.json.gz").write_bytes(gzip.compress(text.encode("utf-8")))
    with zipfile.ZipFile(tmp_path / "kwb.zip", "w") as archive:
        archive.writestr("kwb.json", text)
    for name in ("kwb.json.gz", "kwb.zip"):
        assert len(quiet(table=tmp_path / name, year=2019)) == 114


def test_json_table_passed_as_geometry(tmp_path, cbs_dir):
    path = tmp_path / "kwb.json"
    path.write_text(json.dumps(_odata_json(cbs_dir)), encoding="utf-8")
    with pytest.raises(InputError, match=r"kwb.json: a JSON table \(records\), not a map file"
                                         r".*Fix: pass it as table="):
        quiet(path, cbs_dir / DEN_HAAG_2019, year=2019)


def test_sqlite_database_that_is_no_geopackage(tmp_path):
    import sqlite3

    path = tmp_path / "buurten.gpkg"
    with sqlite3.connect(path) as db:
        db.execute("create table buurten (code text)")
    with pytest.raises(InputError, match=r"buurten.gpkg: this file is an SQLite database that "
                                         r"is not a GeoPackage"):
        quiet(path, year=2019)


def test_parquet_table_without_geometry(tmp_path, cbs_dir):
    frame = quiet(table=cbs_dir / DEN_HAAG_2019, year=2019)
    table = pd.DataFrame(frame.drop(columns="geometry"))
    table.to_parquet(tmp_path / "units.parquet")
    again = quiet(table=tmp_path / "units.parquet", year=2019)
    assert again["unit_code"].tolist() == frame["unit_code"].tolist()
    np.testing.assert_allclose(again["population"], frame["population"])


def test_layer_without_a_map_file(cbs_dir):
    with pytest.raises(InputError, match=r"layer= names a layer of a map file, but no map "
                                         r"file is passed as geometry="):
        quiet(table=cbs_dir / DEN_HAAG_2019, year=2019, layer="buurten")
